package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

// A store whose directory disappears while it is open: Badger's flush then fails forever, and
// the close must still return (with IO), instead of hanging the process that closes it.
func TestCloseReturnsWhenTheMemtableCannotBeFlushed(t *testing.T) {
	dir := t.TempDir()
	h := openCfg(t, map[string]any{"path": dir, "logLevel": "none"})
	mustWrite(t, h, "a", "1", "b", "2")
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- closeHandle(h) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "flush its memtable") {
			t.Fatalf("close of a store whose directory is gone: got %v, want the flush failure", err)
		}
		if got := classify(err).code; got != codeIO {
			t.Fatalf("code %d, want IO (%d)", got, codeIO)
		}
		t.Logf("close gave up after %v: %v", time.Since(start).Round(time.Millisecond), err)
	case <-time.After(30 * time.Second):
		t.Fatal("close did not return within 30 s")
	}
}

// A close that flushes normally is not cut short, and the data is there on reopen.
func TestCloseWaitsForAFlushThatSucceeds(t *testing.T) {
	dir := t.TempDir()
	h := openCfg(t, map[string]any{"path": dir, "logLevel": "none"})
	mustWrite(t, h, "a", "1")
	if err := closeHandle(h); err != nil {
		t.Fatalf("close: %v", err)
	}
	h2 := openAt(t, dir)
	if got := mustGet(t, h2, "a"); got != "1" {
		t.Fatalf("after reopen a = %q", got)
	}
}

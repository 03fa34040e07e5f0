package main

import (
	"bytes"
	"encoding/json"
	"sync"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

func TestSamePathSharesOneDatabase(t *testing.T) {
	h1, dir := openTemp(t)
	h2 := openAt(t, dir+"/.") // cleaned to the same path
	if h1 == h2 || dbHandles.mustGet(h1).st != dbHandles.mustGet(h2).st {
		t.Fatal("the two opens do not share a store")
	}
	mustWrite(t, h1, "k", "v")
	if closeHandle(h1) != nil {
		t.Fatal("close failed")
	}
	if got := mustGet(t, h2, "k"); got != "v" {
		t.Fatalf("second handle reads %q after the first closed", got)
	}
	out := make([]byte, 64)
	if rc := doGet(h1, []byte("k"), out); rc != -codeClosed {
		t.Fatalf("closed handle rc %d", rc)
	}
}

func TestLastCloseReleasesTheDirectory(t *testing.T) {
	h, dir := openTemp(t)
	closeHandle(h)
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatalf("directory still locked: %v", err)
	}
	db.Close()
}

func TestLockedByAnotherOwner(t *testing.T) {
	dir := t.TempDir()
	// Badger's flock conflicts even within one process when the registry is bypassed,
	// which is what another process looks like to us.
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A holder that is not skyshelve never answers on the socket: LOCKED after the open timeout.
	raw, _ := json.Marshal(map[string]any{"path": dir, "logLevel": "none", "openTimeoutMs": 300})
	out := make([]byte, 512)
	if rc := doOpen(raw, out); rc != -codeLocked {
		t.Fatalf("rc %d: %s", rc, message(out))
	}
	if msg := message(out); !bytes.Contains([]byte(msg), []byte(dir)) || !bytes.Contains([]byte(msg), []byte("not skyshelve")) {
		t.Fatalf("message %q", msg)
	}
	// exclusive: true does not wait for an owner to answer.
	raw, _ = json.Marshal(map[string]any{"path": dir, "logLevel": "none", "exclusive": true})
	if rc := doOpen(raw, out); rc != -codeLocked || !bytes.Contains(out, []byte("exclusive")) {
		t.Fatalf("exclusive: rc %d: %s", rc, message(out))
	}
}

func TestUnknownAndClosedHandles(t *testing.T) {
	out := make([]byte, 64)
	for _, rc := range []int32{doGet(12345, []byte("k"), out), doHas(-1, []byte("k"), out), doWrite(0, nil, out), doSync(999, out), doStats(999, out)} {
		if rc != -codeClosed {
			t.Fatalf("rc %d", rc)
		}
	}
	if closeHandle(4242) != errClosed {
		t.Fatal("closing an unknown handle succeeded")
	}
}

func TestConcurrentOpensAndCallsShareSafely(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			raw, _ := json.Marshal(map[string]any{"path": dir, "logLevel": "none"})
			out := make([]byte, 256)
			h := doOpen(raw, out)
			if h <= 0 {
				t.Errorf("open rc %d: %s", h, message(out))
				return
			}
			for i := 0; i < 50; i++ {
				doWrite(h, encodeWrite([]writeOp{{op: opPut, key: []byte{byte(w), byte(i)}, value: []byte("v")}}), out)
				doGet(h, []byte{byte(w), byte(i)}, out)
			}
			closeHandle(h)
		}(w)
	}
	wg.Wait()
	h := openAt(t, dir)
	for w := 0; w < 8; w++ {
		if mustGet(t, h, string([]byte{byte(w), 49})) != "v" {
			t.Fatalf("writer %d lost its writes", w)
		}
	}
}

func TestStatsAndSync(t *testing.T) {
	h, dir := openTemp(t)
	out := make([]byte, 4096)
	if rc := doSync(h, out); rc != 0 {
		t.Fatalf("sync rc %d", rc)
	}
	rc := doStats(h, out)
	var stats map[string]any
	if rc <= 0 || json.Unmarshal(out[:rc], &stats) != nil || stats["path"] != dir {
		t.Fatalf("stats rc %d %s", rc, out[:max(rc, 0)])
	}
	if rc := doStats(h, out[:10]); rc != -codeTooSmall {
		t.Fatalf("small stats rc %d", rc)
	}
}

// mustGet is a test-only accessor for a live handle.
func (tb *table[T]) mustGet(h int32) T {
	v, ok := tb.get(h)
	if !ok {
		panic("no such handle")
	}
	return v
}

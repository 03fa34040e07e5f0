package main

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"skyshelve/native/internal/wire"
)

// A client that sends a bad frame gets INVALID and loses its connection; others are unaffected.
func TestBadFramesFailOnlyTheirConnection(t *testing.T) {
	dir := t.TempDir()
	h := openCfg(t, mpConfig(dir))
	mustWrite(t, h, "k", "v")
	cfg := parsed(t, mpConfig(dir))
	good, _, err := dialHello(cfg, newClientID())
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	bad, _, err := dialHello(cfg, newClientID())
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	r := bufio.NewReader(bad)
	// A well-framed request with a malformed body: an error answer, the connection stays.
	bad.Write(wire.AppendRequest(nil, 5, wire.OpScan, []byte{1}))
	if resp := readResp(t, r); resp.ID != 5 || resp.RC != -codeInvalid {
		t.Fatalf("bad body: %+v", resp)
	}
	// A frame whose length is impossible: an error answer, then the connection closes.
	bad.Write([]byte{1, 0, 0, 0})
	if resp := readResp(t, r); resp.RC != -codeInvalid || !strings.Contains(string(resp.Body), "bad frame") {
		t.Fatalf("bad frame: %+v", resp)
	}
	bad.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := wire.ReadFrame(r); err == nil {
		t.Fatal("the connection stayed open after a bad frame")
	}
	good.Write(wire.AppendRequest(nil, 9, wire.OpGet, u32(100), []byte("k")))
	if resp := readResp(t, bufio.NewReader(good)); resp.ID != 9 || string(resp.Body) != "v" {
		t.Fatalf("the other client: %+v", resp)
	}
}

func readResp(t *testing.T, r *bufio.Reader) wire.Response {
	t.Helper()
	frame, err := wire.ReadFrame(r)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := wire.ParseResponse(frame)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestSecondOpenWithOtherEngineOptionsIsInvalid(t *testing.T) {
	dir := t.TempDir()
	openCfg(t, mpConfig(dir))
	raw, _ := json.Marshal(mpConfig(dir, "memTableSize", 32<<20))
	out := make([]byte, 1024)
	if rc := doOpen(raw, out); rc != -codeInvalid || !strings.Contains(message(out), "other options") {
		t.Fatalf("rc %d: %s", rc, message(out))
	}
	raw, _ = json.Marshal(mpConfig(dir, "syncWrites", true)) // per handle: allowed
	if rc := doOpen(raw, out); rc <= 0 {
		t.Fatalf("rc %d: %s", rc, message(out))
	} else {
		closeHandle(rc)
	}
}

// An open in progress on one path (held here as a busy entry) does not block opens of others.
func TestSlowOpenOfOnePathDoesNotBlockOthers(t *testing.T) {
	slow := parsed(t, mpConfig(t.TempDir()))
	registry.mu.Lock()
	done := make(chan struct{})
	registry.busy[slow.Path] = done
	registry.mu.Unlock()
	defer func() {
		registry.mu.Lock()
		delete(registry.busy, slow.Path)
		registry.mu.Unlock()
		close(done)
	}()
	opened := make(chan int32, 1)
	go func() {
		raw, _ := json.Marshal(mpConfig(t.TempDir()))
		opened <- doOpen(raw, make([]byte, 512))
	}()
	select {
	case h := <-opened:
		if h <= 0 {
			t.Fatalf("rc %d", h)
		}
		closeHandle(h)
	case <-time.After(20 * time.Second):
		t.Fatal("an open of another path waited for the busy one")
	}
}

func TestOwnerStatsSayOwner(t *testing.T) {
	h := openCfg(t, mpConfig(t.TempDir()))
	if role := roleOf(t, h); role != "owner" {
		t.Fatalf("role %q", role)
	}
}

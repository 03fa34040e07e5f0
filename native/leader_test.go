package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// Calls from several goroutines on one client: each is answered by whoever reads the connection
// at the time (a calling leader, or the reader goroutine it hands over to), with its own answer.
func TestConcurrentCallsGetTheirOwnAnswers(t *testing.T) {
	dir := t.TempDir()
	owner := startChild(t, "owner", mpConfig(dir))
	owner.expect(t, "ready")
	h := openCfg(t, mpConfig(dir))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := make([]byte, 1<<16)
			for i := range 300 {
				key, val := fmt.Sprintf("w%d:%d", w, i%10), fmt.Sprintf("%d-%d", w, i)
				if rc := routeWrite(h, encodeWrite([]writeOp{put(key, val)}), out); rc != 0 {
					errs <- fmt.Errorf("write: rc %d: %s", rc, message(out))
					return
				}
				if rc := routeGet(h, []byte(key), out); rc < 0 || string(out[:rc]) != val {
					errs <- fmt.Errorf("get %s: rc %d, want %q", key, rc, val)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if roleOf(t, h) != "client" {
		t.Fatal("not a client")
	}
}

// The owner dies while calls wait for their answers (one of them reading the socket in poll(2),
// the other parked): both are answered after this process takes over.
func TestOwnerKilledWhileALeaderWaits(t *testing.T) {
	dir := t.TempDir()
	owner := startChild(t, "owner", mpConfig(dir))
	owner.expect(t, "ready")
	// No read cache: the client would answer its own write itself, and these reads must go to the owner.
	h := openCfg(t, mpConfig(dir, "readCacheSize", 0))
	rWrite(t, h, put("k", "v"))
	stop(t, owner)
	got := make(chan string, 2)
	for range 2 {
		go func() {
			out := make([]byte, 1024)
			rc := routeGet(h, []byte("k"), out)
			if rc < 0 {
				got <- fmt.Sprintf("rc %d: %s", rc, message(out))
				return
			}
			got <- string(out[:rc])
		}()
	}
	time.Sleep(100 * time.Millisecond) // let both calls be sent and wait (if not, they just run later)
	owner.cmd.Process.Kill()
	for range 2 {
		if v := <-got; v != "v" {
			t.Fatalf("get: %s", v)
		}
	}
	if roleOf(t, h) != "owner" {
		t.Fatal("this process did not take over")
	}
}

// Closing the store while a call waits on a stopped owner ends the call with CLOSED.
func TestCloseEndsACallThatWaits(t *testing.T) {
	dir := t.TempDir()
	owner := startChild(t, "owner", mpConfig(dir))
	owner.expect(t, "ready")
	raw := []byte(mustJSON(mpConfig(dir)))
	out := make([]byte, 1024)
	h := doOpen(raw, out)
	if h <= 0 {
		t.Fatalf("open: rc %d: %s", h, message(out))
	}
	stop(t, owner)
	rc := make(chan int32, 1)
	go func() { rc <- routeGet(h, []byte("k"), make([]byte, 1024)) }()
	time.Sleep(100 * time.Millisecond)
	if err := closeHandle(h); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-rc:
		if r != -codeClosed {
			t.Fatalf("rc %d", r)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the call still waits after close")
	}
}

// An answer larger than the client's read buffer (64 KiB) arrives whole: the buffer grows.
func TestClientReadsAnAnswerLargerThanItsBuffer(t *testing.T) {
	dir := t.TempDir()
	owner := startChild(t, "owner", mpConfig(dir))
	owner.expect(t, "ready")
	h := openCfg(t, mpConfig(dir))
	big := strings.Repeat("0123456789abcdef", 300<<10/16)
	rWrite(t, h, put("big", big))
	out := make([]byte, 1<<20)
	for range 3 { // and the answers after it still line up
		if rc := routeGet(h, []byte("big"), out); rc != int32(len(big)) || string(out[:rc]) != big {
			t.Fatalf("rc %d", rc)
		}
		if v := rGet(t, h, "missing"); v != "<missing>" {
			t.Fatal(v)
		}
	}
}

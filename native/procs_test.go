package main

import (
	"os"
	"runtime"
	"testing"
	"time"
)

// procsBefore skips when the test cannot see a change of GOMAXPROCS (one CPU, or the user set it).
func procsBefore(t *testing.T) int {
	t.Helper()
	if os.Getenv("GOMAXPROCS") != "" || runtime.GOMAXPROCS(0) < 2 {
		t.Skip("GOMAXPROCS is set or below 2: nothing to lower")
	}
	return runtime.GOMAXPROCS(0)
}

// waitProcs waits until GOMAXPROCS is want (a served connection ends on the owner's goroutine).
func waitProcs(t *testing.T, want int, when string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if runtime.GOMAXPROCS(0) == want {
			return
		}
	}
	t.Fatalf("%s: GOMAXPROCS %d, want %d", when, runtime.GOMAXPROCS(0), want)
}

func TestClientRunsGoOnOneP(t *testing.T) {
	before := procsBefore(t)
	h := openClientOfChildOwner(t)
	waitProcs(t, 1, "while a client")
	rWrite(t, h, writeOp{op: opPut, key: []byte("k"), value: []byte("v")})
	if rGet(t, h, "k") != "v" {
		t.Fatal("the write through the client is not there")
	}
	if err := closeHandle(h); err != nil {
		t.Fatal(err)
	}
	waitProcs(t, before, "after the client closed")
}

func TestOwnerServingAClientRunsGoOnOneP(t *testing.T) {
	before := procsBefore(t)
	dir := t.TempDir()
	h := openCfg(t, mpConfig(dir))
	if role := roleOf(t, h); role != "owner" {
		t.Fatalf("role %q", role)
	}
	waitProcs(t, before, "a lone owner")
	other := startChild(t, "owner", mpConfig(dir)) // opens as a client of this process
	other.expect(t, "ready")
	waitProcs(t, 1, "while serving a client")
	rWrite(t, h, writeOp{op: opPut, key: []byte("k"), value: []byte("v")}) // commits directly now
	if rGet(t, h, "k") != "v" {
		t.Fatal("the owner's write is not there")
	}
	other.stdin.Close()
	other.expect(t, "closed")
	waitProcs(t, before, "after the client left")
}

package main

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestSlowCommitReturnsATicketAndFinishesLater(t *testing.T) {
	if commitDirectly() {
		t.Skip("GOMAXPROCS < 2 commits on the caller")
	}
	h, _ := openTemp(t)
	st := dbHandles.mustGet(h).st
	var applied atomic.Bool
	ticket, err := commitInBackground(st, func() error {
		time.Sleep(30 * time.Millisecond) // a write stall
		applied.Store(true)
		return errors.New("disk on fire")
	}, time.Millisecond)
	if err != nil || ticket <= 0 {
		t.Fatalf("ticket %d err %v: a slow commit should leave a ticket", ticket, err)
	}
	if applied.Load() {
		t.Fatal("returned only after the slow commit")
	}
	out := make([]byte, 256)
	if rc := doWritePoll(ticket, out); rc != 1 {
		t.Fatalf("poll while running rc %d, want 1", rc)
	}
	if rc := doWriteWait(ticket); rc != 0 || !applied.Load() {
		t.Fatalf("wait rc %d, applied %v", rc, applied.Load())
	}
	if rc := doWritePoll(ticket, out); rc != -codeInternal {
		t.Fatalf("poll rc %d, want the commit's error", rc)
	}
	if rc := doWritePoll(ticket, out); rc != -codeInvalid {
		t.Fatalf("second poll rc %d", rc)
	}
	if rc := doWriteWait(ticket); rc != 0 {
		t.Fatalf("wait on a finished ticket rc %d", rc)
	}
}

func TestFastCommitFinishesInline(t *testing.T) {
	h, _ := openTemp(t)
	out := make([]byte, 256)
	req := encodeWrite([]writeOp{{op: opPut, key: []byte("k"), value: []byte("v")}})
	if rc := writeRequest(h, req, out, time.Second); rc != 0 {
		t.Fatalf("rc %d", rc)
	}
	if got := mustGet(t, h, "k"); got != "v" {
		t.Fatalf("got %q", got)
	}
}

func TestCloseWaitsForPendingCommits(t *testing.T) {
	if commitDirectly() {
		t.Skip("GOMAXPROCS < 2 commits on the caller")
	}
	h, _ := openTemp(t)
	st := dbHandles.mustGet(h).st
	db := st.db
	ticket, _ := commitInBackground(st, func() error {
		time.Sleep(30 * time.Millisecond)
		return commitOps(db, st.cfg, []writeOp{{op: opPut, key: []byte("late"), value: []byte("v")}})
	}, time.Millisecond)
	if ticket <= 0 {
		t.Fatal("expected a ticket")
	}
	if err := closeHandle(h); err != nil {
		t.Fatal(err)
	}
	if rc := doWritePoll(ticket, make([]byte, 256)); rc != 0 {
		t.Fatalf("the pending commit is not done or failed (rc %d): close did not wait for it", rc)
	}
}

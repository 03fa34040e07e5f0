package main

import (
	"errors"
	"math"
	"runtime"
	"testing"
	"time"
)

func TestTicketWaitWakesWhenTheBackgroundCommitFinishes(t *testing.T) {
	if commitDirectly() || runtime.GOOS != "linux" {
		t.Skip("needs the committer (GOMAXPROCS >= 2) and Linux futexes")
	}
	h, _ := openTemp(t)
	st := dbHandles.mustGet(h).st
	release := make(chan struct{})
	ticket, err := commitInBackground(st, func() error {
		<-release
		return errors.New("disk on fire")
	}, time.Millisecond)
	if err != nil || ticket <= 0 {
		t.Fatalf("ticket %d err %v", ticket, err)
	}
	if rc := waitTicket(ticket, 1000); rc != 1 {
		t.Fatalf("wait on a running commit rc %d, want 1 (timed out)", rc)
	}
	woke := make(chan int32)
	go func() { woke <- waitTicket(ticket, 60_000_000) }()
	time.Sleep(5 * time.Millisecond)
	started := time.Now()
	close(release)
	if rc := <-woke; rc != 0 {
		t.Fatalf("wait rc %d, want 0 (done)", rc)
	}
	// Far under the 60 s timeout: the committer woke the waiter (no timing bound beyond that).
	if waited := time.Since(started); waited > 30*time.Second {
		t.Fatalf("waiter woke only after %v", waited)
	}
	if rc := waitTicket(ticket, 0); rc != 0 {
		t.Fatalf("wait on a finished ticket rc %d, want 0 at once", rc)
	}
	// The wait never consumes the result: the poll still reports the commit's error, once.
	out := make([]byte, 256)
	if rc := doWritePoll(ticket, out); rc != -codeInternal {
		t.Fatalf("poll rc %d, want the commit's error", rc)
	}
}

func TestTicketWaitIgnoresAnotherTicketOfTheSameSlot(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Linux futexes")
	}
	const ticket = math.MaxInt32 - ticketSlots // far from the tickets other tests get
	signalTicket(ticket + ticketSlots)         // a later ticket of the slot finished: not this one
	if rc := waitTicket(ticket, 2000); rc != 1 {
		t.Fatalf("rc %d, want 1: another ticket's signal must not count", rc)
	}
	signalTicket(ticket)
	if rc := waitTicket(ticket, 0); rc != 0 {
		t.Fatalf("rc %d, want 0", rc)
	}
	if rc := waitTicket(0, 0); rc != -codeInvalid {
		t.Fatalf("ticket 0 rc %d, want INVALID", rc)
	}
}

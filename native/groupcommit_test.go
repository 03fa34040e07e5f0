package main

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"skyshelve/native/internal/wire"
)

func job(client, seq uint64, ops ...writeOp) *writeJob {
	return &writeJob{req: wire.Request{Op: wire.OpWrite, ClientID: client, Seq: seq, Data: encodeWrite(ops)}, done: make(chan struct{})}
}

// In one group each write sees the ones before it; a failed check or a duplicate only affects
// its own write.
func TestGroupCommitKeepsEachWritesOutcome(t *testing.T) {
	h, _ := openTemp(t)
	a := job(1, 1, put("x", "1"))
	b := job(2, 1, checkEq("x", "1"), put("y", "1"))
	c := job(3, 1, checkAbsent("x"), put("z", "1"))
	d := job(1, 1, put("x", "9")) // a resend of a: same client and seq
	e := job(4, 1, put("", "empty key"))
	g := &groupCommitter{h: h}
	g.commit([]*writeJob{a, b, c, d, e})
	if a.rc != 0 || b.rc != 0 || c.rc != -codeConflict || d.rc != 0 || e.rc != -codeInvalid {
		t.Fatalf("outcomes %d %d %d %d %d", a.rc, b.rc, c.rc, d.rc, e.rc)
	}
	if mustGet(t, h, "x") != "1" || mustGet(t, h, "y") != "1" || mustGet(t, h, "z") != "<missing>" {
		t.Fatal("the group applied the wrong writes")
	}
}

// A group too big for one transaction is committed write by write instead.
func TestGroupTooBigForOneTxnFallsBackToSingleCommits(t *testing.T) {
	h, _ := openTemp(t)
	big := func(client uint64, prefix string) *writeJob {
		var ops []writeOp
		for i := 0; i < 12000; i++ {
			ops = append(ops, writeOp{op: opPut, key: binary.BigEndian.AppendUint32([]byte(prefix), uint32(i)), value: make([]byte, 100)})
		}
		return job(client, 1, ops...)
	}
	a, b := big(1, "a"), big(2, "b")
	g := &groupCommitter{h: h}
	g.commit([]*writeJob{a, b})
	if a.rc != 0 || b.rc != 0 {
		t.Fatalf("outcomes %d %d: %s", a.rc, b.rc, a.body)
	}
	if mustGet(t, h, "b\x00\x00\x2e\xdf") == "<missing>" {
		t.Fatal("the second write is missing")
	}
}

// Writers that submit at once commit in groups led by one of them; every write gets its own
// outcome, and the committer ends idle with nothing queued.
func TestGroupSubmitFromManyWriters(t *testing.T) {
	h, _ := openTemp(t)
	g := newGroupCommitter(h)
	mustWrite(t, h, "never-absent", "1")
	var wg sync.WaitGroup
	fails := make(chan string, 16)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				j := job(uint64(w+1), uint64(i+1), put(fmt.Sprintf("k%d", w), strconv.Itoa(i)))
				if i == 50 { // a failed check answers CONFLICT and still leaves the client's later writes alone
					j = job(uint64(w+1), uint64(i+1), checkAbsent("never-absent"), put("x", "y"))
				}
				if rc, _ := g.submit(j.req); (rc != 0) != (i == 50) {
					fails <- fmt.Sprintf("writer %d write %d: rc %d", w, i, rc)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(fails)
	for f := range fails {
		t.Fatal(f)
	}
	for w := range 16 {
		if v := mustGet(t, h, fmt.Sprintf("k%d", w)); v != "99" {
			t.Fatalf("k%d = %s", w, v)
		}
	}
	if g.busy || len(g.queue) != 0 || mustGet(t, h, "x") != "<missing>" {
		t.Fatalf("busy %v queued %d x %s", g.busy, len(g.queue), mustGet(t, h, "x"))
	}
}

// The owner remembers each client's applied seq after a commit instead of reading the record per
// write; resends stay duplicates, a write that failed its check stays unapplied, and a group that
// fell back to single commits (which write the record themselves) is read from Badger again.
func TestGroupCommitRemembersAppliedSeqs(t *testing.T) {
	h, _ := openTemp(t)
	g := newGroupCommitter(h)
	submit := func(j *writeJob) int32 {
		rc, _ := g.submit(j.req)
		return rc
	}
	if rc := submit(job(7, 1, put("x", "1"))); rc != 0 {
		t.Fatalf("first write: rc %d", rc)
	}
	if seq, ok := g.applied.get(7); !ok || seq != 1 {
		t.Fatalf("remembered seq %d %v, want 1", seq, ok)
	}
	if rc := submit(job(7, 1, put("x", "resent"))); rc != 0 || mustGet(t, h, "x") != "1" {
		t.Fatalf("a resend in a later group: rc %d, x %q", rc, mustGet(t, h, "x"))
	}
	if rc := submit(job(7, 2, checkAbsent("x"), put("x", "2"))); rc != -codeConflict {
		t.Fatalf("failed check: rc %d", rc)
	}
	if rc := submit(job(7, 2, put("x", "2"))); rc != 0 || mustGet(t, h, "x") != "2" {
		t.Fatalf("the seq of a write that failed its check must stay free: rc %d, x %q", rc, mustGet(t, h, "x"))
	}

	// Too big for one transaction: each write is committed alone, by the path that writes the
	// record without telling g.applied.
	var ops []writeOp
	for i := 0; i < 12000; i++ {
		ops = append(ops, writeOp{op: opPut, key: binary.BigEndian.AppendUint32([]byte("big"), uint32(i)), value: make([]byte, 100)})
	}
	a, b := job(7, 3, ops...), job(8, 1, ops...)
	g.commit([]*writeJob{a, b})
	if a.rc != 0 || b.rc != 0 {
		t.Fatalf("single commits: rc %d %d", a.rc, b.rc)
	}
	if rc := submit(job(7, 3, put("x", "resent"))); rc != 0 || mustGet(t, h, "x") != "2" {
		t.Fatalf("a resend of a write committed alone: rc %d, x %q", rc, mustGet(t, h, "x"))
	}
}

package main

import (
	"encoding/binary"
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

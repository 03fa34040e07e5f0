package main

import (
	"testing"
)

func TestReadsSeeEveryFinishedCommit(t *testing.T) {
	h, _ := openTemp(t)
	mustWrite(t, h, "k", "1")
	if got := mustGet(t, h, "k"); got != "1" { // caches a read transaction
		t.Fatalf("got %q", got)
	}
	mustWrite(t, h, "k", "2")
	if got := mustGet(t, h, "k"); got != "2" {
		t.Fatalf("a read after a commit saw %q", got)
	}
	out := make([]byte, 64)
	doWrite(h, encodeWrite([]writeOp{{op: opDelete, key: []byte("k")}}), out)
	if doHas(h, []byte("k"), out) != 0 {
		t.Fatal("has after delete still true")
	}
}

func TestSharedReadTxnIsReusedUntilACommit(t *testing.T) {
	h, _ := openTemp(t)
	st := dbHandles.mustGet(h).st
	a := st.reads.acquire(st.db)
	b := st.reads.acquire(st.db)
	if a != b {
		t.Fatal("two reads without a commit between them opened two transactions")
	}
	st.reads.invalidate()
	c := st.reads.acquire(st.db)
	if c == a {
		t.Fatal("a commit did not retire the shared transaction")
	}
	a.release()
	if a.refs.Load() != 1 {
		t.Fatalf("refs %d, want 1 (b still holds it)", a.refs.Load())
	}
	b.release() // the last reader of a retired transaction discards it
	if a.refs.Load() != 0 {
		t.Fatalf("refs %d after the last release", a.refs.Load())
	}
	c.release()
}

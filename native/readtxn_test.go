package main

import (
	"fmt"
	"sync"
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

func TestReadTxnIsLentToOneCallerAtATime(t *testing.T) {
	h, _ := openTemp(t)
	st := dbHandles.mustGet(h).st
	a := st.reads.acquire(st.db)
	b := st.reads.acquire(st.db)
	if a.txn == b.txn {
		t.Fatal("two concurrent readers were lent the same transaction")
	}
	st.reads.release(a)
	c := st.reads.acquire(st.db)
	if c.txn != a.txn {
		t.Fatal("an idle current transaction was not reused")
	}
	st.reads.invalidate()
	st.reads.release(b) // retired by the commit: discarded, not kept
	st.reads.release(c)
	d := st.reads.acquire(st.db)
	if d.txn == b.txn || d.txn == c.txn {
		t.Fatal("a transaction from before a commit was lent after it")
	}
	st.reads.release(d)
}

func TestCommitterOpensTheNextReadTxn(t *testing.T) {
	h, _ := openTemp(t)
	st := dbHandles.mustGet(h).st
	mustGet(t, h, "k") // marks the store as being read
	mustWrite(t, h, "k", "v")
	st.reads.mu.Lock()
	idle := len(st.reads.idle)
	st.reads.mu.Unlock()
	if !commitDirectly() && idle != 1 {
		t.Fatalf("%d idle read transactions after a commit, want the one the committer opened", idle)
	}
	if got := mustGet(t, h, "k"); got != "v" {
		t.Fatalf("read after write saw %q", got)
	}
}

// Readers and writers on several goroutines: every read sees at least the last value its own
// goroutine wrote (read-your-writes), and `go test -race` sees no shared transaction.
func TestReadYourWritesUnderConcurrency(t *testing.T) {
	h, _ := openTemp(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			key := fmt.Sprintf("g%d", g)
			for i := 0; i < 300; i++ {
				want := fmt.Sprint(i)
				if rc := doWrite(h, encodeWrite([]writeOp{{op: opPut, key: []byte(key), value: []byte(want)}}), make([]byte, 256)); rc != 0 {
					errs <- fmt.Errorf("write rc %d", rc)
					return
				}
				out := make([]byte, 64)
				n := doGet(h, []byte(key), out)
				if n < 0 || string(out[:n]) != want {
					errs <- fmt.Errorf("goroutine %d wrote %s, then read rc %d %q", g, want, n, out[:max(n, 0)])
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// BenchmarkReadLease is the pool's own cost per point read (acquire + release of an idle txn).
func BenchmarkReadLease(b *testing.B) {
	h, _ := openTemp(b)
	st := dbHandles.mustGet(h).st
	st.reads.release(st.reads.acquire(st.db))
	for i := 0; i < b.N; i++ {
		st.reads.release(st.reads.acquire(st.db))
	}
}

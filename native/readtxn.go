package main

import (
	"sync"
	"sync/atomic"

	badger "github.com/dgraph-io/badger/v4"
)

// Before managed mode (clock.go), every read transaction cost two trips through Badger's watermark
// goroutine, and opening one right after a commit waited until that goroutine had marked the commit
// done: from Node's foreign thread that parked the locked thread, ~20-70 µs for the first read after
// each write (bench/raw-mix.ts). Now a read transaction opens at the clock's visible timestamp
// (a pin under a mutex), but a pooled one still saves its allocation and the pin. Only this process
// can write to the store (Badger's directory lock) and every commit passes through commitTxn, so a
// read transaction stays current until the next commit. So:
//
//   - point reads reuse idle read transactions until the next commit (one caller at a time per
//     transaction: Badger documents a Txn as serial-only);
//   - every commit retires the idle ones (commitTxn); after a commit on the committer goroutine,
//     that goroutine opens the next read transaction itself, so the reader that follows a write
//     finds one ready.
//
// A reader that starts after a write returned always sees it: every commit is visible on the clock
// and bumps the version before its caller returns, and a transaction is only handed out while its
// version is current.

// readLease is one read transaction lent to one caller; give it back with readTxns.release.
type readLease struct {
	txn     *badger.Txn
	version uint64
	clock   *tsClock // the transaction's timestamp is pinned there until it is discarded
}

// openRead opens a read transaction at db's visible timestamp (clock.go), pinned until discard.
func openRead(db *badger.DB) readLease {
	c := clockOf(db)
	return readLease{txn: db.NewTransactionAt(c.pinRead(), false), clock: c}
}

// discard ends the lease's transaction and unpins its timestamp.
func (l readLease) discard() {
	ts := l.txn.ReadTs()
	l.txn.Discard()
	l.clock.unpin(ts)
}

// maxIdleReadTxns bounds the idle transactions kept per store (one per concurrent reader).
const maxIdleReadTxns = 8

// readTxns pools the read transactions of one store.
type readTxns struct {
	mu      sync.Mutex
	version uint64      // bumped after every commit; guarded by mu
	idle    []readLease // current, unused transactions; guarded by mu
	closed  bool
	reading atomic.Bool  // a read happened since the last refresh
	leased  atomic.Int64 // leases not yet released: reads in flight and open iterators (ingest.go)
}

// acquire lends a read transaction that sees every commit that finished before the call.
func (r *readTxns) acquire(db *badger.DB) readLease {
	r.reading.Store(true)
	r.leased.Add(1)
	r.mu.Lock()
	v := r.version
	if n := len(r.idle); n > 0 {
		l := r.idle[n-1]
		r.idle = r.idle[:n-1]
		r.mu.Unlock()
		l.version = v
		return l
	}
	r.mu.Unlock()
	// Opened after reading v, so it sees every commit that bumped the version up to v.
	l := openRead(db)
	l.version = v
	return l
}

// release returns a lease: kept for the next reader while no commit happened since, else discarded.
func (r *readTxns) release(l readLease) {
	r.leased.Add(-1)
	r.mu.Lock()
	if !r.closed && l.version == r.version && len(r.idle) < maxIdleReadTxns {
		r.idle = append(r.idle, l)
		r.mu.Unlock()
		return
	}
	r.mu.Unlock()
	l.discard()
}

// invalidate retires every idle transaction; commitTxn calls it after each commit, before the
// writer returns (and bulk ingest around its writes).
func (r *readTxns) invalidate() {
	r.mu.Lock()
	r.version++
	old := r.idle
	r.idle = nil
	r.mu.Unlock()
	for _, l := range old {
		l.discard()
	}
}

// refresh opens the next read transaction here when reads are happening (meant for the committer
// goroutine, after a commit retired the others), so the next reader does not open one from a
// foreign thread.
func (r *readTxns) refresh(db *badger.DB) {
	r.mu.Lock()
	v := r.version
	r.mu.Unlock()
	if !r.reading.Swap(false) {
		return
	}
	l := openRead(db) // sees every commit that bumped the version up to v
	kept := false
	r.mu.Lock()
	if !r.closed && r.version == v && len(r.idle) == 0 {
		r.idle = append(r.idle, l)
		kept = true
	}
	r.mu.Unlock()
	if !kept {
		l.discard()
	}
}

// close discards the idle transactions; the store is closing and no reader is in flight.
func (r *readTxns) close() {
	r.mu.Lock()
	r.closed = true
	old := r.idle
	r.idle = nil
	r.mu.Unlock()
	for _, l := range old {
		l.discard()
	}
}

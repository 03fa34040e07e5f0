package main

import (
	"sync"
	"sync/atomic"

	badger "github.com/dgraph-io/badger/v4"
)

// Every read transaction costs Badger two trips through its watermark goroutine (Begin on
// open, Done on discard): about half of a point read. Only this process can write to the store
// (Badger's directory lock), and every write passes through doWrite, so a read transaction stays
// current until the next commit. Point reads therefore share one read transaction, replaced after
// each commit; a reader that starts after a write returned always sees it.

// sharedTxn is a read-only transaction shared by concurrent point reads.
type sharedTxn struct {
	txn     *badger.Txn
	version uint64
	refs    atomic.Int32 // readers using it, plus one while it is the current one
}

func (s *sharedTxn) release() {
	if s.refs.Add(-1) == 0 {
		s.txn.Discard()
	}
}

// readTxns tracks the current shared read transaction of one store.
type readTxns struct {
	mu      sync.Mutex
	current *sharedTxn
	version atomic.Uint64 // bumped after every commit
}

// acquire returns a read transaction that sees every commit that finished before the call;
// the caller must release it.
func (r *readTxns) acquire(db *badger.DB) *sharedTxn {
	r.mu.Lock()
	defer r.mu.Unlock()
	v := r.version.Load()
	if r.current == nil || r.current.version != v {
		if r.current != nil {
			r.current.release()
		}
		fresh := &sharedTxn{txn: db.NewTransaction(false), version: v}
		fresh.refs.Store(1)
		r.current = fresh
	}
	r.current.refs.Add(1)
	return r.current
}

// invalidate makes the next acquire open a new transaction; call it after each commit.
func (r *readTxns) invalidate() {
	r.version.Add(1)
}

// close discards the current transaction; the store is closing and no reader is in flight.
func (r *readTxns) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current != nil {
		r.current.release()
		r.current = nil
	}
}

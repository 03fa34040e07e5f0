package main

import (
	"bytes"
	"errors"
	"sync"

	badger "github.com/dgraph-io/badger/v4"
)

// Conditional writes (docs/ABI.md, ops 3 and 4): a batch may carry checks that must hold against
// the latest committed state right before the batch applies, in the same transaction. Badger's
// own conflict detection is off (options.go), so the checks are only exact if no other commit of
// the store lands between the check and the commit. Unsynced writes all run on the one committer
// goroutine, but durable writes commit on their callers' threads so that they share an fsync;
// orderCommit therefore makes a checked commit exclusive per database, while unchecked commits
// share the lock and keep running concurrently.

// commitOrder holds, per open database, the lock that orders checked commits against all others.
var commitOrder sync.Map // *badger.DB -> *sync.RWMutex

// orderCommit takes the database's commit lock (exclusive when ops carry checks); release it with
// the returned lock's unlock.
func orderCommit(db *badger.DB, ops []writeOp) heldOrder {
	return lockOrder(db, hasChecks(ops))
}

// heldOrder is a taken commit lock. A struct, not a func: a bound method value would cost an
// allocation on every commit.
type heldOrder struct {
	mu        *sync.RWMutex
	exclusive bool
}

func (o heldOrder) unlock() {
	if o.exclusive {
		o.mu.Unlock()
	} else {
		o.mu.RUnlock()
	}
}

// lockOrder takes the database's commit lock, exclusively for a commit that carries checks.
func lockOrder(db *badger.DB, exclusive bool) heldOrder {
	v, ok := commitOrder.Load(db)
	if !ok {
		v, _ = commitOrder.LoadOrStore(db, new(sync.RWMutex))
	}
	mu := v.(*sync.RWMutex)
	if exclusive {
		mu.Lock()
	} else {
		mu.RLock()
	}
	return heldOrder{mu: mu, exclusive: exclusive}
}

// forgetCommitOrder drops the lock of a database that closed.
func forgetCommitOrder(db *badger.DB) {
	commitOrder.Delete(db)
}

func hasChecks(ops []writeOp) bool {
	for i := range ops {
		if ops[i].op == opCheckEqual || ops[i].op == opCheckAbsent {
			return true
		}
	}
	return false
}

// verifyChecks evaluates every check of ops in txn before any write of the batch is staged, and
// returns CONFLICT naming the first check (counted among the checks only) that does not hold.
func verifyChecks(txn *stagedTxn, ops []writeOp) error {
	index := 0
	for i := range ops {
		op := &ops[i]
		if op.op != opCheckEqual && op.op != opCheckAbsent {
			continue
		}
		ok, err := checkHolds(txn, op)
		if err != nil {
			return err
		}
		if !ok {
			return conflictError(index, op)
		}
		index++
	}
	return nil
}

// checkHolds reads op's key at txn's snapshot. Before txn stages anything (a lone request, the
// first write of a group) the row cache may answer it: an entry valid at that snapshot is the
// newest committed value there (rowcache.go), which is what Badger's Get would return. A model's
// update reads its record just before committing, so its check is usually such a hit, and a
// Badger Get walks every level (~1.5-2.5 µs). Later writes of a group must also see the pending
// writes before them, which only Badger's Get of this transaction does.
func checkHolds(txn *stagedTxn, op *writeOp) (bool, error) {
	if len(txn.keys) == 0 {
		if v, found, hit, _ := txn.rows.get(op.key, txn.ReadTs()); hit {
			return checkResult(op, v, found), nil
		}
	}
	item, err := txn.Get(op.key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return checkResult(op, nil, false), nil
	}
	if err != nil {
		return false, err
	}
	equal := false
	err = item.Value(func(v []byte) error {
		equal = checkResult(op, v, true)
		return nil
	})
	return equal, err
}

// checkResult says whether op holds for a key whose value is v (found) or that has none.
func checkResult(op *writeOp, v []byte, found bool) bool {
	if op.op == opCheckAbsent {
		return !found
	}
	return found && bytes.Equal(v, op.value)
}

// conflictError's message starts with "check <index>": the loader reads the index from it.
func conflictError(index int, op *writeOp) error {
	want := "the given value"
	if op.op == opCheckAbsent {
		want = "absent"
	}
	return newError(codeConflict, "check %d failed: the key (%d bytes) is no longer %s; nothing was written", index, len(op.key), want)
}

package main

import (
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// doWrite applies one write request atomically.
func doWrite(h int32, req []byte, out []byte) int32 {
	return writeRequest(h, req, out, 0)
}

// writeRequest applies one write request atomically. With deferAfter > 0 (< 0: the store's
// commitWaitMicros), an unsynced commit still running after that long is left to finish in the
// background: the result is then a ticket (> 0) for doWritePoll instead of a status (pending.go).
func writeRequest(h int32, req []byte, out []byte, deferAfter time.Duration) int32 {
	return withDB(h, func(dh *dbHandle, db *badger.DB) int32 {
		// Badger keeps the slices until commit; one copy of the request owns them all.
		ops, derr := decodeWrite(append([]byte(nil), req...))
		if derr != nil {
			return writeError(out, derr)
		}
		var err error
		if dh.syncWrites || dh.st.cfg.SyncWrites || commitDirectly() {
			// A durable commit waits on fsync anyway; calling Badger directly lets concurrent
			// callers (koffi's pool) share one fsync.
			err = commitOps(db, dh.st.cfg, ops) // commitTxn retires the pooled read transactions
		} else {
			if deferAfter < 0 {
				deferAfter = time.Duration(dh.st.cfg.CommitWaitMicros) * time.Microsecond
			}
			// The committer also opens the next read transaction (readtxn.go), before we return.
			ticket, cerr := commitInBackground(dh.st, func() error {
				defer dh.st.reads.refresh(db)
				return commitOps(db, dh.st.cfg, ops)
			}, deferAfter)
			if ticket > 0 {
				return ticket
			}
			err = cerr
		}
		if err != nil {
			return writeError(out, err)
		}
		if dh.syncWrites && !dh.st.cfg.SyncWrites {
			// The store was opened first without syncWrites; honour this handle's wish per write.
			if err := db.Sync(); err != nil {
				return writeError(out, err)
			}
		}
		return 0
	})
}

func commitOps(db *badger.DB, cfg Config, ops []writeOp) error {
	for i := range ops {
		if err := checkOp(cfg, &ops[i]); err != nil {
			return err
		}
	}
	defer orderCommit(db, ops).unlock()
	return commitTxn(db, func(txn *stagedTxn) error {
		if err := verifyChecks(txn, ops); err != nil {
			return err
		}
		return applyOps(txn, ops)
	})
}

// checkOp catches the size limits before Badger does, for messages without a hex dump.
func checkOp(cfg Config, op *writeOp) error {
	if err := checkKey(op.key); err != nil {
		return err
	}
	switch {
	case int64(len(op.value)) > cfg.ValueLogFileSize:
		return newError(codeValueTooLarge, "value of %d bytes is over the %d-byte limit (valueLogFileSize)", len(op.value), cfg.ValueLogFileSize)
	case cfg.InMemory && len(op.value) > maxInMemoryValue:
		return newError(codeValueTooLarge, "value of %d bytes is over the %d-byte limit of in-memory stores; use an on-disk store for larger values", len(op.value), maxInMemoryValue)
	}
	return nil
}

// maxInMemoryValue is Badger's ValueThreshold: in-memory stores have no value log to hold more.
const maxInMemoryValue = 1 << 20

// applyOps stages the puts and deletes of ops in txn (check ops stage nothing).
func applyOps(txn *stagedTxn, ops []writeOp) error {
	for _, op := range ops {
		var err error
		switch op.op {
		case opPut:
			err = txn.Set(op.key, op.value)
		case opDelete:
			err = txn.Delete(op.key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

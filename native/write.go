package main

import (
	"sync"
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
		w, derr := newWriteBuf(req)
		if derr != nil {
			return writeError(out, derr)
		}
		var err error
		if dh.syncWrites || dh.st.cfg.SyncWrites || commitDirectly() {
			// A durable commit waits on fsync anyway; calling Badger directly lets concurrent
			// callers (koffi's pool) share one fsync.
			err = w.commit(db, dh.st.cfg)
			dh.st.reads.invalidate()
		} else {
			if deferAfter < 0 {
				deferAfter = time.Duration(dh.st.cfg.CommitWaitMicros) * time.Microsecond
			}
			// The committer also opens the next read transaction (readtxn.go), before we return.
			ticket, cerr := commitInBackground(dh.st, func() error {
				defer dh.st.reads.refresh(db)
				return w.commit(db, dh.st.cfg)
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

// writeBuf is a write request's own copy (Badger reads its slices until the commit returns, and
// a ticket lets the caller go before that) and its decoded ops. Pooled: a fresh copy and op slice
// per write were a third of the bytes a small commit allocated, and each GC cycle stalls the
// committer's hand-offs.
type writeBuf struct {
	req []byte
	ops []writeOp
}

var writeBufs = sync.Pool{New: func() any { return new(writeBuf) }}

// The largest request bytes and op count whose buffers are kept for reuse.
const (
	maxPooledWrite = 64 << 10
	maxPooledOps   = 1024
)

// newWriteBuf copies and decodes req; the result is recycled by its commit.
func newWriteBuf(req []byte) (*writeBuf, error) {
	w := writeBufs.Get().(*writeBuf)
	w.req = append(w.req[:0], req...)
	ops, err := decodeWriteInto(w.ops, w.req)
	if err != nil {
		w.recycle()
		return nil, err
	}
	w.ops = ops
	return w, nil
}

// commit runs commitOps on the buffer's ops, then recycles it: Badger holds no slice of it once
// the commit has returned. After a panic the buffer is left to the GC instead.
func (w *writeBuf) commit(db *badger.DB, cfg Config) error {
	err := commitOps(db, cfg, w.ops)
	w.recycle()
	return err
}

func (w *writeBuf) recycle() {
	if cap(w.req) > maxPooledWrite || cap(w.ops) > maxPooledOps {
		return
	}
	clear(w.ops[:cap(w.ops)]) // no slices into a buffer that the next write overwrites
	w.ops = w.ops[:0]
	writeBufs.Put(w)
}

func commitOps(db *badger.DB, cfg Config, ops []writeOp) error {
	for i := range ops {
		if err := checkOp(cfg, &ops[i]); err != nil {
			return err
		}
	}
	defer orderCommit(db, ops).unlock()
	return commitTxn(db, func(txn *badger.Txn) error {
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
func applyOps(txn *badger.Txn, ops []writeOp) error {
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

package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"sync"

	badger "github.com/dgraph-io/badger/v4"
)

// Exactly-once writes from clients (docs/MULTIPROCESS.md): every write a client sends carries
// (clientID, seq), seq growing by one per write of that client. The owner commits, in the same
// transaction as the write, the record `FF "skyshelve" 00 "applied" 00 <clientID>` = seq (docs/FORMAT.md). A client that lost its
// owner resends its unacknowledged writes, in order, to the next owner, which skips any whose seq
// is not above the record: they were committed before the old owner died.

// internalPrefix starts every key the native layer keeps for itself. docs/FORMAT.md reserves
// keys from 0xF0 up (user keys start with a lower type tag); sky_write refuses this prefix and
// iterators skip it, so these records never mix with data.
var internalPrefix = []byte("\xffskyshelve\x00")

var appliedPrefix = []byte("\xffskyshelve\x00applied\x00")

// errDuplicate reports a resent write the store already holds; the client gets success.
var errDuplicate = errors.New("duplicate write")

// isInternalKey reports whether key belongs to skyshelve itself.
func isInternalKey(key []byte) bool {
	return bytes.HasPrefix(key, internalPrefix)
}

// errInternalKey is returned for user keys in skyshelve's reserved space.
var errInternalKey = newError(codeInvalid, "keys must not start with the reserved prefix FF 'skyshelve' 00")

func appliedKey(clientID uint64) []byte {
	return binary.BigEndian.AppendUint64(bytes.Clone(appliedPrefix), clientID)
}

// writeDeduped applies one client write at most once; see the comment at the top.
func writeDeduped(h int32, clientID, seq uint64, syncAfter bool, req, out []byte) int32 {
	return withDB(h, func(dh *dbHandle, db *badger.DB) int32 {
		ops, derr := decodeWrite(req) // req is the server's own frame: Badger may keep slices of it
		if derr != nil {
			return writeError(out, derr)
		}
		for i := range ops {
			if err := checkOp(dh.st.cfg, &ops[i]); err != nil {
				return writeError(out, err)
			}
		}
		err := runCommit(func() error { return commitDeduped(db, ops, clientID, seq) })
		if errors.Is(err, errDuplicate) {
			return 0
		}
		if err == nil && syncAfter && !dh.st.cfg.SyncWrites {
			err = db.Sync()
		}
		if err != nil {
			return writeError(out, err)
		}
		return 0
	})
}

func commitDeduped(db *badger.DB, ops []writeOp, clientID, seq uint64) error {
	defer orderCommit(db, ops).unlock()
	return commitTxn(db, func(txn *stagedTxn) error {
		key := appliedKey(clientID)
		applied, err := appliedSeq(txn.Txn, key)
		if err != nil {
			return err
		}
		if seq <= applied {
			return errDuplicate
		}
		if err := verifyChecks(txn, ops); err != nil {
			return err
		}
		if err := applyOps(txn, ops); err != nil {
			return err
		}
		return txn.Set(key, seqBytes(seq))
	})
}

// appliedSeqs mirrors the applied records of the clients an owner served, so the group commit
// does not read one from Badger per client write: a Get of a key in the memtable still probes
// every level, and cost the owner ~1.8 µs of its ~27 µs per client write (bench/RESULTS.md).
// Only this process writes applied records while it owns the store, and it records a seq here only
// after the commit that wrote it returned; a client missing here is read from Badger once. A bulk
// ingest drops the records but not these: a client's seqs only grow, so the entries still tell
// exactly which of its writes were applied before the ingest.
type appliedSeqs struct {
	mu sync.Mutex
	m  map[uint64]uint64
}

func (a *appliedSeqs) get(clientID uint64) (uint64, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	seq, ok := a.m[clientID]
	return seq, ok
}

func (a *appliedSeqs) set(clientID, seq uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = make(map[uint64]uint64)
	}
	a.m[clientID] = max(a.m[clientID], seq)
}

// forget drops a client's entry: its next write reads the record from Badger.
func (a *appliedSeqs) forget(clientID uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.m, clientID)
}

func seqBytes(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

func appliedSeq(txn *badger.Txn, key []byte) (uint64, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var seq uint64
	err = item.Value(func(v []byte) error {
		if len(v) == 8 {
			seq = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return seq, err
}

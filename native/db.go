package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"

	badger "github.com/dgraph-io/badger/v4"
)

// store is one open Badger database, shared by every handle that opened its path in this process.
type store struct {
	key  string // the absolute, cleaned path; "" for in-memory stores
	cfg  Config
	refs int // guarded by registry.mu

	mu     sync.RWMutex // readers: calls in flight; writer: the final close
	db     *badger.DB
	closed bool
}

// dbHandle is what one sky_open returns: a reference to a store plus the iterators opened through it.
type dbHandle struct {
	st         *store
	syncWrites bool

	mu    sync.Mutex
	iters map[int32]*iterator
}

// registry shares stores by path, so two opens of one directory in one process (say, from two
// worker_threads) do not fight over Badger's directory lock.
var registry = struct {
	mu     sync.Mutex
	byPath map[string]*store
}{byPath: make(map[string]*store)}

var dbHandles = newTable[*dbHandle]()

// openHandle opens (or joins) the store that cfg names and returns a new handle on it.
func openHandle(cfg Config) (int32, error) {
	st, err := acquireStore(cfg)
	if err != nil {
		return 0, err
	}
	h := &dbHandle{st: st, syncWrites: cfg.SyncWrites, iters: make(map[int32]*iterator)}
	return dbHandles.add(h), nil
}

func acquireStore(cfg Config) (*store, error) {
	key := ""
	if !cfg.InMemory {
		abs, err := filepath.Abs(cfg.Path)
		if err != nil {
			return nil, newError(codeIO, "cannot resolve path %q: %v", cfg.Path, err)
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			abs = real
		}
		key = filepath.Clean(abs)
		cfg.Path = key
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if st := registry.byPath[key]; key != "" && st != nil {
		st.refs++
		return st, nil
	}
	db, err := badger.Open(cfg.badgerOptions())
	if err != nil {
		se := classify(err)
		if se.code == codeLocked {
			se = newError(codeLocked, "the database at %s is locked: another process holds it open (Badger allows one process per directory)", key)
		}
		return nil, se
	}
	st := &store{key: key, cfg: cfg, refs: 1, db: db}
	if key != "" {
		registry.byPath[key] = st
	}
	return st, nil
}

// closeHandle closes a handle's iterators, then the store when this was its last handle.
func closeHandle(h int32) error {
	dh, ok := dbHandles.remove(h)
	if !ok {
		return errClosed
	}
	dh.mu.Lock()
	iters := dh.iters
	dh.iters = nil
	dh.mu.Unlock()
	for id, it := range iters {
		iterHandles.remove(id)
		it.close()
	}
	return releaseStore(dh.st)
}

func releaseStore(st *store) error {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	st.refs--
	if st.refs > 0 {
		return nil
	}
	if registry.byPath[st.key] == st {
		delete(registry.byPath, st.key)
	}
	// Unreachable from the registry now; wait for calls in flight without blocking other opens.
	registry.mu.Unlock()
	defer registry.mu.Lock()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.closed = true
	return st.db.Close()
}

// withDB runs fn on the handle's database, holding it open for the call.
func withDB(h int32, fn func(dh *dbHandle, db *badger.DB) int32) int32 {
	dh, ok := dbHandles.get(h)
	if !ok {
		return -codeClosed
	}
	dh.st.mu.RLock()
	defer dh.st.mu.RUnlock()
	if dh.st.closed {
		return -codeClosed
	}
	return fn(dh, dh.st.db)
}

// doGet writes the value of key to out and returns its length.
func doGet(h int32, key, out []byte) int32 {
	return withDB(h, func(_ *dbHandle, db *badger.DB) int32 {
		if err := checkKey(key); err != nil {
			return writeError(out, err)
		}
		txn := db.NewTransaction(false)
		defer txn.Discard()
		item, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return -codeNotFound
		}
		if err != nil {
			return writeError(out, err)
		}
		n := int32(0)
		err = item.Value(func(v []byte) error {
			if len(v) > len(out) {
				n = tooSmall(out, len(v))
				return nil
			}
			n = int32(copy(out, v))
			return nil
		})
		if err != nil {
			return writeError(out, err)
		}
		return n
	})
}

// doHas returns 1 when key exists, else 0.
func doHas(h int32, key, out []byte) int32 {
	return withDB(h, func(_ *dbHandle, db *badger.DB) int32 {
		if err := checkKey(key); err != nil {
			return writeError(out, err)
		}
		txn := db.NewTransaction(false)
		defer txn.Discard()
		_, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return 0
		}
		if err != nil {
			return writeError(out, err)
		}
		return 1
	})
}

// checkKey rejects keys that no write could have stored, with the same codes as a write.
func checkKey(key []byte) error {
	if len(key) > maxKeySize {
		return newError(codeKeyTooLarge, "key of %d bytes is over the %d-byte limit", len(key), maxKeySize)
	}
	if len(key) == 0 {
		return badger.ErrEmptyKey
	}
	return nil
}

// doGetMany reads keys[start:] from one snapshot into out as `[i32 len][bytes]` records
// and returns the index one past the last key written.
func doGetMany(h int32, req []byte, start int32, out []byte) int32 {
	keys, derr := decodeKeys(req)
	if derr != nil {
		return writeError(out, derr)
	}
	if start < 0 || int(start) > len(keys) {
		return writeError(out, newError(codeInvalid, "start %d is outside 0..%d", start, len(keys)))
	}
	return withDB(h, func(_ *dbHandle, db *badger.DB) int32 {
		txn := db.NewTransaction(false)
		defer txn.Discard()
		pos := 0
		for i := int(start); i < len(keys); i++ {
			n, err := appendValue(txn, keys[i], out[pos:])
			if err != nil {
				return writeError(out, err)
			}
			if n < 0 {
				if i == int(start) {
					return tooSmall(out, -n)
				}
				return int32(i)
			}
			pos += n
		}
		return int32(len(keys))
	})
}

// appendValue writes `[i32 len][value]` (len -1 when missing) and returns the bytes used,
// or minus the bytes needed when out is too small.
func appendValue(txn *badger.Txn, key, out []byte) (int, error) {
	if err := checkKey(key); err != nil {
		return 0, err
	}
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		if len(out) < 4 {
			return -4, nil
		}
		binary.LittleEndian.PutUint32(out, 0xFFFFFFFF)
		return 4, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	err = item.Value(func(v []byte) error {
		if 4+len(v) > len(out) {
			n = -(4 + len(v))
			return nil
		}
		binary.LittleEndian.PutUint32(out, uint32(len(v)))
		n = 4 + copy(out[4:], v)
		return nil
	})
	return n, err
}

// doWrite applies one write request atomically.
func doWrite(h int32, req []byte, out []byte) int32 {
	return withDB(h, func(dh *dbHandle, db *badger.DB) int32 {
		// Badger keeps the slices until commit; one copy of the request owns them all.
		ops, derr := decodeWrite(append([]byte(nil), req...))
		if derr != nil {
			return writeError(out, derr)
		}
		if err := commitOps(db, dh.st.cfg, ops); err != nil {
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
	txn := db.NewTransaction(true)
	defer txn.Discard()
	for _, op := range ops {
		var err error
		if op.op == opPut {
			err = txn.Set(op.key, op.value)
		} else {
			err = txn.Delete(op.key)
		}
		if err != nil {
			return err
		}
	}
	return txn.Commit()
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

// doSync flushes Badger's logs to disk.
func doSync(h int32, out []byte) int32 {
	return withDB(h, func(dh *dbHandle, db *badger.DB) int32 {
		if dh.st.cfg.InMemory {
			return 0
		}
		if err := db.Sync(); err != nil {
			return writeError(out, err)
		}
		return 0
	})
}

// doStats writes the store's sizes and effective options as JSON.
func doStats(h int32, out []byte) int32 {
	return withDB(h, func(dh *dbHandle, db *badger.DB) int32 {
		lsm, vlog := db.Size()
		b, err := json.Marshal(map[string]any{
			"lsmSize": lsm, "vlogSize": vlog, "path": dh.st.key, "inMemory": dh.st.cfg.InMemory,
			"options": dh.st.cfg,
		})
		if err != nil {
			return writeError(out, err)
		}
		if len(b) > len(out) {
			return tooSmall(out, len(b))
		}
		return int32(copy(out, b))
	})
}


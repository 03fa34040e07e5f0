package main

import (
	"encoding/json"
	"path/filepath"
	"runtime"
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
	reads  readTxns
	// inflight counts commits queued on the committer, including ones whose caller returned
	// with a ticket (pending.go); the final close waits for them.
	inflight storeInflight
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
	// closing holds, per path, a channel closed once that store's Badger has closed: an open of
	// the same path waits for it, since Badger keeps its directory lock until Close returns.
	closing map[string]chan struct{}
}{byPath: make(map[string]*store), closing: make(map[string]chan struct{})}

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
	for done := registry.closing[key]; key != "" && done != nil; done = registry.closing[key] {
		registry.mu.Unlock()
		<-done
		registry.mu.Lock()
	}
	if st := registry.byPath[key]; key != "" && st != nil {
		st.refs++
		return st, nil
	}
	applyGCLimits(cfg)
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
	st.refs--
	if st.refs > 0 {
		registry.mu.Unlock()
		return nil
	}
	var done chan struct{}
	if registry.byPath[st.key] == st {
		delete(registry.byPath, st.key)
		done = make(chan struct{})
		registry.closing[st.key] = done
	}
	registry.mu.Unlock()
	// Unreachable from the registry now; the deferred release runs even if Close panics, so a
	// waiting open of the same path is never stuck.
	defer func() {
		if done != nil {
			registry.mu.Lock()
			delete(registry.closing, st.key)
			registry.mu.Unlock()
			close(done)
		}
	}()
	return closeStore(st)
}

// closeStore waits for calls in flight on st, then closes its Badger database.
func closeStore(st *store) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.closed = true
	st.inflight.Wait()
	st.reads.close()
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
		var mem runtime.MemStats
		runtime.ReadMemStats(&mem)
		b, err := json.Marshal(map[string]any{
			"lsmSize": lsm, "vlogSize": vlog, "path": dh.st.key, "inMemory": dh.st.cfg.InMemory,
			"options": dh.st.cfg,
			// The Go runtime is shared by every store in the process: these are process-wide.
			"goHeapInUse": mem.HeapInuse, "goSys": mem.Sys, "backgroundCommits": ticketsIssued.Load(),
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

package main

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	badger "github.com/dgraph-io/badger/v4"
)

// store is one open Badger database, shared by every handle that opened its path in this process.
type store struct {
	key  string // the absolute, cleaned path; "" for in-memory stores
	cfg  Config
	refs int // guarded by registry.mu

	mu     sync.RWMutex // readers: calls in flight; writer: the final close, becoming the owner
	db     *badger.DB   // nil while this process is a client of another owner
	closed bool
	reads  readTxns

	srv      *server                // the socket server while this process owns the store (guarded by mu)
	serveErr string                 // why this owner could not listen, for stats
	stampErr string                 // why this owner shares no stamp table (stamps.go), for stats
	client   atomic.Pointer[client] // set while another process owns the store (client.go)
	// inflight counts commits queued on the committer, including ones whose caller returned
	// with a ticket (pending.go); the final close waits for them.
	inflight   storeInflight
	ingest     *ingest // the bulk ingest that owns the store (ingest.go); set and cleared under mu
	rolledBack string  // why an unfinished ingest's data was dropped at open (ingestmarker.go), for stats
}

// dbHandle is what one sky_open returns: a reference to a store plus the iterators opened through it.
type dbHandle struct {
	st         *store
	syncWrites bool
	internal   bool // the owner's server handle: never closed through sky_close

	mu    sync.Mutex
	iters map[int32]*iterator
}

// registry shares stores by path, so two opens of one directory in one process (say, from two
// worker_threads) do not fight over Badger's directory lock.
var registry = struct {
	mu     sync.Mutex
	byPath map[string]*store
	// busy holds, per path, a channel closed once that store has finished opening or closing: an
	// open of the same path waits for it (Badger keeps its directory lock until Close returns). The
	// open itself runs without registry.mu, so a slow open never blocks opens of other paths.
	busy map[string]chan struct{}
}{byPath: make(map[string]*store), busy: make(map[string]chan struct{})}

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
	if key == "" {
		return openLocal(cfg)
	}
	registry.mu.Lock()
	for done := registry.busy[key]; done != nil; done = registry.busy[key] {
		registry.mu.Unlock()
		<-done
		registry.mu.Lock()
	}
	if st := registry.byPath[key]; st != nil {
		defer registry.mu.Unlock()
		if err := sameEngine(st.cfg, cfg); err != nil {
			return nil, err
		}
		st.refs++
		return st, nil
	}
	done := make(chan struct{})
	registry.busy[key] = done
	registry.mu.Unlock()
	st, err := openShared(cfg)
	registry.mu.Lock()
	delete(registry.busy, key)
	if err == nil {
		registry.byPath[key] = st
	}
	registry.mu.Unlock()
	close(done)
	return st, err
}

// openLocal opens Badger itself; LOCKED when another process holds the directory.
func openLocal(cfg Config) (*store, error) {
	applyGCLimits(cfg)
	db, err := openBadger(cfg)
	if err != nil {
		return nil, classify(err)
	}
	why, err := rollBackIngest(db, cfg)
	if err != nil {
		closeBadger(db)
		return nil, classify(err)
	}
	startRowCache(db, cfg) // after the roll-back's DropAll: the cache starts empty
	st := &store{key: cfg.Path, cfg: cfg, refs: 1, db: db, rolledBack: why}
	clockOf(db).reads.Store(&st.reads)
	return st, nil
}

// sameEngine refuses a second open of a path with other engine options: the first open's
// options are the ones in effect, and silently ignoring the second's would surprise.
func sameEngine(have, want Config) error {
	norm := func(c Config) Config {
		c.SyncWrites = false // per handle
		c.OpenTimeoutMs, c.RequestTimeoutMs = 0, 0
		return c
	}
	if norm(have) != norm(want) {
		a, _ := json.Marshal(norm(have))
		b, _ := json.Marshal(norm(want))
		return newError(codeInvalid, "bad open config: %s is already open in this process with other options (%s); open it with the same options (asked for %s)", have.Path, a, b)
	}
	return nil
}

// closeHandle closes a handle's iterators, then the store when this was its last handle.
func closeHandle(h int32) error {
	if dh, ok := dbHandles.get(h); !ok || dh.internal {
		return errClosed
	}
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
		registry.busy[st.key] = done
	}
	registry.mu.Unlock()
	// Unreachable from the registry now; the deferred release runs even if Close panics, so a
	// waiting open of the same path is never stuck.
	defer func() {
		if done != nil {
			registry.mu.Lock()
			delete(registry.busy, st.key)
			registry.mu.Unlock()
			close(done)
		}
	}()
	return closeStore(st)
}

// closeStore ends the client of another owner, or stops serving clients (they take over once
// the lock is released) and waits for calls in flight, then closes Badger.
func closeStore(st *store) error {
	if c := st.client.Load(); c != nil {
		c.shutdown()
	}
	st.mu.Lock()
	srv := st.srv
	st.srv = nil
	st.mu.Unlock()
	if srv != nil {
		srv.stop() // its handlers hold st.mu.RLock while they run
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.closed = true
	st.inflight.Wait()
	if st.db == nil {
		return nil
	}
	ingestErr := abortOnClose(st)
	st.reads.close()
	forgetCommitOrder(st.db)
	return errors.Join(ingestErr, closeBadger(st.db))
}

// withDB runs fn on the handle's database, holding it open for the call.
func withDB(h int32, fn func(dh *dbHandle, db *badger.DB) int32) int32 {
	dh, ok := dbHandles.get(h)
	if !ok {
		return -codeClosed
	}
	dh.st.mu.RLock()
	defer dh.st.mu.RUnlock()
	if dh.st.closed || dh.st.db == nil {
		return -codeClosed
	}
	if dh.st.ingest != nil {
		return -codeBusy // no message: the caller's out buffer is not at hand here
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
		lsm, vlog := diskSizes(dh.st.cfg.Path)
		var mem runtime.MemStats
		runtime.ReadMemStats(&mem)
		b, err := json.Marshal(map[string]any{
			"lsmSize": lsm, "vlogSize": vlog, "path": dh.st.key, "inMemory": dh.st.cfg.InMemory, "role": "owner",
			"socket":  socketOf(dh.st),
			"options": dh.st.cfg,
			// The Go runtime is shared by every store in the process: these are process-wide.
			"rolledBackIngest": dh.st.rolledBack,
			"rowCache":         rowsOf(db).stats(),
			"scanCache":        rowsOf(db).scanStats(),
			"stamps":           stampsOf(dh.st, db),
			"goHeapInUse":      mem.HeapInuse, "goSys": mem.Sys, "backgroundCommits": ticketsIssued.Load(),
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

// socketOf says where the store serves other processes, or why it cannot (for stats).
func socketOf(st *store) string {
	switch {
	case st.srv != nil:
		return st.srv.path
	case st.serveErr != "":
		return "not serving: " + st.serveErr
	}
	return ""
}

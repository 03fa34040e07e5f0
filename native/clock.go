package main

import (
	"sync"
	"sync/atomic"

	badger "github.com/dgraph-io/badger/v4"

	"skyshelve/native/internal/stamps"
)

// Why our own timestamps: Badger opened normally gives every transaction its timestamps through
// its oracle, whose watermark goroutine must mark each commit done before the next read
// transaction may start (readTs waits on it) and must mark every read transaction begun and done.
// Those are goroutine hand-offs on every commit and every read after it; on Node's locked threads
// they park the thread. So the store is opened in Badger's managed mode (OpenManaged) and this
// clock hands out the timestamps instead, with no goroutine of its own:
//
//   - every commit takes the next commit timestamp and reads at the newest visible one (so the
//     value checks of a conditional write see the latest committed state: a checked commit holds
//     the database's commit lock exclusively, so nothing older is still in flight);
//   - a timestamp becomes visible once it and every earlier one are applied; a committer whose
//     commit finished before an earlier one waits for it, so a caller only returns when its write
//     is visible (read-your-writes from every thread);
//   - read transactions open at the visible timestamp and stay pinned until discarded; Badger may
//     drop old versions only at or below the oldest pinned timestamp (SetDiscardTs), so a snapshot
//     that an iterator holds keeps reading the versions it started with.
//
// On disk nothing changes: versions are commit timestamps as before, and the clock starts at the
// store's highest version, so a store written by Badger's oracle opens and reads the same, and
// Badger's oracle continues above our timestamps if an older release opens the store.

// tsClock assigns the commit timestamps of one managed-mode database.
type tsClock struct {
	db      *badger.DB
	visible atomic.Uint64 // every commit at or below it is applied; written under mu

	mu      sync.Mutex
	applied sync.Cond           // broadcast when visible moves
	next    uint64              // the next commit timestamp to hand out
	ahead   map[uint64]struct{} // commits applied before an earlier one (concurrent durable commits)
	pins    map[uint64]int      // read timestamps in use -> how many transactions read at each
	discard uint64              // the last SetDiscardTs

	stamps atomic.Pointer[stamps.Table] // while this process serves clients (stamps.go); nil-safe
	// marking turns on at the first client's hello; until then commits mark nothing and are
	// counted in unmarked, which that hello waits to drain (stamps.go).
	marking  atomic.Bool
	unmarked atomic.Int64
	reads    atomic.Pointer[readTxns] // the store's pooled read transactions, retired by each commit

	// Set by openBadger before the store is shared, then only read.
	space  *spaceGuard  // refuses commits on a nearly full disk (diskspace.go); nil for none
	logger *levelLogger // counts failed memtable flushes for closeBounded (closebound.go); nil for none
}

var clocks sync.Map // *badger.DB -> *tsClock

// clockOf returns db's clock, starting it above the store's highest version on first use.
func clockOf(db *badger.DB) *tsClock {
	if c, ok := clocks.Load(db); ok {
		return c.(*tsClock)
	}
	c, _ := clocks.LoadOrStore(db, newClock(db))
	return c.(*tsClock)
}

func newClock(db *badger.DB) *tsClock {
	c := &tsClock{db: db, ahead: map[uint64]struct{}{}, pins: map[uint64]int{}}
	c.applied.L = &c.mu
	top := db.MaxVersion()
	c.visible.Store(top)
	c.next = top + 1
	return c
}

// forgetClock drops the clock of a database that closed.
func forgetClock(db *badger.DB) {
	clocks.Delete(db)
}

// openBadger opens the store in managed mode (see above) and starts its clock.
func openBadger(cfg Config) (*badger.DB, error) {
	opt := cfg.badgerOptions()
	db, err := badger.OpenManaged(opt)
	if err != nil {
		return nil, err
	}
	c := clockOf(db)
	c.space = newSpaceGuard(cfg)
	c.logger, _ = opt.Logger.(*levelLogger)
	return db, nil
}

// pinRead returns the visible timestamp, pinned until unpin: a read transaction opened there
// sees every commit that returned before the call.
func (c *tsClock) pinRead() uint64 {
	c.mu.Lock()
	ts := c.visible.Load()
	c.pins[ts]++
	c.mu.Unlock()
	return ts
}

// pinAt pins ts once more; ts must already be pinned (a second reader of the same snapshot).
func (c *tsClock) pinAt(ts uint64) {
	c.mu.Lock()
	c.pins[ts]++
	c.mu.Unlock()
}

// unpin releases one pin of ts.
func (c *tsClock) unpin(ts uint64) {
	c.mu.Lock()
	c.unpinLocked(ts)
	c.mu.Unlock()
}

func (c *tsClock) unpinLocked(ts uint64) {
	if n := c.pins[ts]; n > 1 {
		c.pins[ts] = n - 1
		return
	}
	delete(c.pins, ts)
	c.moveDiscard()
}

// moveDiscard lets Badger drop versions that no pinned reader can see any more. Called with mu.
func (c *tsClock) moveDiscard() {
	low := c.visible.Load()
	for ts := range c.pins { // a handful: idle read transactions, iterators, commits in flight
		low = min(low, ts)
	}
	if low > c.discard {
		c.discard = low
		c.db.SetDiscardTs(low)
	}
}

// begin hands out a commit timestamp and the (pinned) timestamp its transaction reads at.
func (c *tsClock) begin() (readTs, commitTs uint64) {
	c.mu.Lock()
	readTs = c.visible.Load()
	c.pins[readTs]++
	commitTs = c.next
	c.next++
	c.mu.Unlock()
	return readTs, commitTs
}

// done marks commitTs applied (or abandoned) and returns once it is visible.
func (c *tsClock) done(readTs, commitTs uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.unpinLocked(readTs)
	if commitTs != c.visible.Load()+1 {
		c.ahead[commitTs] = struct{}{}
		for c.visible.Load() < commitTs {
			c.applied.Wait()
		}
		return
	}
	v := commitTs
	for {
		if _, ok := c.ahead[v+1]; !ok {
			break
		}
		delete(c.ahead, v+1)
		v++
	}
	c.visible.Store(v)
	if v > commitTs {
		c.applied.Broadcast()
	}
	c.moveDiscard()
}

// reserve hands out n commit timestamps for entries that carry their own (a bulk ingest's
// WriteBatch); publish makes them visible. Only for a caller that holds the store exclusively.
func (c *tsClock) reserve(n uint64) uint64 {
	c.mu.Lock()
	first := c.next
	c.next += n
	c.mu.Unlock()
	return first
}

// publish makes every timestamp handed out visible; the caller holds the store exclusively, so
// no commit is in flight. It also covers the StreamWriter's version-1 entries.
func (c *tsClock) publish() {
	c.mu.Lock()
	if c.next < 2 {
		c.next = 2
	}
	c.visible.Store(c.next - 1)
	c.moveDiscard()
	c.mu.Unlock()
}

// stagedTxn is a write transaction that remembers the keys it stages, so a commit can tell the
// read caches which keys changed (stamps.go).
type stagedTxn struct {
	*badger.Txn
	rows *rowCache // the store's row cache (nil without one), for checks (checks.go)
	keys [][]byte
	vals [][]byte // what each of keys was set to (nil for a delete, see dels)
	dels []bool
	// wantSolo asks commitTxn to record which keys the commit wrote alone (stamps.Solo): their
	// stamps go back to the client that wrote them. solo holds the answer after the commit.
	wantSolo bool
	solo     *stamps.Solo
}

// Set stages a put of key.
func (t *stagedTxn) Set(key, value []byte) error {
	t.keys, t.vals, t.dels = append(t.keys, key), append(t.vals, value), append(t.dels, false)
	return t.Txn.Set(key, value)
}

// Delete stages a delete of key.
func (t *stagedTxn) Delete(key []byte) error {
	t.keys, t.vals, t.dels = append(t.keys, key), append(t.vals, nil), append(t.dels, true)
	return t.Txn.Delete(key)
}

// commitTxn runs stage in a write transaction and commits it at the next timestamp; it returns
// once the commit is visible to every later read. Around the commit it marks the staged keys
// in flight in the store's stamp table (once clients connected), so no client trusts a cached
// value of them meanwhile.
func commitTxn(db *badger.DB, stage func(txn *stagedTxn) error) error {
	c := clockOf(db)
	if err := c.space.check(); err != nil { // diskspace.go
		return err
	}
	readTs, commitTs := c.begin()
	txn := &stagedTxn{Txn: db.NewTransactionAt(readTs, true), rows: rowsOf(db)}
	defer txn.Discard()
	if err := stage(txn); err != nil {
		c.done(readTs, commitTs)
		return err
	}
	m := c.beginMarks(txn.keys, txn.wantSolo)
	err := txn.CommitAt(commitTs, nil)
	// rowcache.go, before the commit is visible: cached keys take the values written, or are
	// dropped if the commit failed.
	if err == nil {
		txn.rows.committed(txn.keys, txn.vals, txn.dels, commitTs)
	} else {
		txn.rows.invalidate(txn.keys, commitTs)
	}
	commitHook("applied")
	c.done(readTs, commitTs)
	if r := c.reads.Load(); r != nil {
		r.invalidate() // readtxn.go: a read from now on opens a transaction that sees this commit
	}
	c.endMarks(m, txn.keys)
	if err == nil {
		txn.solo = m.solo
	}
	commitHook("marked")
	return err
}

// testHookCommit, when a test sets it, runs between a commit's apply and its visibility
// ("applied"), and after its marks are stable, before its caller goes on ("marked"): pauses
// there widen the windows a cache must not serve across. Atomic: a test sets it while owner
// goroutines commit, ordered only through a socket the race detector does not see (ownerconn_unix.go).
var testHookCommit atomic.Pointer[func(stage string)]

func commitHook(stage string) {
	if f := testHookCommit.Load(); f != nil {
		(*f)(stage)
	}
}

// closeBadger closes a database that openBadger opened and drops its clock.
func closeBadger(db *badger.DB) error {
	// No commit is in flight any more. Void the stamps before Badger's lock is released (the next
	// owner then writes its own id): a client that only reads from its cache learns this way that
	// its owner is gone, even if the table file were replaced meanwhile.
	c := clockOf(db)
	t := c.stamps.Swap(nil)
	t.Void()
	err := closeBounded(db, c.logger)
	t.Close()
	stopRowCache(db)
	forgetClock(db)
	return err
}

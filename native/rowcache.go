package main

import (
	"hash/maphash"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	badger "github.com/dgraph-io/badger/v4"
)

// Why a row cache: a Badger point read walks the memtables and several LSM levels even when the
// block is cached (~1.5 µs each); a model's find reads ten records, so those walks were most of
// its CPU. Like RocksDB's row_cache, this keeps key -> value bytes of LOCAL point reads, filled
// on read. A write only updates keys already cached (committed): filling on every write would
// only help reads that are not coming, but a key read and then written is read again.
//
// Reads run at snapshot timestamps (clock.go), so an entry says from which snapshot on it holds:
//   - a value carries its version: a reader at readTs may use it only if version <= readTs (an
//     older snapshot must not see a newer value);
//   - "absent" carries the readTs that found the key missing: valid only for readers at or above it
//     (the key may have existed in an older snapshot).
//
// A commit raises the cache's mark to its commitTs and replaces the entries of every key it wrote
// with the values it wrote, valid from commitTs (or deletes them if it failed), after CommitAt and
// before the commit becomes visible (commitTxn). A fill from a read at readTs
// is kept only if readTs >= the mark: otherwise a commit the reader did not see may have
// invalidated the key already, and the fill would bring its old value back. (One mark, not one per
// shard: a commit into an empty cache, a bulk load say, then costs one atomic step, not a lock
// per key; fills from older snapshots are refused a little more often.) Together: an entry
// present in the cache is the newest version of its key at every snapshot it is valid for.
// Bulk ingest (ingest.go) clears everything and raises every mark. A write's checks read it too,
// before the write stages anything (checks.go): the same snapshot rule makes the answer Badger's.
//
// Admission: a key is cached on its second miss within a while, not its first. Filling on every
// miss made a pass that reads each key once (the bench's get-random) ~35% slower: the copy, the
// entry and the evictions, and the collector scanning a heap full of entries nobody reads again.
// The cache keeps one bit per hash bucket of keys seen lately (a doorkeeper, as in TinyLFU; 64 KiB
// at the default size, so it stays in the CPU's caches), set by a key's first miss and left set
// while the key is cached. A read whose bit is clear is a first miss: it is answered with one
// atomic load and one atomic or, without the shard's lock or index (a pass over many keys is
// mostly such reads; with the lock and index lookup it cost ~6% of a get-random). A miss whose bit
// is set is admitted. When a quarter of the bits are set they are all cleared, which bounds false
// admissions (a cached key then takes one extra miss to be found again).
// A shard that evicts far more than it hits (a working set larger than the cache, read at random:
// every admitted key is evicted before it is read again) admits only a random sixteenth of its
// misses, so that a key read often still gets in soon (and then its hits end the thrashing); a
// second pass of the bench's get-random over 200,000 keys was ~12% slower without that.

// rowShards splits the cache so readers on several threads rarely share a lock.
const rowShards = 64

// rowOverhead is what one entry costs besides its key and value (map slot, slot record, rounding).
const rowOverhead = 80

// maxRowValue is the largest value cached: bigger ones are rare in point reads and would evict many.
const maxRowValue = 16 << 10

// bytesPerSeenBit sizes the doorkeeper: one bit per this many bytes of cache (~12 per row it holds).
const bytesPerSeenBit = 16

// rowEntry is one cached key; size 0 marks a free slot. The index is keyed by hash and key and
// value share one allocation, so the collector has one pointer per entry to follow, not three.
type rowEntry struct {
	kv    []byte // the key, then the value
	hash  uint64
	minTs uint64 // a value's version, or the read timestamp that found the key absent
	size  int32
	klen  int32
	found bool
	ref   bool // read since the clock hand last passed (CLOCK eviction)
}

// is reports whether e holds key (two keys may share a hash).
func (e *rowEntry) is(key []byte) bool {
	return string(e.kv[:e.klen]) == string(key)
}

// rowShard is one lock's share of the cache.
type rowShard struct {
	mu     sync.Mutex
	index  map[uint64]int32 // hash -> slot
	slots  []rowEntry
	free   []int32
	hand   int
	bytes  int64
	budget int64
	hits   uint64
	misses uint64
	// Recent hits and evictions (halved as they grow): a shard that evicts far more than it hits
	// (a working set larger than the cache, read at random) admits only a sixteenth of its keys.
	recentHits, recentEvicts int
	_                        [64]byte // keep neighbouring shards' locks off one cache line
}

// rowCache is one store's row cache; a nil *rowCache caches nothing.
type rowCache struct {
	seed maphash.Seed
	// mark is the highest commit timestamp that invalidated any key: a fill from a read below it
	// is refused (one mark for all shards, so that a commit touches no shard while the cache is
	// empty). rows counts entries plus fills in progress: 0 means a commit has nothing to drop.
	mark atomic.Uint64
	rows atomic.Int64
	// seen has one bit per hash bucket, set by a key's first miss and kept while it is cached: a
	// read whose bit is clear is a first miss, answered without the shard's lock or index (most
	// reads of a pass over many keys). Cleared whole when a quarter of it is set (nseen).
	seen   []atomic.Uint64
	nseen  atomic.Int64
	first  atomic.Uint64 // first misses, for stats
	shards [rowShards]rowShard
	scans  scanCache // entry keys of repeated index scans (scancache.go)
}

var rowCaches sync.Map // *badger.DB -> *rowCache

// startRowCache gives db a row cache of cfg.RowCacheSize bytes (none when 0).
func startRowCache(db *badger.DB, cfg Config) {
	if cfg.RowCacheSize > 0 {
		rowCaches.Store(db, newRowCache(cfg.RowCacheSize))
	}
}

// stopRowCache drops db's row cache; db is closing.
func stopRowCache(db *badger.DB) {
	rowCaches.Delete(db)
}

// rowsOf returns db's row cache, or nil when it has none.
func rowsOf(db *badger.DB) *rowCache {
	if rc, ok := rowCaches.Load(db); ok {
		return rc.(*rowCache)
	}
	return nil
}

func newRowCache(size int64) *rowCache {
	rc := &rowCache{seed: maphash.MakeSeed(), seen: make([]atomic.Uint64, max(size/bytesPerSeenBit/64, 64))}
	for i := range rc.shards {
		rc.shards[i].budget = size / rowShards
		rc.shards[i].index = map[uint64]int32{}
	}
	rc.scans.budget = size / 4
	return rc
}

// locate returns key's shard and hash.
func (rc *rowCache) locate(key []byte) (*rowShard, uint64) {
	h := rc.hash(key)
	return &rc.shards[h%rowShards], h
}

func (rc *rowCache) hash(b []byte) uint64 {
	return maphash.Bytes(rc.seed, b)
}

// seenBefore reports whether the key hashed h was seen lately (or is cached), and marks it seen.
func (rc *rowCache) seenBefore(h uint64) bool {
	bit := (h >> 8) % uint64(64*len(rc.seen))
	w, m := &rc.seen[bit/64], uint64(1)<<(bit%64)
	if w.Load()&m != 0 {
		return true
	}
	if w.Or(m)&m == 0 && rc.nseen.Add(1) >= int64(16*len(rc.seen)) { // a quarter of the bits
		rc.nseen.Store(0)
		for i := range rc.seen {
			rc.seen[i].Store(0)
		}
	}
	return false
}

// get returns key's cached value for a reader at readTs; hit is false when the cache cannot answer,
// and then admit says whether to fill it with what the reader finds (its second miss).
// The value is never changed in place, so it may be read after the lock is gone.
func (rc *rowCache) get(key []byte, readTs uint64) (v []byte, found, hit, admit bool) {
	if rc == nil {
		return nil, false, false, false
	}
	s, h := rc.locate(key)
	if !rc.seenBefore(h) {
		rc.first.Add(1)
		return nil, false, false, false // not cached (a cached key's bit stays set), and a first miss
	}
	s.mu.Lock()
	i, ok := s.index[h]
	ok = ok && s.slots[i].is(key)
	if ok && s.slots[i].minTs <= readTs {
		e := &s.slots[i]
		e.ref = true
		v, found, hit = e.kv[e.klen:], e.found, true
		s.hits++
		s.recentHits++
	} else {
		s.misses++
		// A second miss lately, or a stale entry (ok) admitted before: admit it, but while
		// thrashing only a random sixteenth of the misses.
		admit = ok || !s.thrashing() || rand.Uint32()&15 == 0
	}
	s.mu.Unlock()
	return v, found, hit, admit
}

// thrashing reports whether the shard evicts far more than it hits lately.
func (s *rowShard) thrashing() bool {
	if s.recentHits+s.recentEvicts > 1<<14 {
		s.recentHits, s.recentEvicts = s.recentHits/2, s.recentEvicts/2
	}
	return s.recentEvicts > 4*s.recentHits+256
}

// fill caches what a read at readTs found: val at version minTs, or (found false) no value, with
// minTs = readTs. It keeps nothing if a commit newer than readTs invalidated the shard meanwhile.
func (rc *rowCache) fill(key []byte, readTs, minTs uint64, val []byte, found bool) {
	if rc == nil || len(val) > maxRowValue {
		return
	}
	size := int64(len(key) + len(val) + rowOverhead)
	s, h := rc.locate(key)
	// Counted before the mark is read: a commit that finds rows at 0 (and so drops nothing) has
	// raised the mark before this fill can read it (invalidate).
	rc.rows.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if readTs < rc.mark.Load() || size > s.budget/4 {
		rc.rows.Add(-1)
		return
	}
	if i, ok := s.index[h]; ok {
		e := &s.slots[i]
		if !e.is(key) {
			s.drop(rc, i) // another key with the same hash: the newer read takes the place
		} else {
			// Both reads saw the key's newest state (no commit invalidated it since either fill).
			if e.found == found {
				e.minTs = min(e.minTs, minTs)
			} else {
				s.drop(rc, i) // cannot happen by the argument above; trust neither
			}
			rc.rows.Add(-1)
			return
		}
	}
	s.evict(rc, size)
	rc.seenBefore(h) // a cached key's bit stays set (fill normally follows its second miss: it is set)
	e := rowEntry{kv: joinKV(key, val), hash: h, klen: int32(len(key)), minTs: minTs, size: int32(size), found: found}
	var i int32
	if n := len(s.free); n > 0 {
		i = s.free[n-1]
		s.free = s.free[:n-1]
		s.slots[i] = e
	} else {
		i = int32(len(s.slots))
		s.slots = append(s.slots, e)
	}
	s.index[h] = i
	s.bytes += size
}

// evict frees room for size more bytes, passing over recently read entries once (CLOCK).
func (s *rowShard) evict(rc *rowCache, size int64) {
	for s.bytes+size > s.budget {
		if s.hand >= len(s.slots) {
			s.hand = 0
		}
		e := &s.slots[s.hand]
		switch {
		case e.size == 0:
		case e.ref:
			e.ref = false
		default:
			s.drop(rc, int32(s.hand))
			s.recentEvicts++
		}
		s.hand++
	}
}

// drop frees slot i.
func (s *rowShard) drop(rc *rowCache, i int32) {
	rc.rows.Add(-1)
	e := &s.slots[i]
	delete(s.index, e.hash)
	s.bytes -= int64(e.size)
	*e = rowEntry{}
	s.free = append(s.free, i)
}

// invalidate forgets keys, which a commit at commitTs wrote (or failed to write); call it before
// that commit is visible.
func (rc *rowCache) invalidate(keys [][]byte, commitTs uint64) {
	rc.committed(keys, nil, nil, commitTs)
}

// committed is what a commit that applied does to the cache: a key still cached takes the value
// the commit gave it (keys[i] set to vals[i], or deleted where dels[i]), valid from commitTs on,
// instead of being forgotten. A key read and then written (a model's update, any read-modify-write)
// is then read again from the cache, not from Badger. Keys not cached stay out: a write alone is
// no sign of a coming read. Commits of one key may reach here out of timestamp order (concurrent
// durable writes, group commits): an entry already valid from a later timestamp is kept, since it
// is the newer value.
func (rc *rowCache) committed(keys, vals [][]byte, dels []bool, commitTs uint64) {
	if rc == nil {
		return
	}
	rc.raiseMark(commitTs)
	rc.bumpScans(keys) // after the mark (scancache.go)
	if rc.rows.Load() == 0 {
		return // nothing cached, and no fill in progress can miss the mark (fill)
	}
	for i, key := range keys {
		s, h := rc.locate(key)
		s.mu.Lock()
		if j, ok := s.index[h]; ok {
			if vals == nil {
				s.drop(rc, j) // even when it is another key with the same hash: forgetting is always safe
			} else {
				s.refresh(rc, j, key, vals[i], !dels[i], commitTs)
			}
		}
		s.mu.Unlock()
	}
}

// refresh gives slot j (cached under key's hash) key's value at ts, or drops it when it holds
// another key or the value is too big to keep.
func (s *rowShard) refresh(rc *rowCache, j int32, key, val []byte, found bool, ts uint64) {
	e := &s.slots[j]
	switch {
	case !e.is(key) || len(val) > maxRowValue:
		s.drop(rc, j)
	case e.minTs > ts:
		// a later commit's value is already here (it reached the cache first)
	default:
		size := int32(len(key) + len(val) + rowOverhead)
		e.kv, e.minTs, e.found = joinKV(key, val), ts, found
		s.bytes += int64(size - e.size)
		e.size = size
		if s.bytes > s.budget {
			s.evict(rc, 0)
		}
	}
}

// joinKV copies key and val into one new slice, as an entry keeps them (kv).
func joinKV(key, val []byte) []byte {
	return append(append(make([]byte, 0, len(key)+len(val)), key...), val...)
}

// clear forgets everything and refuses fills from reads below ts (a bulk ingest wrote up to ts).
func (rc *rowCache) clear(ts uint64) {
	if rc == nil {
		return
	}
	rc.raiseMark(ts)
	rc.clearScans()
	for i := range rc.shards {
		s := &rc.shards[i]
		s.mu.Lock()
		rc.rows.Add(-int64(len(s.index)))
		s.index = map[uint64]int32{}
		s.slots, s.free, s.hand, s.bytes = nil, nil, 0, 0
		s.mu.Unlock()
	}
	rc.nseen.Store(0)
	for i := range rc.seen {
		rc.seen[i].Store(0)
	}
}

// raiseMark makes ts the mark unless it is higher already.
func (rc *rowCache) raiseMark(ts uint64) {
	for {
		m := rc.mark.Load()
		if m >= ts || rc.mark.CompareAndSwap(m, ts) {
			return
		}
	}
}

// rowStats is what doStats reports of a row cache.
type rowStats struct {
	Bytes  int64  `json:"bytes"`
	Rows   int    `json:"rows"`
	Hits   uint64 `json:"hits"`
	Misses uint64 `json:"misses"`
}

// stats sums the shards' counters.
func (rc *rowCache) stats() rowStats {
	var st rowStats
	if rc == nil {
		return st
	}
	for i := range rc.shards {
		s := &rc.shards[i]
		s.mu.Lock()
		st.Bytes += s.bytes
		st.Rows += len(s.index)
		st.Hits += s.hits
		st.Misses += s.misses
		s.mu.Unlock()
	}
	st.Misses += rc.first.Load()
	return st
}

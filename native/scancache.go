package main

import (
	"bytes"
	"sync"
	"sync/atomic"
)

// The scan cache keeps the entry keys of short index scans that repeat: a model's find by one
// index value, Model.children. A repeated find then reads only its records (mostly row cache
// hits), not Badger's iterator: from a cold CPU cache, as Node's JavaScript leaves it between two
// calls, opening and walking the iterator cost about half of a 10-record index scan
// (bench/RESULTS.md). It is part of the row cache: same size option, same lifetime, and the same
// hooks (invalidate and clear).
//
// Which scans: forward, over the whole range of one tuple prefix (gte is a marker byte and at
// least two whole elements, lt is gte's upper bound: what scanIndex asks), that read the range to
// its end within maxScanKeys entries. A range is kept on its second scan within a while (the row
// cache's doorkeeper bits), so a pass over many values costs no copies.
//
// Why an entry is never stale. A key inside a cached range starts with the range's prefix, and
// elements are self-delimiting, so the prefix ends on one of the key's element boundaries. A
// commit calls invalidate after CommitAt and before it is visible (commitTxn); there, while
// anything is cached or being filled, it bumps a generation counter for every element-boundary
// prefix of every key it wrote (counters are shared by hash: a collision only costs a refill).
// An entry holds its range's counter as its scan read it (once it missed the cache, after taking
// its snapshot) and that snapshot's timestamp. It serves a reader at readTs when the counter has
// not moved and readTs is at least that timestamp: every commit the reader sees and the scan did
// not would have moved it. A fill is refused when the row cache's mark is above the scan's
// snapshot: a commit newer than the snapshot had begun by then, and it may have bumped the
// counter before the scan read it.
// A commit that finds nothing cached and no fill in progress bumps nothing (live; the mark,
// raised first, refuses a fill that starts meanwhile from an older snapshot).

// maxScanKeys is the most entries a cached range holds; a find of more reads Badger each time.
const maxScanKeys = 64

// scanGenBuckets is the number of generation counters.
const scanGenBuckets = 1 << 14

// scanOverhead is what an entry costs besides its keys (map slot, struct, slice headers).
const scanOverhead = 160

// scanCache is the row cache's table of ranges.
type scanCache struct {
	gens [scanGenBuckets]atomic.Uint64
	// live counts entries plus fills in progress; 0 means a commit has nothing to bump.
	live atomic.Int64

	mu     sync.Mutex
	ranges map[uint64]*scanEntry // hash of gte -> entry
	bytes  int64
	budget int64
	hits   uint64
	misses uint64
}

// scanEntry is one cached range; it is never changed once stored.
type scanEntry struct {
	gte, lt []byte
	keys    [][]byte // the range's entry keys, in order: all of them
	gen     uint64
	minTs   uint64
	size    int64
}

// scanFill is a scan that may fill the cache when it ends (see rowCache.beginScanFill).
type scanFill struct {
	began bool // counted in live: endScanFill must run
	ok    bool // still collecting: false once the range has too many keys
	hash  uint64
	gen   uint64
	keys  [][]byte // copies of the keys read so far
}

// scanPrefixHash returns the hash of spec's prefix, or false when the scan is not one the cache keeps.
func (rc *rowCache) scanPrefixHash(spec iterSpec) (uint64, bool) {
	if rc == nil || spec.reverse || !isPrefixRange(spec.gte, spec.lt) || !wholeElements(spec.gte) {
		return 0, false
	}
	return rc.hash(spec.gte), true
}

// scanKeys returns the cached entry keys of spec's range (hashed h by scanPrefixHash, when
// cacheable) for a reader at readTs.
func (rc *rowCache) scanKeys(h uint64, cacheable bool, spec iterSpec, readTs uint64) ([][]byte, bool) {
	if !cacheable {
		return nil, false
	}
	sc := &rc.scans
	sc.mu.Lock()
	defer sc.mu.Unlock()
	e := sc.ranges[h]
	if e != nil && bytes.Equal(e.gte, spec.gte) && bytes.Equal(e.lt, spec.lt) && readTs >= e.minTs && sc.gens[h%scanGenBuckets].Load() == e.gen {
		sc.hits++
		return e.keys, true
	}
	sc.misses++
	return nil, false
}

// beginScanFill starts a fill for a scan that missed the cache; the scan passes each entry key it
// reads to add, then calls endScanFill, which checks the mark: a commit the scan's snapshot does
// not hold raised it before bumping any counter, so the counter may be read after the snapshot.
func (rc *rowCache) beginScanFill(h uint64, cacheable bool) scanFill {
	if !cacheable || !rc.seenBefore(h) { // kept on its second scan within a while
		return scanFill{}
	}
	// Counted before the mark is read (endScanFill): a commit that found live at 0, and so bumped
	// nothing, raised the mark before that.
	rc.scans.live.Add(1)
	return scanFill{began: true, ok: true, hash: h, gen: rc.scans.gens[h%scanGenBuckets].Load()}
}

// add copies one entry key of the scan (Badger reuses the bytes it lends).
func (f *scanFill) add(key []byte) {
	if !f.ok {
		return
	}
	if len(f.keys) == maxScanKeys {
		f.ok = false
		f.keys = nil
		return
	}
	f.keys = append(f.keys, bytes.Clone(key))
}

// endScanFill keeps the keys read by a scan at readTs if it read the whole range.
func (rc *rowCache) endScanFill(f *scanFill, spec iterSpec, readTs uint64, whole bool) {
	if !f.began {
		return
	}
	sc := &rc.scans
	kept := false
	defer func() {
		if !kept {
			sc.live.Add(-1)
		}
	}()
	if !f.ok || !whole || readTs < rc.mark.Load() {
		return
	}
	size := int64(scanOverhead + len(spec.gte) + len(spec.lt))
	for _, k := range f.keys {
		size += int64(len(k)) + 24
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if size > sc.budget/4 || sc.gens[f.hash%scanGenBuckets].Load() != f.gen {
		return
	}
	if old := sc.ranges[f.hash]; old != nil {
		sc.drop(f.hash, old)
	}
	if sc.bytes+size > sc.budget {
		sc.dropAll() // few, small entries: starting over is simpler than choosing, and rare
	}
	if sc.ranges == nil {
		sc.ranges = make(map[uint64]*scanEntry)
	}
	sc.ranges[f.hash] = &scanEntry{gte: bytes.Clone(spec.gte), lt: bytes.Clone(spec.lt), keys: f.keys, gen: f.gen, minTs: readTs, size: size}
	sc.bytes += size
	kept = true // the fill's count now stands for the entry
}

func (sc *scanCache) drop(h uint64, e *scanEntry) {
	delete(sc.ranges, h)
	sc.bytes -= e.size
	sc.live.Add(-1)
}

// dropAll forgets every range (sc.mu held).
func (sc *scanCache) dropAll() {
	sc.live.Add(-int64(len(sc.ranges)))
	sc.ranges = nil
	sc.bytes = 0
}

// bumpScans moves the counters of every element-boundary prefix of keys (a commit wrote them).
func (rc *rowCache) bumpScans(keys [][]byte) {
	if rc.scans.live.Load() == 0 {
		return
	}
	for _, k := range keys {
		eachPrefix(k, func(prefix []byte) {
			rc.scans.gens[rc.hash(prefix)%scanGenBuckets].Add(1)
		})
	}
}

// eachPrefix calls fn with every prefix of key that ends after its second or a later whole element
// (a marker byte, then tag-and-payload elements: docs/FORMAT.md), stopping at what it cannot read.
// A prefix that wholeElements accepts is, by construction, one of the prefixes it visits for any
// key that starts with it.
func eachPrefix(key []byte, fn func(prefix []byte)) {
	n := 0
	for pos := 1; pos < len(key); {
		end := elementEnd(key, pos)
		if end < 0 {
			return
		}
		if n++; n >= 2 {
			fn(key[:end])
		}
		pos = end
	}
}

// elementEnd returns where the element at pos ends, or -1 for an end marker or anything unreadable.
func elementEnd(key []byte, pos int) int {
	switch key[pos] {
	case 0x10: // a number: tag and 8 bytes
		if pos+9 > len(key) {
			return -1
		}
		return pos + 9
	case 0x20, 0x30: // a string or bytes: tag, escaped payload, terminator 0x00
		end := bytes.IndexByte(key[pos+1:], 0)
		if end < 0 {
			return -1
		}
		return pos + 1 + end + 1
	}
	return -1
}

// wholeElements reports whether p is a marker byte and at least two whole elements, nothing more.
func wholeElements(p []byte) bool {
	n, pos := 0, 1
	for pos < len(p) {
		end := elementEnd(p, pos)
		if end < 0 {
			return false
		}
		n, pos = n+1, end
	}
	return n >= 2 && pos == len(p)
}

// isPrefixRange reports whether [gte, lt) is exactly the keys that start with gte: lt is gte
// without its trailing 0xff bytes, last byte plus one (codec/keys.ts prefixUpperBound).
func isPrefixRange(gte, lt []byte) bool {
	end := len(gte)
	for end > 0 && gte[end-1] == 0xff {
		end--
	}
	if end == 0 || len(lt) != end {
		return false
	}
	return bytes.Equal(lt[:end-1], gte[:end-1]) && lt[end-1] == gte[end-1]+1
}

// clearScans forgets every range (a bulk ingest rewrote the store).
func (rc *rowCache) clearScans() {
	rc.scans.mu.Lock()
	rc.scans.dropAll()
	rc.scans.mu.Unlock()
}

// scanStats is what doStats reports of the scan cache.
type scanStats struct {
	Ranges int    `json:"ranges"`
	Bytes  int64  `json:"bytes"`
	Hits   uint64 `json:"hits"`
	Misses uint64 `json:"misses"`
}

func (rc *rowCache) scanStats() scanStats {
	if rc == nil {
		return scanStats{}
	}
	sc := &rc.scans
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return scanStats{Ranges: len(sc.ranges), Bytes: sc.bytes, Hits: sc.hits, Misses: sc.misses}
}

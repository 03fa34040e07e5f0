package main

import (
	"encoding/binary"
	"path/filepath"
	"sync"
	"sync/atomic"

	"skyshelve/native/internal/stamps"
	"skyshelve/native/internal/wire"
)

// readCache keeps the values a client read from its owner, each with the stamp its key's slot
// held before the read (stamps.go). A cached value is served only while the slot still holds that
// stamp, so a hit answers what the owner would answer: every write of the key that returned, in
// any process, moved the stamp before it returned, and one still in flight makes the slot unstable.
type readCache struct {
	mu      sync.Mutex
	table   *stamps.Table // nil: nothing is cached (no owner now, or one that shares no table)
	gen     uint64        // moves whenever table does: a read begun under another table is not kept
	entries map[string]cachedRead
	bytes   int
	limit   int

	hits, misses atomic.Int64 // for stats
}

// cachedRead is one value (or the fact that the key is absent) and the stamp it was read under.
type cachedRead struct {
	val    []byte
	absent bool
	stamp  stamps.Stamp
}

// fill is what a read that may be cached carries from before its round trip to after it.
type fill struct {
	gen   uint64
	stamp stamps.Stamp
}

const (
	// defaultReadCacheSize bounds the bytes (keys, values and bookkeeping) one client keeps
	// (readCacheSize, options.go).
	defaultReadCacheSize = 16 << 20
	// maxCachedValue: larger values are read from the owner every time (they would crowd out many
	// small ones, and the round trip is a small part of copying them).
	maxCachedValue = 64 << 10
	entryOverhead  = 64 // map slot, string header, slice header, stamp
)

// attach starts caching reads from the owner whose hello named id (0: it shares no table).
func (rc *readCache) attach(dir string, id uint64) {
	var t *stamps.Table
	if id != 0 && rc.limit > 0 {
		t, _ = stamps.Open(filepath.Join(dir, stamps.FileName), id) // none: reads are not cached
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.resetLocked(t)
}

// detach drops every cached value: the owner is gone, or this process is the owner now.
func (rc *readCache) detach() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.resetLocked(nil)
}

func (rc *readCache) resetLocked(t *stamps.Table) {
	rc.table.Close()
	rc.table = t
	rc.gen++
	rc.entries = nil
	rc.bytes = 0
}

// lookup returns key's cached value while it is current.
func (rc *readCache) lookup(key []byte) (cachedRead, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	e, ok := rc.entries[string(key)]
	if !ok {
		return cachedRead{}, false
	}
	if !rc.table.Current(key, e.stamp) {
		rc.dropLocked(string(key), e)
		return cachedRead{}, false
	}
	return e, true
}

// begin takes key's stamp before a read from the owner; ok is false when the answer may not be kept.
func (rc *readCache) begin(key []byte) (f fill, ok bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.table == nil {
		return fill{}, false
	}
	s, ok := rc.table.Now(key)
	return fill{gen: rc.gen, stamp: s}, ok
}

// keep caches what the owner answered for key (val, or absent) under the stamp begin took.
func (rc *readCache) keep(key []byte, f fill, val []byte, absent bool) {
	cost := len(key) + len(val) + entryOverhead
	if len(val) > maxCachedValue || cost > rc.limit/8 {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if f.gen != rc.gen || rc.table == nil {
		return
	}
	if rc.entries == nil {
		rc.entries = make(map[string]cachedRead)
	}
	if old, ok := rc.entries[string(key)]; ok {
		rc.dropLocked(string(key), old)
	}
	for k, e := range rc.entries { // Go's map order is random: this evicts random entries
		if rc.bytes+cost <= rc.limit {
			break
		}
		rc.dropLocked(k, e)
	}
	var v []byte
	if !absent {
		v = append(make([]byte, 0, len(val)), val...)
	}
	rc.entries[string(key)] = cachedRead{val: v, absent: absent, stamp: f.stamp}
	rc.bytes += cost
}

// write sends one write (req, the ABI request) to the owner and caches the values it wrote
// alone, so this client reads its own writes without asking again; ok as for roundTrip. Only a
// write of at most maxWriteStamps ops asks: a bulk write's values would only crowd the cache, and
// finding its keys again would cost a decode of the whole request.
func (c *client) write(out []byte, flags byte, req []byte) (rc int32, ok bool) {
	gen, stamped := c.cache.wantsStamps(out)
	stamped = stamped && len(req) >= 4 && binary.LittleEndian.Uint32(req) <= maxWriteStamps
	if stamped {
		flags |= wire.WriteStamps
	}
	rc, ok = c.roundTrip(out, wire.OpWrite, []byte{flags}, req)
	if ok && rc > 0 && stamped { // the answer is the stamps; the caller sees 0, as for any write
		c.cache.keepWritten(req, out[:rc], gen)
		rc = 0
	}
	return rc, ok
}

// stampsAnswerCap is the most a WriteStamps answer takes of the caller's buffer.
const stampsAnswerCap = 4 + maxWriteStamps*(4+stamps.StampSize)

// wantsStamps tells whether a write should ask for the stamps of its keys (wire.WriteStamps): this
// client caches and out can hold the answer. gen goes to keepWritten with the answer.
func (rc *readCache) wantsStamps(out []byte) (gen uint64, ok bool) {
	if len(out) < stampsAnswerCap {
		return 0, false
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.gen, rc.table != nil
}

// keepWritten caches the values that this client's write (req, the ABI write request) left,
// for the keys whose stamps the owner answered: the commit wrote their slots alone, so each
// value is the key's value under its stamp, as a read would have found it. A write's answer
// that does not parse caches nothing.
func (rc *readCache) keepWritten(req, answer []byte, gen uint64) {
	ops, err := decodeWrite(req)
	if err != nil || len(answer) < 4 {
		return
	}
	writes := ops[:0]
	for _, op := range ops {
		if op.op == opPut || op.op == opDelete {
			writes = append(writes, op)
		}
	}
	n := int(binary.LittleEndian.Uint32(answer))
	body := answer[4:]
	for ; n > 0 && len(body) >= 4+stamps.StampSize; n-- {
		i := int(binary.LittleEndian.Uint32(body))
		s := stamps.ParseStamp(body[4:])
		body = body[4+stamps.StampSize:]
		if i < len(writes) {
			op := writes[i]
			rc.keep(op.key, fill{gen: gen, stamp: s}, op.value, op.op == opDelete)
		}
	}
}

// stats reports the cache for sky_stats of a client.
func (rc *readCache) stats() map[string]any {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return map[string]any{
		"hits": rc.hits.Load(), "misses": rc.misses.Load(), "entries": len(rc.entries),
		"bytes": rc.bytes, "limit": rc.limit, "shared": rc.table != nil,
	}
}

func (rc *readCache) dropLocked(k string, e cachedRead) {
	delete(rc.entries, k)
	rc.bytes -= len(k) + len(e.val) + entryOverhead
}

// get answers a read from the cache, else from the owner (and caches the answer); ok is false
// when this process became the owner: the caller then reads locally.
func (c *client) get(key, out []byte) (rc int32, ok bool) {
	if e, hit := c.cache.lookup(key); hit {
		c.cache.hits.Add(1)
		return e.answer(out), true
	}
	c.cache.misses.Add(1)
	f, keep := c.cache.begin(key)
	rc, ok = c.roundTrip(out, wire.OpGet, u32(len(out)), key)
	switch {
	case !ok || !keep:
	case rc >= 0:
		c.cache.keep(key, f, out[:rc], false)
	case rc == -codeNotFound:
		c.cache.keep(key, f, nil, true)
	}
	return rc, ok
}

// has answers from the cache when it can; it never fills it (the owner sends no value).
func (c *client) has(key, out []byte) (int32, bool) {
	if e, hit := c.cache.lookup(key); hit {
		return b2i(!e.absent), true
	}
	return c.roundTrip(out, wire.OpHas, key)
}

// answer is doGet's answer for a cached read.
func (e cachedRead) answer(out []byte) int32 {
	switch {
	case e.absent:
		return -codeNotFound
	case len(e.val) > len(out):
		return tooSmall(out, len(e.val))
	}
	return int32(copy(out, e.val))
}

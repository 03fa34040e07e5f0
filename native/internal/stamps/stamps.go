// Package stamps is the table through which clients of another process check their cached
// reads (docs/MULTIPROCESS.md). It is a small file in the store directory that the owner and its
// clients map shared. Every key hashes to one slot of two counters: the owner adds one to the
// slot's "begun" counter before it commits a write of the key and one to its "ended" counter
// once the write is visible. A client may cache a value it read while begun == ended (no write
// of the slot in flight) and may serve it while the slot still holds those same counts, which is
// the same check SQLite's readers make against its WAL index, per slot instead of per database.
package stamps

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"runtime/debug"
	"sync/atomic"
	"unsafe"

	"github.com/cespare/xxhash/v2"
)

const (
	magic      = "SKYSTMP1"
	headerSize = 64 // magic [8], owner id u64 at 8, bulk epoch u64 at 16; the rest reserved
	slots      = 1 << 16
	// Size is the table's file size: 1 MiB of slots plus the header.
	Size = headerSize + slots*16
)

// FileName is the table's name inside the store directory.
const FileName = "skyshelve.stamps"

// Table is one mapping of a store's stamp file. Every method is nil-safe (a nil table stamps
// nothing and trusts nothing), and survives a file truncated under it (it then trusts nothing).
type Table struct {
	mem    []byte
	id     uint64 // the owner id this mapping was opened for
	broken atomic.Bool
}

// Stamp is what a cached value is checked against: the owner, the bulk epoch and the slot count.
type Stamp struct{ id, epoch, count uint64 }

// Create maps the table for the store's owner: it creates or extends the file, and writes a new
// owner id, which every client compares before it trusts a stamp (a new owner voids them all).
func Create(path string) (*Table, error) {
	mem, err := mapFile(path, true)
	if err != nil {
		return nil, err
	}
	t := &Table{mem: mem, id: newID()}
	copy(mem[:8], magic)
	t.word(8).Store(t.id)
	return t, nil
}

// Open maps the table read-only for a client of the owner whose hello named id.
func Open(path string, id uint64) (*Table, error) {
	mem, err := mapFile(path, false)
	if err != nil {
		return nil, err
	}
	t := &Table{mem: mem, id: id}
	if string(mem[:8]) != magic || t.word(8).Load() != id {
		unmap(mem)
		return nil, errors.New("stamp table of another owner")
	}
	return t, nil
}

// ID is the owner id this mapping belongs to (0 for nil).
func (t *Table) ID() uint64 {
	if t == nil {
		return 0
	}
	return t.id
}

// Close unmaps the table; no method may be running or called after it.
func (t *Table) Close() {
	if t != nil {
		t.broken.Store(true)
		unmap(t.mem)
	}
}

// Void ends the owner's tenure: no stamp taken under it is current any more.
func (t *Table) Void() { t.write(func() { t.word(8).Store(0) }) }

// Begin marks a write of each key in flight (before the commit).
func (t *Table) Begin(keys [][]byte) { t.add(keys, 0) }

// End marks the writes of keys visible (after the commit, whether or not it succeeded).
func (t *Table) End(keys [][]byte) { t.add(keys, 8) }

// BeginBulk marks a bulk change in flight (an ingest or a drop): no stamp is current until EndBulk.
func (t *Table) BeginBulk() { t.addEpoch() }

// EndBulk ends a bulk change; stamps taken before BeginBulk stay void.
func (t *Table) EndBulk() { t.addEpoch() }

// Now returns key's current stamp, and false when no value read now may be cached: a write of
// its slot or a bulk change is in flight, or the table belongs to another owner now.
func (t *Table) Now(key []byte) (s Stamp, ok bool) {
	if t == nil || t.broken.Load() {
		return Stamp{}, false
	}
	defer t.survive(debug.SetPanicOnFault(true), &ok)
	i := slotOf(key)
	s.count = t.word(i + 8).Load() // ended first: begun == ended then means nothing in flight
	begun := t.word(i).Load()
	s.epoch = t.word(16).Load()
	s.id = t.word(8).Load()
	return s, begun == s.count && s.epoch&1 == 0 && s.id == t.id
}

// Current reports whether a value cached under s is still key's value.
func (t *Table) Current(key []byte, s Stamp) bool {
	now, ok := t.Now(key)
	return ok && now == s
}

func (t *Table) add(keys [][]byte, half int) {
	if len(keys) > 0 {
		t.write(func() {
			for _, k := range keys {
				t.word(slotOf(k) + half).Add(1)
			}
		})
	}
}

func (t *Table) addEpoch() { t.write(func() { t.word(16).Add(1) }) }

// write runs f on a live table, surviving a fault (survive).
func (t *Table) write(f func()) {
	if t == nil || t.broken.Load() {
		return
	}
	var ok bool
	defer t.survive(debug.SetPanicOnFault(true), &ok)
	f()
	ok = true
}

// survive turns a fault on the mapping (the file was truncated behind our back) into a broken
// table instead of a crash of the host process; prev is the goroutine's setting to restore.
func (t *Table) survive(prev bool, ok *bool) {
	debug.SetPanicOnFault(prev)
	if r := recover(); r != nil {
		t.broken.Store(true)
		*ok = false
	}
}

// slotOf is the offset of key's slot: two counters, begun then ended.
func slotOf(key []byte) int { return headerSize + 16*int(xxhash.Sum64(key)&(slots-1)) }

func (t *Table) word(off int) *atomic.Uint64 {
	return (*atomic.Uint64)(unsafe.Pointer(&t.mem[off]))
}

func newID() uint64 {
	var b [8]byte
	rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:]) | 1
}

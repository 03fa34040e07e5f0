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

// Solo tells, for each key of one commit, whether the commit wrote the key's slot alone: no other
// write of the slot was in flight when it began, none began before it ended, and no bulk change
// ran meanwhile. The key's value after such a commit is the commit's own, so the process that
// wrote it may cache it under Stamp (a client then reads its own writes without asking the owner).
type Solo struct {
	t     *Table
	epoch uint64
	began []uint64 // per key: the slot's begun count after this commit's mark; 0: not alone
	ok    bool     // EndSolo ran to the end on a live table
}

// BeginSolo is Begin, recording which slots the commit enters alone.
func (t *Table) BeginSolo(keys [][]byte) *Solo {
	s := &Solo{t: t, began: make([]uint64, len(keys))}
	t.write(func() {
		s.epoch = t.word(16).Load()
		for i, k := range keys {
			off := slotOf(k)
			ended := t.word(off + 8).Load() // before the mark: nothing else was in flight if begun was ended
			if b := t.word(off).Add(1); b == ended+1 {
				s.began[i] = b
			}
		}
	})
	return s
}

// EndSolo is End for a commit that BeginSolo marked. A slot stays solo only if its ended count
// reaches this commit's begun count and begun has not moved since: every write of the slot that
// began has ended, and none began after this one.
func (t *Table) EndSolo(keys [][]byte, s *Solo) {
	t.write(func() {
		for i, k := range keys {
			off := slotOf(k)
			e := t.word(off + 8).Add(1)
			if e != s.began[i] || t.word(off).Load() != s.began[i] {
				s.began[i] = 0
			}
		}
		epoch := t.word(16).Load()
		s.ok = epoch == s.epoch && epoch&1 == 0
	})
}

// Stamp is the stamp under which key i's value after the commit may be cached, and false when the
// commit did not write its slot alone.
func (s *Solo) Stamp(i int) (Stamp, bool) {
	if s == nil || !s.ok || s.began[i] == 0 || s.t.broken.Load() {
		return Stamp{}, false
	}
	return Stamp{id: s.t.id, epoch: s.epoch, count: s.began[i]}, true
}

// StampSize is the length of an encoded Stamp (AppendStamp).
const StampSize = 24

// AppendStamp encodes s for another process (a write's answer to the client that sent it).
func AppendStamp(b []byte, s Stamp) []byte {
	b = binary.LittleEndian.AppendUint64(b, s.id)
	b = binary.LittleEndian.AppendUint64(b, s.epoch)
	return binary.LittleEndian.AppendUint64(b, s.count)
}

// ParseStamp decodes what AppendStamp wrote; b holds at least StampSize bytes.
func ParseStamp(b []byte) Stamp {
	u := binary.LittleEndian.Uint64
	return Stamp{id: u(b), epoch: u(b[8:]), count: u(b[16:])}
}

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

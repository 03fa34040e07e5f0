package stamps

import (
	"os"
	"path/filepath"
	"testing"
)

// A second owner of the table (after a take-over) voids every stamp a client took from the first.
func TestStampsOfAnEarlierOwnerAreVoid(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	first, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	reader, err := Open(path, first.ID())
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	key := []byte("k")
	s, ok := reader.Now(key)
	if !ok || !reader.Current(key, s) {
		t.Fatal("a fresh table gives no stable stamp")
	}
	first.Begin([][]byte{key})
	if _, ok := reader.Now(key); ok || reader.Current(key, s) {
		t.Fatal("a write in flight left the stamp current")
	}
	first.End([][]byte{key})
	if reader.Current(key, s) {
		t.Fatal("a finished write left the old stamp current")
	}
	s, _ = reader.Now(key)
	first.BeginBulk()
	if _, ok := reader.Now(key); ok || reader.Current(key, s) {
		t.Fatal("a bulk change in flight left the stamp current")
	}
	first.EndBulk()
	if reader.Current(key, s) {
		t.Fatal("a bulk change left the old stamp current")
	}
	s, _ = reader.Now(key)
	first.Void() // the first owner closes
	if _, ok := reader.Now(key); ok || reader.Current(key, s) {
		t.Fatal("a closed owner's stamps are still current")
	}
	second, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if _, ok := reader.Now(key); ok || reader.Current(key, s) {
		t.Fatal("a new owner left the old owner's stamps current")
	}
}

// A table file truncated behind a mapping faults on access: that must void the table, not crash.
func TestTruncatedStampTableDoesNotCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r, err := Open(path, w.ID())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Now([]byte("k")); ok {
		t.Fatal("a stamp from a truncated table")
	}
	w.Begin([][]byte{[]byte("k")}) // must not crash either
	if _, ok := w.Now([]byte("k")); ok {
		t.Fatal("the owner's broken table still gives stamps")
	}
}

// A commit's stamps go back to its writer only for slots it wrote alone: overlapping commits of a
// slot, a key twice in one commit and a bulk change meanwhile all give none.
func TestSoloStampsOnlyForSlotsACommitWroteAlone(t *testing.T) {
	w, r := ownerAndClient(t)
	k, other := []byte("k"), []byte("other")
	keys := [][]byte{k}

	alone := w.BeginSolo(keys)
	w.EndSolo(keys, alone)
	s, ok := alone.Stamp(0)
	if !ok || !r.Current(k, s) {
		t.Fatal("a commit alone on its slot gave no current stamp")
	}
	w.Begin(keys)
	w.End(keys)
	if r.Current(k, s) {
		t.Fatal("a later write left the writer's stamp current")
	}

	// Another write of the slot is in flight when the commit begins.
	w.Begin(keys)
	late := w.BeginSolo(keys)
	w.End(keys)
	w.EndSolo(keys, late)
	if _, ok := late.Stamp(0); ok {
		t.Fatal("a stamp for a commit that began while another write of its slot was in flight")
	}

	// Another write of the slot begins while the commit is in flight (and ends before it).
	early := w.BeginSolo(keys)
	w.Begin(keys)
	w.End(keys)
	w.EndSolo(keys, early)
	if _, ok := early.Stamp(0); ok {
		t.Fatal("a stamp for a commit overlapped by another write of its slot")
	}

	// One key twice in one commit; another key alone in the same commit keeps its stamp.
	twice := [][]byte{k, other, k}
	dup := w.BeginSolo(twice)
	w.EndSolo(twice, dup)
	if _, ok := dup.Stamp(0); ok {
		t.Fatal("a stamp for a slot written twice by one commit")
	}
	if s, ok := dup.Stamp(1); !ok || !r.Current(other, s) {
		t.Fatal("the key written once lost its stamp")
	}

	// A bulk change runs meanwhile.
	bulk := w.BeginSolo(keys)
	w.BeginBulk()
	w.EndBulk()
	w.EndSolo(keys, bulk)
	if _, ok := bulk.Stamp(0); ok {
		t.Fatal("a stamp across a bulk change")
	}

	// Stamps travel encoded.
	fresh := w.BeginSolo(keys)
	w.EndSolo(keys, fresh)
	s, _ = fresh.Stamp(0)
	if b := AppendStamp(nil, s); len(b) != StampSize || ParseStamp(b) != s || !r.Current(k, ParseStamp(b)) {
		t.Fatal("a stamp did not survive its encoding")
	}
	var none *Solo
	if _, ok := none.Stamp(0); ok {
		t.Fatal("a nil Solo gave a stamp")
	}
}

// ownerAndClient maps a new table for an owner and for one of its clients; both close with the test.
func ownerAndClient(t *testing.T) (*Table, *Table) {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName)
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	r, err := Open(path, w.ID())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return w, r
}

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

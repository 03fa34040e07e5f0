package main

import (
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// A store written through Badger's own oracle (every release before managed mode) opens and reads
// the same, the clock continues above its versions, and Badger's oracle continues above ours.
func TestStoreWrittenInNormalModeOpensManaged(t *testing.T) {
	dir := t.TempDir()
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 3; round++ { // several versions per key
		for i := 0; i < 50; i++ {
			if err := db.Update(func(txn *badger.Txn) error {
				return txn.Set([]byte(fmt.Sprintf("k%02d", i)), []byte(fmt.Sprintf("v%d", round)))
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := db.Update(func(txn *badger.Txn) error { return txn.Delete([]byte("k07")) }); err != nil {
		t.Fatal(err)
	}
	top := db.MaxVersion()
	db.Close()

	h := openAt(t, dir)
	if got := mustGet(t, h, "k03"); got != "v2" {
		t.Fatalf("k03 = %q, want v2", got)
	}
	if got := mustGet(t, h, "k07"); got != "<missing>" {
		t.Fatalf("deleted k07 = %q", got)
	}
	mustWrite(t, h, "k03", "managed", "new", "1")
	if got := mustGet(t, h, "k03"); got != "managed" {
		t.Fatalf("k03 after a managed write = %q", got)
	}
	dh, _ := dbHandles.get(h)
	if v := clockOf(dh.st.db).visible.Load(); v <= top {
		t.Fatalf("visible timestamp %d is not above the normal-mode store's %d", v, top)
	}
	if err := closeHandle(h); err != nil {
		t.Fatal(err)
	}

	db, err = badger.Open(badger.DefaultOptions(dir).WithLogger(nil)) // an older release opening it
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for key, want := range map[string]string{"k03": "managed", "new": "1", "k04": "v2"} {
		if err := db.View(func(txn *badger.Txn) error {
			item, err := txn.Get([]byte(key))
			if err != nil {
				return err
			}
			v, err := item.ValueCopy(nil)
			if string(v) != want {
				return fmt.Errorf("%s = %q, want %q", key, v, want)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Update(func(txn *badger.Txn) error { return txn.Set([]byte("k03"), []byte("normal again")) }); err != nil {
		t.Fatal(err)
	}
	if err := db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte("k03"))
		if err != nil {
			return err
		}
		if v, _ := item.ValueCopy(nil); string(v) != "normal again" {
			return fmt.Errorf("the oracle's write after ours is hidden: %q", v)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// A commit that finishes before an earlier one (concurrent durable writes) returns only once the
// earlier one is applied too, so what its caller reads next includes both.
func TestClockCommitWaitsForEarlierOnes(t *testing.T) {
	h, _ := openTemp(t)
	dh, _ := dbHandles.get(h)
	c := clockOf(dh.st.db)
	r1, t1 := c.begin()
	r2, t2 := c.begin()
	if t2 != t1+1 || r1 != r2 {
		t.Fatalf("timestamps %d/%d %d/%d", r1, t1, r2, t2)
	}
	returned := make(chan struct{})
	go func() {
		c.done(r2, t2)
		close(returned)
	}()
	select {
	case <-returned:
		t.Fatal("the later commit returned before the earlier one was applied")
	case <-time.After(50 * time.Millisecond):
	}
	if v := c.visible.Load(); v >= t1 {
		t.Fatalf("visible %d before commit %d finished", v, t1)
	}
	c.done(r1, t1)
	<-returned
	if v := c.visible.Load(); v != t2 {
		t.Fatalf("visible %d, want %d", v, t2)
	}
	if len(c.ahead) != 0 || len(c.pins) > 1 { // at most the pooled read transaction's pin
		t.Fatalf("left behind: ahead %v pins %v", c.ahead, c.pins)
	}
}

// Concurrent durable writers (they commit on their own threads) each read their own write back.
func TestReadYourWritesWithConcurrentDurableCommits(t *testing.T) {
	dir := t.TempDir()
	raw := []byte(fmt.Sprintf(`{"path":%q,"logLevel":"none","syncWrites":true}`, dir))
	out := make([]byte, 1024)
	h := doOpen(raw, out)
	if h <= 0 {
		t.Fatal(message(out))
	}
	defer closeHandle(h)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 64)
			for i := 0; i < 30; i++ {
				key, val := fmt.Sprintf("w%d", w), fmt.Sprintf("%d", i)
				req := encodeWrite([]writeOp{{op: opPut, key: []byte(key), value: []byte(val)}})
				if rc := doWrite(h, req, buf); rc != 0 {
					errs <- fmt.Errorf("write rc %d", rc)
					return
				}
				if rc := doGet(h, []byte(key), buf); rc < 0 || string(buf[:rc]) != val {
					errs <- fmt.Errorf("%s read %q after writing %q", key, buf[:max(rc, 0)], val)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// flushAndFlatten moves every table into one level, so compaction applies the discard timestamp.
func flushAndFlatten(t *testing.T, db *badger.DB) {
	t.Helper()
	// DropPrefix flushes the memtables first; the prefix names only a throwaway key.
	if err := commitTxn(db, func(txn *stagedTxn) error { return txn.Set([]byte("~flush"), []byte{1}) }); err != nil {
		t.Fatal(err)
	}
	if err := db.DropPrefix([]byte("~flush")); err != nil {
		t.Fatal(err)
	}
	if err := db.Flatten(1); err != nil {
		t.Fatal(err)
	}
}

// versions counts the stored versions of key, whatever their timestamp.
func versions(t *testing.T, db *badger.DB, key string) int {
	t.Helper()
	txn := db.NewTransactionAt(math.MaxUint64, false)
	defer txn.Discard()
	opts := badger.DefaultIteratorOptions
	opts.AllVersions = true
	it := txn.NewIterator(opts)
	defer it.Close()
	n := 0
	for it.Seek([]byte(key)); it.ValidForPrefix([]byte(key)); it.Next() {
		n++
	}
	return n
}

// Old versions are dropped by compaction once no reader can see them (the store does not keep
// every version forever), but not the version a pinned snapshot still reads.
func TestDiscardKeepsWhatPinnedSnapshotsRead(t *testing.T) {
	h, _ := openTemp(t)
	dh, _ := dbHandles.get(h)
	db := dh.st.db
	mustWrite(t, h, "pinned", "old")
	snap := openRead(db) // like an open iterator's snapshot
	for i := 0; i < 20; i++ {
		mustWrite(t, h, "pinned", fmt.Sprint("new", i), "free", fmt.Sprint(i))
	}
	flushAndFlatten(t, db)
	item, err := snap.txn.Get([]byte("pinned"))
	if err != nil {
		t.Fatalf("the snapshot lost its version: %v", err)
	}
	if v, _ := item.ValueCopy(nil); string(v) != "old" {
		t.Fatalf("the snapshot reads %q, want old", v)
	}
	snap.discard()
	mustWrite(t, h, "later", "1") // moves the discard timestamp past the released snapshot
	flushAndFlatten(t, db)
	if n := versions(t, db, "free"); n != 1 {
		t.Fatalf("%d versions of an overwritten key survived compaction, want 1", n)
	}
	if got := mustGet(t, h, "pinned"); got != "new19" {
		t.Fatalf("pinned = %q", got)
	}
}

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

// openRows opens a fresh store with the given rowCacheSize and returns its handle, db and cache.
func openRows(t *testing.T, size int64) (int32, *badger.DB, *rowCache) {
	t.Helper()
	raw, _ := json.Marshal(map[string]any{"path": t.TempDir(), "logLevel": "none", "rowCacheSize": size})
	out := make([]byte, 1024)
	h := doOpen(raw, out)
	if h <= 0 {
		t.Fatalf("open: rc %d: %s", h, message(out))
	}
	t.Cleanup(func() { closeHandle(h) })
	dh, _ := dbHandles.get(h)
	return h, dh.st.db, rowsOf(dh.st.db)
}

// rawGet reads key at txn's snapshot straight from Badger, never through the row cache.
func rawGet(t testing.TB, txn *badger.Txn, key string) string {
	item, err := txn.Get([]byte(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return "<missing>"
	}
	if err != nil {
		t.Fatal(err)
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		t.Fatal(err)
	}
	return string(v)
}

// cachedGet reads key at txn's snapshot through the row cache, as every local point read does.
func cachedGet(t testing.TB, rc *rowCache, txn *badger.Txn, key string) string {
	out := make([]byte, 1<<16)
	n, err := appendValue(rc, txn, []byte(key), out)
	if err != nil || n < 4 {
		t.Fatalf("appendValue %q: %d %v", key, n, err)
	}
	if n == 4 && string(out[:4]) == "\xff\xff\xff\xff" {
		return "<missing>"
	}
	return string(out[4:n])
}

func TestRowCacheServesRepeatedReads(t *testing.T) {
	h, _, rc := openRows(t, 1<<20)
	mustWrite(t, h, "a", "1")
	for i := 0; i < 3; i++ {
		if got := mustGet(t, h, "a"); got != "1" {
			t.Fatalf("a = %q", got)
		}
		if got := mustGet(t, h, "nope"); got != "<missing>" {
			t.Fatalf("nope = %q", got)
		}
	}
	// The first miss is only remembered, the second fills (admission), the third hits.
	if st := rc.stats(); st.Rows != 2 || st.Hits != 2 || st.Misses != 4 {
		t.Fatalf("stats %+v: want 2 rows, 2 hits, 4 misses", st)
	}
	mustWrite(t, h, "a", "2", "nope", "here", "new", "x") // cached keys take the new values; others stay out
	if st := rc.stats(); st.Rows != 2 {
		t.Fatalf("a commit left %d rows cached, want the 2 it updated", st.Rows)
	}
	if got, got2 := mustGet(t, h, "a"), mustGet(t, h, "nope"); got != "2" || got2 != "here" {
		t.Fatalf("after the write: a = %q, nope = %q", got, got2)
	}
	if st := rc.stats(); st.Hits != 4 {
		t.Fatalf("stats %+v: the reads after the write should be hits", st)
	}
	if rc := doWrite(h, encodeWrite([]writeOp{{op: opDelete, key: []byte("a")}}), make([]byte, 1024)); rc != 0 {
		t.Fatalf("delete: rc %d", rc)
	}
	if got := mustGet(t, h, "a"); got != "<missing>" || rc.stats().Hits != 5 {
		t.Fatalf("after a delete: a = %q, stats %+v", got, rc.stats())
	}
	out := make([]byte, 64)
	if doHas(h, []byte("nope"), out) != 1 || doHas(h, []byte("gone"), out) != 0 || doHas(h, []byte("gone"), out) != 0 {
		t.Fatal("has answers wrongly")
	}
}

// A reader at an old snapshot must not take a newer value (or a newer absence) that a newer
// reader put in the cache: the entry's version check.
func TestRowCacheOldSnapshotNeverSeesNewerState(t *testing.T) {
	h, db, rc := openRows(t, 1<<20)
	before := openRead(db) // "k" does not exist yet
	defer before.discard()
	mustWrite(t, h, "k", "v1")
	v1 := openRead(db)
	defer v1.discard()
	mustWrite(t, h, "k", "v2")
	v2 := openRead(db)
	defer v2.discard()
	if got, again := mustGet(t, h, "k"), mustGet(t, h, "k"); got != "v2" || again != "v2" { // fills the cache with v2
		t.Fatalf("k = %q, %q", got, again)
	}
	for _, c := range []struct {
		l    readLease
		want string
	}{{before, "<missing>"}, {v1, "v1"}, {v2, "v2"}} {
		if got := cachedGet(t, rc, c.l.txn, "k"); got != c.want {
			t.Fatalf("snapshot %d: k = %q, want %q", c.l.txn.ReadTs(), got, c.want)
		}
	}
	out := make([]byte, 64)
	if rc := doWrite(h, encodeWrite([]writeOp{{op: opDelete, key: []byte("k")}}), out); rc != 0 {
		t.Fatal(message(out))
	}
	if got, again := mustGet(t, h, "k"), mustGet(t, h, "k"); got != "<missing>" || again != got { // fills the cache with "absent"
		t.Fatalf("deleted k = %q, %q", got, again)
	}
	if got := cachedGet(t, rc, v2.txn, "k"); got != "v2" {
		t.Fatalf("the snapshot before the delete reads k = %q, want v2", got)
	}
}

// A read that missed, then lost the race with a commit of its key, must not put its old value in
// the cache: the fill check against the shard's mark.
func TestRowCacheRefusesAFillOlderThanAnInvalidation(t *testing.T) {
	h, db, rc := openRows(t, 1<<20)
	mustWrite(t, h, "k", "old", "j", "old")
	slow := openRead(db)
	defer slow.discard()
	item, err := slow.txn.Get([]byte("k")) // the slow reader's miss read the old value...
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, h, "k", "new") // ...a commit invalidates k before the reader fills...
	rc.fill([]byte("k"), slow.txn.ReadTs(), item.Version(), []byte("old"), true)
	rc.fill([]byte("j"), slow.txn.ReadTs(), slow.txn.ReadTs(), nil, false) // (a made-up absence)
	if got := mustGet(t, h, "k"); got != "new" {
		t.Fatalf("after the write returned, k = %q, want new", got)
	}
	// The mark is one for all keys: j's made-up absence (older than the commit) is refused too.
	if got := mustGet(t, h, "j"); got != "old" {
		t.Fatalf("j = %q: a fill older than the mark was kept", got)
	}
}

// Bulk ingest writes around commitTxn; it must clear the cache (absences cached before it here).
func TestRowCacheIsClearedByIngest(t *testing.T) {
	for _, sorted := range []bool{true, false} { // the StreamWriter, then the WriteBatch
		t.Run(fmt.Sprint("sorted=", sorted), func(t *testing.T) {
			h, _, rc := openRows(t, 1<<20)
			for i := 0; i < 100; i++ { // twice each: the second read fills
				if got := mustGet(t, h, fmt.Sprintf("k%08d", i/2)); got != "<missing>" {
					t.Fatal(got)
				}
			}
			if rc.stats().Rows != 50 {
				t.Fatalf("stats %+v", rc.stats())
			}
			ingestAll(t, h, testBatches(300, sorted))
			want := dump(t, h)
			for i := 0; i < 50; i++ {
				k := fmt.Sprintf("k%08d", i)
				if got := mustGet(t, h, k); got != want[k] || got == "<missing>" {
					t.Fatalf("%s = %q after the ingest, want %q", k, got, want[k])
				}
			}
		})
	}
}

// An aborted ingest (DropAll) leaves an empty store; cached reads agree.
func TestRowCacheAfterAbortedIngest(t *testing.T) {
	h, _, _ := openRows(t, 1<<20)
	mustGet(t, h, "k00000001")
	mustGet(t, h, "k00000001")
	out := make([]byte, 1024)
	in := beginIngest(h, out)
	if rc := addIngest(in, encodeWrite(testBatches(10, true)[0]), out); rc != 0 {
		t.Fatal(message(out))
	}
	if rc := abortIngest(in, out); rc != 0 {
		t.Fatal(message(out))
	}
	if got := mustGet(t, h, "k00000001"); got != "<missing>" {
		t.Fatalf("after the abort: %q", got)
	}
	mustWrite(t, h, "k00000001", "x")
	if got := mustGet(t, h, "k00000001"); got != "x" {
		t.Fatalf("after a write: %q", got)
	}
}

func TestRowCacheStaysWithinItsSize(t *testing.T) {
	const size = 64 << 10
	h, _, rc := openRows(t, size)
	var kv []string
	for i := 0; i < 3000; i++ {
		kv = append(kv, fmt.Sprintf("key%05d", i), fmt.Sprintf("value %05d", i))
	}
	mustWrite(t, h, kv...)
	for round := 0; round < 3; round++ {
		for i := 0; i < len(kv); i += 2 {
			if got := mustGet(t, h, kv[i]); got != kv[i+1] {
				t.Fatalf("%s = %q", kv[i], got)
			}
		}
	}
	st := rc.stats()
	if st.Bytes > size || st.Rows == 0 || st.Rows > 3000 {
		t.Fatalf("stats %+v over a %d-byte cache", st, size)
	}
}

func TestRowCacheSizeOption(t *testing.T) {
	for raw, want := range map[string]int64{
		`{"inMemory":true}`:                  defaultRowCache,
		`{"inMemory":true,"rowCacheSize":0}`: 0,
		`{"inMemory":true,"rowCacheSize":5}`: 5,
	} {
		cfg, err := parseConfig([]byte(raw))
		if err != nil || cfg.RowCacheSize != want {
			t.Fatalf("%s: rowCacheSize %d, %v; want %d", raw, cfg.RowCacheSize, err, want)
		}
	}
	if _, err := parseConfig([]byte(`{"inMemory":true,"rowCacheSize":-1}`)); err == nil {
		t.Fatal("a negative rowCacheSize was accepted")
	}
	h, db, rc := openRows(t, 0)
	if rc != nil || rowsOf(db) != nil {
		t.Fatal("rowCacheSize 0 still made a cache")
	}
	mustWrite(t, h, "k", "v")
	for i := 0; i < 2; i++ { // the second read would fill a cache
		if mustGet(t, h, "k") != "v" {
			t.Fatal("reads without a cache are wrong")
		}
	}
	closeHandle(h)
	if rowsOf(db) != nil {
		t.Fatal("the cache outlived its store")
	}
}

// Two keys with one hash (forced here; 64-bit hashes rarely collide) never answer for each other.
func TestRowCacheHashCollision(t *testing.T) {
	rc := newRowCache(1 << 20)
	rc.fill([]byte("a"), 5, 3, []byte("va"), true)
	sa, ha := rc.locate([]byte("a"))
	var b []byte
	var hb uint64
	for i := 0; ; i++ { // a key in a's shard
		b = fmt.Appendf(nil, "b%d", i)
		if s, h := rc.locate(b); s == sa {
			hb = h
			break
		}
	}
	sa.index[hb] = sa.index[ha] // b's hash now leads to a's entry
	if _, _, hit, _ := rc.get(b, 9); hit {
		t.Fatal("b was answered with a's entry")
	}
	rc.fill(b, 9, 4, []byte("vb"), true) // takes the slot's place
	if v, _, hit, _ := rc.get(b, 9); !hit || string(v) != "vb" {
		t.Fatalf("b: %q %v", v, hit)
	}
	rc.invalidate([][]byte{b}, 10)
	if _, _, hit, _ := rc.get(b, 11); hit {
		t.Fatal("b survived its invalidation")
	}
}

// A working set much larger than the cache, read at random: every admitted key would be evicted
// before its next read, so the shards admit only a sixteenth of the keys. A hot set read often
// then still settles in.
func TestRowCacheAdmitsLessWhileThrashing(t *testing.T) {
	rc := newRowCache(256 << 10)
	val := make([]byte, 100)
	read := func(i int) (hit, admitted bool) {
		k := fmt.Appendf(nil, "user:%011d", i)
		_, _, hit, admit := rc.get(k, 1)
		if !hit && admit {
			rc.fill(k, 1, 1, val, true)
		}
		return hit, !hit && admit
	}
	count := func(from, to int) (admits int) {
		for i := from; i < to; i++ {
			for r := 0; r < 2; r++ { // the second miss is the one the doorkeeper admits
				if _, a := read(i); a {
					admits++
				}
			}
		}
		return admits
	}
	count(0, 40_000) // ~1,300 rows fit: this evicts all the time and never hits
	if late := count(40_000, 50_000); late > 10_000/4 {
		t.Fatalf("%d of 10,000 keys admitted while thrashing, want at most a quarter (all without the limit)", late)
	}
	hits := 0
	for round := 0; round < 400; round++ {
		for i := 0; i < 200; i++ {
			if h, _ := read(1_000_000 + i); h && round >= 350 {
				hits++
			}
		}
	}
	if hits < 50*200*9/10 {
		t.Fatalf("a hot set of 200 keys read 400 times: %d of %d late reads hit", hits, 50*200)
	}
}

// A write's checks are answered from the row cache when they can be, with the same outcome as
// Badger's: a cached value, a cached absence, and, in a group, a key an earlier write of the
// group staged (only Badger's Get of the transaction sees that one).
func TestRowCacheAnswersChecks(t *testing.T) {
	h, _, rc := openRows(t, 1<<20)
	out := make([]byte, 4096)
	write := func(ops ...writeOp) int32 { return doWrite(h, encodeWrite(ops), out) }
	mustWrite(t, h, "a", "1")
	for i := 0; i < 2; i++ { // the second miss fills
		mustGet(t, h, "a")
		mustGet(t, h, "m")
	}
	hits := rc.stats().Hits
	steps := []struct {
		ops  []writeOp
		want int32
	}{
		{[]writeOp{checkEq("a", "1"), put("b", "x")}, 0},
		{[]writeOp{checkEq("a", "2"), put("b", "y")}, -codeConflict},
		{[]writeOp{checkAbsent("a"), put("b", "y")}, -codeConflict},
		{[]writeOp{checkAbsent("m"), put("c", "z")}, 0},
		{[]writeOp{checkEq("m", ""), put("c", "y")}, -codeConflict},
	}
	for i, s := range steps {
		if rc := write(s.ops...); rc != s.want {
			t.Fatalf("step %d: rc %d, want %d", i, rc, s.want)
		}
	}
	if got := rc.stats().Hits - hits; got != uint64(len(steps)) {
		t.Fatalf("the cache answered %d checks of %d", got, len(steps))
	}
	if mustGet(t, h, "b") != "x" || mustGet(t, h, "c") != "z" {
		t.Fatal("the writes after the checks are wrong")
	}

	// "a" is cached as "1"; a group's first write changes it, and the second checks the new value.
	mustGet(t, h, "a")
	mustGet(t, h, "a")
	first, second := job(1, 1, put("a", "5")), job(2, 1, checkEq("a", "5"), put("d", "1"))
	g := &groupCommitter{h: h}
	g.commit([]*writeJob{first, second})
	if first.rc != 0 || second.rc != 0 || mustGet(t, h, "d") != "1" {
		t.Fatalf("group: rc %d %d, d %q", first.rc, second.rc, mustGet(t, h, "d"))
	}
}

package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

// dump returns every live key and value of h's store, the native layer's own records included.
func dump(t *testing.T, h int32) map[string]string {
	t.Helper()
	dh, _ := dbHandles.get(h)
	all := map[string]string{}
	err := dh.st.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			all[string(it.Item().KeyCopy(nil))] = string(v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// ingestAll loads batches through an ingest and finishes it.
func ingestAll(t *testing.T, h int32, batches [][]writeOp) {
	t.Helper()
	out := make([]byte, 1024)
	in := beginIngest(h, out)
	if in <= 0 {
		t.Fatalf("begin: rc %d: %s", in, message(out))
	}
	for _, b := range batches {
		if rc := addIngest(in, encodeWrite(b), out); rc != 0 {
			t.Fatalf("add: rc %d: %s", rc, message(out))
		}
	}
	if rc := finishIngest(in, out); rc != 0 {
		t.Fatalf("finish: rc %d: %s", rc, message(out))
	}
}

// testBatches makes n puts in batches of 100, sorted or shuffled with duplicate keys; some values
// are over Badger's value threshold, so the value log is exercised too.
func testBatches(n int, sorted bool) [][]writeOp {
	ops := make([]writeOp, n)
	for i := range ops {
		v := fmt.Sprintf("value %d", i)
		if i%97 == 0 {
			v = strings.Repeat("x", 2048) + v
		}
		ops[i] = writeOp{op: opPut, key: fmt.Appendf(nil, "k%08d", i), value: []byte(v)}
	}
	if !sorted {
		r := rand.New(rand.NewPCG(1, 2))
		r.Shuffle(len(ops), func(i, j int) { ops[i], ops[j] = ops[j], ops[i] })
		for i := 0; i < n/10; i++ { // a later put of a key must win
			ops = append(ops, writeOp{op: opPut, key: ops[i].key, value: []byte("again")})
		}
	}
	var batches [][]writeOp
	for len(ops) > 0 {
		k := min(100, len(ops))
		batches, ops = append(batches, ops[:k]), ops[k:]
	}
	return batches
}

func TestIngestGivesTheSameEntriesAsWrites(t *testing.T) {
	for _, sorted := range []bool{true, false} {
		t.Run(fmt.Sprintf("sorted=%v", sorted), func(t *testing.T) {
			batches := testBatches(5000, sorted)
			slow, _ := openTemp(t)
			out := make([]byte, 1024)
			for _, b := range batches {
				if rc := doWrite(slow, encodeWrite(b), out); rc != 0 {
					t.Fatalf("write: %s", message(out))
				}
			}
			fast, dir := openTemp(t)
			ingestAll(t, fast, batches)
			want, got := dump(t, slow), dump(t, fast)
			if len(got) != len(want) || len(want) < 5000 {
				t.Fatalf("ingest gave %d entries, writes %d", len(got), len(want))
			}
			for k, v := range want {
				if got[k] != v {
					t.Fatalf("key %q: ingest %q, writes %q", k, got[k], v)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, ingestMarkerName)); !os.IsNotExist(err) {
				t.Fatalf("the marker is still there after finish: %v", err)
			}
			mustWrite(t, fast, "k00000001", "after") // ordinary writes work afterwards and win
			if got := mustGet(t, fast, "k00000001"); got != "after" {
				t.Fatalf("write after ingest: got %q", got)
			}
		})
	}
}

func TestIngestSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	h := openAt(t, dir)
	ingestAll(t, h, testBatches(3000, true))
	want := dump(t, h)
	closeHandle(h)
	h = openAt(t, dir)
	got := dump(t, h)
	if len(got) != len(want) || got["k00002999"] != want["k00002999"] {
		t.Fatalf("after reopen: %d entries, want %d", len(got), len(want))
	}
	mustWrite(t, h, "k00000000", "newer") // the oracle continues above the ingested versions
	if got := mustGet(t, h, "k00000000"); got != "newer" {
		t.Fatalf("write after reopen: got %q", got)
	}
}

func TestIngestOnlyStartsOnAnEmptyStore(t *testing.T) {
	out := make([]byte, 1024)
	user, _ := openTemp(t)
	mustWrite(t, user, "a", "1")
	if rc := beginIngest(user, out); rc != 0 || !strings.Contains(message(out), "not empty") {
		t.Fatalf("a store with a user key: rc %d (%s), want 0 (not eligible)", rc, message(out))
	}
	if mustGet(t, user, "a") != "1" {
		t.Fatal("a refused ingest changed the store")
	}
	internal, _ := openTemp(t) // only a record of the native layer itself (dedup.go)
	dh, _ := dbHandles.get(internal)
	if err := commitTxn(dh.st.db, func(txn *stagedTxn) error { return txn.Set(appliedKey(7), []byte{1}) }); err != nil {
		t.Fatal(err)
	}
	if rc := beginIngest(internal, out); rc != 0 {
		t.Fatalf("a store with only an internal record: rc %d, want 0 (not eligible)", rc)
	}
	withIter, _ := openTemp(t) // an open iterator's transaction would outlive the ingest's oracle
	it := openIter(withIter, encodeSpec(iterSpec{}), out)
	if it <= 0 {
		t.Fatal(message(out))
	}
	if rc := beginIngest(withIter, out); rc != 0 || !strings.Contains(message(out), "iterators are open") {
		t.Fatalf("a store with an open iterator: rc %d (%s), want 0 (not eligible)", rc, message(out))
	}
	closeIter(it)
	ingestAll(t, withIter, testBatches(10, true))
	deleted, _ := openTemp(t) // tombstones only: empty
	mustWrite(t, deleted, "a", "1")
	if rc := doWrite(deleted, encodeWrite([]writeOp{{op: opDelete, key: []byte("a")}}), out); rc != 0 {
		t.Fatal(message(out))
	}
	ingestAll(t, deleted, testBatches(10, true))
}

func TestIngestOwnsTheStoreUntilItEnds(t *testing.T) {
	out := make([]byte, 1024)
	h, dir := openTemp(t)
	other := openAt(t, dir) // another handle on the same store, as a Worker would hold
	in := beginIngest(h, out)
	if in <= 0 {
		t.Fatal(message(out))
	}
	if rc := doWrite(other, encodeWrite([]writeOp{{op: opPut, key: []byte("x"), value: []byte("1")}}), out); rc != -codeBusy {
		t.Fatalf("a write during an ingest: rc %d, want BUSY", rc)
	}
	if rc := doGet(other, []byte("x"), out); rc != -codeBusy {
		t.Fatalf("a read during an ingest: rc %d, want BUSY", rc)
	}
	if rc := beginIngest(other, out); rc != -codeBusy {
		t.Fatalf("a second ingest: rc %d, want BUSY", rc)
	}
	if rc := abortIngest(in, out); rc != 0 {
		t.Fatal(message(out))
	}
	if rc := addIngest(in, encodeWrite(nil), out); rc != -codeClosed {
		t.Fatalf("add after abort: rc %d, want CLOSED", rc)
	}
	mustWrite(t, other, "x", "1")
}

func TestIngestRejectsBadRequests(t *testing.T) {
	out := make([]byte, 1024)
	h, _ := openTemp(t)
	cases := map[string][]writeOp{
		"delete":       {{op: opDelete, key: []byte("a")}},
		"internal key": {{op: opPut, key: appliedKey(1), value: []byte("x")}},
		"empty key":    {{op: opPut, key: nil, value: []byte("x")}},
		"badger key":   {{op: opPut, key: []byte("!badger!x"), value: []byte("x")}},
	}
	for name, ops := range cases {
		in := beginIngest(h, out)
		if in <= 0 {
			t.Fatalf("%s: begin: %s", name, message(out))
		}
		if rc := addIngest(in, encodeWrite(ops), out); rc != -codeInvalid {
			t.Fatalf("%s: rc %d (%s), want INVALID", name, rc, message(out))
		}
		if rc := addIngest(in, []byte{1, 2, 3}, out); rc != -codeInvalid {
			t.Fatalf("%s: a malformed request: rc %d, want INVALID", name, rc)
		}
		if rc := abortIngest(in, out); rc != 0 {
			t.Fatal(message(out))
		}
	}
	if len(dump(t, h)) != 0 {
		t.Fatal("a rejected ingest left entries")
	}
}

func TestIngestAbortAndCloseLeaveTheStoreEmpty(t *testing.T) {
	out := make([]byte, 1024)
	dir := t.TempDir()
	h := openAt(t, dir)
	in := beginIngest(h, out)
	batches := testBatches(2000, false) // sorted at first, then the WriteBatch
	for _, b := range batches {
		if rc := addIngest(in, encodeWrite(b), out); rc != 0 {
			t.Fatal(message(out))
		}
	}
	closeHandle(h) // closing mid-ingest drops it
	h = openAt(t, dir)
	if n := len(dump(t, h)); n != 0 {
		t.Fatalf("a store closed mid-ingest holds %d entries", n)
	}
	if _, err := os.Stat(filepath.Join(dir, ingestMarkerName)); !os.IsNotExist(err) {
		t.Fatalf("the marker is still there: %v", err)
	}
}

func TestAnOpenRollsBackAnUnfinishedIngest(t *testing.T) {
	dir := t.TempDir()
	h := openAt(t, dir)
	mustWrite(t, h, "a", "1", "b", "2") // what a killed ingest left behind
	closeHandle(h)
	if err := os.WriteFile(filepath.Join(dir, ingestMarkerName), []byte(`{"pid":1,"started":"2026-01-01T00:00:00Z"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	h = openAt(t, dir)
	if n := len(dump(t, h)); n != 0 {
		t.Fatalf("the store holds %d entries after the roll-back", n)
	}
	out := make([]byte, 4096)
	rc := doStats(h, out)
	if rc <= 0 || !bytes.Contains(out[:rc], []byte(`"rolledBackIngest":"a bulk ingest ({\"pid\":1`)) {
		t.Fatalf("stats do not report the roll-back: %s", out[:max(rc, 0)])
	}
	if _, err := os.Stat(filepath.Join(dir, ingestMarkerName)); !os.IsNotExist(err) {
		t.Fatalf("the marker is still there: %v", err)
	}
}

// FuzzIngestAdd feeds arbitrary bytes as an ingest request: an error, never a panic or a crash.
func FuzzIngestAdd(f *testing.F) {
	f.Add(encodeWrite([]writeOp{{op: opPut, key: []byte("a"), value: []byte("1")}}))
	f.Add(encodeWrite([]writeOp{{op: opPut, key: []byte("b")}, {op: opPut, key: []byte("a"), value: []byte("2")}}))
	f.Add([]byte{1, 0, 0, 0, 1, 0, 0, 0, 0})
	h := openAt(f, "")
	out := make([]byte, 1024)
	in := beginIngest(h, out) // one ingest for every input: a failed add leaves it usable
	if in <= 0 {
		f.Fatalf("begin: rc %d: %s", in, message(out))
	}
	f.Fuzz(func(t *testing.T, req []byte) {
		if rc := addIngest(in, req, out); rc != 0 && rc != -codeInvalid && rc != -codeKeyTooLarge && rc != -codeValueTooLarge {
			t.Fatalf("rc %d: %s", rc, message(out))
		}
	})
}

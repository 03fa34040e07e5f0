package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// SKY_SPLIT_MIN overrides splitMinKeys for A/B benchmarks (a huge value: always sequential).
func init() {
	if n, err := strconv.Atoi(os.Getenv("SKY_SPLIT_MIN")); err == nil {
		splitMinKeys = n
	}
	if cap(helperSlots) == 0 { // a 1-core runner: the split is still tested
		helperSlots = make(chan struct{}, 1)
	}
}

// helpInline runs s's helper on this goroutine, with the slot token it gives back.
func helpInline(s *splitState, db *badger.DB, readTs uint64, keys [][]byte, start, outCap int) {
	helperSlots <- struct{}{}
	s.help(db, readTs, keys, start, outCap)
}

// splitFixture is a store of 600 keys with values of 0..299 bytes, plus a request builder.
type splitFixture struct {
	h   int32
	rng *rand.Rand
}

func newSplitFixture(t *testing.T) splitFixture {
	h, _ := openTemp(t)
	rng := rand.New(rand.NewSource(13))
	var ops []writeOp
	for i := 0; i < 600; i++ {
		ops = append(ops, writeOp{op: opPut, key: []byte(fmt.Sprintf("k%04d", i)), value: bytes.Repeat([]byte{byte(i)}, rng.Intn(300))})
	}
	out := make([]byte, 1024)
	if rc := doWrite(h, encodeWrite(ops), out); rc != 0 {
		t.Fatalf("fill rc %d: %s", rc, message(out))
	}
	return splitFixture{h: h, rng: rng}
}

// keys draws n keys: stored, missing and, when bad, sometimes an invalid one (empty or too long).
func (f splitFixture) keys(n int, bad bool) [][]byte {
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("k%04d", f.rng.Intn(700))) // 600..699 are missing
		if bad && f.rng.Intn(150) == 0 {
			keys[i] = [][]byte{{}, make([]byte, maxKeySize+1), append(append([]byte{}, internalPrefix...), 'x')}[f.rng.Intn(3)]
		}
	}
	return keys
}

// compare runs keys[start:] sequentially and through split (order picks who reads first) on one
// read transaction and fails unless rc and the whole out buffer are identical.
func (f splitFixture) compare(t *testing.T, keys [][]byte, start, outCap int, order string) {
	t.Helper()
	dh, _ := dbHandles.get(f.h)
	db := dh.st.db
	lease := dh.st.reads.acquire(db)
	defer dh.st.reads.release(lease)
	want, got := make([]byte, outCap), make([]byte, outCap)
	wantRC := getManySeq(rowsOf(db), lease.txn, keys, start, want)
	var gotRC int32
	s := newSplit(keys, start) // for the two forced orders
	switch order {
	case "concurrent":
		// Another test's abandoned helper may hold the slot until it gets to run.
		ok := false
		for tries := 0; !ok && tries < 1000; tries++ {
			if gotRC, ok = getManySplit(db, lease.txn, keys, start, got); !ok {
				time.Sleep(time.Millisecond)
			}
		}
		if !ok {
			t.Fatal("no helper slot free for a second")
		}
		splitPool.Put(s)
	case "helper-first": // the helper takes every key
		helpInline(s, db, lease.txn.ReadTs(), keys, start, outCap)
		gotRC = s.finish(keys, start, got, s.front(rowsOf(db), lease.txn, keys, start, got))
	case "caller-first": // the caller takes every key
		rc := s.front(rowsOf(db), lease.txn, keys, start, got)
		helpInline(s, db, lease.txn.ReadTs(), keys, start, outCap)
		gotRC = s.finish(keys, start, got, rc)
	case "abandoned": // the helper starts only after the caller finished
		gotRC = s.finish(keys, start, got, s.front(rowsOf(db), lease.txn, keys, start, got))
		helpInline(s, nil, 0, keys, start, outCap) // nil db: it must not touch the store
		if len(s.done) != 0 {
			t.Fatal("an abandoned helper ran")
		}
	}
	if gotRC != wantRC || !bytes.Equal(got, want) {
		t.Fatalf("%s, %d keys from %d, out %d: rc %d, want %d (same bytes: %v)", order, len(keys), start, outCap, gotRC, wantRC, bytes.Equal(got, want))
	}
}

func TestGetManySplitMatchesSequential(t *testing.T) {
	f := newSplitFixture(t)
	for round := 0; round < 300; round++ {
		keys := f.keys(1+f.rng.Intn(400), round%3 == 0)
		start := f.rng.Intn(len(keys))
		outCap := []int{4, 50, 300, 2000, 20000, 200000}[f.rng.Intn(6)] + f.rng.Intn(64)
		for _, order := range []string{"concurrent", "helper-first", "caller-first", "abandoned"} {
			f.compare(t, keys, start, outCap, order)
		}
	}
}

func TestGetManySplitTooSmallBoundary(t *testing.T) {
	f := newSplitFixture(t)
	keys := f.keys(100, false)
	out := make([]byte, 1<<20)
	rc := getManyThrough(f.h, keys, out)
	if rc != 100 {
		t.Fatalf("rc %d", rc)
	}
	first := 4 + max(int(int32(binary.LittleEndian.Uint32(out))), 0)
	for _, order := range []string{"concurrent", "helper-first", "caller-first", "abandoned"} {
		f.compare(t, keys, 0, first-1, order) // TOO_SMALL with the first record's size
		f.compare(t, keys, 0, first, order)   // exactly the first record: returns 1
	}
}

// getManyThrough is doGetMany on keys from 0.
func getManyThrough(h int32, keys [][]byte, out []byte) int32 {
	return doGetMany(h, encodeKeys(keys), 0, out)
}

// Several callers at once (Workers, owner clients) share the bounded helper slots; a writer commits
// whole generations of every key, so each answer must come from one snapshot: one generation.
func TestGetManySplitConcurrentCallersReadOneSnapshot(t *testing.T) {
	h, _ := openTemp(t)
	keys := make([][]byte, 300)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("g%03d", i))
	}
	writeGen := func(gen int) {
		var ops []writeOp
		for _, k := range keys {
			ops = append(ops, writeOp{op: opPut, key: k, value: []byte(fmt.Sprintf("%06d", gen))})
		}
		out := make([]byte, 1024)
		if rc := doWrite(h, encodeWrite(ops), out); rc != 0 {
			t.Errorf("write rc %d: %s", rc, message(out))
		}
	}
	writeGen(0)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for gen := 1; ; gen++ {
			select {
			case <-stop:
				return
			default:
				writeGen(gen)
			}
		}
	}()
	var readers sync.WaitGroup
	for r := 0; r < 4; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			out := make([]byte, 64*1024)
			for n := 0; n < 100; n++ {
				if rc := getManyThrough(h, keys, out); rc != int32(len(keys)) {
					t.Errorf("rc %d", rc)
					return
				}
				for i := range keys {
					if rec := out[i*10 : i*10+10]; !bytes.Equal(rec[4:], out[4:10]) {
						t.Errorf("key %d reads %q, key 0 reads %q: two snapshots", i, rec[4:], out[4:10])
						return
					}
				}
			}
		}()
	}
	readers.Wait()
	close(stop)
	wg.Wait()
}

// A client's get_many runs on the owner (serve.go calls doGetMany there), split or not; partial
// fills resume at the index returned, so reading 400 keys through a 2 KiB buffer takes several rounds.
func TestGetManyLargeThroughTheOwner(t *testing.T) {
	dir := t.TempDir()
	owner := startChild(t, "owner", mpConfig(dir))
	owner.expect(t, "ready")
	h := openCfg(t, mpConfig(dir))
	var ops []writeOp
	for i := 0; i < 500; i++ {
		ops = append(ops, put(fmt.Sprintf("o%03d", i), fmt.Sprintf("v%d", i*i)))
	}
	rWrite(t, h, ops...)
	keys := make([][]byte, 400)
	for j := range keys {
		keys[j] = []byte(fmt.Sprintf("o%03d", (j*37)%550)) // 500..549 are missing
	}
	req, out := encodeKeys(keys), make([]byte, 2048)
	for start, rounds := 0, 0; start < len(keys); rounds++ {
		rc := routeGetMany(h, req, int32(start), out)
		if rc <= int32(start) || rounds > 100 {
			t.Fatalf("get_many from %d: rc %d", start, rc)
		}
		pos := 0
		for j := start; j < int(rc); j++ {
			want, i := "<missing>", (j*37)%550
			if i < 500 {
				want = fmt.Sprintf("v%d", i*i)
			}
			got, n := "<missing>", int32(binary.LittleEndian.Uint32(out[pos:]))
			pos += 4
			if n >= 0 {
				got, pos = string(out[pos:pos+int(n)]), pos+int(n)
			}
			if got != want {
				t.Fatalf("key %d (%s) reads %q, want %q", j, keys[j], got, want)
			}
		}
		start = int(rc)
	}
}

package main

// The floor for bench/RESULTS.md: the shared workload (16-byte keys 'user:' + 11 digits, 100-byte
// random values, batches of 1000, no fsync) on native Badger with the library's own options, and
// through the Go side of the ABI (doWrite, doGet, ...) without cgo. Run the same N as `npm run bench`:
//
//	go test -run '^$' -bench Floor -benchtime 200000x
//
// Each sub-benchmark reports ops/s; ns/op is per record (per key for batches and scans).

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

const floorN = 200_000
const floorBatch = 1000

// floorData is the workload: keys in order, random values, and a shuffled read order. Keys and
// values live in two flat blocks, so the benchmark's own heap has no pointers for the GC to scan.
type floorData struct {
	keyBlock []byte
	valBlock []byte
	order    []int
}

func newFloorData() floorData {
	d := floorData{keyBlock: make([]byte, 0, 16*floorN), valBlock: make([]byte, 100*floorN), order: mrand.Perm(floorN)}
	for i := 0; i < floorN; i++ {
		d.keyBlock = fmt.Appendf(d.keyBlock, "user:%011d", i)
	}
	rand.Read(d.valBlock)
	return d
}

func (d floorData) key(i int) []byte { return d.keyBlock[16*i : 16*i+16 : 16*i+16] }
func (d floorData) val(i int) []byte { return d.valBlock[100*i : 100*i+100 : 100*i+100] }

func reportRate(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// floorConfig is the open JSON of sky_open: the library defaults, or FLOOR_CONFIG's overrides
// (e.g. FLOOR_CONFIG='{"indexCacheSize":0}') to measure a proposed default before changing it.
func floorConfig(dir string) string {
	cfg := map[string]any{}
	if extra := os.Getenv("FLOOR_CONFIG"); extra != "" {
		if err := json.Unmarshal([]byte(extra), &cfg); err != nil {
			panic("FLOOR_CONFIG: " + err.Error())
		}
	}
	cfg["path"], cfg["logLevel"] = dir, "none"
	raw, _ := json.Marshal(cfg)
	return string(raw)
}

// FLOOR_BADGER sets Badger knobs that Config does not expose, for every open of this test binary,
// e.g. FLOOR_BADGER='{"blockSize":1024,"bloomFalsePositive":0.001,"numLevelZeroTables":5}'.
func init() {
	raw := os.Getenv("FLOOR_BADGER")
	if raw == "" {
		return
	}
	var k struct {
		BlockSize           int     `json:"blockSize"`
		BloomFalsePositive  float64 `json:"bloomFalsePositive"`
		NumLevelZeroTables  int     `json:"numLevelZeroTables"`
		BaseTableSize       int64   `json:"baseTableSize"`
		BaseLevelSize       int64   `json:"baseLevelSize"`
		LevelSizeMultiplier int     `json:"levelSizeMultiplier"`
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&k); err != nil {
		panic("FLOOR_BADGER: " + err.Error())
	}
	tuneBadger = func(o badger.Options) badger.Options {
		if k.BlockSize > 0 {
			o = o.WithBlockSize(k.BlockSize)
		}
		if k.BloomFalsePositive > 0 {
			o = o.WithBloomFalsePositive(k.BloomFalsePositive)
		}
		if k.NumLevelZeroTables > 0 {
			o = o.WithNumLevelZeroTables(k.NumLevelZeroTables).WithNumLevelZeroTablesStall(max(o.NumLevelZeroTablesStall, 2*k.NumLevelZeroTables))
		}
		if k.BaseTableSize > 0 {
			o = o.WithBaseTableSize(k.BaseTableSize)
		}
		if k.BaseLevelSize > 0 {
			o = o.WithBaseLevelSize(k.BaseLevelSize)
		}
		if k.LevelSizeMultiplier > 0 {
			o = o.WithLevelSizeMultiplier(k.LevelSizeMultiplier)
		}
		return o
	}
}

// openFloorDB opens Badger with exactly the options sky_open would use for this directory.
func openFloorDB(b *testing.B) *badger.DB {
	cfg, perr := parseConfig([]byte(floorConfig(b.TempDir())))
	if perr != nil {
		b.Fatal(perr)
	}
	db, err := badger.Open(cfg.badgerOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

func fillFloorDB(b *testing.B, db *badger.DB, d floorData) {
	for start := 0; start < floorN; start += floorBatch {
		txn := db.NewTransaction(true)
		for i := start; i < start+floorBatch; i++ {
			if err := txn.Set(d.key(i), d.val(i)); err != nil {
				b.Fatal(err)
			}
		}
		if err := txn.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFloorBadger is native Badger: one transaction per put or get, as the ABI does. Like
// `npm run bench`, each write phase starts from an empty store and the reads use the put-batch one.
func BenchmarkFloorBadger(b *testing.B) {
	d := newFloorData()
	db := openFloorDB(b)
	b.Run("put-single", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			txn := db.NewTransaction(true)
			if err := txn.Set(d.key(i%floorN), d.val(i%floorN)); err != nil {
				b.Fatal(err)
			}
			if err := txn.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b)
	})
	db = openFloorDB(b)
	written := 0
	b.Run("put-batch", func(b *testing.B) {
		written = max(written, b.N)
		for start := 0; start < b.N; start += floorBatch {
			txn := db.NewTransaction(true)
			for i := start; i < min(b.N, start+floorBatch); i++ {
				if err := txn.Set(d.key(i%floorN), d.val(i%floorN)); err != nil {
					b.Fatal(err)
				}
			}
			if err := txn.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b)
	})
	if written < floorN { // a shorter -benchtime: the reads need every key
		fillFloorDB(b, db, d)
	}
	out := make([]byte, 64*1024)
	b.Run("get-random", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			txn := db.NewTransaction(false)
			item, err := txn.Get(d.key(d.order[i%floorN]))
			if err != nil {
				b.Fatal(err)
			}
			if err := item.Value(func(v []byte) error { copy(out, v); return nil }); err != nil {
				b.Fatal(err)
			}
			txn.Discard()
		}
		reportRate(b)
	})
	b.Run("get-batch", func(b *testing.B) {
		for start := 0; start < b.N; start += floorBatch {
			txn := db.NewTransaction(false)
			pos := 0
			for i := start; i < min(b.N, start+floorBatch); i++ {
				item, err := txn.Get(d.key(d.order[i%floorN]))
				if err != nil {
					b.Fatal(err)
				}
				if err := item.Value(func(v []byte) error { pos += copy(out[pos%32768:], v); return nil }); err != nil {
					b.Fatal(err)
				}
			}
			txn.Discard()
		}
		reportRate(b)
	})
	b.Run("scan", func(b *testing.B) {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		for done := 0; done < b.N; {
			txn := db.NewTransaction(false)
			it := txn.NewIterator(opts)
			for it.Rewind(); it.Valid() && done < b.N; it.Next() {
				item := it.Item()
				copy(out, item.Key())
				if err := item.Value(func(v []byte) error { copy(out[64:], v); return nil }); err != nil {
					b.Fatal(err)
				}
				done++
			}
			it.Close()
			txn.Discard()
		}
		reportRate(b)
	})
}

// BenchmarkFloorABI is the same workload through the Go side of the ABI (request decode, handle
// lookup, checks, response encode), without the cgo crossing: the ceiling for the Node side.
func BenchmarkFloorABI(b *testing.B) {
	d := newFloorData()
	out := make([]byte, 64*1024)
	open := func() int32 {
		h := doOpen([]byte(floorConfig(b.TempDir())), out)
		if h <= 0 {
			b.Fatalf("open: rc %d: %s", h, message(out))
		}
		b.Cleanup(func() { closeHandle(h) })
		return h
	}
	h := open()
	writeReq := func(from, to int) []byte {
		buf := binary.LittleEndian.AppendUint32(nil, uint32(to-from))
		for i := from; i < to; i++ {
			buf = append(buf, opPut)
			buf = putBytes(buf, d.key(i%floorN))
			buf = putBytes(buf, d.val(i%floorN))
		}
		return buf
	}
	b.Run("put-single", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if rc := doWrite(h, writeReq(i, i+1), out); rc != 0 {
				b.Fatalf("write rc %d", rc)
			}
		}
		reportRate(b)
	})
	h = open()
	written := 0
	b.Run("put-batch", func(b *testing.B) {
		written = max(written, b.N)
		for start := 0; start < b.N; start += floorBatch {
			if rc := doWrite(h, writeReq(start, min(b.N, start+floorBatch)), out); rc != 0 {
				b.Fatalf("write rc %d", rc)
			}
		}
		reportRate(b)
	})
	// Like `npm run bench`, the reads use the store put-batch wrote (each key once); a shorter
	// -benchtime leaves keys out, so then the store is filled first.
	for start := 0; written < floorN && start < floorN; start += floorBatch {
		if rc := doWrite(h, writeReq(start, start+floorBatch), out); rc != 0 {
			b.Fatalf("fill rc %d", rc)
		}
	}
	b.Run("get-random", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if rc := doGet(h, d.key(d.order[i%floorN]), out); rc != 100 {
				b.Fatalf("get rc %d", rc)
			}
		}
		reportRate(b)
	})
	big := make([]byte, 256*1024)
	b.Run("get-batch", func(b *testing.B) {
		getManyInBatches(b, h, d, floorBatch, big)
	})
	b.Run("scan", func(b *testing.B) {
		for done := 0; done < b.N; {
			it := openIter(h, encodeSpec(iterSpec{}), out)
			for done < b.N {
				n := nextChunk(it, 1024, big)
				if n <= 0 {
					break
				}
				done += int(n)
			}
			closeIter(it)
		}
		reportRate(b)
	})
	b.Run("get-random-parallel", func(b *testing.B) {
		// Readers on several goroutines at once (Workers): each borrows its own read transaction.
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			own := make([]byte, 256)
			for pb.Next() {
				i := int(next.Add(1))
				if rc := doGet(h, d.key(d.order[i%floorN]), own); rc != 100 {
					b.Errorf("get rc %d", rc)
					return
				}
			}
		})
		reportRate(b)
	})
	b.Run("read-modify-write", func(b *testing.B) {
		// A read right after a commit: the read transaction the committer opened is ready.
		for i := 0; i < b.N; i++ {
			k := d.order[i%floorN]
			if rc := doGet(h, d.key(k), out); rc != 100 {
				b.Fatalf("get rc %d", rc)
			}
			if rc := doWrite(h, writeReq(k, k+1), out); rc != 0 {
				b.Fatalf("write rc %d", rc)
			}
		}
		reportRate(b)
	})
}

// getManyInBatches reads b.N keys of d in d's shuffled order with one get_many per n keys.
func getManyInBatches(b *testing.B, h int32, d floorData, n int, big []byte) {
	for start := 0; start < b.N; start += n {
		keys := make([][]byte, 0, n)
		for i := start; i < min(b.N, start+n); i++ {
			keys = append(keys, d.key(d.order[i%floorN]))
		}
		if rc := doGetMany(h, encodeKeys(keys), 0, big); rc != int32(len(keys)) {
			b.Fatalf("get_many rc %d", rc)
		}
	}
	reportRate(b)
}

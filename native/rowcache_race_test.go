package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Writers and readers hammer a few keys with the row cache on. Each key has one writer, which
// numbers its operations (every 5th a delete). Checked:
//   - read-your-writes: a read that starts after a write returned sees it or something newer, and
//     nothing that had not started (every read: get, get_many on its split path);
//   - snapshots: a read through the cache at any snapshot, old ones included, answers exactly
//     what Badger answers at that snapshot (point reads and get_many's split path).
const hammerKeys = 16

type hammerKey struct {
	started  atomic.Int64 // the number of the operation in flight or last done
	returned atomic.Int64 // the number of the last operation whose write returned
}

type hammer struct {
	t    *testing.T
	h    int32
	keys [hammerKeys]hammerKey
	stop atomic.Bool
}

func hammerName(i int) string { return fmt.Sprintf("key%02d", i) }

// write runs one writer over the keys i with i%writers == w.
func (hm *hammer) write(w, writers int) {
	out := make([]byte, 1024)
	for seq := int64(1); !hm.stop.Load(); seq++ {
		for i := w; i < hammerKeys; i += writers {
			op := writeOp{op: opPut, key: []byte(hammerName(i)), value: strconv.AppendInt(nil, seq, 10)}
			if seq%5 == 0 {
				op = writeOp{op: opDelete, key: op.key}
			}
			hm.keys[i].started.Store(seq)
			if rc := doWrite(hm.h, encodeWrite([]writeOp{op}), out); rc != 0 {
				hm.t.Errorf("write: rc %d: %s", rc, message(out))
				return
			}
			hm.keys[i].returned.Store(seq)
		}
	}
}

// check fails unless got (a value or "<missing>") of key i fits the operations bracketing the read.
func (hm *hammer) check(i int, got string, from, to int64, how string) {
	if got == "<missing>" {
		for s := from; s <= to; s++ {
			if s == 0 || s%5 == 0 {
				return
			}
		}
	} else if s, err := strconv.ParseInt(got, 10, 64); err == nil && s >= from && s <= to {
		return
	}
	hm.t.Errorf("%s: %s = %q, but operations %d..%d were the only ones possible", how, hammerName(i), got, from, to)
	hm.stop.Store(true)
}

// readLatest checks read-your-writes through get and get_many (split: 160 keys).
func (hm *hammer) readLatest(r *rand.Rand) {
	var from [hammerKeys]int64
	for i := range hm.keys {
		from[i] = hm.keys[i].returned.Load()
	}
	var got [hammerKeys]string
	if r.IntN(2) == 0 {
		for i := range got {
			got[i] = mustGet(hm.t, hm.h, hammerName(i))
		}
	} else {
		got = hm.getMany()
	}
	for i := range got {
		hm.check(i, got[i], from[i], hm.keys[i].started.Load(), "latest")
	}
}

// getMany reads every key ten times in one get_many and checks the copies agree.
func (hm *hammer) getMany() (got [hammerKeys]string) {
	keys := make([][]byte, 10*hammerKeys)
	for i := range keys {
		keys[i] = []byte(hammerName(i % hammerKeys))
	}
	out := make([]byte, 1<<16)
	if rc := doGetMany(hm.h, encodeKeys(keys), 0, out); rc != int32(len(keys)) {
		hm.t.Fatalf("get_many: rc %d", rc)
	}
	for i, vals := 0, decodeRecords(out, len(keys)); i < len(keys); i++ {
		if i >= hammerKeys && vals[i] != got[i%hammerKeys] {
			hm.t.Errorf("one get_many read %s as %q and %q", keys[i], got[i%hammerKeys], vals[i])
		}
		got[i%hammerKeys] = vals[i]
	}
	return got
}

// decodeRecords splits get_many's `[i32 len][bytes]` records.
func decodeRecords(out []byte, n int) []string {
	vals := make([]string, n)
	for i, pos := 0, 0; i < n; i++ {
		l := binary.LittleEndian.Uint32(out[pos:])
		pos += 4
		if l == 0xFFFFFFFF {
			vals[i] = "<missing>"
			continue
		}
		vals[i] = string(out[pos : pos+int(l)])
		pos += int(l)
	}
	return vals
}

// readSnapshot holds a snapshot across writes and compares cached reads with Badger's own.
func (hm *hammer) readSnapshot(r *rand.Rand) {
	dh, _ := dbHandles.get(hm.h)
	db, rc := dh.st.db, rowsOf(dh.st.db)
	l := openRead(db)
	defer l.discard()
	for round := 0; round < 3; round++ {
		time.Sleep(time.Duration(r.IntN(200)) * time.Microsecond)
		for i := 0; i < hammerKeys; i++ {
			k := hammerName(i)
			if got, want := cachedGet(hm.t, rc, l.txn, k), rawGet(hm.t, l.txn, k); got != want {
				hm.t.Errorf("snapshot %d: cached %s = %q, Badger says %q", l.txn.ReadTs(), k, got, want)
				hm.stop.Store(true)
			}
		}
		keys := make([][]byte, 10*hammerKeys)
		for i := range keys {
			keys[i] = []byte(hammerName(r.IntN(hammerKeys)))
		}
		want, got := make([]byte, 1<<16), make([]byte, 1<<16)
		wantRC := getManySeq(nil, l.txn, keys, 0, want) // nil: no cache, Badger alone
		gotRC, ok := getManySplit(db, l.txn, keys, 0, got)
		if !ok {
			gotRC = getManySeq(rc, l.txn, keys, 0, got)
		}
		if gotRC != wantRC || string(got) != string(want) {
			hm.t.Errorf("snapshot %d: get_many through the cache differs from Badger's", l.txn.ReadTs())
			hm.stop.Store(true)
		}
	}
}

func TestRowCacheHammer(t *testing.T) {
	h, _, rc := openRows(t, 1<<20)
	hm := &hammer{t: t, h: h}
	var wg sync.WaitGroup
	const writers = 2
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() { defer wg.Done(); hm.write(w, writers) }()
	}
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 7))
			for !hm.stop.Load() {
				if g%2 == 0 {
					hm.readLatest(r)
				} else {
					hm.readSnapshot(r)
				}
			}
		}()
	}
	time.Sleep(3 * time.Second)
	hm.stop.Store(true)
	wg.Wait()
	if st := rc.stats(); st.Hits == 0 {
		t.Fatalf("the cache was never hit (%+v): the test proved nothing", st)
	}
	t.Logf("row cache: %+v; writes: %d", rc.stats(), hm.keys[0].returned.Load())
}

// Several writers commit the same keys at once (unchecked commits run concurrently, so a later
// timestamp may update the cache before an earlier one): a cached read at any snapshot still
// answers exactly what Badger answers there.
func TestRowCacheWriteThroughConcurrentWriters(t *testing.T) {
	h, db, rc := openRows(t, 1<<20)
	dh, _ := dbHandles.get(h)
	const keys = 4
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; !stop.Load(); n++ {
				k := []byte(hammerName(n % keys))
				op := writeOp{op: opPut, key: k, value: fmt.Appendf(nil, "w%d:%d", w, n)}
				if n%7 == 3 {
					op = writeOp{op: opDelete, key: k}
				}
				if err := commitOps(db, dh.st.cfg, []writeOp{op}); err != nil {
					t.Errorf("commit: %v", err)
					return
				}
			}
		}()
	}
	var compared atomic.Int64
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				l := openRead(db)
				for i := 0; i < keys; i++ {
					k := hammerName(i)
					if got, want := cachedGet(t, rc, l.txn, k), rawGet(t, l.txn, k); got != want {
						t.Errorf("snapshot %d: cached %s = %q, Badger says %q", l.txn.ReadTs(), k, got, want)
						stop.Store(true)
					}
					compared.Add(1)
				}
				l.discard()
			}
		}()
	}
	time.Sleep(2 * time.Second)
	stop.Store(true)
	wg.Wait()
	if st := rc.stats(); st.Hits == 0 {
		t.Fatalf("the cache was never hit (%+v): the test proved nothing", st)
	}
	t.Logf("row cache: %+v; reads compared: %d", rc.stats(), compared.Load())
}

package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

func TestScanRangeShapes(t *testing.T) {
	gte := t1Range(false).gte
	if !isPrefixRange(gte, t1Range(false).lt) || !wholeElements(gte) {
		t.Fatal("a find's range is not recognised")
	}
	if isPrefixRange(gte, append(bytes.Clone(gte), 1)) || isPrefixRange([]byte{0xff}, []byte{0}) {
		t.Fatal("a range that is not one prefix's was taken for one")
	}
	if !isPrefixRange([]byte{1, 0xff, 0xff}, []byte{2}) {
		t.Fatal("trailing 0xff bytes are dropped by the upper bound")
	}
	for _, p := range [][]byte{ikey(str("i"))[:len(ikey(str("i")))-1], gte[:len(gte)-1], append(bytes.Clone(gte), 0x10, 1), ikey(str("i"), str("ns"))} {
		if wholeElements(p) {
			t.Errorf("%x is not a marker and two or more whole elements", p)
		}
	}
	var prefixes []string
	eachPrefix(entKey(str("t1"), num(7)), func(p []byte) { prefixes = append(prefixes, fmt.Sprintf("%x", p)) })
	if len(prefixes) != 4 || prefixes[2] != fmt.Sprintf("%x", gte) {
		t.Fatalf("prefixes %v: want 4 (2..5 elements), the third being the range's %x", prefixes, gte)
	}
}

// scanT1 runs the find of team t1 and returns its items (decodeJoined) and the scan cache's stats.
func scanT1(t *testing.T, h int32) (string, scanStats) {
	t.Helper()
	out := make([]byte, 4096)
	n := doIndexScan(h, indexScanReq(t1Range(false)), 256, out)
	if n < 0 {
		t.Fatalf("rc %d: %s", n, message(out))
	}
	items, done := decodeJoined(out, n)
	if !done {
		t.Fatal("the whole range fits: the answer must say done")
	}
	var st scanStats
	withDB(h, func(_ *dbHandle, db *badger.DB) int32 { st = rowsOf(db).scanStats(); return 0 })
	return strings.Join(items, " "), st
}

func TestScanCacheAnswersRepeatedFindsAndSeesEveryWrite(t *testing.T) {
	h, _ := openTemp(t)
	write := func(ops ...writeOp) {
		t.Helper()
		if rc := doWrite(h, encodeWrite(ops), make([]byte, 256)); rc != 0 {
			t.Fatalf("write rc %d", rc)
		}
	}
	seedIndex(t, h, write)
	const want = "a=rec-a b=rec-b c=<none>"
	for i := 0; i < 3; i++ { // first scan: seen; second: kept; third: answered
		if got, _ := scanT1(t, h); got != want {
			t.Fatalf("scan %d: %q", i, got)
		}
	}
	if _, st := scanT1(t, h); st.Ranges != 1 || st.Hits < 2 {
		t.Fatalf("the repeated find was not answered from the cache: %+v", st)
	}
	steps := []struct {
		ops  []writeOp
		want string
	}{
		{[]writeOp{{op: opPut, key: entKey(str("t1"), str("d"))}}, "a=rec-a b=rec-b c=<none> d=rec-d"},           // an entry added
		{[]writeOp{{op: opDelete, key: entKey(str("t1"), str("a"))}}, "b=rec-b c=<none> d=rec-d"},                // an entry removed
		{[]writeOp{{op: opPut, key: recKey(str("b")), value: []byte("new-b")}}, "b=new-b c=<none> d=rec-d"},      // a record changed
		{[]writeOp{{op: opPut, key: entKey(str("t2"), str("e"))}}, "b=new-b c=<none> d=rec-d"},                   // another value's entry
		{[]writeOp{{op: opPut, key: ikey(str("i"), str("ns"), str("team"), str("t1"), str("x"), str("y"))}}, ""}, // a longer key under the prefix
	}
	for i, s := range steps {
		write(s.ops...)
		for j := 0; j < 3; j++ {
			got, _ := scanT1(t, h)
			if s.want != "" && got != s.want {
				t.Fatalf("step %d, scan %d: got %q, want %q", i, j, got, s.want)
			}
			if s.want == "" && !strings.Contains(got, "y=<none>") {
				t.Fatalf("step %d, scan %d: the entry under the range's prefix is missing: %q", i, j, got)
			}
		}
	}
}

// TestScanCacheNeverServesAStaleRange: a writer slides a window of 4 entries through one index
// value, one commit per step (put the newest, delete the oldest), pausing between apply and
// visibility; readers scan the range and check that each answer is one whole window, never older
// than the last step committed before the scan began.
func TestScanCacheNeverServesAStaleRange(t *testing.T) {
	h, _ := openTemp(t)
	const window, steps = 4, 600
	pk := func(i int) []byte { return str(fmt.Sprintf("%06d", i)) }
	commit := func(i int) {
		ops := []writeOp{{op: opPut, key: entKey(str("t1"), pk(i))}, {op: opPut, key: recKey(pk(i)), value: []byte("r")}}
		if i > window {
			ops = append(ops, writeOp{op: opDelete, key: entKey(str("t1"), pk(i-window))})
		}
		if rc := doWrite(h, encodeWrite(ops), make([]byte, 256)); rc != 0 {
			t.Errorf("write rc %d", rc)
		}
	}
	pause := func(stage string) {
		if stage == "applied" {
			time.Sleep(20 * time.Microsecond)
		}
	}
	testHookCommit.Store(&pause)
	defer testHookCommit.Store(nil)
	commit(1)
	var committed atomic.Int64
	committed.Store(1)
	var stop atomic.Bool
	var wg sync.WaitGroup
	var scans, stale atomic.Int64
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := make([]byte, 8192)
			req := indexScanReq(t1Range(false))
			for !stop.Load() {
				before := int(committed.Load())
				n := doIndexScan(h, req, 256, out)
				if n <= 0 {
					t.Errorf("scan rc %d", n)
					return
				}
				first, last, ok := windowOf(out, n)
				scans.Add(1)
				if !ok || last < before || first != max(1, last-window+1) {
					stale.Add(1)
					if stale.Load() < 5 {
						t.Errorf("scan after step %d answered entries %d..%d (whole: %v)", before, first, last, ok)
					}
				}
			}
		}()
	}
	for i := 2; i <= steps; i++ {
		commit(i)
		committed.Store(int64(i))
	}
	stop.Store(true)
	wg.Wait()
	var st scanStats
	withDB(h, func(_ *dbHandle, db *badger.DB) int32 { st = rowsOf(db).scanStats(); return 0 })
	t.Logf("%d scans, %d stale; cache %+v", scans.Load(), stale.Load(), st)
	if st.Hits == 0 {
		t.Fatal("no scan was answered from the cache: the test would pass without it")
	}
}

// windowOf reads the entry numbers of an index scan answer: the first and last, and whether they
// are consecutive, each with its record.
func windowOf(out []byte, n int32) (first, last int, ok bool) {
	pos := 1
	ok = true
	for i := int32(0); i < n; i++ {
		kl := int(binary.LittleEndian.Uint32(out[pos:]))
		k := out[pos+4 : pos+4+kl]
		pos += 4 + kl
		vl := int32(binary.LittleEndian.Uint32(out[pos:]))
		pos += 4 + max(int(vl), 0)
		var num int
		fmt.Sscanf(string(k[len(k)-8:len(k)-2]), "%06d", &num)
		if i == 0 {
			first = num
		} else if num != last+1 {
			ok = false
		}
		last = num
		ok = ok && vl == 1
	}
	return first, last, ok
}

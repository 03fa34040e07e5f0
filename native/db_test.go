package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"sync"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

func TestPutGetDelete(t *testing.T) {
	h, _ := openTemp(t)
	mustWrite(t, h, "a", "1", "b", "2")
	if got := mustGet(t, h, "a"); got != "1" {
		t.Fatalf("a = %q", got)
	}
	out := make([]byte, 64)
	if rc := doWrite(h, encodeWrite([]writeOp{{op: opDelete, key: []byte("a")}}), out); rc != 0 {
		t.Fatalf("delete rc %d", rc)
	}
	if got := mustGet(t, h, "a"); got != "<missing>" {
		t.Fatalf("deleted key reads %q", got)
	}
	if doHas(h, []byte("b"), out) != 1 || doHas(h, []byte("a"), out) != 0 {
		t.Fatal("has is wrong")
	}
}

func TestGetReportsNeededSizeWhenTooSmall(t *testing.T) {
	h, _ := openTemp(t)
	mustWrite(t, h, "k", "0123456789")
	out := make([]byte, 5)
	if rc := doGet(h, []byte("k"), out); rc != -codeTooSmall || binary.LittleEndian.Uint32(out) != 10 {
		t.Fatalf("rc %d, need %d", rc, binary.LittleEndian.Uint32(out))
	}
}

func TestGetManyResumesWhereTheBufferFilled(t *testing.T) {
	h, _ := openTemp(t)
	mustWrite(t, h, "a", "aaaa", "c", "cccc")
	req := encodeKeys([][]byte{[]byte("a"), []byte("b"), []byte("c")})
	out := make([]byte, 12) // fits [4+4] and [4] but not the third record
	if rc := doGetMany(h, req, 0, out); rc != 2 {
		t.Fatalf("first chunk rc %d", rc)
	}
	if binary.LittleEndian.Uint32(out) != 4 || string(out[4:8]) != "aaaa" || int32(binary.LittleEndian.Uint32(out[8:])) != -1 {
		t.Fatalf("first chunk %x", out)
	}
	if rc := doGetMany(h, req, 2, out); rc != 3 || string(out[4:8]) != "cccc" {
		t.Fatalf("second chunk rc %d %x", rc, out)
	}
	small := make([]byte, 6)
	if rc := doGetMany(h, req, 0, small); rc != -codeTooSmall || binary.LittleEndian.Uint32(small) != 8 {
		t.Fatalf("too small rc %d", rc)
	}
	if rc := doGetMany(h, req, 4, out); rc != -codeInvalid {
		t.Fatalf("bad start rc %d", rc)
	}
}

func TestWriteIsAtomic(t *testing.T) {
	h, _ := openTemp(t)
	ops := []writeOp{{op: opPut, key: []byte("ok"), value: []byte("1")}, {op: opPut, key: make([]byte, 70000), value: []byte("2")}}
	out := make([]byte, 256)
	if rc := doWrite(h, encodeWrite(ops), out); rc != -codeKeyTooLarge {
		t.Fatalf("rc %d: %s", rc, message(out))
	}
	if got := mustGet(t, h, "ok"); got != "<missing>" {
		t.Fatal("half of a failed batch was applied")
	}
	mustWrite(t, h, "after", "x") // the store is still usable
}

func TestLimitsMapToTheirCodes(t *testing.T) {
	h, _ := openTemp(t)
	mem := openAt(t, "")
	out := make([]byte, 256)
	cases := []struct {
		h    int32
		op   writeOp
		code int32
	}{
		{h, writeOp{op: opPut, key: make([]byte, 65001), value: nil}, codeKeyTooLarge},
		{h, writeOp{op: opPut, key: []byte{}, value: []byte("v")}, codeInvalid},
		{h, writeOp{op: opPut, key: []byte("!badger!x"), value: []byte("v")}, codeInvalid},
		{h, writeOp{op: opPut, key: []byte("big"), value: make([]byte, 64*mib+1)}, codeValueTooLarge},
		{mem, writeOp{op: opPut, key: []byte("big"), value: make([]byte, 2*mib)}, codeValueTooLarge},
	}
	for i, c := range cases {
		if rc := doWrite(c.h, encodeWrite([]writeOp{c.op}), out); rc != -c.code {
			t.Errorf("case %d: rc %d, want %d: %s", i, rc, -c.code, message(out))
		}
	}
	if rc := doGet(h, make([]byte, 70000), out); rc != -codeKeyTooLarge {
		t.Errorf("get of a huge key: rc %d", rc)
	}
}

func TestHugeBatchIsTxnTooBig(t *testing.T) {
	h, _ := openTemp(t)
	var ops []writeOp
	for i := 0; i < 40000; i++ {
		ops = append(ops, writeOp{op: opPut, key: binary.BigEndian.AppendUint32([]byte("k"), uint32(i)), value: make([]byte, 100)})
	}
	out := make([]byte, 256)
	if rc := doWrite(h, encodeWrite(ops), out); rc != -codeTxnTooBig {
		t.Fatalf("rc %d: %s", rc, message(out))
	}
}

func TestTenMegabyteValueRoundTripsOnDisk(t *testing.T) {
	h, dir := openTemp(t)
	val := bytes.Repeat([]byte{0xAB, 0xCD}, 5*mib)
	out := make([]byte, 64)
	if rc := doWrite(h, encodeWrite([]writeOp{{op: opPut, key: []byte("big"), value: val}}), out); rc != 0 {
		t.Fatalf("rc %d: %s", rc, message(out))
	}
	closeHandle(h)
	h2 := openAt(t, dir)
	big := make([]byte, len(val))
	if rc := doGet(h2, []byte("big"), big); rc != int32(len(val)) || !bytes.Equal(big, val) {
		t.Fatalf("rc %d", rc)
	}
}

func TestSamePathSharesOneDatabase(t *testing.T) {
	h1, dir := openTemp(t)
	h2 := openAt(t, dir+"/.") // cleaned to the same path
	if h1 == h2 || dbHandles.mustGet(h1).st != dbHandles.mustGet(h2).st {
		t.Fatal("the two opens do not share a store")
	}
	mustWrite(t, h1, "k", "v")
	if closeHandle(h1) != nil {
		t.Fatal("close failed")
	}
	if got := mustGet(t, h2, "k"); got != "v" {
		t.Fatalf("second handle reads %q after the first closed", got)
	}
	out := make([]byte, 64)
	if rc := doGet(h1, []byte("k"), out); rc != -codeClosed {
		t.Fatalf("closed handle rc %d", rc)
	}
}

func TestLastCloseReleasesTheDirectory(t *testing.T) {
	h, dir := openTemp(t)
	closeHandle(h)
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatalf("directory still locked: %v", err)
	}
	db.Close()
}

func TestLockedByAnotherOwner(t *testing.T) {
	dir := t.TempDir()
	// Badger's flock conflicts even within one process when the registry is bypassed,
	// which is what another process looks like to us.
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw, _ := json.Marshal(map[string]any{"path": dir, "logLevel": "none"})
	out := make([]byte, 512)
	if rc := doOpen(raw, out); rc != -codeLocked {
		t.Fatalf("rc %d: %s", rc, message(out))
	}
	if msg := message(out); !bytes.Contains([]byte(msg), []byte(dir)) || !bytes.Contains([]byte(msg), []byte("another process")) {
		t.Fatalf("message %q", msg)
	}
}

func TestUnknownAndClosedHandles(t *testing.T) {
	out := make([]byte, 64)
	for _, rc := range []int32{doGet(12345, []byte("k"), out), doHas(-1, []byte("k"), out), doWrite(0, nil, out), doSync(999, out), doStats(999, out)} {
		if rc != -codeClosed {
			t.Fatalf("rc %d", rc)
		}
	}
	if closeHandle(4242) != errClosed {
		t.Fatal("closing an unknown handle succeeded")
	}
}

func TestConcurrentOpensAndCallsShareSafely(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			raw, _ := json.Marshal(map[string]any{"path": dir, "logLevel": "none"})
			out := make([]byte, 256)
			h := doOpen(raw, out)
			if h <= 0 {
				t.Errorf("open rc %d: %s", h, message(out))
				return
			}
			for i := 0; i < 50; i++ {
				doWrite(h, encodeWrite([]writeOp{{op: opPut, key: []byte{byte(w), byte(i)}, value: []byte("v")}}), out)
				doGet(h, []byte{byte(w), byte(i)}, out)
			}
			closeHandle(h)
		}(w)
	}
	wg.Wait()
	h := openAt(t, dir)
	for w := 0; w < 8; w++ {
		if mustGet(t, h, string([]byte{byte(w), 49})) != "v" {
			t.Fatalf("writer %d lost its writes", w)
		}
	}
}

func TestStatsAndSync(t *testing.T) {
	h, dir := openTemp(t)
	out := make([]byte, 4096)
	if rc := doSync(h, out); rc != 0 {
		t.Fatalf("sync rc %d", rc)
	}
	rc := doStats(h, out)
	var stats map[string]any
	if rc <= 0 || json.Unmarshal(out[:rc], &stats) != nil || stats["path"] != dir {
		t.Fatalf("stats rc %d %s", rc, out[:max(rc, 0)])
	}
	if rc := doStats(h, out[:10]); rc != -codeTooSmall {
		t.Fatalf("small stats rc %d", rc)
	}
}

// mustGet is a test-only accessor for a live handle.
func (tb *table[T]) mustGet(h int32) T {
	v, ok := tb.get(h)
	if !ok {
		panic("no such handle")
	}
	return v
}

package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
)

// Keys built like docs/FORMAT.md's internal keys: 0xFE, elements, end marker 0x00.
func str(s string) []byte { return append(append([]byte{0x20}, s...), 0) }

func num(n byte) []byte { return []byte{0x10, 0xBF, n, 0, 0, 0, 0, 0, 0} }

func ikey(elems ...[]byte) []byte {
	k := []byte{0xFE}
	for _, e := range elems {
		k = append(k, e...)
	}
	return append(k, 0)
}

var recPrefix = ikey(str("m"), str("ns"))[:len(ikey(str("m"), str("ns")))-1] // no end marker

func recKey(pk []byte) []byte { return ikey(str("m"), str("ns"), pk) }

func entKey(value, pk []byte) []byte { return ikey(str("i"), str("ns"), str("team"), value, pk) }

func TestRecordKeyOfTakesTheLastElement(t *testing.T) {
	cases := []struct{ entry, want []byte }{
		{entKey(str("t1"), str("a")), recKey(str("a"))},
		{entKey(str("t1"), num(7)), recKey(num(7))},
		{ikey(str("i"), str("ns"), str("pair"), str("x"), num(1), str("a\x01\x01b")), recKey(str("a\x01\x01b"))},
		{entKey(str(""), []byte{0x30, 1, 1, 0xFF, 0}), recKey([]byte{0x30, 1, 1, 0xFF, 0})},
	}
	for _, c := range cases {
		got, ok := recordKeyOf(nil, recPrefix, c.entry)
		if !ok || !bytes.Equal(got, c.want) {
			t.Errorf("%x: got %x %v, want %x", c.entry, got, ok, c.want)
		}
	}
	bad := [][]byte{nil, {0xFE}, {0xFE, 0}, {0xFE, 0x20, 'a'}, {0xFE, 0x10, 1}, {0xFE, 0x77, 0}, append(entKey(str("t"), str("a")), 0), []byte("plain")}
	for _, b := range bad {
		if got, ok := recordKeyOf(nil, recPrefix, b); ok {
			t.Errorf("%x gave %x", b, got)
		}
	}
}

// decodeJoined lists an index scan answer as pk=record, pk=<none> or pk=<bad> (one-letter keys).
func decodeJoined(out []byte, n int32) (items []string, done bool) {
	pos := 1
	for i := int32(0); i < n; i++ {
		kl := int(binary.LittleEndian.Uint32(out[pos:]))
		k := out[pos+4 : pos+4+kl]
		pos += 4 + kl
		vl := int32(binary.LittleEndian.Uint32(out[pos:]))
		pos += 4
		v := "<none>"
		if vl == scanBadEntry {
			v = "<bad>"
		} else if vl >= 0 {
			v = string(out[pos : pos+int(vl)])
			pos += int(vl)
		}
		items = append(items, fmt.Sprintf("%c=%s", k[len(k)-3], v))
	}
	return items, out[0]&scanDone != 0
}

func indexScanReq(spec iterSpec) []byte {
	return appendIterSpec(putBytes(nil, recPrefix), spec)
}

// seedIndex writes records a, b, d (c's entry points at no record) and entries of team t1 and t2.
func seedIndex(t *testing.T, h int32, write func(ops ...writeOp)) {
	t.Helper()
	var ops []writeOp
	for _, pk := range []string{"a", "b", "d"} {
		ops = append(ops, writeOp{op: opPut, key: recKey(str(pk)), value: []byte("rec-" + pk)})
	}
	for _, pk := range []string{"a", "b", "c"} {
		ops = append(ops, writeOp{op: opPut, key: entKey(str("t1"), str(pk))})
	}
	ops = append(ops, writeOp{op: opPut, key: entKey(str("t2"), str("d"))})
	write(ops...)
}

func t1Range(reverse bool) iterSpec {
	gte := entKey(str("t1"), nil)
	gte = gte[:len(gte)-1]
	lt := append(bytes.Clone(gte[:len(gte)-1]), 1)
	return iterSpec{reverse: reverse, gte: gte, lt: lt}
}

// checkIndexScans runs the same scans through scan (doIndexScan or routeIndexScan).
func checkIndexScans(t *testing.T, scan func(req []byte, max int32, out []byte) int32) {
	t.Helper()
	out := make([]byte, 4096)
	expect := func(spec iterSpec, max int32, want string, wantDone bool) {
		t.Helper()
		n := scan(indexScanReq(spec), max, out)
		if n < 0 {
			t.Fatalf("rc %d: %s", n, message(out))
		}
		items, done := decodeJoined(out, n)
		if got := strings.Join(items, " "); got != want || done != wantDone {
			t.Fatalf("got %q done=%v, want %q done=%v", got, done, want, wantDone)
		}
	}
	expect(t1Range(false), 10, "a=rec-a b=rec-b c=<none>", true)
	expect(t1Range(false), 3, "a=rec-a b=rec-b c=<none>", true)
	expect(t1Range(false), 2, "a=rec-a b=rec-b", false)
	expect(t1Range(true), 2, "c=<none> b=rec-b", false)
	after := t1Range(false)
	after.gte = append(entKey(str("t1"), str("a")), 0)
	expect(after, 10, "b=rec-b c=<none>", true)
	expect(iterSpec{gte: []byte{0xFE, 0x20, 'z'}, lt: []byte{0xFE, 0x20, 'z', 1}}, 10, "", true)
	if rc := scan(indexScanReq(t1Range(false)), 10, out[:12]); rc != -codeTooSmall || binary.LittleEndian.Uint32(out) < 12 {
		t.Fatalf("a tiny buffer: rc %d", rc)
	}
	if rc := scan(indexScanReq(t1Range(false)), 0, out); rc != -codeInvalid {
		t.Fatalf("max 0: rc %d", rc)
	}
	if rc := scan([]byte{9, 9}, 1, out); rc != -codeInvalid {
		t.Fatalf("a malformed request: rc %d", rc)
	}
}

func TestIndexScanJoinsRecordsFromOneSnapshot(t *testing.T) {
	h, _ := openTemp(t)
	seedIndex(t, h, func(ops ...writeOp) {
		if rc := doWrite(h, encodeWrite(ops), make([]byte, 256)); rc != 0 {
			t.Fatalf("write rc %d", rc)
		}
	})
	checkIndexScans(t, func(req []byte, max int32, out []byte) int32 { return doIndexScan(h, req, max, out) })
	// A buffer that holds the first entry only: one entry, not done; the next call resumes.
	out := make([]byte, 1+8+len(entKey(str("t1"), str("a")))+5)
	if n := doIndexScan(h, indexScanReq(t1Range(false)), 10, out); n != 1 || out[0] != 0 {
		t.Fatalf("a full buffer: n %d flags %d", n, out[0])
	}
	// An entry key that is not tuple-shaped is reported, not skipped and not fatal.
	bad := append(entKey(str("t1"), nil), 0x77, 0x61, 0, 0)
	bad = append(bad[:len(bad)-5], bad[len(bad)-4:]...) // drop the end marker entKey put after t1
	doWrite(h, encodeWrite([]writeOp{{op: opPut, key: bad}}), out)
	out = make([]byte, 4096)
	n := doIndexScan(h, indexScanReq(t1Range(false)), 10, out)
	if items, done := decodeJoined(out, n); strings.Join(items, " ") != "a=rec-a b=rec-b c=<none> a=<bad>" || !done {
		t.Fatalf("with a bad entry: %q", items)
	}
}

func TestIndexScanThroughTheOwner(t *testing.T) {
	h := openClientOfChildOwner(t)
	seedIndex(t, h, func(ops ...writeOp) { rWrite(t, h, ops...) })
	checkIndexScans(t, func(req []byte, max int32, out []byte) int32 { return routeIndexScan(h, req, max, out) })
}

func TestIndexScanOnClosedHandle(t *testing.T) {
	h, _ := openTemp(t)
	closeHandle(h)
	if rc := doIndexScan(h, indexScanReq(t1Range(false)), 1, make([]byte, 64)); rc != -codeClosed {
		t.Fatalf("rc %d", rc)
	}
}

// Index scan requests come from JavaScript (and, through an owner, from other processes).
func FuzzDecodeIndexScan(f *testing.F) {
	f.Add(indexScanReq(t1Range(true)))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, buf []byte) {
		req, err := decodeIndexScan(buf)
		if err == nil && !bytes.Equal(appendIterSpec(putBytes(nil, req.recordPrefix), req.spec), buf) {
			t.Fatalf("accepted %x but re-encodes differently", buf)
		}
	})
}

// Entry keys come from the store, which another program may have written: no key panics, and a
// derived key always ends with the entry's own tail.
func FuzzRecordKeyOf(f *testing.F) {
	f.Add(entKey(str("t1"), str("a")))
	f.Add(entKey(num(1), num(2)))
	f.Add([]byte{0xFE, 0x20, 0})
	f.Fuzz(func(t *testing.T, entry []byte) {
		key, ok := recordKeyOf(nil, recPrefix, entry)
		if ok && (!bytes.HasPrefix(key, recPrefix) || !bytes.HasSuffix(entry, key[len(recPrefix):])) {
			t.Fatalf("%x gave %x", entry, key)
		}
	})
}

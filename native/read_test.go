package main

import (
	"encoding/binary"
	"testing"
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

package main

import (
	"bytes"
	"encoding/binary"
	"testing"
)

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

package main

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"
)

func TestDecodeWriteRoundTrips(t *testing.T) {
	ops := []writeOp{{op: opPut, key: []byte("a"), value: []byte("1")}, {op: opDelete, key: []byte("b"), value: []byte{}}}
	got, err := decodeWrite(encodeWrite(ops))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].op != opPut || string(got[0].value) != "1" || got[1].op != opDelete || string(got[1].key) != "b" {
		t.Fatalf("got %+v", got)
	}
}

func TestDecodeWriteRejectsMalformedRequests(t *testing.T) {
	good := encodeWrite([]writeOp{{op: opPut, key: []byte("k"), value: []byte("v")}})
	cases := map[string][]byte{
		"empty":          {},
		"truncated":      good[:len(good)-1],
		"trailing bytes": append(append([]byte{}, good...), 0),
		"unknown op":     encodeWrite([]writeOp{{op: 7, key: []byte("k")}}),
		"delete value":   encodeWrite([]writeOp{{op: opDelete, key: []byte("k"), value: []byte("v")}}),
		"huge count":     binary.LittleEndian.AppendUint32(nil, 0xFFFFFFFF),
		"huge length":    append(binary.LittleEndian.AppendUint32([]byte{1, 0, 0, 0, opPut}, 0xFFFFFFF0), 1, 2, 3, 4, 5),
	}
	for name, buf := range cases {
		if _, err := decodeWrite(buf); err == nil || classify(err).code != codeInvalid {
			t.Errorf("%s: want INVALID, got %v", name, err)
		}
	}
}

func TestDecodeKeysAndResume(t *testing.T) {
	keys := [][]byte{[]byte("x"), {}, bytes.Repeat([]byte("y"), 300)}
	got, err := decodeKeys(encodeKeys(keys))
	if err != nil || len(got) != 3 || !bytes.Equal(got[2], keys[2]) || len(got[1]) != 0 {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := decodeKeys(encodeKeys(keys)[:7]); err == nil {
		t.Fatal("truncated request accepted")
	}
}

func TestDecodeIterSpec(t *testing.T) {
	spec := iterSpec{reverse: true, gte: []byte("a"), lt: []byte("m")}
	got, err := decodeIterSpec(encodeSpec(spec))
	if err != nil || !reflect.DeepEqual(got, spec) {
		t.Fatalf("got %+v, %v", got, err)
	}
	bad := encodeSpec(spec)
	bad[0] = 2
	if _, err := decodeIterSpec(bad); err == nil {
		t.Fatal("unknown flag accepted")
	}
}

// The decoders read bytes that come from JavaScript: they must never panic, and what they
// accept must re-encode to the same bytes.

func FuzzDecodeWrite(f *testing.F) {
	f.Add(encodeWrite([]writeOp{{op: opPut, key: []byte("k"), value: []byte("v")}, {op: opDelete, key: []byte("d")}}))
	f.Add(encodeWrite([]writeOp{{op: opCheckEqual, key: []byte("k"), value: []byte("v")}, {op: opCheckAbsent, key: []byte("a")}}))
	f.Add([]byte{})
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, buf []byte) {
		ops, err := decodeWrite(buf)
		if err == nil && !bytes.Equal(encodeWrite(ops), buf) {
			t.Fatalf("accepted %x but re-encodes differently", buf)
		}
	})
}

func FuzzDecodeKeys(f *testing.F) {
	f.Add(encodeKeys([][]byte{[]byte("a"), []byte("bc")}))
	f.Add([]byte{1, 0, 0, 0, 9, 0, 0, 0})
	f.Fuzz(func(t *testing.T, buf []byte) {
		keys, err := decodeKeys(buf)
		if err == nil && !bytes.Equal(encodeKeys(keys), buf) {
			t.Fatalf("accepted %x but re-encodes differently", buf)
		}
	})
}

func FuzzDecodeIterSpec(f *testing.F) {
	f.Add(encodeSpec(iterSpec{reverse: true, gte: []byte("a"), lt: []byte("z")}))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, buf []byte) {
		spec, err := decodeIterSpec(buf)
		if err == nil && !bytes.Equal(encodeSpec(spec), buf) {
			t.Fatalf("accepted %x but re-encodes differently", buf)
		}
	})
}

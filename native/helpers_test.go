package main

import (
	"encoding/binary"
	"encoding/json"
	"testing"
)

// openTemp opens a store in a fresh temporary directory and closes it when the test ends.
func openTemp(t testing.TB) (int32, string) {
	t.Helper()
	dir := t.TempDir()
	return openAt(t, dir), dir
}

// openAt opens dir (or an in-memory store for "") and closes the handle when the test ends.
func openAt(t testing.TB, dir string) int32 {
	t.Helper()
	cfg := map[string]any{"path": dir, "inMemory": dir == "", "logLevel": "none"}
	raw, _ := json.Marshal(cfg)
	out := make([]byte, 1024)
	h := doOpen(raw, out)
	if h <= 0 {
		t.Fatalf("open %q: rc %d: %s", dir, h, message(out))
	}
	t.Cleanup(func() { closeHandle(h) })
	return h
}

// message reads the `[u32 len][msg]` error message of a failed call.
func message(out []byte) string {
	n := binary.LittleEndian.Uint32(out)
	if int(n) > len(out)-4 {
		return "<bad message length>"
	}
	return string(out[4 : 4+n])
}

func putBytes(buf []byte, b []byte) []byte {
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(b)))
	return append(buf, b...)
}

// encodeWrite is the inverse of decodeWrite.
func encodeWrite(ops []writeOp) []byte {
	buf := binary.LittleEndian.AppendUint32(nil, uint32(len(ops)))
	for _, op := range ops {
		buf = append(buf, op.op)
		buf = putBytes(buf, op.key)
		buf = putBytes(buf, op.value)
	}
	return buf
}

// encodeKeys is the inverse of decodeKeys.
func encodeKeys(keys [][]byte) []byte {
	buf := binary.LittleEndian.AppendUint32(nil, uint32(len(keys)))
	for _, k := range keys {
		buf = putBytes(buf, k)
	}
	return buf
}

// encodeSpec is the inverse of decodeIterSpec.
func encodeSpec(s iterSpec) []byte {
	flags := byte(0)
	if s.reverse {
		flags = 1
	}
	return putBytes(putBytes([]byte{flags}, s.gte), s.lt)
}

// mustWrite applies puts of alternating key, value strings.
func mustWrite(t *testing.T, h int32, kv ...string) {
	t.Helper()
	var ops []writeOp
	for i := 0; i < len(kv); i += 2 {
		ops = append(ops, writeOp{op: opPut, key: []byte(kv[i]), value: []byte(kv[i+1])})
	}
	out := make([]byte, 1024)
	if rc := doWrite(h, encodeWrite(ops), out); rc != 0 {
		t.Fatalf("write: rc %d: %s", rc, message(out))
	}
}

// mustGet returns the value of key, or "<missing>".
func mustGet(t *testing.T, h int32, key string) string {
	t.Helper()
	out := make([]byte, 1<<16)
	rc := doGet(h, []byte(key), out)
	if rc == -codeNotFound {
		return "<missing>"
	}
	if rc < 0 {
		t.Fatalf("get %q: rc %d: %s", key, rc, message(out))
	}
	return string(out[:rc])
}

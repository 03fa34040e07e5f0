package main

import (
	"bufio"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"skyshelve/native/internal/wire"
)

// Point reads sent together are answered from the read loop and flushed together; each answer is
// exact although the owner reuses its output buffers (a short value after a long one carries no
// stale bytes), and no answer is left in the buffer while the owner waits for the next request.
func TestPipelinedReadsAnsweredExactly(t *testing.T) {
	dir := t.TempDir()
	h := openCfg(t, mpConfig(dir))
	long := strings.Repeat("x", 3000)
	mustWrite(t, h, "long", long)
	mustWrite(t, h, "short", "v")
	cn, _, err := dialHello(parsed(t, mpConfig(dir)), newClientID())
	if err != nil {
		t.Fatal(err)
	}
	defer cn.Close()
	var batch []byte
	batch = wire.AppendRequest(batch, 1, wire.OpGet, u32(1<<16), []byte("long"))
	batch = wire.AppendRequest(batch, 2, wire.OpGet, u32(1<<16), []byte("short"))
	batch = wire.AppendRequest(batch, 3, wire.OpHas, []byte("nope"))
	batch = wire.AppendRequest(batch, 4, wire.OpGet, u32(1<<16), []byte("nope"))
	batch = wire.AppendRequest(batch, 5, wire.OpGet, u32(10), []byte("long"))
	cn.Write(batch)
	cn.SetReadDeadline(time.Now().Add(20 * time.Second)) // a missed flush fails instead of hanging
	r := bufio.NewReader(cn)
	got := map[uint32]wire.Response{}
	for range 5 {
		resp := readResp(t, r)
		resp.Body = append([]byte(nil), resp.Body...)
		got[resp.ID] = resp
	}
	check := func(id uint32, rc int32, body string) {
		t.Helper()
		if r := got[id]; r.RC != rc || (body != "*" && string(r.Body) != body) {
			t.Fatalf("answer %d: rc %d body %q, want rc %d %q", id, r.RC, r.Body, rc, body)
		}
	}
	check(1, 3000, long)
	check(2, 1, "v")
	check(3, 0, "")
	check(4, -codeNotFound, "")
	check(5, -codeTooSmall, "\xb8\x0b\x00\x00") // needs 3000 bytes
	// A read and a write together: the write's answer comes from another goroutine.
	write := encodeWrite([]writeOp{put("w", "1")})
	batch = wire.AppendRequest(nil, 6, wire.OpGet, u32(1<<16), []byte("short"))
	cn.Write(wire.AppendRequest(batch, 7, wire.OpWrite, u64(7), u64(1), []byte{0}, write))
	for range 2 {
		resp := readResp(t, r)
		got[resp.ID] = resp
	}
	check(6, 1, "v")
	check(7, 0, "")
}

func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

// An error that writes no message (CLOSED from an unknown handle) answers an empty message, not
// bytes left in a reused output buffer by an earlier request.
func TestReusedBufferLeaksNothingIntoErrors(t *testing.T) {
	dirty := make([]byte, firstOut)
	for i := range dirty {
		dirty[i] = 0x41
	}
	outPool.Put(&dirty) // the next Get on this goroutine's P usually returns it
	rc, body := handleRequest(1<<30, wire.Request{Op: wire.OpGet, OutCap: 1 << 16, Key: []byte("k")})
	if rc != -codeClosed || len(body) != 4 || binary.LittleEndian.Uint32(body) != 0 {
		t.Fatalf("rc %d body %q", rc, body)
	}
}

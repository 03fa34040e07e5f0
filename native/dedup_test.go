package main

import (
	"bufio"
	"net"
	"path/filepath"
	"testing"

	"skyshelve/native/internal/wire"
)

func TestResentClientWriteAppliesOnce(t *testing.T) {
	h, _ := openTemp(t)
	out := make([]byte, 256)
	first := encodeWrite([]writeOp{put("k", "first")})
	if rc := writeDeduped(h, 7, 1, false, first, out); rc != 0 {
		t.Fatalf("rc %d: %s", rc, message(out))
	}
	mustWrite(t, h, "k", "newer")
	if rc := writeDeduped(h, 7, 1, false, encodeWrite([]writeOp{put("k", "first")}), out); rc != 0 {
		t.Fatalf("resend: rc %d: %s", rc, message(out))
	}
	if got := mustGet(t, h, "k"); got != "newer" {
		t.Fatalf("the resent write was applied again: %q", got)
	}
	if rc := writeDeduped(h, 8, 1, false, encodeWrite([]writeOp{put("other", "x")}), out); rc != 0 || mustGet(t, h, "other") != "x" {
		t.Fatal("another client's seq 1 was taken for a duplicate")
	}
}

func TestInternalKeysAreReservedAndHiddenFromScans(t *testing.T) {
	h, _ := openTemp(t)
	out := make([]byte, 256)
	if rc := writeDeduped(h, 7, 1, false, encodeWrite([]writeOp{put("a", "1")}), out); rc != 0 {
		t.Fatal(rc)
	}
	if got := scanAll(t, h, iterSpec{}, 10); got != "a=1" {
		t.Fatalf("scan shows %q", got)
	}
	if rc := doWrite(h, encodeWrite([]writeOp{put("\xffskyshelve\x00x", "v")}), out); rc != -codeInvalid {
		t.Fatalf("write of a reserved key: rc %d", rc)
	}
	if rc := doGet(h, appliedKey(7), out); rc != -codeInvalid {
		t.Fatalf("get of a reserved key: rc %d", rc)
	}
}

// The owner commits a client's checked write but its answer is lost with the connection: the
// client resends it to the (next) owner, which recognises it. Without the dedup record the resend
// would fail its check with CONFLICT although the write was applied.
func TestWriteWhoseAnswerIsLostIsResentAndAppliedOnce(t *testing.T) {
	dir := t.TempDir()
	h := openCfg(t, mpConfig(dir))
	cfg := parsed(t, mpConfig(dir))
	proxy := filepath.Join(t.TempDir(), "proxy.sock")
	ln, err := net.Listen("unix", proxy)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go dropFirstAnswer(ln, socketPathOf(cfg.Path))
	cn, err := net.Dial("unix", proxy)
	if err != nil {
		t.Fatal(err)
	}
	id := newClientID()
	if rc, _, err := helloOwner(cn.(*net.UnixConn), cfg.requestTimeout(), id); rc != 0 || err != nil {
		t.Fatalf("hello through the proxy: %d %v", rc, err)
	}
	st := newClientStore(cfg, mustOwnerConn(t, cn.(*net.UnixConn)), 0, id)
	defer st.client.Load().shutdown()
	out := make([]byte, 256)
	req := encodeWrite([]writeOp{checkAbsent("n"), put("n", "1")})
	if rc, ok := st.client.Load().roundTrip(out, wire.OpWrite, []byte{0}, req); !ok || rc != 0 {
		t.Fatalf("rc %d ok %v: %s", rc, ok, message(out))
	}
	if got := rGet(t, h, "n"); got != "1" {
		t.Fatalf("n = %s", got)
	}
}

// dropFirstAnswer relays one connection to the owner at target, passes the hello answer, then
// closes both sides instead of relaying the next answer.
func dropFirstAnswer(ln net.Listener, target string) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	defer c.Close()
	o, err := net.Dial("unix", target)
	if err != nil {
		return
	}
	defer o.Close()
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			o.Write(buf[:n])
		}
	}()
	r := bufio.NewReader(o)
	if hello, err := wire.ReadFrame(r); err == nil {
		c.Write(wire.AppendResponse(nil, 0, 0, hello[8:]))
	}
	wire.ReadFrame(r) // the write's answer: dropped
}

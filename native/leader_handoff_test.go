package main

import (
	"bufio"
	"net"
	"path/filepath"
	"testing"
	"time"

	"skyshelve/native/internal/wire"
)

// fakeOwner listens on a socket and hands the test each accepted connection's reader and conn.
func fakeOwner(t *testing.T) (string, <-chan *net.UnixConn) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "owner.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	conns := make(chan *net.UnixConn, 1)
	go func() {
		if c, err := ln.AcceptUnix(); err == nil {
			conns <- c
		}
	}()
	return path, conns
}

// A leader whose own answer comes first hands the reading to a goroutine, which answers the call
// still waiting; an answer to a call that timed out meanwhile is dropped, and the next call leads
// again on the same connection.
func TestLeaderHandsOverAndDropsLateAnswers(t *testing.T) {
	path, conns := fakeOwner(t)
	cn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	owner := <-conns
	defer owner.Close()
	c := &client{cfg: Config{Path: path, RequestTimeoutMs: 20000}, pending: make(map[uint32]*call)}
	oc := mustOwnerConn(t, cn)
	c.cur, c.rd = oc, newConnReader(oc)
	defer c.shutdown()
	get := func(key string) <-chan string {
		res := make(chan string, 1)
		go func() {
			out := make([]byte, 64)
			rc, _ := c.roundTrip(out, wire.OpGet, u32(64), []byte(key))
			res <- string(out[:max(rc, 0)])
		}()
		return res
	}
	r := bufio.NewReader(owner)
	next := func() wire.Request {
		frame, err := wire.ReadFrame(r)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := wire.ParseRequest(frame)
		return req
	}
	first := get("a")
	req1 := next() // the first call is sent (and leads) before the second starts
	second := get("b")
	req2 := next()
	owner.Write(wire.AppendResponse(nil, req1.ID, 1, []byte(req1.Key)))
	if v := within(t, first); v != "a" {
		t.Fatalf("first: %q", v)
	}
	owner.Write(wire.AppendResponse(nil, req2.ID, 1, []byte(req2.Key)))
	if v := within(t, second); v != "b" {
		t.Fatalf("second: %q", v)
	}
	// A late answer to a call nobody waits for, then the answer of a new call: only the latter counts.
	third := get("c")
	req3 := next()
	owner.Write(wire.AppendResponse(wire.AppendResponse(nil, 999, 1, []byte("x")), req3.ID, 1, []byte(req3.Key)))
	if v := within(t, third); v != "c" {
		t.Fatalf("third: %q", v)
	}
	// Nothing pending: whoever read last lets go of the connection (a reader goroutine may still be
	// on its way out).
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
		c.mu.Lock()
		pending, busy := len(c.pending), c.rd.busy
		c.mu.Unlock()
		if pending == 0 && !busy {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pending %d, reader busy %v", pending, busy)
		}
	}
}

// within receives from ch, failing the test if nothing comes in 20 s (a call left unanswered).
func within(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatal("a call got no answer")
		return ""
	}
}

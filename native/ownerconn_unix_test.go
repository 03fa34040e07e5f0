//go:build unix

package main

import (
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"skyshelve/native/internal/wire"
)

// pollerFds lists the descriptors registered in this process's epoll sets (Linux: the "tfd:"
// lines of each eventpoll descriptor's fdinfo).
func pollerFds(t *testing.T) map[int]bool {
	t.Helper()
	fds := map[int]bool{}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc here")
	}
	for _, e := range ents {
		if link, err := os.Readlink("/proc/self/fd/" + e.Name()); err != nil || !strings.Contains(link, "eventpoll") {
			continue
		}
		info, err := os.ReadFile("/proc/self/fdinfo/" + e.Name())
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(info), "\n") {
			if f := strings.Fields(line); len(f) > 1 && f[0] == "tfd:" {
				n, _ := strconv.Atoi(f[1])
				fds[n] = true
			}
		}
	}
	return fds
}

// A client's socket is not in Go's poller, whose epoll_wait would wake on every answer.
func TestOwnerConnIsOutsideGosPoller(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads epoll registrations from /proc (Linux)")
	}
	dir := t.TempDir()
	openCfg(t, mpConfig(dir))
	cfg := parsed(t, mpConfig(dir))
	uc, _, err := dialHello(cfg, newClientID())
	if err != nil {
		t.Fatal(err)
	}
	var ucFd int
	raw, _ := uc.SyscallConn()
	raw.Control(func(fd uintptr) { ucFd = int(fd) })
	if !pollerFds(t)[ucFd] {
		t.Fatalf("the check is blind: net's socket %d is not among the poller's descriptors", ucFd)
	}
	oc, err := newOwnerConn(uc)
	if err != nil {
		t.Fatal(err)
	}
	defer oc.Close()
	if pollerFds(t)[oc.fd] {
		t.Fatalf("the client's socket %d is in Go's poller", oc.fd)
	}
	// And it still talks to the owner.
	c := newClientStore(cfg, oc, 0, newClientID()).client.Load()
	defer c.shutdown()
	out := make([]byte, 64)
	if rc, ok := c.roundTrip(out, wire.OpHas, []byte("k")); !ok || rc != 0 {
		t.Fatalf("has: rc %d ok %v", rc, ok)
	}
}

// socketPairConn is one end of a socket pair as an ownerConn, and the other end.
func socketPairConn(t *testing.T) (*ownerConn, *net.UnixConn) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int) *net.UnixConn {
		f := os.NewFile(uintptr(fd), "pair")
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			t.Fatal(err)
		}
		return c.(*net.UnixConn)
	}
	oc, err := newOwnerConn(conn(fds[0]))
	if err != nil {
		t.Fatal(err)
	}
	peer := conn(fds[1])
	t.Cleanup(func() { peer.Close() })
	return oc, peer
}

// Close wakes a reader sleeping on the connection, and later calls fail with errConnClosed.
func TestOwnerConnCloseWakesItsReader(t *testing.T) {
	oc, _ := socketPairConn(t)
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := oc.read(make([]byte, 16), time.Hour)
		done <- result{n, err}
	}()
	for { // wait until the reader is inside its system call
		oc.mu.Lock()
		in := oc.users
		oc.mu.Unlock()
		if in > 0 {
			break
		}
		runtime.Gosched()
	}
	time.Sleep(10 * time.Millisecond)
	oc.Close()
	select {
	case r := <-done:
		if r.n != 0 || (r.err != nil && !errors.Is(r.err, errConnClosed)) {
			t.Fatalf("read after close: %d %v", r.n, r.err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the reader slept on after close")
	}
	if _, err := oc.read(make([]byte, 1), time.Millisecond); !errors.Is(err, errConnClosed) {
		t.Fatalf("read: %v", err)
	}
	if err := oc.write([]byte("x"), time.Now().Add(time.Second)); !errors.Is(err, errConnClosed) {
		t.Fatalf("write: %v", err)
	}
}

// Bytes cross both ways; a frame larger than the socket buffer is written whole while the peer
// drains it; nothing within the wait reads as -1, the peer's end of stream as 0.
func TestOwnerConnReadWrite(t *testing.T) {
	oc, peer := socketPairConn(t)
	defer oc.Close()
	big := make([]byte, 4<<20)
	for i := range big {
		big[i] = byte(i * 7)
	}
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(peer, int64(len(big))))
		got <- b
	}()
	if err := oc.write(big, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if b := <-got; string(b) != string(big) {
		t.Fatalf("the peer read %d bytes, not the %d written", len(b), len(big))
	}
	buf := make([]byte, 8)
	if n, err := oc.read(buf, time.Millisecond); n != -1 || err != nil {
		t.Fatalf("idle read: %d %v", n, err)
	}
	peer.Write([]byte("answer"))
	if n, err := oc.read(buf, time.Minute); err != nil || string(buf[:n]) != "answer" {
		t.Fatalf("read: %q %v", buf[:max(n, 0)], err)
	}
	peer.CloseWrite()
	if n, err := oc.read(buf, time.Minute); n != 0 || err != nil {
		t.Fatalf("end of stream: %d %v", n, err)
	}
}

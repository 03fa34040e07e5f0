//go:build unix

package main

import (
	"errors"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// On unix the connection is a raw socket outside Go's poller. Registered there, every answer
// woke a Go thread sleeping in epoll_wait as well as the caller sleeping in poll(2) on the socket
// (leader.go), and that second wake-up cost about a third of a client's CPU per request
// (bench/RESULTS.md, "A client's socket outside Go's poller"). Callers that wait sleep in poll(2)
// on their own thread, in system calls Go knows about, so the runtime hands their P on meanwhile.
type ownerConn struct {
	fd     int
	mu     sync.Mutex
	users  int  // system calls in progress on fd
	closed bool // fd is closed once users drops to 0, so no call ever uses a number reused since
}

// newOwnerConn takes the socket of uc out of Go's poller: a close-on-exec duplicate of its
// descriptor (same socket, still non-blocking), then uc is closed.
func newOwnerConn(uc *net.UnixConn) (*ownerConn, error) {
	raw, err := uc.SyscallConn()
	if err != nil {
		uc.Close()
		return nil, err
	}
	fd := -1
	var derr error
	if cerr := raw.Control(func(s uintptr) { fd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0) }); cerr != nil {
		derr = cerr
	}
	uc.Close()
	if derr != nil {
		return nil, derr
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return &ownerConn{fd: fd}, nil
}

// enter counts a system call on fd; false once the connection is closed.
func (oc *ownerConn) enter() bool {
	oc.mu.Lock()
	defer oc.mu.Unlock()
	if oc.closed {
		return false
	}
	oc.users++
	return true
}

// leave ends a system call on fd, and closes fd if the connection was closed meanwhile.
func (oc *ownerConn) leave() {
	oc.mu.Lock()
	defer oc.mu.Unlock()
	oc.users--
	if oc.closed && oc.users == 0 {
		unix.Close(oc.fd)
	}
}

// Close ends the connection. Calls sleeping on it wake at once (shutdown), and the descriptor
// is closed by the last of them to leave.
func (oc *ownerConn) Close() error {
	oc.mu.Lock()
	defer oc.mu.Unlock()
	if oc.closed {
		return nil
	}
	oc.closed = true
	if oc.users > 0 {
		return unix.Shutdown(oc.fd, unix.SHUT_RDWR)
	}
	return unix.Close(oc.fd)
}

// closeWrite ends this side's stream: the owner answers what it read, then ends its side.
func (oc *ownerConn) closeWrite() {
	if oc.enter() {
		unix.Shutdown(oc.fd, unix.SHUT_WR)
		oc.leave()
	}
}

// write sends all of p, waiting for room until deadline. MSG_NOSIGNAL: a dead owner gives
// EPIPE, not a SIGPIPE to the process.
func (oc *ownerConn) write(p []byte, deadline time.Time) error {
	if !oc.enter() {
		return errConnClosed
	}
	defer oc.leave()
	for len(p) > 0 {
		n, err := unix.SendmsgN(oc.fd, p, nil, nil, unix.MSG_NOSIGNAL)
		if n > 0 {
			p = p[n:]
			continue
		}
		switch {
		case errors.Is(err, syscall.EINTR):
		case errors.Is(err, syscall.EAGAIN):
			wait := time.Until(deadline)
			if wait <= 0 {
				return os.ErrDeadlineExceeded
			}
			if err := pollFd(oc.fd, unix.POLLOUT, min(wait, leadSlice)); err != nil {
				return err
			}
		case err != nil:
			return err
		}
	}
	return nil
}

// read waits up to wait for answer bytes and reads them into p: n > 0 bytes, 0 at the end of the
// stream, or -1 when nothing came within wait (or a signal ended the wait).
func (oc *ownerConn) read(p []byte, wait time.Duration) (int, error) {
	if !oc.enter() {
		return 0, errConnClosed
	}
	defer oc.leave()
	if err := pollFd(oc.fd, unix.POLLIN, wait); err != nil {
		return 0, err
	}
	n, err := unix.Read(oc.fd, p)
	if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR) {
		return -1, nil
	}
	if err != nil {
		return 0, err
	}
	return n, nil
}

// pollFd sleeps in poll(2) until fd is ready for events or wait passes; a signal is no error.
func pollFd(fd int, events int16, wait time.Duration) error {
	fds := [1]unix.PollFd{{Fd: int32(fd), Events: events}}
	ms := int((wait + time.Millisecond - 1) / time.Millisecond)
	if _, err := unix.Poll(fds[:], ms); err != nil && !errors.Is(err, syscall.EINTR) {
		return err
	}
	return nil
}

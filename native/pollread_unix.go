//go:build unix

package main

import (
	"errors"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// canPoll: a leader sleeps in poll(2) (connReader.fillPolling).
const canPoll = true

// pollRead waits up to wait for fd (non-blocking) to be readable, then reads into p: n > 0 bytes,
// 0 at the end of the stream, or -1 when nothing came within wait (or a signal ended the wait).
func pollRead(fd int, p []byte, wait time.Duration) (int, error) {
	fds := [1]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	ms := int((wait + time.Millisecond - 1) / time.Millisecond)
	if _, err := unix.Poll(fds[:], ms); err != nil && !errors.Is(err, syscall.EINTR) {
		return 0, err
	}
	n, err := syscall.Read(fd, p)
	if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR) {
		return -1, nil // nothing yet
	}
	if err != nil {
		return 0, err
	}
	return n, nil
}

//go:build !unix

package main

import (
	"errors"
	"net"
	"os"
	"time"
)

// Without poll(2) the connection stays in Go's poller, and waits are read deadlines.
type ownerConn struct {
	uc *net.UnixConn
}

func newOwnerConn(uc *net.UnixConn) (*ownerConn, error) { return &ownerConn{uc: uc}, nil }

func (oc *ownerConn) Close() error { return oc.uc.Close() }

func (oc *ownerConn) closeWrite() { oc.uc.CloseWrite() }

func (oc *ownerConn) write(p []byte, deadline time.Time) error {
	oc.uc.SetWriteDeadline(deadline)
	_, err := oc.uc.Write(p)
	if errors.Is(err, net.ErrClosed) {
		return errConnClosed
	}
	return err
}

// read: as on unix, -1 when nothing came within wait.
func (oc *ownerConn) read(p []byte, wait time.Duration) (int, error) {
	oc.uc.SetReadDeadline(time.Now().Add(wait))
	defer oc.uc.SetReadDeadline(time.Time{})
	n, err := oc.uc.Read(p)
	switch {
	case n > 0:
		return n, nil
	case errors.Is(err, os.ErrDeadlineExceeded):
		return -1, nil
	case errors.Is(err, net.ErrClosed):
		return 0, errConnClosed
	case err != nil:
		return 0, err
	}
	return -1, nil
}

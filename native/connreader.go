package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"skyshelve/native/internal/wire"
)

// connReader buffers the answers of one connection to the owner. Exactly one party reads it at a
// time (busy, guarded by client.mu): a calling thread that leads (leader.go), or a reader goroutine.
type connReader struct {
	cn   *net.UnixConn
	raw  syscall.RawConn // nil if unavailable: the connection then counts as lost at its first read
	buf  []byte
	r, w int // buf[r:w] is read and not yet delivered
	busy bool
}

func newConnReader(cn *net.UnixConn) *connReader {
	raw, err := cn.SyscallConn()
	if err != nil {
		raw = nil
	}
	return &connReader{cn: cn, raw: raw, buf: make([]byte, 64<<10)}
}

// next returns the next whole frame (the bytes after its length) if it is buffered, else nil.
// The frame aliases the buffer: it is valid until the next fill.
func (rd *connReader) next() ([]byte, error) {
	if rd.w-rd.r < 4 {
		return nil, nil
	}
	n := binary.LittleEndian.Uint32(rd.buf[rd.r:])
	if n < 8 || n > wire.MaxFrame {
		return nil, fmt.Errorf("%w: answer of length %d", wire.ErrFrame, n)
	}
	if rd.w-rd.r-4 < int(n) {
		rd.room(4 + int(n))
		return nil, nil
	}
	frame := rd.buf[rd.r+4 : rd.r+4+int(n)]
	rd.r += 4 + int(n)
	return frame, nil
}

// room makes the buffer able to hold a frame of need bytes from r: it moves the unread bytes to
// the front and grows the buffer if it is too small (as bytes arrive, not for a forged length).
func (rd *connReader) room(need int) {
	if rd.r > 0 && len(rd.buf)-rd.r < need {
		rd.w = copy(rd.buf, rd.buf[rd.r:rd.w])
		rd.r = 0
	}
	if len(rd.buf) < need && rd.w == len(rd.buf) {
		grown := make([]byte, min(need, 2*len(rd.buf)))
		copy(grown, rd.buf[:rd.w])
		rd.buf = grown
	}
}

// compact reclaims the space of delivered frames before a fill.
func (rd *connReader) compact() {
	if rd.r == rd.w {
		rd.r, rd.w = 0, 0
	}
	if rd.w == len(rd.buf) { // full: move the unread bytes to the front, or double the buffer
		rd.room(2 * len(rd.buf))
	}
}

// fillNetpoll reads what the socket has, waiting in Go's poller (for goroutines).
func (rd *connReader) fillNetpoll() error {
	rd.compact()
	n, err := rd.cn.Read(rd.buf[rd.w:])
	rd.w += n
	return err
}

// fillPolling reads what the socket has, sleeping in poll(2) on this thread for at most wait; no
// data within wait is not an error. The kernel wakes this very thread when the answer arrives.
func (rd *connReader) fillPolling(wait time.Duration) error {
	if !canPoll {
		return rd.fillDeadline(wait)
	}
	if rd.raw == nil {
		return errNoRawConn
	}
	rd.compact()
	var n int
	var err error
	cerr := rd.raw.Read(func(fd uintptr) bool {
		n, err = pollRead(int(fd), rd.buf[rd.w:], wait)
		return true
	})
	if cerr != nil {
		return cerr
	}
	if err != nil {
		return err
	}
	if n == 0 {
		return io.EOF
	}
	rd.w += max(n, 0)
	return nil
}

// fillDeadline is fillPolling through Go's poller, where poll(2) is missing.
func (rd *connReader) fillDeadline(wait time.Duration) error {
	rd.cn.SetReadDeadline(time.Now().Add(wait))
	defer rd.cn.SetReadDeadline(time.Time{})
	if err := rd.fillNetpoll(); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		return err
	}
	return nil
}

var errNoRawConn = errors.New("the connection to the owner has no file descriptor")

package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"skyshelve/native/internal/wire"
)

// connReader buffers the answers of one connection to the owner. Exactly one party reads it at a
// time (busy, guarded by client.mu): a calling thread that leads (leader.go), or a reader goroutine.
type connReader struct {
	cn   *ownerConn
	buf  []byte
	r, w int // buf[r:w] is read and not yet delivered
	busy bool
}

func newConnReader(cn *ownerConn) *connReader {
	return &connReader{cn: cn, buf: make([]byte, 64<<10)}
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

// fill reads what the socket has, waiting at most wait (in poll(2) on this thread, on unix: the
// kernel wakes this very thread when the answer arrives); no data within wait is not an error.
func (rd *connReader) fill(wait time.Duration) error {
	rd.compact()
	n, err := rd.cn.read(rd.buf[rd.w:], wait)
	if err != nil {
		return err
	}
	if n == 0 {
		return io.EOF
	}
	rd.w += max(n, 0)
	return nil
}

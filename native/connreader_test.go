package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"skyshelve/native/internal/wire"
)

// feed appends what fits of p to the reader's buffer, as a read(2) would; it returns the rest.
func (rd *connReader) feed(p []byte) []byte {
	rd.compact()
	n := copy(rd.buf[rd.w:], p)
	rd.w += n
	return p[n:]
}

// FuzzConnReader: any bytes from the owner, arriving in any chunks, give back exactly the frames
// they hold, in order, or ErrFrame; never a panic or a frame that was not sent.
func FuzzConnReader(f *testing.F) {
	f.Add(wire.AppendResponse(wire.AppendResponse(nil, 1, 3, []byte("abc")), 2, -3, nil), uint8(5))
	f.Add([]byte{3, 0, 0, 0, 1, 2, 3}, uint8(1))
	f.Add(wire.AppendResponse(nil, 7, 0, bytes.Repeat([]byte("x"), 100)), uint8(9))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		rd := &connReader{buf: make([]byte, 16)}
		step := int(chunk%32) + 1
		var got []byte // the frames read, re-encoded with their lengths
		for rest := data; ; {
			if len(rest) > 0 {
				take := min(step, len(rest))
				left := rd.feed(rest[:take])
				rest = rest[take-len(left):]
			}
			frame, err := rd.next()
			for err == nil && frame != nil {
				got = append(binary.LittleEndian.AppendUint32(got, uint32(len(frame))), frame...)
				frame, err = rd.next()
			}
			if err != nil {
				if !errors.Is(err, wire.ErrFrame) {
					t.Fatal(err)
				}
				break
			}
			if len(rest) == 0 {
				break
			}
		}
		if !bytes.HasPrefix(data, got) {
			t.Fatalf("frames %x are not a prefix of the input %x", got, data)
		}
	})
}

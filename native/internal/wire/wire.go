// Package wire is the frame format between a skyshelve owner process and its clients
// (docs/MULTIPROCESS.md): length-prefixed frames with request ids, so a connection can carry
// many requests at once and answers may come back in any order.
//
//	request:  [u32 len][u32 id][u8 op][body]      len counts id, op and body
//	response: [u32 len][u32 id][i32 rc][body]     rc is the ABI status (>= 0 success, < 0 -code)
//
// All integers are little-endian. Bodies are per op; ParseRequest checks them completely.
package wire

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Version is sent in Hello; an owner answers a different version with an error.
// 2: write flag WriteStamps (an owner of version 1 refused the bit as malformed).
const Version = 2

// Ops of a request.
const (
	OpHello   = 1 // body: [u32 version][u32 uid][u64 clientID]
	OpGet     = 2 // body: [u32 outCap][key]
	OpHas     = 3 // body: [key]
	OpGetMany = 4 // body: [u32 outCap][i32 start][get_many request]
	OpWrite   = 5 // body: [u64 clientID][u64 seq][u8 flags][write request]; flags: WriteSync, WriteStamps
	OpScan    = 6 // body: [i32 max][u32 outCap][iterator spec]; stateless: the client sends the resumed range
	OpSync    = 7 // body: empty
	OpStats   = 8 // body: [u32 outCap]
	// OpIndexScan body: [i32 max][u32 outCap][index scan request]; stateless like OpScan, one snapshot per request.
	OpIndexScan = 9
)

// Write flags.
const (
	WriteSync = 1 // sync to disk after the commit
	// WriteStamps asks for the stamps of the keys the commit wrote alone: a successful answer's rc
	// is then the length of its body, [u32 n] then n × [u32 i][stamp], i indexing the request's
	// puts and deletes in order (checks not counted). The client caches its own values under them.
	WriteStamps = 2
)

// MaxFrame bounds one frame (a write of the largest value Badger accepts fits).
const MaxFrame = 1<<31 - 1

// ErrFrame is wrapped by every error about a malformed frame.
var ErrFrame = errors.New("malformed frame")

// Request is one decoded request; only the fields of its op are set. Slices alias the frame.
type Request struct {
	ID       uint32
	Op       byte
	OutCap   uint32 // Get, GetMany, Scan, IndexScan, Stats
	Key      []byte // Get, Has
	Start    int32  // GetMany
	Data     []byte // GetMany, Write (the ABI request), Scan (the iterator spec), IndexScan (its request)
	ClientID uint64 // Write, Hello
	Seq      uint64 // Write
	Flags    byte   // Write
	Max      int32  // Scan, IndexScan
	Version  uint32 // Hello
	UID      uint32 // Hello: the client's uid, for the owner's message when it rejects it
}

// Response is one decoded response.
type Response struct {
	ID   uint32
	RC   int32
	Body []byte
}

// ReadFrame reads one `[u32 len][len bytes]` frame and returns the bytes after the length.
// The buffer grows as bytes arrive, so a forged length cannot make it allocate up front.
func ReadFrame(r *bufio.Reader) ([]byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint32(head[:])
	if n < 5 || n > MaxFrame {
		return nil, fmt.Errorf("%w: length %d", ErrFrame, n)
	}
	if n <= 1<<20 {
		buf := make([]byte, n)
		_, err := io.ReadFull(r, buf)
		return buf, eofIsUnexpected(err)
	}
	var buf bytes.Buffer
	_, err := io.CopyN(&buf, r, int64(n))
	return buf.Bytes(), eofIsUnexpected(err)
}

func eofIsUnexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// AppendRequest appends one request frame to dst.
func AppendRequest(dst []byte, id uint32, op byte, body ...[]byte) []byte {
	n := 5
	for _, b := range body {
		n += len(b)
	}
	dst = binary.LittleEndian.AppendUint32(dst, uint32(n))
	dst = binary.LittleEndian.AppendUint32(dst, id)
	dst = append(dst, op)
	for _, b := range body {
		dst = append(dst, b...)
	}
	return dst
}

// AppendResponse appends one response frame to dst.
func AppendResponse(dst []byte, id uint32, rc int32, body []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(8+len(body)))
	dst = binary.LittleEndian.AppendUint32(dst, id)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(rc))
	return append(dst, body...)
}

// ParseResponse decodes the bytes ReadFrame returned for a response.
func ParseResponse(frame []byte) (Response, error) {
	if len(frame) < 8 {
		return Response{}, fmt.Errorf("%w: response of %d bytes", ErrFrame, len(frame))
	}
	return Response{
		ID:   binary.LittleEndian.Uint32(frame),
		RC:   int32(binary.LittleEndian.Uint32(frame[4:])),
		Body: frame[8:],
	}, nil
}

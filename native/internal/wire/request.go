package wire

import (
	"encoding/binary"
	"fmt"
)

// body walks a request body; the first short read sets err.
type body struct {
	buf []byte
	err error
}

func (b *body) take(n int) []byte {
	if b.err != nil {
		return nil
	}
	if len(b.buf) < n {
		b.err = fmt.Errorf("%w: body truncated (%d bytes left, %d needed)", ErrFrame, len(b.buf), n)
		return nil
	}
	v := b.buf[:n:n]
	b.buf = b.buf[n:]
	return v
}

func (b *body) u32() uint32 {
	if v := b.take(4); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

func (b *body) u64() uint64 {
	if v := b.take(8); v != nil {
		return binary.LittleEndian.Uint64(v)
	}
	return 0
}

func (b *body) u8() byte {
	if v := b.take(1); v != nil {
		return v[0]
	}
	return 0
}

// rest returns what is left; the op's payload (checked later by the ABI decoders).
func (b *body) rest() []byte {
	v := b.buf
	b.buf = nil
	return v
}

func (b *body) end() {
	if b.err == nil && len(b.buf) != 0 {
		b.err = fmt.Errorf("%w: %d trailing bytes", ErrFrame, len(b.buf))
	}
}

// ParseRequest decodes the bytes ReadFrame returned for a request; slices alias frame.
func ParseRequest(frame []byte) (Request, error) {
	if len(frame) < 5 {
		return Request{}, fmt.Errorf("%w: request of %d bytes", ErrFrame, len(frame))
	}
	req := Request{ID: binary.LittleEndian.Uint32(frame), Op: frame[4]}
	b := &body{buf: frame[5:]}
	switch req.Op {
	case OpHello:
		req.Version, req.UID, req.ClientID = b.u32(), b.u32(), b.u64()
	case OpGet:
		req.OutCap, req.Key = b.u32(), b.rest()
	case OpHas:
		req.Key = b.rest()
	case OpGetMany:
		req.OutCap, req.Start, req.Data = b.u32(), int32(b.u32()), b.rest()
	case OpWrite:
		req.ClientID, req.Seq, req.Flags, req.Data = b.u64(), b.u64(), b.u8(), b.rest()
		if b.err == nil && req.Flags&^(WriteSync|WriteStamps) != 0 {
			b.err = fmt.Errorf("%w: unknown write flags %#x", ErrFrame, req.Flags)
		}
	case OpScan, OpIndexScan:
		req.Max, req.OutCap, req.Data = int32(b.u32()), b.u32(), b.rest()
	case OpSync:
	case OpStats:
		req.OutCap = b.u32()
	default:
		return Request{}, fmt.Errorf("%w: unknown op %d", ErrFrame, req.Op)
	}
	b.end()
	if b.err != nil {
		return Request{}, b.err
	}
	return req, nil
}

// EncodeRequest is the inverse of ParseRequest: the frame bytes after the length.
func EncodeRequest(req Request) []byte {
	u32 := binary.LittleEndian.AppendUint32
	var body []byte
	switch req.Op {
	case OpHello:
		body = binary.LittleEndian.AppendUint64(u32(u32(nil, req.Version), req.UID), req.ClientID)
	case OpGet:
		body = append(u32(nil, req.OutCap), req.Key...)
	case OpHas:
		body = req.Key
	case OpGetMany:
		body = append(u32(u32(nil, req.OutCap), uint32(req.Start)), req.Data...)
	case OpWrite:
		body = binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, req.ClientID), req.Seq)
		body = append(append(body, req.Flags), req.Data...)
	case OpScan, OpIndexScan:
		body = append(u32(u32(nil, uint32(req.Max)), req.OutCap), req.Data...)
	case OpStats:
		body = u32(nil, req.OutCap)
	}
	frame := AppendRequest(nil, req.ID, req.Op, body)
	return frame[4:]
}

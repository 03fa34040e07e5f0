package main

import "encoding/binary"

// Operation codes of the write request.
const (
	opPut         = 1
	opDelete      = 2
	opCheckEqual  = 3 // the key's committed value must equal the op's value (checks.go)
	opCheckAbsent = 4 // the key must be absent (checks.go)
)

// writeOp is one decoded operation of a write request. Key and value alias the request buffer.
type writeOp struct {
	op    byte
	key   []byte
	value []byte
}

// iterSpec is a decoded iterator spec: empty bounds mean unbounded.
type iterSpec struct {
	reverse bool
	gte     []byte
	lt      []byte
}

// reader walks a request buffer; the first malformed read sets err and every later read is a no-op.
type reader struct {
	buf  []byte
	pos  int
	err  error
	what string
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = newError(codeInvalid, r.what+": "+format, args...)
	}
}

func (r *reader) u8() byte {
	if r.err != nil || r.pos+1 > len(r.buf) {
		r.fail("truncated at byte %d", r.pos)
		return 0
	}
	b := r.buf[r.pos]
	r.pos++
	return b
}

func (r *reader) u32() uint32 {
	if r.err != nil || r.pos+4 > len(r.buf) {
		r.fail("truncated at byte %d", r.pos)
		return 0
	}
	v := binary.LittleEndian.Uint32(r.buf[r.pos:])
	r.pos += 4
	return v
}

// bytes reads `[u32 len][len bytes]`, aliasing the buffer.
func (r *reader) bytes() []byte {
	n := r.u32()
	if r.err != nil {
		return nil
	}
	if uint64(n) > uint64(len(r.buf)-r.pos) {
		r.fail("length %d at byte %d runs past the end (%d bytes)", n, r.pos-4, len(r.buf))
		return nil
	}
	b := r.buf[r.pos : r.pos+int(n) : r.pos+int(n)]
	r.pos += int(n)
	return b
}

// count reads a u32 item count and checks it against the smallest possible item size,
// so a hostile count cannot make us allocate more than the buffer could describe.
func (r *reader) count(minItem int) int {
	n := r.u32()
	if r.err == nil && uint64(n)*uint64(minItem) > uint64(len(r.buf)-r.pos) {
		r.fail("count %d does not fit in %d bytes", n, len(r.buf))
		return 0
	}
	return int(n)
}

func (r *reader) end() {
	if r.err == nil && r.pos != len(r.buf) {
		r.fail("%d unexpected trailing bytes", len(r.buf)-r.pos)
	}
}

// decodeWrite parses `[u32 count]` then count × `[u8 op][u32 keyLen][key][u32 valLen][val]`.
func decodeWrite(buf []byte) ([]writeOp, error) {
	r := &reader{buf: buf, what: "write request"}
	n := r.count(9)
	ops := make([]writeOp, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		op := writeOp{op: r.u8()}
		op.key = r.bytes()
		op.value = r.bytes()
		if r.err == nil && (op.op < opPut || op.op > opCheckAbsent) {
			r.fail("op %d has unknown type %d", i, op.op)
		}
		if r.err == nil && (op.op == opDelete || op.op == opCheckAbsent) && len(op.value) != 0 {
			r.fail("op %d (type %d) carries a value", i, op.op)
		}
		ops = append(ops, op)
	}
	r.end()
	if r.err != nil {
		return nil, r.err
	}
	return ops, nil
}

// decodeKeys parses a get_many request: `[u32 count]` then count × `[u32 keyLen][key]`.
func decodeKeys(buf []byte) ([][]byte, error) {
	r := &reader{buf: buf, what: "get_many request"}
	n := r.count(4)
	keys := make([][]byte, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		keys = append(keys, r.bytes())
	}
	r.end()
	if r.err != nil {
		return nil, r.err
	}
	return keys, nil
}

// decodeIterSpec parses `[u8 flags][u32 gteLen][gte][u32 ltLen][lt]`; flags bit 0 = reverse.
func decodeIterSpec(buf []byte) (iterSpec, error) {
	r := &reader{buf: buf, what: "iterator spec"}
	flags := r.u8()
	spec := iterSpec{reverse: flags&1 != 0, gte: r.bytes(), lt: r.bytes()}
	if r.err == nil && flags&^1 != 0 {
		r.fail("unknown flags %#x", flags)
	}
	r.end()
	if r.err != nil {
		return iterSpec{}, r.err
	}
	return spec, nil
}

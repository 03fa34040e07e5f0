package main

import (
	"bytes"
	"encoding/binary"
	"sync"

	badger "github.com/dgraph-io/badger/v4"

	"skyshelve/native/internal/wire"
)

// firstOut is the output buffer a request first gets; a value that needs more (and fits the
// client's buffer) is read again into a buffer of the size the first call reported.
const firstOut = 64 << 10

// errOut is the buffer of ops that return no data, for their error message.
const errOut = 4096

// outPool holds the output buffers of requests: a get reuses one instead of allocating (and
// zeroing) firstOut bytes, which cost the owner more CPU than the read itself.
var outPool = sync.Pool{New: func() any { b := make([]byte, firstOut); return &b }}

// handleRequest runs one client request on the owner's local implementation and returns the ABI
// status and the bytes the client's out buffer would hold (a copy, for callers that keep them).
func handleRequest(h int32, req wire.Request) (rc int32, body []byte) {
	serveRequest(h, req, func(r int32, b []byte) { rc, body = r, bytes.Clone(b) })
	return rc, body
}

// serveRequest runs one client request and passes its status and answer to reply; the answer's
// bytes are only valid during reply (their buffer goes back to outPool).
func serveRequest(h int32, req wire.Request, reply func(int32, []byte)) {
	rc, body, buf := dispatch(h, req)
	reply(rc, body)
	if buf != nil {
		outPool.Put(buf)
	}
}

func dispatch(h int32, req wire.Request) (rc int32, body []byte, buf *[]byte) {
	defer func() { // the connection (and the process) survive a panic in one request
		if r := recover(); r != nil {
			rc, body = writeErrorBody(newError(codeInternal, "panic in libskyshelve: %v", r))
			buf = nil
		}
	}()
	switch req.Op {
	case wire.OpGet:
		return runOut(req.OutCap, func(out []byte) int32 { return doGet(h, req.Key, out) }, usedPrefix)
	case wire.OpHas:
		return runOut(errOut, func(out []byte) int32 { return doHas(h, req.Key, out) }, usedNone)
	case wire.OpGetMany:
		used := func(rc int32, out []byte) int { return usedValues(int(rc-req.Start), out) }
		return runOut(req.OutCap, func(out []byte) int32 { return doGetMany(h, req.Data, req.Start, out) }, used)
	case wire.OpWrite:
		run := func(out []byte) int32 {
			return writeDeduped(h, req.ClientID, req.Seq, req.Flags&wire.WriteSync != 0, req.Data, out)
		}
		return runOut(errOut, run, usedNone)
	case wire.OpScan:
		return runOut(req.OutCap, func(out []byte) int32 { return scanChunk(h, req.Data, req.Max, out) }, usedEntries)
	case wire.OpIndexScan:
		used := func(rc int32, out []byte) int { return usedJoined(int(rc), out) }
		return runOut(req.OutCap, func(out []byte) int32 { return doIndexScan(h, req.Data, req.Max, out) }, used)
	case wire.OpSync:
		return runOut(errOut, func(out []byte) int32 { return doSync(h, out) }, usedNone)
	case wire.OpStats:
		return runOut(req.OutCap, func(out []byte) int32 { return doStats(h, out) }, usedPrefix)
	}
	rc, body = writeErrorBody(newError(codeInvalid, "op %d is not a request an owner answers", req.Op))
	return rc, body, nil
}

// runOut runs fn with an output buffer of at most outCap bytes (a pooled one, returned as buf for
// the caller to give back), growing it once on TOO_SMALL. fn writes every byte that used counts,
// so the pooled buffer's old contents never reach a client.
func runOut(outCap uint32, fn func([]byte) int32, used func(int32, []byte) int) (rc int32, body []byte, buf *[]byte) {
	buf = outPool.Get().(*[]byte)
	out := (*buf)[:min(int(outCap), firstOut)]
	if len(out) >= 4 { // an error that writes no message (CLOSED) then has an empty one, not stale bytes
		binary.LittleEndian.PutUint32(out, 0)
	}
	rc = fn(out)
	if rc == -codeTooSmall && len(out) >= 4 && len(out) < int(outCap) {
		if need := binary.LittleEndian.Uint32(out); need <= outCap {
			out = make([]byte, need)
			rc = fn(out)
		}
	}
	if rc < 0 {
		return rc, errorBody(rc, out), buf
	}
	return rc, out[:used(rc, out)], buf
}

// errorBody is the part of out an error wrote (docs/ABI.md conventions).
func errorBody(rc int32, out []byte) []byte {
	switch {
	case rc == -codeNotFound || len(out) < 4:
		return nil
	case rc == -codeTooSmall:
		return out[:4]
	}
	n := binary.LittleEndian.Uint32(out)
	return out[:4+min(int(n), len(out)-4)]
}

func usedNone(int32, []byte) int           { return 0 }
func usedPrefix(rc int32, out []byte) int  { return int(rc) }
func usedEntries(rc int32, out []byte) int { return walk(out, int(rc), 2) }

// usedValues measures n `[i32 len][bytes]` records (len -1 = missing).
func usedValues(n int, out []byte) int {
	pos := 0
	for i := 0; i < n; i++ {
		l := int32(binary.LittleEndian.Uint32(out[pos:]))
		pos += 4 + max(int(l), 0)
	}
	return pos
}

// walk measures n records of `fields` `[u32 len][bytes]` fields each.
func walk(out []byte, n, fields int) int {
	pos := 0
	for i := 0; i < n*fields; i++ {
		pos += 4 + int(binary.LittleEndian.Uint32(out[pos:]))
	}
	return pos
}

// scanChunk reads up to max entries of the range in spec from a fresh snapshot: a client's scan is
// stateless on the owner, so it survives a change of owner (route.go resumes after its last key).
func scanChunk(h int32, rawSpec []byte, max int32, out []byte) int32 {
	spec, derr := decodeIterSpec(rawSpec)
	if derr != nil {
		return writeError(out, derr)
	}
	return withDB(h, func(dh *dbHandle, db *badger.DB) int32 {
		it := newIterator(h, dh.st, db, spec)
		defer it.close()
		return it.fill(max, out)
	})
}

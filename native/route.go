package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"skyshelve/native/internal/wire"
)

// Each export runs on the local store, or, while another process owns the store, on that owner
// through this process's client. A client that wins an election switches its store to local; a
// call that sees that (ok == false) then runs locally.

// remoteOf returns the client of h's store while another process owns it.
func remoteOf(h int32) *client {
	dh, ok := dbHandles.get(h)
	if !ok {
		return nil
	}
	return dh.st.client.Load()
}

func u32(v int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }

func routeGet(h int32, key, out []byte) int32 {
	if c := remoteOf(h); c != nil {
		if rc, ok := c.get(key, out); ok {
			return rc
		}
	}
	return doGet(h, key, out)
}

func routeHas(h int32, key, out []byte) int32 {
	if c := remoteOf(h); c != nil {
		if rc, ok := c.has(key, out); ok {
			return rc
		}
	}
	return doHas(h, key, out)
}

func routeGetMany(h int32, req []byte, start int32, out []byte) int32 {
	if c := remoteOf(h); c != nil {
		if rc, ok := c.roundTrip(out, wire.OpGetMany, u32(len(out)), u32(int(start)), req); ok {
			return rc
		}
	}
	return doGetMany(h, req, start, out)
}

func routeWrite(h int32, req, out []byte) int32 {
	return routeWriteWait(h, req, out, 0)
}

// routeWriteWait is sky_write_begin's route (deferAfter as in writeRequest). A client's write is one
// round trip to the owner, which commits it on its own committer, so it never returns a ticket.
func routeWriteWait(h int32, req, out []byte, deferAfter time.Duration) int32 {
	if c := remoteOf(h); c != nil {
		flags := byte(0)
		if dh, ok := dbHandles.get(h); ok && dh.syncWrites {
			flags = wire.WriteSync
		}
		if rc, ok := c.write(out, flags, req); ok {
			return rc
		}
	}
	return writeRequest(h, req, out, deferAfter)
}

func routeSync(h int32, out []byte) int32 {
	if c := remoteOf(h); c != nil {
		if rc, ok := c.roundTrip(out, wire.OpSync); ok {
			return rc
		}
	}
	return doSync(h, out)
}

// routeStats answers a client's stats from its owner, marked role "client".
func routeStats(h int32, out []byte) int32 {
	c := remoteOf(h)
	if c == nil {
		return doStats(h, out)
	}
	rc, ok := c.roundTrip(out, wire.OpStats, u32(len(out)))
	if !ok {
		return doStats(h, out)
	}
	if rc < 0 {
		return rc
	}
	var stats map[string]any
	if err := json.Unmarshal(out[:rc], &stats); err != nil {
		return writeError(out, newError(codeInternal, "bad stats from the owner: %v", err))
	}
	stats["role"] = "client"
	stats["readCache"] = c.cache.stats()
	b, _ := json.Marshal(stats)
	if len(b) > len(out) {
		return tooSmall(out, len(b))
	}
	return int32(copy(out, b))
}

// remoteScan is an iterator over a store another process owns. Each chunk is one stateless scan
// request that resumes after the last key delivered, so a scan survives a change of owner; each
// chunk reads its own snapshot (docs/MULTIPROCESS.md).
type remoteScan struct {
	c     *client
	h     int32
	spec  iterSpec
	last  []byte
	local *iterator // once this process owns the store
}

func (r *remoteScan) next(max int32, out []byte) int32 {
	if r.local != nil {
		return r.local.fill(max, out)
	}
	spec := r.resumed()
	rc, ok := r.c.roundTrip(out, wire.OpScan, u32(int(max)), u32(len(out)), appendIterSpec(nil, spec))
	if !ok {
		return withDB(r.h, func(dh *dbHandle, db *badger.DB) int32 {
			r.local = newIterator(r.h, dh.st, db, spec)
			return r.local.fill(max, out)
		})
	}
	if rc > 0 {
		r.last = bytes.Clone(lastKey(out, int(rc)))
	}
	return rc
}

// resumed is the range still to read: after the last key delivered.
func (r *remoteScan) resumed() iterSpec {
	s := r.spec
	if r.last == nil {
		return s
	}
	if s.reverse {
		s.lt = r.last
	} else {
		s.gte = append(bytes.Clone(r.last), 0) // the smallest key after last
	}
	return s
}

func (r *remoteScan) close() {
	if r.local != nil {
		r.local.close()
	}
}

// lastKey returns the key of the n-th (last) entry of a chunk.
func lastKey(out []byte, n int) []byte {
	pos := walk(out, n-1, 2)
	l := int(binary.LittleEndian.Uint32(out[pos:]))
	return out[pos+4 : pos+4+l]
}

// appendIterSpec is the inverse of decodeIterSpec.
func appendIterSpec(dst []byte, s iterSpec) []byte {
	flags := byte(0)
	if s.reverse {
		flags = 1
	}
	dst = append(dst, flags)
	dst = append(binary.LittleEndian.AppendUint32(dst, uint32(len(s.gte))), s.gte...)
	return append(binary.LittleEndian.AppendUint32(dst, uint32(len(s.lt))), s.lt...)
}

package main

// sky_index_scan (docs/ABI.md, "Index scans"): one call that walks a range of index entries and
// reads the record each entry points at, from one snapshot. A model's find used to take five calls
// (open, read, a read that learns the range ended, close, then get_many of the records); the calls
// cost more than the reads.

import (
	"encoding/binary"

	badger "github.com/dgraph-io/badger/v4"

	"skyshelve/native/internal/wire"
)

// Value lengths of an index scan answer that are not lengths.
const (
	scanNoRecord = -1 // no record at the derived key
	scanBadEntry = -2 // the entry key is not tuple-shaped, so it names no record
)

// scanDone is the answer's flag byte bit: the range has no entries after the last one returned.
const scanDone = 1

// indexScanRequest is a decoded index scan request; slices alias the request buffer.
type indexScanRequest struct {
	recordPrefix []byte
	spec         iterSpec
}

// decodeIndexScan parses `[u32 prefixLen][record prefix][iterator spec]`.
func decodeIndexScan(buf []byte) (indexScanRequest, error) {
	r := &reader{buf: buf, what: "index scan request"}
	prefix := r.bytes()
	if r.err == nil && len(prefix) > maxKeySize {
		r.fail("record prefix of %d bytes is over the %d-byte key limit", len(prefix), maxKeySize)
	}
	if r.err != nil {
		return indexScanRequest{}, r.err
	}
	spec, err := decodeIterSpec(buf[r.pos:])
	if err != nil {
		return indexScanRequest{}, err
	}
	return indexScanRequest{recordPrefix: prefix, spec: spec}, nil
}

// recordKeyOf appends to dst the record key an index entry key names: the record prefix, then the
// entry key's last element and its end marker. An entry key is tuple-shaped (docs/FORMAT.md): one
// marker byte, self-delimiting elements, the end marker 0x00. ok is false for any other key.
func recordKeyOf(dst, prefix, entry []byte) (key []byte, ok bool) {
	last := -1
	for pos := 1; pos < len(entry); {
		if entry[pos] == 0x00 { // the end marker must close the key, after at least one element
			if pos != len(entry)-1 || last < 0 {
				return dst, false
			}
			return append(append(dst, prefix...), entry[last:]...), true
		}
		end := elementEnd(entry, pos) // scancache.go
		if end < 0 {
			return dst, false
		}
		last, pos = pos, end
	}
	return dst, false
}

// routeIndexScan runs an index scan on the local store, or on the owner when another process owns it.
func routeIndexScan(h int32, req []byte, max int32, out []byte) int32 {
	if c := remoteOf(h); c != nil {
		if rc, ok := c.roundTrip(out, wire.OpIndexScan, u32(int(max)), u32(len(out)), req); ok {
			return rc
		}
	}
	return doIndexScan(h, req, max, out)
}

// doIndexScan writes `[u8 flags]` then up to max `[u32 keyLen][entry key][i32 valLen][record]`
// and returns the count; flags bit 0 (scanDone) says the range holds nothing more.
func doIndexScan(h int32, raw []byte, max int32, out []byte) int32 {
	req, err := decodeIndexScan(raw)
	if err != nil {
		return writeError(out, err)
	}
	if max < 1 {
		return writeError(out, newError(codeInvalid, "index scan max %d must be at least 1", max))
	}
	if len(out) < 16 {
		return tooSmall(out, 16)
	}
	return withDB(h, func(dh *dbHandle, db *badger.DB) int32 {
		rc := rowsOf(db)
		lease := dh.st.reads.acquire(db)
		readTs := lease.txn.ReadTs()
		ph, cacheable := rc.scanPrefixHash(req.spec) // scancache.go
		if keys, ok := rc.scanKeys(ph, cacheable, req.spec, readTs); ok {
			defer dh.st.reads.release(lease)
			return joinEntries(&cachedKeys{keys: keys}, rc, lease.txn, req.recordPrefix, max, out, nil)
		}
		fill := rc.beginScanFill(ph, cacheable)
		it := iteratorOn(h, dh.st, lease, req.spec)
		defer it.close()
		n := joinEntries(it, rc, lease.txn, req.recordPrefix, max, out, &fill)
		rc.endScanFill(&fill, req.spec, readTs, n >= 0 && out[0]&scanDone != 0)
		return n
	})
}

// entrySource yields the entry keys of an index range in order: a Badger iterator, or a cached list.
type entrySource interface {
	// entry returns the current entry key, or false past the range's end.
	entry() ([]byte, bool)
	next()
}

// entry skips the store's internal keys (dedup.go): they are never part of the user's data.
func (it *iterator) entry() ([]byte, bool) {
	for it.inRange() {
		if k := it.it.Item().Key(); !isInternalKey(k) {
			return k, true
		}
		it.it.Next()
	}
	return nil, false
}

func (it *iterator) next() { it.it.Next() }

// cachedKeys is a range's entry keys from the scan cache.
type cachedKeys struct {
	keys [][]byte
	i    int
}

func (c *cachedKeys) entry() ([]byte, bool) {
	if c.i < len(c.keys) {
		return c.keys[c.i], true
	}
	return nil, false
}

func (c *cachedKeys) next() { c.i++ }

// joinEntries writes the entries of the range and their records (read at txn's snapshot); fill,
// when not nil, collects the keys for the scan cache.
func joinEntries(src entrySource, rc *rowCache, txn *badger.Txn, prefix []byte, max int32, out []byte, fill *scanFill) int32 {
	pos, count := 1, int32(0)
	var scratch []byte
	for count < max {
		entry, ok := src.entry()
		if !ok {
			break
		}
		var n int
		var err error
		scratch, n, err = appendJoined(rc, txn, prefix, entry, scratch[:0], out[pos:])
		if err != nil {
			return writeError(out, err)
		}
		if n < 0 {
			if count == 0 {
				return tooSmall(out, 1-n)
			}
			out[0] = 0
			return count
		}
		if fill != nil {
			fill.add(entry)
		}
		pos += n
		count++
		src.next()
	}
	out[0] = 0
	if _, more := src.entry(); !more {
		out[0] = scanDone
	}
	return count
}

// appendJoined writes one entry key and its record; n is the bytes used, or minus the bytes needed.
// scratch holds the derived record key (returned for reuse).
func appendJoined(rc *rowCache, txn *badger.Txn, prefix, entry, scratch, out []byte) (key []byte, n int, err error) {
	key, ok := recordKeyOf(scratch, prefix, entry)
	if !ok {
		return key, putJoined(out, entry, scanBadEntry, nil), nil
	}
	// The record goes after `[u32 keyLen][entry]` in get_many's form (a missing one is scanNoRecord).
	head := 4 + len(entry)
	n, err = appendValue(rc, txn, key, out[min(head, len(out)):])
	if err != nil {
		return key, 0, err
	}
	if n < 0 {
		return key, n - head, nil // minus the whole entry's need
	}
	binary.LittleEndian.PutUint32(out, uint32(len(entry)))
	copy(out[4:], entry)
	return key, head + n, nil
}

// putJoined writes `[u32 keyLen][entry][i32 valLen][value]` (valLen < 0: no value), or returns
// minus the bytes needed.
func putJoined(out, entry []byte, valLen int32, v []byte) int {
	need := 8 + len(entry) + len(v)
	if need > len(out) {
		return -need
	}
	binary.LittleEndian.PutUint32(out, uint32(len(entry)))
	copy(out[4:], entry)
	binary.LittleEndian.PutUint32(out[4+len(entry):], uint32(valLen))
	copy(out[8+len(entry):], v)
	return need
}

// usedJoined measures an index scan answer of n entries (the owner sends only those bytes).
func usedJoined(n int, out []byte) int {
	pos := 1
	for i := 0; i < n; i++ {
		pos += 4 + int(binary.LittleEndian.Uint32(out[pos:]))
		l := int32(binary.LittleEndian.Uint32(out[pos:]))
		pos += 4 + max(int(l), 0)
	}
	return pos
}

package main

import (
	"bytes"
	"encoding/binary"
	"sync"

	badger "github.com/dgraph-io/badger/v4"
)

// iterator walks one range of one read snapshot, a bounded chunk per sky_iter_next.
type iterator struct {
	owner int32 // the db handle that opened it
	spec  iterSpec

	mu     sync.Mutex // one chunk at a time; koffi may call from several threads
	reads  *readTxns  // the store's pool, which lent the snapshot
	lease  readLease  // the snapshot, held until close
	it     *badger.Iterator
	closed bool
	remote *remoteScan // set instead of lease/it when another process owns the store (route.go)
}

var iterHandles = newTable[*iterator]()

// openIter takes a snapshot of the handle's store and positions an iterator at the range start.
func openIter(h int32, rawSpec []byte, out []byte) int32 {
	spec, derr := decodeIterSpec(rawSpec)
	if derr != nil {
		return writeError(out, derr)
	}
	// The spec aliases JavaScript memory, which Go must not keep past the call.
	spec.gte = bytes.Clone(spec.gte)
	spec.lt = bytes.Clone(spec.lt)
	if c := remoteOf(h); c != nil {
		return registerIter(h, &iterator{owner: h, spec: spec, remote: &remoteScan{c: c, h: h, spec: spec}})
	}
	return withDB(h, func(dh *dbHandle, db *badger.DB) int32 {
		return registerIter(h, newIterator(h, dh.st, db, spec))
	})
}

// newIterator opens a snapshot of db positioned at the start of spec's range.
func newIterator(h int32, st *store, db *badger.DB, spec iterSpec) *iterator {
	// A pooled read transaction (readtxn.go): usually the one the committer opened after the
	// last write, so opening an iterator does not wait on Badger's watermark from this thread.
	return iteratorOn(h, st, st.reads.acquire(db), spec)
}

// iteratorOn opens an iterator on a snapshot already leased from st; closing it releases the lease.
func iteratorOn(h int32, st *store, lease readLease, spec iterSpec) *iterator {
	opts := badger.DefaultIteratorOptions
	// Values are read only for entries that fit the caller's chunk.
	opts.PrefetchValues = false
	opts.Reverse = spec.reverse
	// Every key in [gte, lt) starts with their common prefix; telling Badger lets it skip the
	// tables whose key range lies outside it (a short index scan touches one or two).
	if len(spec.gte) > 0 && len(spec.lt) > 0 {
		opts.Prefix = commonPrefix(spec.gte, spec.lt)
	}
	it := &iterator{owner: h, spec: spec, reads: &st.reads, lease: lease, it: lease.txn.NewIterator(opts)}
	it.seekStart()
	return it
}

// registerIter gives it a handle and ties it to the db handle h, which closes it on close.
func registerIter(h int32, it *iterator) int32 {
	dh, ok := dbHandles.get(h)
	if !ok {
		it.close()
		return -codeClosed
	}
	dh.mu.Lock()
	defer dh.mu.Unlock()
	if dh.iters == nil { // the handle closed while we were opening
		it.close()
		return -codeClosed
	}
	id := iterHandles.add(it)
	dh.iters[id] = it
	return id
}

func (it *iterator) seekStart() {
	if !it.spec.reverse {
		if len(it.spec.gte) > 0 {
			it.it.Seek(it.spec.gte)
		} else {
			it.it.Rewind()
		}
		return
	}
	if len(it.spec.lt) == 0 {
		it.it.Rewind()
		return
	}
	// A reverse Seek lands on the largest key <= lt; lt itself is excluded.
	it.it.Seek(it.spec.lt)
	if it.it.Valid() && bytes.Equal(it.it.Item().Key(), it.spec.lt) {
		it.it.Next()
	}
}

// inRange reports whether the iterator is on an entry inside the range.
func (it *iterator) inRange() bool {
	if !it.it.Valid() {
		return false
	}
	k := it.it.Item().Key()
	if it.spec.reverse {
		return len(it.spec.gte) == 0 || bytes.Compare(k, it.spec.gte) >= 0
	}
	return len(it.spec.lt) == 0 || bytes.Compare(k, it.spec.lt) < 0
}

// nextChunk writes up to max `[u32 keyLen][key][u32 valLen][val]` entries and returns the count.
func nextChunk(id int32, max int32, out []byte) int32 {
	it, ok := iterHandles.get(id)
	if !ok {
		return -codeClosed
	}
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.closed {
		return -codeClosed
	}
	if it.remote != nil {
		return it.remote.next(max, out)
	}
	return it.fill(max, out)
}

// fill writes up to max entries of the range into out and returns the count.
func (it *iterator) fill(max int32, out []byte) int32 {
	pos, count := 0, int32(0)
	for count < max && it.inRange() {
		item := it.it.Item()
		if isInternalKey(item.Key()) { // dedup.go: never part of the user's data
			it.it.Next()
			continue
		}
		n, err := appendEntry(item, out[pos:])
		if err != nil {
			return writeError(out, err)
		}
		if n < 0 {
			if count == 0 {
				return tooSmall(out, -n)
			}
			break
		}
		pos += n
		count++
		it.it.Next()
	}
	return count
}

// appendEntry writes one entry and returns the bytes used, or minus the bytes needed.
func appendEntry(item *badger.Item, out []byte) (int, error) {
	k := item.Key()
	n := 0
	err := item.Value(func(v []byte) error {
		need := 8 + len(k) + len(v)
		if need > len(out) {
			n = -need
			return nil
		}
		binary.LittleEndian.PutUint32(out, uint32(len(k)))
		copy(out[4:], k)
		binary.LittleEndian.PutUint32(out[4+len(k):], uint32(len(v)))
		copy(out[8+len(k):], v)
		n = need
		return nil
	})
	return n, err
}

// closeIter releases an iterator and its snapshot.
func closeIter(id int32) int32 {
	it, ok := iterHandles.remove(id)
	if !ok {
		return -codeClosed
	}
	if dh, ok := dbHandles.get(it.owner); ok {
		dh.mu.Lock()
		if dh.iters != nil {
			delete(dh.iters, id)
		}
		dh.mu.Unlock()
	}
	it.close()
	return 0
}

// close is idempotent; it runs from sky_iter_close or when the owning handle closes.
func (it *iterator) close() {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.closed {
		return
	}
	it.closed = true
	if it.remote != nil {
		it.remote.close()
		return
	}
	it.it.Close()
	it.reads.release(it.lease)
}

// commonPrefix is the longest prefix a and b share.
func commonPrefix(a, b []byte) []byte {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return a[:n]
}

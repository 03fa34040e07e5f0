package main

import (
	"encoding/binary"
	"errors"

	badger "github.com/dgraph-io/badger/v4"
)

// doGet writes the value of key to out and returns its length.
func doGet(h int32, key, out []byte) int32 {
	return withDB(h, func(dh *dbHandle, db *badger.DB) int32 {
		if err := checkKey(key); err != nil {
			return writeError(out, err)
		}
		lease := dh.st.reads.acquire(db)
		defer dh.st.reads.release(lease)
		n := int32(0)
		found, err := readValue(rowsOf(db), lease.txn, key, func(v []byte) {
			if len(v) > len(out) {
				n = tooSmall(out, len(v))
				return
			}
			n = int32(copy(out, v))
		})
		if err != nil {
			return writeError(out, err)
		}
		if !found {
			return -codeNotFound
		}
		return n
	})
}

// readValue passes key's value at txn's snapshot to use (valid only during the call), from the row
// cache (rowcache.go) when it holds one for that snapshot, else from Badger, filling the cache.
// found is false when the key has no value there.
func readValue(rc *rowCache, txn *badger.Txn, key []byte, use func(v []byte)) (found bool, err error) {
	readTs := txn.ReadTs()
	v, found, hit, admit := rc.get(key, readTs)
	if hit {
		if found {
			use(v)
		}
		return found, nil
	}
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		if admit {
			rc.fill(key, readTs, readTs, nil, false)
		}
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, item.Value(func(v []byte) error {
		if admit {
			rc.fill(key, readTs, item.Version(), v, true)
		}
		use(v)
		return nil
	})
}

// doHas returns 1 when key exists, else 0.
func doHas(h int32, key, out []byte) int32 {
	return withDB(h, func(dh *dbHandle, db *badger.DB) int32 {
		if err := checkKey(key); err != nil {
			return writeError(out, err)
		}
		lease := dh.st.reads.acquire(db)
		defer dh.st.reads.release(lease)
		rc, readTs := rowsOf(db), lease.txn.ReadTs()
		_, found, hit, admit := rc.get(key, readTs)
		if hit {
			return b2i(found)
		}
		// Only absence is cached here: caching a value would cost reading it.
		_, err := lease.txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			if admit {
				rc.fill(key, readTs, readTs, nil, false)
			}
			return 0
		}
		if err != nil {
			return writeError(out, err)
		}
		return 1
	})
}

// checkKey rejects keys that no write could have stored, with the same codes as a write.
func checkKey(key []byte) error {
	if len(key) > maxKeySize {
		return newError(codeKeyTooLarge, "key of %d bytes is over the %d-byte limit", len(key), maxKeySize)
	}
	if len(key) == 0 {
		return badger.ErrEmptyKey
	}
	if isInternalKey(key) { // dedup.go
		return errInternalKey
	}
	return nil
}

// doGetMany reads keys[start:] from one snapshot into out as `[i32 len][bytes]` records
// and returns the index one past the last key written.
func doGetMany(h int32, req []byte, start int32, out []byte) int32 {
	keys, derr := decodeKeys(req)
	if derr != nil {
		return writeError(out, derr)
	}
	if start < 0 || int(start) > len(keys) {
		return writeError(out, newError(codeInvalid, "start %d is outside 0..%d", start, len(keys)))
	}
	return withDB(h, func(dh *dbHandle, db *badger.DB) int32 {
		lease := dh.st.reads.acquire(db)
		defer dh.st.reads.release(lease)
		txn := lease.txn
		if len(keys)-int(start) >= splitMinKeys {
			if rc, ok := getManySplit(db, txn, keys, int(start), out); ok {
				return rc
			}
		}
		return getManySeq(rowsOf(db), txn, keys, int(start), out)
	})
}

// getManySeq is get_many's loop on one goroutine.
func getManySeq(rc *rowCache, txn *badger.Txn, keys [][]byte, start int, out []byte) int32 {
	pos := 0
	for i := start; i < len(keys); i++ {
		n, err := appendValue(rc, txn, keys[i], out[pos:])
		if err != nil {
			return writeError(out, err)
		}
		if n < 0 {
			if i == start {
				return tooSmall(out, -n)
			}
			return int32(i)
		}
		pos += n
	}
	return int32(len(keys))
}

// appendValue writes `[i32 len][value]` (len -1 when missing) and returns the bytes used,
// or minus the bytes needed when out is too small.
func appendValue(rc *rowCache, txn *badger.Txn, key, out []byte) (int, error) {
	if err := checkKey(key); err != nil {
		return 0, err
	}
	n := 0
	found, err := readValue(rc, txn, key, func(v []byte) {
		if 4+len(v) > len(out) {
			n = -(4 + len(v))
			return
		}
		binary.LittleEndian.PutUint32(out, uint32(len(v)))
		n = 4 + copy(out[4:], v)
	})
	if err != nil || found {
		return n, err
	}
	if len(out) < 4 {
		return -4, nil
	}
	binary.LittleEndian.PutUint32(out, 0xFFFFFFFF)
	return 4, nil
}

// b2i is 1 for true.
func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

package main

import (
	"encoding/binary"
	"runtime"
	"sync"
	"sync/atomic"

	badger "github.com/dgraph-io/badger/v4"
)

// Why a helper goroutine: a large get_many is a row of independent Badger point lookups (~2-3 µs
// each), and while the call runs, Node's JS thread only waits for it. So from splitMinKeys keys on,
// one helper goroutine reads keys from the back while the caller reads from the front; they meet
// wherever the work balances (a late helper simply gets fewer keys). The helper has its own read
// transaction at the caller's read timestamp (pinned on the clock), so both read the same snapshot.
// The caller writes its keys straight into out in order, exactly as the sequential loop does, so
// every outcome (TOO_SMALL, partial fill, the first error) is the sequential one; the helper's
// records are copied after them. Helpers are bounded process-wide (helperSlots): when every slot
// is taken (several Workers or owner clients reading at once, the cores are busy anyway) a call
// runs sequentially.

// splitMinKeys is the smallest key count worth a helper (bench/RESULTS.md, get-batch split).
var splitMinKeys = 128

// helperSlots bounds the helper goroutines of all calls together to one per spare core.
var helperSlots = make(chan struct{}, max(runtime.GOMAXPROCS(0)-1, 0))

// splitState is what the caller and the helper of one call share.
type splitState struct {
	_      [64]byte      // claims and stop get a cache line of their own: both goroutines poll
	claims atomic.Uint64 // next front index (low 32 bits), end of the unclaimed range (high 32)
	stop   atomic.Bool   // the caller's answer is settled; the helper may quit
	entry  atomic.Int32  // entryPending, then entryHelping (helper started) or entryAbandoned
	_      [64]byte
	done   chan struct{}
	// written by the helper, read by the caller after done:
	buf   []byte  // the helper's records, in the reverse of key order
	offs  []int32 // offs[i-start] = offset of key i's record in buf
	low   int     // lowest key index the helper claimed (its keys are low..len(keys)-1)
	errAt int     // key index of the helper's error, -1 if none
	err   error
}

// The helper's entry states: a helper that has not started when the caller finished (a busy box)
// is abandoned instead of waited for; it then exits without touching the store or the call.
const (
	entryPending int32 = iota
	entryHelping
	entryAbandoned
)

var splitPool = sync.Pool{New: func() any { return &splitState{done: make(chan struct{}, 1)} }}

// claimFront takes the next key from the front for the caller; ok is false when none is left.
func (s *splitState) claimFront() (int, bool) {
	for {
		c := s.claims.Load()
		lo, hi := uint32(c), uint32(c>>32)
		if lo >= hi {
			return 0, false
		}
		if s.claims.CompareAndSwap(c, uint64(hi)<<32|uint64(lo+1)) {
			return int(lo), true
		}
	}
}

// claimBack takes the next key from the back for the helper.
func (s *splitState) claimBack() (int, bool) {
	for {
		c := s.claims.Load()
		lo, hi := uint32(c), uint32(c>>32)
		if lo >= hi {
			return 0, false
		}
		if s.claims.CompareAndSwap(c, uint64(hi-1)<<32|uint64(lo)) {
			return int(hi - 1), true
		}
	}
}

// getManySplit is doGetMany's loop with a helper, or ok=false when no helper slot is free.
func getManySplit(db *badger.DB, txn *badger.Txn, keys [][]byte, start int, out []byte) (int32, bool) {
	select {
	case helperSlots <- struct{}{}:
	default:
		return 0, false
	}
	s := newSplit(keys, start)
	go s.help(db, txn.ReadTs(), keys, start, len(out))
	return s.finish(keys, start, out, s.front(rowsOf(db), txn, keys, start, out)), true
}

// newSplit readies a pooled splitState for keys[start:].
func newSplit(keys [][]byte, start int) *splitState {
	s := splitPool.Get().(*splitState)
	s.claims.Store(uint64(len(keys))<<32 | uint64(start))
	s.stop.Store(false)
	s.entry.Store(entryPending)
	s.buf, s.low, s.errAt, s.err = s.buf[:0], len(keys), -1, nil
	if n := len(keys) - start; cap(s.offs) >= n {
		s.offs = s.offs[:n] // no need to clear: the helper sets each offset before it is read
	} else {
		s.offs = make([]int32, n)
	}
	return s
}

// finish waits for the helper, completes the answer front gave and returns s to the pool.
func (s *splitState) finish(keys [][]byte, start int, out []byte, rc int32) int32 {
	if s.entry.CompareAndSwap(entryPending, entryAbandoned) {
		// The helper never started, so the caller claimed every key: its answer is the whole answer.
		if s.stop.Load() {
			return rc
		}
		return int32(len(keys))
	}
	<-s.done
	if !s.stop.Load() {
		rc = s.assemble(keys, start, out, rc)
	}
	if cap(s.buf) <= 4<<20 { // keep moderate buffers for the next call, not huge ones
		splitPool.Put(s)
	}
	return rc
}

// front reads keys from the front into out; it returns the sequential answer when it settles one
// (and sets stop), else the byte count written, for assemble.
func (s *splitState) front(rc *rowCache, txn *badger.Txn, keys [][]byte, start int, out []byte) int32 {
	pos := 0
	for {
		i, ok := s.claimFront()
		if !ok {
			return int32(pos)
		}
		n, err := appendValue(rc, txn, keys[i], out[pos:])
		if err != nil {
			s.stop.Store(true)
			return writeError(out, err)
		}
		if n < 0 {
			s.stop.Store(true)
			if i == start {
				return tooSmall(out, -n)
			}
			return int32(i)
		}
		pos += n
	}
}

// help reads keys from the back into s.buf at the given read timestamp, until none is left, the
// caller has settled, an error, or more bytes than out can take; it always signals done.
// It holds a helperSlots token, which it gives back as it exits.
func (s *splitState) help(db *badger.DB, readTs uint64, keys [][]byte, start, outCap int) {
	if !s.entry.CompareAndSwap(entryPending, entryHelping) {
		<-helperSlots
		return // abandoned: s belongs to nobody now, and the call (its transaction too) is over
	}
	defer func() {
		<-helperSlots // before done, so the caller's next call finds the slot free
		s.done <- struct{}{}
	}()
	defer func() { // not an export: a panic here would end the process
		if r := recover(); r != nil {
			s.errAt, s.err = s.low, newError(codeInternal, "panic in libskyshelve: %v", r)
		}
	}()
	c := clockOf(db)
	c.pinAt(readTs) // the caller's transaction holds the same pin until we are done
	defer c.unpin(readTs)
	txn := db.NewTransactionAt(readTs, false)
	defer txn.Discard()
	rc := rowsOf(db)
	for !s.stop.Load() && len(s.buf) <= outCap {
		i, ok := s.claimBack()
		if !ok {
			return
		}
		s.low = i
		var err error
		s.offs[i-start] = int32(len(s.buf))
		s.buf, err = appendRecord(rc, txn, keys[i], s.buf)
		if err != nil {
			s.errAt, s.err = i, err
			return
		}
	}
}

// assemble appends the helper's records (keys s.low..) after the caller's pos bytes in out,
// with the sequential loop's answer.
func (s *splitState) assemble(keys [][]byte, start int, out []byte, pos32 int32) int32 {
	pos := int(pos32)
	for i := s.low; i < len(keys); i++ {
		if i == s.errAt {
			return writeError(out, s.err)
		}
		rec := s.buf[s.offs[i-start]:]
		n := 4
		if l := binary.LittleEndian.Uint32(rec); l != 0xFFFFFFFF {
			n += int(l)
		}
		if pos+n > len(out) {
			if i == start {
				return tooSmall(out, n)
			}
			return int32(i)
		}
		pos += copy(out[pos:], rec[:n])
	}
	return int32(len(keys))
}

// appendRecord appends key's `[i32 len][value]` record (len -1 when missing) to buf.
func appendRecord(rc *rowCache, txn *badger.Txn, key, buf []byte) ([]byte, error) {
	for {
		n, err := appendValue(rc, txn, key, buf[len(buf):cap(buf)])
		if err != nil {
			return buf, err
		}
		if n >= 0 {
			return buf[:len(buf)+n], nil
		}
		buf = append(buf[:cap(buf)], make([]byte, max(-n, cap(buf)))...)[:len(buf)]
	}
}

package main

import (
	"bytes"
	"errors"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"
)

// Bulk ingest (docs/ABI.md, "Bulk ingest"): loads many puts into an EMPTY store through Badger's
// StreamWriter, which builds the LSM tables directly instead of going through memtables and
// compactions. StreamWriter.Prepare drops all data, so an ingest only starts on a store that is
// verifiably empty (no user keys, no internal keys) and that this process owns; a client of
// another owner, or a store with anything in it, is told to use ordinary writes instead.
//
// While an ingest runs, the store belongs to it: every other call on the store (from this
// process's other handles and Workers, and from client processes through the socket server)
// fails with BUSY, so nothing can slip in between the emptiness check and the end.
//
// StreamWriter needs keys in strictly ascending order. Exports and copies come sorted; at the first
// key that is not above the previous one, the ingest flushes what it streamed (a valid store) and
// continues with a WriteBatch on top, whose commits get newer versions, so a later put of a key
// still wins, exactly as with ordinary writes.
//
// All or nothing: a marker file (ingestmarker.go) exists from before Prepare until everything is
// synced; an open that finds it drops the half-built data. Abort and a close mid-ingest drop it too.

// ingest is one bulk load in progress.
type ingest struct {
	id   int32
	st   *store
	db   *badger.DB
	sw   *badger.StreamWriter // nil once the ingest switched to a WriteBatch
	wb   *badger.WriteBatch
	last []byte // the last key streamed
}

// badgerPrefix starts Badger's own keys (badger.ErrInvalidKey).
var badgerPrefix = []byte("!badger!")

// ingestStream is the StreamWriter stream every entry goes to (one sorted stream).
const ingestStream = 1

// errBusy is returned for calls on a store while a bulk ingest owns it.
var errBusy = newError(codeBusy, "the store is busy: a bulk ingest (import or copy into an empty store) is loading it; try again when it has finished")

var ingests = newTable[*ingest]()

// beginIngest starts an ingest on h's store. It returns the ingest's handle, or 0 with the reason
// in out (as an error message) when the store does not qualify and ordinary writes must be used.
func beginIngest(h int32, out []byte) int32 {
	dh, ok := dbHandles.get(h)
	if !ok {
		return -codeClosed
	}
	st := dh.st
	if st.client.Load() != nil {
		return notEligible(out, "this process is a client of the process that owns the store")
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	switch {
	case st.closed:
		return -codeClosed
	case st.db == nil:
		return notEligible(out, "this process is a client of the process that owns the store")
	case st.ingest != nil:
		return writeError(out, errBusy)
	}
	st.inflight.Wait() // commits left in the background by earlier writes
	// With st.mu held no read is in flight, so a lease is an open iterator. Its snapshot would read
	// a store being rebuilt (Prepare drops every table under it).
	if st.reads.leased.Load() > 0 {
		return notEligible(out, "iterators are open on the store")
	}
	if empty, err := isEmpty(st.db); err != nil {
		return writeError(out, err)
	} else if !empty {
		return notEligible(out, "the store is not empty")
	}
	in, err := startIngest(st)
	if err != nil {
		return writeError(out, err)
	}
	st.ingest = in
	in.id = ingests.add(in)
	return in.id
}

// notEligible answers 0 with the reason in out, in the error message layout.
func notEligible(out []byte, why string) int32 {
	writeError(out, errors.New(why))
	return 0
}

// isEmpty reports whether db holds no live key at all, the native layer's own records included.
func isEmpty(db *badger.DB) (bool, error) {
	l := openRead(db)
	defer l.discard()
	it := l.txn.NewIterator(badger.IteratorOptions{})
	defer it.Close()
	it.Rewind()
	return !it.Valid(), nil
}

// startIngest writes the marker, then prepares the StreamWriter (which drops the empty store's
// leftovers: tombstones, old tables). Called with st.mu held exclusively.
func startIngest(st *store) (*ingest, error) {
	if err := writeIngestMarker(st.cfg); err != nil {
		return nil, err
	}
	st.reads.invalidate()
	clockOf(st.db).stamps.Load().BeginBulk() // no client's cached read holds from here (stamps.go)
	sw := st.db.NewStreamWriter()
	if err := sw.Prepare(); err != nil {
		sw.Cancel()
		clockOf(st.db).stamps.Load().EndBulk()
		return nil, errors.Join(err, removeIngestMarker(st.cfg))
	}
	return &ingest{st: st, db: st.db, sw: sw}, nil
}

// withIngest runs fn on a live ingest, holding its store exclusively for the call.
func withIngest(id int32, out []byte, fn func(in *ingest) error) int32 {
	in, ok := ingests.get(id)
	if !ok {
		return -codeClosed
	}
	in.st.mu.Lock()
	defer in.st.mu.Unlock()
	if in.st.closed || in.st.ingest != in {
		return -codeClosed
	}
	if err := fn(in); err != nil {
		return writeError(out, err)
	}
	return 0
}

// addIngest loads one request of puts (the sky_write request layout, puts only).
func addIngest(id int32, req, out []byte) int32 {
	return withIngest(id, out, func(in *ingest) error {
		ops, err := decodeWrite(append([]byte(nil), req...)) // a WriteBatch keeps the slices
		if err != nil {
			return err
		}
		for i := range ops {
			if ops[i].op != opPut {
				return newError(codeInvalid, "bulk ingest takes puts only; op %d has type %d", i, ops[i].op)
			}
			if err := checkOp(in.st.cfg, &ops[i]); err != nil {
				return err
			}
			if bytes.HasPrefix(ops[i].key, badgerPrefix) { // a transaction refuses these; the StreamWriter would not
				return badger.ErrInvalidKey
			}
		}
		return in.add(ops)
	})
}

// add streams the sorted run of ops, switching to the WriteBatch at the first key out of order.
func (in *ingest) add(ops []writeOp) error {
	if err := clockOf(in.db).space.check(); err != nil { // diskspace.go
		return err
	}
	n := 0
	if in.sw != nil {
		for n < len(ops) && (in.last == nil || bytes.Compare(ops[n].key, in.last) > 0) {
			in.last = ops[n].key
			n++
		}
		if err := in.stream(ops[:n]); err != nil {
			return err
		}
		if n < len(ops) {
			if err := in.switchToBatch(); err != nil {
				return err
			}
		}
	}
	// Each entry gets its own timestamp, so a key put twice keeps the later value even when the
	// batch splits the two into separate transactions; complete or drop publishes them.
	ts := clockOf(in.db).reserve(uint64(len(ops) - n))
	for i, op := range ops[n:] {
		if err := in.wb.SetEntryAt(badger.NewEntry(op.key, op.value), ts+uint64(i)); err != nil {
			return err
		}
	}
	return nil
}

// stream hands sorted puts to the StreamWriter (version 1: the store was empty).
func (in *ingest) stream(ops []writeOp) error {
	if len(ops) == 0 {
		return nil
	}
	size := 64
	for _, op := range ops {
		size += len(op.key) + len(op.value) + 32 // + the KV's protobuf framing
	}
	buf := z.NewBuffer(size, "skyshelve.ingest") // sized to fit: z.Buffer zeroes what it allocates
	defer buf.Release()
	for _, op := range ops {
		badger.KVToBuffer(&pb.KV{Key: op.key, Value: op.value, Version: 1, StreamId: ingestStream}, buf)
	}
	err := in.sw.Write(buf)
	in.last = bytes.Clone(in.last) // op.key belongs to this call's request copy; keep only the last key
	return err
}

// switchToBatch completes the stream (the store now holds the sorted prefix) and continues with
// ordinary batched commits on top of it.
func (in *ingest) switchToBatch() error {
	sw := in.sw
	in.sw = nil
	if err := sw.Flush(); err != nil {
		return err
	}
	in.wb = in.db.NewManagedWriteBatch()
	return nil
}

// finishIngest completes the ingest: tables flushed, everything synced, then the marker removed.
func finishIngest(id int32, out []byte) int32 {
	return withIngest(id, out, func(in *ingest) error {
		err := in.complete()
		if err != nil {
			err = errors.Join(err, in.drop())
		}
		in.end()
		return err
	})
}

func (in *ingest) complete() error {
	if in.sw != nil {
		if err := in.sw.Flush(); err != nil {
			return err
		}
		in.sw = nil
	} else if err := in.wb.Flush(); err != nil {
		in.wb = nil
		return err
	}
	in.wb = nil
	if !in.st.cfg.InMemory {
		if err := in.db.Sync(); err != nil {
			return err
		}
	}
	return removeIngestMarker(in.st.cfg)
}

// abortIngest drops everything the ingest wrote: the store is empty again.
func abortIngest(id int32, out []byte) int32 {
	return withIngest(id, out, func(in *ingest) error {
		defer in.end()
		return in.drop()
	})
}

// drop stops the writers and empties the store, then removes the marker.
func (in *ingest) drop() error {
	if in.sw != nil {
		in.sw.Cancel()
		in.sw = nil
	}
	if in.wb != nil {
		in.wb.Cancel()
		in.wb = nil
	}
	if err := in.db.DropAll(); err != nil {
		return err // the marker stays: the next open drops the data
	}
	return removeIngestMarker(in.st.cfg)
}

// end hands the store back to every other caller. Called with st.mu held exclusively.
func (in *ingest) end() {
	c := clockOf(in.db)
	c.publish() // the StreamWriter's version 1 and the batch's timestamps
	c.stamps.Load().EndBulk()
	// rowcache.go: every bulk path (StreamWriter, WriteBatch, DropAll) ends here; nothing read meanwhile.
	rowsOf(in.db).clear(c.visible.Load())
	in.st.ingest = nil
	in.st.reads.invalidate()
	ingests.remove(in.id)
}

// abortOnClose drops an ingest still running when its store closes (st.mu held exclusively).
func abortOnClose(st *store) error {
	in := st.ingest
	if in == nil {
		return nil
	}
	defer in.end()
	return in.drop()
}

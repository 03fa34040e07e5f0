package main

import (
	"encoding/binary"
	"errors"
	"sync"

	badger "github.com/dgraph-io/badger/v4"

	"skyshelve/native/internal/stamps"
	"skyshelve/native/internal/wire"
)

// Group commit: the owner commits the writes that its clients sent meanwhile in one Badger
// transaction, one commit instead of one each. Each write keeps its own
// outcome. The transaction applies writes in arrival order. A write sees the writes before it:
// its duplicate check and its value checks read them, because Badger's txn.Get sees the
// transaction's pending writes. A write whose check fails stages nothing and answers CONFLICT,
// and the others still commit. Each connection sends its next write only after the answer to the
// last one (owner.go), so a group holds at most one write per client. A failed write therefore
// never shares a transaction with a later write of the same client, which dedup.go relies on.

const maxGroup = 256 // writes per group

// The group has no goroutine of its own: the writer that finds nobody committing commits the
// queue itself, on its own (ordinary) goroutine, so a lone write costs no hand-off and no spin on
// the committer (runCommit is for Node's locked threads); writers that queue up meanwhile wait,
// and the first of them commits the next group.

// writeJob is one client write waiting for a group commit.
type writeJob struct {
	req    wire.Request
	ops    []writeOp
	rc     int32
	body   []byte
	staged bool
	keys   [2]int        // the job's puts and deletes: txn.keys[keys[0]:keys[1]] (stageJob)
	leads  bool          // done was closed to make this job's writer commit the next group
	done   chan struct{} // closed once: with the outcome set, or with leads
}

// groupCommitter merges the client writes that queue up while a commit runs.
type groupCommitter struct {
	h       int32
	applied appliedSeqs // the applied record of each client served (dedup.go)
	mu      sync.Mutex
	queue   []*writeJob
	busy    bool // a writer is committing a group
}

func newGroupCommitter(h int32) *groupCommitter { return &groupCommitter{h: h} }

// submit queues one write and waits for its outcome, committing the group itself when it is first.
func (g *groupCommitter) submit(req wire.Request) (int32, []byte) {
	job := &writeJob{req: req, done: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, job)
	leads := !g.busy
	g.busy = true
	g.mu.Unlock()
	if !leads {
		<-job.done
		if !job.leads {
			return job.rc, job.body
		}
	}
	g.commitNext(job)
	return job.rc, job.body
}

// commitNext commits the queue's first group (own is its first job), then hands the next group to
// the first writer still queued, or marks the committer idle.
func (g *groupCommitter) commitNext(own *writeJob) {
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	jobs := append([]*writeJob(nil), g.queue[:n]...)
	g.queue = append(g.queue[:0], g.queue[n:]...)
	g.mu.Unlock()
	g.commit(jobs)
	g.mu.Lock()
	var next *writeJob
	if len(g.queue) > 0 {
		next = g.queue[0]
		next.leads = true
	} else {
		g.busy = false
	}
	g.mu.Unlock()
	for _, job := range jobs {
		if job != own {
			close(job.done)
		}
	}
	if next != nil {
		close(next.done)
	}
}

// commit runs one group; if the transaction as a whole fails (too big, an engine error), every
// write is committed again on its own, so only the writes at fault fail.
func (g *groupCommitter) commit(jobs []*writeJob) {
	defer func() {
		if r := recover(); r != nil {
			for _, job := range jobs {
				job.rc, job.body = writeErrorBody(newError(codeInternal, "panic in libskyshelve: %v", r))
			}
		}
	}()
	var retry []*writeJob
	rc := withDB(g.h, func(dh *dbHandle, db *badger.DB) int32 {
		live := prepareJobs(dh.st.cfg, jobs)
		err := commitGroup(db, live, &g.applied)
		if err != nil {
			retry = live
			return 0
		}
		return syncIfAsked(dh, db, live)
	})
	if rc < 0 { // the store closed
		for _, job := range jobs {
			job.rc, job.body = rc, nil
		}
	}
	// Outside withDB: writeDeduped takes the store's read lock itself. It writes applied records
	// without updating g.applied, so those clients are read from Badger again.
	for _, job := range retry {
		g.applied.forget(job.req.ClientID)
		job.rc, job.body = handleRequest(g.h, job.req)
	}
}

// prepareJobs decodes and checks each write; the ones that fail get their error and drop out.
func prepareJobs(cfg Config, jobs []*writeJob) []*writeJob {
	live := jobs[:0:0]
	for _, job := range jobs {
		ops, derr := decodeWrite(job.req.Data)
		var err error = derr
		if derr == nil {
			for i := range ops {
				if err = checkOp(cfg, &ops[i]); err != nil {
					break
				}
			}
		}
		if err != nil {
			job.rc, job.body = writeErrorBody(err)
			continue
		}
		job.ops = ops
		live = append(live, job)
	}
	return live
}

// commitGroup stages each write after its duplicate and value checks, then commits once.
func commitGroup(db *badger.DB, jobs []*writeJob, applied *appliedSeqs) error {
	checked := false
	for _, job := range jobs {
		checked = checked || hasChecks(job.ops)
	}
	defer lockOrder(db, checked).unlock()
	var staged *stagedTxn
	err := commitTxn(db, func(txn *stagedTxn) error {
		staged = txn
		var inTxn map[uint64]uint64 // seqs this transaction stages (a resend may share its group)
		for _, job := range jobs {
			txn.wantSolo = txn.wantSolo || job.req.Flags&wire.WriteStamps != 0
			if err := stageJob(txn, job, applied, inTxn); err != nil {
				return err
			}
			if job.staged {
				if inTxn == nil {
					inTxn = make(map[uint64]uint64)
				}
				inTxn[job.req.ClientID] = job.req.Seq
			}
		}
		return nil
	})
	if err == nil {
		for _, job := range jobs {
			if job.staged {
				applied.set(job.req.ClientID, job.req.Seq)
			}
		}
	}
	if err == nil && staged.solo != nil {
		for _, job := range jobs {
			if job.staged && job.req.Flags&wire.WriteStamps != 0 {
				job.body = soloStamps(staged.solo, job.keys)
				job.rc = int32(len(job.body))
			}
		}
	}
	return err
}

// maxWriteStamps bounds the stamps one write's answer carries (the client's buffer takes them).
const maxWriteStamps = 32

// soloStamps is a WriteStamps answer: the stamps of the job's keys (txn.keys[keys[0]:keys[1]])
// that the commit wrote alone, at most maxWriteStamps of them.
func soloStamps(solo *stamps.Solo, keys [2]int) []byte {
	body := make([]byte, 4, 4+maxWriteStamps*(4+stamps.StampSize))
	n := 0
	for i := keys[0]; i < keys[1] && n < maxWriteStamps; i++ {
		if s, ok := solo.Stamp(i); ok {
			body = stamps.AppendStamp(binary.LittleEndian.AppendUint32(body, uint32(i-keys[0])), s)
			n++
		}
	}
	if n == 0 {
		return nil // rc 0: nothing to cache
	}
	binary.LittleEndian.PutUint32(body, uint32(n))
	return body
}

// stageJob adds one write to txn; a failed check or a duplicate sets its outcome and stages nothing.
func stageJob(txn *stagedTxn, job *writeJob, seqs *appliedSeqs, inTxn map[uint64]uint64) error {
	job.staged = false
	key := appliedKey(job.req.ClientID)
	applied, known := inTxn[job.req.ClientID]
	if !known {
		applied, known = seqs.get(job.req.ClientID)
	}
	if !known {
		var err error
		if applied, err = appliedSeq(txn.Txn, key); err != nil {
			return err
		}
		// A committed record (inTxn has this transaction's): true whether or not it commits.
		seqs.set(job.req.ClientID, applied)
	}
	if job.req.Seq <= applied {
		job.rc, job.body = 0, nil // already committed by an earlier owner
		return nil
	}
	if err := verifyChecks(txn, job.ops); err != nil {
		var se *skyError
		if errors.As(err, &se) && se.code == codeConflict {
			job.rc, job.body = writeErrorBody(err)
			return nil
		}
		return err
	}
	job.keys[0] = len(txn.keys)
	if err := applyOps(txn, job.ops); err != nil {
		return err
	}
	job.keys[1] = len(txn.keys)
	job.rc, job.body, job.staged = 0, nil, true
	return txn.Set(key, seqBytes(job.req.Seq))
}

// syncIfAsked flushes to disk when a write of the group asked for it (a syncWrites handle).
func syncIfAsked(dh *dbHandle, db *badger.DB, jobs []*writeJob) int32 {
	for _, job := range jobs {
		if job.staged && job.req.Flags&wire.WriteSync != 0 && !dh.st.cfg.SyncWrites {
			if err := db.Sync(); err != nil {
				for _, j := range jobs {
					if j.staged {
						j.rc, j.body = writeErrorBody(err)
					}
				}
			}
			return 0
		}
	}
	return 0
}

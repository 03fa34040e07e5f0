package main

import (
	"sync"
	"sync/atomic"
	"time"
)

// Why pending commits: an unsynced commit is a synchronous call on Node's event-loop thread, and
// it normally returns in microseconds. When Badger stalls writes (memtables full while a flush
// runs, or too many L0 tables while compaction catches up) a commit can take 100+ ms, and the
// whole event loop would freeze for that long. So sky_write_begin waits only briefly
// (pendingAfter); a commit still running then is left queued on the committer and the call
// returns a ticket. JavaScript polls it with sky_write_poll from a timer (no thread of its own:
// a koffi .async call still in flight when a Worker is torn down aborts the process) and holds
// back later writes until then (back-pressure, and the order of writes is kept).
// sky_write_wait blocks until the commit is done, for synchronous callers that must see it.

// storeCommitWait asks writeRequest for the store's own commitWaitMicros (options.go; 2 ms by
// default): how long sky_write_begin blocks the caller before it returns a ticket.
const storeCommitWait = time.Duration(-1)

// ticketsIssued counts the commits that finished in the background, process-wide (sky_stats).
var ticketsIssued atomic.Int64

// pendingCommit is a commit that outlived its caller's wait.
type pendingCommit struct {
	job      *commitJob
	finished chan struct{} // closed once the commit has returned
}

var pendingCommits = newTable[*pendingCommit]()

// commitInBackground runs fn on the committer, counted in st.inflight so that closing the
// store waits for it. It returns fn's error, or a ticket when fn is still running after
// deferAfter (> 0).
func commitInBackground(st *store, fn func() error, deferAfter time.Duration) (int32, error) {
	st.inflight.Add(1)
	job := enqueueCommit(func() error {
		defer st.inflight.Done()
		return fn()
	})
	if awaitCommit(job, deferAfter) {
		return 0, finishJob(job)
	}
	p := &pendingCommit{job: job, finished: make(chan struct{})}
	go func() {
		<-job.wake
		close(p.finished)
	}()
	ticketsIssued.Add(1)
	return pendingCommits.add(p), nil
}

// doWritePoll returns 1 while a pending commit runs; once it is done, forgets the ticket and
// returns its status (0, or the negative status with its message in out).
func doWritePoll(ticket int32, out []byte) int32 {
	p, ok := pendingCommits.get(ticket)
	if !ok {
		return writeError(out, newError(codeInvalid, "no pending commit %d", ticket))
	}
	select {
	case <-p.finished:
	default:
		return 1
	}
	if _, ok := pendingCommits.remove(ticket); !ok {
		return writeError(out, newError(codeInvalid, "pending commit %d was finished twice", ticket))
	}
	if err := finishJob(p.job); err != nil {
		return writeError(out, err)
	}
	return 0
}

// doWriteWait blocks until a pending commit is applied (at once when its ticket is already
// finished); it leaves the ticket and the result to doWritePoll.
func doWriteWait(ticket int32) int32 {
	if p, ok := pendingCommits.get(ticket); ok {
		<-p.finished
	}
	return 0
}

// storeInflight counts a store's commits still running on the committer.
type storeInflight = sync.WaitGroup

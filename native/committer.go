package main

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"skyshelve/native/internal/spin"
)

// Why a committer goroutine: a Badger commit hands the request to Badger's writer goroutine and
// parks until it is applied. Node calls us on a foreign thread whose M is locked to the calling
// goroutine, so parking costs thread hand-offs (stoplockedm/startlockedm, futex wakes): 40-70 µs
// per unsynced commit, against ~6 µs for the commit itself in Go (bench/RESULTS.md).
//
// Instead the caller queues the commit for one ordinary (unlocked) goroutine and spins on an
// atomic flag. That goroutine, Badger's writer and watermark goroutines then hand off to each
// other on one P and one thread, without futex wakes, while the caller keeps its own P. Between
// jobs the committer polls for the next one for committerIdleSpin before it parks, so a stream of
// writes never has to wake it. Measured from Node on the 2-core box: 6-24 µs per awaited set
// instead of 60-74 µs, and less CPU per write (no scheduler syscalls).
//
// Durability is unchanged: the caller returns only after Commit returned (applied, visible to
// every later read, in the write-ahead log). The caller parks instead of spinning when the
// committer was asleep (waking it from a spinning caller would leave it in the caller's runnext
// slot, which another P steals only after a usleep), with GOMAXPROCS < 2 (writes then commit
// directly, see commitDirectly), and for a while after a spin timed out (a busy machine or a
// long commit, e.g. a write stall), so spinning never costs more than a bounded, rare waste.

// commitJob is one commit run by the committer on behalf of a caller.
type commitJob struct {
	fn   func() error
	err  error
	done atomic.Bool
	wake chan struct{} // receives one value when done; buffered, so the committer never blocks
}

var jobPool = sync.Pool{New: func() any { return &commitJob{wake: make(chan struct{}, 1)} }}

const (
	committerIdleSpin = 50 * time.Microsecond  // the committer polls this long for a next job
	callerSpin        = 200 * time.Microsecond // a caller spins this long, then parks
	backoffCalls      = 64                     // calls that park at once after a spin timed out
	spinClockEvery    = 16                     // polls (one pause each, ~25 ns) between clock reads
	pollYieldEvery    = 128                    // the committer's idle polls between yields (~3 µs)
)

var committer struct {
	once    sync.Once
	queue   chan *commitJob
	asleep  atomic.Bool  // the committer is (about to be) parked on queue
	backoff atomic.Int32 // calls left that park without spinning
}

// commitDirectly reports whether to call Badger on the caller's goroutine: with one P, a spinning
// caller would keep the committer from running.
func commitDirectly() bool {
	return runtime.GOMAXPROCS(0) < 2
}

// runCommit runs fn on the committer goroutine and returns its error once fn has returned.
func runCommit(fn func() error) error {
	if commitDirectly() {
		return fn()
	}
	job := enqueueCommit(fn)
	awaitCommit(job, 0)
	return finishJob(job)
}

// enqueueCommit queues fn for the committer goroutine, starting it on first use.
func enqueueCommit(fn func() error) *commitJob {
	committer.once.Do(func() {
		committer.queue = make(chan *commitJob, 256)
		go committerLoop()
	})
	job := jobPool.Get().(*commitJob)
	job.fn = fn
	job.err = nil
	job.done.Store(false)
	committer.queue <- job
	return job
}

// awaitCommit spins, then parks until job is done. With limit > 0 it may give up and return false
// (the job stays queued; its wake value is still to be received): it parks (at most limit) only
// when the committer was asleep, since that hand-off is quick; when a commit is slow it returns
// as soon as its spin ends. A parked foreign thread needs the Go scheduler to run it again, and
// while Badger's compactions keep both Ps busy that took 20-80 ms instead of the 2 ms asked for.
func awaitCommit(job *commitJob, limit time.Duration) bool {
	spin := callerSpin
	if limit > 0 {
		spin = min(spin, limit)
	}
	asleep := committer.asleep.Load()
	// With a limit, a caller spins even while backing off: giving up at once would send every
	// write of a busy spell to the slower background path.
	if !asleep && (limit > 0 || !backingOff()) && !spinUntilDone(job, spin) {
		committer.backoff.Store(backoffCalls)
	}
	if limit <= 0 || job.done.Load() {
		<-job.wake // immediate when the spin saw it done
		return true
	}
	if !asleep {
		return false
	}
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case <-job.wake:
		return true
	case <-timer.C:
		return false
	}
}

// finishJob returns a done job's error and recycles it.
func finishJob(job *commitJob) error {
	err := job.err
	job.fn = nil
	jobPool.Put(job)
	return err
}

func backingOff() bool {
	if committer.backoff.Load() <= 0 {
		return false
	}
	committer.backoff.Add(-1)
	return true
}

// spinUntilDone polls the job's flag for at most limit; false when it gave up. It pauses between
// polls and reads the clock only every spinClockEvery polls: the clock (~23 ns through the vDSO on
// the 2-core box) was most of a tight loop's time, and the flag is seen at most one pause late.
func spinUntilDone(job *commitJob, limit time.Duration) bool {
	start := time.Now()
	for i := 1; !job.done.Load(); i++ {
		spin.Pause(1)
		if i%spinClockEvery == 0 && time.Since(start) > limit {
			return false
		}
	}
	return true
}

// committerLoop runs jobs in order, forever; it parks only after committerIdleSpin without work.
func committerLoop() {
	for {
		committer.asleep.Store(true)
		job := <-committer.queue
		committer.asleep.Store(false)
		for job != nil {
			runJob(job)
			job = pollNext()
		}
	}
}

// pollNext waits up to committerIdleSpin for the next job. It yields once first, so the goroutines
// the last commit woke (Badger's watermark) run, then polls with pauses and yields only every
// pollYieldEvery polls: each runtime.Gosched takes the scheduler's global lock and wakes an idle
// P's thread to look for work (futex wakes), which cost more than the poll itself.
func pollNext() *commitJob {
	runtime.Gosched()
	start := time.Now()
	for i := 1; ; i++ {
		select {
		case job := <-committer.queue:
			return job
		default:
		}
		spin.Pause(1)
		if i%spinClockEvery != 0 {
			continue
		}
		if time.Since(start) > committerIdleSpin {
			return nil
		}
		if i%pollYieldEvery == 0 {
			runtime.Gosched()
		}
	}
}

// runJob runs one job; a panic becomes the job's error instead of killing the process.
func runJob(job *commitJob) {
	defer func() {
		if r := recover(); r != nil {
			job.err = newError(codeInternal, "panic in libskyshelve: %v", r)
		}
		job.done.Store(true)
		job.wake <- struct{}{}
	}()
	job.err = job.fn()
}

package main

import (
	"sync/atomic"
	"time"
)

// Why a free-space check: Badger writes its memtable log, value log and tables through mmapped
// files that it sizes with truncate, so their disk blocks are allocated only when the mapping is
// written. On a full disk that write faults (SIGBUS), and Go cannot turn a fault in Badger's own
// goroutines into an error: the process dies. Filling a 40 MiB tmpfs with 1 KB puts killed the
// process in Badger's memtable flush (table.CreateTable) before any write failed. So a commit is
// refused with IO while the store's filesystem has less than minFreeDiskBytes available, which
// leaves room for the flushes, compactions and value-log growth already under way. The space is
// read at most every spaceCheckInterval: statfs costs a system call, and at ~100 MB/s of writes an
// interval adds ~5 MB, far inside the default reserve. Another process filling the disk between
// two checks can still outrun it; the check makes the crash unlikely, not impossible.

// spaceCheckInterval is how long one reading of the free space is trusted.
const spaceCheckInterval = 50 * time.Millisecond

// spaceGuard answers whether a store's filesystem still has its reserve.
type spaceGuard struct {
	dir     string
	min     int64
	next    atomic.Int64 // UnixNano after which the space is read again
	free    atomic.Int64 // bytes available at the last reading
	readErr atomic.Bool  // the last reading failed (then writes are not refused)
}

// freeSpace returns the bytes available to this user on dir's filesystem (freespace_*.go); tests replace it.
var freeSpace = filesystemFree

func newSpaceGuard(cfg Config) *spaceGuard {
	if cfg.InMemory || cfg.MinFreeDiskBytes <= 0 {
		return nil
	}
	return &spaceGuard{dir: cfg.Path, min: cfg.MinFreeDiskBytes}
}

// check returns IO when the filesystem is below the reserve; a nil guard never refuses.
func (g *spaceGuard) check() error {
	if g == nil {
		return nil
	}
	if now := time.Now().UnixNano(); now >= g.next.Load() {
		free, err := freeSpace(g.dir)
		g.readErr.Store(err != nil)
		g.free.Store(free)
		g.next.Store(now + int64(spaceCheckInterval))
	}
	if g.readErr.Load() {
		return nil // a filesystem that cannot say: Badger's own errors are all there is
	}
	if free := g.free.Load(); free < g.min {
		return newError(codeIO, "not enough free disk space for %s: %d MiB available, and writes stop below %d MiB "+
			"(badger.minFreeDiskBytes) because Badger crashes the process when a write into a full disk faults; "+
			"free some space or lower the limit", g.dir, free>>20, g.min>>20)
	}
	return nil
}

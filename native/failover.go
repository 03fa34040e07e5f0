package main

import (
	"errors"
	"math/rand/v2"
	"sort"
	"sync/atomic"
	"time"

	"skyshelve/native/internal/wire"
)

// Losing the owner (docs/MULTIPROCESS.md): the client first tries to open Badger itself; the
// kernel released the dead owner's lock, so exactly one process wins. The winner's store turns
// local and serves the rest; the others reconnect to it with jittered back-off, resending their
// pending requests in order. A hung owner keeps its lock, so nobody is elected: its requests time out.

func (c *client) startFailover() {
	c.failing = true
	c.wg.Add(1)
	go c.failover()
}

// failover elects the next owner: this process (Badger's lock is free) or whoever answers.
func (c *client) failover() {
	defer c.wg.Done()
	defer survive("an election", func() {
		go func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.failing = false
			c.failAllLocked(newError(codeInternal, "the election of a new owner failed; see stderr"))
		}()
	})
	deadline := time.Now().Add(c.cfg.openTimeout())
	for attempt := 0; ; attempt++ {
		if c.isClosed() || (!neverOwn.Load() && c.tryBecomeOwner()) {
			return
		}
		cn, stampID, err := dialOwner(c.cfg, c.clientID)
		if err == nil {
			c.cache.attach(c.st.key, stampID) // before any request is resent: they read under it
			c.adopt(cn)
			return
		}
		if errors.Is(err, errNoOwner) && time.Now().Before(deadline) {
			time.Sleep(failoverBackoff(attempt))
			continue
		}
		if errors.Is(err, errNoOwner) {
			err = newError(codeUnavailable, "no process could own %s within %v: the directory lock is held, but no owner answers", c.cfg.Path, c.cfg.openTimeout())
		}
		c.mu.Lock()
		c.failing = false
		c.failAllLocked(err)
		c.mu.Unlock()
		return
	}
}

// failoverBackoff is the pause between election attempts after losing an owner. An owner that
// closes keeps Badger's lock for its whole close (flushing its memtable: 20-30 ms here), and the
// growing back-off of an open (2, 4, 8, 16, 32 ms …) overshot that by 10-30 ms per hand-over.
// So the first attempts come every ~1 ms (jittered): each costs a failed lock and a failed
// connect, well under 100 µs; after ~100 ms the open's back-off takes over.
func failoverBackoff(attempt int) time.Duration {
	const quick = 64
	if attempt < quick {
		return time.Millisecond/2 + rand.N(time.Millisecond)
	}
	return backoff(attempt - quick)
}

// adopt makes cn the connection and resends every pending request on it, in order.
func (c *client) adopt(cn *ownerConn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		cn.Close()
		return
	}
	c.cur, c.rd, c.failing = cn, newConnReader(cn), false
	pending := c.sortedPending()
	if len(pending) > 0 { // their callers wait on channels: a reader goroutine answers them
		c.rd.busy = true
		go c.read(c.rd)
	}
	for _, cl := range pending {
		if !c.send(cn, cl) {
			return // lost again: the reader sees the end and a new election resends the rest
		}
	}
}

func (c *client) sortedPending() []*call {
	calls := make([]*call, 0, len(c.pending))
	for _, cl := range c.pending {
		calls = append(calls, cl)
	}
	sort.Slice(calls, func(i, j int) bool { return calls[i].id < calls[j].id })
	return calls
}

func (c *client) failAllLocked(err error) {
	for id, cl := range c.pending {
		delete(c.pending, id)
		cl.err = err
		close(cl.done)
	}
}

func (c *client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// neverOwn keeps this process from winning elections; only tests set it.
var neverOwn atomic.Bool

// tryBecomeOwner opens Badger if its lock is free; the store then switches to local, serves the
// other clients, and runs the pending requests itself (their dedup records still apply).
func (c *client) tryBecomeOwner() bool {
	db, err := openBadger(c.cfg)
	if err != nil {
		return false
	}
	why, err := rollBackIngest(db, c.cfg) // the old owner may have died mid-ingest
	if err != nil {
		closeBadger(db)
		return false
	}
	startRowCache(db, c.cfg) // after the roll-back's DropAll: the cache starts empty
	st := c.st
	st.mu.Lock()
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		st.mu.Unlock()
		closeBadger(db)
		return true
	}
	st.db = db
	clockOf(db).reads.Store(&st.reads)
	st.rolledBack = why
	startServing(st)
	c.local, c.failing = true, false
	c.cache.detach()
	pending := c.sortedPending()
	c.pending = make(map[uint32]*call)
	c.mu.Unlock()
	st.client.Store(nil)
	st.mu.Unlock()
	h := dbHandles.add(&dbHandle{st: st, internal: true, iters: make(map[int32]*iterator)})
	defer dbHandles.remove(h)
	for _, cl := range pending {
		req, err := wire.ParseRequest(cl.frame[4:])
		if err != nil {
			cl.err = err
		} else {
			serveRequest(h, req, cl.answer)
		}
		close(cl.done)
	}
	return true
}

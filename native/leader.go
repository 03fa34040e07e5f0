package main

import (
	"time"

	"skyshelve/native/internal/wire"
)

// Who reads a connection's answers. A synchronous call comes from Node's thread, a foreign thread
// that Go runs locked to its goroutine. Had it parked on a channel while a reader goroutine waited
// in Go's poller, every answer would wake two threads (the poller's, then the caller's); that cost
// more CPU than the socket itself. So a caller that finds nobody reading reads the answers itself,
// sleeping in poll(2) on the socket: the kernel wakes exactly this thread. It delivers every
// answer it reads (other threads' pipelined calls too); if it leaves with calls still pending, a
// reader goroutine takes over until none are left. Nobody reads an idle connection: a lost owner
// is noticed by the next request (its write or read fails), which then elects as before.

// leadSlice bounds one sleep of a reader: it then checks whether it is still needed (its call was
// failed meanwhile by a shutdown or an election that gave up; no call is pending any more).
const leadSlice = 20 * time.Millisecond

// claimRead makes the caller the reader of rd if nobody reads it (c.mu held).
func (c *client) claimRead(rd *connReader) bool {
	if rd == nil || rd.busy || c.rd != rd {
		return false
	}
	rd.busy = true
	return true
}

// lead reads answers until cl is done (true), or until its deadline passes or the connection is
// lost (false: the caller then waits as a non-leader, which handles both).
func (c *client) lead(cl *call, rd *connReader, deadline time.Time) bool {
	defer c.release(rd)
	for {
		if !c.deliverBuffered(rd) {
			return cl.isDone()
		}
		if cl.isDone() {
			return true
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return false
		}
		if err := rd.fill(min(wait, leadSlice)); err != nil {
			c.lost(rd.cn)
			return cl.isDone()
		}
	}
}

// release gives up reading rd; calls still pending on it get a reader goroutine.
func (c *client) release(rd *connReader) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rd.busy = false
	if c.rd == rd && len(c.pending) > 0 {
		rd.busy = true
		go c.read(rd)
	}
}

// read delivers answers from rd while calls are pending, then leaves the reading to the next caller.
func (c *client) read(rd *connReader) {
	defer survive("the client's reader", func() { go c.lost(rd.cn) })
	for c.deliverBuffered(rd) {
		c.mu.Lock()
		if len(c.pending) == 0 || c.rd != rd {
			rd.busy = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		if err := rd.fill(leadSlice); err != nil {
			break
		}
	}
	c.lost(rd.cn)
}

// deliverBuffered hands every whole answer in rd's buffer to its call; false when the stream is
// broken (the connection is then lost).
func (c *client) deliverBuffered(rd *connReader) bool {
	for {
		frame, err := rd.next()
		if err == nil && frame == nil {
			return true
		}
		if err != nil || !c.deliver(frame) {
			c.lost(rd.cn)
			return false
		}
	}
}

// deliver copies one answer into its caller's buffer and wakes the caller. An answer to no pending
// call (one that timed out) is dropped.
func (c *client) deliver(frame []byte) bool {
	resp, err := wire.ParseResponse(frame)
	if err != nil {
		return false
	}
	c.mu.Lock()
	cl := c.pending[resp.ID]
	delete(c.pending, resp.ID)
	c.mu.Unlock()
	if cl != nil {
		cl.answer(resp.RC, resp.Body)
		close(cl.done)
	}
	return true
}

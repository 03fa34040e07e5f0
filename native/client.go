package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"skyshelve/native/internal/sockpath"
	"skyshelve/native/internal/wire"
)

// client is this process's side of a store that another process owns. Requests are pipelined on
// one connection; every request stays pending until answered, so when the owner is lost the
// pending ones are resent, in order, to the next owner, or run locally if this process wins the
// election (tryBecomeOwner). Writes carry (clientID, seq) so none applies twice (dedup.go).
type client struct {
	st       *store
	cfg      Config
	clientID uint64

	mu      sync.Mutex
	cur     *ownerConn  // nil while electing
	rd      *connReader // cur's answers (leader.go); nil while electing
	pending map[uint32]*call
	nextID  uint32
	seq     uint64
	failing bool // an election is under way
	closed  bool
	local   bool // this process became the owner
	wg      sync.WaitGroup

	cache readCache // values read from the current owner (readcache.go)
}

// call is one request waiting for its answer.
type call struct {
	id    uint32
	frame []byte // the whole frame, to send again after a change of owner
	out   []byte // the caller's output buffer: the answer is copied straight into it
	done  chan struct{}
	rc    int32
	err   error
}

// answer sets the call's outcome (before done is closed; the caller is still waiting, so out is live).
func (cl *call) answer(rc int32, body []byte) {
	if len(body) > len(cl.out) {
		cl.rc = writeError(cl.out, newError(codeInternal, "the owner answered %d bytes for a %d-byte buffer", len(body), len(cl.out)))
		return
	}
	copy(cl.out, body)
	cl.rc = rc
}

func (cl *call) isDone() bool {
	select {
	case <-cl.done:
		return true
	default:
		return false
	}
}

var (
	// errNoOwner: nobody answers on the socket (none yet, or a dead owner's file); elect again.
	errNoOwner = errors.New("no owner is listening")
	// errBecameLocal: this process now owns the store; run the call on the local path.
	errBecameLocal = errors.New("this process became the owner")
)

// newClientStore wraps a connection to the owner of cfg.Path as this process's store.
func newClientStore(cfg Config, cn *ownerConn, stampID uint64, clientID uint64) *store {
	st := &store{key: cfg.Path, cfg: cfg, refs: 1}
	c := &client{st: st, cfg: cfg, clientID: clientID, pending: make(map[uint32]*call)}
	c.cache.limit = int(cfg.ReadCacheSize)
	c.cache.attach(cfg.Path, stampID)
	c.cur, c.rd = cn, newConnReader(cn)
	st.client.Store(c)
	return st
}

// dialOwner connects to the owner's socket and says hello; the owner answers with the id of its
// stamp table (0: none).
func dialOwner(cfg Config, clientID uint64) (*ownerConn, uint64, error) {
	uc, stampID, err := dialHello(cfg, clientID)
	if err != nil {
		return nil, 0, err
	}
	oc, err := newOwnerConn(uc)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", errNoOwner, err)
	}
	return oc, stampID, nil
}

// dialHello is dialOwner up to the hello, on a connection of Go's net package.
func dialHello(cfg Config, clientID uint64) (*net.UnixConn, uint64, error) {
	path := socketPathOf(cfg.Path)
	if sockpath.OwnedByOther(path) {
		return nil, 0, newError(codePermission, "the socket %s of the process that owns %s belongs to another user", path, cfg.Path)
	}
	conn, err := net.DialTimeout("unix", path, cfg.requestTimeout())
	if err != nil {
		if errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM) {
			return nil, 0, newError(codePermission, "cannot connect to the process that owns %s: %v", cfg.Path, err)
		}
		return nil, 0, fmt.Errorf("%w: %v", errNoOwner, err)
	}
	uc := conn.(*net.UnixConn)
	rc, body, err := helloOwner(uc, cfg.requestTimeout(), clientID)
	if errors.Is(err, os.ErrDeadlineExceeded) { // it holds the lock and accepts, but is stopped
		uc.Close()
		return nil, 0, newError(codeTimeout, "the process that owns %s accepted the connection but did not answer within %v (stopped or overloaded?)", cfg.Path, cfg.requestTimeout())
	}
	if err != nil {
		uc.Close()
		return nil, 0, fmt.Errorf("%w: %v", errNoOwner, err) // an owner closing down; elect again
	}
	if rc < 0 {
		uc.Close()
		return nil, 0, bodyError(rc, body)
	}
	return uc, stampID(body), nil
}

// newClientID picks the id that tags a client's writes (dedup.go); random, so two processes (or
// two lives of one store in a process) never share one.
func newClientID() uint64 { return rand.Uint64() | 1 }

func helloOwner(uc *net.UnixConn, timeout time.Duration, clientID uint64) (int32, []byte, error) {
	uc.SetDeadline(time.Now().Add(timeout))
	defer uc.SetDeadline(time.Time{})
	u32 := binary.LittleEndian.AppendUint32
	hello := binary.LittleEndian.AppendUint64(u32(u32(nil, wire.Version), uint32(os.Getuid())), clientID)
	if _, err := uc.Write(wire.AppendRequest(nil, 0, wire.OpHello, hello)); err != nil {
		return 0, nil, err
	}
	frame, err := wire.ReadFrame(bufio.NewReaderSize(uc, 256))
	if err != nil {
		return 0, nil, err
	}
	resp, err := wire.ParseResponse(frame)
	return resp.RC, resp.Body, err
}

// bodyError turns an error response into the owner's error.
func bodyError(rc int32, body []byte) *skyError {
	msg := "no message"
	if len(body) >= 4 {
		n := min(int(binary.LittleEndian.Uint32(body)), len(body)-4)
		msg = string(body[4 : 4+n])
	}
	return newError(-rc, "%s", msg)
}

// roundTrip sends one request and copies the answer into out. ok is false when this process
// became the owner before the call was sent: the caller then runs it locally.
func (c *client) roundTrip(out []byte, op byte, parts ...[]byte) (rc int32, ok bool) {
	cl, err := c.do(out, op, parts)
	if errors.Is(err, errBecameLocal) {
		return 0, false
	}
	if err != nil {
		return writeError(out, err), true
	}
	return cl.rc, true
}

func (c *client) do(out []byte, op byte, parts [][]byte) (*call, error) {
	c.mu.Lock()
	if c.local {
		c.mu.Unlock()
		return nil, errBecameLocal
	}
	if c.closed {
		c.mu.Unlock()
		return nil, errClosed
	}
	c.nextID++
	if op == wire.OpWrite {
		c.seq++
		ids := binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, c.clientID), c.seq)
		parts = append([][]byte{ids}, parts...)
	}
	cl := &call{id: c.nextID, frame: wire.AppendRequest(nil, c.nextID, op, parts...), out: out, done: make(chan struct{})}
	c.pending[cl.id] = cl
	if c.cur != nil {
		c.send(c.cur, cl)
	} else if !c.failing {
		c.startFailover()
	}
	rd := c.rd
	leads := c.claimRead(rd)
	c.mu.Unlock()
	deadline := time.Now().Add(c.cfg.requestTimeout())
	if leads && c.lead(cl, rd, deadline) {
		return cl, cl.err
	}
	return c.wait(cl, deadline)
}

// send writes one frame; c.mu is held, so frames (and write seqs) go out in id order. On failure
// it only half-closes: the owner, if alive, still answers what it read and then ends the stream,
// and read() collects those answers before it starts an election. Closing outright would drop
// them, and their writes would be resent without their outcomes.
func (c *client) send(cn *ownerConn, cl *call) bool {
	if err := cn.write(cl.frame, time.Now().Add(c.cfg.requestTimeout())); err != nil {
		cn.closeWrite()
		return false
	}
	return true
}

// wait blocks until the call is answered or the owner times out (at deadline); an election in
// progress does not count against the timeout (it resends or fails the call itself, within
// openTimeout).
func (c *client) wait(cl *call, deadline time.Time) (*call, error) {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		select {
		case <-cl.done:
			return cl, cl.err
		case <-timer.C:
		}
		c.mu.Lock()
		if c.failing {
			c.mu.Unlock()
			timer.Reset(c.cfg.requestTimeout())
			continue
		}
		if _, still := c.pending[cl.id]; !still { // answered meanwhile
			c.mu.Unlock()
			<-cl.done
			return cl, cl.err
		}
		delete(c.pending, cl.id)
		c.mu.Unlock()
		return nil, newError(codeTimeout, "the process that owns %s did not answer within %v (stopped or overloaded?); a write may or may not have been applied", c.cfg.Path, c.cfg.requestTimeout())
	}
}

// lost is lostLocked for callers that do not hold c.mu.
func (c *client) lost(cn *ownerConn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lostLocked(cn)
}

// lostLocked handles a dead connection (c.mu held): start electing the next owner.
func (c *client) lostLocked(cn *ownerConn) {
	if c.cur != cn {
		return
	}
	cn.Close()
	c.cur, c.rd = nil, nil
	c.cache.detach() // no stamp holds across owners
	if !c.closed && !c.local && !c.failing {
		c.startFailover()
	}
}

// shutdown ends the client: pending calls fail with CLOSED and any election stops.
func (c *client) shutdown() {
	c.mu.Lock()
	c.closed = true
	if c.cur != nil {
		c.cur.Close() // wakes a reader sleeping in poll(2) on it
		c.cur, c.rd = nil, nil
	}
	c.cache.detach()
	c.failAllLocked(errClosed)
	c.mu.Unlock()
	c.wg.Wait()
}

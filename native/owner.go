package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"skyshelve/native/internal/peer"
	"skyshelve/native/internal/sockpath"
	"skyshelve/native/internal/wire"
)

// server is the owner's side of the socket: it runs the local implementation of every op for
// its clients, in goroutines, so a busy JavaScript thread in the owner does not stall them.
type server struct {
	st      *store
	h       int32 // an internal handle on st through which the local ops run
	ln      *net.UnixListener
	path    string
	wantUID uint32 // peers of another uid are refused
	checkID bool

	group *groupCommitter // client writes, merged (groupcommit.go)

	mu    sync.Mutex
	conns map[*srvConn]struct{}
	// writers holds, per client id, a channel closed once the writes of that client's latest
	// connection are all answered: a reconnected client's resent writes wait for the old queue.
	writers  map[uint64]chan struct{}
	stopping bool
	wg       sync.WaitGroup
}

// startServing makes st's server listen; a store that cannot serve still works for this process.
func startServing(st *store) {
	if st.cfg.InMemory {
		return
	}
	srv, err := newServer(st)
	if err != nil {
		st.serveErr = err.Error()
		return
	}
	st.srv = srv
}

func newServer(st *store) (*server, error) {
	path, hashed := sockpath.For(st.key)
	if hashed {
		if err := sockpath.Prepare(path); err != nil {
			return nil, err
		}
	}
	// We hold Badger's lock, so a socket file here is a dead owner's: only we may replace it.
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, err
	}
	if err := writeOwnerFile(st.key, path); err != nil {
		ln.Close()
		return nil, err
	}
	shareStamps(st)
	dh := &dbHandle{st: st, internal: true, iters: make(map[int32]*iterator)}
	s := &server{st: st, h: dbHandles.add(dh), ln: ln, path: path, conns: make(map[*srvConn]struct{}), writers: make(map[uint64]chan struct{})}
	s.group = newGroupCommitter(s.h)
	s.wantUID, s.checkID = uint32(os.Getuid()), true
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

func (s *server) accept() {
	defer s.wg.Done()
	defer survive("the owner's accept loop", nil)
	for {
		c, err := s.ln.AcceptUnix()
		if err != nil {
			return // closed by stop
		}
		sc := &srvConn{s: s, c: c, r: bufio.NewReaderSize(c, 64<<10), w: bufio.NewWriterSize(c, 64<<10)}
		s.mu.Lock()
		if s.stopping {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[sc] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go sc.serve()
	}
}

// stop drains the server: no new connections or requests, every request already read is
// answered, then the connections close so clients elect the next owner.
func (s *server) stop() {
	s.mu.Lock()
	s.stopping = true
	s.ln.Close() // also unlinks the socket file
	for sc := range s.conns {
		sc.c.SetReadDeadline(time.Now()) // ends the read loop; handlers in flight still answer
	}
	s.mu.Unlock()
	s.wg.Wait()
	dbHandles.remove(s.h)
}

// admit checks the peer's uid; a refused peer gets PERMISSION on its first request.
func (s *server) admit(c *net.UnixConn) error {
	uid, known, err := peer.UID(c)
	if err != nil {
		return newError(codePermission, "cannot read the peer's credentials: %v", err)
	}
	if known && s.checkID && uid != s.wantUID {
		return newError(codePermission, "the process that owns this store runs as uid %d and refuses uid %d", s.wantUID, uid)
	}
	return nil
}

// srvConn is one client connection.
type srvConn struct {
	s   *server
	c   *net.UnixConn
	r   *bufio.Reader
	wmu sync.Mutex
	w   *bufio.Writer
	wg  sync.WaitGroup
}

func (sc *srvConn) serve() {
	defer sc.s.wg.Done()
	defer survive("a client connection", nil)
	defer func() {
		sc.s.mu.Lock()
		delete(sc.s.conns, sc)
		sc.s.mu.Unlock()
		sc.c.Close()
	}()
	client, ok := sc.hello()
	if !ok {
		return
	}
	// A client's writes run in the order they arrived (their seqs must apply in order), after
	// those of its previous connection (dedup.go); reads run concurrently.
	prev, done := sc.s.claimWriter(client)
	writes := make(chan wire.Request, 256)
	sc.wg.Add(1)
	go func() {
		defer sc.wg.Done()
		defer sc.s.releaseWriter(client, done)
		defer survive("a client's writes", func() { sc.c.Close() })
		if prev != nil {
			<-prev
		}
		for req := range writes {
			rc, body := sc.s.group.submit(req)
			sc.respondRC(req.ID, rc, body)
		}
	}()
	sc.readLoop(writes)
	close(writes)
	sc.wg.Wait()
}

func (sc *srvConn) readLoop(writes chan<- wire.Request) {
	defer sc.flush()
	for {
		if !sc.wholeFrameBuffered() {
			sc.flush() // before waiting for the client: it may be waiting for these answers
		}
		frame, err := wire.ReadFrame(sc.r)
		if err != nil {
			if errors.Is(err, wire.ErrFrame) {
				rc, body := writeErrorBody(newError(codeInvalid, "bad frame: %v", err))
				sc.respondRC(0, rc, body)
			}
			return // framing is lost (or the peer left): only this connection ends
		}
		req, err := wire.ParseRequest(frame)
		if err != nil {
			id := uint32(0)
			if len(frame) >= 4 {
				id = uint32(frame[0]) | uint32(frame[1])<<8 | uint32(frame[2])<<16 | uint32(frame[3])<<24
			}
			rc, body := writeErrorBody(newError(codeInvalid, "bad request: %v", err))
			sc.respondRC(id, rc, body)
			continue
		}
		if req.Op == wire.OpWrite {
			writes <- req
			continue
		}
		if req.Op == wire.OpGet || req.Op == wire.OpHas {
			// A point read takes about a microsecond: answering inline saves a goroutine hand-off
			// (client round trip ~30 µs instead of ~40 µs in BenchmarkClientGetRoundTrip).
			sc.answerInline(req)
			continue
		}
		sc.wg.Add(1)
		go func() {
			defer sc.wg.Done()
			defer survive("a client request", nil)
			sc.answer(req)
		}()
	}
}

// claimWriter makes this connection the latest of a client and returns the previous one's
// done channel (nil if none) and this one's.
func (s *server) claimWriter(client uint64) (prev, done chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, done = s.writers[client], make(chan struct{})
	s.writers[client] = done
	return prev, done
}

func (s *server) releaseWriter(client uint64, done chan struct{}) {
	close(done)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.writers[client] == done {
		delete(s.writers, client)
	}
}

// hello admits the peer and checks its first frame; it returns the client's id, or false to end
// the connection.
func (sc *srvConn) hello() (uint64, bool) {
	sc.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	frame, err := wire.ReadFrame(sc.r)
	if err != nil {
		return 0, false
	}
	sc.c.SetReadDeadline(time.Time{})
	req, perr := wire.ParseRequest(frame)
	var refuse error
	switch {
	case perr != nil || req.Op != wire.OpHello:
		refuse = newError(codeInvalid, "the first request must be hello")
	case req.Version != wire.Version:
		refuse = newError(codeInvalid, "protocol version %d, the owner speaks %d: use one skyshelve version on a store", req.Version, wire.Version)
	case sc.s.st.cfg.Exclusive:
		refuse = newError(codeLocked, "the database at %s is locked: its owner (pid %d) opened it with exclusive: true", sc.s.st.key, os.Getpid())
	default:
		refuse = sc.s.admit(sc.c)
	}
	if refuse != nil {
		rc, body := writeErrorBody(refuse)
		sc.respondRC(req.ID, rc, body)
		return 0, false
	}
	sc.respondRC(req.ID, 0, helloAnswer(sc.s.st))
	return req.ClientID, true
}

// writeErrorBody encodes err as an ABI error (rc and `[u32 len][message]`).
func writeErrorBody(err error) (int32, []byte) {
	out := make([]byte, 4+len(err.Error()))
	rc := writeError(out, err)
	return rc, out
}

// survive keeps a panic in a background goroutine from killing the host process (no export is on
// the stack to recover it): it reports the panic on stderr, then runs the goroutine's cleanup.
func survive(what string, cleanup func()) {
	if r := recover(); r != nil {
		fmt.Fprintf(os.Stderr, "skyshelve: recovered from a panic in %s: %v\n", what, r)
		if cleanup != nil {
			cleanup()
		}
	}
}

package main

import (
	"encoding/binary"
	"time"

	"skyshelve/native/internal/wire"
)

// The owner's answers to one connection. Point reads answered on the read loop are buffered and
// sent together once no whole request is waiting, so a client that pipelines several reads gets
// their answers in one write(2); every other answer is sent at once.

func (sc *srvConn) answer(req wire.Request) {
	serveRequest(sc.s.h, req, func(rc int32, body []byte) { sc.respond(req.ID, rc, body, true) })
}

// answerInline answers a point read on the read loop. Its frame is only buffered: the loop
// flushes once no whole request is waiting, so pipelined reads share one write(2).
func (sc *srvConn) answerInline(req wire.Request) {
	serveRequest(sc.s.h, req, func(rc int32, body []byte) { sc.respond(req.ID, rc, body, false) })
}

func (sc *srvConn) respondRC(id uint32, rc int32, body []byte) { sc.respond(id, rc, body, true) }

// respond buffers one response frame, and sends what is buffered when flush is set.
func (sc *srvConn) respond(id uint32, rc int32, body []byte, flush bool) {
	sc.wmu.Lock()
	defer sc.wmu.Unlock()
	var head [12]byte
	binary.LittleEndian.PutUint32(head[:], uint32(8+len(body)))
	binary.LittleEndian.PutUint32(head[4:], id)
	binary.LittleEndian.PutUint32(head[8:], uint32(rc))
	if flush || len(head)+len(body) > sc.w.Available() {
		// A stopped client must not hold up a draining owner for long.
		sc.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	}
	_, err := sc.w.Write(head[:])
	if err == nil {
		_, err = sc.w.Write(body)
	}
	if err == nil && flush {
		err = sc.w.Flush()
	}
	sc.failed(err)
}

// flush sends the buffered responses.
func (sc *srvConn) flush() {
	sc.wmu.Lock()
	defer sc.wmu.Unlock()
	if sc.w.Buffered() > 0 {
		sc.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		sc.failed(sc.w.Flush())
	}
}

// failed ends the connection after a failed write (sc.wmu held): the client stopped reading (or
// left); if it is alive, it notices and resends what is unanswered instead of waiting out its
// timeouts.
func (sc *srvConn) failed(err error) {
	if err != nil {
		sc.c.Close()
	}
}

// wholeFrameBuffered tells whether the next request is already read in full (reading it will
// not block).
func (sc *srvConn) wholeFrameBuffered() bool {
	if sc.r.Buffered() < 4 {
		return false
	}
	head, _ := sc.r.Peek(4) // buffered: does not block
	return sc.r.Buffered()-4 >= int(binary.LittleEndian.Uint32(head))
}

package main

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestDecodeWriteIntoReusesAndOverwritesDst(t *testing.T) {
	stale := make([]writeOp, 3, 8)
	for i := range stale {
		stale[i] = writeOp{op: opDelete, key: []byte("stale"), value: []byte("old")}
	}
	req := encodeWrite([]writeOp{{op: opPut, key: []byte("a"), value: []byte("1")}, {op: opCheckAbsent, key: []byte("b"), value: []byte{}}})
	got, err := decodeWriteInto(stale, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || &got[0] != &stale[0] {
		t.Fatalf("len %d, same array %v: want 2 ops in dst's array", len(got), &got[0] == &stale[0])
	}
	if got[0].op != opPut || string(got[0].key) != "a" || string(got[0].value) != "1" || got[1].op != opCheckAbsent || string(got[1].key) != "b" || len(got[1].value) != 0 {
		t.Fatalf("got %+v", got)
	}
	if _, err := decodeWriteInto(stale, req[:len(req)-1]); err == nil {
		t.Fatal("truncated request decoded")
	}
}

// Write buffers are reused across writes (write.go): a buffer must not be reused while its commit
// may still read it, including commits left running behind a ticket, and nothing of one write may
// leak into another. Writers of mixed sizes overwrite their own request right after each call, as
// JavaScript may.
func TestReusedWriteBuffersKeepEveryWrite(t *testing.T) {
	h, _ := openTemp(t)
	const writers, rounds = 4, 300
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			out := make([]byte, 1024)
			var tickets []int32
			for i := 0; i < rounds; i++ {
				size := 1 + (i*37+w*11)%3000 // big and small requests alternate in the pool
				var ops []writeOp
				for j := 0; j <= i%5; j++ {
					key := fmt.Sprintf("w%d:%d:%d", w, i, j)
					ops = append(ops, writeOp{op: opPut, key: []byte(key), value: bytes.Repeat([]byte(key[:1]+key), size/len(key)+1)[:size]})
				}
				req := encodeWrite(ops)
				rc := writeRequest(h, req, out, time.Microsecond) // may leave the commit running
				clear(req)
				if rc < 0 {
					errs <- fmt.Errorf("write rc %d: %s", rc, message(out))
					return
				}
				if rc > 0 {
					tickets = append(tickets, rc)
				}
			}
			for _, tk := range tickets {
				doWriteWait(tk)
				if rc := doWritePoll(tk, out); rc != 0 {
					errs <- fmt.Errorf("ticket rc %d: %s", rc, message(out))
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for w := 0; w < writers; w++ {
		for i := 0; i < rounds; i++ {
			size := 1 + (i*37+w*11)%3000
			for j := 0; j <= i%5; j++ {
				key := fmt.Sprintf("w%d:%d:%d", w, i, j)
				want := string(bytes.Repeat([]byte(key[:1]+key), size/len(key)+1)[:size])
				if got := mustGet(t, h, key); got != want {
					t.Fatalf("%s: got %d bytes %.20q, want %d bytes", key, len(got), got, len(want))
				}
			}
		}
	}
}

package main

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"
)

// A write owns its request bytes until its commit is done (write.go copies them): writers of mixed
// sizes overwrite their request right after each call, as JavaScript may, including calls that
// return a ticket while the commit still runs, and every write must land as sent.
func TestWritesOwnTheirRequestBytes(t *testing.T) {
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
				size := 1 + (i*37+w*11)%3000 // big and small requests alternate
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

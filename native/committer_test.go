package main

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
)

func TestCommitterReturnsEachJobsOwnError(t *testing.T) {
	want := errors.New("job 3 failed")
	for i := 0; i < 10; i++ {
		err := runCommit(func() error {
			if i == 3 {
				return want
			}
			return nil
		})
		if (i == 3) != (err == want) {
			t.Fatalf("job %d: err %v", i, err)
		}
	}
}

func TestCommitterTurnsAPanicIntoInternal(t *testing.T) {
	if commitDirectly() {
		t.Skip("GOMAXPROCS < 2: commits run on the caller")
	}
	err := runCommit(func() error { panic("boom") })
	var se *skyError
	if !errors.As(err, &se) || se.code != codeInternal {
		t.Fatalf("err %v", err)
	}
	if err := runCommit(func() error { return nil }); err != nil { // still serving
		t.Fatal(err)
	}
}

func TestWritesFromLockedThreadsAreAllAppliedBeforeTheyReturn(t *testing.T) {
	h, _ := openTemp(t)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread() // like Node's thread calling through cgo
			defer runtime.UnlockOSThread()
			out := make([]byte, 256)
			for i := 0; i < 300; i++ {
				key := fmt.Sprintf("w%d-%d", w, i)
				if rc := doWrite(h, encodeWrite([]writeOp{{op: opPut, key: []byte(key), value: []byte(key)}}), out); rc != 0 {
					t.Errorf("write %s: rc %d", key, rc)
					return
				}
				if got := mustGet(t, h, key); got != key { // visible as soon as the write returned
					t.Errorf("read %s after its write: %q", key, got)
					return
				}
			}
		}()
	}
	wg.Wait()
}

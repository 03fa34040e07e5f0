package main

import (
	"os"
	"runtime"
	"sync"
)

// Why one P while this process shares a store with another process: Go's scheduler keeps an idle
// P's thread spinning for work and wakes it (futex) whenever a goroutine becomes runnable. With
// several processes on one store, each process's Go work is small and comes in bursts (a socket
// answer, a group commit), and those spinning threads and wakes ran on the cores the other
// processes needed. Measured with 4 processes on the 2-core box (bench/RESULTS.md, "Several
// processes: one P"): the CPU per operation summed over the processes fell by a third or more with
// GOMAXPROCS=1. So while this process is a client of another process, or an owner that serves at
// least one client, it runs Go with one P; a lone process keeps every P (its writes then go
// through the committer goroutine, committer.go, which needs a second P; with one P they commit
// directly). A GOMAXPROCS the user set is left alone.

var procs struct {
	once   sync.Once
	mu     sync.Mutex
	base   int  // GOMAXPROCS when a store first talked to another process
	fixed  bool // the user chose GOMAXPROCS
	shared int  // this process's client stores plus the client connections its owner stores serve
}

// shareChanged records one more (+1) or one fewer (-1) link to another process and sets GOMAXPROCS
// to 1 while there is any, else back to what it was.
func shareChanged(delta int) {
	procs.once.Do(func() {
		procs.base, procs.fixed = runtime.GOMAXPROCS(0), os.Getenv("GOMAXPROCS") != ""
	})
	procs.mu.Lock()
	defer procs.mu.Unlock()
	procs.shared += delta
	if procs.fixed {
		return
	}
	want := procs.base
	if procs.shared > 0 {
		want = 1
	}
	if runtime.GOMAXPROCS(0) != want {
		runtime.GOMAXPROCS(want)
	}
}

//go:build linux && (amd64 || arm64)

package main

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Go runs goroutines on small stacks, so a signal handler must run on the thread's alternate
// signal stack (SA_ONSTACK): one that runs on whatever stack the thread is on pushes its frame
// (a few KiB) below a goroutine's stack pointer and overwrites the memory there, another
// goroutine's stack or heap (os/signal, "Go programs that use cgo"). The Go runtime adds
// SA_ONSTACK to the handlers installed before it started, but Node installs handlers later
// without it: libuv's SIGCHLD handler on every child_process spawn, and one per signal for
// process.on('SIGINT') and the like. A SIGCHLD that arrived while Node's thread was inside a
// call into this library corrupted the Go heap ("found pointer to free object", "traceback did
// not unwind completely"), so fixSignalStacks adds the flag again (src/backend/signals.ts says when).

// kernelSigaction is the kernel's struct sigaction on amd64 and arm64.
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

const (
	sigDefault = 0
	sigIgnore  = 1
	saOnStack  = 0x08000000
	lastSignal = 64
)

// fixSignalStacks adds SA_ONSTACK to every installed handler that lacks it, changing nothing else,
// and returns how many it changed.
func fixSignalStacks() int {
	fixed := 0
	for sig := 1; sig <= lastSignal; sig++ {
		if sig == int(unix.SIGKILL) || sig == int(unix.SIGSTOP) {
			continue
		}
		var act kernelSigaction
		if rtSigaction(sig, nil, &act) != nil || act.handler == sigDefault || act.handler == sigIgnore || act.flags&saOnStack != 0 {
			continue
		}
		act.flags |= saOnStack
		if rtSigaction(sig, &act, nil) == nil {
			fixed++
		}
	}
	return fixed
}

func rtSigaction(sig int, act, old *kernelSigaction) error {
	_, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(act)), uintptr(unsafe.Pointer(old)), 8, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

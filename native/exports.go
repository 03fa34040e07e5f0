package main

// The C ABI of libskyshelve (docs/ABI.md). Each export only converts C arguments to Go slices
// and calls a plain Go function inside guard, so the logic is testable without cgo.

/*
#include <stdint.h>
*/
import "C"

import (
	"unsafe"
)

func main() {}

// bytesOf views C memory as a slice for the duration of one call; Go never keeps it.
func bytesOf(p *C.uint8_t, n C.int32_t) []byte {
	if p == nil || n <= 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))
}

// guard runs fn and turns a panic into INTERNAL with the panic text, so no panic reaches Node.
func guard(out []byte, fn func() int32) (rc int32) {
	defer func() {
		if r := recover(); r != nil {
			rc = writeError(out, newError(codeInternal, "panic in libskyshelve: %v", r))
		}
	}()
	return fn()
}

//export sky_noop
func sky_noop(x C.int32_t) C.int32_t { return x + 1 }

// sky_fix_signals adds SA_ONSTACK to signal handlers installed since the last call (sigstack_linux.go)
// and returns how many it changed.
//
//export sky_fix_signals
func sky_fix_signals() C.int32_t {
	return C.int32_t(guard(nil, func() int32 { return int32(fixSignalStacks()) }))
}

//export sky_open
func sky_open(cfg *C.uint8_t, cfgLen C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return doOpen(bytesOf(cfg, cfgLen), o) }))
}

func doOpen(raw, out []byte) int32 {
	fixSignalStacks() // handlers installed since the last call must not run on goroutine stacks
	cfg, err := parseConfig(raw)
	if err != nil {
		return writeError(out, err)
	}
	h, oerr := openHandle(cfg)
	if oerr != nil {
		return writeError(out, oerr)
	}
	return h
}

//export sky_close
func sky_close(h C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 {
		if err := closeHandle(int32(h)); err != nil {
			return writeError(o, err)
		}
		return 0
	}))
}

//export sky_get
func sky_get(h C.int32_t, key *C.uint8_t, keyLen C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return routeGet(int32(h), bytesOf(key, keyLen), o) }))
}

//export sky_has
func sky_has(h C.int32_t, key *C.uint8_t, keyLen C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return routeHas(int32(h), bytesOf(key, keyLen), o) }))
}

//export sky_get_many
func sky_get_many(h C.int32_t, req *C.uint8_t, reqLen C.int32_t, start C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return routeGetMany(int32(h), bytesOf(req, reqLen), int32(start), o) }))
}

//export sky_write
func sky_write(h C.int32_t, req *C.uint8_t, reqLen C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return routeWrite(int32(h), bytesOf(req, reqLen), o) }))
}

//export sky_write_begin
func sky_write_begin(h C.int32_t, req *C.uint8_t, reqLen C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return routeWriteWait(int32(h), bytesOf(req, reqLen), o, storeCommitWait) }))
}

//export sky_write_poll
func sky_write_poll(ticket C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return doWritePoll(int32(ticket), o) }))
}

//export sky_write_wait
func sky_write_wait(ticket C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return doWriteWait(int32(ticket)) }))
}

//export sky_iter_open
func sky_iter_open(h C.int32_t, spec *C.uint8_t, specLen C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return openIter(int32(h), bytesOf(spec, specLen), o) }))
}

//export sky_iter_next
func sky_iter_next(it C.int32_t, max C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return nextChunk(int32(it), int32(max), o) }))
}

//export sky_iter_close
func sky_iter_close(it C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return closeIter(int32(it)) }))
}

//export sky_index_scan
func sky_index_scan(h C.int32_t, req *C.uint8_t, reqLen C.int32_t, max C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return routeIndexScan(int32(h), bytesOf(req, reqLen), int32(max), o) }))
}

//export sky_sync
func sky_sync(h C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return routeSync(int32(h), o) }))
}

//export sky_stats
func sky_stats(h C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return routeStats(int32(h), o) }))
}

package main

// A diagnostic export for leak tests (docs/ABI.md, sky_gc): a measurement of the process's memory
// is only comparable from sample to sample when Go's collector has just run too.

/*
#include <stdint.h>
*/
import "C"

import (
	"encoding/json"
	"runtime"
	"runtime/debug"
)

//export sky_gc
func sky_gc(out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return doGC(o) }))
}

// doGC runs a full collection, returns freed memory to the OS, and writes the Go heap figures after it.
func doGC(out []byte) int32 {
	debug.FreeOSMemory() // runs runtime.GC() first
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	b, err := json.Marshal(map[string]uint64{"goHeapInUse": mem.HeapInuse, "goHeapAlloc": mem.HeapAlloc, "goSys": mem.Sys})
	if err != nil {
		return writeError(out, err)
	}
	if len(b) > len(out) {
		return tooSmall(out, len(b))
	}
	return int32(copy(out, b))
}

package main

// The bulk ingest exports (docs/ABI.md, "Bulk ingest"); the logic is in ingest.go.

/*
#include <stdint.h>
*/
import "C"

//export sky_ingest_begin
func sky_ingest_begin(h C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return beginIngest(int32(h), o) }))
}

//export sky_ingest_add
func sky_ingest_add(in C.int32_t, req *C.uint8_t, reqLen C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return addIngest(int32(in), bytesOf(req, reqLen), o) }))
}

//export sky_ingest_finish
func sky_ingest_finish(in C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return finishIngest(int32(in), o) }))
}

//export sky_ingest_abort
func sky_ingest_abort(in C.int32_t, out *C.uint8_t, outCap C.int32_t) C.int32_t {
	o := bytesOf(out, outCap)
	return C.int32_t(guard(o, func() int32 { return abortIngest(int32(in), o) }))
}

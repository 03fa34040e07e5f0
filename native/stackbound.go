//go:build linux

package main

// Calls from koffi run on koffi's own stack, not the thread's pthread stack. For such calls the
// Go runtime (1.23+, golang/go#68587) asks x_cgo_getstackbound for the thread's stack on every
// call, and glibc answers that for the main thread by parsing /proc/self/maps: ~100 µs per call.
// We wrap it at link time and remember the answer per thread. The runtime only trusts the
// bounds when they contain the current SP, so for koffi's stack it falls back to its estimate,
// exactly as it would with the real answer; threads that Go starts get their real bounds once.

/*
#cgo LDFLAGS: -Wl,--wrap=x_cgo_getstackbound
#include <stdint.h>

void __real_x_cgo_getstackbound(uintptr_t bounds[2]);

static __thread int sky_bounds_known;
static __thread uintptr_t sky_bounds[2];

__attribute__((visibility("hidden")))
void __wrap_x_cgo_getstackbound(uintptr_t bounds[2]) {
	if (!sky_bounds_known) {
		__real_x_cgo_getstackbound(sky_bounds);
		sky_bounds_known = 1;
	}
	bounds[0] = sky_bounds[0];
	bounds[1] = sky_bounds[1];
}
*/
import "C"

package main

import (
	"os"
	"runtime/debug"
	"sync"
)

// The Go runtime inside libskyshelve is shared by every store in the process, and by default it
// lets its heap grow to twice the live data (GOGC=100) with no ceiling. For a library embedded in
// a Node process that is too loose: the bench's 200k-record run peaked at 126-155 MiB of Go memory
// for 60-100 MiB of live heap. So, on the first open, unless the host set the variable itself:
//
//	GOGC        50       collect when the heap grows by half (~20% less Go memory, little CPU)
//	GOMEMLIMIT  256 MiB  a soft ceiling: the GC works harder near it, it never fails an allocation;
//	                     raised to 2 × memoryLimit when a store is opened with a larger memoryLimit
//
// Hosts that want more throughput and have memory to spare set GOGC / GOMEMLIMIT in the
// environment before the library loads (e.g. GOGC=100 GOMEMLIMIT=1GiB); those always win.
const (
	defaultGCPercent   = 50
	defaultMemoryLimit = 256 * mib
)

var gcLimits struct {
	once  sync.Once
	mu    sync.Mutex
	limit int64 // the soft limit we set; 0 when the environment decides
}

// applyGCLimits sets the process-wide GC defaults on the first open and raises the soft limit
// for a store whose memoryLimit asks for more.
func applyGCLimits(cfg Config) {
	gcLimits.once.Do(func() {
		if _, set := os.LookupEnv("GOGC"); !set {
			debug.SetGCPercent(defaultGCPercent)
		}
		if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
			gcLimits.limit = defaultMemoryLimit
			debug.SetMemoryLimit(defaultMemoryLimit)
		}
	})
	gcLimits.mu.Lock()
	defer gcLimits.mu.Unlock()
	if want := 2 * cfg.MemoryLimit; gcLimits.limit != 0 && want > gcLimits.limit {
		gcLimits.limit = want
		debug.SetMemoryLimit(want)
	}
}

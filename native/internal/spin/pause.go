// Package spin has the CPU's spin-wait hint, for loops that poll a flag another core will set.
package spin

// Pause executes the CPU's spin-wait hint n times (PAUSE on amd64, YIELD on arm64, nothing
// elsewhere): a few dozen nanoseconds each on amd64, without a system call or the Go scheduler.
// A polling loop that pauses between checks spends less time reading the clock and leaves the
// core's memory pipeline (and an SMT sibling) to the thread it waits for.
func Pause(n uint32) { pause(n) }

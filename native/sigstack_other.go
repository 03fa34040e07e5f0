//go:build !(linux && (amd64 || arm64))

package main

// fixSignalStacks is sigstack_linux.go's; elsewhere it changes nothing (docs/MULTIPROCESS.md,
// "Signals": on macOS a handler installed after the library loaded keeps running on the
// interrupted stack).
func fixSignalStacks() int { return 0 }

package main

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestOpenSetsASoftMemoryLimitThatMemoryLimitRaises(t *testing.T) {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		t.Skip("GOMEMLIMIT is set in the environment, which must win")
	}
	openTemp(t)
	if got := debug.SetMemoryLimit(-1); got < defaultMemoryLimit || got > 1<<40 {
		t.Fatalf("soft limit after open: %d", got)
	}
	applyGCLimits(Config{MemoryLimit: 1 << 30})
	if got := debug.SetMemoryLimit(-1); got != 2<<30 {
		t.Fatalf("soft limit after a 1 GiB memoryLimit: %d, want %d", got, 2<<30)
	}
	applyGCLimits(Config{MemoryLimit: 16 * mib}) // a smaller budget never lowers it
	if got := debug.SetMemoryLimit(-1); got != 2<<30 {
		t.Fatalf("soft limit lowered to %d", got)
	}
}

package spin

import (
	"testing"
	"time"
)

func TestPauseReturns(t *testing.T) {
	Pause(1)
	Pause(1000)
}

// TestPauseTakesTime guards against an assembly loop that returns at once (or never): a million
// pauses must take measurable time but far less than a second.
func TestPauseTakesTime(t *testing.T) {
	start := time.Now()
	Pause(1_000_000)
	if d := time.Since(start); d <= 0 || d > time.Second {
		t.Fatalf("1e6 pauses took %v", d)
	}
}

func BenchmarkPause30(b *testing.B) {
	for b.Loop() {
		Pause(30)
	}
}

func BenchmarkNow(b *testing.B) {
	var d time.Duration
	start := time.Now()
	for b.Loop() {
		d += time.Since(start)
	}
	_ = d
}

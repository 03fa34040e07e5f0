package main

import (
	"syscall"
	"testing"
	"time"
)

// BenchmarkClientGetRoundTrip is one get of a 100-byte value through a client handle: this
// process to a child owner process over the socket and back.
func BenchmarkClientGetRoundTrip(b *testing.B) {
	dir := b.TempDir()
	owner := startChild(b, "owner", mpConfig(dir))
	owner.expect(b, "ready")
	h := openCfg(b, mpConfig(dir))
	out := make([]byte, 4096)
	if rc := routeWrite(h, encodeWrite([]writeOp{put("k", string(make([]byte, 100)))}), out); rc != 0 {
		b.Fatal(rc)
	}
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	child0 := cpuNsOf(owner.cmd.Process.Pid)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if rc := routeGet(h, []byte("k"), out); rc != 100 {
			b.Fatal(rc)
		}
	}
	b.StopTimer()
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	self := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	b.ReportMetric(float64(self.Microseconds())/float64(b.N), "cpu-us/op")
	b.ReportMetric(float64(cpuNsOf(owner.cmd.Process.Pid)-child0)/1000/float64(b.N), "owner-us/op")
}

package main

import (
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"skyshelve/native/internal/wire"
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

// BenchmarkOwnerServesWrite is the owner's side of one client write: a raw connection in this
// process sends write frames one at a time (as a client's JS thread does) and reads each answer.
func BenchmarkOwnerServesWrite(b *testing.B) {
	dir := b.TempDir()
	openCfg(b, mpConfig(dir))
	cfg, err := parseConfig([]byte(mustJSON(mpConfig(dir))))
	if err != nil {
		b.Fatal(err)
	}
	cfg.Path, _ = filepath.EvalSymlinks(cfg.Path)
	cn, _, err := dialOwner(cfg, 77)
	if err != nil {
		b.Fatal(err)
	}
	defer cn.Close()
	rd := newConnReader(cn)
	val := make([]byte, 100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := encodeWrite([]writeOp{{op: opPut, key: []byte(fmt.Sprintf("k%09d", i)), value: val}})
		if err := cn.write(wire.AppendRequest(nil, uint32(i+1), wire.OpWrite, u64(77), u64(uint64(i+1)), []byte{0}, req), time.Now().Add(time.Minute)); err != nil {
			b.Fatal(err)
		}
		for {
			frame, err := rd.next()
			if err != nil {
				b.Fatal(err)
			}
			if frame != nil {
				break
			}
			if err := rd.fill(leadSlice); err != nil {
				b.Fatal(err)
			}
		}
	}
}

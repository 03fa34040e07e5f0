package main

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"syscall"
	"testing"
)

// processCPU is the user+system CPU time of the whole test process (every thread), in µs.
func processCPU() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec)*1e6 + float64(ru.Utime.Usec+ru.Stime.Usec)
}

// BenchmarkCommitPath is the commit path as Node drives it: one caller on a locked OS thread (like
// Node's thread calling through cgo) doing unsynced single-key writes through the committer, alone
// (put) or each right after a read of the same key (rmw). It reports the process's CPU µs per op
// (caller, committer and Badger's goroutines together), which the spin loops and the
// hand-offs decide, and which wall-clock figures on a shared box hide.
func BenchmarkCommitPath(b *testing.B) {
	out := make([]byte, 64*1024)
	for _, read := range []bool{false, true} {
		name := map[bool]string{false: "put", true: "rmw"}[read]
		b.Run(name, func(b *testing.B) {
			h := doOpen([]byte(floorConfig(b.TempDir())), out)
			if h <= 0 {
				b.Fatalf("open: rc %d: %s", h, message(out))
			}
			defer closeHandle(h)
			val := make([]byte, 100)
			reqs := make([][]byte, 1000)
			keys := make([][]byte, 1000)
			for i := range reqs {
				keys[i] = []byte(fmt.Sprintf("key%06d", i))
				reqs[i] = putBytes(putBytes(append(binary.LittleEndian.AppendUint32(nil, 1), opPut), keys[i]), val)
				if rc := doWrite(h, reqs[i], out); rc != 0 {
					b.Fatalf("fill rc %d", rc)
				}
			}
			onLockedThread(b, func(i int) {
				if read && doGet(h, keys[i%1000], out) != 100 {
					panic("get")
				}
				if rc := doWrite(h, reqs[i%1000], out); rc != 0 {
					panic(fmt.Sprint("write rc ", rc))
				}
			})
		})
	}
}

// BenchmarkCommitSave is a model save's native write, driven like BenchmarkCommitPath: per op one
// request under new keys of 1 put, or 4 puts of ~100 B (record, 2 index entries, unique slot),
// alone or with 2 check-absent ops (on the record and the slot, as a save of a new record sends).
func BenchmarkCommitSave(b *testing.B) {
	out := make([]byte, 64*1024)
	for _, c := range []struct {
		name         string
		puts, checks int
	}{{"1put", 1, 0}, {"4put", 4, 0}, {"4put2chk", 4, 2}} {
		b.Run(c.name, func(b *testing.B) {
			h := doOpen([]byte(floorConfig(b.TempDir())), out)
			if h <= 0 {
				b.Fatalf("open: rc %d: %s", h, message(out))
			}
			defer closeHandle(h)
			val := make([]byte, 100)
			req := make([]byte, 0, 1024)
			key := make([]byte, 0, 32)
			onLockedThread(b, func(i int) {
				req, key = saveRequest(req, key, val, c.puts, c.checks, i)
				if rc := doWrite(h, req, out); rc != 0 {
					panic(fmt.Sprint("write rc ", rc, ": ", message(out)))
				}
			})
		})
	}
}

// onLockedThread runs op(0..b.N-1) on one goroutine locked to its OS thread, as Node's thread calls
// through cgo, and reports the process's CPU µs per op (every thread) and the rate.
func onLockedThread(b *testing.B, op func(i int)) {
	done := make(chan struct{})
	cpu0 := processCPU()
	b.ResetTimer()
	go func() {
		defer close(done)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for i := 0; i < b.N; i++ {
			op(i)
		}
	}()
	<-done
	b.StopTimer()
	b.ReportMetric((processCPU()-cpu0)/float64(b.N), "cpu-µs/op")
	reportRate(b)
}

// saveRequest rebuilds req as write request number i: `puts` puts of val under new keys, and
// `checks` check-absent ops (the first on the first put's key, so it fails only if keys repeat).
func saveRequest(req, key, val []byte, puts, checks, i int) ([]byte, []byte) {
	req = binary.LittleEndian.AppendUint32(req[:0], uint32(puts+checks))
	for j := 0; j < puts; j++ {
		key = fmt.Appendf(key[:0], "k%d:%09d", j, i)
		req = putBytes(putBytes(append(req, opPut), key), val)
	}
	for j := 0; j < checks; j++ {
		key = fmt.Appendf(key[:0], "k%d:%09d", j*3, i)
		req = putBytes(putBytes(append(req, opCheckAbsent), key), nil)
	}
	return req, key
}

// BenchmarkCommitOpsDirect is BenchmarkCommitSave's requests committed by commitOps on an ordinary
// goroutine, without the committer: the cost of the commit itself (decode, checks, Badger).
func BenchmarkCommitOpsDirect(b *testing.B) {
	for _, c := range []struct {
		name         string
		puts, checks int
	}{{"1put", 1, 0}, {"4put", 4, 0}, {"4put2chk", 4, 2}} {
		b.Run(c.name, func(b *testing.B) {
			cfg, perr := parseConfig([]byte(floorConfig(b.TempDir())))
			if perr != nil {
				b.Fatal(perr)
			}
			db, err := openBadger(cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer closeBadger(db)
			val := make([]byte, 100)
			req := make([]byte, 0, 1024)
			key := make([]byte, 0, 32)
			cpu0 := processCPU()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				req, key = saveRequest(req, key, val, c.puts, c.checks, i)
				ops, derr := decodeWrite(append([]byte(nil), req...))
				if derr != nil {
					b.Fatal(derr)
				}
				if err := commitOps(db, cfg, ops); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric((processCPU()-cpu0)/float64(b.N), "cpu-µs/op")
		})
	}
}

package main

import (
	"fmt"
	"testing"
)

// benchBatches is n puts shaped like the import bench's records (~16-byte keys, ~110-byte values),
// in requests of 1,000 (what the CLI sends per call), sorted by key.
func benchBatches(n int) [][]byte {
	var reqs [][]byte
	for i := 0; i < n; i += 1000 {
		ops := make([]writeOp, 0, 1000)
		for j := i; j < min(i+1000, n); j++ {
			v := fmt.Appendf(nil, `{"id":%d,"name":"user %d","email":"u%d@example.com","joined":"2023-11-14","tags":["a","b"]}`, j, j, j)
			ops = append(ops, writeOp{op: opPut, key: fmt.Appendf(nil, "user:%010d", j), value: v})
		}
		reqs = append(reqs, encodeWrite(ops))
	}
	return reqs
}

const benchRecords = 200_000

// BenchmarkLoadWrites loads benchRecords into an empty store with sky_write's path (one commit per request).
func BenchmarkLoadWrites(b *testing.B) {
	reqs := benchBatches(benchRecords)
	out := make([]byte, 1024)
	for b.Loop() {
		h, _ := openTemp(b)
		for _, r := range reqs {
			if rc := doWrite(h, r, out); rc != 0 {
				b.Fatal(message(out))
			}
		}
		if rc := doSync(h, out); rc != 0 {
			b.Fatal(message(out))
		}
		closeHandle(h)
	}
	b.ReportMetric(float64(benchRecords*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkLoadIngest loads the same records through a bulk ingest (StreamWriter), synced at finish.
func BenchmarkLoadIngest(b *testing.B) {
	reqs := benchBatches(benchRecords)
	out := make([]byte, 1024)
	for b.Loop() {
		h, _ := openTemp(b)
		in := beginIngest(h, out)
		if in <= 0 {
			b.Fatal(message(out))
		}
		for _, r := range reqs {
			if rc := addIngest(in, r, out); rc != 0 {
				b.Fatal(message(out))
			}
		}
		if rc := finishIngest(in, out); rc != 0 {
			b.Fatal(message(out))
		}
		closeHandle(h)
	}
	b.ReportMetric(float64(benchRecords*b.N)/b.Elapsed().Seconds(), "records/s")
}

package main

import (
	"fmt"
	"testing"
)

// BenchmarkIndexScan: the find-by-index shape of bench/orm.ts (20,000 records, 2,000 teams of 10):
// one sky_index_scan per op, against the five calls it replaces (the iterator, then get_many).
//
//	go test -run '^$' -bench IndexScan -benchtime 20000x -count 3
func BenchmarkIndexScan(b *testing.B) {
	h, _ := openTemp(b)
	const n, teams = 20_000, 2_000
	var ops []writeOp
	for i := 0; i < n; i++ {
		pk := str(fmt.Sprintf("m%d", i))
		ops = append(ops, writeOp{op: opPut, key: recKey(pk), value: make([]byte, 60)},
			writeOp{op: opPut, key: entKey(str(fmt.Sprintf("team%d", i%teams)), pk)})
		if len(ops) >= 1000 || i == n-1 {
			if rc := doWrite(h, encodeWrite(ops), make([]byte, 256)); rc != 0 {
				b.Fatalf("write rc %d", rc)
			}
			ops = ops[:0]
		}
	}
	reqs := make([][]byte, teams)
	for t := range reqs {
		gte := entKey(str(fmt.Sprintf("team%d", t)), nil)
		gte = gte[:len(gte)-1]
		lt := append(append([]byte{}, gte[:len(gte)-1]...), 1)
		reqs[t] = indexScanReq(iterSpec{gte: gte, lt: lt})
	}
	out := make([]byte, 64<<10)
	b.Run("index_scan", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if rc := doIndexScan(h, reqs[(i*7919)%teams], 256, out); rc != 10 || out[0] != scanDone {
				b.Fatalf("rc %d", rc)
			}
		}
	})
	b.Run("iter_then_get_many", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			spec, _ := decodeIndexScan(reqs[(i*7919)%teams])
			it := openIter(h, appendIterSpec(nil, spec.spec), out)
			if nextChunk(it, 256, out) != 10 {
				b.Fatal("chunk")
			}
			keys := make([][]byte, 0, 10)
			pos := 0
			for j := 0; j < 10; j++ {
				kl := int(uint32(out[pos]) | uint32(out[pos+1])<<8)
				k, _ := recordKeyOf(nil, recPrefix, out[pos+4:pos+4+kl])
				keys = append(keys, k)
				pos += 8 + kl
			}
			nextChunk(it, 256, out)
			closeIter(it)
			if doGetMany(h, encodeKeys(keys), 0, out) != 10 {
				b.Fatal("get_many")
			}
		}
	})
}

package main

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkRowCacheMiss: the cost the row cache adds to a read it cannot answer (the lookup and the
// doorkeeper), over the floor's 200,000 keys in the floor's shuffled order.
//
//	go test -run '^$' -bench RowCache -benchtime 1000000x
func BenchmarkRowCacheMiss(b *testing.B) {
	d := newFloorData()
	rc := newRowCache(defaultRowCache)
	keys := make([][]byte, floorN)
	for i := range keys {
		keys[i] = d.key(d.order[i])
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rc.get(keys[i%floorN], 1)
	}
}

// BenchmarkRowCacheHit: a read the cache answers, over 25,000 keys (they fit the default size).
func BenchmarkRowCacheHit(b *testing.B) {
	rc := newRowCache(defaultRowCache)
	keys := make([][]byte, 25_000)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "user:%011d", i*7919%25_000)
		rc.fill(keys[i], 1, 1, make([]byte, 100), true)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, hit, _ := rc.get(keys[i%len(keys)], 1); !hit {
			b.Fatal("miss")
		}
	}
}

// BenchmarkRowCacheFill: filling a full cache (every fill evicts), 100-byte values.
func BenchmarkRowCacheFill(b *testing.B) {
	d := newFloorData()
	rc := newRowCache(defaultRowCache)
	val := make([]byte, 100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rc.fill(d.key(d.order[i%floorN]), 1, 1, val, true)
	}
}

// BenchmarkRowCacheHitCold: hits as a find sees them from Node, where the JavaScript between two
// calls evicts the cache's lines from the CPU caches: 10 random hits, then a sweep over 8 MiB.
// hit-ns is per hit, the sweep excluded (ns/op includes it).
func BenchmarkRowCacheHitCold(b *testing.B) {
	rc := newRowCache(defaultRowCache)
	keys := make([][]byte, 20_000)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "record:%011d", i*7919%20_000)
		rc.fill(keys[i], 1, 1, make([]byte, 80), true)
	}
	sweep := make([]byte, 8<<20)
	var spent time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i += 10 {
		for j := 0; j < len(sweep); j += 64 {
			sweep[j]++
		}
		t0 := time.Now()
		for j := i; j < i+10; j++ {
			if _, _, hit, _ := rc.get(keys[(j*104729)%len(keys)], 1); !hit {
				b.Fatal("miss")
			}
		}
		spent += time.Since(t0)
	}
	b.ReportMetric(float64(spent.Nanoseconds())/float64(b.N), "hit-ns")
}

package main

import (
	"fmt"
	"testing"
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

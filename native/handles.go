package main

import (
	"math"
	"sync"
)

// table maps positive int32 handles to values. JavaScript only ever holds these numbers,
// never a Go pointer, so an unknown or stale handle is detected instead of crashing.
type table[T any] struct {
	mu   sync.RWMutex
	next int32
	m    map[int32]T
}

func newTable[T any]() *table[T] {
	return &table[T]{m: make(map[int32]T)}
}

// add stores v under a fresh handle. Handles are not reused until the counter wraps,
// so a stale handle from JavaScript almost never names a newer object.
func (t *table[T]) add(v T) int32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		if t.next == math.MaxInt32 {
			t.next = 0
		}
		t.next++
		if _, used := t.m[t.next]; !used {
			t.m[t.next] = v
			return t.next
		}
	}
}

// get returns the value of a live handle.
func (t *table[T]) get(h int32) (T, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	v, ok := t.m[h]
	return v, ok
}

// remove deletes a handle and returns its value; ok is false when it was not live.
func (t *table[T]) remove(h int32) (T, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	v, ok := t.m[h]
	delete(t.m, h)
	return v, ok
}

// len counts live handles (for tests and stats).
func (t *table[T]) len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.m)
}

package main

import (
	"math"
	"testing"
)

func TestTableHandlesArePositiveAndNotReused(t *testing.T) {
	tb := newTable[string]()
	a := tb.add("a")
	tb.remove(a)
	b := tb.add("b")
	if a <= 0 || b <= 0 || a == b {
		t.Fatalf("handles %d, %d", a, b)
	}
	if _, ok := tb.get(a); ok {
		t.Fatal("removed handle still live")
	}
	if v, ok := tb.get(b); !ok || v != "b" {
		t.Fatal("live handle lost")
	}
}

func TestTableWrapsAroundSkippingLiveHandles(t *testing.T) {
	tb := newTable[int]()
	first := tb.add(1)
	tb.next = math.MaxInt32 - 1
	if h := tb.add(2); h != math.MaxInt32 {
		t.Fatalf("got %d", h)
	}
	if h := tb.add(3); h <= 0 || h == first {
		t.Fatalf("wrapped to %d (live: %d)", h, first)
	}
	if tb.len() != 3 {
		t.Fatalf("len %d", tb.len())
	}
}

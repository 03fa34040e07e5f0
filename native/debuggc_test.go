package main

import (
	"encoding/json"
	"testing"
)

func TestDoGCReportsHeapAfterCollection(t *testing.T) {
	out := make([]byte, 256)
	rc := doGC(out)
	var got map[string]uint64
	if rc <= 0 || json.Unmarshal(out[:rc], &got) != nil || got["goHeapInUse"] == 0 || got["goSys"] == 0 {
		t.Fatalf("rc %d %q", rc, out[:max(rc, 0)])
	}
	if rc := doGC(make([]byte, 8)); rc >= 0 {
		t.Fatalf("a small buffer must give -TOO_SMALL, got %d", rc)
	}
}

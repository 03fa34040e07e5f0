package main

import (
	"encoding/json"
	"sync"
	"testing"
)

// An open racing the last close of the same path must wait for Badger to let go of the
// directory lock, not fail with LOCKED (seen with a Worker reopening as the main thread closed).
func TestOpenDuringLastCloseWaitsInsteadOfLocked(t *testing.T) {
	dir := t.TempDir()
	raw, _ := json.Marshal(map[string]any{"path": dir, "logLevel": "none"})
	for round := 0; round < 20; round++ {
		out := make([]byte, 1024)
		h := doOpen(raw, out)
		if h <= 0 {
			t.Fatalf("round %d: first open: %s", round, message(out))
		}
		var wg sync.WaitGroup
		var rc int32
		var msg string
		wg.Add(2)
		go func() { defer wg.Done(); _ = closeHandle(h) }()
		go func() {
			defer wg.Done()
			o := make([]byte, 1024)
			rc = doOpen(raw, o)
			if rc <= 0 {
				msg = message(o)
			}
		}()
		wg.Wait()
		if rc <= 0 {
			t.Fatalf("round %d: reopen during close failed: rc %d: %s", round, rc, msg)
		}
		if err := closeHandle(rc); err != nil {
			t.Fatalf("round %d: close: %v", round, err)
		}
	}
}

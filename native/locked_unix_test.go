//go:build unix

package main

import (
	"encoding/json"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestLockedFromARealHeldLock holds the directory's flock the way another process would (flock
// locks belong to the open file, so a second descriptor in this process conflicts as well), then
// opens: Badger's real error must come back as LOCKED, whatever its wording in this version.
func TestLockedFromARealHeldLock(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(map[string]any{"path": dir, "logLevel": "none"})
	out := make([]byte, 1024)
	if h := doOpen(raw, out); h != -codeLocked {
		if h > 0 {
			closeHandle(h)
		}
		t.Fatalf("open of a locked directory: rc %d (%s), want -LOCKED", h, message(out))
	}
	if msg := message(out); !strings.Contains(msg, "locked") {
		t.Fatalf("message %q does not say locked", msg)
	}
}

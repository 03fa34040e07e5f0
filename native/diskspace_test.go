package main

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// withFreeSpace makes every free-space reading return free (or fail) for the test's duration.
func withFreeSpace(t *testing.T, free *int64, fail *bool) {
	t.Helper()
	old := freeSpace
	freeSpace = func(string) (int64, error) {
		if *fail {
			return 0, errors.New("statfs failed")
		}
		return *free, nil
	}
	t.Cleanup(func() { freeSpace = old })
}

func openWithReserve(t *testing.T, reserve int64) int32 {
	t.Helper()
	return openCfg(t, map[string]any{"path": t.TempDir(), "logLevel": "none", "minFreeDiskBytes": reserve})
}

func TestWritesStopBelowTheFreeSpaceReserve(t *testing.T) {
	free, fail := int64(1<<30), false
	withFreeSpace(t, &free, &fail)
	h := openWithReserve(t, 64<<20)
	mustWrite(t, h, "before", "1")

	free = 10 << 20
	time.Sleep(2 * spaceCheckInterval) // the last reading is trusted for one interval
	out := make([]byte, 1024)
	rc := doWrite(h, encodeWrite([]writeOp{put("low", "x")}), out)
	if rc != -codeIO || !strings.Contains(message(out), "10 MiB available") || !strings.Contains(message(out), "64 MiB") {
		t.Fatalf("a write below the reserve: rc %d %q, want IO naming both sizes", rc, message(out))
	}
	if got := doGet(h, []byte("low"), out); got != -codeNotFound {
		t.Fatalf("the refused write is readable: rc %d", got)
	}
	if mustGet(t, h, "before") != "1" {
		t.Fatal("reads must go on below the reserve")
	}

	fail = true // a filesystem that cannot report its space does not stop writes
	time.Sleep(2 * spaceCheckInterval)
	mustWrite(t, h, "unknown", "2")

	fail, free = false, 1<<30
	time.Sleep(2 * spaceCheckInterval)
	mustWrite(t, h, "after", "3")
	if mustGet(t, h, "after") != "3" {
		t.Fatal("writes must resume once space is back")
	}
}

func TestFreeSpaceReserveDefaultsAndOff(t *testing.T) {
	parse := func(js string) Config {
		t.Helper()
		cfg, err := parseConfig([]byte(js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return cfg
	}
	if got := parse(`{"path":"/x"}`).MinFreeDiskBytes; got != 8*16*mib+2*64*mib {
		t.Errorf("default reserve %d, want 8 memtables and 2 value-log files (256 MiB)", got)
	}
	if got := parse(`{"path":"/x","memTableSize":67108864}`).MinFreeDiskBytes; got != 8*64*mib+2*64*mib {
		t.Errorf("reserve with 64 MiB memtables: %d", got)
	}
	if got := parse(`{"path":"/x","minFreeDiskBytes":0}`).MinFreeDiskBytes; got != 0 {
		t.Errorf("minFreeDiskBytes 0 must turn the check off, got %d", got)
	}
	if _, err := parseConfig([]byte(`{"path":"/x","minFreeDiskBytes":-1}`)); err == nil {
		t.Error("a negative reserve must be rejected")
	}
	if newSpaceGuard(parse(`{"inMemory":true}`)) != nil || newSpaceGuard(parse(`{"path":"/x","minFreeDiskBytes":0}`)) != nil {
		t.Error("in-memory stores and a reserve of 0 must have no guard")
	}
}

// The real statfs of a temporary directory answers, and with a reserve above it writes stop.
func TestFreeSpaceOfARealFilesystem(t *testing.T) {
	dir := t.TempDir()
	free, err := filesystemFree(dir)
	if err != nil || free <= 0 {
		t.Fatalf("free space of %s: %d, %v", dir, free, err)
	}
	h := openWithReserve(t, free+(1<<40))
	out := make([]byte, 1024)
	if rc := doWrite(h, encodeWrite([]writeOp{put("k", "v")}), out); rc != -codeIO {
		t.Fatalf("a reserve above the free space: rc %d %q, want IO", rc, message(out))
	}
}

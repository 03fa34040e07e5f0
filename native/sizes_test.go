package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// statsOf returns the store's stats as a map.
func statsOf(t *testing.T, h int32) map[string]any {
	t.Helper()
	out := make([]byte, 1<<16)
	rc := doStats(h, out)
	var stats map[string]any
	if rc <= 0 || json.Unmarshal(out[:rc], &stats) != nil {
		t.Fatalf("stats rc %d", rc)
	}
	return stats
}

// duOf sums the allocated bytes of dir's files with the given extension.
func duOf(t *testing.T, dir, ext string) int64 {
	t.Helper()
	var total int64
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && filepath.Ext(e.Name()) == ext {
			total += allocated(info)
		}
	}
	return total
}

// TestStatsReportSizesOnDisk: lsmSize and vlogSize are what the files take, not Badger's
// metrics-off zero, right after the store is reopened (no minute-long refresh to wait for).
func TestStatsReportSizesOnDisk(t *testing.T) {
	dir := t.TempDir()
	h := openAt(t, dir)
	big := strings.Repeat("v", 2<<20) // over the value threshold: lands in the value log
	for i := 0; i < 2000; i++ {
		mustWrite(t, h, fmt.Sprintf("key-%05d", i), strings.Repeat("x", 200))
	}
	mustWrite(t, h, "big", big)
	closeHandle(h) // flushes the memtable into an .sst
	h = openAt(t, dir)
	stats := statsOf(t, h)
	lsm, vlog := stats["lsmSize"].(float64), stats["vlogSize"].(float64)
	if lsm <= 0 || vlog < float64(len(big)) {
		t.Fatalf("lsmSize %v, vlogSize %v: want > 0 and >= %d", lsm, vlog, len(big))
	}
	if int64(lsm) != duOf(t, dir, ".sst") || int64(vlog) != duOf(t, dir, ".vlog") {
		t.Fatalf("lsmSize %v, vlogSize %v; files: %d, %d", lsm, vlog, duOf(t, dir, ".sst"), duOf(t, dir, ".vlog"))
	}
}

// TestStatsSizesInMemory: an in-memory store has no files, so both sizes are 0.
func TestStatsSizesInMemory(t *testing.T) {
	stats := statsOf(t, openAt(t, ""))
	if stats["lsmSize"] != float64(0) || stats["vlogSize"] != float64(0) {
		t.Fatalf("in-memory sizes %v, %v", stats["lsmSize"], stats["vlogSize"])
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"testing"
)

// oldDefaults is the open config of the defaults before the block cache was turned off
// (32 MiB block cache); a store they wrote must open and read the same with today's.
var oldDefaults = map[string]any{
	"memTableSize": 16 << 20, "numMemtables": 2, "blockCacheSize": 32 << 20, "indexCacheSize": 16 << 20,
	"numCompactors": 2, "valueLogFileSize": 64 << 20, "compression": "none", "logLevel": "none",
}

func TestStoreWrittenWithOldDefaultsReadsTheSameWithNewOnes(t *testing.T) {
	dir := t.TempDir()
	cfg := map[string]any{"path": dir}
	for k, v := range oldDefaults {
		cfg[k] = v
	}
	oldRaw, _ := json.Marshal(cfg)
	out := make([]byte, 1024)
	h := doOpen(oldRaw, out)
	if h <= 0 {
		t.Fatalf("open with old defaults: %s", message(out))
	}
	const n = 30_000 // > one 16 MiB memtable with the overhead, so the reopen reads tables too
	want := map[string]string{}
	for start := 0; start < n; start += 1000 {
		var ops []writeOp
		for i := start; i < start+1000; i++ {
			k, v := fmt.Sprintf("k%08d", i), fmt.Sprintf("value-%d-%0600d", i, i)
			ops = append(ops, writeOp{op: opPut, key: []byte(k), value: []byte(v)})
			want[k] = v
		}
		if i := start + 500; i%3000 == 500 { // some deletes too
			k := fmt.Sprintf("k%08d", i-1)
			ops = append(ops, writeOp{op: opDelete, key: []byte(k)})
			delete(want, k)
		}
		if rc := doWrite(h, encodeWrite(ops), out); rc != 0 {
			t.Fatalf("write rc %d: %s", rc, message(out))
		}
	}
	if err := closeHandle(h); err != nil {
		t.Fatal(err)
	}
	newRaw, _ := json.Marshal(map[string]any{"path": dir, "logLevel": "none"})
	h = doOpen(newRaw, out)
	if h <= 0 {
		t.Fatalf("open with new defaults: %s", message(out))
	}
	defer closeHandle(h)
	if cfg := dbHandles.mustGet(h).st.cfg; cfg.BlockCacheSize != 0 {
		t.Fatalf("reopened with block cache %d, want the new default 0", cfg.BlockCacheSize)
	}
	for i := 0; i < n; i++ {
		k := fmt.Sprintf("k%08d", i)
		expect, ok := want[k]
		if !ok {
			expect = "<missing>"
		}
		if got := mustGet(t, h, k); got != expect {
			t.Fatalf("%s reads %q, want %q", k, got, expect)
		}
	}
	if got := countEntries(t, h); got != len(want) {
		t.Fatalf("scan saw %d entries, want %d", got, len(want))
	}
}

// countEntries scans the whole store in chunks.
func countEntries(t *testing.T, h int32) int {
	t.Helper()
	buf := make([]byte, 1<<20)
	id := openIter(h, encodeSpec(iterSpec{}), buf)
	if id <= 0 {
		t.Fatalf("iter open rc %d", id)
	}
	defer closeIter(id)
	total := 0
	for {
		n := nextChunk(id, 4096, buf)
		if n < 0 {
			t.Fatalf("next rc %d", n)
		}
		if n == 0 {
			return total
		}
		total += int(n)
	}
}

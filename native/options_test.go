package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseConfigAppliesDefaults(t *testing.T) {
	cfg, err := parseConfig([]byte(`{"path":"/tmp/x"}`))
	if err != nil {
		t.Fatal(err)
	}
	d := DefaultConfig()
	if cfg.MemTableSize != d.MemTableSize || cfg.BlockCacheSize != 0 || cfg.NumCompactors != 2 || cfg.Compression != "none" {
		t.Fatalf("defaults not applied: %+v", cfg)
	}
	opt := cfg.badgerOptions()
	if opt.MemTableSize != 16*mib || opt.NumMemtables != 2 || opt.ValueLogFileSize != 64*mib || opt.DetectConflicts {
		t.Fatalf("badger options: %+v", opt)
	}
}

func TestParseConfigOverridesAndMemoryLimit(t *testing.T) {
	cfg, err := parseConfig([]byte(`{"inMemory":true,"memoryLimit":67108864,"blockCacheSize":1048576}`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BlockCacheSize != mib || cfg.MemTableSize != 16*mib {
		t.Fatalf("got %+v", cfg)
	}
}

func TestCompressionGetsABlockCacheByDefault(t *testing.T) {
	cfg, err := parseConfig([]byte(`{"path":"/x","compression":"zstd"}`))
	if err != nil || cfg.BlockCacheSize != compressedBlockCache {
		t.Fatalf("got %+v, %v: compression needs a block cache", cfg, err)
	}
	cfg, err = parseConfig([]byte(`{"path":"/x","compression":"snappy","blockCacheSize":1048576}`))
	if err != nil || cfg.BlockCacheSize != mib {
		t.Fatalf("got %+v, %v: a given size wins", cfg, err)
	}
}

func TestParseConfigTakesZeroCacheSizesAsOff(t *testing.T) {
	cfg, err := parseConfig([]byte(`{"path":"/x","blockCacheSize":0,"indexCacheSize":0,"memTableSize":0}`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BlockCacheSize != 0 || cfg.IndexCacheSize != 0 || cfg.MemTableSize != DefaultConfig().MemTableSize {
		t.Fatalf("got %+v: cache sizes 0 must mean off, memTableSize 0 the default", cfg)
	}
	if opt := cfg.badgerOptions(); opt.BlockCacheSize != 0 || opt.IndexCacheSize != 0 {
		t.Fatalf("badger options %+v", opt)
	}
	h := doOpen([]byte(`{"inMemory":true,"blockCacheSize":0,"indexCacheSize":0}`), make([]byte, 256))
	if h <= 0 {
		t.Fatalf("open without caches: rc %d", h)
	}
	mustWrite(t, h, "k", "v")
	if got := mustGet(t, h, "k"); got != "v" {
		t.Fatalf("got %q", got)
	}
	closeHandle(h)
}

func TestParseConfigRejectsBadInput(t *testing.T) {
	cases := map[string]string{
		`{"path":"/x","memTabelSize":1}`:    "memTabelSize",
		`{"path":"/x","numCompactors":1}`:   "numCompactors",
		`{"path":"/x","inMemory":true}`:     "exactly one",
		`{}`:                                "exactly one",
		`{"path":"/x","compression":"lz4"}`: "compression",
		`{"path":"/x"} {}`:                  "trailing",
		`{"path":"/x"}}`:                    "trailing",
		`{"path":"/x"}]`:                    "trailing",
		`[1]`:                               "bad open config",
		`{"path":"/x","memTableSize":10}`:   "memTableSize",
		`{"path":"/x","blockCacheSize":0,"compression":"zstd"}`: "blockCacheSize 0",
	}
	for raw, want := range cases {
		_, err := parseConfig([]byte(raw))
		if err == nil || classify(err).code != codeInvalid || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: want INVALID mentioning %q, got %v", raw, want, err)
		}
	}
}

// FuzzParseConfig checks properties of every accepted config, not only that nothing panics:
// re-encoding it gives the same config (the defaults are a fixed point), every field the input
// set is kept as given, and the Badger options carry exactly the parsed values.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"path":"/tmp/x","memTableSize":16777216}`))
	f.Add([]byte(`{"inMemory":true,"memoryLimit":1}`))
	f.Add([]byte(`{"path":"\u0000"}`))
	f.Add([]byte(`{"inMemorY":true}}`)) // a stray '}' after the object was accepted
	f.Add([]byte(`{"path":"/p","memoryLimit":268435456,"numMemtables":4,"compression":"zstd","logLevel":"none","syncWrites":true}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		cfg, err := parseConfig(raw)
		if err != nil {
			return
		}
		checkConfigProperties(t, raw, cfg)
	})
}

// checkConfigProperties is FuzzParseConfig's oracle, also run on fixed inputs by a unit test.
func checkConfigProperties(t *testing.T, raw []byte, cfg Config) {
	t.Helper()
	again, err := json.Marshal(cfg)
	if err != nil {
		t.Fatalf("cannot re-encode %+v: %v", cfg, err)
	}
	back, perr := parseConfig(again)
	if perr != nil || back != cfg {
		t.Fatalf("re-encoding changed the config:\n in  %s\n got %+v (%v)\n want %+v", again, back, perr, cfg)
	}
	var given Config
	_ = json.Unmarshal(raw, &given)
	kept := func(name string, in, out any, zero any) {
		if in != zero && in != out {
			t.Fatalf("%s: given %v, parsed %v", name, in, out)
		}
	}
	kept("path", given.Path, cfg.Path, "")
	kept("memTableSize", given.MemTableSize, cfg.MemTableSize, int64(0))
	kept("numMemtables", given.NumMemtables, cfg.NumMemtables, 0)
	kept("blockCacheSize", given.BlockCacheSize, cfg.BlockCacheSize, int64(0))
	kept("indexCacheSize", given.IndexCacheSize, cfg.IndexCacheSize, int64(0))
	kept("numCompactors", given.NumCompactors, cfg.NumCompactors, 0)
	kept("valueLogFileSize", given.ValueLogFileSize, cfg.ValueLogFileSize, int64(0))
	kept("memoryLimit", given.MemoryLimit, cfg.MemoryLimit, int64(0))
	kept("compression", given.Compression, cfg.Compression, "")
	kept("logLevel", given.LogLevel, cfg.LogLevel, "")
	if given.InMemory != cfg.InMemory || given.SyncWrites != cfg.SyncWrites {
		t.Fatalf("inMemory/syncWrites: given %v/%v, parsed %v/%v", given.InMemory, given.SyncWrites, cfg.InMemory, cfg.SyncWrites)
	}
	opt := cfg.badgerOptions()
	if opt.Dir != cfg.Path || opt.InMemory != cfg.InMemory || opt.SyncWrites != cfg.SyncWrites ||
		opt.MemTableSize != cfg.MemTableSize || opt.NumMemtables != cfg.NumMemtables ||
		opt.BlockCacheSize != cfg.BlockCacheSize || opt.IndexCacheSize != cfg.IndexCacheSize ||
		opt.NumCompactors != cfg.NumCompactors || opt.ValueLogFileSize != cfg.ValueLogFileSize ||
		opt.Compression != compressionOf(cfg.Compression) {
		t.Fatalf("badger options differ from the config %+v", cfg)
	}
}

func TestParseConfigProperties(t *testing.T) {
	for _, raw := range []string{
		`{"path":"/tmp/x"}`,
		`{"inMemory":true,"memoryLimit":1}`,
		`{"inMemory":true,"memoryLimit":67108864,"blockCacheSize":1048576}`,
		`{"path":"/p","memoryLimit":268435456,"numMemtables":4,"compression":"zstd","logLevel":"none","syncWrites":true}`,
	} {
		cfg, err := parseConfig([]byte(raw))
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		checkConfigProperties(t, []byte(raw), cfg)
	}
}

// memTableSize accepts 1 MiB; Badger's default value threshold (1 MiB) would exceed its batch limit
// there (15% of the memtable) and the open failed with INTERNAL.
func TestSmallMemtablesOpenAndKeepLargeValues(t *testing.T) {
	h := openCfg(t, map[string]any{"path": t.TempDir(), "logLevel": "none", "memTableSize": 1 << 20})
	big := strings.Repeat("v", 200<<10) // above the lowered threshold (~154 KiB): stored in the value log
	mustWrite(t, h, "big", big, "small", "s")
	buf := make([]byte, 256<<10)
	if n := doGet(h, []byte("big"), buf); n != int32(len(big)) || string(buf[:n]) != big {
		t.Fatalf("the large value read back: rc %d", n)
	}
	if mustGet(t, h, "small") != "s" {
		t.Fatal("the small value read back differs")
	}
}

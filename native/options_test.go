package main

import (
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
		`[1]`:                               "bad open config",
		`{"path":"/x","memTableSize":10}`:   "memTableSize",
		`{"path":"/x","blockCacheSize":0,"compression":"zstd"}`: "blockCacheSize 0",
	}
	for raw, want := range cases {
		_, err := parseConfig([]byte(raw))
		if err == nil || err.code != codeInvalid || !strings.Contains(err.msg, want) {
			t.Errorf("%s: want INVALID mentioning %q, got %v", raw, want, err)
		}
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"path":"/tmp/x","memTableSize":16777216}`))
	f.Add([]byte(`{"inMemory":true,"memoryLimit":1}`))
	f.Add([]byte(`{"path":"\u0000"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		cfg, err := parseConfig(raw)
		if err == nil {
			// Whatever is accepted must pass the checks and build options without panicking.
			if cfg.check() != nil {
				t.Fatalf("accepted an invalid config %+v", cfg)
			}
			_ = cfg.badgerOptions()
		}
	})
}

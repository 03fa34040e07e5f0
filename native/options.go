package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"sync/atomic"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// Config is the open request (sky_open's JSON). An absent field means "use the default below";
// so does 0, except for blockCacheSize (0: no block cache, only without compression),
// indexCacheSize (0: Badger keeps every table index in memory) and rowCacheSize (0: no row cache).
//
// The defaults are a small-footprint profile for a library embedded in a Node process, instead
// of Badger's server profile (64 MiB memtables × 5, a 256 MiB block cache, 1 GiB value log files):
//
//	memTableSize      16 MiB  each memtable is one arena of this size; also caps a batch at ~15% of it
//	numMemtables      2       memtables in memory (one active, one flushing)
//	blockCacheSize    0       no block cache: uncompressed blocks are read straight from the mmapped
//	                          tables, 14-30% faster point reads here (bench/RESULTS.md); 32 MiB when
//	                          compression is on (Badger caches decompressed blocks and needs one)
//	indexCacheSize    16 MiB  cache of table indexes and bloom filters (0 would keep them all in memory)
//	rowCacheSize      8 MiB   key -> value cache of point reads in front of Badger (rowcache.go),
//	                          plus up to a quarter as much for the entry keys of repeated index
//	                          scans (scancache.go); not part of memoryLimit
//	numCompactors     2       Badger's minimum; the machine has few cores and Node needs them
//	valueLogFileSize  64 MiB  also the largest value accepted
//	compression       off     values are usually already compact (CBOR); snappy only costs CPU here
//	logLevel          "error" Badger's INFO chatter would go to the host's stderr
//	commitWaitMicros  2000    how long sky_write_begin blocks its caller before an unsynced commit
//	                          finishes in the background (pending.go); 1..1,000,000
//	readCacheSize     16 MiB  bytes of values a client of another process keeps to answer repeated
//	                          reads itself (readcache.go); 0 turns it off
//	minFreeDiskBytes  256 MiB writes fail with IO below this much free space on the store's
//	                          filesystem (diskspace.go: a full disk would crash the process inside
//	                          Badger); 8 × memTableSize + 2 × valueLogFileSize; 0 turns it off
//
// memoryLimit, when set, derives memTableSize, blockCacheSize and indexCacheSize from one budget
// (unless they are given): memtables get half of it, the block cache a third, the index cache the rest.
// It also raises the Go runtime's soft memory limit to 2 × memoryLimit when that is above its
// 256 MiB default; the process-wide GC defaults (GOGC 50, GOMEMLIMIT 256 MiB, both overridable
// from the environment) are in gclimits.go. To trade memory for speed: larger memTableSize and
// numMemtables (fewer flushes, bigger batches), larger caches, and GOGC=100 GOMEMLIMIT=1GiB.
type Config struct {
	Path             string `json:"path"`
	InMemory         bool   `json:"inMemory"`
	SyncWrites       bool   `json:"syncWrites"`
	MemTableSize     int64  `json:"memTableSize"`
	NumMemtables     int    `json:"numMemtables"`
	BlockCacheSize   int64  `json:"blockCacheSize"`
	IndexCacheSize   int64  `json:"indexCacheSize"`
	RowCacheSize     int64  `json:"rowCacheSize"`
	NumCompactors    int    `json:"numCompactors"`
	ValueLogFileSize int64  `json:"valueLogFileSize"`
	MemoryLimit      int64  `json:"memoryLimit"`
	Compression      string `json:"compression"`
	LogLevel         string `json:"logLevel"`
	// Several processes (docs/MULTIPROCESS.md): exclusive refuses to share the store with other
	// processes; the timeouts (ms, 0 = default) bound finding or electing an owner, and one request to it.
	Exclusive        bool  `json:"exclusive"`
	OpenTimeoutMs    int64 `json:"openTimeoutMs"`
	RequestTimeoutMs int64 `json:"requestTimeoutMs"`
	CommitWaitMicros int64 `json:"commitWaitMicros"`
	ReadCacheSize    int64 `json:"readCacheSize"`
	// MinFreeDiskBytes: writes fail with IO while the store's filesystem has less free space
	// (diskspace.go); absent = 8 × memTableSize + 2 × valueLogFileSize, 0 = no check.
	MinFreeDiskBytes int64 `json:"minFreeDiskBytes"`
}

const mib = 1 << 20

// DefaultConfig is the small-footprint profile described on Config.
func DefaultConfig() Config {
	return Config{
		MemTableSize:     16 * mib,
		NumMemtables:     2,
		BlockCacheSize:   0,
		IndexCacheSize:   16 * mib,
		RowCacheSize:     defaultRowCache,
		NumCompactors:    2,
		ValueLogFileSize: 64 * mib,
		Compression:      "none",
		LogLevel:         "error",
		CommitWaitMicros: 2000,
		ReadCacheSize:    defaultReadCacheSize,
	}
}

// parseConfig decodes the open JSON over the defaults and checks every field.
func parseConfig(raw []byte) (Config, error) {
	given := Config{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&given); err != nil {
		return Config{}, newError(codeInvalid, "bad open config: %v", err)
	}
	// More() is false before a stray '}' or ']', so ask for the next token: only the end may follow.
	if _, err := dec.Token(); err != io.EOF {
		return Config{}, newError(codeInvalid, "bad open config: trailing data after the JSON object")
	}
	// A cache size given as 0 means "no cache", not "default": note which fields were given.
	var present map[string]json.RawMessage
	_ = json.Unmarshal(raw, &present) // raw decoded above, so it is an object
	cfg := mergeDefaults(given)
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"blockCacheSize", &cfg.BlockCacheSize}, {"indexCacheSize", &cfg.IndexCacheSize}, {"rowCacheSize", &cfg.RowCacheSize}, {"readCacheSize", &cfg.ReadCacheSize}, {"minFreeDiskBytes", &cfg.MinFreeDiskBytes}} {
		if v, ok := present[f.name]; ok && string(v) == "0" {
			*f.dst = 0
		}
	}
	if _, given := present["blockCacheSize"]; !given && cfg.MemoryLimit == 0 && cfg.Compression != "none" {
		cfg.BlockCacheSize = compressedBlockCache
	}
	if err := cfg.check(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// defaultRowCache is the default rowCacheSize (bench/RESULTS.md, row cache).
const defaultRowCache = 8 * mib

// compressedBlockCache is the default block cache when compression is on.
const compressedBlockCache = 32 * mib

func mergeDefaults(g Config) Config {
	d := DefaultConfig()
	if g.MemoryLimit > 0 {
		d.MemTableSize = max(g.MemoryLimit/2/int64(max(d.NumMemtables, g.NumMemtables)), mib)
		d.BlockCacheSize = g.MemoryLimit / 3
		d.IndexCacheSize = max(g.MemoryLimit-g.MemoryLimit/2-g.MemoryLimit/3, 0)
	}
	pick := func(v, def int64) int64 {
		if v != 0 {
			return v
		}
		return def
	}
	g.MemTableSize = pick(g.MemTableSize, d.MemTableSize)
	g.NumMemtables = int(pick(int64(g.NumMemtables), int64(d.NumMemtables)))
	g.BlockCacheSize = pick(g.BlockCacheSize, d.BlockCacheSize)
	g.IndexCacheSize = pick(g.IndexCacheSize, d.IndexCacheSize)
	g.RowCacheSize = pick(g.RowCacheSize, d.RowCacheSize)
	g.NumCompactors = int(pick(int64(g.NumCompactors), int64(d.NumCompactors)))
	g.ValueLogFileSize = pick(g.ValueLogFileSize, d.ValueLogFileSize)
	g.CommitWaitMicros = pick(g.CommitWaitMicros, d.CommitWaitMicros)
	g.ReadCacheSize = pick(g.ReadCacheSize, d.ReadCacheSize)
	g.MinFreeDiskBytes = pick(g.MinFreeDiskBytes, 8*g.MemTableSize+2*g.ValueLogFileSize)
	if g.Compression == "" {
		g.Compression = d.Compression
	}
	if g.LogLevel == "" {
		g.LogLevel = d.LogLevel
	}
	return g
}

func (c Config) check() error {
	bad := func(format string, args ...any) error {
		return newError(codeInvalid, "bad open config: "+format, args...)
	}
	switch {
	case c.InMemory == (c.Path != ""):
		return bad("give exactly one of path and inMemory")
	case c.MemTableSize < mib || c.MemTableSize > 1<<30:
		return bad("memTableSize must be between 1 MiB and 1 GiB, got %d", c.MemTableSize)
	case c.NumMemtables < 1 || c.NumMemtables > 16:
		return bad("numMemtables must be between 1 and 16, got %d", c.NumMemtables)
	case c.BlockCacheSize < 0 || c.IndexCacheSize < 0 || c.RowCacheSize < 0 || c.ReadCacheSize < 0 || c.MemoryLimit < 0:
		return bad("cache sizes and memoryLimit must not be negative")
	case c.RowCacheSize > 1<<40:
		return bad("rowCacheSize must be at most 1 TiB, got %d", c.RowCacheSize)
	case c.BlockCacheSize == 0 && c.Compression != "none":
		return bad("blockCacheSize 0 (no block cache) needs compression \"none\": Badger caches decompressed blocks")
	case c.NumCompactors < 2 || c.NumCompactors > 16:
		return bad("numCompactors must be between 2 and 16 (Badger needs at least 2), got %d", c.NumCompactors)
	case c.ValueLogFileSize < mib || c.ValueLogFileSize >= 2<<30:
		return bad("valueLogFileSize must be between 1 MiB and 2 GiB, got %d", c.ValueLogFileSize)
	case c.CommitWaitMicros < 1 || c.CommitWaitMicros > 1_000_000:
		return bad("commitWaitMicros must be between 1 and 1000000, got %d", c.CommitWaitMicros)
	case c.Compression != "none" && c.Compression != "snappy" && c.Compression != "zstd":
		return bad("compression must be none, snappy or zstd, got %q", c.Compression)
	case c.ReadCacheSize > 1<<30:
		return bad("readCacheSize must be at most 1 GiB, got %d", c.ReadCacheSize)
	case c.MinFreeDiskBytes < 0:
		return bad("minFreeDiskBytes must not be negative, got %d", c.MinFreeDiskBytes)
	case c.OpenTimeoutMs < 0 || c.RequestTimeoutMs < 0:
		return bad("openTimeoutMs and requestTimeoutMs must not be negative")
	case c.LogLevel != "none" && c.LogLevel != "error" && c.LogLevel != "warning" && c.LogLevel != "info":
		return bad("logLevel must be none, error, warning or info, got %q", c.LogLevel)
	}
	return nil
}

// badgerOptions turns a checked Config into Badger options.
func (c Config) badgerOptions() badger.Options {
	opt := badger.DefaultOptions(c.Path).
		WithInMemory(c.InMemory).
		WithSyncWrites(c.SyncWrites).
		WithMemTableSize(c.MemTableSize).
		WithNumMemtables(c.NumMemtables).
		WithBlockCacheSize(c.BlockCacheSize).
		WithIndexCacheSize(c.IndexCacheSize).
		WithNumCompactors(c.NumCompactors).
		WithValueLogFileSize(c.ValueLogFileSize).
		WithCompression(compressionOf(c.Compression)).
		// Badger refuses a value threshold above its batch limit (15% of the memtable); its default
		// (1 MiB) is above that for memtables under ~7 MiB, which config.check allows from 1 MiB.
		WithValueThreshold(min(1<<20, 15*c.MemTableSize/100)).
		WithNumLevelZeroTables(3).
		WithNumGoroutines(2).
		WithMetricsEnabled(false).
		// Every write is one blind batch, so there is nothing to conflict; skipping the check saves memory.
		WithDetectConflicts(false).
		WithLogger(loggerFor(c.LogLevel))
	if tuneBadger != nil {
		opt = tuneBadger(opt)
	}
	return opt
}

// tuneBadger, when set (only by bench_test.go, from FLOOR_BADGER), adjusts the Badger options of
// every open: a knob is measured on the floor before it becomes a Config field.
var tuneBadger func(badger.Options) badger.Options

func compressionOf(name string) options.CompressionType {
	switch name {
	case "snappy":
		return options.Snappy
	case "zstd":
		return options.ZSTD
	}
	return options.None
}

// levelLogger forwards Badger's log lines at or above one level to stderr, and counts failed
// memtable flushes for closeBadger (closebound.go), whatever the level.
type levelLogger struct {
	level         int // -1 none, 0 error, 1 warning, 2 info
	out           *log.Logger
	flushFailures atomic.Int64
	lastFlushErr  atomic.Pointer[string]
}

func loggerFor(level string) *levelLogger {
	levels := map[string]int{"error": 0, "warning": 1, "info": 2}
	n, ok := levels[level]
	if !ok {
		n = -1
	}
	return &levelLogger{level: n, out: log.New(os.Stderr, "skyshelve badger ", log.LstdFlags)}
}

func (l *levelLogger) logf(level int, tag, format string, args ...any) {
	if level <= l.level {
		l.out.Print(tag + " " + strings.TrimSpace(fmt.Sprintf(format, args...)))
	}
}

func (l *levelLogger) Errorf(f string, a ...any) {
	// Badger retries a failed flush every second, forever, and says so only here (db.go flushMemtable).
	if strings.HasPrefix(f, flushFailurePrefix) {
		msg := strings.Join(strings.Fields(strings.TrimSuffix(strings.TrimSpace(fmt.Sprintf(f, a...)), ", retrying")), " ")
		l.lastFlushErr.Store(&msg)
		l.flushFailures.Add(1)
	}
	l.logf(0, "ERROR", f, a...)
}

func (l *levelLogger) Warningf(f string, a ...any) { l.logf(1, "WARNING", f, a...) }
func (l *levelLogger) Infof(f string, a ...any)    { l.logf(2, "INFO", f, a...) }
func (l *levelLogger) Debugf(f string, a ...any)   {}

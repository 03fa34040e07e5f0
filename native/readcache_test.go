package main

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"skyshelve/native/internal/wire"
)

// clientOf opens the store at dir in this process as its owner and connects a client to it
// (two stores in one process: the registry would otherwise share the owner's).
func clientOf(t *testing.T, dir string, extra ...any) (owner int32, c *client) {
	t.Helper()
	owner = openCfg(t, mpConfig(dir))
	cfg := parsed(t, mpConfig(dir, extra...))
	id := newClientID()
	cn, stampID, err := dialOwner(cfg, id)
	if err != nil {
		t.Fatal(err)
	}
	if stampID == 0 {
		t.Fatal("the owner announced no stamp table")
	}
	st := newClientStore(cfg, cn, stampID, id)
	c = st.client.Load()
	t.Cleanup(c.shutdown)
	return owner, c
}

func clientGet(t *testing.T, c *client, key string) string {
	t.Helper()
	out := make([]byte, 1<<10)
	rc, ok := c.get([]byte(key), out)
	switch {
	case !ok:
		t.Fatal("the client became the owner")
	case rc == -codeNotFound:
		return "<missing>"
	case rc < 0:
		t.Fatalf("get %q: rc %d: %s", key, rc, message(out))
	}
	return string(out[:rc])
}

func clientWrite(t testing.TB, c *client, ops ...writeOp) {
	out := make([]byte, 1<<10)
	if rc, ok := c.roundTrip(out, wire.OpWrite, []byte{0}, encodeWrite(ops)); !ok || rc != 0 {
		t.Fatalf("client write: rc %d ok %v: %s", rc, ok, message(out))
	}
}

func TestClientCacheAnswersRepeatedReadsAndSeesEveryWrite(t *testing.T) {
	owner, c := clientOf(t, t.TempDir())
	if got := statsOf(t, owner)["stamps"]; got != "shared, marking" {
		t.Fatalf("stats.stamps = %v after a client's hello", got)
	}
	mustWrite(t, owner, "k", "v1")
	for i := 0; i < 3; i++ {
		if got := clientGet(t, c, "k"); got != "v1" {
			t.Fatalf("read %d: %q", i, got)
		}
	}
	if h := c.cache.hits.Load(); h != 2 {
		t.Fatalf("%d hits of 3 reads, want 2", h)
	}
	mustWrite(t, owner, "k", "v2") // the owner's own write
	if got := clientGet(t, c, "k"); got != "v2" {
		t.Fatalf("after the owner's write: %q", got)
	}
	clientWrite(t, c, put("k", "v3")) // the client's own write, through the owner
	if got := clientGet(t, c, "k"); got != "v3" {
		t.Fatalf("after the client's write: %q", got)
	}
	if got := clientGet(t, c, "nope"); got != "<missing>" {
		t.Fatal(got)
	}
	if got := clientGet(t, c, "nope"); got != "<missing>" { // a cached absence
		t.Fatal(got)
	}
	mustWrite(t, owner, "nope", "now")
	if got := clientGet(t, c, "nope"); got != "now" {
		t.Fatalf("a cached absence outlived a write: %q", got)
	}
	out := make([]byte, 1<<10)
	if rc := doWrite(owner, encodeWrite([]writeOp{del("k")}), out); rc != 0 {
		t.Fatal(rc)
	}
	if got := clientGet(t, c, "k"); got != "<missing>" {
		t.Fatalf("a cached value outlived its delete: %q", got)
	}
	small := make([]byte, 1)
	clientGet(t, c, "nope")
	if rc, _ := c.get([]byte("nope"), small); rc != -codeTooSmall {
		t.Fatalf("a cached value into a 1-byte buffer: rc %d", rc)
	}
}

// Writers (owner and client, the client's writes with and without their stamps) move one counter
// up; readers through the client must never see a value older than one whose write had returned
// before their read began, nor go backwards. Meanwhile another client writes keys that share the
// counter's stamp slot, so commits overlap on it.
func TestClientCacheNeverServesAValueOlderThanAnAcknowledgedWrite(t *testing.T) {
	dir := t.TempDir()
	owner, c := clientOf(t, dir)
	const writes = 3000
	var acked atomic.Uint64
	enc := func(i uint64) string { return string(binary.BigEndian.AppendUint64(nil, i)) }
	mustWrite(t, owner, "n", enc(0))
	var commits atomic.Int64
	setCommitHook(func(string) { // every 8th stage of a commit lingers
		if commits.Add(1)%8 == 0 {
			time.Sleep(200 * time.Microsecond)
		}
	})
	defer testHookCommit.Store(nil)
	var wg sync.WaitGroup
	var failed atomic.Value
	wg.Add(1)
	go func() {
		defer wg.Done()
		out := make([]byte, 256)
		for i := uint64(1); i <= writes; i++ {
			req := encodeWrite([]writeOp{put("n", enc(i)), put(fmt.Sprintf("other%d", i%7), "x")})
			var rc int32
			switch i % 4 {
			case 0, 2:
				rc = doWrite(owner, req, out)
			case 1:
				rc, _ = c.roundTrip(out, wire.OpWrite, []byte{0}, req)
			case 3:
				rc, _ = c.write(out, 0, req)
			}
			if rc != 0 {
				failed.Store(fmt.Sprintf("write %d: rc %d", i, rc))
				return
			}
			acked.Store(i)
		}
	}()
	mates := connectClient(t, dir, 99)
	wg.Add(1)
	go func() {
		defer wg.Done()
		out := make([]byte, 4096)
		keys := slotMates("n", 3)
		for i := 0; acked.Load() < writes && failed.Load() == nil; i++ {
			if rc, _ := mates.write(out, 0, encodeWrite([]writeOp{put(keys[i%3], "x")})); rc != 0 {
				failed.Store(fmt.Sprintf("slot mate write: rc %d", rc))
				return
			}
		}
	}()
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := make([]byte, 64)
			last := uint64(0)
			for acked.Load() < writes && failed.Load() == nil {
				floor := acked.Load()
				rc, ok := c.get([]byte("n"), out)
				if !ok || rc != 8 {
					failed.Store(fmt.Sprintf("read: rc %d ok %v", rc, ok))
					return
				}
				got := binary.BigEndian.Uint64(out)
				if got < floor || got < last {
					failed.Store(fmt.Sprintf("read %d after write %d had returned (previous read %d)", got, floor, last))
					return
				}
				last = got
			}
		}()
	}
	wg.Wait()
	if f := failed.Load(); f != nil {
		t.Fatal(f)
	}
	if c.cache.hits.Load() == 0 {
		t.Fatal("no read was answered from the cache")
	}
	t.Logf("hits %d, misses %d", c.cache.hits.Load(), c.cache.misses.Load())
}

func TestClientCacheStaysWithinItsLimit(t *testing.T) {
	owner, c := clientOf(t, t.TempDir())
	c.cache.limit = 64 << 10
	val := string(make([]byte, 1000))
	for i := 0; i < 300; i++ {
		mustWrite(t, owner, fmt.Sprintf("k%03d", i), val)
		clientGet(t, c, fmt.Sprintf("k%03d", i))
	}
	c.cache.mu.Lock()
	n, size := len(c.cache.entries), c.cache.bytes
	c.cache.mu.Unlock()
	if size > c.cache.limit || n == 0 || n > 64 {
		t.Fatalf("%d entries of %d bytes for a %d-byte limit", n, size, c.cache.limit)
	}
}

func del(key string) writeOp { return writeOp{op: opDelete, key: []byte(key)} }

func TestReadCacheSizeZeroTurnsTheCacheOff(t *testing.T) {
	owner, c := clientOf(t, t.TempDir(), "readCacheSize", 0)
	mustWrite(t, owner, "k", "v")
	for i := 0; i < 3; i++ {
		if got := clientGet(t, c, "k"); got != "v" {
			t.Fatal(got)
		}
	}
	if h := c.cache.hits.Load(); h != 0 || c.cache.stats()["shared"] != false {
		t.Fatalf("%d hits with readCacheSize 0", h)
	}
	for _, bad := range []string{`{"inMemory":true,"readCacheSize":-1}`, `{"inMemory":true,"readCacheSize":2147483648}`} {
		if _, err := parseConfig([]byte(bad)); err == nil {
			t.Fatalf("%s was accepted", bad)
		}
	}
}

func BenchmarkClientCacheHit(b *testing.B) {
	dir := b.TempDir()
	owner := openCfg(b, mpConfig(dir))
	c := connectClient(b, dir, 5)
	out := make([]byte, 256)
	doWrite(owner, encodeWrite([]writeOp{put("user:00000000001", string(make([]byte, 100)))}), out)
	key := []byte("user:00000000001")
	c.get(key, out)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if rc, _ := c.get(key, out); rc != 100 {
			b.Fatal(rc)
		}
	}
}

// Until a client says hello, commits mark nothing (a lone process pays nothing). A commit that
// began unmarked and is still in flight at the first hello must finish before the hello is
// answered: else the client could cache the value from before it, under marks that never move.
func TestFirstHelloWaitsForUnmarkedCommits(t *testing.T) {
	dir := t.TempDir()
	owner := openCfg(t, mpConfig(dir))
	mustWrite(t, owner, "k", "old")
	held, release := make(chan struct{}), make(chan struct{})
	var once, released sync.Once
	letGo := func() { released.Do(func() { close(release) }) }
	defer letGo() // a failing test must not leave the commit blocked (the store's close waits for it)
	setCommitHook(func(stage string) {
		if stage == "applied" {
			once.Do(func() { close(held); <-release })
		}
	})
	defer testHookCommit.Store(nil)
	wrote := make(chan int32)
	go func() { wrote <- doWrite(owner, encodeWrite([]writeOp{put("k", "new")}), make([]byte, 256)) }()
	<-held
	cfg := parsed(t, mpConfig(dir))
	type dialed struct {
		c   *client
		err error
	}
	got := make(chan dialed)
	go func() {
		cn, stampID, err := dialOwner(cfg, 9)
		if err != nil {
			got <- dialed{err: err}
			return
		}
		got <- dialed{c: newClientStore(cfg, cn, stampID, 9).client.Load()}
	}()
	select {
	case d := <-got:
		t.Fatalf("the hello was answered while an unmarked commit was in flight (err %v)", d.err)
	case <-time.After(100 * time.Millisecond):
	}
	letGo()
	if rc := <-wrote; rc != 0 {
		t.Fatalf("write: rc %d", rc)
	}
	d := <-got
	if d.err != nil {
		t.Fatal(d.err)
	}
	defer d.c.shutdown()
	for i := 0; i < 3; i++ {
		if v := clientGet(t, d.c, "k"); v != "new" {
			t.Fatalf("read %d: %q", i, v)
		}
	}
}

// setCommitHook installs f as the commit hook (clock.go).
func setCommitHook(f func(stage string)) { testHookCommit.Store(&f) }

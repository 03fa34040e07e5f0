package main

import (
	"fmt"
	"testing"

	"github.com/cespare/xxhash/v2"

	"skyshelve/native/internal/wire"
)

// connectClient connects one more client (id) to the owner of the store at dir.
func connectClient(t testing.TB, dir string, id uint64) *client {
	t.Helper()
	cfg := parsed(t, mpConfig(dir))
	cn, stampID, err := dialOwner(cfg, id)
	if err != nil {
		t.Fatal(err)
	}
	c := newClientStore(cfg, cn, stampID, id).client.Load()
	t.Cleanup(c.shutdown)
	return c
}

// clientWriteStamped writes through c as routeWrite does: asking for the stamps of its keys.
func clientWriteStamped(t testing.TB, c *client, ops ...writeOp) {
	t.Helper()
	out := make([]byte, 4096)
	if rc, ok := c.write(out, 0, encodeWrite(ops)); !ok || rc != 0 {
		t.Fatalf("client write: rc %d ok %v: %s", rc, ok, message(out))
	}
}

// A client reads back what it wrote itself without a round trip, and still sees every later write
// of the owner or of another client.
func TestClientReadsItsOwnWritesFromItsCache(t *testing.T) {
	dir := t.TempDir()
	owner, c := clientOf(t, dir)
	clientWriteStamped(t, c, put("k", "v1"), writeOp{op: opCheckAbsent, key: []byte("c")}, put("j", "w1"), del("gone"))
	misses := c.cache.misses.Load()
	for key, want := range map[string]string{"k": "v1", "j": "w1", "gone": "<missing>"} {
		if got := clientGet(t, c, key); got != want {
			t.Fatalf("%s: %q, want %q", key, got, want)
		}
	}
	if m := c.cache.misses.Load(); m != misses {
		t.Fatalf("%d of 3 reads of the client's own writes went to the owner", m-misses)
	}

	mustWrite(t, owner, "k", "v2") // the owner's own write
	if got := clientGet(t, c, "k"); got != "v2" {
		t.Fatalf("after the owner's write: %q", got)
	}
	other := connectClient(t, dir, 77)
	clientWriteStamped(t, c, put("j", "w2"))
	clientWriteStamped(t, other, put("j", "w3")) // another client's write of a key c has cached
	if got := clientGet(t, c, "j"); got != "w3" {
		t.Fatalf("after another client's write: %q", got)
	}

	// A write of more ops than a write's answer carries stamps for caches nothing.
	var bulk []writeOp
	for i := 0; i <= maxWriteStamps; i++ {
		bulk = append(bulk, put(fmt.Sprintf("bulk%02d", i), "b"))
	}
	clientWriteStamped(t, c, bulk...)
	if _, hit := c.cache.lookup([]byte("bulk00")); hit {
		t.Fatal("a write of more than maxWriteStamps ops was cached")
	}
	if got := clientGet(t, c, "bulk00"); got != "b" {
		t.Fatal(got)
	}

	// A write without room for the stamps (or with the cache off) still succeeds, caching nothing.
	c.cache.detach()
	if rc, ok := c.write(make([]byte, 64), 0, encodeWrite([]writeOp{put("k", "v4")})); !ok || rc != 0 {
		t.Fatalf("rc %d", rc)
	}
	if n := len(c.cache.entries); n != 0 {
		t.Fatalf("%d entries cached without a table", n)
	}
}

// The owner answers stamps only for keys its commit wrote alone; a group that holds two writes
// of one key (two clients) gives neither writer a stamp for it.
func TestGroupCommitStampsNoKeyTwoWritesShared(t *testing.T) {
	dir := t.TempDir()
	owner := openCfg(t, mpConfig(dir))
	var jobs []*writeJob
	for i, v := range []string{"a", "b"} {
		ops := []writeOp{put("same", v), put(fmt.Sprintf("own%d", i), v)}
		jobs = append(jobs, &writeJob{req: wire.Request{Op: wire.OpWrite, ClientID: uint64(100 + i), Seq: 1, Flags: wire.WriteStamps, Data: encodeWrite(ops)}})
	}
	dh, _ := dbHandles.get(owner)
	clockOf(dh.st.db).marking.Store(true) // as after a client's hello
	g := newGroupCommitter(owner)
	g.commit(jobs)
	for i, job := range jobs {
		if job.rc <= 0 {
			t.Fatalf("job %d: rc %d", i, job.rc)
		}
		n := int(job.body[0])
		if n != 1 || job.body[4] != 1 { // only own<i> (the write's op 1)
			t.Fatalf("job %d: %d stamps, first for op %d", i, n, job.body[4])
		}
	}
}

// Keys that share a stamp slot, so two writers' commits overlap on it.
func slotMates(key string, n int) []string {
	want := xxhash.Sum64String(key) & 0xffff
	var out []string
	for i := 0; len(out) < n; i++ {
		k := fmt.Sprintf("mate%d", i)
		if xxhash.Sum64String(k)&0xffff == want {
			out = append(out, k)
		}
	}
	return out
}

package main

import (
	"encoding/binary"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"skyshelve/native/internal/sockpath"
)

// rGet reads key through the routed (owner or client) path.
func rGet(t *testing.T, h int32, key string) string {
	t.Helper()
	out := make([]byte, 1<<16)
	rc := routeGet(h, []byte(key), out)
	if rc == -codeNotFound {
		return "<missing>"
	}
	if rc < 0 {
		t.Fatalf("get %q: rc %d: %s", key, rc, message(out))
	}
	return string(out[:rc])
}

func rWrite(t *testing.T, h int32, ops ...writeOp) int32 {
	t.Helper()
	out := make([]byte, 1024)
	rc := routeWrite(h, encodeWrite(ops), out)
	if rc != 0 && rc != -codeConflict {
		t.Fatalf("write: rc %d: %s", rc, message(out))
	}
	return rc
}

func TestClientRunsEveryOpOnTheOwner(t *testing.T) {
	h := openClientOfChildOwner(t)
	rWrite(t, h, put("a", "1"), put("b", "2"), put("c", "3"))
	if rGet(t, h, "b") != "2" || rGet(t, h, "zz") != "<missing>" {
		t.Fatal("get through the owner")
	}
	out := make([]byte, 4096)
	if routeHas(h, []byte("a"), out) != 1 || routeHas(h, []byte("q"), out) != 0 {
		t.Fatal("has through the owner")
	}
	if rc := routeGetMany(h, encodeKeys([][]byte{[]byte("a"), []byte("x"), []byte("c")}), 0, out); rc != 3 {
		t.Fatalf("get_many rc %d", rc)
	}
	if int32(binary.LittleEndian.Uint32(out[5:])) != -1 || string(out[13:14]) != "3" {
		t.Fatalf("get_many body %x", out[:14])
	}
	if rc := rWrite(t, h, checkEq("a", "0"), put("a", "9")); rc != -codeConflict || rGet(t, h, "a") != "1" {
		t.Fatalf("a failed check through the owner: rc %d", rc)
	}
	if got := scanAll(t, h, iterSpec{}, 2); got != "a=1 b=2 c=3" {
		t.Fatalf("scan %q", got)
	}
	if got := scanAll(t, h, iterSpec{reverse: true, lt: []byte("c")}, 1); got != "b=2 a=1" {
		t.Fatalf("reverse scan %q", got)
	}
	if rc := routeSync(h, out); rc != 0 {
		t.Fatalf("sync rc %d", rc)
	}
}

// scanAll reads a whole range through sky_iter_* in chunks of max.
func scanAll(t *testing.T, h int32, spec iterSpec, max int32) string {
	t.Helper()
	out := make([]byte, 4096)
	it := openIter(h, appendIterSpec(nil, spec), out)
	if it <= 0 {
		t.Fatalf("iter_open rc %d: %s", it, message(out))
	}
	defer closeIter(it)
	var got []string
	for {
		n := nextChunk(it, max, out)
		if n < 0 {
			t.Fatalf("iter_next rc %d: %s", n, message(out))
		}
		if n == 0 {
			return strings.Join(got, " ")
		}
		pos := 0
		for i := int32(0); i < n; i++ {
			kl := int(binary.LittleEndian.Uint32(out[pos:]))
			k := string(out[pos+4 : pos+4+kl])
			pos += 4 + kl
			vl := int(binary.LittleEndian.Uint32(out[pos:]))
			got = append(got, k+"="+string(out[pos+4:pos+4+vl]))
			pos += 4 + vl
		}
	}
}

// The owner is SIGKILLed while two client processes increment one counter with checked writes:
// both finish without error and no increment is lost or applied twice (a resent increment that
// was applied would otherwise fail its check and be counted again).
func TestOwnerKilledWhileClientsWriteLosesNothing(t *testing.T) {
	dir := t.TempDir()
	owner := startChild(t, "owner", mpConfig(dir))
	owner.expect(t, "ready")
	const each = 150
	var clients []*child
	for i := 0; i < 2; i++ {
		clients = append(clients, startChild(t, "incr", mpConfig(dir), "SKY_CHILD_N="+strconv.Itoa(each)))
	}
	for _, c := range clients {
		c.expect(t, "half")
	}
	owner.cmd.Process.Kill()
	for _, c := range clients {
		c.expect(t, "done")
		if err := c.cmd.Wait(); err != nil {
			t.Fatalf("client: %v: %s", err, c.err.String())
		}
	}
	h := openCfg(t, mpConfig(dir))
	if got := rGet(t, h, "n"); got != strconv.Itoa(2*each) {
		t.Fatalf("counter %s, want %d", got, 2*each)
	}
}

// This process is a client with writes in flight when its owner dies: it wins the election, its
// handle turns local, and every write lands exactly once.
func TestClientBecomesOwnerWhenTheOwnerDies(t *testing.T) {
	dir := t.TempDir()
	owner := startChild(t, "owner", mpConfig(dir))
	owner.expect(t, "ready")
	h := openCfg(t, mpConfig(dir))
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				if err := incrementOnce(h, "n"); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	waitCounter(t, h, 100)
	owner.cmd.Process.Kill()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if rGet(t, h, "n") != "400" || roleOf(t, h) != "owner" {
		t.Fatalf("counter %s role %s", rGet(t, h, "n"), roleOf(t, h))
	}
}

// An owner that closes drains its work and lets its client take over with no error.
func TestGracefulCloseHandsOverWithoutErrors(t *testing.T) {
	dir := t.TempDir()
	owner := startChild(t, "owner", mpConfig(dir))
	owner.expect(t, "ready")
	h := openCfg(t, mpConfig(dir))
	done := make(chan error)
	go func() {
		for i := 0; i < 300; i++ {
			if err := incrementOnce(h, "n"); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	waitCounter(t, h, 50)
	owner.stdin.Close()
	owner.expect(t, "closed")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if rGet(t, h, "n") != "300" || roleOf(t, h) != "owner" {
		t.Fatalf("counter %s role %s", rGet(t, h, "n"), roleOf(t, h))
	}
}

// A stopped owner still holds the lock: requests time out with TIMEOUT, and nobody takes over.
func TestHungOwnerTimesOutWithoutElection(t *testing.T) {
	dir := t.TempDir()
	owner := startChild(t, "owner", mpConfig(dir))
	owner.expect(t, "ready")
	// No read cache: the client would answer its own write itself, and these reads must go to the owner.
	h := openCfg(t, mpConfig(dir, "requestTimeoutMs", 1000, "readCacheSize", 0))
	rWrite(t, h, put("k", "v"))
	stop(t, owner)
	out := make([]byte, 1024)
	if rc := routeGet(h, []byte("k"), out); rc != -codeTimeout {
		t.Fatalf("rc %d: %s", rc, message(out))
	}
	owner.cmd.Process.Signal(syscall.SIGCONT)
	rc := routeGet(h, []byte("k"), out)
	for i := 0; i < 5 && rc == -codeTimeout; i++ { // a loaded machine may take a while to resume it
		rc = routeGet(h, []byte("k"), out)
	}
	if rc != 1 || out[0] != 'v' || roleOf(t, h) != "client" {
		t.Fatalf("the client did not keep its owner: rc %d", rc)
	}
}

// Opening a store whose owner is stopped fails with TIMEOUT instead of waiting for an election.
func TestOpenWhileTheOwnerIsStoppedTimesOut(t *testing.T) {
	dir := t.TempDir()
	owner := startChild(t, "owner", mpConfig(dir))
	owner.expect(t, "ready")
	stop(t, owner)
	defer owner.cmd.Process.Signal(syscall.SIGCONT)
	out := make([]byte, 512)
	if rc := doOpen([]byte(mustJSON(mpConfig(dir, "requestTimeoutMs", 300))), out); rc != -codeTimeout {
		t.Fatalf("rc %d: %s", rc, message(out))
	}
}

// A client that can neither win the lock nor reach an owner fails with UNAVAILABLE after
// openTimeoutMs; its next call starts a new election.
func TestNoOwnerWithinTheOpenTimeoutIsUnavailable(t *testing.T) {
	dir := t.TempDir()
	owner := startChild(t, "owner", mpConfig(dir))
	owner.expect(t, "ready")
	h := openCfg(t, mpConfig(dir, "openTimeoutMs", 400, "readCacheSize", 0)) // reads go to the owner
	rWrite(t, h, put("k", "v"))
	neverOwn.Store(true)
	defer neverOwn.Store(false)
	owner.cmd.Process.Kill()
	owner.cmd.Wait()
	out := make([]byte, 1024)
	if rc := routeGet(h, []byte("k"), out); rc != -codeUnavailable {
		t.Fatalf("rc %d: %s", rc, message(out))
	}
	neverOwn.Store(false)
	if rGet(t, h, "k") != "v" || roleOf(t, h) != "owner" {
		t.Fatal("the next call did not elect this process")
	}
}

// A socket file left by a killed owner is replaced by the next owner, whose clients connect.
func TestStaleSocketFileIsRecovered(t *testing.T) {
	dir := t.TempDir()
	owner := startChild(t, "owner", mpConfig(dir))
	owner.expect(t, "ready")
	owner.cmd.Process.Kill()
	owner.cmd.Wait()
	if err := syscall.Stat(filepath.Join(dir, sockpath.SocketName), &syscall.Stat_t{}); err != nil {
		t.Fatalf("the killed owner left no socket file: %v", err)
	}
	h := openCfg(t, mpConfig(dir))
	rWrite(t, h, put("k", "v"))
	client := startChild(t, "incr", mpConfig(dir), "SKY_CHILD_N=2")
	client.expect(t, "half")
	client.expect(t, "done")
	if roleOf(t, h) != "owner" || rGet(t, h, "n") != "2" {
		t.Fatal("the new owner did not serve its client")
	}
}

// A store path too long for a socket address gets a hashed socket in a private directory.
func TestLongStorePathUsesAHashedSocket(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 60), strings.Repeat("e", 60))
	path, hashed := sockpath.For(dir)
	if !hashed || len(path) > 107 {
		t.Fatalf("socket %s (%d bytes)", path, len(path))
	}
	h := openCfg(t, mpConfig(dir))
	client := startChild(t, "incr", mpConfig(dir), "SKY_CHILD_N=2")
	client.expect(t, "half")
	client.expect(t, "done")
	if rGet(t, h, "n") != "2" || socketPathOf(dir) != path {
		t.Fatal("the client of a long path did not reach its owner")
	}
}

// An owner refuses a peer whose uid differs from its own, with PERMISSION.
func TestPeerOfAnotherUIDIsRefused(t *testing.T) {
	dir := t.TempDir()
	h := openCfg(t, mpConfig(dir))
	dh, _ := dbHandles.get(h)
	dh.st.srv.wantUID++ // pretend the owner runs as another user
	_, _, err := dialOwner(parsed(t, mpConfig(dir)), newClientID())
	var se *skyError
	if !errors.As(err, &se) || se.code != codePermission {
		t.Fatalf("dial: %v", err)
	}
}

// exclusive: true owners make clients fail at once with LOCKED.
func TestClientOfExclusiveOwnerGetsLocked(t *testing.T) {
	dir := t.TempDir()
	owner := startChild(t, "owner", mpConfig(dir, "exclusive", true))
	owner.expect(t, "ready")
	raw := `{"path":"` + dir + `","logLevel":"none"}`
	out := make([]byte, 512)
	if rc := doOpen([]byte(raw), out); rc != -codeLocked || !strings.Contains(message(out), "exclusive") {
		t.Fatalf("rc %d: %s", rc, message(out))
	}
}

func parsed(t testing.TB, cfg map[string]any) Config {
	t.Helper()
	c, err := parseConfig([]byte(mustJSON(cfg)))
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.EvalSymlinks(c.Path)
	c.Path = abs
	return c
}

// waitCounter polls the counter "n" until it reaches at least min.
func waitCounter(t *testing.T, h int32, min int) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if n, _ := strconv.Atoi(rGet(t, h, "n")); n >= min {
			return
		}
	}
	t.Fatalf("the counter never reached %d", min)
}

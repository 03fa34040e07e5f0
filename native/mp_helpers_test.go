package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Multi-process tests re-run this test binary as a child (TestMain) playing one role on a store:
//
//	owner  open the store, print "ready", close it when stdin closes, print "closed"
//	incr   open the store, make N checked increments of "n", print "half" halfway and "done"
func TestMain(m *testing.M) {
	if path := os.Getenv("SKY_ECHO_SOCK"); path != "" {
		os.Exit(runEcho(path, os.Getenv("SKY_ECHO_MODE"))) // uds_floor_test.go
	}
	if role := os.Getenv("SKY_CHILD_ROLE"); role != "" {
		os.Exit(runChild(role))
	}
	os.Exit(m.Run())
}

func runChild(role string) int {
	cfg := os.Getenv("SKY_CHILD_CFG")
	out := make([]byte, 1<<16)
	h := doOpen([]byte(cfg), out)
	if h <= 0 {
		fmt.Fprintf(os.Stderr, "open: rc %d: %s\n", h, message(out))
		return 2
	}
	switch role {
	case "owner":
		fmt.Println("ready")
		io.Copy(io.Discard, os.Stdin)
		if err := closeHandle(h); err != nil {
			fmt.Fprintln(os.Stderr, "close:", err)
			return 1
		}
		fmt.Println("closed")
		return 0
	case "incr":
		n, _ := strconv.Atoi(os.Getenv("SKY_CHILD_N"))
		for i := 0; i < n; i++ {
			if i == n/2 {
				fmt.Println("half")
			}
			if err := incrementOnce(h, "n"); err != nil {
				fmt.Fprintln(os.Stderr, "increment:", err)
				return 1
			}
		}
		closeHandle(h)
		fmt.Println("done")
		return 0
	}
	return 3
}

// incrementOnce adds one to the decimal counter at key with a checked write, retrying on CONFLICT.
func incrementOnce(h int32, key string) error {
	out := make([]byte, 4096)
	for {
		cur, check := 0, writeOp{op: opCheckAbsent, key: []byte(key)}
		rc := routeGet(h, []byte(key), out)
		if rc >= 0 {
			cur, _ = strconv.Atoi(string(out[:rc]))
			check = writeOp{op: opCheckEqual, key: []byte(key), value: []byte(strconv.Itoa(cur))}
		} else if rc != -codeNotFound {
			return fmt.Errorf("get: rc %d: %s", rc, message(out))
		}
		next := writeOp{op: opPut, key: []byte(key), value: []byte(strconv.Itoa(cur + 1))}
		switch rc := routeWrite(h, encodeWrite([]writeOp{check, next}), out); rc {
		case 0:
			return nil
		case -codeConflict:
		default:
			return fmt.Errorf("write: rc %d: %s", rc, message(out))
		}
	}
}

// child is a running child process of this test binary.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines *bufio.Scanner
	err   strings.Builder
}

func startChild(t testing.TB, role string, cfg map[string]any, env ...string) *child {
	t.Helper()
	raw, _ := json.Marshal(cfg)
	c := &child{cmd: exec.Command(os.Args[0], "-test.run=^$")}
	c.cmd.Env = append(os.Environ(), append([]string{"SKY_CHILD_ROLE=" + role, "SKY_CHILD_CFG=" + string(raw)}, env...)...)
	c.cmd.Stderr = &c.err
	c.stdin, _ = c.cmd.StdinPipe()
	stdout, _ := c.cmd.StdoutPipe()
	c.lines = bufio.NewScanner(stdout)
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		c.cmd.Wait()
	})
	return c
}

// expect waits for the child's next output line and checks it.
func (c *child) expect(t testing.TB, line string) {
	t.Helper()
	if !c.lines.Scan() || c.lines.Text() != line {
		t.Fatalf("child said %q, want %q; stderr: %s", c.lines.Text(), line, c.err.String())
	}
}

// mpConfig is the open config of multi-process tests.
func mpConfig(dir string, extra ...any) map[string]any {
	cfg := map[string]any{"path": dir, "logLevel": "none", "openTimeoutMs": 20000, "requestTimeoutMs": 20000}
	for i := 0; i+1 < len(extra); i += 2 {
		cfg[extra[i].(string)] = extra[i+1]
	}
	return cfg
}

// openCfg opens with cfg in this process and closes the handle when the test ends.
func openCfg(t testing.TB, cfg map[string]any) int32 {
	t.Helper()
	raw, _ := json.Marshal(cfg)
	out := make([]byte, 1024)
	h := doOpen(raw, out)
	if h <= 0 {
		t.Fatalf("open: rc %d: %s", h, message(out))
	}
	t.Cleanup(func() { closeHandle(h) })
	return h
}

// roleOf reads sky_stats' role of h.
func roleOf(t *testing.T, h int32) string {
	t.Helper()
	out := make([]byte, 1<<16)
	rc := routeStats(h, out)
	if rc < 0 {
		t.Fatalf("stats: rc %d: %s", rc, message(out))
	}
	var s struct{ Role string }
	json.Unmarshal(out[:rc], &s)
	return s.Role
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// stop sends SIGSTOP and waits until the kernel reports every thread of the child stopped: kill
// wakes one thread, which then stops the others, and until then a Go thread can still answer.
func stop(t *testing.T, c *child) {
	t.Helper()
	c.cmd.Process.Signal(syscall.SIGSTOP)
	tasks := fmt.Sprintf("/proc/%d/task", c.cmd.Process.Pid)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		ents, err := os.ReadDir(tasks)
		if err != nil {
			t.Skipf("cannot read %s: %v", tasks, err)
		}
		all := true
		for _, e := range ents {
			b, err := os.ReadFile(tasks + "/" + e.Name() + "/stat")
			if err != nil {
				continue // the thread ended meanwhile
			}
			if i := strings.LastIndexByte(string(b), ')'); i < 0 || len(b) <= i+2 || b[i+2] != 'T' {
				all = false
				break
			}
		}
		if all {
			return
		}
	}
	t.Fatal("the child did not stop")
}

// openClientOfChildOwner starts an owner process on a new store and opens a client handle of it.
func openClientOfChildOwner(t *testing.T) int32 {
	dir := t.TempDir()
	owner := startChild(t, "owner", mpConfig(dir))
	owner.expect(t, "ready")
	h := openCfg(t, mpConfig(dir))
	if role := roleOf(t, h); role != "client" {
		t.Fatalf("role %q", role)
	}
	return h
}

// mustOwnerConn takes uc out of Go's poller as dialOwner does.
func mustOwnerConn(t testing.TB, uc *net.UnixConn) *ownerConn {
	t.Helper()
	oc, err := newOwnerConn(uc)
	if err != nil {
		t.Fatal(err)
	}
	return oc
}

package main

import (
	"strings"
	"sync"
	"testing"
)

func checkEq(key, val string) writeOp {
	return writeOp{op: opCheckEqual, key: []byte(key), value: []byte(val)}
}
func checkAbsent(key string) writeOp { return writeOp{op: opCheckAbsent, key: []byte(key)} }
func put(key, val string) writeOp    { return writeOp{op: opPut, key: []byte(key), value: []byte(val)} }

func TestPassingChecksWriteTheBatch(t *testing.T) {
	h, _ := openTemp(t)
	mustWrite(t, h, "a", "1")
	out := make([]byte, 256)
	ops := []writeOp{checkEq("a", "1"), checkAbsent("b"), put("a", "2"), put("b", "x")}
	if rc := doWrite(h, encodeWrite(ops), out); rc != 0 {
		t.Fatalf("rc %d: %s", rc, message(out))
	}
	if mustGet(t, h, "a") != "2" || mustGet(t, h, "b") != "x" {
		t.Fatal("a passing conditional batch was not applied")
	}
}

func TestFailedCheckIsConflictAndWritesNothing(t *testing.T) {
	h, _ := openTemp(t)
	mustWrite(t, h, "a", "1", "b", "present")
	out := make([]byte, 256)
	cases := []struct {
		ops   []writeOp
		index string
	}{
		{[]writeOp{put("c", "new"), checkEq("a", "0")}, "check 0 "},
		{[]writeOp{checkEq("a", "1"), checkAbsent("b"), put("c", "new")}, "check 1 "},
		{[]writeOp{checkEq("missing", ""), put("c", "new")}, "check 0 "},
		{[]writeOp{checkEq("a", "1"), checkEq("a", "10"), put("c", "new")}, "check 1 "},
	}
	for i, c := range cases {
		rc := doWrite(h, encodeWrite(c.ops), out)
		if rc != -codeConflict || !strings.HasPrefix(message(out), c.index) {
			t.Errorf("case %d: rc %d: %s", i, rc, message(out))
		}
	}
	if mustGet(t, h, "c") != "<missing>" || mustGet(t, h, "a") != "1" {
		t.Fatal("a conflicting batch changed the store")
	}
}

func TestCheckAbsentCarryingAValueIsInvalid(t *testing.T) {
	h, _ := openTemp(t)
	out := make([]byte, 256)
	bad := []writeOp{{op: opCheckAbsent, key: []byte("k"), value: []byte("v")}}
	if rc := doWrite(h, encodeWrite(bad), out); rc != -codeInvalid {
		t.Fatalf("rc %d: %s", rc, message(out))
	}
}

// Concurrent read-modify-write increments through checks lose nothing: each either commits
// against the value it read or gets CONFLICT and retries.
func TestCheckedIncrementsFromManyGoroutinesAreExact(t *testing.T) {
	for _, durable := range []bool{false, true} {
		h, _ := openTemp(t)
		if durable {
			dh, _ := dbHandles.get(h)
			dh.syncWrites = true // commits on the callers' goroutines, concurrently
		}
		const workers, each = 4, 50
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				increment(t, h, each)
			}()
		}
		wg.Wait()
		if got := mustGet(t, h, "n"); got != strings.Repeat("x", workers*each) {
			t.Fatalf("durable=%v: counter has %d increments, want %d", durable, len(got), workers*each)
		}
	}
}

func increment(t *testing.T, h int32, times int) {
	out := make([]byte, 1<<16)
	for done := 0; done < times; {
		cur := ""
		check := checkAbsent("n")
		if rc := doGet(h, []byte("n"), out); rc >= 0 {
			cur = string(out[:rc])
			check = checkEq("n", cur)
		}
		rc := doWrite(h, encodeWrite([]writeOp{check, put("n", cur+"x")}), out)
		switch rc {
		case 0:
			done++
		case -codeConflict:
		default:
			t.Errorf("rc %d: %s", rc, message(out))
			return
		}
	}
}

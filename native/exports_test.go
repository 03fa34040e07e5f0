package main

import (
	"strings"
	"testing"
)

func TestGuardTurnsPanicsIntoInternal(t *testing.T) {
	out := make([]byte, 256)
	rc := guard(out, func() int32 { panic("boom") })
	if rc != -codeInternal || !strings.Contains(message(out), "boom") {
		t.Fatalf("rc %d message %q", rc, message(out))
	}
	var nilMap map[string]int
	rc = guard(out, func() int32 { nilMap["x"] = 1; return 0 })
	if rc != -codeInternal || !strings.Contains(message(out), "nil map") {
		t.Fatalf("rc %d message %q", rc, message(out))
	}
	if rc := guard(nil, func() int32 { panic("no buffer") }); rc != -codeInternal {
		t.Fatalf("rc %d with no buffer", rc)
	}
}

func TestGuardPassesResultsThrough(t *testing.T) {
	if rc := guard(nil, func() int32 { return 42 }); rc != 42 {
		t.Fatalf("rc %d", rc)
	}
}

func TestOpenRejectsBadConfig(t *testing.T) {
	out := make([]byte, 256)
	if rc := doOpen([]byte(`{"path":1}`), out); rc != -codeInvalid || !strings.Contains(message(out), "config") {
		t.Fatalf("rc %d %q", rc, message(out))
	}
}

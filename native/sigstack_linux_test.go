//go:build linux && (amd64 || arm64)

package main

import (
	"testing"

	"golang.org/x/sys/unix"
)

// A handler installed without SA_ONSTACK gets the flag and nothing else changes; ignored and
// default dispositions are left alone.
func TestFixSignalStacksAddsOnStackOnly(t *testing.T) {
	sig, ignored := int(unix.SIGUSR2), int(unix.SIGTTOU)
	var orig, origIgnored kernelSigaction
	if err := rtSigaction(sig, nil, &orig); err != nil {
		t.Fatal(err)
	}
	if err := rtSigaction(ignored, nil, &origIgnored); err != nil {
		t.Fatal(err)
	}
	defer rtSigaction(sig, &orig, nil)
	defer rtSigaction(ignored, &origIgnored, nil)
	if orig.handler <= sigIgnore {
		t.Skip("the test binary has no handler for SIGUSR2 to reuse")
	}
	late := orig // Go's own handler, installed the way Node installs its own: without SA_ONSTACK
	late.flags &^= saOnStack
	if err := rtSigaction(sig, &late, nil); err != nil {
		t.Fatal(err)
	}
	ign := kernelSigaction{handler: sigIgnore}
	if err := rtSigaction(ignored, &ign, nil); err != nil {
		t.Fatal(err)
	}
	if n := fixSignalStacks(); n < 1 {
		t.Fatalf("fixed %d handlers", n)
	}
	var now, nowIgnored kernelSigaction
	rtSigaction(sig, nil, &now)
	rtSigaction(ignored, nil, &nowIgnored)
	if now.flags != late.flags|saOnStack || now.handler != late.handler || now.mask != late.mask {
		t.Fatalf("SIGUSR2 became %+v, want %+v plus SA_ONSTACK", now, late)
	}
	if nowIgnored.handler != sigIgnore || nowIgnored.flags&saOnStack != 0 {
		t.Fatalf("an ignored signal was changed: %+v", nowIgnored)
	}
	if n := fixSignalStacks(); n != 0 {
		t.Fatalf("a second pass changed %d handlers", n)
	}
}

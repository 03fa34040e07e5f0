package main

import (
	"errors"
	"fmt"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

func TestClassifyMapsEngineErrors(t *testing.T) {
	cases := []struct {
		err  error
		code int32
	}{
		{badger.ErrTxnTooBig, codeTxnTooBig},
		{fmt.Errorf("wrapped: %w", badger.ErrTxnTooBig), codeTxnTooBig},
		{badger.ErrEmptyKey, codeInvalid},
		{badger.ErrInvalidKey, codeInvalid},
		{badger.ErrDBClosed, codeClosed},
		{errors.New(`Cannot acquire directory lock on "/x".  Another process is using this Badger database.`), codeLocked},
		{errors.New("something else"), codeInternal},
	}
	for _, c := range cases {
		if got := classify(c.err).code; got != c.code {
			t.Errorf("%v: got %d, want %d", c.err, got, c.code)
		}
	}
}

func TestWriteErrorTruncatesToTheCallersBuffer(t *testing.T) {
	out := make([]byte, 10)
	if rc := writeError(out, newError(codeIO, "a long message that does not fit")); rc != -codeIO {
		t.Fatalf("rc %d", rc)
	}
	if got := message(out); got != "a long" {
		t.Fatalf("message %q", got)
	}
	if rc := writeError(nil, newError(codeIO, "x")); rc != -codeIO {
		t.Fatalf("nil buffer: rc %d", rc)
	}
}

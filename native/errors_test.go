package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
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

// TestDecodersReturnUntypedNil: a decoder that succeeds returns a nil error interface, not a nil
// *skyError inside a non-nil interface (the typed-nil bug of returning a concrete pointer type).
func TestDecodersReturnUntypedNil(t *testing.T) {
	var errs []error
	_, err := decodeWrite(encodeWrite([]writeOp{{op: opPut, key: []byte("k"), value: []byte("v")}}))
	errs = append(errs, err)
	_, err = decodeKeys(encodeKeys([][]byte{[]byte("k")}))
	errs = append(errs, err)
	_, err = decodeIterSpec(encodeSpec(iterSpec{}))
	errs = append(errs, err)
	_, err = parseConfig([]byte(`{"inMemory":true}`))
	errs = append(errs, err)
	for i, err := range errs {
		if err != nil {
			t.Errorf("decoder %d: a success returned a non-nil error %#v", i, err)
		}
	}
}

// TestLockedMatchesTheErrnoAndTheText: LOCKED is recognised through errors.Is on the flock errno
// when the chain is intact, and through Badger's text when Badger flattened it (its default).
func TestLockedMatchesTheErrnoAndTheText(t *testing.T) {
	cases := map[string]error{
		"wrapped errno":   fmt.Errorf("open: %w", syscall.EWOULDBLOCK),
		"badger's text":   errors.New(`Cannot acquire directory lock on "/x".  Another process is using this Badger database. err: resource temporarily unavailable`),
		"wrapped further": fmt.Errorf("opening: %w", errors.New(`Cannot acquire directory lock on "/x".`)),
	}
	for name, err := range cases {
		if got := classify(err).code; got != codeLocked {
			t.Errorf("%s: got code %d, want LOCKED", name, got)
		}
	}
	if got := classify(errors.New("resource busy")).code; got == codeLocked {
		t.Errorf("an unrelated error was taken for LOCKED")
	}
}

// Badger wraps some file errors with %v, so errors.As finds no *os.PathError; the errno's text
// still makes them IO, while other errors stay INTERNAL.
func TestFileErrorsWithACutChainAreIO(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.ENOENT, syscall.ENOSPC, syscall.EACCES, syscall.EROFS} {
		cut := fmt.Errorf("newMemTable err: %v", &os.PathError{Op: "open", Path: "/gone/00002.mem", Err: errno})
		if errors.As(cut, new(*os.PathError)) {
			t.Fatal("the test error should not carry the PathError")
		}
		if got := classify(cut).code; got != codeIO {
			t.Errorf("%v: code %d, want IO", cut, got)
		}
	}
	if got := classify(errors.New("something else broke")).code; got != codeInternal {
		t.Errorf("an unrelated error: code %d, want INTERNAL", got)
	}
}

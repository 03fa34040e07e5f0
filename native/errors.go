package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	badger "github.com/dgraph-io/badger/v4"
)

// Status codes of the ABI (docs/ABI.md). An export returns the negated code on failure.
const (
	codeInternal      = 1  // a panic or an unexpected engine error
	codeTooSmall      = 2  // the caller's buffer is too small; needed size in out[0:4]
	codeNotFound      = 3  // the key does not exist
	codeClosed        = 4  // the handle is unknown or was closed
	codeLocked        = 5  // another process holds the directory lock
	codeKeyTooLarge   = 6  // a key is over maxKeySize
	codeValueTooLarge = 7  // a value is over the engine's limit
	codeTxnTooBig     = 8  // one atomic batch is over Badger's transaction limit
	codeInvalid       = 9  // a malformed request, empty or reserved key, or bad config
	codeIO            = 10 // a filesystem error
	codeConflict      = 11 // a check of a conditional write failed; nothing was written
	codeTimeout       = 12 // the owner process did not answer in time
	codePermission    = 13 // the owner's socket belongs to another user, or a peer's uid was rejected
	codeUnavailable   = 14 // no owner could be reached or elected within the open timeout
	codeBusy          = 15 // a bulk ingest owns the store until it finishes (ingest.go)
)

// maxKeySize is Badger's own key limit (txn.go); checking it first gives a clean message.
const maxKeySize = 65000

// skyError is an error that already carries its ABI status code.
type skyError struct {
	code int32
	msg  string
}

func (e *skyError) Error() string { return e.msg }

// newError builds a skyError with a formatted message.
func newError(code int32, format string, args ...any) *skyError {
	return &skyError{code: code, msg: fmt.Sprintf(format, args...)}
}

// errClosed is returned when a handle is unknown or was closed.
var errClosed = newError(codeClosed, "the handle is closed or unknown")

// classify maps an engine or Go error to its ABI status code and message.
func classify(err error) *skyError {
	var se *skyError
	switch {
	case errors.As(err, &se):
		return se
	case errors.Is(err, badger.ErrTxnTooBig):
		return newError(codeTxnTooBig, "the batch is too big for one Badger transaction; write it in smaller batches (%v)", err)
	case errors.Is(err, badger.ErrEmptyKey):
		return newError(codeInvalid, "keys must not be empty")
	case errors.Is(err, badger.ErrInvalidKey):
		return newError(codeInvalid, "keys must not start with the reserved prefix !badger!")
	case errors.Is(err, badger.ErrDBClosed):
		return errClosed
	case isLocked(err):
		return newError(codeLocked, "%v", err)
	case errors.Is(err, os.ErrPermission), errors.Is(err, os.ErrNotExist), isPathError(err):
		return newError(codeIO, "%v", err)
	}
	return newError(codeInternal, "%v", err)
}

// isLocked reports whether err is Badger's "another process holds the directory lock". Badger v4
// has no sentinel for it, and outside its debug mode it wraps the flock error with %+v, which cuts
// the chain; so the errno is matched with errors.Is where the chain survives, and the text otherwise.
// TestLockedFromARealHeldLock pins the text against the real error of the Badger version in go.mod.
func isLocked(err error) bool {
	return errors.Is(err, syscall.EWOULDBLOCK) || strings.Contains(err.Error(), "Cannot acquire directory lock")
}

func isPathError(err error) bool {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return true
	}
	// Badger wraps some file errors with %v (y.Wrapf, the memtable and table openers), which cuts
	// the chain; the errno's text survives, so a vanished directory or a full disk is still IO.
	msg := err.Error()
	for _, text := range fileErrnoTexts {
		if strings.Contains(msg, text) {
			return true
		}
	}
	return false
}

// fileErrnoTexts are the strerror texts of the filesystem failures an application can act on.
var fileErrnoTexts = []string{
	syscall.ENOENT.Error(), syscall.ENOSPC.Error(), syscall.EACCES.Error(), syscall.EROFS.Error(),
	syscall.EIO.Error(), syscall.EDQUOT.Error(), syscall.EPERM.Error(),
}

// writeError puts `[u32 len][message]` into out (truncated to fit) and returns -code.
// TOO_SMALL and NOT_FOUND carry no message, per the ABI.
func writeError(out []byte, err error) int32 {
	se := classify(err)
	if se.code == codeNotFound {
		return -codeNotFound
	}
	if len(out) >= 4 {
		msg := se.msg
		if len(msg) > len(out)-4 {
			msg = msg[:len(out)-4]
		}
		binary.LittleEndian.PutUint32(out, uint32(len(msg)))
		copy(out[4:], msg)
	}
	return -se.code
}

// tooSmall reports that `need` bytes are required and returns -TOO_SMALL.
func tooSmall(out []byte, need int) int32 {
	if len(out) >= 4 {
		binary.LittleEndian.PutUint32(out, uint32(need))
	}
	return -codeTooSmall
}

//go:build !unix

package main

import (
	"errors"
	"time"
)

// canPoll: no poll(2) here; a leader waits in Go's poller (connReader.fillDeadline).
const canPoll = false

func pollRead(int, []byte, time.Duration) (int, error) { return 0, errors.ErrUnsupported }

package main

import (
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Why a bound on Close: Badger's Close flushes the memtable and waits for it, and its flusher
// retries a failed flush every second, forever (the directory was removed, the disk is full, the
// permissions changed). Close would then never return, and neither would a process that closes
// its stores at exit. So a close that sees closeGiveUpAfter flush failures while it waits stops
// waiting and fails with IO. Badger is left to its retries in the background, still holding the
// directory lock until the process ends. Nothing acknowledged is lost by that: every write that
// returned is in the write-ahead log (the .mem files), which the next open replays; if the
// directory itself is gone, so is the data, with or without the close.

// flushFailurePrefix starts the line Badger logs each time a memtable flush fails.
const flushFailurePrefix = "error flushing memtable to disk"

// closeGiveUpAfter is how many failed flushes a close waits through (Badger retries every second).
const closeGiveUpAfter = 3

// closePollInterval is how often a waiting close checks the failure count.
const closePollInterval = 50 * time.Millisecond

// closeBounded runs db.Close, and gives up as described above; lg is the logger db was opened
// with (without one, it waits as Close does).
func closeBounded(db *badger.DB, lg *levelLogger) error {
	done := make(chan error, 1)
	go func() { done <- db.Close() }()
	if lg == nil {
		return <-done
	}
	start := lg.flushFailures.Load()
	tick := time.NewTicker(closePollInterval)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-tick.C:
			if lg.flushFailures.Load()-start < closeGiveUpAfter {
				continue
			}
			why := "unknown"
			if p := lg.lastFlushErr.Load(); p != nil {
				why = *p
			}
			return newError(codeIO, "close gave up: Badger failed %d times to flush its memtable (%s); "+
				"it keeps retrying in the background and holds the directory until this process ends; "+
				"writes that returned are in the write-ahead log and the next open replays them", closeGiveUpAfter, why)
		}
	}
}

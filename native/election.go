package main

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"skyshelve/native/internal/sockpath"
)

// Election (docs/MULTIPROCESS.md): Badger's own directory lock (a kernel flock, released when its
// holder dies) decides which process owns a store. The owner serves every other process over a
// Unix socket; only the lock holder ever unlinks or binds that socket, so a slow or stale peer can
// never take over a live owner's address.

const (
	defaultOpenTimeout    = 10 * time.Second
	defaultRequestTimeout = 10 * time.Second
	ownerFileName         = "skyshelve.owner" // in the store directory: where the owner listens
)

func (c Config) openTimeout() time.Duration {
	if c.OpenTimeoutMs > 0 {
		return time.Duration(c.OpenTimeoutMs) * time.Millisecond
	}
	return defaultOpenTimeout
}

func (c Config) requestTimeout() time.Duration {
	if c.RequestTimeoutMs > 0 {
		return time.Duration(c.RequestTimeoutMs) * time.Millisecond
	}
	return defaultRequestTimeout
}

// openShared opens the store at cfg.Path as its owner, or as a client of the process that owns it.
func openShared(cfg Config) (*store, error) {
	deadline := time.Now().Add(cfg.openTimeout())
	for attempt := 0; ; attempt++ {
		st, err := openLocal(cfg)
		if err == nil {
			startServing(st)
			return st, nil
		}
		if classify(err).code != codeLocked {
			return nil, err
		}
		if cfg.Exclusive {
			return nil, newError(codeLocked, "the database at %s is locked: another process holds it open, and exclusive: true does not share it", cfg.Path)
		}
		id := newClientID()
		cn, stampID, err := dialOwner(cfg, id)
		if err == nil {
			return newClientStore(cfg, cn, stampID, id), nil
		}
		if !errors.Is(err, errNoOwner) {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, newError(codeLocked, "the database at %s is locked by a program that is not skyshelve: its directory lock is held and no skyshelve owner answered within %v", cfg.Path, cfg.openTimeout())
		}
		time.Sleep(backoff(attempt))
	}
}

// backoff is a jittered, growing pause between election attempts, so clients that lost their
// owner together do not retry in lockstep.
func backoff(attempt int) time.Duration {
	base := 2 * time.Millisecond << min(attempt, 6) // 2..128 ms; the pause is base/2..1.5*base
	return base/2 + rand.N(base)
}

// socketPathOf returns where the owner of the store at dir listens: the owner file's record, else
// the path an owner would choose (sockpath.For).
func socketPathOf(dir string) string {
	if b, err := os.ReadFile(filepath.Join(dir, ownerFileName)); err == nil && len(b) > 0 {
		return string(b)
	}
	path, _ := sockpath.For(dir)
	return path
}

// writeOwnerFile records the socket path in the store atomically (write, then rename).
func writeOwnerFile(dir, socket string) error {
	tmp := filepath.Join(dir, ownerFileName+".tmp")
	if err := os.WriteFile(tmp, []byte(socket), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, ownerFileName))
}

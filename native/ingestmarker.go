package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// The ingest marker (docs/FORMAT.md, "Bulk ingest marker") makes a bulk ingest all or nothing on
// disk. StreamWriter registers each table in the MANIFEST as soon as it is built, so a process
// killed mid-ingest leaves a store that opens fine and holds an arbitrary part of the data. The
// marker is written and synced before the first table, and removed only after the last one and
// the value log are synced; a store opened with the marker present was empty before the ingest
// began (beginIngest checks), so dropping everything restores exactly what it held.

// ingestMarkerName is the marker's file name in the store's directory.
const ingestMarkerName = "SKYSHELVE-INGEST"

// ingestMarker is the marker's content: who started the ingest and when (for the report).
type ingestMarker struct {
	Pid     int    `json:"pid"`
	Started string `json:"started"`
}

func markerPath(cfg Config) string { return filepath.Join(cfg.Path, ingestMarkerName) }

// writeIngestMarker creates the marker durably (file and directory entry); no-op in memory.
func writeIngestMarker(cfg Config) error {
	if cfg.InMemory {
		return nil
	}
	b, _ := json.Marshal(ingestMarker{Pid: os.Getpid(), Started: time.Now().UTC().Format(time.RFC3339)})
	f, err := os.OpenFile(markerPath(cfg), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	err = errors.Join(err, f.Sync(), f.Close())
	if err != nil {
		return err
	}
	return syncDir(cfg.Path)
}

// removeIngestMarker removes the marker durably; no-op in memory or when it is absent.
func removeIngestMarker(cfg Config) error {
	if cfg.InMemory {
		return nil
	}
	if err := os.Remove(markerPath(cfg)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return syncDir(cfg.Path)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// rollBackIngest drops the data of an ingest that did not finish, when db's directory has a marker.
// It returns what the marker said (for stats), or "" when there was none.
func rollBackIngest(db *badger.DB, cfg Config) (string, error) {
	if cfg.InMemory {
		return "", nil
	}
	b, err := os.ReadFile(markerPath(cfg))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	// A torn marker still means "roll back"; its content is only reported.
	if err := db.DropAll(); err != nil {
		return "", err
	}
	if err := removeIngestMarker(cfg); err != nil {
		return "", err
	}
	return fmt.Sprintf("a bulk ingest (%s) did not finish; its partial data was dropped when the store was opened, so the store is empty", strings.TrimSpace(string(b))), nil
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"skyshelve/native/internal/stamps"
)

// Clients of another process cache the values they read and check them against the owner's
// stamp table (internal/stamps, docs/MULTIPROCESS.md) instead of asking the owner again. The
// owner maps the table when it starts serving, announces its id in the hello answer, and marks
// every commit in it (commitTxn) and every bulk ingest (ingest.go, BeginBulk and EndBulk).

// shareStamps maps the stamp table of an owner that is about to serve; without one (a read-only
// directory, say) clients simply do not cache.
func shareStamps(st *store) {
	c := clockOf(st.db)
	if c.stamps.Load() != nil {
		return
	}
	t, err := stamps.Create(filepath.Join(st.key, stamps.FileName))
	if err != nil {
		st.stampErr = err.Error()
		return
	}
	c.stamps.Store(t)
}

// stampsOf says, for stats, whether this owner shares its stamp table, and why not.
func stampsOf(st *store, db *badger.DB) string {
	c := clockOf(db)
	switch {
	case c.stamps.Load() == nil && st.stampErr != "":
		return "not shared: " + st.stampErr
	case c.stamps.Load() == nil:
		return "not shared"
	case c.marking.Load():
		return "shared, marking"
	}
	return "shared, no client yet"
}

// helloAnswer is the owner's answer to a client's hello: its pid, then its stamp table's id.
// Commits mark the table only from the first hello on (a lone process pays nothing for it), so
// the first hello waits until every commit that began unmarked has finished: a client may cache
// from its first read on.
func helloAnswer(st *store) []byte {
	c := clockOf(st.db)
	c.marking.Store(true)
	for c.unmarked.Load() > 0 {
		time.Sleep(20 * time.Microsecond)
	}
	return fmt.Appendf(nil, "%d %x", os.Getpid(), c.stamps.Load().ID())
}

// commitMarks is what beginMarks did for one commit.
type commitMarks struct {
	t        *stamps.Table // marked in this table (nil: nothing marked)
	unmarked bool          // counted in tsClock.unmarked
	solo     *stamps.Solo  // with wantSolo: which keys the commit wrote alone
}

// beginMarks marks keys in flight before a commit; pass its answer to endMarks once the commit
// is visible. Counting before looking at marking is what lets helloAnswer wait for the rest.
// With solo it also records which keys' slots the commit writes alone (stamps.Solo).
func (c *tsClock) beginMarks(keys [][]byte, solo bool) commitMarks {
	c.unmarked.Add(1)
	if !c.marking.Load() {
		return commitMarks{unmarked: true}
	}
	c.unmarked.Add(-1)
	t := c.stamps.Load()
	if solo && t != nil {
		return commitMarks{t: t, solo: t.BeginSolo(keys)}
	}
	t.Begin(keys)
	return commitMarks{t: t}
}

// endMarks marks keys visible after the commit, or counts an unmarked commit finished. Call it
// after the commit retired the pooled read transactions (commitTxn): a client may cache what the
// owner reads once the marks are stable, so from then on every read of the owner must see the
// commit, not a transaction opened before it.
func (c *tsClock) endMarks(m commitMarks, keys [][]byte) {
	if m.unmarked {
		c.unmarked.Add(-1)
		return
	}
	if m.solo != nil {
		m.t.EndSolo(keys, m.solo)
		return
	}
	m.t.End(keys)
}

// stampID reads the table id from a hello answer (0: the owner shares none).
func stampID(body []byte) uint64 {
	_, idHex, ok := strings.Cut(string(body), " ")
	if !ok {
		return 0
	}
	id, err := strconv.ParseUint(idHex, 16, 64)
	if err != nil {
		return 0
	}
	return id
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"skyshelve/native/internal/stamps"
)

// Clients of another process cache the values they read and check them against the owner's
// stamp table (internal/stamps, docs/MULTIPROCESS.md) instead of asking the owner again. The
// owner maps the table when it starts serving, announces its id in the hello answer, and marks
// every commit in it (commitTxn) and every bulk change (bulkChange).

// shareStamps maps the stamp table of an owner that is about to serve; without one (a read-only
// directory, say) clients simply do not cache.
func shareStamps(st *store) {
	c := clockOf(st.db)
	if c.stamps.Load() != nil {
		return
	}
	t, err := stamps.Create(filepath.Join(st.key, stamps.FileName))
	if err != nil {
		fmt.Fprintf(os.Stderr, "skyshelve: clients of %s will not cache reads: %v\n", st.key, err)
		return
	}
	c.stamps.Store(t)
}

// helloAnswer is the owner's answer to a client's hello: its pid, then its stamp table's id.
func helloAnswer(st *store) []byte {
	return fmt.Appendf(nil, "%d %x", os.Getpid(), clockOf(st.db).stamps.Load().ID())
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

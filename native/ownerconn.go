package main

import "errors"

// ownerConn is a client's connection to the process that owns the store (ownerconn_unix.go,
// ownerconn_other.go). Its callers: send writes frames, a connReader reads answers.

// errConnClosed: the connection was closed by this process (shutdown, or a change of owner).
var errConnClosed = errors.New("the connection to the owner is closed")

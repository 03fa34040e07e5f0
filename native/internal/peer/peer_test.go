package peer

import (
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestUIDIsThePeersUser(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := net.Dial("unix", path); err == nil {
			defer c.Close()
			c.Read(make([]byte, 1))
		}
	}()
	c, err := ln.AcceptUnix()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	uid, known, err := UID(c)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" && (!known || int(uid) != os.Getuid()) {
		t.Fatalf("uid %d known %v, want %d", uid, known, os.Getuid())
	}
}

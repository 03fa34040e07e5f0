//go:build linux

package peer

import (
	"net"

	"golang.org/x/sys/unix"
)

// peerUID reads SO_PEERCRED: the credentials the peer had when it connected.
func peerUID(conn *net.UnixConn) (uint32, bool, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return 0, false, err
	}
	var cred *unix.Ucred
	var serr error
	if err := raw.Control(func(fd uintptr) {
		cred, serr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return 0, false, err
	}
	if serr != nil {
		return 0, false, serr
	}
	return cred.Uid, true, nil
}

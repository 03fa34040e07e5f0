//go:build darwin

package peer

import (
	"net"

	"golang.org/x/sys/unix"
)

// peerUID reads LOCAL_PEERCRED, macOS's equivalent of SO_PEERCRED.
func peerUID(conn *net.UnixConn) (uint32, bool, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return 0, false, err
	}
	var cred *unix.Xucred
	var serr error
	if err := raw.Control(func(fd uintptr) {
		cred, serr = unix.GetsockoptXucred(int(fd), unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	}); err != nil {
		return 0, false, err
	}
	if serr != nil {
		return 0, false, serr
	}
	return cred.Uid, true, nil
}

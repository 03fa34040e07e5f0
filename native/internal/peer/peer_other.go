//go:build !linux && !darwin

package peer

import "net"

// peerUID cannot ask the kernel here; the owner relies on the socket directory's permissions.
func peerUID(conn *net.UnixConn) (uint32, bool, error) {
	return 0, false, nil
}

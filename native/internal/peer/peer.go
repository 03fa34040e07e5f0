// Package peer tells which user is at the other end of a Unix socket, where the OS can say.
package peer

import "net"

// UID returns the effective uid of the process at the other end of conn. known is false on
// systems where the kernel cannot say (Windows); the socket's directory permissions still apply.
func UID(conn *net.UnixConn) (uid uint32, known bool, err error) {
	return peerUID(conn)
}

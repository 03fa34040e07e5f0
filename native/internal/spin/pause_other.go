//go:build !amd64 && !arm64

package spin

// pause has no hint to give here; the loop still costs a little time per round.
func pause(n uint32) {
	for i := uint32(0); i < n; i++ {
		sink++
	}
}

var sink uint32

//go:build unix

package main

import (
	"io/fs"
	"syscall"
)

// allocated is the space a file takes on disk (its allocated 512-byte blocks), not its apparent size.
func allocated(info fs.FileInfo) int64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return int64(st.Blocks) * 512
	}
	return info.Size()
}

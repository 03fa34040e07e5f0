//go:build !unix

package main

import "io/fs"

// allocated is the file's apparent size where block counts are not available.
func allocated(info fs.FileInfo) int64 {
	return info.Size()
}

//go:build unix

package sockpath

import (
	"errors"
	"os"
	"syscall"
)

// ErrNotOwner is returned when a file that must be ours belongs to another user.
var ErrNotOwner = errors.New("belongs to another user")

func checkOwner(info os.FileInfo) error {
	if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return ErrNotOwner
	}
	return nil
}

// OwnedByOther reports whether the file at path exists and belongs to another user.
func OwnedByOther(path string) bool {
	info, err := os.Lstat(path)
	return err == nil && checkOwner(info) != nil
}

//go:build !unix

package sockpath

import (
	"errors"
	"os"
)

// ErrNotOwner is returned when a file that must be ours belongs to another user.
var ErrNotOwner = errors.New("belongs to another user")

// checkOwner cannot compare owners here (no uid); the directory's ACL applies.
func checkOwner(info os.FileInfo) error { return nil }

// OwnedByOther reports whether the file at path belongs to another user; unknown here.
func OwnedByOther(path string) bool { return false }

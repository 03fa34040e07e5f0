// Package sockpath chooses where the owner of a store listens (docs/MULTIPROCESS.md).
package sockpath

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// SocketName is the socket's file name inside the store directory.
const SocketName = "skyshelve.sock"

// maxPath is the longest socket path the OS accepts (sun_path minus its NUL): 107 bytes on
// Linux, 103 on macOS and the BSDs. Over it, bind fails with confusing errors (EINVAL, EADDRINUSE).
func maxPath() int {
	if runtime.GOOS == "linux" || runtime.GOOS == "windows" {
		return 107
	}
	return 103
}

// For returns the socket path of the store at dir (absolute and cleaned): inside dir when it
// fits, else a hashed name in a private directory under $XDG_RUNTIME_DIR or the temp directory.
func For(dir string) (path string, hashed bool) {
	inside := filepath.Join(dir, SocketName)
	if len(inside) <= maxPath() {
		return inside, false
	}
	sum := sha256.Sum256([]byte(dir))
	return filepath.Join(privateDir(), hex.EncodeToString(sum[:12])+".sock"), true
}

func privateDir() string {
	base := os.Getenv("XDG_RUNTIME_DIR")
	if base == "" {
		base = os.TempDir()
	}
	return filepath.Join(base, fmt.Sprintf("skyshelve-%d", os.Getuid()))
}

// Prepare makes sure the directory of a hashed socket path exists, is a directory (not a
// symlink), belongs to this user and is 0700: an abstract or world-reachable socket would let
// any local user talk to the store.
func Prepare(path string) error {
	dir := filepath.Dir(path)
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return err
	}
	info, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fmt.Errorf("socket directory %s is not a directory", dir)
	}
	if err := checkOwner(info); err != nil {
		return fmt.Errorf("socket directory %s: %w", dir, err)
	}
	if info.Mode().Perm() != 0o700 {
		return os.Chmod(dir, 0o700)
	}
	return nil
}

//go:build unix

package stamps

import (
	"errors"
	"os"
	"syscall"
)

// mapFile maps the first Size bytes of the file at path shared: for the owner read-write, creating
// or growing the file (never shrinking it: a client's mapping of the old size would fault), for a
// client read-only.
func mapFile(path string, owner bool) ([]byte, error) {
	flag, prot := os.O_RDONLY, syscall.PROT_READ
	if owner {
		flag, prot = os.O_RDWR|os.O_CREATE, syscall.PROT_READ|syscall.PROT_WRITE
	}
	f, err := os.OpenFile(path, flag|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	switch {
	case err != nil:
		return nil, err
	case info.Size() < Size && !owner:
		return nil, errors.New("stamp table too small")
	case info.Size() < Size:
		if err := f.Truncate(Size); err != nil {
			return nil, err
		}
	}
	return syscall.Mmap(int(f.Fd()), 0, Size, prot, syscall.MAP_SHARED)
}

func unmap(mem []byte) { syscall.Munmap(mem) }

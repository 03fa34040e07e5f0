//go:build !unix

package stamps

import "errors"

// mapFile: without mmap here (Windows), the owner shares no table and its clients do not cache.
func mapFile(path string, owner bool) ([]byte, error) {
	return nil, errors.New("a shared stamp table needs mmap (unix only)")
}

func unmap(mem []byte) {}

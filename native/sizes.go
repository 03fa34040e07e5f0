package main

import (
	"io/fs"
	"path/filepath"
)

// diskSizes returns the bytes that dir's LSM tables (.sst) and value logs (.vlog) take on disk.
// Badger's own DB.Size() is 0 here (metrics are off, and it refreshes only once a minute), and a
// value log is a sparse file preallocated to 2 GiB, so this counts allocated blocks, as du does.
func diskSizes(dir string) (lsm, vlog int64) {
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil // a file removed by compaction mid-walk is simply not counted
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		switch filepath.Ext(path) {
		case ".sst":
			lsm += allocated(info)
		case ".vlog":
			vlog += allocated(info)
		}
		return nil
	})
	return lsm, vlog
}

//go:build windows

package main

import "golang.org/x/sys/windows"

// filesystemFree returns the bytes this user may still write on dir's volume.
func filesystemFree(dir string) (int64, error) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, err
	}
	var avail, total, totalFree uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, &total, &totalFree); err != nil {
		return 0, err
	}
	return int64(avail), nil
}

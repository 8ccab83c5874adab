//go:build unix

package manifest_test

import (
	"io/fs"
	"path/filepath"
	"syscall"
)

// diskUse returns the bytes the files under dir take on disk (their
// blocks) and their apparent size.
func diskUse(dir string) (disk, apparent int64) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		apparent += fi.Size()
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			disk += st.Blocks * 512
		}
		return nil
	})
	return disk, apparent
}

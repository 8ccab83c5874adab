package demo

import "os"

// Workspace returns the directory an example works in (repository, store,
// allowed_signers, dist): keep, created if need be, when it is not empty,
// else a new temporary directory whose name starts with prefix. The caller
// calls cleanup when done: it removes a temporary directory and leaves a
// kept one alone.
func Workspace(keep, prefix string) (dir string, cleanup func(), err error) {
	dir, cleanup = keep, func() {}
	if dir == "" {
		tmp, err := os.MkdirTemp("", prefix)
		if err != nil {
			return "", nil, err
		}
		dir, cleanup = tmp, func() { os.RemoveAll(tmp) }
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		cleanup()
		return "", nil, err
	}
	return dir, cleanup, nil
}

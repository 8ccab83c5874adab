//go:build unix

package manifest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// lockName is the file of tree/ a DirStore locks with flock(2) while it
// changes its tree. The file stays; the lock is the kernel's and goes with
// the process, so a writer killed while holding it never blocks the next.
const lockName = "lock"

// lockFile takes an exclusive flock on path (created when missing), waiting
// at most lockTimeout and while ctx is not done. unlock releases it.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock store: %w", err)
	}
	deadline := time.Now().Add(lockTimeout)
	wait := 20 * time.Microsecond
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil // closing the descriptor releases the lock
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock store: %w", err)
		}
		if err := ctx.Err(); err != nil {
			f.Close()
			return nil, err
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, refused("store is locked", nil, "%s held for more than %s", path, lockTimeout)
		}
		time.Sleep(wait)
		wait = min(2*wait, 5*time.Millisecond)
	}
}

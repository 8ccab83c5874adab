//go:build !unix

package manifest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// lockName is the file of tree/ a DirStore creates with O_EXCL while it
// changes its tree (there is no flock here). As git's ref locks, a writer
// killed while holding it leaves it: other writers then wait lockTimeout
// and fail with a *RefusalError "store is locked" until the operator
// removes the file, once no writer runs.
const lockName = "lock.excl"

// lockFile creates path with O_EXCL, waiting at most lockTimeout and while
// ctx is not done. unlock removes it.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	deadline := time.Now().Add(lockTimeout)
	wait := 20 * time.Microsecond
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("lock store: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, refused("store is locked", nil, "%s exists", path)
		}
		time.Sleep(wait)
		wait = min(2*wait, 5*time.Millisecond)
	}
}

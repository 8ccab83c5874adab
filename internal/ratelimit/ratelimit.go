// Package ratelimit decides and takes the waits of the forge clients'
// rate-limited calls: a wait is taken only when it ends within the
// client's maximum wait and before the call's context deadline, so a
// call never outlives the time its caller gave it.
package ratelimit

import (
	"context"
	"time"
)

// A Waiter waits out rate limits. Now and Sleep are its clock: tests
// replace them to count the waits instead of taking them.
type Waiter struct {
	// Max is the longest wait taken; zero never waits.
	Max   time.Duration
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// New returns a Waiter on the real clock that waits at most max.
func New(max time.Duration) Waiter {
	return Waiter{Max: max, Now: time.Now, Sleep: Sleep}
}

// Fits says whether a wait of d ends within w.Max and before ctx's
// deadline.
func (w Waiter) Fits(ctx context.Context, d time.Duration) bool {
	if d > w.Max {
		return false
	}
	if dl, ok := ctx.Deadline(); ok && !w.Now().Add(d).Before(dl) {
		return false
	}
	return true
}

// Wait waits d when it fits ([Waiter.Fits]) and reports whether it
// waited the whole time: false when d does not fit or ctx ended first.
func (w Waiter) Wait(ctx context.Context, d time.Duration) bool {
	return w.Fits(ctx, d) && w.Sleep(ctx, d) == nil
}

// Sleep waits d, or until ctx ends (returning its error).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

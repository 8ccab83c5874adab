package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/releasekit/releasekit/internal/ratelimit"
)

func TestWait(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	var slept []time.Duration
	w := ratelimit.Waiter{Max: time.Minute, Now: func() time.Time { return now },
		Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }}
	ctx := context.Background()
	deadline, cancel := context.WithDeadline(ctx, now.Add(30*time.Second))
	defer cancel()
	for _, c := range []struct {
		name string
		ctx  context.Context
		d    time.Duration
		want bool
	}{
		{"within the maximum", ctx, 10 * time.Second, true},
		{"the maximum itself", ctx, time.Minute, true},
		{"over the maximum", ctx, time.Minute + time.Nanosecond, false},
		{"before the deadline", deadline, 29 * time.Second, true},
		{"ending at the deadline", deadline, 30 * time.Second, false},
		{"past the deadline", deadline, 40 * time.Second, false},
	} {
		slept = nil
		if got := w.Wait(c.ctx, c.d); got != c.want {
			t.Errorf("%s: Wait(%v) = %v, want %v", c.name, c.d, got, c.want)
		}
		if c.want != (len(slept) == 1) {
			t.Errorf("%s: slept %v", c.name, slept)
		}
	}
	if (ratelimit.Waiter{Now: time.Now}).Fits(ctx, time.Nanosecond) {
		t.Error("a zero maximum waits")
	}
}

func TestSleepEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ratelimit.Sleep(ctx, time.Hour); err != context.Canceled {
		t.Fatalf("Sleep on a cancelled context = %v", err)
	}
	w := ratelimit.New(time.Hour)
	if w.Wait(ctx, time.Millisecond) {
		t.Fatal("Wait on a cancelled context reported a whole wait")
	}
}

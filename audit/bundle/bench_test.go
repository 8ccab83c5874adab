package bundle_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit/bundle"
)

// deepEntries returns the files of the fixture's bundle with its first
// three log entries replaced by 60 KB documents nested depth deep (and the
// index rewritten to match): the issue's "bundle with three such log
// entries", which did not verify within a minute.
func deepEntries(t testing.TB, f *bundleFixture, depth int) *bundle.Bundle {
	t.Helper()
	files := bundleFiles(buildBundle(t, f))
	deep := []byte(`{"seq":1,"x":` + strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth) + "}")
	n := 0
	for _, name := range sortedNames(files) {
		if strings.HasPrefix(name, "log/entries/") && n < 3 {
			files[name] = deep
			n++
		}
	}
	require.Equal(t, 3, n, "the fixture has three log entries to replace")
	reindex(t, files)
	return fromFiles(t, files)
}

// TestVerifyDeepLogEntries counts the work of verifying a bundle whose log
// entries are nested 9,999 deep: they are refused (the log check fails)
// with no more allocations than entries nested 999 deep, since the depth
// pass stops at the limit whatever the depth.
func TestVerifyDeepLogEntries(t *testing.T) {
	ctx := context.Background()
	f := newBundleFixture(t)
	var allocs [2]float64
	for i, depth := range []int{999, 9999} {
		b := deepEntries(t, f, depth)
		_, err := bundle.Verify(ctx, b, f.keys)
		require.Error(t, err)
		require.ErrorIs(t, err, bundle.ErrLog)
		allocs[i] = testing.AllocsPerRun(3, func() { _, _ = bundle.Verify(ctx, b, f.keys) })
	}
	if allocs[1] > allocs[0]*1.01+16 {
		t.Errorf("Verify allocates %v times with entries 9,999 deep, %v with entries 999 deep: the work grows with the depth", allocs[1], allocs[0])
	}
}

// BenchmarkVerifyDeepLogEntries verifies a bundle with three log entries
// of 60 KB nested 9,999 deep (before the one-pass depth check: over a
// minute; the entries were walked with a Fold costing their depth).
func BenchmarkVerifyDeepLogEntries(b *testing.B) {
	ctx := context.Background()
	f := newBundleFixture(b)
	bun := deepEntries(b, f, 9999)
	for b.Loop() {
		_, _ = bundle.Verify(ctx, bun, f.keys)
	}
}

package commits_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

// rangeReads reads the range since..HEAD of g and returns the number of
// commits it yields and the objects the walk read for it.
func rangeReads(t testing.TB, g *gittest.Repo, since string) (n int, reads int64) {
	t.Helper()
	repo := g.GoGit(t)
	r, err := commits.ResolveRange(repo, since+"..HEAD")
	require.NoError(t, err)
	before := commits.ObjectReads()
	for _, err := range commits.Log(t.Context(), repo, r) {
		require.NoError(t, err)
		n++
	}
	return n, commits.ObjectReads() - before
}

// TestLogRangeWorkHistoryBehind: reading one release (`log A..B`) reads
// the commits of the range and a bounded number beyond its boundary,
// however long the history behind A is, with or without merges. It counts
// work (objects read: commits decoded and pack index entries sorted for
// read-ahead), never time. (On a small history read-ahead may start, which
// sorts the pack's entries: that cost is bounded by a share of the walk,
// see readAheadAmortize.)
func TestLogRangeWorkHistoryBehind(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 10,000- and 40,000-commit histories")
	}
	for _, merges := range []int{0, 10} {
		t.Run(fmt.Sprintf("merge-every=%d", merges), func(t *testing.T) {
			var got [2]int64
			for i, size := range []int{10000, 40000} {
				g := gittest.Synthetic(t, gittest.Spec{Commits: size, TagEvery: 50, MergeEvery: merges, Unreleased: 20, Seed: 7})
				since := g.Git("describe", "--tags", "--abbrev=0", "HEAD~800")
				n, reads := rangeReads(t, g, since)
				want := len(g.RevList(since + "..HEAD"))
				require.Equal(t, want, n)
				t.Logf("%d commits: range %s..HEAD has %d commits, %d objects read", size, since, n, reads)
				// The commits of the range, the few the walk takes from the
				// excluded side to prove it is done, and at most one
				// read-ahead window beyond the boundary.
				assert.LessOrEqual(t, reads, int64(n)+600)
				got[i] = reads
			}
			assert.LessOrEqual(t, got[1], got[0]+64, "work independent of the history behind the range")
		})
	}
}

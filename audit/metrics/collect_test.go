package metrics_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/metrics"
	"github.com/releasekit/releasekit/internal/testkit/audittest"
	"github.com/releasekit/releasekit/manifest"
)

// The fixture's history is January 2026; the period is its four ISO weeks
// [2026-01-05, 2026-02-02), W02 to W05, Monday to Monday.
var (
	janSince     = time.Date(2026, time.January, 5, 0, 0, 0, 0, time.UTC)
	janUntil     = time.Date(2026, time.February, 2, 0, 0, 0, 0, time.UTC)
	janGenerated = time.Date(2026, time.February, 2, 12, 0, 0, 0, time.UTC)
)

func TestCollect(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []audittest.Option
	}{{"DirStore", nil}, {"GitStore", []audittest.Option{audittest.WithGitStore()}}} {
		t.Run(tc.name, func(t *testing.T) {
			f := audittest.New(t, tc.opts...)
			h, err := metrics.Collect(t.Context(), f.Sources)
			require.NoError(t, err)

			assert.Equal(t, "prod", h.Production)
			assert.Equal(t, audit.Verified, h.Log.State, h.Log.Detail)
			assert.Empty(t, h.Gaps)
			var tags []string
			for _, r := range h.Releases {
				tags = append(tags, r.Tag)
				assert.Equal(t, audittest.Component, r.Component, r.Tag)
				require.NotNil(t, r.Record, r.Tag)
				for _, it := range []metrics.HealthItem{r.SignedTag, r.SBOM, r.Provenance, r.Complete} {
					assert.Equal(t, audit.Verified, it.State, "%s: %s", r.Tag, it.Detail)
				}
			}
			assert.Equal(t, []string{"v1.0.0", "v1.1.0", "v1.2.0", "v1.2.1", "v1.2.2", "v1.3.0"}, tags)

			// The first commit of each release's changes, by committer time:
			// v1.2.1 is the backport alone; v1.3.0 starts with the fix on
			// main (C5), which no earlier tag reaches.
			c := f.Commits
			first := map[string]string{}
			count := map[string]int{}
			for _, r := range h.Releases {
				first[r.Tag], count[r.Tag] = r.FirstCommit, r.Commits
			}
			assert.Equal(t, map[string]string{
				"v1.0.0": c.Cart, "v1.1.0": c.Checkout, "v1.2.0": c.Search,
				"v1.2.1": c.Backport, "v1.2.2": c.Hotfix, "v1.3.0": c.Fix,
			}, first)
			assert.Equal(t, map[string]int{"v1.0.0": 1, "v1.1.0": 2, "v1.2.0": 1, "v1.2.1": 1, "v1.2.2": 1, "v1.3.0": 3}, count)

			// Every promotion (6 releases × 3 environments, and the
			// rollback) was gated, and its report is in the store.
			assert.Len(t, h.Gates, 19)
			for _, g := range h.Gates {
				assert.Equal(t, audit.Verified, g.State.State, "seq %d: %s", g.Seq, g.State.Detail)
				assert.True(t, g.Allowed, "seq %d", g.Seq)
				assert.NotEmpty(t, g.Results)
			}
		})
	}
}

func TestCollectMetrics(t *testing.T) {
	f := audittest.New(t)
	h, err := metrics.Collect(t.Context(), f.Sources)
	require.NoError(t, err)
	incidents := []metrics.Incident{{ID: audittest.Incident, Release: "v1.2.1",
		Opened: time.Date(2026, time.January, 17, 0, 30, 0, 0, time.UTC), Resolved: time.Date(2026, time.January, 17, 2, 30, 0, 0, time.UTC)}}
	o := metrics.Compute(h, janSince, janUntil, nil).Overall

	// Production deployments: v1.0.0 01-05 13:00, v1.1.0 01-08 10:00,
	// v1.2.0 01-13 10:00, v1.2.1 01-14 11:00, v1.2.2 01-17 02:00, v1.3.0
	// 01-20 10:00: 6 in 28 days, 1.5 per week.
	assert.Equal(t, 6, o.Deployments.Count)
	assert.InDelta(t, 1.5, o.Deployments.PerWeek(), 1e-9)

	// Lead times (first commit, committer time → prod): v1.0.0 09:00 →
	// 13:00 = 4h; v1.1.0 01-06 10:00 → 01-08 10:00 = 48h; v1.2.0 01-12
	// 10:00 → 01-13 10:00 = 24h; v1.2.1 backport 01-14 09:30 → 11:00 =
	// 1h30m; v1.2.2 01-17 01:00 → 02:00 = 1h; v1.3.0 fix 01-14 09:00 →
	// 01-20 10:00 = 145h. Sorted 1, 1.5, 4, 24, 48, 145 (N=6): median rank
	// 3 → 4h, p90 rank 6 → 145h.
	assert.Equal(t, 4*time.Hour, o.LeadTime.Median)
	assert.Equal(t, 145*time.Hour, o.LeadTime.P90)

	// Failed: v1.2.0 (rolled back) and v1.2.1 (hotfix v1.2.2): 2 of 6.
	assert.Equal(t, [2]int{2, 6}, [2]int{o.ChangeFailure.Num, o.ChangeFailure.Den})
	// Restore: v1.2.0 10:00 → rollback 14:00 = 4h; v1.2.1 01-14 11:00 →
	// v1.2.2 01-17 02:00 = 63h. N=2: median 4h, p90 63h, mean 33h30m.
	assert.Equal(t, 4*time.Hour, o.Restore.Median)
	assert.Equal(t, 63*time.Hour, o.Restore.P90)
	assert.Equal(t, 33*time.Hour+30*time.Minute, o.Restore.Mean)
	// Two checks (build, unit) per release, all passed.
	assert.Equal(t, [2]int{12, 12}, [2]int{o.Checks.Num, o.Checks.Den})
	assert.False(t, o.DeployResults.Known(), "no deploy agent reported")
	assert.True(t, o.GateControls.Known())

	// With the incident's opening time, v1.2.1's restore runs from 00:30
	// to the hotfix at 02:00: 1h30m; median of 1h30m and 4h is 1h30m.
	o = metrics.Compute(h, janSince, janUntil, incidents).Overall
	assert.Equal(t, 90*time.Minute, o.Restore.Median)
	assert.Equal(t, 4*time.Hour, o.Restore.P90)
}

func TestCollectGaps(t *testing.T) {
	t.Run("no verifiers", func(t *testing.T) {
		f := audittest.New(t)
		src := f.Sources
		src.TagVerifier, src.ProvenanceVerifiers, src.Checkpoint, src.Evidence = nil, nil, nil, nil
		h, err := metrics.Collect(t.Context(), src)
		require.NoError(t, err)
		assert.Equal(t, audit.Recorded, h.Log.State)
		r := h.Releases[0]
		assert.Equal(t, audit.Recorded, r.SignedTag.State)
		assert.Equal(t, audit.Recorded, r.SBOM.State)
		assert.Equal(t, audit.Recorded, r.Provenance.State)
		assert.Equal(t, audit.Verified, r.Complete.State)
		rep := metrics.BuildReport(h, janSince, janUntil, nil, janGenerated)
		assert.NotEmpty(t, rep.Gaps, "unverified evidence is a gap, never a pass")
	})
	t.Run("evidence removed or changed", func(t *testing.T) {
		f := audittest.New(t)
		v100, _ := f.Release("v1.0.0")
		v110, _ := f.Release("v1.1.0")
		require.NoError(t, os.Remove(filepath.Join(f.EvidenceDir, filepath.FromSlash(v100.SBOM))))
		require.NoError(t, os.WriteFile(filepath.Join(f.EvidenceDir, filepath.FromSlash(v110.SBOM)), []byte("{}"), 0o644))
		h, err := metrics.Collect(t.Context(), f.Sources)
		require.NoError(t, err)
		assert.Equal(t, audit.Gap, h.Releases[0].SBOM.State)
		assert.Equal(t, audit.Failed, h.Releases[1].SBOM.State)
		assert.Contains(t, h.Releases[1].SBOM.Detail, "the record says")
	})
	t.Run("tampered log", func(t *testing.T) {
		f := audittest.New(t)
		require.NotEmpty(t, f.StoreDir)
		name := filepath.Join(f.StoreDir, "log", "00000000000000000002.json")
		data, err := os.ReadFile(name)
		require.NoError(t, err)
		e, err := manifest.ParseEntry(data)
		require.NoError(t, err)
		e.Promotion.Approver = "mallory@example.com"
		data, err = manifest.MarshalEntry(e)
		require.NoError(t, err)
		require.NoError(t, os.Chmod(name, 0o644))
		require.NoError(t, os.WriteFile(name, data, 0o644))
		h, err := metrics.Collect(t.Context(), f.Sources)
		require.NoError(t, err)
		assert.Equal(t, audit.Failed, h.Log.State)
		rep := metrics.BuildReport(h, janSince, janUntil, nil, janGenerated)
		assert.Equal(t, audit.Failed, rep.Log.State)
		require.NotEmpty(t, rep.Gaps)
		assert.Contains(t, rep.Gaps[0].What, "promotion log FAILED")
	})
	t.Run("no store", func(t *testing.T) {
		_, err := metrics.Collect(t.Context(), audit.Sources{})
		assert.ErrorIs(t, err, audit.ErrNoStore)
	})
}

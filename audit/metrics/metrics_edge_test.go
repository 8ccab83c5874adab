package metrics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit/metrics"
	"github.com/releasekit/releasekit/manifest"
)

// restoreOf returns the restore sample of release, failing without one.
func restoreOf(t *testing.T, f metrics.DurationFigure, release string) []metrics.Sample {
	t.Helper()
	var out []metrics.Sample
	for _, s := range f.Samples {
		if s.Release == release {
			out = append(out, s)
		}
	}
	return out
}

// A failed deployment is restored by the rollback that replaced it, not by
// a rollback of a later deployment of the same release.
func TestComputeRestoreNotByLaterRedeployment(t *testing.T) {
	var b historyBuilder
	b.h.Log = ok()
	b.promote("prod", "v1.0.0", "2026-11-03 10:00")                                                            // seq 1: d1
	b.promote("prod", "v1.1.0", "2026-11-04 10:00")                                                            // seq 2
	b.promote("prod", "v1.0.0", "2026-11-10 10:00")                                                            // seq 3: d3, a new deployment
	b.promote("prod", "v1.1.0", "2026-11-10 11:00", func(p *manifest.Promotion) { p.RollbackFrom = "v1.0.0" }) // seq 4: replaces d3
	incidents := []metrics.Incident{{ID: "INC1", Release: "v1.0.0", Opened: at("2026-11-03 12:00"), Resolved: at("2026-11-03 14:00")}}
	o := metrics.Compute(&b.h, novSince, novUntil, incidents).Overall

	// d1 failed (INC1), d3 failed (rolled back): 2 of 3.
	assert.Equal(t, 2, o.ChangeFailure.Num)
	assert.Equal(t, 3, o.ChangeFailure.Den)
	// d1: no promotion restored it; INC1 resolved 12:00 → 14:00 = 2h.
	// d3: 10:00 → rollback 11:00 = 1h.
	rs := restoreOf(t, o.Restore, "v1.0.0")
	require.Len(t, rs, 2)
	assert.Equal(t, hours(2), rs[0].Duration, "d1 was not restored by the rollback of d3: %+v", rs[0])
	assert.Equal(t, hours(1), rs[1].Duration)
}

// Two rollbacks in a row: v3 is rolled back to v2, then v2 to v1. The
// second rollback names v2, which no other release replaced: v2's
// deployment failed too.
func TestComputeTwoRollbacksInARow(t *testing.T) {
	var b historyBuilder
	b.h.Log = ok()
	b.promote("prod", "v1.0.0", "2026-11-03 10:00")                                                            // 1
	b.promote("prod", "v2.0.0", "2026-11-04 10:00")                                                            // 2
	b.promote("prod", "v3.0.0", "2026-11-05 10:00")                                                            // 3
	b.promote("prod", "v2.0.0", "2026-11-05 12:00", func(p *manifest.Promotion) { p.RollbackFrom = "v3.0.0" }) // 4
	b.promote("prod", "v1.0.0", "2026-11-05 13:00", func(p *manifest.Promotion) { p.RollbackFrom = "v2.0.0" }) // 5
	rep := metrics.BuildReport(&b.h, novSince, novUntil, nil, novGenerated)
	o := rep.Metrics.Overall

	assert.Equal(t, 3, o.ChangeFailure.Den)
	assert.Equal(t, 2, o.ChangeFailure.Num, "v3.0.0 and v2.0.0 were rolled back")
	// v3: 10:00 → 12:00 = 2h. v2 failed from when the rollback put it
	// back (12:00) to the rollback from it (13:00) = 1h.
	require.Len(t, o.Restore.Samples, 2)
	assert.Equal(t, hours(2), restoreOf(t, o.Restore, "v3.0.0")[0].Duration)
	if rs := restoreOf(t, o.Restore, "v2.0.0"); assert.Len(t, rs, 1) {
		assert.Equal(t, hours(1), rs[0].Duration)
		assert.Equal(t, []uint64{2, 4, 5}, rs[0].Seqs)
	}
	for _, g := range rep.Gaps {
		assert.NotContains(t, g.What, "no restoration", "%+v", g)
	}
}

// A release promoted to production again with the same artifact, after a
// while and with no other production promotion between, is a second
// deployment: only distinct artifacts of one release are one deployment.
func TestComputeSameArtifactPromotedTwice(t *testing.T) {
	var b historyBuilder
	b.h.Log = ok()
	same := func(p *manifest.Promotion) { p.Digest = "sha256:" + strings.Repeat("a", 64) }
	b.promote("prod", "v1.0.0", "2026-11-03 10:00", same)
	b.promote("prod", "v1.0.0", "2026-11-20 10:00", same)
	o := metrics.Compute(&b.h, novSince, novUntil, nil).Overall
	assert.Equal(t, 2, o.Deployments.Count)
	// Lead time is still for the first deployment alone.
	b.release("v1.0.0", "2026-11-03 08:00", nil, nil)
	o = metrics.Compute(&b.h, novSince, novUntil, nil).Overall
	require.Len(t, o.LeadTime.Samples, 1)
	assert.Equal(t, hours(2), o.LeadTime.Median)
}

// The mean of long durations does not overflow.
func TestComputeMeanNoOverflow(t *testing.T) {
	var b historyBuilder
	b.h.Log = ok()
	for i, tag := range []string{"v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0", "v1.4.0", "v1.5.0"} {
		when := at("2026-11-10 10:00").Add(time.Duration(i) * time.Hour)
		b.promote("prod", tag, when.Format("2006-01-02 15:04"))
		b.release(tag, "1970-01-01 00:00", nil, nil) // a bogus commit date: ~57 years
	}
	f := metrics.Compute(&b.h, novSince, novUntil, nil).Overall.LeadTime
	require.Len(t, f.Samples, 6)
	assert.Greater(t, f.Mean, 56*365*24*time.Hour)
	assert.LessOrEqual(t, f.Mean, f.Samples[5].Duration)
	assert.GreaterOrEqual(t, f.Mean, f.Samples[0].Duration)
}

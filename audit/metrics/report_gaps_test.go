package metrics_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/metrics"
	"github.com/releasekit/releasekit/manifest"
)

// A production rollback gated by a report that could not be read is a
// gap, as for any other promotion.
func TestBuildReportRollbackGateGap(t *testing.T) {
	var b historyBuilder
	b.h.Log = ok()
	b.promote("prod", "v1.0.0", "2026-11-03 10:00")
	b.promote("prod", "v1.1.0", "2026-11-04 10:00")
	rb := b.promote("prod", "v1.0.0", "2026-11-04 11:00", func(p *manifest.Promotion) { p.RollbackFrom = "v1.1.0"; p.Gate = "sha256:gate-rb" })
	b.h.Gates = []metrics.HistoryGate{{Seq: rb, Release: "v1.0.0", Env: "prod", Digest: "sha256:gate-rb",
		State: metrics.HealthItem{State: audit.Failed, Detail: "evidence edited"}}}
	rep := metrics.BuildReport(&b.h, novSince, novUntil, nil, novGenerated)
	var found bool
	for _, g := range rep.Gaps {
		if g.Seq == rb && strings.Contains(g.What, "evidence edited") {
			found = true
		}
	}
	assert.True(t, found, "the failed gate report of rollback seq %d is not a gap: %+v", rb, rep.Gaps)
}

// ISO weeks around week 53 and the turn of the year, with a period given
// in another time zone: weeks are UTC, Monday to Monday.
func TestBuildReportWeeksAroundWeek53(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	var b historyBuilder
	b.h.Log = ok()
	b.promote("prod", "v1.0.0", "2026-12-31 23:30")     // Thursday of 2026-W53
	b.promote("prod", "v1.1.0", "2027-01-04 00:00")     // Monday of 2027-W01
	since := time.Date(2026, 12, 28, 9, 0, 0, 0, tokyo) // 2026-12-28 00:00 UTC
	until := time.Date(2027, 1, 6, 9, 0, 0, 0, tokyo)   // 2027-01-06 00:00 UTC
	rep := metrics.BuildReport(&b.h, since, until, nil, novGenerated)
	require.Len(t, rep.Weeks, 2)
	assert.Equal(t, "2026-W53", rep.Weeks[0].Week)
	assert.False(t, rep.Weeks[0].Partial)
	assert.Equal(t, 1, rep.Weeks[0].Metrics.Deployments.Count)
	assert.Equal(t, "2027-W01", rep.Weeks[1].Week)
	assert.True(t, rep.Weeks[1].Partial)
	assert.Equal(t, 1, rep.Weeks[1].Metrics.Deployments.Count)
	assert.Equal(t, time.UTC, rep.Since.Location())
}

// A rollback from a release that was not running is not silently dropped.
func TestBuildReportUnplacedRollbackIsAGap(t *testing.T) {
	var b historyBuilder
	b.h.Log = ok()
	b.promote("prod", "v1.0.0", "2026-11-03 10:00")
	b.promote("prod", "v1.1.0", "2026-11-04 10:00")
	rb := b.promote("prod", "v1.0.0", "2026-11-04 11:00", func(p *manifest.Promotion) { p.RollbackFrom = "v9.9.9" })
	rep := metrics.BuildReport(&b.h, novSince, novUntil, nil, novGenerated)
	assert.Equal(t, 0, rep.Metrics.Overall.ChangeFailure.Num)
	var found bool
	for _, g := range rep.Gaps {
		found = found || (g.Seq == rb && strings.Contains(g.What, "rollback from v9.9.9 replaced no production deployment"))
	}
	assert.True(t, found, "%+v", rep.Gaps)
}

// A History whose log was not read, or did not verify, is never a report
// without gaps, and no release is not "complete evidence".
func TestBuildReportUnreadLogIsAGap(t *testing.T) {
	for _, h := range []*metrics.History{
		{},
		{Log: metrics.HealthItem{State: audit.Failed, Detail: "seq 3: hash mismatch"}},
	} {
		rep := metrics.BuildReport(h, novSince, novUntil, nil, novGenerated)
		require.NotEmpty(t, rep.Gaps, "log %q", h.Log.State)
		assert.Contains(t, rep.Gaps[0].What, "promotion log")
		var page bytes.Buffer
		require.NoError(t, rep.WriteHTML(&page))
		assert.False(t, strings.Contains(page.String(), `card good"><div class="name">Releases with complete evidence`), "0 of 0 shown as good")
		assert.False(t, strings.Contains(page.String(), "none found"))
	}
	// Collect's own gap for the log is not repeated.
	h := &metrics.History{Log: metrics.HealthItem{State: audit.Recorded, Detail: "hash chain only"}}
	h.Gaps = []metrics.HealthGap{{What: "promotion log unverified: hash chain only"}}
	assert.Len(t, metrics.BuildReport(h, novSince, novUntil, nil, novGenerated).Gaps, 1)
}

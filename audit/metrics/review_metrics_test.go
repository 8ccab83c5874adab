package metrics_test

import (
	"bytes"
	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/metrics"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
func TestMetricsReviewRestoreNotByLaterRedeployment(t *testing.T) {
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
func TestMetricsReviewTwoRollbacksInARow(t *testing.T) {
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
func TestMetricsReviewSameArtifactPromotedTwice(t *testing.T) {
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
func TestMetricsReviewMeanNoOverflow(t *testing.T) {
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

// A production rollback gated by a report that could not be read is a
// gap, as for any other promotion.
func TestMetricsReviewRollbackGateGap(t *testing.T) {
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

// reviewHostileReport is a report whose record text is very long, holds
// markup for every context and bidi controls.
func reviewHostileReport() *metrics.HealthReport {
	h := november()
	long := strings.Repeat("x", 400)
	for i := range h.Entries {
		p := h.Entries[i].Promotion
		if p == nil {
			continue
		}
		if p.RollbackFrom != "" {
			p.Reason = "\u202Eevil</style></svg></script><svg onload=alert(1)>" + long
			p.Approver = "a\" onmouseover=\"alert(1)" + long
		}
		if p.Emergency != nil {
			p.Emergency.Scope = long
			p.Emergency.ID = "EMG-" + long
		}
	}
	h.Releases[6].SBOM.Detail = "missing " + long + " \u202Egnissim"
	return metrics.BuildReport(h, novSince, novUntil, nil, novGenerated)
}

func TestMetricsReviewHostileReportInBrowser(t *testing.T) {
	var page bytes.Buffer
	require.NoError(t, reviewHostileReport().WriteHTML(&page))
	s := page.String()
	assert.NotContains(t, s, "<svg onload")
	assert.NotContains(t, s, `" onmouseover="`)
	problems, _ := browserCheck(t, page.Bytes(), t.TempDir())
	assert.Empty(t, problems)
}

// A record's bidi control cannot reorder the report's own text after it
// (a sample line's times and duration after an incident ID, say): it is
// shown, not obeyed.
func TestMetricsReviewBidiIsolated(t *testing.T) {
	var page, md bytes.Buffer
	rep := reviewHostileReport()
	require.NoError(t, rep.WriteHTML(&page))
	require.NoError(t, rep.WriteMarkdown(&md))
	for name, out := range map[string]string{"html": page.String(), "markdown": md.String()} {
		assert.False(t, strings.ContainsRune(out, '\u202E'), "%s: a record's RLO reorders the text after it", name)
		assert.True(t, strings.Contains(out, "(U+202E)"), "%s: the RLO is not shown", name)
	}
}

// A report with one week of all-zero data, and one with huge and negative
// durations, renders in the browser.
func TestMetricsReviewChartEdgesInBrowser(t *testing.T) {
	var b historyBuilder
	b.h.Log = ok()
	b.promote("prod", "v1.0.0", "2026-11-03 10:00")
	b.release("v1.0.0", "2026-11-03 12:00", nil, nil) // committed after it ran: negative lead time
	b.promote("prod", "v1.1.0", "2026-11-04 10:00")
	b.release("v1.1.0", "1970-01-01 00:00", nil, nil)
	for _, rep := range []*metrics.HealthReport{
		metrics.BuildReport(&b.h, at("2026-11-03 00:00"), at("2026-11-04 00:00"), nil, novGenerated),
		metrics.BuildReport(&b.h, at("2026-11-05 00:00"), at("2026-11-06 00:00"), nil, novGenerated),
		metrics.BuildReport(&b.h, novSince, novUntil, nil, novGenerated),
	} {
		var page bytes.Buffer
		require.NoError(t, rep.WriteHTML(&page))
		problems, _ := browserCheck(t, page.Bytes(), t.TempDir())
		assert.Empty(t, problems)
	}
}

// ISO weeks around week 53 and the turn of the year, with a period given
// in another time zone: weeks are UTC, Monday to Monday.
func TestMetricsReviewWeeksAroundWeek53(t *testing.T) {
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
func TestMetricsReviewUnplacedRollbackIsAGap(t *testing.T) {
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
func TestMetricsReviewUnreadLogIsAGap(t *testing.T) {
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

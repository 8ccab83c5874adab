package metrics_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/metrics"
	"github.com/releasekit/releasekit/internal/testkit/golden"
	"github.com/releasekit/releasekit/manifest"
)

var novGenerated = at("2026-12-01 06:00")

// novReport is the report of november() with its refused attempts and
// deployment outcomes (withAttempts), and a record text meant to break out
// of HTML and Markdown.
func novReport() *metrics.HealthReport {
	h := withAttempts(november())
	for i := range h.Entries {
		if p := h.Entries[i].Promotion; p != nil && p.RollbackFrom != "" {
			p.Reason = "error rate <script>alert(1)</script> | [x](http://evil.example)"
		}
	}
	return metrics.BuildReport(h, novSince, novUntil, nil, novGenerated)
}

func TestBuildReport(t *testing.T) {
	rep := novReport()

	// The trend: W45 to W48, Monday to Monday.
	require.Len(t, rep.Weeks, 4)
	type week struct {
		name      string
		deploys   int
		lead      string // median, "" for no data
		cfr       [2]int
		restore   string
		cfrKnown  bool
		leadKnown bool
	}
	want := []week{
		// W45: v1.0.0, api/v2.0.0; lead v1.0.0 96h; none failed.
		{"2026-W45", 2, "96h0m0s", [2]int{0, 2}, "", true, true},
		// W46: v1.1.0, v1.2.0, api/v2.0.1; leads 48h, 12h: median rank 1
		// → 12h; v1.2.0 failed, restored in 2h.
		{"2026-W46", 3, "12h0m0s", [2]int{1, 3}, "2h0m0s", true, true},
		// W47: v1.2.1, v1.2.2; leads 24h, 2h → 2h; v1.2.1 failed, 36h.
		{"2026-W47", 2, "2h0m0s", [2]int{1, 2}, "36h0m0s", true, true},
		// W48: v1.3.0, lead 96h.
		{"2026-W48", 1, "96h0m0s", [2]int{0, 1}, "", true, true},
	}
	for i, w := range want {
		got := rep.Weeks[i]
		assert.Equal(t, w.name, got.Week)
		assert.False(t, got.Partial)
		assert.Equal(t, w.deploys, got.Metrics.Deployments.Count, w.name)
		assert.Equal(t, w.lead, got.Metrics.LeadTime.Median.String(), w.name)
		assert.Equal(t, w.cfr, [2]int{got.Metrics.ChangeFailure.Num, got.Metrics.ChangeFailure.Den}, w.name)
		if w.restore == "" {
			assert.False(t, got.Metrics.Restore.Known(), w.name)
		} else {
			assert.Equal(t, w.restore, got.Metrics.Restore.Median.String(), w.name)
		}
	}

	var tags []string
	for _, r := range rep.Releases {
		tags = append(tags, r.Tag)
	}
	assert.Equal(t, []string{"v1.0.0", "api/v2.0.0", "v1.1.0", "v1.2.0", "api/v2.0.1", "v1.2.1", "v1.2.2", "v1.3.0"}, tags)
	byTag := map[string]metrics.HealthRelease{}
	for _, r := range rep.Releases {
		byTag[r.Tag] = r
	}
	assert.Equal(t, []uint64{6}, byTag["v1.1.0"].Seqs, "the rollback to v1.1.0 is not a deployment")
	assert.Equal(t, []uint64{13, 14}, byTag["v1.2.1"].Seqs)
	assert.True(t, byTag["v1.2.0"].Failed)
	assert.True(t, byTag["v1.2.1"].Failed)
	assert.Contains(t, byTag["v1.2.1"].Failure, "hotfix v1.2.2 for incident INC1")
	assert.False(t, byTag["v1.3.0"].Failed)
	assert.Equal(t, audit.Verified, byTag["v1.3.0"].Gate.State)
	assert.Equal(t, audit.Gap, byTag["v1.3.0"].SBOM.State)
	assert.Equal(t, audit.Gap, byTag["v1.1.0"].Gate.State, "no gate report logged")
	assert.Equal(t, audit.Gap, byTag["api/v2.0.1"].Approvals.State, "no reason")
	assert.Equal(t, audit.Verified, byTag["v1.2.2"].Approvals.State)
	assert.Contains(t, byTag["v1.2.2"].Approvals.Detail, "emergency change approved by dana@example.com")

	require.Len(t, rep.Emergencies, 1)
	assert.Equal(t, uint64(15), rep.Emergencies[0].Seq)
	assert.Equal(t, "EMG-7", rep.Emergencies[0].Change.ID)
	require.Len(t, rep.Exceptions, 1)
	assert.Equal(t, metrics.HealthException{Seq: 4, Release: "api/v2.0.0", Env: "prod", Control: "REL-TAG-001", Exception: "EXC-1", Gate: "sha256:gate-api"}, rep.Exceptions[0])
	require.Len(t, rep.Rollbacks, 1)
	assert.Equal(t, uint64(12), rep.Rollbacks[0].Seq)
	assert.Equal(t, "v1.2.0", rep.Rollbacks[0].From)
	assert.Equal(t, "v1.1.0", rep.Rollbacks[0].To)

	var gaps []string
	for _, g := range rep.Gaps {
		gaps = append(gaps, g.Release+": "+g.What)
	}
	assert.Contains(t, gaps, "v1.3.0: SBOM missing: the record names no SBOM")
	assert.Contains(t, gaps, "api/v2.0.1: Approvals missing: seq 11 has no approver or reason")
	assert.NotContains(t, strings.Join(gaps, "\n"), "v1.4.0", "outside the period")
}

// TestBuildReportAttempts: the report lists the refused attempts and the
// failed deployments of the period, each production release's changed
// files, and, as gaps, a production deployment started with no outcome
// and a changed-files manifest that is not in the store.
func TestBuildReportAttempts(t *testing.T) {
	rep := novReport()

	var refused []string
	for _, r := range rep.Refusals {
		refused = append(refused, fmt.Sprintf("%d %s %s %s %v", r.Seq, r.Action, r.Release, r.Env, r.Controls))
	}
	assert.Equal(t, []string{
		"18 promote v1.2.0 prod [REL-SOD-001]",
		"19 promote v1.2.2 prod [REL-WINDOW-001]",
		"20 rollback  prod []",
	}, refused)
	assert.True(t, rep.Refusals[1].Actor.Verified)
	assert.Equal(t, "https://ci.example.com", rep.Refusals[1].Actor.Issuer)

	require.Len(t, rep.FailedDeployments, 2)
	fd := rep.FailedDeployments[0]
	assert.Equal(t, metrics.HealthDeployment{Seq: 22, Release: "v1.2.1", Env: "prod", At: at("2026-11-17 10:06"),
		Targets: []string{"web-1", "web-2"}, Error: "web-2: readiness probe timed out", Branch: "main", Commit: "c0ffeev1.2.1",
		Actor: fd.Actor, Succeeded: 24}, fd)
	assert.Equal(t, uint64(0), rep.FailedDeployments[1].Succeeded, "the staging failure was never followed by a success")

	byTag := map[string]metrics.HealthRelease{}
	for _, r := range rep.Releases {
		byTag[r.Tag] = r
	}
	require.Len(t, byTag["v1.2.1"].Changes, 1, "named twice, listed once")
	c := byTag["v1.2.1"].Changes[0]
	assert.Equal(t, uint64(21), c.Seq)
	assert.Equal(t, "v1.1.0", c.From)
	assert.Equal(t, 3, c.Files)
	assert.True(t, c.State.OK())
	assert.Equal(t, audit.Gap, byTag["v1.3.0"].Changes[0].State.State)
	assert.Empty(t, byTag["v1.0.0"].Changes)

	var gaps []string
	for _, g := range rep.Gaps {
		gaps = append(gaps, fmt.Sprintf("%s %d: %s", g.Release, g.Seq, g.What))
	}
	assert.Contains(t, gaps, "v1.3.0 26: deployment to prod started with no outcome logged")
	assert.Contains(t, gaps, "v1.3.0 26: Changed files of the deployment to prod missing: manifest sha256:c130 is not in the store")
	for _, g := range gaps {
		assert.NotContains(t, g, "readiness probe", "the failure was followed by a success")
		assert.NotContains(t, g, "migration 42", "not production")
	}

	f := rep.Metrics.Overall.DeploymentOutcomes
	assert.Equal(t, [2]int{1, 4}, [2]int{f.Num, f.Den})
}

// A production deployment that failed, with no later successful deployment
// there, leaves what production runs unshown: a gap.
func TestBuildReportFailedDeploymentGap(t *testing.T) {
	var b historyBuilder
	b.h.Production, b.h.Log = "prod", ok()
	b.promote("prod", "v1.0.0", "2026-11-10 10:00")
	b.deploy("v1.0.0", "prod", manifest.ResultFailed, "image pull failed", "2026-11-10 10:05", nil)
	rep := metrics.BuildReport(&b.h, novSince, novUntil, nil, novGenerated)
	var gaps []string
	for _, g := range rep.Gaps {
		gaps = append(gaps, g.What)
	}
	assert.Contains(t, gaps, "deployment to prod failed (image pull failed) and no later deployment there succeeded: what it runs is not shown")

	// A rollback whose deployment succeeded shows what runs.
	b.promote("prod", "v0.9.0", "2026-11-10 11:00", func(p *manifest.Promotion) { p.RollbackFrom = "v1.0.0" })
	b.deploy("v0.9.0", "prod", manifest.ResultSucceeded, "", "2026-11-10 11:05", nil)
	rep = metrics.BuildReport(&b.h, novSince, novUntil, nil, novGenerated)
	for _, g := range rep.Gaps {
		assert.NotContains(t, g.What, "image pull failed")
	}
	require.Len(t, rep.FailedDeployments, 1)
	assert.Equal(t, uint64(0), rep.FailedDeployments[0].Succeeded, "v1.0.0 itself never succeeded")
}

func TestBuildReportGaps(t *testing.T) {
	h := november()
	// v1.2.2 responds to INC1 but no longer names what it repairs.
	delete(h.Releases[5].Record.Extra, audit.ExtraHotfixFor)
	rep := metrics.BuildReport(h, novSince, novUntil, []metrics.Incident{{ID: "INC10", Release: "v9.9.9"}, {ID: "INC11", Release: "v1.3.0"}}, novGenerated)
	var gaps []string
	for _, g := range rep.Gaps {
		gaps = append(gaps, metrics.HealthGap{Release: g.Release, Seq: g.Seq, What: g.What}.What)
	}
	all := strings.Join(gaps, "\n")
	assert.Contains(t, all, "responds to incident INC1 but names no failed release")
	assert.Contains(t, all, `incident INC10 names release "v9.9.9", which did not run in production before it opened`)
	assert.Contains(t, all, "failed deployment (incident INC11) with no restoration logged")
}

func TestHealthReportWriters(t *testing.T) {
	rep := novReport()
	var md, js, page bytes.Buffer
	require.NoError(t, rep.WriteMarkdown(&md))
	require.NoError(t, rep.WriteJSON(&js))
	require.NoError(t, rep.WriteHTML(&page))
	golden.Check(t, filepath.Join("testdata", "health_report.md"), md.Bytes())
	golden.Check(t, filepath.Join("testdata", "health_report.json"), js.Bytes())
	golden.Check(t, filepath.Join("testdata", "health_report.html"), page.Bytes())

	t.Run("markdown escapes records", func(t *testing.T) {
		s := md.String()
		assert.NotContains(t, s, "<script>")
		assert.Contains(t, s, `error rate \<script\>alert(1)\</script\> \| \[x\](http://evil.example)`)
		assert.Contains(t, s, "| Lead time for changes | 1d 0h | median; p90 4d 0h; 6 releases first deployed |")
		assert.Contains(t, s, "| Change failure rate | 25.0% | 2 of 8 production deployments |")
	})
	t.Run("html escapes records", func(t *testing.T) {
		s := page.String()
		assert.NotContains(t, s, "<script")
		assert.NotContains(t, s, "<b>now")
		assert.Contains(t, s, "error rate &lt;script&gt;alert(1)&lt;/script&gt;")
		assert.Contains(t, s, `<html lang="en">`)
		assert.Equal(t, 4, strings.Count(s, `role="img"`))
		for _, bad := range []string{"http://evil", "src=", "<link", "@import", "url("} {
			if bad == "http://evil" {
				assert.NotContains(t, s, `href="http://evil`)
				continue
			}
			assert.NotContains(t, s, bad, "no external asset")
		}
	})
	t.Run("json has no data as null", func(t *testing.T) {
		var v struct {
			Weeks []struct {
				Metrics struct {
					Restore struct {
						NoData bool     `json:"no_data"`
						Median *float64 `json:"median_seconds"`
					} `json:"restore"`
				} `json:"metrics"`
			} `json:"weeks"`
			Metrics struct {
				Overall struct {
					LeadTime struct {
						Median  *float64 `json:"median_seconds"`
						Samples []struct {
							Release string   `json:"release"`
							Seqs    []uint64 `json:"seqs"`
						} `json:"samples"`
					} `json:"lead_time"`
				} `json:"overall"`
			} `json:"metrics"`
		}
		require.NoError(t, json.Unmarshal(js.Bytes(), &v))
		assert.True(t, v.Weeks[0].Metrics.Restore.NoData)
		assert.Nil(t, v.Weeks[0].Metrics.Restore.Median)
		require.NotNil(t, v.Metrics.Overall.LeadTime.Median)
		assert.Equal(t, 24*3600.0, *v.Metrics.Overall.LeadTime.Median)
		assert.Equal(t, []uint64{3}, v.Metrics.Overall.LeadTime.Samples[0].Seqs)
	})
	t.Run("deterministic", func(t *testing.T) {
		for _, write := range []func(*metrics.HealthReport, *bytes.Buffer) error{
			func(r *metrics.HealthReport, b *bytes.Buffer) error { return r.WriteHTML(b) },
			func(r *metrics.HealthReport, b *bytes.Buffer) error { return r.WriteMarkdown(b) },
			func(r *metrics.HealthReport, b *bytes.Buffer) error { return r.WriteJSON(b) },
		} {
			var a, b bytes.Buffer
			require.NoError(t, write(novReport(), &a))
			require.NoError(t, write(novReport(), &b))
			assert.Equal(t, a.String(), b.String())
		}
	})
}

func TestBuildReportEmpty(t *testing.T) {
	rep := metrics.BuildReport(&metrics.History{}, novSince, novUntil, nil, novGenerated)
	var md bytes.Buffer
	require.NoError(t, rep.WriteMarkdown(&md))
	assert.Contains(t, md.String(), "| Lead time for changes | no data |")
	assert.Contains(t, md.String(), "| Deployment frequency | no data |")
	assert.Contains(t, md.String(), "No release was deployed to production in the period.")
	var page bytes.Buffer
	require.NoError(t, rep.WriteHTML(&page))
	assert.Contains(t, page.String(), `data-marks="0"`)
}

// A manifest promotion (a coordinated release) counts as a deployment with
// no record to show.
func TestBuildReportManifestPromotion(t *testing.T) {
	h := &metrics.History{Production: "prod", Log: ok(), Entries: []manifest.Entry{{Seq: 1, Kind: manifest.KindPromotion, Promotion: &manifest.Promotion{
		Release: "2026.11", Env: "prod", Digest: "sha256:" + strings.Repeat("a", 64), Approver: "carol", Reason: "CHG-9",
		PromotedAt: at("2026-11-10 10:00"), Manifest: &manifest.Manifest{Version: 1, Name: "2026.11"},
	}}}}
	rep := metrics.BuildReport(h, novSince, novUntil, nil, novGenerated)
	assert.Equal(t, 1, rep.Metrics.Overall.Deployments.Count)
	require.Len(t, rep.Releases, 1)
	assert.Equal(t, audit.Gap, rep.Releases[0].SBOM.State)
}

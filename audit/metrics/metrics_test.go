package metrics_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/metrics"
	"github.com/releasekit/releasekit/manifest"
)

// at parses a UTC time "2006-01-02 15:04".
func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// historyBuilder builds a History entry by entry, with Seq numbers in order.
type historyBuilder struct {
	h metrics.History
}

func (b *historyBuilder) promote(env, release, when string, mod ...func(*manifest.Promotion)) uint64 {
	p := &manifest.Promotion{
		Release: release, Env: env, Digest: fmt.Sprintf("sha256:%064d", len(b.h.Entries)+1),
		Approver: "carol@example.com", Reason: "CHG-1 approved",
		RequestedAt: at(when), PromotedAt: at(when),
	}
	for _, f := range mod {
		f(p)
	}
	seq := uint64(len(b.h.Entries) + 1)
	b.h.Entries = append(b.h.Entries, manifest.Entry{Seq: seq, Kind: manifest.KindPromotion, Promotion: p})
	return seq
}

func (b *historyBuilder) result(release, env, when string, ok bool) uint64 {
	seq := uint64(len(b.h.Entries) + 1)
	b.h.Entries = append(b.h.Entries, manifest.Entry{Seq: seq, Kind: manifest.KindDeployResult, Result: &manifest.DeployResult{
		Release: release, Env: env, Agent: "agent-1", Succeeded: ok, At: at(when),
	}})
	return seq
}

func (b *historyBuilder) release(tag, firstCommit string, checks map[string]bool, extra map[string]string) {
	r := metrics.HistoryRelease{Tag: tag, Component: "shop", Commits: 3,
		SignedTag: ok(), SBOM: ok(), Provenance: ok(), Complete: ok()}
	if firstCommit != "" {
		r.FirstCommit, r.FirstCommitAt = "c0ffee"+tag, at(firstCommit)
	}
	rec := manifest.Record{Version: 1, Tag: tag, Extra: manifest.Extras{audit.ExtraComponent: "shop"}}
	for _, name := range []string{"e2e", "lint", "unit"} { // sorted: deterministic
		if passed, found := checks[name]; found {
			rec.Checks = append(rec.Checks, manifest.CheckResult{Name: name, Passed: passed})
		}
	}
	for k, v := range extra {
		rec.Extra[k] = v
	}
	r.Record = &rec
	b.h.Releases = append(b.h.Releases, r)
}

func ok() metrics.HealthItem { return metrics.HealthItem{State: audit.Verified} }

// november builds the history the metric tests hand-compute against. The
// period is November 2026 as four ISO weeks: [2026-11-02, 2026-11-30),
// 28 days, Monday to Monday (W45 to W48).
//
//	seq  env      release      when              note
//	 1   prod     v0.9.0       10-20 10:00       before the period
//	 2   staging  v1.0.0       11-02 09:00
//	 3   prod     v1.0.0       11-03 10:00       lead 96h (first commit 10-30 10:00)
//	 4   prod     api/v2.0.0   11-05 10:00       component "api" (no record); gate: pass, pass, waived, n/a
//	 5   staging  v1.1.0       11-09 09:00
//	 6   prod     v1.1.0       11-10 10:00       lead 48h (11-08 10:00)
//	 7   result   v1.1.0 prod  11-10 10:05       succeeded
//	 8   staging  v1.2.0       11-11 09:00
//	 9   prod     v1.2.0       11-12 10:00       lead 12h (11-11 22:00)
//	10   result   v1.2.0 prod  11-12 10:05       failed
//	11   prod     api/v2.0.1   11-12 11:00       no reason given (an approval gap)
//	12   prod     v1.1.0       11-12 12:00       rollback from v1.2.0: v1.2.0 failed, restored in 2h
//	13   prod     v1.2.1       11-17 10:00       lead 24h (11-16 10:00)
//	14   prod     v1.2.1       11-17 10:01       second artifact: the same deployment
//	15   prod     v1.2.2       11-18 22:00       emergency; hotfix_for v1.2.1, incident INC1; lead 2h (11-18 20:00)
//	                                             v1.2.1 failed, restored 11-17 10:00 → 11-18 22:00 = 36h
//	16   prod     v1.3.0       11-24 10:00       lead 96h (11-20 10:00); gate: pass
//	17   prod     v1.4.0       12-01 10:00       after the period
func november() *metrics.History {
	var b historyBuilder
	b.h.Production = "prod"
	b.h.Log = ok()
	b.promote("prod", "v0.9.0", "2026-10-20 10:00")
	b.promote("staging", "v1.0.0", "2026-11-02 09:00")
	b.promote("prod", "v1.0.0", "2026-11-03 10:00")
	api := b.promote("prod", "api/v2.0.0", "2026-11-05 10:00", func(p *manifest.Promotion) { p.Gate = "sha256:gate-api" })
	b.promote("staging", "v1.1.0", "2026-11-09 09:00")
	b.promote("prod", "v1.1.0", "2026-11-10 10:00")
	b.result("v1.1.0", "prod", "2026-11-10 10:05", true)
	b.promote("staging", "v1.2.0", "2026-11-11 09:00")
	b.promote("prod", "v1.2.0", "2026-11-12 10:00")
	b.result("v1.2.0", "prod", "2026-11-12 10:05", false)
	b.promote("prod", "api/v2.0.1", "2026-11-12 11:00", func(p *manifest.Promotion) { p.Reason = "" })
	b.promote("prod", "v1.1.0", "2026-11-12 12:00", func(p *manifest.Promotion) { p.RollbackFrom = "v1.2.0"; p.Reason = "error rate" })
	b.promote("prod", "v1.2.1", "2026-11-17 10:00")
	b.promote("prod", "v1.2.1", "2026-11-17 10:01")
	b.promote("prod", "v1.2.2", "2026-11-18 22:00", func(p *manifest.Promotion) {
		p.Emergency = &manifest.EmergencyChange{ID: "EMG-7", Reason: "checkout down <b>now</b>", Scope: "checkout", Approver: "dana@example.com", RollbackPlan: "redeploy v1.2.1", FollowUp: "PIR-7"}
	})
	last := b.promote("prod", "v1.3.0", "2026-11-24 10:00", func(p *manifest.Promotion) { p.Gate = "sha256:gate-130" })
	b.promote("prod", "v1.4.0", "2026-12-01 10:00")

	b.release("v0.9.0", "2026-10-19 10:00", map[string]bool{"unit": false}, nil)
	b.release("v1.0.0", "2026-10-30 10:00", map[string]bool{"unit": true, "lint": true}, nil)
	b.release("v1.1.0", "2026-11-08 10:00", map[string]bool{"unit": true}, nil)
	b.release("v1.2.0", "2026-11-11 22:00", map[string]bool{"unit": true, "e2e": false}, nil)
	b.release("v1.2.1", "2026-11-16 10:00", map[string]bool{"unit": true}, nil)
	b.release("v1.2.2", "2026-11-18 20:00", nil, map[string]string{audit.ExtraHotfixFor: "v1.2.1", audit.ExtraIncident: "INC1"})
	b.release("v1.3.0", "2026-11-20 10:00", map[string]bool{"unit": true}, nil)
	b.release("v1.4.0", "2026-11-30 10:00", nil, nil)
	b.h.Releases = append(b.h.Releases, metrics.HistoryRelease{Tag: "api/v2.0.0", Component: "api"})
	b.h.Releases[6].SBOM = metrics.HealthItem{State: audit.Gap, Detail: "the record names no SBOM"} // v1.3.0

	b.h.Gates = []metrics.HistoryGate{
		{Seq: api, Release: "api/v2.0.0", Env: "prod", Digest: "sha256:gate-api", State: ok(), Allowed: true, Results: []metrics.GateResult{
			{Control: "REL-WINDOW-001", Status: "pass"}, {Control: "REL-SOD-001", Status: "pass"},
			{Control: "REL-TAG-001", Status: "waived", Waiver: "EXC-1"}, {Control: "REL-FLAG-001", Status: "not-applicable"},
		}},
		{Seq: last, Release: "v1.3.0", Env: "prod", Digest: "sha256:gate-130", State: ok(), Allowed: true, Results: []metrics.GateResult{
			{Control: "REL-WINDOW-001", Status: "pass"},
		}},
	}
	return &b.h
}

// deploy logs a deployment outcome.
func (b *historyBuilder) deploy(release, env, result, errText, when string, changes *manifest.ChangedFilesSummary) uint64 {
	seq := uint64(len(b.h.Entries) + 1)
	b.h.Entries = append(b.h.Entries, manifest.Entry{Seq: seq, Kind: manifest.KindDeployment, Deploy: &manifest.Deployment{
		Release: release, Env: env, Result: result, Error: errText, Targets: []string{"web-1", "web-2"},
		Branch: "main", Commit: "c0ffee" + release, Actor: &manifest.Actor{Name: "deploy-bot", Verified: true, Issuer: "https://ci.example.com", Subject: "shop:deploy"},
		Changes: changes, At: at(when),
	}})
	return seq
}

// deny logs a refused attempt.
func (b *historyBuilder) deny(action, release, env, when string, actor *manifest.Actor, refusal string, controls ...string) uint64 {
	seq := uint64(len(b.h.Entries) + 1)
	b.h.Entries = append(b.h.Entries, manifest.Entry{Seq: seq, Kind: manifest.KindDenied, Denial: &manifest.Denial{
		Action: action, Release: release, Env: env, Actor: actor, Approver: "carol@example.com", Refusal: refusal, Controls: controls, At: at(when),
	}})
	return seq
}

// withAttempts adds to november() the refused attempts and the deployment
// outcomes of the period, logged after seq 17 (a store's Append numbers
// what it is given in order; times are what the tests compute with):
//
//	seq  what                                    when
//	18   denied promote v1.2.0 prod (typed)      11-12 09:30   REL-SOD-001
//	19   denied promote v1.2.2 prod (verified)   11-18 21:30   REL-WINDOW-001
//	20   denied rollback prod, no control        11-20 09:00
//	21   started   v1.2.1 prod, changes c121     11-17 10:02
//	22   failed    v1.2.1 prod                   11-17 10:06   web-2: readiness probe timed out
//	23   started   v1.2.1 prod, changes c121     11-17 10:20
//	24   succeeded v1.2.1 prod                   11-17 10:25   (attempts 21+22 failed, 23+24 succeeded)
//	25   failed    api/v2.0.1 staging            11-12 10:30   no later success; not production
//	26   started   v1.3.0 prod, changes c130     11-24 10:02   no outcome logged
//	27   succeeded v1.4.0 prod                   12-01 10:05   after the period
//
// Deployment success rate: attempts 21-22 (failed), 23-24 (succeeded), 25
// (failed), 26 (no outcome): 1 of 4. Refused: prod 3 (REL-SOD-001 1,
// REL-WINDOW-001 1, none 1). The manifest c121 verified; c130 is not in
// the store.
func withAttempts(h *metrics.History) *metrics.History {
	b := historyBuilder{h: *h}
	b.deny("promote", "v1.2.0", "prod", "2026-11-12 09:30", &manifest.Actor{Name: "mallory@example.com"},
		"policy: promotion of v1.2.0 to prod denied: REL-SOD-001: the approver approved the pull request", "REL-SOD-001")
	b.deny("promote", "v1.2.2", "prod", "2026-11-18 21:30", &manifest.Actor{Name: "release-bot", Verified: true, Issuer: "https://ci.example.com", Subject: "shop:release"},
		"policy: promotion of v1.2.2 to prod denied: REL-WINDOW-001: outside the change window", "REL-WINDOW-001")
	b.deny("rollback", "", "prod", "2026-11-20 09:00", &manifest.Actor{Name: "dave@example.com"}, "manifest: dave@example.com may not roll back in prod")
	c121 := &manifest.ChangedFilesSummary{Digest: "sha256:c121", From: "v1.1.0", Files: 3, Added: 1, Modified: 2}
	c130 := &manifest.ChangedFilesSummary{Digest: "sha256:c130", From: "v1.2.2", Files: 2, Added: 1, Deleted: 1}
	s21 := b.deploy("v1.2.1", "prod", manifest.ResultStarted, "", "2026-11-17 10:02", c121)
	b.deploy("v1.2.1", "prod", manifest.ResultFailed, "web-2: readiness probe timed out", "2026-11-17 10:06", nil)
	s23 := b.deploy("v1.2.1", "prod", manifest.ResultStarted, "", "2026-11-17 10:20", c121)
	b.deploy("v1.2.1", "prod", manifest.ResultSucceeded, "", "2026-11-17 10:25", nil)
	b.deploy("api/v2.0.1", "staging", manifest.ResultFailed, "migration 42 failed", "2026-11-12 10:30", nil)
	s26 := b.deploy("v1.3.0", "prod", manifest.ResultStarted, "", "2026-11-24 10:02", c130)
	b.deploy("v1.4.0", "prod", manifest.ResultSucceeded, "", "2026-12-01 10:05", nil)
	b.h.Changes = []metrics.HistoryChanges{
		{Seq: s21, Release: "v1.2.1", Env: "prod", Digest: c121.Digest, State: metrics.HealthItem{State: audit.Verified, Detail: "manifest sha256:c121: 3 files from v1.1.0 to v1.2.1"}},
		{Seq: s23, Release: "v1.2.1", Env: "prod", Digest: c121.Digest, State: metrics.HealthItem{State: audit.Verified, Detail: "manifest sha256:c121: 3 files from v1.1.0 to v1.2.1"}},
		{Seq: s26, Release: "v1.3.0", Env: "prod", Digest: c130.Digest, State: metrics.HealthItem{State: audit.Gap, Detail: "manifest sha256:c130 is not in the store"}},
	}
	return &b.h
}

var (
	novSince = at("2026-11-02 00:00")
	novUntil = at("2026-11-30 00:00")
)

func hours(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }

func TestComputeOverall(t *testing.T) {
	m := metrics.Compute(november(), novSince, novUntil, nil)
	o := m.Overall

	// Lead times (h): v1.0.0 96, v1.1.0 48, v1.2.0 12, v1.2.1 24, v1.2.2 2,
	// v1.3.0 96; api has no commits. Sorted 2 12 24 48 96 96 (N=6):
	// median rank ceil(0.5×6)=3 → 24h; p90 rank ceil(0.9×6)=6 → 96h;
	// mean 278/6 h = 46h20m.
	require.True(t, o.LeadTime.Known())
	assert.Len(t, o.LeadTime.Samples, 6)
	assert.Equal(t, hours(24), o.LeadTime.Median)
	assert.Equal(t, hours(96), o.LeadTime.P90)
	assert.Equal(t, 46*time.Hour+20*time.Minute, o.LeadTime.Mean)
	assert.Equal(t, "v1.0.0", o.LeadTime.Samples[0].Release)
	assert.Equal(t, []uint64{3}, o.LeadTime.Samples[0].Seqs)
	assert.Equal(t, []string{"c0ffeev1.0.0"}, o.LeadTime.Samples[0].Refs)

	// Deployments: v1.0.0, api/v2.0.0, v1.1.0, v1.2.0, api/v2.0.1, v1.2.1
	// (seqs 13 and 14 are one), v1.2.2, v1.3.0 = 8 in 28 days: 2 per week,
	// 2/7 per day. The rollback (seq 12) is not a deployment.
	require.True(t, o.Deployments.Known())
	assert.Equal(t, 8, o.Deployments.Count)
	assert.InDelta(t, 28.0, o.Deployments.Days, 1e-9)
	assert.InDelta(t, 2.0, o.Deployments.PerWeek(), 1e-9)
	assert.InDelta(t, 2.0/7, o.Deployments.PerDay(), 1e-9)
	assert.Equal(t, []uint64{13, 14}, o.Deployments.Samples[5].Seqs)

	// Failed: v1.2.0 (rolled back, seq 12) and v1.2.1 (hotfix v1.2.2):
	// 2 of 8 = 25%.
	assert.Equal(t, 2, o.ChangeFailure.Num)
	assert.Equal(t, 8, o.ChangeFailure.Den)
	assert.InDelta(t, 25.0, o.ChangeFailure.Percent(), 1e-9)
	var failed []string
	for _, s := range o.ChangeFailure.Samples {
		if s.Hit {
			failed = append(failed, s.Release)
		}
	}
	assert.Equal(t, []string{"v1.2.0", "v1.2.1"}, failed)
	assert.Equal(t, []uint64{9, 12}, o.ChangeFailure.Samples[3].Seqs) // the deployment and its rollback
	assert.Equal(t, []string{"v1.2.2", "INC1"}, o.ChangeFailure.Samples[5].Refs)

	// Restore: v1.2.0 10:00 → rollback 12:00 = 2h; v1.2.1 11-17 10:00 →
	// v1.2.2 11-18 22:00 = 36h. N=2: median rank 1 → 2h, p90 rank
	// ceil(1.8)=2 → 36h, mean 19h.
	require.Len(t, o.Restore.Samples, 2)
	assert.Equal(t, hours(2), o.Restore.Median)
	assert.Equal(t, hours(36), o.Restore.P90)
	assert.Equal(t, hours(19), o.Restore.Mean)
	assert.Equal(t, []uint64{9, 12}, o.Restore.Samples[0].Seqs)
	assert.Equal(t, []uint64{13, 14, 15}, o.Restore.Samples[1].Seqs)

	// Checks of releases first promoted in the period (v1.0.0 to v1.3.0;
	// not v0.9.0 nor v1.4.0): lint+unit, unit, e2e(fail)+unit, unit,
	// none, unit = 2+1+2+1+0+1 = 7 checks, all but e2e passed: 6 of 7.
	assert.Equal(t, 6, o.Checks.Num)
	assert.Equal(t, 7, o.Checks.Den)

	// Deploy results: seq 7 succeeded, seq 10 failed: 1 of 2.
	assert.Equal(t, 1, o.DeployResults.Num)
	assert.Equal(t, 2, o.DeployResults.Den)
	assert.Equal(t, []uint64{10}, o.DeployResults.Samples[1].Seqs)

	// Gate controls: seq 4 pass, pass, waived (n/a not counted); seq 16
	// pass: 3 of 4.
	assert.Equal(t, 3, o.GateControls.Num)
	assert.Equal(t, 4, o.GateControls.Den)
}

func TestComputeAttempts(t *testing.T) {
	o := metrics.Compute(withAttempts(november()), novSince, novUntil, nil).Overall

	// Attempts: 21+22 failed, 23+24 succeeded, 25 failed, 26 started with
	// no outcome (not a success); 27 is after the period. 1 of 4.
	f := o.DeploymentOutcomes
	assert.Equal(t, [2]int{1, 4}, [2]int{f.Num, f.Den})
	var got []string
	for _, x := range f.Samples {
		got = append(got, fmt.Sprintf("%s %v %t %s", x.Release, x.Seqs, x.Hit, x.Note))
	}
	assert.Equal(t, []string{
		"v1.2.1 [21 22] false deployment to prod failed: web-2: readiness probe timed out (succeeded later, seq 24)",
		"v1.2.1 [23 24] true deployment to prod succeeded",
		"api/v2.0.1 [25] false deployment to staging failed: migration 42 failed",
		"v1.3.0 [26] false deployment to prod started, no outcome logged",
	}, got)
	assert.Equal(t, at("2026-11-17 10:02"), f.Samples[0].From, "an attempt is dated by its first entry")
	assert.Equal(t, []string{"web-1", "web-2"}, f.Samples[0].Refs)

	// Refused: three in prod, one naming no control.
	r := o.Refused
	require.True(t, r.Known())
	assert.Equal(t, 3, r.Count)
	assert.Equal(t, []metrics.EnvRefusals{{Env: "prod", Count: 3, Controls: []metrics.ControlCount{
		{Control: "REL-SOD-001", Count: 1}, {Control: "REL-WINDOW-001", Count: 1}, {Control: "", Count: 1},
	}}}, r.Envs)
	require.Len(t, r.Samples, 3)
	assert.Equal(t, []uint64{19}, r.Samples[1].Seqs)
	assert.Equal(t, "promote to prod refused, requested by release-bot (verified: https://ci.example.com, subject shop:release) by REL-WINDOW-001", r.Samples[1].Note)
	assert.Equal(t, "promote to prod refused, requested by mallory@example.com (typed, not verified) by REL-SOD-001", r.Samples[0].Note)

	// The earlier figures do not move.
	assert.Equal(t, 8, o.Deployments.Count)
	assert.Equal(t, [2]int{1, 2}, [2]int{o.DeployResults.Num, o.DeployResults.Den})

	// Per component: api has the staging failure, shop the rest and the
	// refusals of its releases; the rollback refusal names no release, so
	// only the overall figure counts it.
	m := metrics.Compute(withAttempts(november()), novSince, novUntil, nil)
	byName := map[string]metrics.ComponentSummary{}
	for _, c := range m.Components {
		byName[c.Component] = c
	}
	assert.Equal(t, 1, byName["api"].DeploymentOutcomes.Den)
	assert.Equal(t, 3, byName["shop"].DeploymentOutcomes.Den)
	assert.Equal(t, 2, byName["shop"].Refused.Count)
	assert.NotContains(t, byName, "")

	// A week without any: a real 0 refusals, no deployment outcome data.
	w := metrics.Compute(withAttempts(november()), at("2026-11-02 00:00"), at("2026-11-09 00:00"), nil).Overall
	assert.True(t, w.Refused.Known())
	assert.Equal(t, 0, w.Refused.Count)
	assert.False(t, w.DeploymentOutcomes.Known())
}

func TestComputeComponents(t *testing.T) {
	m := metrics.Compute(november(), novSince, novUntil, nil)
	require.Len(t, m.Components, 2)
	api, shop := m.Components[0], m.Components[1]
	assert.Equal(t, "api", api.Component)
	assert.Equal(t, "shop", shop.Component)

	// api: 2 deployments (0.5 per week), none failed: a real 0%; no
	// commits read, so no lead time; 2 of 3 gate controls.
	assert.Equal(t, 2, api.Deployments.Count)
	assert.InDelta(t, 0.5, api.Deployments.PerWeek(), 1e-9)
	assert.True(t, api.ChangeFailure.Known())
	assert.Equal(t, 0, api.ChangeFailure.Num)
	assert.False(t, api.LeadTime.Known(), "no data, not 0")
	assert.False(t, api.Restore.Known())
	assert.False(t, api.Checks.Known())
	assert.Equal(t, 2, api.GateControls.Num)
	assert.Equal(t, 3, api.GateControls.Den)

	// shop: 6 deployments (1.5 per week), 2 failed; lead as overall.
	assert.Equal(t, 6, shop.Deployments.Count)
	assert.InDelta(t, 1.5, shop.Deployments.PerWeek(), 1e-9)
	assert.Equal(t, 2, shop.ChangeFailure.Num)
	assert.Equal(t, 6, shop.ChangeFailure.Den)
	assert.Equal(t, hours(24), shop.LeadTime.Median)
	assert.Equal(t, 1, shop.GateControls.Num)
}

func TestComputeIncidents(t *testing.T) {
	incidents := []metrics.Incident{
		// INC1 was opened at 18:00 on v1.2.1: restore runs from then to the
		// hotfix at 22:00 = 4h.
		{ID: "INC1", Release: "v1.2.1", Opened: at("2026-11-18 18:00"), Resolved: at("2026-11-18 23:00")},
		// INC9 on v1.3.0: no restoring promotion, so to its resolution:
		// 08:00 → 09:30 = 1h30m.
		{ID: "INC9", Release: "v1.3.0", Opened: at("2026-11-25 08:00"), Resolved: at("2026-11-25 09:30")},
		// Opened before v9.9.9 ever ran: not placed (a gap in the report).
		{ID: "INC10", Release: "v9.9.9", Opened: at("2026-11-25 08:00")},
	}
	o := metrics.Compute(november(), novSince, novUntil, incidents).Overall

	// Failed: v1.2.0, v1.2.1, v1.3.0: 3 of 8.
	assert.Equal(t, 3, o.ChangeFailure.Num)
	assert.Equal(t, 8, o.ChangeFailure.Den)
	assert.Equal(t, []string{"INC9"}, o.ChangeFailure.Samples[7].Refs)

	// Restore: 2h, 4h, 1h30m. Sorted 1.5 2 4 (N=3): median rank
	// ceil(1.5)=2 → 2h; p90 rank ceil(2.7)=3 → 4h; mean 7.5/3 = 2h30m.
	require.Len(t, o.Restore.Samples, 3)
	assert.Equal(t, hours(2), o.Restore.Median)
	assert.Equal(t, hours(4), o.Restore.P90)
	assert.Equal(t, hours(2.5), o.Restore.Mean)
	assert.Equal(t, at("2026-11-18 18:00"), o.Restore.Samples[1].From)
	assert.Equal(t, at("2026-11-25 09:30"), o.Restore.Samples[2].To)
}

func TestComputeNoData(t *testing.T) {
	t.Run("period without deployments", func(t *testing.T) {
		o := metrics.Compute(november(), at("2027-01-04 00:00"), at("2027-01-11 00:00"), nil).Overall
		assert.True(t, o.Deployments.Known(), "the log shows none: a real 0")
		assert.Equal(t, 0, o.Deployments.Count)
		assert.False(t, o.LeadTime.Known())
		assert.False(t, o.ChangeFailure.Known())
		assert.False(t, o.Restore.Known())
		assert.False(t, o.Checks.Known())
		assert.False(t, o.DeployResults.Known())
		assert.False(t, o.GateControls.Known())
		assert.False(t, o.DeploymentOutcomes.Known())
		assert.True(t, o.Refused.Known(), "the log shows none: a real 0")
	})
	t.Run("empty history", func(t *testing.T) {
		o := metrics.Compute(&metrics.History{}, novSince, novUntil, nil).Overall
		assert.False(t, o.Deployments.Known(), "no log read: no data")
		assert.False(t, o.LeadTime.Known())
		assert.False(t, o.Refused.Known(), "no log read: no data")
	})
	t.Run("empty period", func(t *testing.T) {
		o := metrics.Compute(november(), novUntil, novSince, nil).Overall
		assert.False(t, o.Deployments.Known())
		assert.Equal(t, 0.0, o.Deployments.PerWeek())
	})
}

// TestNearestRank checks the median and p90 of lead times against the
// nearest-rank definition: rank ceil(P/100 × N) of the sorted samples.
func TestNearestRank(t *testing.T) {
	tests := []struct {
		leads       []float64 // hours, in deployment order
		median, p90 float64
		mean        float64
	}{
		{[]float64{5}, 5, 5, 5},                                  // N=1: rank 1 for both
		{[]float64{8, 2}, 2, 8, 5},                               // N=2: median rank 1 (lower middle), p90 rank ceil(1.8)=2
		{[]float64{3, 1, 2}, 2, 3, 2},                            // N=3: ranks 2 and ceil(2.7)=3
		{[]float64{4, 1, 3, 2}, 2, 4, 2.5},                       // N=4: ranks 2 and ceil(3.6)=4
		{[]float64{10, 20, 30, 40, 50}, 30, 50, 30},              // N=5: ranks ceil(2.5)=3 and ceil(4.5)=5
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5, 9, 5.5},    // N=10: ranks 5 and 9
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 6, 10, 6}, // N=11: ranks ceil(5.5)=6 and ceil(9.9)=10
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.leads), func(t *testing.T) {
			var b historyBuilder
			deploy := at("2026-11-10 00:00")
			for i, h := range tt.leads {
				tag := fmt.Sprintf("v1.%d.0", i)
				when := deploy.Add(time.Duration(i) * time.Hour)
				b.promote("prod", tag, when.Format("2006-01-02 15:04"))
				b.release(tag, when.Add(-hours(h)).Format("2006-01-02 15:04"), nil, nil)
			}
			f := metrics.Compute(&b.h, novSince, novUntil, nil).Overall.LeadTime
			assert.Equal(t, hours(tt.median), f.Median, "median")
			assert.Equal(t, hours(tt.p90), f.P90, "p90")
			assert.Equal(t, hours(tt.mean), f.Mean, "mean")
		})
	}
}

func TestComputeDeterministic(t *testing.T) {
	a := metrics.Compute(november(), novSince, novUntil, []metrics.Incident{{ID: "B", Release: "v1.3.0"}, {ID: "A", Release: "v1.3.0"}})
	b := metrics.Compute(november(), novSince, novUntil, []metrics.Incident{{ID: "A", Release: "v1.3.0"}, {ID: "B", Release: "v1.3.0"}})
	assert.Equal(t, a, b, "incident order must not matter")
}

// A release the History has no entry for takes the component of its tag.
func TestComputeTagComponents(t *testing.T) {
	var b historyBuilder
	for i, tag := range []string{"web-v1.0.0", "svc_v1.0.0", "api/v1.0.0", "v1.0.0", "release-1.0.0", "api/v1.1.0"} {
		b.promote("prod", tag, fmt.Sprintf("2026-11-1%d 10:00", i))
	}
	m := metrics.Compute(&b.h, novSince, novUntil, nil)
	got := map[string]int{}
	for _, c := range m.Components {
		got[c.Component] = c.Deployments.Count
	}
	assert.Equal(t, map[string]int{"": 2, "api": 2, "svc": 1, "web": 1}, got)
}

package policy_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/identity"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

var t0 = time.Date(2026, 3, 6, 22, 0, 0, 0, time.UTC) // a Friday night

func breakGlassRecord() *manifest.EmergencyChange {
	return &manifest.EmergencyChange{ID: "INC-7", Reason: "checkout down", Scope: "api", Approver: "oncall@example.com",
		RollbackPlan: "redeploy v1.4.1", FollowUp: "PIR-7", Expires: t0.Add(4 * time.Hour)}
}

func review(completed time.Time) manifest.Review {
	return manifest.Review{Emergency: "INC-7", Reviewer: "frank", CompletedAt: completed, Release: "v1.4.2",
		Commits: []string{strings.Repeat("c", 40)}, PRs: []string{"#12"}, Summary: "pool exhausted",
		AccessRevokedAt: t0.Add(3 * time.Hour), CredentialsRotatedAt: t0.Add(3 * time.Hour),
		Actions: []manifest.FollowUp{{Action: "alert on pool size", Ticket: "ABC-10", MapsTo: []string{"gate:prod-smoke"}}}}
}

func TestBreakGlass(t *testing.T) {
	ctl := policy.BreakGlass{Approvers: []string{"oncall@example.com", "olga"}, MaxDuration: 8 * time.Hour, ReviewWithin: 24 * time.Hour}
	deploy := func(em *manifest.EmergencyChange) *policy.Deployment {
		return &policy.Deployment{Environment: "production", At: t0, Approvers: []string{"carol"}, Releaser: "bot@example.com", Emergency: em}
	}
	logged := []manifest.Promotion{{Release: "v1.4.2", Env: "production", PromotedAt: t0, Approver: "carol", Emergency: breakGlassRecord()}}
	for _, c := range []struct {
		name   string
		ctl    policy.BreakGlass
		facts  policy.Facts
		want   policy.Status
		reason string
	}{
		{"no emergency", ctl, policy.Facts{Now: t0, Deployment: &policy.Deployment{Environment: "production", At: t0}}, policy.NotApplicable, "no emergency change"},
		{"separate, time-bounded", ctl, policy.Facts{Now: t0, Deployment: deploy(breakGlassRecord())}, policy.Pass, "separate approval"},
		{"promotion request", ctl, policy.Facts{Now: t0, Promotion: &manifest.Promotion{Release: "v1.4.2", Env: "production", Approver: "carol", RequestedAt: t0, Emergency: breakGlassRecord()}}, policy.Pass, ""},
		{"no approvers configured", policy.BreakGlass{}, policy.Facts{Now: t0, Deployment: deploy(breakGlassRecord())}, policy.Fail, "no emergency approvers"},
		{"approver off the path", ctl, policy.Facts{Now: t0, Deployment: deploy(func() *manifest.EmergencyChange {
			e := breakGlassRecord()
			e.Approver = "mallory"
			return e
		}())}, policy.Fail, "not on the emergency approval path"},
		{"approver is the deployment approver", ctl, policy.Facts{Now: t0, Deployment: &policy.Deployment{Environment: "production", At: t0,
			Approvers: []string{"oncall"}, Emergency: breakGlassRecord()}}, policy.Fail, "separate person"},
		{"approver is the releaser", ctl, policy.Facts{Now: t0, Deployment: &policy.Deployment{Environment: "production", At: t0,
			Approvers: []string{"carol"}, Releaser: "olga", Emergency: func() *manifest.EmergencyChange {
				e := breakGlassRecord()
				e.Approver = "olga"
				return e
			}()}}, policy.Fail, "separate person"},
		{"no id", ctl, policy.Facts{Now: t0, Deployment: deploy(func() *manifest.EmergencyChange {
			e := breakGlassRecord()
			e.ID = ""
			return e
		}())}, policy.Fail, "has no ID"},
		{"no expiry", ctl, policy.Facts{Now: t0, Deployment: deploy(func() *manifest.EmergencyChange {
			e := breakGlassRecord()
			e.Expires = time.Time{}
			return e
		}())}, policy.Fail, "no expiry"},
		{"expired", ctl, policy.Facts{Now: t0, Deployment: deploy(func() *manifest.EmergencyChange {
			e := breakGlassRecord()
			e.Expires = t0
			return e
		}())}, policy.Fail, "expired"},
		{"too long", ctl, policy.Facts{Now: t0, Deployment: deploy(func() *manifest.EmergencyChange {
			e := breakGlassRecord()
			e.Expires = t0.Add(9 * time.Hour)
			return e
		}())}, policy.Fail, "more than 8h0m0s"},
		{"review not yet due", ctl, policy.Facts{Now: t0.Add(10 * time.Hour), Promotions: logged}, policy.Pass, ""},
		{"review overdue", ctl, policy.Facts{Now: t0.Add(25 * time.Hour), Promotions: logged}, policy.Fail, "was due at 2026-03-07T22:00:00Z and is not logged"},
		{"review on time", ctl, policy.Facts{Now: t0.Add(72 * time.Hour), Promotions: logged, Reviews: []manifest.Review{review(t0.Add(20 * time.Hour))}}, policy.Pass, ""},
		{"review dated in the future", ctl, policy.Facts{Now: t0.Add(10 * time.Hour), Promotions: logged, Reviews: []manifest.Review{review(t0.Add(20 * time.Hour))}}, policy.Fail, "after the evaluation time"},
		{"review without evaluation time", ctl, policy.Facts{Promotions: logged, Reviews: []manifest.Review{review(t0.Add(20 * time.Hour))}}, policy.Fail, "missing evidence"},
		{"releaser of the promotion approves its emergency", ctl, policy.Facts{Now: t0, Promotion: &manifest.Promotion{Release: "v1.4.2", Env: "staging", Approver: "carol",
			Releaser: "olga", RequestedAt: t0, Emergency: func() *manifest.EmergencyChange {
				e := breakGlassRecord()
				e.Approver = "olga"
				return e
			}()}}, policy.Fail, "separate person"},
		{"actor of the promotion approves its emergency", ctl, policy.Facts{Now: t0, Promotion: &manifest.Promotion{Release: "v1.4.2", Env: "staging", Approver: "carol",
			Actor: &manifest.Actor{Name: "oncall@example.com"}, RequestedAt: t0, Emergency: breakGlassRecord()}}, policy.Fail, "separate person"},
		{"promotion released by another", ctl, policy.Facts{Now: t0, Promotion: &manifest.Promotion{Release: "v1.4.2", Env: "staging", Approver: "carol",
			Releaser: "bot@example.com", RequestedAt: t0, Emergency: breakGlassRecord()}}, policy.Pass, "separate approval"},
		{"review late", ctl, policy.Facts{Now: t0.Add(72 * time.Hour), Promotions: logged, Reviews: []manifest.Review{review(t0.Add(30 * time.Hour))}}, policy.Fail, "after its deadline"},
		{"review of another release", ctl, policy.Facts{Now: t0.Add(72 * time.Hour), Promotions: logged, Reviews: []manifest.Review{func() manifest.Review {
			r := review(t0.Add(20 * time.Hour))
			r.Release = "v1.4.1"
			return r
		}()}}, policy.Fail, "not logged"},
		{"review incomplete", ctl, policy.Facts{Now: t0.Add(72 * time.Hour), Promotions: logged, Reviews: []manifest.Review{func() manifest.Review {
			r := review(t0.Add(20 * time.Hour))
			r.CredentialsRotatedAt = time.Time{}
			return r
		}()}}, policy.Fail, "credentials_rotated_at"},
		{"no time to judge the deadline", ctl, policy.Facts{Promotions: logged}, policy.Fail, "missing evidence"},
		{"logged emergency without id", ctl, policy.Facts{Now: t0, Promotions: []manifest.Promotion{{Release: "v1.4.2", Env: "production", PromotedAt: t0,
			Emergency: &manifest.EmergencyChange{Reason: "r", Scope: "s", Approver: "oncall", RollbackPlan: "p", FollowUp: "f"}}}}, policy.Fail, "has no ID"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.ctl.Evaluate(context.Background(), c.facts)
			assert.Equal(t, c.want, r.Status, r.Reason)
			assert.Contains(t, r.Reason, c.reason)
		})
	}
}

// The approval path compares people, not strings: an alias of the
// deployment approver is the same person.
func TestBreakGlassPeople(t *testing.T) {
	people, err := identity.NewDirectory(map[string][]string{"carol": {"carol@example.com", "oncall@example.com"}})
	require.NoError(t, err)
	p := policy.Policy{Controls: []policy.Control{policy.BreakGlass{Approvers: []string{"oncall@example.com"}}}, People: people}
	f := policy.Facts{Now: t0, Deployment: &policy.Deployment{Environment: "production", At: t0, Approvers: []string{"carol"}, Emergency: breakGlassRecord()}}
	r := policy.Evaluate(context.Background(), p, f)
	require.Len(t, r.Results, 1)
	assert.Equal(t, policy.Fail, r.Results[0].Status, r.Results[0].Reason)
}

// The facts come from a real log: an emergency promotion, then its review,
// read back with manifest.Reviews.
func TestBreakGlassFromLog(t *testing.T) {
	ctx := context.Background()
	st, err := manifest.NewDirStore(t.TempDir())
	require.NoError(t, err)
	rec := completeRecord(t, "v1.4.2")
	require.NoError(t, st.PutRecord(ctx, rec))
	clock := func() time.Time { return t0 }
	// The first environment of the order: a production promotion needs
	// the tag and authorization evidence this test is not about.
	_, err = manifest.Promote(ctx, st, manifest.PromoteRequest{Release: "v1.4.2", Env: "canary", Digest: rec.Artifacts[0].Digest,
		Approver: "carol", Reason: "hotfix", Emergency: breakGlassRecord()}, manifest.WithClock(clock), manifest.WithOrder("canary", "production"))
	require.NoError(t, err)
	ctl := policy.BreakGlass{Approvers: []string{"oncall@example.com"}, ReviewWithin: 24 * time.Hour}
	facts := func() policy.Facts {
		entries, err := st.Entries(ctx)
		require.NoError(t, err)
		var proms []manifest.Promotion
		for _, e := range entries {
			if e.Promotion != nil {
				proms = append(proms, *e.Promotion)
			}
		}
		return policy.Facts{Now: t0.Add(48 * time.Hour), Promotions: proms, Reviews: manifest.Reviews(entries)}
	}
	r := ctl.Evaluate(ctx, facts())
	assert.Equal(t, policy.Fail, r.Status, "the review is overdue: %s", r.Reason)
	rv := review(t0.Add(20 * time.Hour))
	rv.Commits = []string{rec.Commit}
	_, err = manifest.RecordReview(ctx, st, rv)
	require.NoError(t, err)
	r = ctl.Evaluate(ctx, facts())
	assert.Equal(t, policy.Pass, r.Status, r.Reason)
}

func TestIncidentRecords(t *testing.T) {
	start := t0
	open := manifest.Incident{ID: "INC-7", Severity: manifest.SeverityCritical, Summary: "checkout down", Env: "production",
		ImpactStart: start, Release: "v1.4.1", Reporter: "erin"}
	closed := open
	closed.ImpactEnd, closed.Mechanism, closed.Approvers, closed.Emergency = start.Add(time.Hour), manifest.MechanismRedeploy, []string{"oncall"}, "INC-7"
	closed.Verification = []manifest.CheckResult{{Name: "smoke", Passed: true}}
	closed.FollowUps = []manifest.FollowUp{{Action: "timeout test", Ticket: "ABC-9", MapsTo: []string{"test:TestTimeout"}}}
	logged := []manifest.Promotion{{Release: "v1.4.0", Env: "production", Emergency: breakGlassRecord()}}
	broken := closed
	broken.Verification = []manifest.CheckResult{{Name: "smoke", Passed: false}}
	noSev := open
	noSev.Severity = ""
	otherEm := closed
	otherEm.Emergency = "INC-99"
	future := closed
	future.ImpactEnd = start.AddDate(10, 0, 0)
	now := start.Add(2 * time.Hour)
	for _, c := range []struct {
		name   string
		facts  policy.Facts
		want   policy.Status
		reason string
	}{
		{"none", policy.Facts{}, policy.NotApplicable, "no incident given"},
		{"open", policy.Facts{Now: now, Incidents: []manifest.Incident{open}}, policy.Pass, "1 open"},
		{"closed", policy.Facts{Now: now, Incidents: []manifest.Incident{closed}, Promotions: logged}, policy.Pass, "0 open"},
		{"no severity", policy.Facts{Now: now, Incidents: []manifest.Incident{noSev}}, policy.Fail, "severity: unknown severity"},
		{"recovery not verified", policy.Facts{Now: now, Incidents: []manifest.Incident{broken}, Promotions: logged}, policy.Fail, "verification[0]: failed"},
		{"emergency not in the log", policy.Facts{Now: now, Incidents: []manifest.Incident{otherEm}, Promotions: logged}, policy.Fail, "INC-99"},
		{"no log to link", policy.Facts{Now: now, Incidents: []manifest.Incident{closed}}, policy.Fail, "missing evidence"},
		{"closed in the future", policy.Facts{Now: now, Incidents: []manifest.Incident{future}, Promotions: logged}, policy.Fail, "impact_end 2036-03-06T22:00:00Z, after the evaluation time"},
		{"opened in the future", policy.Facts{Now: start.Add(-time.Minute), Incidents: []manifest.Incident{open}}, policy.Fail, "impact_start"},
		{"no evaluation time", policy.Facts{Incidents: []manifest.Incident{open}}, policy.Fail, "missing evidence"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := policy.IncidentRecords{}.Evaluate(context.Background(), c.facts)
			assert.Equal(t, c.want, r.Status, r.Reason)
			assert.Contains(t, r.Reason, c.reason)
			if c.want == policy.Fail && strings.Contains(c.reason, "missing") {
				assert.True(t, errors.Is(r.Err, policy.ErrMissingEvidence))
			}
		})
	}
}

func TestMainReleasable(t *testing.T) {
	head := strings.Repeat("d", 40)
	freeze := policy.Freeze{From: t0.Add(-24 * time.Hour), To: t0.Add(24 * time.Hour), Reason: "3.0 stabilisation", Approver: "carol",
		Scope: "feature merges to main", ExitCriteria: "3.0 shipped", Ticket: "FRZ-3"}
	ctl := policy.MainReleasable{Checks: []string{"build", "test"}}
	frozen := ctl
	frozen.Freezes = []policy.Freeze{freeze}
	green := &policy.MainLine{Branch: "main", Commit: head, Checks: []manifest.CheckResult{{Name: "build", Passed: true, Commit: head}, {Name: "test", Passed: true, Commit: head}}}
	red := &policy.MainLine{Branch: "main", Commit: head, Checks: []manifest.CheckResult{{Name: "build", Passed: true, Commit: head}, {Name: "test", Passed: false, Commit: head}}}
	partial := &policy.MainLine{Branch: "main", Commit: head, Checks: []manifest.CheckResult{{Name: "build", Passed: true, Commit: head}}}
	older := strings.Repeat("b", 40)
	stale := &policy.MainLine{Branch: "main", Commit: head, Checks: []manifest.CheckResult{{Name: "build", Passed: true, Commit: head}, {Name: "test", Passed: true, Commit: older}}}
	unnamed := &policy.MainLine{Branch: "main", Commit: head, Checks: []manifest.CheckResult{{Name: "build", Passed: true, Commit: head}, {Name: "test", Passed: true}}}
	rerun := &policy.MainLine{Branch: "main", Commit: head, Checks: []manifest.CheckResult{{Name: "build", Passed: true, Commit: head}, {Name: "test", Passed: true, Commit: head}, {Name: "test", Passed: false, Commit: head}}}
	critical := &policy.MainLine{Branch: "main", Commit: head, Checks: []manifest.CheckResult{{Name: "build", Passed: true, Commit: head}, {Name: "test", Passed: true, Commit: head, Findings: &manifest.Findings{Critical: 1}}}}
	unapproved := ctl
	unapproved.Freezes = []policy.Freeze{{From: freeze.From, To: freeze.To, Reason: "x"}}
	for _, c := range []struct {
		name   string
		ctl    policy.MainReleasable
		facts  policy.Facts
		want   policy.Status
		reason string
	}{
		{"green", ctl, policy.Facts{Now: t0, Main: green}, policy.Pass, "is releasable"},
		{"red", ctl, policy.Facts{Now: t0, Main: red}, policy.Fail, "test (failed)"},
		{"check not run", ctl, policy.Facts{Now: t0, Main: partial}, policy.Fail, "test (not run)"},
		{"check of another commit", ctl, policy.Facts{Now: t0, Main: stale}, policy.Fail, "test (ran on bbbbbbbbbbbb, not dddddddddddd)"},
		{"check without its commit", ctl, policy.Facts{Now: t0, Main: unnamed}, policy.Fail, "test (does not record the commit it ran on)"},
		{"failing re-run after a pass", ctl, policy.Facts{Now: t0, Main: rerun}, policy.Fail, "test (failed)"},
		{"critical finding", ctl, policy.Facts{Now: t0, Main: critical}, policy.Fail, "test (1 critical finding(s))"},
		{"red under a freeze", frozen, policy.Facts{Now: t0, Main: red}, policy.Pass, "frozen (feature merges to main"},
		{"red after the freeze", frozen, policy.Facts{Now: t0.Add(24 * time.Hour), Main: red}, policy.Fail, "not releasable"},
		{"unapproved freeze", unapproved, policy.Facts{Now: t0, Main: red}, policy.Fail, "lacks approver, scope, exit_criteria"},
		{"no facts", ctl, policy.Facts{Now: t0}, policy.Fail, "missing evidence"},
		{"another branch", ctl, policy.Facts{Now: t0, Main: &policy.MainLine{Branch: "develop", Commit: head}}, policy.Fail, "missing evidence"},
		{"short commit", ctl, policy.Facts{Now: t0, Main: &policy.MainLine{Branch: "main", Commit: "abc"}}, policy.Fail, "missing evidence"},
		{"no checks configured", policy.MainReleasable{}, policy.Facts{Now: t0, Main: green}, policy.Fail, "names no checks"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.ctl.Evaluate(context.Background(), c.facts)
			assert.Equal(t, c.want, r.Status, r.Reason)
			assert.Contains(t, r.Reason, c.reason)
		})
	}
	// REL-FREEZE-001 is not applicable to nothing: it always judges main.
	// Its not-applicable case is a policy that does not enable it.
	r := policy.Evaluate(context.Background(), policy.Default(), policy.Facts{Now: t0, Main: red})
	for _, res := range r.Results {
		assert.NotEqual(t, "REL-FREEZE-001", res.Control.ID)
	}
}

func TestReadConfigEmergencyControls(t *testing.T) {
	p, err := policy.ReadConfig(strings.NewReader(`controls:
  REL-BREAKGLASS-001: {approvers: [oncall@example.com], max_duration: 8h, review_within: 1d}
  REL-INCIDENT-001: {}
  REL-FREEZE-001:
    checks: [build, test]
    freezes:
      - {from: 2026-12-18T00:00:00Z, to: 2027-01-04T00:00:00Z, reason: year end, approver: carol, scope: feature merges, exit_criteria: 3.0 shipped, ticket: FRZ-3}
  REL-WINDOW-001:
    windows: [{days: [mon], start: "09:00", end: "16:00"}]
    freezes: [{from: 2026-12-18T00:00:00Z, to: 2027-01-04T00:00:00Z, reason: year end, approver: carol, scope: production deploys}]
`))
	require.NoError(t, err)
	require.Len(t, p.Controls, 4)
	assert.Equal(t, policy.BreakGlass{Approvers: []string{"oncall@example.com"}, MaxDuration: 8 * time.Hour, ReviewWithin: 24 * time.Hour}, p.Controls[0])
	assert.Equal(t, policy.IncidentRecords{}, p.Controls[1])
	mr := p.Controls[2].(policy.MainReleasable)
	assert.Equal(t, []string{"build", "test"}, mr.Checks)
	assert.Equal(t, "FRZ-3", mr.Freezes[0].Ticket)
	assert.Equal(t, "production deploys", p.Controls[3].(policy.ChangeWindow).Freezes[0].Scope)

	for _, c := range []struct {
		yaml string
		line int
		msg  string
	}{
		{"controls:\n  REL-BREAKGLASS-001: {}\n", 2, "approvers"},
		{"controls:\n  REL-BREAKGLASS-001:\n    approvers: [oncall]\n    review_within: soon\n", 4, "review_within"},
		{"controls:\n  REL-BREAKGLASS-001: {approvers: [\"dаna\"]}\n", 2, "approver"},
		{"controls:\n  REL-BREAKGLASS-001: {approvers: [x], extra: 1}\n", 2, "extra"},
		{"controls:\n  REL-INCIDENT-001: {close_within: 1d}\n", 2, "close_within"},
		{"controls:\n  REL-FREEZE-001: {}\n", 2, "checks"},
		{"controls:\n  REL-FREEZE-001:\n    checks: [build]\n    freezes:\n      - {from: 2026-12-18T00:00:00Z, to: 2027-01-04T00:00:00Z, reason: x}\n", 5, "lacks approver, scope, exit_criteria"},
	} {
		_, err := policy.ReadConfig(strings.NewReader(c.yaml))
		var ce *policy.ConfigError
		require.ErrorAs(t, err, &ce, c.yaml)
		assert.Equal(t, c.line, ce.Line, err.Error())
		assert.Contains(t, err.Error(), c.msg)
	}
}

package policy_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

func TestGoNoGoDecision(t *testing.T) {
	decided := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	promoted := decided.Add(2 * time.Hour)
	record := func(g *manifest.GoNoGo) *manifest.Record {
		return &manifest.Record{Version: manifest.RecordVersion, Tag: "v1.4.0", GoNoGo: g}
	}
	goDecision := func() *manifest.GoNoGo {
		return &manifest.GoNoGo{Decision: manifest.Go, Approver: "carol", Attendees: []string{"carol", "dave"}, Risks: []string{"cache warm-up slow"}, RollbackPlan: "redeploy v1.3.2", At: decided}
	}
	prod := &manifest.Promotion{Release: "v1.4.0", Env: "production", RequestedAt: promoted}
	pr := &policy.PullRequest{Number: 7, Author: "alice"}
	with := func(mod func(*manifest.GoNoGo)) *manifest.GoNoGo { g := goDecision(); mod(g); return g }

	tests := []struct {
		name     string
		c        policy.GoNoGoDecision
		f        policy.Facts
		want     policy.Status
		missing  bool
		contains string
	}{
		{"go before the promotion", policy.GoNoGoDecision{}, policy.Facts{Record: record(goDecision()), Promotion: prod, PullRequest: pr}, policy.Pass, false, "on a go decision by carol"},
		{"configured production environment", policy.GoNoGoDecision{Environments: []string{"prod-eu"}},
			policy.Facts{Record: record(goDecision()), Deployment: &policy.Deployment{Environment: "prod-eu", At: promoted}, PullRequest: pr}, policy.Pass, false, "go decision"},
		{"no decision", policy.GoNoGoDecision{}, policy.Facts{Record: record(nil), Promotion: prod, PullRequest: pr}, policy.Fail, false, "has no go/no-go decision"},
		{"no-go", policy.GoNoGoDecision{}, policy.Facts{Record: record(with(func(g *manifest.GoNoGo) { g.Decision = manifest.NoGo })), Promotion: prod, PullRequest: pr}, policy.Fail, false, `is "no-go" by carol`},
		{"incomplete", policy.GoNoGoDecision{}, policy.Facts{Record: record(with(func(g *manifest.GoNoGo) { g.Attendees, g.RollbackPlan = nil, "" })), Promotion: prod, PullRequest: pr}, policy.Fail, false, "go_no_go.attendees: missing"},
		{"author decides", policy.GoNoGoDecision{}, policy.Facts{Record: record(with(func(g *manifest.GoNoGo) { g.Approver = "alice@example.com" })), Promotion: prod, PullRequest: pr}, policy.Fail, false, "may be the author of pull request #7"},
		{"decided after the promotion", policy.GoNoGoDecision{}, policy.Facts{Record: record(with(func(g *manifest.GoNoGo) { g.At = promoted.Add(time.Minute) })), Promotion: prod, PullRequest: pr}, policy.Fail, false, "after the promotion"},
		{"no pull request", policy.GoNoGoDecision{}, policy.Facts{Record: record(goDecision()), Promotion: prod}, policy.Fail, true, "its author"},
		{"no promotion time", policy.GoNoGoDecision{}, policy.Facts{Record: record(goDecision()), Promotion: &manifest.Promotion{Env: "production"}, PullRequest: pr}, policy.Fail, true, "time of the production promotion"},
		{"staging", policy.GoNoGoDecision{}, policy.Facts{Record: record(nil), Promotion: &manifest.Promotion{Env: "staging", RequestedAt: promoted}}, policy.NotApplicable, false, "no production promotion"},
		{"emergency", policy.GoNoGoDecision{}, policy.Facts{Record: record(nil), Promotion: &manifest.Promotion{Env: "production", Emergency: &manifest.EmergencyChange{Reason: "outage"}}}, policy.NotApplicable, false, "emergency change"},
		{"no record", policy.GoNoGoDecision{}, policy.Facts{Promotion: prod}, policy.NotApplicable, false, "no release record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := eval(t, tt.c, tt.f)
			assert.Equal(t, tt.want, r.Status, r.Reason)
			assert.Equal(t, tt.missing, errors.Is(r.Err, policy.ErrMissingEvidence), r.Reason)
			assert.Contains(t, r.Reason, tt.contains)
		})
	}
}

func TestReadConfigGoNoGo(t *testing.T) {
	p, err := policy.ReadConfig(strings.NewReader("controls:\n  REL-GONOGO-001: {environments: [prod-eu]}\n"))
	require.NoError(t, err)
	assert.Equal(t, []policy.Control{policy.GoNoGoDecision{Environments: []string{"prod-eu"}}}, p.Controls)
	_, err = policy.ReadConfig(strings.NewReader("controls:\n  REL-GONOGO-001:\n    environments:\n      - ''\n"))
	var ce *policy.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 4, ce.Line)
	assert.Contains(t, err.Error(), "empty environment name")
}

package policy_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/identity"
	"github.com/releasekit/releasekit/policy"
)

func TestBypassRecords(t *testing.T) {
	quarantine := validBypass("integration", "branch:main")
	quarantine.ID, quarantine.Kind = "BYP-2", policy.BypassQuarantine
	change := func(fn func(*policy.Bypass)) policy.Bypass {
		b := validBypass("test", "environment:production")
		fn(&b)
		return b
	}
	tests := []struct {
		name     string
		c        policy.BypassRecords
		bs       []policy.Bypass
		now      time.Time
		want     policy.Status
		contains string
	}{
		{"valid bypass and quarantine", policy.BypassRecords{}, []policy.Bypass{validBypass("test", "environment:production"), quarantine}, at, policy.Pass, "2 bypass or quarantine record(s)"},
		{"expired", policy.BypassRecords{}, []policy.Bypass{validBypass("test", "environment:production")}, at.Add(8 * 24 * time.Hour), policy.Fail, "expired on"},
		{"beyond the default lifetime", policy.BypassRecords{}, []policy.Bypass{change(func(b *policy.Bypass) { b.Expires = at.Add(31 * 24 * time.Hour) })}, at, policy.Fail, "more than 30 days"},
		{"within a configured lifetime", policy.BypassRecords{MaxLifetime: 60 * 24 * time.Hour}, []policy.Bypass{change(func(b *policy.Bypass) { b.Expires = at.Add(31 * 24 * time.Hour) })}, at, policy.Pass, ""},
		{"no ticket", policy.BypassRecords{}, []policy.Bypass{change(func(b *policy.Bypass) { b.Ticket = " " })}, at, policy.Fail, "missing ticket"},
		{"no remediation plan or expiry", policy.BypassRecords{}, []policy.Bypass{change(func(b *policy.Bypass) { b.RemediationPlan, b.Expires = "", time.Time{} })}, at, policy.Fail, "missing remediation_plan, missing expires"},
		{"self-approved", policy.BypassRecords{}, []policy.Bypass{change(func(b *policy.Bypass) { b.Approver = "alice@example.com" })}, at, policy.Fail, "approved by its requester"},
		{"invisible approver", policy.BypassRecords{}, []policy.Bypass{change(func(b *policy.Bypass) { b.Approver = "car\u200bol" })}, at, policy.Fail, "not a valid identity"},
		{"quarantined security check", policy.BypassRecords{}, []policy.Bypass{change(func(b *policy.Bypass) { b.Kind, b.Check = policy.BypassQuarantine, "sast" })}, at, policy.Fail, "security check cannot be quarantined"},
		{"unknown kind and scope", policy.BypassRecords{}, []policy.Bypass{change(func(b *policy.Bypass) { b.Kind, b.Scope = "skip", "everywhere" })}, at, policy.Fail, `kind "skip"`},
		{"duplicate ID", policy.BypassRecords{}, []policy.Bypass{validBypass("test", "environment:production"), validBypass("lint", "branch:main")}, at, policy.Fail, "ID used by another record"},
		{"none", policy.BypassRecords{}, nil, at, policy.NotApplicable, "no gate bypass"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := eval(t, tt.c, policy.Facts{Now: tt.now, Bypasses: tt.bs})
			assert.Equal(t, tt.want, res.Status, res.Reason)
			assert.Contains(t, res.Reason, tt.contains)
			if tt.want != policy.NotApplicable {
				assert.Len(t, res.Evidence, len(tt.bs))
			}
		})
	}

	// Identities are compared through the policy's directory of people.
	people, err := identity.NewDirectory(map[string][]string{"alice": {"alice", "a.smith@corp.example"}})
	require.NoError(t, err)
	b := change(func(b *policy.Bypass) { b.Approver = "a.smith@corp.example" })
	r := policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{policy.BypassRecords{}}, People: people}, policy.Facts{Now: at, Bypasses: []policy.Bypass{b}})
	assert.Equal(t, policy.Fail, r.Results[0].Status)
	assert.Contains(t, r.Results[0].Reason, "approved by its requester")
}

func TestReadBypasses(t *testing.T) {
	bs, err := policy.ReadBypasses(strings.NewReader(`[{"id": "BYP-1", "kind": "bypass", "check": "sast", "scope": "release:v1.2.0", "ticket": "SEC-4",
	  "approver": "carol", "requester": "alice", "rationale": "false positive", "remediation_plan": "suppress upstream",
	  "expires": "2026-02-10T00:00:00Z", "security": true}]`))
	require.NoError(t, err)
	require.Len(t, bs, 1)
	assert.True(t, bs[0].Security)
	assert.Empty(t, bs[0].Problems(at))
	for _, bad := range []string{`null`, `{"id": "x"}`, `[{"id": "x", "ID": "y"}]`, `[{"id": "x", "owner": "y"}]`, `[{"expires": "soon"}]`, `[] 1`} {
		_, err := policy.ReadBypasses(strings.NewReader(bad))
		assert.Error(t, err, bad)
	}
}

// FuzzReadGateFacts: the readers of --checks, --bypasses and --protection
// never panic, and what they accept evaluates without a panic.
func FuzzReadGateFacts(f *testing.F) {
	for _, s := range []string{`[]`, `null`, `[{"name": "unit", "passed": true, "findings": {"critical": 1}}]`,
		`[{"id": "B", "kind": "quarantine", "check": "sast", "scope": "branch:main", "expires": "2026-02-02T00:00:00Z"}]`,
		`[{"branch": "main", "require_pull_request": true, "enforce_admins": true, "required_approving_review_count": 2, "require_code_owner_reviews": true, "dismiss_stale_reviews": true, "required_status_checks": [], "required_signatures": false, "allow_force_pushes": false, "allow_deletions": false}]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		facts := policy.Facts{Now: at, PullRequest: &policy.PullRequest{Number: 1, Author: "a", Base: "main", HeadSHA: strings.Repeat("a", 40)}}
		facts.Checks, _ = policy.ReadChecks(strings.NewReader(s))
		facts.Bypasses, _ = policy.ReadBypasses(strings.NewReader(s))
		facts.Protection, _ = policy.ReadBranchProtection(strings.NewReader(s))
		r := policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{policy.RequiredChecks{}, policy.BypassRecords{}, policy.ProtectedBranches{}}}, facts)
		for _, res := range r.Results {
			if res.Status == policy.Fail && res.Reason == "" {
				t.Fatalf("%s failed without a reason", res.Control.ID)
			}
		}
	})
}

package policy_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/policy"
)

func protected(branch string) policy.BranchProtection {
	return policy.BranchProtection{Branch: branch, RequirePullRequest: true, EnforceAdmins: true, RequiredApprovingReviewCount: 2,
		RequireCodeOwnerReviews: true, DismissStaleReviews: true, RequiredStatusChecks: []string{"ci / test", "ci / sast"}}
}

func TestProtectedBranches(t *testing.T) {
	all := []policy.BranchProtection{protected("main"), protected("release/*"), protected("hotfix/*")}
	change := func(i int, fn func(*policy.BranchProtection)) []policy.BranchProtection {
		ps := append([]policy.BranchProtection{}, all...)
		fn(&ps[i])
		return ps
	}
	branches := []string{"main", "release/1.2", "feature/ABC-1-x"}
	tests := []struct {
		name     string
		c        policy.ProtectedBranches
		ps       []policy.BranchProtection
		branches []string
		want     policy.Status
		missing  bool
		contains string
	}{
		{"protected", policy.ProtectedBranches{}, all, branches, policy.Pass, false, "4 protected branch(es)"},
		{"configured checks", policy.ProtectedBranches{RequiredChecks: []string{"ci / test"}}, all, branches, policy.Pass, false, ""},
		{"direct pushes", policy.ProtectedBranches{}, change(0, func(p *policy.BranchProtection) { p.RequirePullRequest = false }), branches, policy.Fail, false, "direct pushes allowed"},
		{"admins bypass", policy.ProtectedBranches{}, change(0, func(p *policy.BranchProtection) { p.EnforceAdmins = false }), branches, policy.Fail, false, "administrators may bypass"},
		{"force pushes", policy.ProtectedBranches{}, change(1, func(p *policy.BranchProtection) { p.AllowForcePushes = true }), branches, policy.Fail, false, "release/1.2 (rule release/*: force pushes allowed"},
		{"deletions", policy.ProtectedBranches{}, change(2, func(p *policy.BranchProtection) { p.AllowDeletions = true }), branches, policy.Fail, false, "may be deleted"},
		{"one approval", policy.ProtectedBranches{}, change(0, func(p *policy.BranchProtection) { p.RequiredApprovingReviewCount = 1 }), branches, policy.Fail, false, "requires 1 approval(s), want 2"},
		{"code owners replace the count", policy.ProtectedBranches{CodeOwnersReplaceCount: true}, change(0, func(p *policy.BranchProtection) { p.RequiredApprovingReviewCount = 1 }), branches, policy.Pass, false, ""},
		{"code owners not required", policy.ProtectedBranches{CodeOwnersReplaceCount: true}, change(0, func(p *policy.BranchProtection) {
			p.RequiredApprovingReviewCount, p.RequireCodeOwnerReviews = 1, false
		}), branches, policy.Fail, false, "want 2"},
		{"missing check", policy.ProtectedBranches{RequiredChecks: []string{"ci / test", "ci / secrets"}}, all, branches, policy.Fail, false, "does not require status check ci / secrets"},
		{"no checks", policy.ProtectedBranches{}, change(0, func(p *policy.BranchProtection) { p.RequiredStatusChecks = nil }), branches, policy.Fail, false, "requires no status check"},
		{"signed commits", policy.ProtectedBranches{RequireSignedCommits: true}, all, branches, policy.Fail, false, "signed commits not required"},
		{"release branch without a rule", policy.ProtectedBranches{}, all[:1], branches, policy.Fail, true, "release/1.2 (no protection snapshot"},
		{"main without a rule", policy.ProtectedBranches{}, all[1:], nil, policy.Fail, true, "main (no protection snapshot"},
		{"no snapshot", policy.ProtectedBranches{}, nil, branches, policy.Fail, true, "--protection"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := eval(t, tt.c, policy.Facts{Protection: tt.ps, Branches: tt.branches})
			assert.Equal(t, tt.want, res.Status, res.Reason)
			assert.Contains(t, res.Reason, tt.contains)
			assert.Equal(t, tt.missing, errors.Is(res.Err, policy.ErrMissingEvidence), res.Reason)
		})
	}
	// Branch protection always applies: no not-applicable case.
	assert.Equal(t, policy.Fail, eval(t, policy.ProtectedBranches{}, policy.Facts{}).Status)
}

// TestProtectedBranchesPatterns: each configured pattern is checked
// against the snapshot itself, whatever branches the clone has: a pattern
// no rule covers is missing evidence (§1.21.3.1).
func TestProtectedBranchesPatterns(t *testing.T) {
	main := protected("main")
	tests := []struct {
		name     string
		c        policy.ProtectedBranches
		ps       []policy.BranchProtection
		want     policy.Status
		contains string
	}{
		{"main only", policy.ProtectedBranches{}, []policy.BranchProtection{main}, policy.Fail,
			"2 protected branch(es) are not protected as required: release/* (no protection rule for the pattern"},
		{"a rule per pattern", policy.ProtectedBranches{}, []policy.BranchProtection{main, protected("release/*"), protected("hotfix/*")}, policy.Pass, "3 protected branch(es)"},
		{"a broader rule", policy.ProtectedBranches{}, []policy.BranchProtection{main, protected("*/*")}, policy.Pass, ""},
		{"a broader rule that allows force pushes", policy.ProtectedBranches{}, []policy.BranchProtection{main, func() policy.BranchProtection {
			p := protected("*/*")
			p.AllowForcePushes = true
			return p
		}()}, policy.Fail, "release/* (rule */*: force pushes allowed"},
		{"a rule of one release branch", policy.ProtectedBranches{}, []policy.BranchProtection{main, protected("release/1.2"), protected("hotfix/*")}, policy.Fail, "release/* (no protection rule"},
		{"a rule narrower than the pattern", policy.ProtectedBranches{}, []policy.BranchProtection{main, protected("release/?"), protected("hotfix/*")}, policy.Fail, "release/* (no protection rule"},
		{"a rule of another prefix", policy.ProtectedBranches{}, []policy.BranchProtection{main, protected("rel*"), protected("hotfix/*")}, policy.Fail, "release/* (no protection rule"},
		{"configured to main", policy.ProtectedBranches{Branches: []string{"main"}}, []policy.BranchProtection{main}, policy.Pass, "1 protected branch(es)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := eval(t, tt.c, policy.Facts{Protection: tt.ps})
			assert.Equal(t, tt.want, res.Status, res.Reason)
			assert.Contains(t, res.Reason, tt.contains)
			if strings.Contains(tt.contains, "no protection rule") {
				assert.ErrorIs(t, res.Err, policy.ErrMissingEvidence)
			}
		})
	}
}

func TestReadBranchProtection(t *testing.T) {
	const one = `{"branch": "main", "require_pull_request": true, "enforce_admins": true, "required_approving_review_count": 2,
	  "require_code_owner_reviews": true, "dismiss_stale_reviews": true, "required_status_checks": ["ci / test"],
	  "required_signatures": false, "allow_force_pushes": false, "allow_deletions": false}`
	ps, err := policy.ReadBranchProtection(strings.NewReader("[" + one + "]"))
	require.NoError(t, err)
	assert.Equal(t, []policy.BranchProtection{{Branch: "main", RequirePullRequest: true, EnforceAdmins: true, RequiredApprovingReviewCount: 2,
		RequireCodeOwnerReviews: true, DismissStaleReviews: true, RequiredStatusChecks: []string{"ci / test"}}}, ps)
	for _, bad := range []string{
		`null`,
		`[` + strings.Replace(one, `"allow_force_pushes": false, `, ``, 1) + `]`, // a left-out setting is not its safe value
		`[` + strings.Replace(one, `"allow_force_pushes": false`, `"allow_force_pushes": null`, 1) + `]`,
		`[` + strings.Replace(one, `"main"`, `""`, 1) + `]`,
		`[` + strings.Replace(one, `"main"`, `"release/["`, 1) + `]`,
		`[` + strings.Replace(one, `: 2,`, `: -1,`, 1) + `]`,
		`[` + one + `,` + one + `]`,
		`[` + strings.Replace(one, `"branch"`, `"branch": "x", "Branch"`, 1) + `]`,
		`[` + strings.Replace(one, `"branch"`, `"lock_branch": true, "branch"`, 1) + `]`,
	} {
		_, err := policy.ReadBranchProtection(strings.NewReader(bad))
		assert.Error(t, err, bad)
	}
}

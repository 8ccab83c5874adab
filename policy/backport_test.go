package policy_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/policy"
)

func TestBackportProvenance(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: base ABC-1")
	g.Branch("release/1.2", "")
	fix := g.CommitFiles("fix: timeout ABC-2", map[string]string{"a.txt": "fixed\n"})
	g.Checkout("release/1.2")
	g.CherryPick(fix)
	g.CommitFiles("fix: only here ABC-3", map[string]string{"b.txt": "direct\n"})
	main := g.RevList("main")
	picked := logRange(t, g, "main..release/1.2")[1:] // the cherry-pick only
	both := logRange(t, g, "main..release/1.2")

	pr := func(base string, labels ...string) *policy.PullRequest {
		return &policy.PullRequest{Number: 9, Author: "alice", Base: base, Labels: labels}
	}
	tests := []struct {
		name     string
		f        policy.Facts
		want     policy.Status
		missing  bool
		contains string
	}{
		{"labelled cherry-pick", policy.Facts{PullRequest: pr("release/1.2", "backport", "backport:1.2"), Commits: picked, MainCommits: main}, policy.Pass, false, "cherry-picked from main"},
		{"missing version label", policy.Facts{PullRequest: pr("release/1.2", "backport", "backport:1.3"), Commits: picked, MainCommits: main}, policy.Fail, false, "missing label backport:1.2"},
		{"commit not from main", policy.Facts{PullRequest: pr("release/1.2", "backport", "backport:1.2"), Commits: both, MainCommits: main}, policy.Fail, false, "no (cherry picked from commit …) trailer"},
		{"picked from a commit not on main", policy.Facts{PullRequest: pr("release/1.2", "backport", "backport:1.2"), Commits: picked, MainCommits: main[1:]}, policy.Fail, false, "not on main"},
		{"no commits", policy.Facts{PullRequest: pr("release/1.2", "backport", "backport:1.2"), MainCommits: main}, policy.Fail, true, "commits of backport"},
		{"no main", policy.Facts{PullRequest: pr("release/1.2", "backport", "backport:1.2"), Commits: picked}, policy.Fail, true, "main's commits"},
		{"into main", policy.Facts{PullRequest: pr("main"), Commits: both, MainCommits: main}, policy.NotApplicable, false, "not into a release branch"},
		{"no pull request", policy.Facts{Commits: both}, policy.NotApplicable, false, "no pull request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := eval(t, policy.BackportProvenance{}, tt.f)
			assert.Equal(t, tt.want, res.Status, res.Reason)
			assert.Contains(t, res.Reason, tt.contains)
			assert.Equal(t, tt.missing, errors.Is(res.Err, policy.ErrMissingEvidence), res.Reason)
		})
	}
}

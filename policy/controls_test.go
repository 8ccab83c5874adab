package policy_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/tagging"
)

func TestBranchNames(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: start ABC-1")
	g.Branch("feature/ABC-123-add-timeout", "")
	g.Branch("release/1.4", "")
	g.Branch("hotfix/1.4.2-ABC-987", "")
	pass := refNames(t, g)
	res := eval(t, policy.BranchNames{}, policy.Facts{Branches: pass})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)
	assert.Len(t, res.Evidence, 4)

	g.Branch("my-stuff", "")
	res = eval(t, policy.BranchNames{}, policy.Facts{Branches: refNames(t, g)})
	assert.Equal(t, policy.Fail, res.Status)
	assert.Contains(t, res.Reason, "my-stuff")

	res = eval(t, policy.BranchNames{Patterns: []string{`^main$`, `^my-`}}, policy.Facts{Branches: []string{"main", "my-stuff"}})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)

	res = eval(t, policy.BranchNames{Patterns: []string{`(`}}, policy.Facts{Branches: []string{"main"}})
	assert.Equal(t, policy.Fail, res.Status)
	assert.ErrorIs(t, res.Err, policy.ErrControlFailed)

	res = eval(t, policy.BranchNames{}, policy.Facts{})
	assert.Equal(t, policy.Fail, res.Status)
	assert.ErrorIs(t, res.Err, policy.ErrMissingEvidence)
}

// The bot's own release PR branch (releasepr.BranchPrefix + base, with
// "/<component>" for one component) passes the default patterns.
func TestBranchNamesReleasePR(t *testing.T) {
	for _, b := range []string{"releasekit/release/main", "releasekit/release/main/api", "releasekit/release/release/1.4", "releasekit/release/release/1.4/web-ui"} {
		res := eval(t, policy.BranchNames{}, policy.Facts{PullRequest: &policy.PullRequest{Number: 1, Head: b, Base: "main"}})
		assert.Equal(t, policy.Pass, res.Status, "%s: %s", b, res.Reason)
	}
	for _, b := range []string{"releasekit/release/", "releasekit/release/develop", "releasekit/release/main/", "releasekit/release/main/a/b", "releasekit/release/main/-x", "releasekit/other/main"} {
		res := eval(t, policy.BranchNames{}, policy.Facts{PullRequest: &policy.PullRequest{Number: 1, Head: b, Base: "main"}})
		assert.Equal(t, policy.Fail, res.Status, b)
	}
}

func refNames(t *testing.T, g *gittest.Repo) []string {
	t.Helper()
	return splitLines(g.Git("for-each-ref", "--format=%(refname:short)", "refs/heads/"))
}

func TestConventionalCommits(t *testing.T) {
	g := gittest.New(t)
	base := g.Commit("chore: init ABC-1")
	g.Commit("feat(api): add timeout\n\nRefs: ABC-2")
	g.Commit("fix: handle nil (ABC-3)")
	res := eval(t, policy.ConventionalCommits{}, policy.Facts{Commits: logRange(t, g, base+"..main")})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)
	assert.Len(t, res.Evidence, 2)

	bad1 := g.Commit("fix: no ticket here")
	bad2 := g.Commit("Update stuff ABC-4")
	res = eval(t, policy.ConventionalCommits{}, policy.Facts{Commits: logRange(t, g, base+"..main")})
	assert.Equal(t, policy.Fail, res.Status)
	assert.Contains(t, res.Reason, bad1[:12])
	assert.Contains(t, res.Reason, bad2[:12])
	assert.Contains(t, res.Reason, "2 commit(s)")

	res = eval(t, policy.ConventionalCommits{}, policy.Facts{})
	assert.ErrorIs(t, res.Err, policy.ErrMissingEvidence)
}

func TestLinearHistory(t *testing.T) {
	g := gittest.New(t)
	base := g.Commit("chore: init ABC-1")
	g.Branch("feature/ABC-2-x", "")
	g.Checkout("feature/ABC-2-x")
	g.Commit("feat: x ABC-2")
	g.Checkout("main")
	g.SquashMerge("feature/ABC-2-x", "feat: x (#2) ABC-2")
	res := eval(t, policy.LinearHistory{}, policy.Facts{Commits: logRange(t, g, base+"..main"), PullRequest: &policy.PullRequest{Number: 2, MergeMethod: "squash"}})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)

	g.Branch("feature/ABC-3-y", "")
	g.Checkout("feature/ABC-3-y")
	g.Commit("feat: y ABC-3")
	g.Checkout("main")
	g.Commit("fix: z ABC-4")
	merge := g.Merge("feature/ABC-3-y", "Merge pull request #3 from feature/ABC-3-y")
	res = eval(t, policy.LinearHistory{}, policy.Facts{Commits: logRange(t, g, base+"..main")})
	assert.Equal(t, policy.Fail, res.Status)
	assert.Equal(t, merge, res.Evidence[0].Value)

	res = eval(t, policy.LinearHistory{}, policy.Facts{Commits: logRange(t, g, merge+"..main"), PullRequest: &policy.PullRequest{Number: 9, MergeMethod: "merge"}})
	assert.Equal(t, policy.Fail, res.Status)
	assert.Contains(t, res.Reason, "merge_method")
}

func TestSeparationOfDuties(t *testing.T) {
	for _, tc := range []struct {
		name string
		pr   *policy.PullRequest
		want policy.Status
	}{
		{"independent", &policy.PullRequest{Number: 1, Author: "alice", Approvers: []string{"bob"}}, policy.Pass},
		{"self only", &policy.PullRequest{Number: 1, Author: "alice", Approvers: []string{"Alice"}}, policy.Fail},
		{"none", &policy.PullRequest{Number: 1, Author: "alice"}, policy.Fail},
		{"self and other", &policy.PullRequest{Number: 1, Author: "alice", Approvers: []string{"alice", "carol"}}, policy.Pass},
		{"no author", &policy.PullRequest{Number: 1, Approvers: []string{"bob"}}, policy.Fail},
		{"no pr", nil, policy.Fail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := eval(t, policy.SeparationOfDuties{}, policy.Facts{PullRequest: tc.pr})
			assert.Equal(t, tc.want, res.Status, res.Reason)
		})
	}
}

func TestSignedTag(t *testing.T) {
	g := gittest.New(t)
	c1 := g.Commit("feat: one ABC-1")
	c2 := g.Commit("fix: two ABC-2")
	signer, verifier := newKey(t, "ci@example.com")
	other, _ := newKey(t, "ci@example.com")
	ctl := policy.SignedTag{Identities: []string{"ci@example.com"}}

	tag := signTag(t, g, "v1.0.0", c1, signer, verifier)
	tag.Expected = c1
	res := eval(t, ctl, policy.Facts{Tag: tag})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)
	assert.Equal(t, c1, res.Evidence[1].Value)

	t.Run("moved", func(t *testing.T) {
		moved := *tag
		moved.Expected = c2
		res := eval(t, ctl, policy.Facts{Tag: &moved})
		assert.Equal(t, policy.Fail, res.Status)
		assert.Contains(t, res.Reason, "moved")
	})
	t.Run("identity not allowed", func(t *testing.T) {
		res := eval(t, policy.SignedTag{Identities: []string{"release@example.com"}}, policy.Facts{Tag: tag})
		assert.Equal(t, policy.Fail, res.Status)
		res = eval(t, policy.SignedTag{}, policy.Facts{Tag: tag})
		assert.Equal(t, policy.Fail, res.Status)
	})
	t.Run("lightweight", func(t *testing.T) {
		g.Tag("v1.0.1", c2)
		res := eval(t, ctl, policy.Facts{Tag: verifyTag(t, g, "v1.0.1", verifier)})
		assert.Equal(t, policy.Fail, res.Status)
		assert.Contains(t, res.Reason, "v1.0.1")
	})
	t.Run("annotated unsigned", func(t *testing.T) {
		g.AnnotatedTag("v1.0.2", c2, "Release v1.0.2")
		tag := verifyTag(t, g, "v1.0.2", verifier)
		require.ErrorIs(t, tag.Err, tagging.ErrUnsigned)
		assert.Equal(t, policy.Fail, eval(t, ctl, policy.Facts{Tag: tag}).Status)
	})
	t.Run("untrusted key", func(t *testing.T) {
		tag := signTag(t, g, "v1.0.3", c2, other, verifier)
		require.Error(t, tag.Err)
		assert.Equal(t, policy.Fail, eval(t, ctl, policy.Facts{Tag: tag}).Status)
	})
	t.Run("missing", func(t *testing.T) {
		res := eval(t, ctl, policy.Facts{})
		assert.ErrorIs(t, res.Err, policy.ErrMissingEvidence)
		res = eval(t, ctl, policy.Facts{Tag: &policy.Tag{Name: "v9"}})
		assert.True(t, errors.Is(res.Err, policy.ErrMissingEvidence))
	})
}

// hotfixRepo builds main with a production tag v1.4.1, later main work, and
// hotfix/1.4.2-ABC-987 cut from the tag with one fix.
func hotfixRepo(t *testing.T) (g *gittest.Repo, prod, fix string) {
	g = gittest.New(t)
	g.CommitFiles("feat: app ABC-1", map[string]string{"app.txt": "one\ntwo\nthree\n"})
	prod = g.Head()
	g.AnnotatedTag("v1.4.1", prod, "Release v1.4.1")
	g.CommitFiles("feat: more ABC-2", map[string]string{"other.txt": "x\n"})
	g.Branch("hotfix/1.4.2-ABC-987", "v1.4.1")
	g.Checkout("hotfix/1.4.2-ABC-987")
	fix = g.CommitFiles("fix: crash ABC-987", map[string]string{"app.txt": "one\nTWO\nthree\n"})
	g.Checkout("main")
	return g, prod, fix
}

func hotfixFacts(t *testing.T, g *gittest.Repo, prod string) *policy.Hotfix {
	h := &policy.Hotfix{Branch: "hotfix/1.4.2-ABC-987", ProductionTag: "v1.4.1", ProductionCommit: prod,
		ForkPoint: g.Git("merge-base", "main", "hotfix/1.4.2-ABC-987")[:40], PatchIDs: map[string]string{}}
	h.Commits = logRange(t, g, "v1.4.1..hotfix/1.4.2-ABC-987")
	h.Main = logRange(t, g, h.ForkPoint+"..main")
	patchIDs(t, g, h.PatchIDs, h.Commits)
	patchIDs(t, g, h.PatchIDs, h.Main)
	return h
}

func TestHotfixFromTag(t *testing.T) {
	g, prod, _ := hotfixRepo(t)
	res := eval(t, policy.HotfixFromTag{}, policy.Facts{Hotfix: hotfixFacts(t, g, prod)})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)

	g.Branch("hotfix/1.4.3-ABC-988", "main")
	h := &policy.Hotfix{Branch: "hotfix/1.4.3-ABC-988", ProductionTag: "v1.4.1", ProductionCommit: prod,
		ForkPoint: g.Git("merge-base", "main", "hotfix/1.4.3-ABC-988")[:40]}
	res = eval(t, policy.HotfixFromTag{}, policy.Facts{Hotfix: h})
	assert.Equal(t, policy.Fail, res.Status)
	assert.Contains(t, res.Reason, "git switch -c hotfix/1.4.3-ABC-988 v1.4.1")

	assert.Equal(t, policy.NotApplicable, eval(t, policy.HotfixFromTag{}, policy.Facts{}).Status)
}

func TestForwardPort(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		g, prod, fix := hotfixRepo(t)
		res := eval(t, policy.ForwardPort{}, policy.Facts{Hotfix: hotfixFacts(t, g, prod)})
		assert.Equal(t, policy.Fail, res.Status)
		assert.Contains(t, res.Reason, fix)
	})
	t.Run("cherry-pick", func(t *testing.T) {
		g, prod, fix := hotfixRepo(t)
		picked := g.CherryPick(fix)
		res := eval(t, policy.ForwardPort{}, policy.Facts{Hotfix: hotfixFacts(t, g, prod)})
		assert.Equal(t, policy.Pass, res.Status, res.Reason)
		assert.Equal(t, "cherry-picked as "+picked, res.Evidence[0].Note)
	})
	t.Run("same patch by hand", func(t *testing.T) {
		g, prod, fix := hotfixRepo(t)
		byHand := g.CommitFiles("fix: crash, on main too ABC-987", map[string]string{"app.txt": "one\nTWO\nthree\n"})
		h := hotfixFacts(t, g, prod)
		require.Equal(t, gitPatchID(t, g, fix), h.PatchIDs[fix])
		require.Equal(t, h.PatchIDs[fix], h.PatchIDs[byHand])
		res := eval(t, policy.ForwardPort{}, policy.Facts{Hotfix: h})
		assert.Equal(t, policy.Pass, res.Status, res.Reason)
		assert.Equal(t, "same patch as "+byHand, res.Evidence[0].Note)
	})
	t.Run("different patch", func(t *testing.T) {
		g, prod, _ := hotfixRepo(t)
		g.CommitFiles("fix: crash differently ABC-987", map[string]string{"app.txt": "one\nTwo\nthree\n"})
		res := eval(t, policy.ForwardPort{}, policy.Facts{Hotfix: hotfixFacts(t, g, prod)})
		assert.Equal(t, policy.Fail, res.Status)
	})
}

// Padding a name with white space does not make the author their own
// independent reviewer or production approver.
func TestSeparationOfDutiesWhitespace(t *testing.T) {
	for name, f := range map[string]policy.Facts{
		"pr approver":       {PullRequest: &policy.PullRequest{Number: 1, Author: "alice", Approvers: []string{" alice", "  "}}},
		"blank author":      {PullRequest: &policy.PullRequest{Number: 1, Author: "  ", Approvers: []string{"bob"}}},
		"prod approver":     {PullRequest: &policy.PullRequest{Number: 1, Author: "alice", Approvers: []string{"bob"}}, Deployment: &policy.Deployment{Environment: "production", Approvers: []string{"alice\t", " "}}},
		"releaser approves": {PullRequest: &policy.PullRequest{Number: 1, Author: "alice", Approvers: []string{"bob"}}, Deployment: &policy.Deployment{Environment: "production", Releaser: "rel", Approvers: []string{"REL ", "bob "}}},
	} {
		t.Run(name, func(t *testing.T) {
			res := policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{policy.SeparationOfDuties{}}}, f).Results[0]
			assert.Equal(t, policy.Fail, res.Status, res.Reason)
		})
	}
}

// With a pull request, the branch checked is its head branch as the forge
// reports it: a PR from my-quick-fix fails even when every local branch
// of the clone is well named.
func TestBranchNamesPullRequestHead(t *testing.T) {
	local := []string{"main", "feature/ABC-1-x"}
	res := eval(t, policy.BranchNames{}, policy.Facts{Branches: local, PullRequest: &policy.PullRequest{Number: 9, Head: "my-quick-fix", Base: "main"}})
	assert.Equal(t, policy.Fail, res.Status, res.Reason)
	assert.Equal(t, []policy.Evidence{{Kind: "branch", Value: "my-quick-fix", Note: "matches no approved pattern"}}, res.Evidence)
	res = eval(t, policy.BranchNames{}, policy.Facts{Branches: []string{"my-stuff"}, PullRequest: &policy.PullRequest{Number: 9, Head: "feature/ABC-2-invoice"}})
	assert.Equal(t, policy.Pass, res.Status, "the clone's local branches are not what is merged: %s", res.Reason)
	res = eval(t, policy.BranchNames{}, policy.Facts{Branches: local, PullRequest: &policy.PullRequest{Number: 9}})
	assert.Equal(t, policy.Fail, res.Status)
	assert.ErrorIs(t, res.Err, policy.ErrMissingEvidence)
}

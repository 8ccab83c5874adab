package policy_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/policy"
)

// releaseRepo has main with a fix landed after release/1.4 was cut at
// cutoff; the branch carries no commit yet.
func releaseRepo(t *testing.T) (g *gittest.Repo, cutoff, mainFix string) {
	g = gittest.New(t)
	g.CommitFiles("feat: app ABC-1", map[string]string{"app.txt": "one\ntwo\nthree\n"})
	cutoff = g.Head()
	g.Branch("release/1.4", cutoff)
	mainFix = g.CommitFiles("fix: crash ABC-7", map[string]string{"app.txt": "one\nTWO\nthree\n"})
	return g, cutoff, mainFix
}

// releaseFacts gathers the release-branch facts as relctl policy does.
func releaseFacts(t *testing.T, g *gittest.Repo, cutoff string) *policy.ReleaseBranch {
	t.Helper()
	fork := g.Git("merge-base", "main", "release/1.4")[:40]
	cut := logRange(t, g, cutoff)[0].Committer.When
	rb := &policy.ReleaseBranch{Name: "release/1.4", Cutoff: cut, CutoffCommit: cutoff, Captain: "carol", ForkPoint: fork, PatchIDs: map[string]string{}}
	rb.Commits = logRange(t, g, "main..release/1.4")
	rb.Main = logRange(t, g, fork+"..main")
	patchIDs(t, g, rb.PatchIDs, rb.Commits)
	patchIDs(t, g, rb.PatchIDs, rb.Main)
	return rb
}

func TestReleaseBranchFromMain(t *testing.T) {
	g, cutoff, _ := releaseRepo(t)
	res := eval(t, policy.ReleaseBranchFromMain{}, policy.Facts{ReleaseBranch: releaseFacts(t, g, cutoff)})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)
	assert.Contains(t, res.Reason, "captain carol")

	// Recorded at another commit than the branch left main.
	rb := releaseFacts(t, g, cutoff)
	rb.CutoffCommit = g.Head()
	res = eval(t, policy.ReleaseBranchFromMain{}, policy.Facts{ReleaseBranch: rb})
	assert.Equal(t, policy.Fail, res.Status)
	assert.Contains(t, res.Reason, "not from the recorded cutoff commit")

	// Cut from a feature branch: its commits predate the cutoff.
	g2 := gittest.New(t)
	base := g2.CommitFiles("feat: app ABC-1", map[string]string{"app.txt": "a\n"})
	g2.Branch("feature/ABC-2-x", base)
	g2.Checkout("feature/ABC-2-x")
	g2.CommitFiles("feat: unreviewed ABC-2", map[string]string{"x.txt": "x\n"})
	g2.Checkout("main")
	cut2 := g2.CommitFiles("chore: cutoff ABC-3", map[string]string{"app.txt": "b\n"})
	g2.Branch("release/1.4", "feature/ABC-2-x")
	rb = releaseFacts(t, g2, cut2)
	rb.CutoffCommit = rb.ForkPoint
	res = eval(t, policy.ReleaseBranchFromMain{}, policy.Facts{ReleaseBranch: rb})
	assert.Equal(t, policy.Fail, res.Status, res.Reason)
	assert.Contains(t, res.Reason, "predate its cutoff")

	rb = releaseFacts(t, g, cutoff)
	rb.Captain, rb.ForkPoint = "", ""
	res = eval(t, policy.ReleaseBranchFromMain{}, policy.Facts{ReleaseBranch: rb})
	assert.True(t, errors.Is(res.Err, policy.ErrMissingEvidence))
	assert.Contains(t, res.Reason, "fork point of release/1.4 from main (git merge-base), the recorded Release Captain")

	assert.Equal(t, policy.NotApplicable, eval(t, policy.ReleaseBranchFromMain{}, policy.Facts{}).Status)
}

func TestReleaseFixesOnMain(t *testing.T) {
	onBranch := func(g *gittest.Repo, fn func()) {
		g.Checkout("release/1.4")
		fn()
		g.Checkout("main")
	}
	t.Run("cherry-picked from main", func(t *testing.T) {
		g, cutoff, fix := releaseRepo(t)
		var picked string
		onBranch(g, func() { picked = g.CherryPick(fix) })
		res := eval(t, policy.ReleaseFixesOnMain{}, policy.Facts{ReleaseBranch: releaseFacts(t, g, cutoff)})
		assert.Equal(t, policy.Pass, res.Status, res.Reason)
		assert.Equal(t, policy.Evidence{Kind: "commit", Value: picked, Note: "cherry-picked from " + fix[:12] + " on main"}, res.Evidence[0])
	})
	t.Run("same patch without the trailer", func(t *testing.T) {
		g, cutoff, _ := releaseRepo(t)
		onBranch(g, func() { g.CommitFiles("fix: crash ABC-7", map[string]string{"app.txt": "one\nTWO\nthree\n"}) })
		res := eval(t, policy.ReleaseFixesOnMain{}, policy.Facts{ReleaseBranch: releaseFacts(t, g, cutoff)})
		assert.Equal(t, policy.Pass, res.Status, res.Reason)
		assert.Contains(t, res.Evidence[0].Note, "same patch as")
	})
	t.Run("fix on the branch only", func(t *testing.T) {
		g, cutoff, _ := releaseRepo(t)
		var only string
		onBranch(g, func() { only = g.CommitFiles("fix: branch only ABC-8", map[string]string{"other.txt": "branch\n"}) })
		rb := releaseFacts(t, g, cutoff)
		res := eval(t, policy.ReleaseFixesOnMain{}, policy.Facts{ReleaseBranch: rb})
		assert.Equal(t, policy.Fail, res.Status)
		assert.Contains(t, res.Reason, only+" (no counterpart on main: fix: branch only ABC-8)")

		// Forward-ported the same day with cherry-pick -x: it passes.
		ported := g.CherryPick(only)
		res = eval(t, policy.ReleaseFixesOnMain{}, policy.Facts{ReleaseBranch: releaseFacts(t, g, cutoff)})
		assert.Equal(t, policy.Pass, res.Status, res.Reason)
		assert.Contains(t, res.Evidence[0].Note, "forward-ported to main as "+ported[:12])
	})
	t.Run("approved release-branch-only change", func(t *testing.T) {
		g, cutoff, _ := releaseRepo(t)
		var bump string
		onBranch(g, func() { bump = g.CommitFiles("chore: version 1.4.1 ABC-9", map[string]string{"VERSION": "1.4.1\n"}) })
		rb := releaseFacts(t, g, cutoff)
		author := logRange(t, g, bump)[0].Author.Email
		rb.Exceptions = []policy.BranchException{{Commit: bump, Reason: "version metadata", Approver: "release-manager@corp.test", Ticket: "REL-12"}}
		res := eval(t, policy.ReleaseFixesOnMain{}, policy.Facts{ReleaseBranch: rb})
		assert.Equal(t, policy.Pass, res.Status, res.Reason)
		rb.Exceptions[0].Approver = author
		res = eval(t, policy.ReleaseFixesOnMain{}, policy.Facts{ReleaseBranch: rb})
		assert.Equal(t, policy.Fail, res.Status)
		assert.Contains(t, res.Reason, "approved by the commit's author")
	})
	t.Run("missing and not applicable", func(t *testing.T) {
		res := eval(t, policy.ReleaseFixesOnMain{}, policy.Facts{ReleaseBranch: &policy.ReleaseBranch{Name: "release/1.4"}})
		assert.True(t, errors.Is(res.Err, policy.ErrMissingEvidence), res.Reason)
		assert.Equal(t, policy.NotApplicable, eval(t, policy.ReleaseFixesOnMain{}, policy.Facts{}).Status)
	})
}

func TestReadBranchExceptions(t *testing.T) {
	es, err := policy.ReadBranchExceptions(strings.NewReader(`[{"commit": "4f2a", "reason": "version bump", "approver": "carol", "ticket": "REL-12"}]`))
	require.NoError(t, err)
	assert.Equal(t, []policy.BranchException{{Commit: "4f2a", Reason: "version bump", Approver: "carol", Ticket: "REL-12"}}, es)
	_, err = policy.ReadBranchExceptions(strings.NewReader(`[{"commit": "4f2a", "reason": "version bump", "approver": "carol"}]`))
	assert.ErrorContains(t, err, "[0]: missing ticket")
	_, err = policy.ReadBranchExceptions(strings.NewReader(`[{"commit": "4f2a", "why": "x"}]`))
	assert.Error(t, err)
}

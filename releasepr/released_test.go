package releasepr_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/releasepr"
	"github.com/releasekit/releasekit/semver"
)

// Released names the newest merged release PR whose tags exist: what a
// run that died after tagging must finish. Before any release PR was
// merged it is empty; while one is pending it is the one before.
func TestReleased(t *testing.T) {
	ctx := context.Background()
	g := shop(t)
	comps := request(g, t).Components
	rel, err := releasepr.Released(ctx, g.GoGit(t), "main", comps)
	require.NoError(t, err)
	assert.Empty(t, rel)

	p, err := releasepr.Plan(ctx, request(g, t))
	require.NoError(t, err)
	merged := merge(t, g, p, 14)
	rel, err = releasepr.Released(ctx, g.GoGit(t), "main", comps)
	require.NoError(t, err)
	assert.Empty(t, rel, "pending, not released")

	g.AnnotatedTag("v1.3.0", merged, "Release v1.3.0")
	rel, err = releasepr.Released(ctx, g.GoGit(t), "main", comps)
	require.NoError(t, err)
	assert.Equal(t, []releasepr.Pending{{Commit: merged, Version: "1.3.0", Tag: "v1.3.0"}}, rel)

	// A release commit of another component is passed over, by Find and
	// by Released alike.
	g.CommitFiles("chore(release): web/v2.0.0 (#20)", map[string]string{"web.txt": "x\n"})
	rel, err = releasepr.Released(ctx, g.GoGit(t), "main", comps)
	require.NoError(t, err)
	assert.Equal(t, "v1.3.0", rel[0].Tag)
	pending, err := releasepr.Find(ctx, g.GoGit(t), "main", comps)
	require.NoError(t, err)
	assert.Empty(t, pending)
}

// ScanHistory is Find, Released and Skipped in one walk: at every stage
// of a release its three lists are theirs.
func TestScanHistoryIsFindReleasedSkipped(t *testing.T) {
	ctx := context.Background()
	g := shop(t)
	comps := request(g, t).Components
	check := func(stage string) {
		t.Helper()
		repo := g.GoGit(t)
		s, err := releasepr.ScanHistory(ctx, repo, "main", comps)
		require.NoError(t, err, stage)
		find, err := releasepr.Find(ctx, repo, "main", comps)
		require.NoError(t, err, stage)
		rel, err := releasepr.Released(ctx, repo, "main", comps)
		require.NoError(t, err, stage)
		skip, err := releasepr.Skipped(ctx, repo, "main", comps)
		require.NoError(t, err, stage)
		assert.Equal(t, find, s.Pending, stage)
		assert.Equal(t, rel, s.Released, stage)
		assert.Equal(t, skip, s.Skipped, stage)
	}
	check("nothing merged")
	p, err := releasepr.Plan(ctx, request(g, t))
	require.NoError(t, err)
	merged := merge(t, g, p, 14)
	check("release PR merged")
	s, err := releasepr.ScanHistory(ctx, g.GoGit(t), "main", comps)
	require.NoError(t, err)
	require.Len(t, s.Pending, 1)
	assert.Equal(t, merged, s.Pending[0].Commit)

	g.AnnotatedTag("v1.3.0", merged, "Release v1.3.0")
	check("tagged")
	g.CommitFiles("chore(release): v9.9.9 (#21)", map[string]string{"claim.txt": "x\n"})
	check("a commit claiming a release it does not carry")
	s, err = releasepr.ScanHistory(ctx, g.GoGit(t), "main", comps)
	require.NoError(t, err)
	require.Len(t, s.Skipped, 1)
	assert.Equal(t, "v9.9.9", s.Skipped[0].Tag)

	_, err = releasepr.ScanHistory(ctx, g.GoGit(t), "no-such-branch", comps)
	assert.ErrorIs(t, err, releasepr.ErrConfig)
}

// A pre-release documents what changed since the release before it,
// pre-release included, and the final release everything since the last
// final one — in the plan (body, CHANGELOG.md) and in Notes alike.
func TestPrereleaseNotesStartAtThePreviousPrerelease(t *testing.T) {
	ctx := context.Background()
	g := shop(t)
	beta := func() releasepr.Request {
		r := request(g, t)
		r.Components[0].Channel = semver.Beta
		return r
	}
	p1, err := releasepr.Plan(ctx, beta())
	require.NoError(t, err)
	require.Len(t, p1.Releases, 1)
	assert.Equal(t, "v1.3.0-beta.1", p1.Releases[0].Tag)
	assert.Equal(t, 2, p1.Releases[0].Commits)
	m1 := merge(t, g, p1, 14)
	g.AnnotatedTag("v1.3.0-beta.1", m1, "Release v1.3.0-beta.1")
	g.Git("branch", "-D", p1.Branch) // deleted on merge, as the forges do

	g.CommitFiles("fix(cart): totals rounded (#15)\n\nRefs: ABC-4", map[string]string{"app/cart.php": "<?php\n"})
	p2, err := releasepr.Plan(ctx, beta())
	require.NoError(t, err)
	r2 := p2.Releases[0]
	assert.Equal(t, "v1.3.0-beta.2", r2.Tag)
	assert.Equal(t, "v1.3.0-beta.1", r2.Previous)
	assert.Equal(t, 1, r2.Commits, "only the fix after beta.1")
	assert.Contains(t, r2.Notes, "totals rounded")
	assert.NotContains(t, r2.Notes, "pay by invoice", "beta.1's changes are beta.1's")
	m2 := merge(t, g, p2, 16)
	notes, err := releasepr.Notes(ctx, g.GoGit(t), releasepr.Pending{Commit: m2, Version: "1.3.0-beta.2", Tag: "v1.3.0-beta.2"}, beta().Components[0], day)
	require.NoError(t, err)
	assert.Equal(t, r2.Notes, notes, "Notes agrees with the plan")
	g.AnnotatedTag("v1.3.0-beta.2", m2, "Release v1.3.0-beta.2")
	g.Git("branch", "-D", p2.Branch)

	final, err := releasepr.Plan(ctx, request(g, t))
	require.NoError(t, err)
	rf := final.Releases[0]
	assert.Equal(t, "v1.3.0", rf.Tag)
	assert.Equal(t, "v1.2.0", rf.Previous, "the final release follows the last final release, as its notes do")
	assert.Equal(t, 5, rf.Commits, "pay by invoice, rounding, totals rounded and the two betas' release commits")
	for _, s := range []string{"pay by invoice", "rounding", "totals rounded"} {
		assert.Contains(t, rf.Notes, s, "the final release lists everything since v1.2.0")
	}
	mf := merge(t, g, final, 17)
	notes, err = releasepr.Notes(ctx, g.GoGit(t), releasepr.Pending{Commit: mf, Version: "1.3.0", Tag: "v1.3.0"}, request(g, t).Components[0], day)
	require.NoError(t, err)
	assert.Equal(t, rf.Notes, notes)
}

// A version file that writes its version with a "v" (const Version =
// "v1.2.0", as Go programs often do) keeps it: the release PR writes
// "v1.3.0", and the merged release commit is recognised by it.
func TestVersionFileWithAV(t *testing.T) {
	ctx := context.Background()
	g := gittest.New(t)
	g.CommitFiles("feat: first ABC-1", map[string]string{
		"version.go":   "package shop\n\n// Version is the release.\nconst Version = \"v1.2.0\"\n",
		"CHANGELOG.md": "# Changelog\n\n## v1.2.0\n\n- first\n",
	})
	g.AnnotatedTag("v1.2.0", "HEAD", "Release v1.2.0")
	g.CommitFiles("feat(api): orders (#21)", map[string]string{"orders.go": "package shop\n"})
	req := releasepr.Request{Repo: g.GoGit(t), Base: "main", Now: day, Components: []releasepr.Component{{
		VersionFiles: []string{"version.go"}, Changelog: "CHANGELOG.md"}}}
	p, err := releasepr.Plan(ctx, req)
	require.NoError(t, err)
	require.Len(t, p.Edits, 2)
	assert.Equal(t, "package shop\n\n// Version is the release.\nconst Version = \"v1.3.0\"\n", string(p.Edits[0].After))
	merged := merge(t, g, p, 22)
	pending, err := releasepr.Find(ctx, g.GoGit(t), "main", req.Components)
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Equal(t, releasepr.Pending{Commit: merged, Version: "1.3.0", Tag: "v1.3.0"}, pending[0])

}

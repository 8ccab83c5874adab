package releasepr_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/releasepr"
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

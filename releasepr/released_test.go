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

package tagging_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/tagging"
)

// A release tag of a tree has no commit: List says why, and SemverTags
// leaves it out of the previous-release lookup.
func TestListTagOfTree(t *testing.T) {
	f := newFixture(t)
	tree := strings.TrimSpace(f.must(t, nil, "git", "rev-parse", f.commit.String()+"^{tree}"))
	f.must(t, nil, "git", "tag", "-a", "-m", "x", "v9.0.0", tree)
	_, err := tagging.CreateUnsigned(t.Context(), f.repo, f.req("v1.0.0"))
	require.NoError(t, err)
	rels, err := tagging.List(t.Context(), f.repo, semverV, nil, verifyAt)
	require.NoError(t, err)
	require.Len(t, rels, 2)
	assert.ErrorIs(t, rels[1].Err, &tagging.Error{Reason: "target is not a commit"})
	assert.True(t, rels[1].Commit.IsZero())
	tags := tagging.SemverTags(rels)
	require.Len(t, tags, 1)
	assert.Equal(t, "v1.0.0", tags[0].Name)
}

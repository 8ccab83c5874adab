package commits_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/commits"
)

// TestOverrideMarkerOnItsOwnLine: a body that mentions the override markers
// in prose is not an override block.
func TestOverrideMarkerOnItsOwnLine(t *testing.T) {
	m, err := commits.Parse("feat(commits): parse squash bodies\n\nHandles bodies (BEGIN_COMMIT_OVERRIDE, bullet lists) and more.\n", commits.WithOverride())
	require.NoError(t, err)
	assert.Equal(t, "parse squash bodies", m.Description)
	assert.Empty(t, m.Extra)

	m, err = commits.Parse("chore: squash\n\n  BEGIN_COMMIT_OVERRIDE  \nfix: real one\nfeat(ui): second\nEND_COMMIT_OVERRIDE\n", commits.WithOverride())
	require.NoError(t, err)
	assert.Equal(t, "fix", m.Type)
	require.Len(t, m.Extra, 1)
	assert.Equal(t, "feat", m.Extra[0].Type)
}

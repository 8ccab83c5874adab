package commits_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/commits"
)

// TestParseMachineQuirks pins how Parse handles each known quirk of
// go-conventionalcommits (DESIGN.md, commits).
func TestParseMachineQuirks(t *testing.T) {
	t.Run("CRLF is normalised first", func(t *testing.T) {
		m, err := commits.Parse("feat(s): m\r\n\r\nbody line\r\n\r\nBREAKING CHANGE: gone\r\nRefs: #1\r\n")
		require.NoError(t, err)
		assert.Equal(t, "feat(s): m", m.Subject)
		assert.Equal(t, "m", m.Description)
		assert.Equal(t, "body line", m.Body)
		assert.Equal(t, []string{"gone"}, m.BreakingNotes)
		assert.Equal(t, []commits.Footer{{Key: "BREAKING CHANGE", Value: "gone"}, {Key: "Refs", Value: "#1"}}, m.Footers)
	})
	t.Run("Revert is not type `revert \"feat`", func(t *testing.T) {
		m, err := commits.Parse(`Revert "feat: x"`)
		require.NoError(t, err)
		assert.False(t, m.Conventional)
		assert.Empty(t, m.Type)
		assert.Equal(t, &commits.Revert{Header: "feat: x"}, m.Revert)
	})
	t.Run("merge subjects are recognised, not rejected", func(t *testing.T) {
		for _, s := range []string{"Merge pull request #1 from u/f", "Merge branch 'x'", "Merge tag 'v1'",
			"Merge remote-tracking branch 'origin/x'", "Merge commit 'abc'", "Merge branches 'a' and 'b'"} {
			m, err := commits.Parse(s)
			require.NoError(t, err, s)
			assert.NotNil(t, m.Merge, s)
			assert.True(t, m.Ignored, s)
		}
		_, err := commits.Parse("Merge the two parsers")
		assertReason(t, err, reasonIncompleteHeader, "an unknown Merge subject is an ordinary subject")
	})
	t.Run("footer order and key case are kept", func(t *testing.T) {
		m, err := commits.Parse("fix: x\n\nZeta: 1\nalpha: 2\nZeta: 3\nSIGNED-OFF-BY: Leo")
		require.NoError(t, err)
		assert.Equal(t, []commits.Footer{{Key: "Zeta", Value: "1"}, {Key: "alpha", Value: "2"}, {Key: "Zeta", Value: "3"},
			{Key: "SIGNED-OFF-BY", Value: "Leo"}}, m.Footers)
	})
	t.Run("scope case is kept", func(t *testing.T) {
		m, err := commits.Parse("feat(MyScope): x")
		require.NoError(t, err)
		assert.Equal(t, "MyScope", m.Scope)
	})
	t.Run("empty scope", func(t *testing.T) {
		_, err := commits.Parse("feat(): x")
		assertReason(t, err, reasonEmptyScope)
		m, err := commits.Parse("feat(): x", commits.WithLenient())
		require.NoError(t, err)
		assert.True(t, m.Conventional)
		assert.Empty(t, m.Scope)
	})
	t.Run("leading space", func(t *testing.T) {
		for _, opts := range [][]commits.ParseOption{nil, {commits.WithLenient()}} {
			m, err := commits.Parse(" feat(s): x", opts...)
			assertReason(t, err, reasonInvalidType)
			assert.False(t, m.Conventional)
		}
	})
}

package commits_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/commits"
)

func TestParseErrorWrapping(t *testing.T) {
	_, err := commits.Parse("fix:x")
	var pe *commits.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, &commits.ParseError{Pos: 4, Line: 1, Err: commits.ErrMissingSpace}, pe)
	assert.ErrorIs(t, err, commits.ErrMissingSpace)
	assert.ErrorIs(t, err, commits.ErrNotConventional)
	assert.NotErrorIs(t, err, commits.ErrColon)
	assert.Equal(t, "commits: missing space after colon (line 1, pos 4)", err.Error())

	for _, s := range []error{commits.ErrNotConventional, commits.ErrEmpty, commits.ErrEmptyScope, commits.ErrMissingSpace,
		commits.ErrEmptyDescription, commits.ErrIncompleteHeader, commits.ErrMalformedScope, commits.ErrColon,
		commits.ErrInvalidType, commits.ErrMissingBlankLine, commits.ErrInvalidFooter, commits.ErrInvalidUTF8,
		commits.ErrControlChar, commits.ErrTooLong, commits.ErrDisallowedType, commits.ErrDisallowedScope,
		commits.ErrMissingScope, commits.ErrMissingTicket, commits.ErrSubjectTooLong} {
		assert.True(t, strings.HasPrefix(s.Error(), "commits: "), s.Error())
	}
}

func TestParseInvalidInputIsKept(t *testing.T) {
	in := "feat(api): x\n\nbody with NUL \x00 here\n\nRefs: PROJ-9\nCo-authored-by: A <a@b>"
	for _, opts := range [][]commits.ParseOption{nil, {commits.Lenient()}} {
		m, err := commits.Parse(in, opts...)
		var pe *commits.ParseError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, &commits.ParseError{Pos: 28, Line: 3, Err: commits.ErrControlChar}, pe)
		assert.False(t, m.Conventional, "invalid input is never conventional, in either mode")
		assert.Equal(t, "feat(api): x", m.Subject, "but it is kept")
		assert.Equal(t, []string{"PROJ-9"}, m.Tickets)
		assert.Equal(t, []string{"A <a@b>"}, m.CoAuthors)
		assert.Nil(t, m.Changes())
	}
}

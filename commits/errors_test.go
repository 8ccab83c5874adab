package commits_test

import (
	"errors"
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
	assert.Equal(t, &commits.ParseError{Pos: 4, Line: 1, Reason: reasonMissingSpace}, pe)
	assertReason(t, err, reasonMissingSpace)
	assert.ErrorIs(t, err, commits.ErrNotConventional)
	for _, s := range sentinels {
		assert.NotErrorIs(t, err, s, "a header problem wraps no sentinel but ErrNotConventional")
	}
	assert.Equal(t, "commits: missing space after colon (line 1, pos 4)", err.Error())

	for _, s := range []error{commits.ErrNotConventional, commits.ErrEmpty, commits.ErrInvalidUTF8,
		commits.ErrControlChar, commits.ErrTooLong, commits.ErrIncompleteHistory, commits.ErrRevision} {
		assert.True(t, strings.HasPrefix(s.Error(), "commits: "), s.Error())
	}
	for reason, s := range sentinels {
		assert.Equal(t, "commits: "+reason, s.Error(), "a sentinel's text is its reason")
	}
}

func TestParseInvalidInputIsKept(t *testing.T) {
	in := "feat(api): x\n\nbody with NUL \x00 here\n\nRefs: PROJ-9\nCo-authored-by: A <a@b>"
	for _, opts := range [][]commits.ParseOption{nil, {commits.WithLenient()}} {
		m, err := commits.Parse(in, opts...)
		var pe *commits.ParseError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, &commits.ParseError{Pos: 28, Line: 3, Reason: reasonControlChar, Err: commits.ErrControlChar}, pe)
		assert.False(t, m.Conventional, "invalid input is never conventional, in either mode")
		assert.Equal(t, "feat(api): x", m.Subject, "but it is kept")
		assert.Equal(t, []string{"PROJ-9"}, m.Tickets)
		assert.Equal(t, []string{"A <a@b>"}, m.CoAuthors)
		assert.Nil(t, m.Changes())
	}
}

// The reasons of *commits.ParseError, and the problems of the lint rules.
const (
	reasonNotConventional  = "not a conventional commit"
	reasonEmpty            = "empty message"
	reasonEmptyScope       = "empty scope"
	reasonMissingSpace     = "missing space after colon"
	reasonEmptyDescription = "empty description"
	reasonIncompleteHeader = "incomplete header"
	reasonMalformedScope   = "malformed scope"
	reasonColon            = "expected colon"
	reasonInvalidType      = "invalid type"
	reasonMissingBlankLine = "missing blank line after header"
	reasonInvalidFooter    = "invalid footer"
	reasonInvalidUTF8      = "invalid UTF-8"
	reasonControlChar      = "control character"
	reasonTooLong          = "message too long"

	reasonDisallowedType  = "type not allowed"
	reasonDisallowedScope = "scope not allowed"
	reasonMissingScope    = "missing scope"
	reasonMissingTicket   = "missing ticket"
	reasonSubjectTooLong  = "subject too long"
)

// sentinels are the reasons that also come as a sentinel, for callers to
// branch on.
var sentinels = map[string]error{
	reasonEmpty:       commits.ErrEmpty,
	reasonInvalidUTF8: commits.ErrInvalidUTF8,
	reasonControlChar: commits.ErrControlChar,
	reasonTooLong:     commits.ErrTooLong,
}

// reasonOf returns the Reason of err's *commits.ParseError, or "".
func reasonOf(err error) string {
	var pe *commits.ParseError
	if errors.As(err, &pe) {
		return pe.Reason
	}
	return ""
}

// assertReason checks that err is a *commits.ParseError for reason that
// wraps ErrNotConventional, and the reason's sentinel if it has one.
func assertReason(t *testing.T, err error, reason string, msgAndArgs ...any) bool {
	t.Helper()
	ok := assert.Equal(t, reason, reasonOf(err), msgAndArgs...)
	ok = assert.ErrorIs(t, err, commits.ErrNotConventional, msgAndArgs...) && ok
	if s, has := sentinels[reason]; has {
		ok = assert.ErrorIs(t, err, s, msgAndArgs...) && ok
	}
	return ok
}

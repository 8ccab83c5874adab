package semver_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/semver"
)

// A problem is what the Reason of a *semver.ParseError ends with, or the
// Reason of a *semver.ValueError: the tests' name for a failure that has
// no sentinel.
type problem string

func (p problem) Error() string { return string(p) }

var (
	leadingZero    = problem("number has a leading zero")
	numberOverflow = problem("number does not fit in 64 bits")
	tooLong        = problem("longer than 256")
	overflow       = problem("version number overflows")
	noMatch        = problem("tag does not match scheme")
	invalidChannel = problem("invalid pre-release channel")
	invalidLevel   = problem("invalid bump level")
)

// matches reports whether err matches want: with errors.Is for a
// sentinel, by the Reason for a problem.
func matches(err, want error) bool {
	p, ok := want.(problem)
	if !ok {
		return errors.Is(err, want)
	}
	var pe *semver.ParseError
	if errors.As(err, &pe) {
		return strings.HasSuffix(pe.Reason, string(p))
	}
	var ve *semver.ValueError
	return errors.As(err, &ve) && ve.Reason == string(p)
}

func assertMatches(t *testing.T, err, want error, msgAndArgs ...any) bool {
	t.Helper()
	if !matches(err, want) {
		return assert.Fail(t, "error does not match", append([]any{"%v is not %v", err, want}, msgAndArgs...)...)
	}
	return true
}

func requireMatches(t *testing.T, err, want error) {
	t.Helper()
	if !matches(err, want) {
		require.FailNow(t, "error does not match", "%v is not %v", err, want)
	}
}

// specificProblem returns the problem of a parse error with one (leading
// zero, overflow, too long), or else the sentinel of its kind.
func specificProblem(err error) error {
	for _, p := range []problem{leadingZero, numberOverflow, tooLong} {
		if matches(err, p) {
			return p
		}
	}
	if errors.Is(err, semver.ErrInvalidCalVer) {
		return semver.ErrInvalidCalVer
	}
	return semver.ErrInvalidVersion
}

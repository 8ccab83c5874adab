package semver

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors. Callers branch on them with [errors.Is]; the typed errors
// [*ParseError], [*ValueError], [*AmbiguousError] and [*LineError] carry the
// details.
var (
	// ErrInvalidVersion is matched by every error that [Parse], [MustParse],
	// [Version.UnmarshalText], [Version.WithPrerelease], [Version.WithBuild]
	// and [Scheme.Parse] (past the prefix) return for malformed input. The
	// error is a [*ParseError] giving the offending byte.
	ErrInvalidVersion = errors.New("semver: invalid version")

	// ErrAmbiguousVersion reports that the previous release cannot be chosen
	// because tags of equal precedence point at different commits. The error
	// is an [*AmbiguousError].
	ErrAmbiguousVersion = errors.New("semver: tags of equal precedence on different commits")

	// ErrNoRelease reports that [Next] has nothing to release: no change
	// calls for a bump and no pre-release waits for graduation or promotion.
	ErrNoRelease = errors.New("semver: nothing to release")

	// ErrNotPatch reports a change larger than a patch on a patch line
	// (release/X.Y or hotfix branches, policy §1.15.3.2), or a release that
	// does not belong to the line. It is matched by [*LineError].
	ErrNotPatch = errors.New("semver: only patch releases are allowed on a patch line")

	// ErrChannelRegression reports a request for an earlier pre-release
	// channel than the current line already reached, such as beta after rc.
	ErrChannelRegression = errors.New("semver: pre-release channel goes backwards")

	// ErrNotIncreasing reports a next version that would not be greater than
	// the previous one: a Release-As version at or below the previous
	// release, or a clock that went back for a calendar version.
	ErrNotIncreasing = errors.New("semver: version does not increase")

	// ErrInvalidCalVer is matched by every error that [ParseCalVer] and
	// [Scheme.ParseCalVer] (past the prefix) return for malformed input, and
	// by [CalVer.Next] when the date cannot be written as YYYY.0M.
	ErrInvalidCalVer = errors.New("semver: invalid calendar version")
)

// A ParseError reports malformed version text and where it goes wrong.
//
// It matches the sentinel of its kind, [ErrInvalidVersion] or
// [ErrInvalidCalVer], with [errors.Is].
type ParseError struct {
	// Input is the text that failed to parse: the whole tag when the error
	// comes from a [Scheme].
	Input string
	// Pos is the 0-based byte offset of the offending byte in Input. It is
	// len(Input) when the input ends too early, and MaxLength plus any tag
	// prefix for input longer than [MaxLength].
	Pos int
	// Reason says in a few words what is wrong at Pos. It ends with
	// "number has a leading zero" for a leading zero, "number does not fit
	// in 64 bits" for a number past the largest uint64, and "longer than
	// 256" for input longer than [MaxLength].
	Reason string

	kind error // ErrInvalidVersion when nil, or ErrInvalidCalVer
}

// Error returns a message with the quoted input (truncated when long), the
// position and the reason.
func (e *ParseError) Error() string {
	what := "version"
	if e.kindErr() == ErrInvalidCalVer {
		what = "calendar version"
	}
	return fmt.Sprintf("semver: invalid %s %s at byte %d: %s", what, quoteInput(e.Input), e.Pos, e.Reason)
}

// Unwrap returns the sentinel of the error's kind, so that errors.Is
// matches it.
func (e *ParseError) Unwrap() error {
	return e.kindErr()
}

func (e *ParseError) kindErr() error {
	if e.kind == nil {
		return ErrInvalidVersion
	}
	return e.kind
}

// A ValueError reports a value that semver cannot work with. Reason is
// "version number overflows" (a bump or pre-release increment past the
// largest uint64, such as bumping the major of 18446744073709551615.0.0),
// "invalid bump level" (a level name or value other than none, patch, minor
// and major), "invalid pre-release channel" (a channel other than alpha,
// beta and rc) or "tag does not match scheme" (a tag that does not start
// with a [Scheme]'s prefix).
type ValueError struct {
	// Op is what was being done, such as `bump major of 1.2.3` or
	// `parse level "huge"`.
	Op string
	// Reason is the problem, one of the phrases above.
	Reason string
}

// Error returns the operation and the reason.
func (e *ValueError) Error() string {
	return e.Op + ": semver: " + e.Reason
}

// quoteInput quotes s for an error message, cutting it after 64 bytes so that
// an oversized input does not flood logs.
func quoteInput(s string) string {
	const max = 64
	if len(s) <= max {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:max]) + "..."
}

// An AmbiguousError reports that the highest matching tags have equal
// precedence but point at different commits, so the previous release cannot
// be chosen (for example v1.2.3 and v1.2.3+build on two commits). It matches
// [ErrAmbiguousVersion].
type AmbiguousError struct {
	// Version is the version shared by the tags, as written by the
	// lexically smallest tag name.
	Version Version
	// Tags are the names of all the tags of that precedence, sorted.
	Tags []string
}

// Error lists the version and the conflicting tags.
func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("semver: version %s is tagged on different commits: %s", e.Version, strings.Join(e.Tags, ", "))
}

// Unwrap returns [ErrAmbiguousVersion].
func (e *AmbiguousError) Unwrap() error { return ErrAmbiguousVersion }

// A LineError reports that [Next] was asked, on a patch line, for more than a
// patch release, or that the previous release is already past the line. It
// matches [ErrNotPatch].
type LineError struct {
	// Line is the patch line the release must stay on.
	Line Line
	// Level is the bump level that was asked for.
	Level Level
	// Previous is the previous stable release.
	Previous Version
}

// Error describes the refused change.
func (e *LineError) Error() string {
	if !e.Line.Contains(e.Previous) {
		return fmt.Sprintf("semver: previous release %s is past line %s", e.Previous, e.Line)
	}
	return fmt.Sprintf("semver: line %s takes only patch releases, got a %s change after %s", e.Line, e.Level, e.Previous)
}

// Unwrap returns [ErrNotPatch].
func (e *LineError) Unwrap() error { return ErrNotPatch }

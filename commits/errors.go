package commits

import (
	"errors"
	"fmt"
)

// Errors returned by [Parse] and reported by [Lint]. A *[ParseError] wraps
// exactly one of them together with [ErrNotConventional], so
// errors.Is(err, ErrNotConventional) holds for every parse error.
var (
	// ErrNotConventional is wrapped by every error of [Parse]: the message
	// is not a valid Conventional Commit in the chosen mode.
	ErrNotConventional = errors.New("commits: not a conventional commit")
	// ErrEmpty means that the message, or its first line, is empty.
	ErrEmpty = errors.New("commits: empty message")
	// ErrEmptyScope means that the header has parentheses with no scope in
	// them, as in "fix(): x". Strict mode only.
	ErrEmptyScope = errors.New("commits: empty scope")
	// ErrMissingSpace means that the colon after the type is not followed
	// by a space, as in "fix:x" or "fix:\tx".
	ErrMissingSpace = errors.New("commits: missing space after colon")
	// ErrEmptyDescription means that nothing but white space follows the
	// colon and space of the header.
	ErrEmptyDescription = errors.New("commits: empty description")
	// ErrIncompleteHeader means that the header stops before its colon, as
	// in "fix", "fix(scope)" or "fix(scope)!".
	ErrIncompleteHeader = errors.New("commits: incomplete header")
	// ErrMalformedScope means that the scope is not closed or holds a
	// character a scope cannot hold, as in "fix(scope" or "fix((".
	ErrMalformedScope = errors.New("commits: malformed scope")
	// ErrColon means that the type, scope and "!" are not followed by a
	// colon, as in "fix(a))" or "some(scope)text: a".
	ErrColon = errors.New("commits: expected colon")
	// ErrInvalidType means that the type is not a word: in strict mode it
	// must match [A-Za-z][A-Za-z0-9_-]*; in lenient mode it must start with
	// a letter and may also hold spaces, commas, dots, slashes and "+".
	ErrInvalidType = errors.New("commits: invalid type")
	// ErrMissingBlankLine means that the second line of the message is not
	// blank. Strict mode only.
	ErrMissingBlankLine = errors.New("commits: missing blank line after header")
	// ErrInvalidFooter means that the footer block holds a misspelt or
	// wrongly cased breaking-change token, such as "breaking change: x" or
	// "BREAKING CHANG: x". Strict mode only: lenient mode keeps such a
	// line as an ordinary, non-breaking footer.
	ErrInvalidFooter = errors.New("commits: invalid footer")
	// ErrInvalidUTF8 means that the message is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("commits: invalid UTF-8")
	// ErrControlChar means that the message holds NUL, another C0 control
	// character other than tab, line feed and carriage return, or DEL.
	ErrControlChar = errors.New("commits: control character")
	// ErrTooLong means that the message is longer than the limit set with
	// [WithMaxLength]. Nothing of such a message is read.
	ErrTooLong = errors.New("commits: message too long")
)

// ParseError describes why a message is not a valid Conventional Commit.
//
// Pos is the 0-based byte offset, in the message with its line endings
// normalised to "\n", of the byte where the problem was found. For a
// problem in the header (Line 1) it is the column that
// go-conventionalcommits reports, which can also be read as the 1-based
// column of the last byte accepted: "fix:x" gives 4. Line is the 1-based
// line of that byte, or 0 when the message was not read (ErrTooLong, where
// Pos is the limit).
type ParseError struct {
	Pos  int
	Line int
	Err  error
}

// Error returns the sentinel's text followed by the position.
func (e *ParseError) Error() string {
	return fmt.Sprintf("%v (line %d, pos %d)", e.Err, e.Line, e.Pos)
}

// Unwrap returns the sentinel and [ErrNotConventional].
func (e *ParseError) Unwrap() []error {
	if e.Err == nil || e.Err == ErrNotConventional {
		return []error{ErrNotConventional}
	}
	return []error{e.Err, ErrNotConventional}
}

// Footer is one trailer of a commit message, in message order. Key is as
// written ("Signed-off-by", "BREAKING CHANGE"); Value is trimmed and holds
// the continuation lines of a multi-line value joined by "\n". For the
// "Key #value" form the "#" is a separator and not part of Value: "Fixes #3"

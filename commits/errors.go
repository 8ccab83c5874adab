package commits

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of [Parse] that callers branch on. A *[ParseError] wraps
// [ErrNotConventional] and, when the input itself cannot be read as a
// message, one of [ErrEmpty], [ErrInvalidUTF8], [ErrControlChar] and
// [ErrTooLong]; the other problems are told apart by ParseError.Reason.
var (
	// ErrNotConventional is wrapped by every error of [Parse]: the message
	// is not a valid Conventional Commit in the chosen mode.
	ErrNotConventional = errors.New("commits: not a conventional commit")
	// ErrEmpty means that the message, or its first line, is empty.
	ErrEmpty = errors.New("commits: empty message")
	// ErrInvalidUTF8 means that the message is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("commits: invalid UTF-8")
	// ErrControlChar means that the message holds NUL, another C0 control
	// character other than tab, line feed and carriage return, or DEL.
	ErrControlChar = errors.New("commits: control character")
	// ErrTooLong means that the message is longer than the limit set with
	// [WithMaxLength]. Nothing of such a message is read.
	ErrTooLong = errors.New("commits: message too long")
)

// The problems of a header or footer, which a *[ParseError] gives as its
// Reason (the text after "commits: ").
var (
	// errEmptyScope: the header has parentheses with no scope in them, as
	// in "fix(): x". Strict mode only.
	errEmptyScope = errors.New("commits: empty scope")
	// errMissingSpace: the colon after the type is not followed by a
	// space, as in "fix:x" or "fix:\tx".
	errMissingSpace = errors.New("commits: missing space after colon")
	// errEmptyDescription: nothing but white space follows the colon and
	// space of the header.
	errEmptyDescription = errors.New("commits: empty description")
	// errIncompleteHeader: the header stops before its colon, as in "fix",
	// "fix(scope)" or "fix(scope)!".
	errIncompleteHeader = errors.New("commits: incomplete header")
	// errMalformedScope: the scope is not closed or holds a character a
	// scope cannot hold, as in "fix(scope" or "fix((".
	errMalformedScope = errors.New("commits: malformed scope")
	// errColon: the type, scope and "!" are not followed by a colon, as in
	// "fix(a))" or "some(scope)text: a".
	errColon = errors.New("commits: expected colon")
	// errInvalidType: the type is not a word: in strict mode it must match
	// [A-Za-z][A-Za-z0-9_-]*; in lenient mode it must start with a letter
	// and may also hold spaces, commas, dots, slashes and "+".
	errInvalidType = errors.New("commits: invalid type")
	// errMissingBlankLine: the second line of the message is not blank.
	// Strict mode only.
	errMissingBlankLine = errors.New("commits: missing blank line after header")
	// errInvalidFooter: the footer block holds a misspelt or wrongly cased
	// breaking-change token, such as "breaking change: x" or "BREAKING
	// CHANG: x". Strict mode only: lenient mode keeps such a line as an
	// ordinary, non-breaking footer.
	errInvalidFooter = errors.New("commits: invalid footer")
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
//
// Reason says what is wrong: "empty message", "empty scope", "missing space
// after colon", "empty description", "incomplete header", "malformed
// scope", "expected colon", "invalid type", "missing blank line after
// header", "invalid footer", "invalid UTF-8", "control character", "message
// too long" or "not a conventional commit". Err is the sentinel of a
// problem callers branch on ([ErrEmpty], [ErrInvalidUTF8], [ErrControlChar]
// or [ErrTooLong]) and nil otherwise.
type ParseError struct {
	Pos    int
	Line   int
	Reason string
	Err    error
}

// newParseError returns the error for problem at pos on line: problem is
// one of the sentinels above, exported or not.
func newParseError(pos, line int, problem error) *ParseError {
	e := &ParseError{Pos: pos, Line: line, Reason: reason(problem)}
	switch problem {
	case ErrEmpty, ErrInvalidUTF8, ErrControlChar, ErrTooLong:
		e.Err = problem
	}
	return e
}

// reason is the text of one of the sentinels above without "commits: ".
func reason(problem error) string {
	return strings.TrimPrefix(problem.Error(), "commits: ")
}

// Error returns "commits: ", the reason and the position.
func (e *ParseError) Error() string {
	return fmt.Sprintf("commits: %s (line %d, pos %d)", e.Reason, e.Line, e.Pos)
}

// Unwrap returns the sentinel, if any, and [ErrNotConventional].
func (e *ParseError) Unwrap() []error {
	if e.Err == nil || e.Err == ErrNotConventional {
		return []error{ErrNotConventional}
	}
	return []error{e.Err, ErrNotConventional}
}

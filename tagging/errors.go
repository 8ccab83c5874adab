package tagging

import (
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
)

// Sentinel errors. Each is documented on the functions that return it and is
// matched with errors.Is; most reach the caller wrapped with the operation and
// the tag name.
var (
	// ErrInvalidRefName reports a tag name that `git check-ref-format` would
	// reject, or one that does not follow the release tag scheme.
	ErrInvalidRefName = errors.New("tagging: invalid tag name")
	// ErrTagExists reports a tag name that already exists at another commit.
	// Match *ExistsError for both commits.
	ErrTagExists = errors.New("tagging: tag exists at another commit")
	// ErrNotFound reports a tag name missing from the repository.
	ErrNotFound = errors.New("tagging: tag not found")
	// ErrEmptyMessage reports a tag message that is empty after clean-up.
	ErrEmptyMessage = errors.New("tagging: empty tag message")
	// ErrInvalidTagger reports a missing or malformed tagger identity.
	ErrInvalidTagger = errors.New("tagging: invalid tagger")
	// ErrInvalidMessage reports a message git cannot store unambiguously: a NUL
	// byte, or a line that starts a signature block.
	ErrInvalidMessage = errors.New("tagging: invalid tag message")
	// ErrUnsigned reports a tag without a signature (annotated or
	// lightweight) where a signature is required.
	ErrUnsigned = errors.New("tagging: tag is not signed")
)

// A NameError reports an invalid tag name and why it is invalid. It matches
// ErrInvalidRefName.
type NameError struct {
	Name   string
	Reason string
}

// Error returns the name and the reason.
func (e *NameError) Error() string {
	return fmt.Sprintf("tagging: invalid tag name %q: %s", e.Name, e.Reason)
}

// Unwrap returns ErrInvalidRefName.
func (e *NameError) Unwrap() error { return ErrInvalidRefName }

// An ExistsError reports a tag name that already exists at another commit.
// It matches ErrTagExists. Existing is the commit the tag points at (after
// peeling; the object itself when it is not a commit), Requested the commit
// the caller asked for.
type ExistsError struct {
	Name      string
	Existing  plumbing.Hash
	Requested plumbing.Hash
}

// Error names the tag and both commits.
func (e *ExistsError) Error() string {
	return fmt.Sprintf("tagging: tag %s exists at %s, not at the requested %s", e.Name, e.Existing, e.Requested)
}

// Unwrap returns ErrTagExists.
func (e *ExistsError) Unwrap() error { return ErrTagExists }

// A RemoteExistsError reports a remote that holds the tag at another object.
type RemoteExistsError struct {
	Remote    string        // the remote name or URL
	Name      string        // the tag name
	Existing  plumbing.Hash // the object the remote has
	Requested plumbing.Hash // the local tag object
}

// Error names the remote, the tag and both objects.
func (e *RemoteExistsError) Error() string {
	return fmt.Sprintf("tagging: remote %s has tag %s at %s, not at the local %s", e.Remote, e.Name, e.Existing, e.Requested)
}

// An Error reports a tag operation refused for a reason callers do not
// branch on. Reason is a short lower-case phrase: "malformed tag object",
// "ambiguous tag object", "object not found", "target is not a commit",
// "tag header does not match the reference name", "no signer", "reference
// is locked", "reference moved since the release was planned", "repository
// storage is not a git directory"; Detail says more, when there is more to
// say.
type Error struct {
	Reason string
	Detail string
}

// Error returns the reason and the detail.
func (e *Error) Error() string {
	if e.Detail == "" {
		return "tagging: " + e.Reason
	}
	return "tagging: " + e.Reason + ": " + e.Detail
}

// Is reports whether target is an *Error with the same Reason, so that
// errors.Is(err, &tagging.Error{Reason: "malformed tag object"}) matches any
// detail.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Reason == e.Reason
}

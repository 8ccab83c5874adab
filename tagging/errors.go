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
	// ErrRemoteTagExists reports a remote that holds the tag name at another
	// object. Match *RemoteExistsError for both objects.
	ErrRemoteTagExists = errors.New("tagging: remote has the tag at another object")
	// ErrObjectNotFound reports a target commit missing from the repository
	// (including the zero hash).
	ErrObjectNotFound = errors.New("tagging: object not found")
	// ErrNotCommit reports a tag target that is not a commit.
	ErrNotCommit = errors.New("tagging: target is not a commit")
	// ErrNotFound reports a tag name missing from the repository.
	ErrNotFound = errors.New("tagging: tag not found")
	// ErrEmptyMessage reports a tag message that is empty after clean-up.
	ErrEmptyMessage = errors.New("tagging: empty tag message")
	// ErrInvalidTagger reports a missing or malformed tagger identity.
	ErrInvalidTagger = errors.New("tagging: invalid tagger")
	// ErrInvalidMessage reports a message git cannot store unambiguously: a NUL
	// byte, or a line that starts a signature block.
	ErrInvalidMessage = errors.New("tagging: invalid tag message")
	// ErrNoSigner reports a nil signature.Signer given to Create; unsigned tags are made
	// only by CreateUnsigned.
	ErrNoSigner = errors.New("tagging: no signer")
	// ErrLocked reports a reference lock (refs/tags/NAME.lock) held by another
	// writer for longer than the lock timeout.
	ErrLocked = errors.New("tagging: reference is locked")
	// ErrWrongRef reports a reference given to RequireRefAt that no longer
	// points at the requested commit.
	ErrWrongRef = errors.New("tagging: reference moved since the release was planned")
	// ErrUnsupportedStorage reports a repository that is not stored in a git
	// directory on disk, where reference creation cannot be atomic.
	ErrUnsupportedStorage = errors.New("tagging: repository storage is not a git directory")
	// ErrMalformedTag reports a tag object that does not parse strictly:
	// missing or unknown headers, NUL bytes, a bad tagger line.
	ErrMalformedTag = errors.New("tagging: malformed tag object")
	// ErrAmbiguous reports a tag object that could be read in two ways:
	// duplicate headers or more than one signature block.
	ErrAmbiguous = errors.New("tagging: ambiguous tag object")
	// ErrUnsigned reports a tag without a signature (annotated or
	// lightweight) where a signature is required.
	ErrUnsigned = errors.New("tagging: tag is not signed")
	// ErrNameMismatch reports a tag object whose tag header names another tag
	// than the reference that holds it.
	ErrNameMismatch = errors.New("tagging: tag header does not match the reference name")
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
// It matches ErrRemoteTagExists.
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

// Unwrap returns ErrRemoteTagExists.
func (e *RemoteExistsError) Unwrap() error { return ErrRemoteTagExists }

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
	// ErrNoSigner reports a nil Signer given to Create; unsigned tags are made
	// only by CreateUnsigned.
	ErrNoSigner = errors.New("tagging: no signer")
	// ErrSign reports a signer that failed or returned something that is not a
	// single armored signature block.
	ErrSign = errors.New("tagging: signing failed")
	// ErrKeyLocked reports an encrypted private key given without a passphrase.
	ErrKeyLocked = errors.New("tagging: private key is encrypted")
	// ErrBadPassphrase reports a passphrase that does not decrypt the key.
	ErrBadPassphrase = errors.New("tagging: wrong passphrase")
	// ErrInvalidKey reports key material that cannot be read or cannot sign.
	ErrInvalidKey = errors.New("tagging: invalid key")
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
	// ErrMalformedSignature reports a signature block that is not exactly one
	// well-formed signature (trailing data, bad armor, extra packets).
	ErrMalformedSignature = errors.New("tagging: malformed signature")
	// ErrBadSignature reports a signature that does not match the signed
	// bytes: a changed message, tagger, name or target, or a signature taken
	// from another object.
	ErrBadSignature = errors.New("tagging: bad signature")
	// ErrUntrustedKey reports a signature by a key that is not in the trusted
	// keyring or allowed_signers file.
	ErrUntrustedKey = errors.New("tagging: signing key is not trusted")
	// ErrKeyExpired reports a key that was expired at the verification time or
	// when it signed, or an allowed_signers entry past its valid-before.
	ErrKeyExpired = errors.New("tagging: signing key expired")
	// ErrKeyNotYetValid reports an allowed_signers entry whose valid-after is
	// later than the verification time, or a signature made after it.
	ErrKeyNotYetValid = errors.New("tagging: signing key not yet valid")
	// ErrKeyRevoked reports a revoked OpenPGP key.
	ErrKeyRevoked = errors.New("tagging: signing key revoked")
	// ErrSignatureExpired reports an OpenPGP signature past its own expiry.
	ErrSignatureExpired = errors.New("tagging: signature expired")
	// ErrNamespace reports an SSH signature made for another namespace, or an
	// allowed_signers entry whose namespaces= does not include it.
	ErrNamespace = errors.New("tagging: wrong signature namespace")
	// ErrPrincipalNotAllowed reports an SSH signer whose principals do not
	// include the required one.
	ErrPrincipalNotAllowed = errors.New("tagging: principal not allowed")
	// ErrWeakAlgorithm reports a signature or key that uses a broken or weak
	// algorithm (SHA-1, DSA, RSA under 2048 bits).
	ErrWeakAlgorithm = errors.New("tagging: weak algorithm")
	// ErrUnsupported reports a signature format or feature not supported here
	// (X.509 signatures, SSH certificates, unknown critical subpackets).
	ErrUnsupported = errors.New("tagging: unsupported signature")
	// ErrNameMismatch reports a tag object whose tag header names another tag
	// than the reference that holds it.
	ErrNameMismatch = errors.New("tagging: tag header does not match the reference name")
	// ErrFutureSignature reports a signature created after the verification time.
	ErrFutureSignature = errors.New("tagging: signature made after the verification time")
	// ErrNoTime reports a zero verification time: the time is always explicit.
	ErrNoTime = errors.New("tagging: verification time not given")
	// ErrAllowedSigners reports a line of an allowed_signers file that does not
	// parse; match *AllowedSignersError for the line number.
	ErrAllowedSigners = errors.New("tagging: invalid allowed_signers entry")
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

// An AllowedSignersError reports the line of an allowed_signers file that
// does not parse. It matches ErrAllowedSigners.
type AllowedSignersError struct {
	Line   int
	Reason string
}

// Error returns the line number and the reason.
func (e *AllowedSignersError) Error() string {
	return fmt.Sprintf("tagging: allowed_signers line %d: %s", e.Line, e.Reason)
}

// Unwrap returns ErrAllowedSigners.
func (e *AllowedSignersError) Unwrap() error { return ErrAllowedSigners }

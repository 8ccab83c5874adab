package sbom

import (
	"errors"
	"fmt"
)

// Sentinel errors. Each is documented on the functions that return it and is
// matched with errors.Is; most reach the caller wrapped with the operation.
var (
	// ErrUnsupportedSpecVersion reports a CycloneDX specVersion outside 1.4
	// to 1.7 when reading, or outside 1.5 to 1.7 when writing.
	ErrUnsupportedSpecVersion = errors.New("sbom: unsupported CycloneDX spec version")
	// ErrWrongFormat reports a document that is not CycloneDX in the expected
	// encoding: SPDX, another JSON document, or XML where JSON was expected
	// (and the reverse).
	ErrWrongFormat = errors.New("sbom: not a CycloneDX document in the expected format")
	// ErrMalformed reports a document that does not parse strictly: invalid
	// JSON or XML, trailing data, duplicate keys, a DOCTYPE or entity
	// declaration, nesting deeper than the limit.
	ErrMalformed = errors.New("sbom: malformed document")
	// ErrTooLarge reports a document over the size limit.
	ErrTooLarge = errors.New("sbom: document too large")
	// ErrInvalid reports a document that parses but breaks the CycloneDX
	// schema of its spec version or a structural rule this package checks.
	// Match *ValidationError for the list of problems.
	ErrInvalid = errors.New("sbom: document does not conform to the CycloneDX schema")
	// ErrNoSubject reports an SBOM without metadata.component, without a
	// SHA-256 hash on it, or with two different hashes of one algorithm, so
	// it cannot be bound to one artifact.
	ErrNoSubject = errors.New("sbom: SBOM names no subject digest")
	// ErrSubjectMismatch reports an SBOM, statement or provenance whose
	// subject digest is not the artifact's. Match *MismatchError for both.
	ErrSubjectMismatch = errors.New("sbom: subject digest does not match the artifact")
	// ErrReferenceMismatch reports an SBOM document whose SHA-256 is not the
	// one the release recorded: the SBOM was swapped or edited. Match
	// *MismatchError for both digests.
	ErrReferenceMismatch = errors.New("sbom: SBOM document does not match its reference")
	// ErrInvalidReference reports a Reference whose location is empty or
	// could climb out of its base ("..", backslashes, control characters),
	// or whose SHA-256 is not 64 lower-case hex digits.
	ErrInvalidReference = errors.New("sbom: invalid SBOM reference")
	// ErrInvalidDigest reports a digest that is not lower-case hex of the
	// algorithm's length, or an unknown algorithm.
	ErrInvalidDigest = errors.New("sbom: invalid digest")
	// ErrNotGoBinary reports an artifact without Go build information.
	ErrNotGoBinary = errors.New("sbom: not a Go binary with build information")
	// ErrNotGoModule reports a directory without a readable go.mod.
	ErrNotGoModule = errors.New("sbom: not a Go module")
)

// A MismatchError reports two digests that should be equal. It wraps
// ErrSubjectMismatch or ErrReferenceMismatch.
type MismatchError struct {
	Kind error  // ErrSubjectMismatch or ErrReferenceMismatch
	Want string // the digest expected, "sha256:<hex>"
	Got  string // the digest found, "sha256:<hex>" or "" when absent
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("%v: want %s, got %s", e.Kind, e.Want, orNone(e.Got))
}

// Unwrap returns Kind.
func (e *MismatchError) Unwrap() error { return e.Kind }

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// A ValidationError lists the problems found in an SBOM. It wraps
// ErrInvalid.
type ValidationError struct {
	Problems []string // one line each, in document order
}

func (e *ValidationError) Error() string {
	const max = 5
	s := fmt.Sprintf("%v: %d problem(s)", ErrInvalid, len(e.Problems))
	for i, p := range e.Problems {
		if i == max {
			s += "; ..."
			break
		}
		s += "; " + p
	}
	return s
}

// Unwrap returns ErrInvalid.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// An Error reports a document refused for a reason callers do not branch
// on. Reason is a short lower-case phrase: "malformed DSSE envelope" (bad
// JSON, unknown or duplicate fields, bad base64, no signatures),
// "unexpected DSSE payload type", "invalid in-toto statement" (not a v1
// Statement with the expected predicate type, or a malformed predicate).
// It is wrapped together with the cause, when there is one.
type Error struct {
	Reason string
}

// Error returns the reason.
func (e *Error) Error() string { return "sbom: " + e.Reason }

// Is reports whether target is an *Error with the same Reason.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Reason == e.Reason
}

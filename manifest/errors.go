package manifest

import "fmt"

// A RefusalError is a refusal that callers tell apart by its Reason rather
// than by a sentinel: of [Promote], [Rollback], [PromoteManifest],
// [RollbackManifest], [ReportDeployment] and [Record.WithSBOM] (a digest not in the record, a skipped environment, a
// tag signature that does not verify, no known-good release, a manifest
// that does not hash to its digest) and of a [Store] (a republished
// version, a locked [GitStore], a log entry or evidence too large to be read back). Reason is one of these short lower-case
// phrases:
//
//	"digest not in the release record"
//	"previous environment skipped"
//	"release tag signature does not verify"
//	"no known-good release to roll back to"
//	"manifest content does not match its digest"
//	"artifact digest changed for a published version"
//	"store reference is locked"
//	"store is locked"
//	"log entry too large"
//	"evidence too large"
//	"actor has no name"
//	"actor is not the releaser"
//	"verified identity required"
//	"release not promoted to the environment"
//	"record tag is not the release"
//	"sbom names no subject"
//	"sbom describes another artifact"
//	"rollback crosses an irreversible migration"
//
// and those of production's checks ([WithProduction]: "release tag not
// verified", "no authorization for production", "approver is the
// releaser", "reporter not authorized", ...).
//
// A [DriftError] and a [GateError] carry the other refusals' details.
type RefusalError struct {
	Reason string // what was refused, see above
	Detail string // the release, environment or file concerned; may be empty
	Err    error  // the cause (the tag verifier's error), or nil
}

// Error reads "manifest: " + Reason, then Detail and the cause.
func (e *RefusalError) Error() string { return reasonText(e.Reason, e.Detail, e.Err) }

// Unwrap returns the cause, or nil.
func (e *RefusalError) Unwrap() error { return e.Err }

// Is reports whether target is a *RefusalError with the same Reason, so
// that errors.Is(err, &RefusalError{Reason: "previous environment skipped"})
// tells a refusal apart whatever its Detail.
func (e *RefusalError) Is(target error) bool {
	t, ok := target.(*RefusalError)
	return ok && t.Reason == e.Reason
}

// A FormatError is malformed input that callers tell apart by its Reason
// rather than by a sentinel. It is wrapped in the error of [ParseRecord]
// ([ErrInvalidRecord]) or [ParseManifest] ([ErrInvalidManifest]) for an
// unsupported version or duplicate artifact names, returned by
// [ParseEntry], [NewEvent], [SignEvent], [OpenEvent],
// [DirTransport.Pending] and [ParseChangedFiles] for a malformed log entry,
// event or changed-files manifest, and by
// [CheckReport.Err] for an incomplete record. Reason is one of:
//
//	"unsupported format version"
//	"duplicate artifact name"
//	"invalid log entry"
//	"invalid deployment event"
//	"release record incomplete"
//	"invalid changed files"
type FormatError struct {
	Reason string // what is wrong, see above
	Detail string // where and which value; may be empty
	Err    error  // the cause, or nil
}

// Error reads "manifest: " + Reason, then Detail and the cause.
func (e *FormatError) Error() string { return reasonText(e.Reason, e.Detail, e.Err) }

// Unwrap returns the cause, or nil.
func (e *FormatError) Unwrap() error { return e.Err }

// Is reports whether target is a *FormatError with the same Reason, so
// that errors.Is(err, &FormatError{Reason: "invalid log entry"}) tells a
// malformed input apart whatever its Detail.
func (e *FormatError) Is(target error) bool {
	t, ok := target.(*FormatError)
	return ok && t.Reason == e.Reason
}

func reasonText(reason, detail string, err error) string {
	s := "manifest: " + reason
	if detail != "" {
		s += ": " + detail
	}
	if err != nil {
		s += ": " + err.Error()
	}
	return s
}

func refused(reason string, err error, format string, args ...any) *RefusalError {
	return &RefusalError{Reason: reason, Detail: fmt.Sprintf(format, args...), Err: err}
}

func malformed(reason string, err error, format string, args ...any) *FormatError {
	return &FormatError{Reason: reason, Detail: fmt.Sprintf(format, args...), Err: err}
}

package policy

// A ReportError is a failure about a policy report that callers tell apart
// by its Reason rather than by a sentinel. Reason is one of these short
// lower-case phrases:
//
//	"controls failed"     [Report.Err]: at least one control failed (Detail names each with its reason)
//	"invalid report"      [ReadReport]: the input is not a report as [Report.WriteJSON] writes it;
//	                      [Gate.AllowEvidence]: the report could not be encoded
//	"evaluated content differs from the promoted content"
//	                      the Result.Err of the gate's binding control (REL-GATE-001), and
//	                      wrapped by a [DeniedError] whose decision was not bound to the
//	                      record or manifest promoted (RELIABILITY row 55)
type ReportError struct {
	Reason string // what is wrong, see above
	Detail string // which results or input; may be empty
	Err    error  // the cause, or nil
}

// Error reads "policy: " + Reason, then Detail and the cause.
func (e *ReportError) Error() string {
	s := "policy: " + e.Reason
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause, or nil.
func (e *ReportError) Unwrap() error { return e.Err }

// Is reports whether target is a *ReportError with the same Reason, so that
// errors.Is(err, &ReportError{Reason: "controls failed"}) tells a failure
// apart whatever its Detail.
func (e *ReportError) Is(target error) bool {
	t, ok := target.(*ReportError)
	return ok && t.Reason == e.Reason
}

const (
	reasonFailed   = "controls failed"
	reasonInvalid  = "invalid report"
	reasonNotBound = "evaluated content differs from the promoted content"
)

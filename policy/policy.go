package policy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/releasekit/releasekit/identity"
)

// ErrMissingEvidence is the cause of a fail when the facts a control needs
// (a commit range, a tag, a file, a deployment time, pull-request data) were
// not gathered. Missing evidence is a deny, never a pass.
var ErrMissingEvidence = errors.New("policy: missing evidence")

// ErrEmptyPolicy is returned by [Report.Err] for a run without controls and
// by [ReadConfig] for a configuration that enables none: an empty policy never
// allows everything.
var ErrEmptyPolicy = errors.New("policy: no controls")

// ErrControlFailed is the cause of a fail when a control returned an error
// or panicked: an evaluator that cannot decide denies.
var ErrControlFailed = errors.New("policy: control error")

// A Status is the outcome of one control.
type Status string

// The statuses a [Result] can have. Only Fail blocks a release; Waived is a
// fail covered by a valid [Exception].
const (
	Pass          Status = "pass"
	Fail          Status = "fail"
	NotApplicable Status = "not-applicable"
	Waived        Status = "waived"
)

// A Severity ranks how much a failed control matters. The zero Severity
// reads as High.
type Severity string

// The severities, from least to most severe.
const (
	Low      Severity = "low"
	Medium   Severity = "medium"
	High     Severity = "high"
	Critical Severity = "critical"
)

// Meta describes a control: ID is stable and unique ("REL-BRANCH-001"),
// Section is the policy section it enforces ("§2.8.3.1") and Criteria the
// SOC 2 criteria it serves ("CC8.1").
type Meta struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Section  string   `json:"section"`
	Criteria []string `json:"criteria"`
	Severity Severity `json:"severity"`
}

// A Control is one release rule. Users add their own by implementing it.
// Evaluate must not modify f; it reports a missing fact as a fail caused by
// [ErrMissingEvidence]. A panic or a Result with Err set is a fail.
type Control interface {
	Meta() Meta
	Evaluate(ctx context.Context, f Facts) Result
}

// Evidence is one thing a control looked at: Kind is "commit", "tag",
// "digest", "file", "branch", "field", "pull-request" or "time"; Value the
// SHA, name, digest, path or field value; Note what was found.
type Evidence struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
	Note  string `json:"note,omitempty"`
}

// A Result is the outcome of one control. Reason says what to do when
// Status is Fail. Err is the cause of a fail when it has one
// ([ErrMissingEvidence], [ErrControlFailed]); Waiver is the exception that
// turned a fail into Waived.
type Result struct {
	Control  Meta       `json:"control"`
	Status   Status     `json:"status"`
	Reason   string     `json:"reason"`
	Evidence []Evidence `json:"evidence"`
	Err      error      `json:"-"`
	Waiver   *Exception `json:"waiver,omitempty"`
}

// pass, fail, na and missing build results; the caller fills Control.
func pass(reason string, ev ...Evidence) Result {
	return Result{Status: Pass, Reason: reason, Evidence: ev}
}

func fail(reason string, ev ...Evidence) Result {
	return Result{Status: Fail, Reason: reason, Evidence: ev}
}

func na(reason string) Result { return Result{Status: NotApplicable, Reason: reason} }

func missing(what string) Result {
	return Result{Status: Fail, Reason: "missing evidence: " + what + "; gather it before evaluating", Err: ErrMissingEvidence}
}

// A Policy is a set of controls and the exceptions that may waive them.
// The zero Policy has no controls, and evaluating it reports
// [ErrEmptyPolicy].
type Policy struct {
	Controls   []Control
	Exceptions []Exception
	// Advisory marks a policy whose failures are reported but not
	// enforced; the report records it (Report.Advisory) and Err still
	// reports the failures.
	Advisory bool
	// People maps the e-mail addresses and logins of each person to that
	// person; the controls see it as [Facts.People] and compare identities
	// through it (separation of duties, approvers, exceptions). Nil maps
	// nobody: identities are still normalised, and refused when they do
	// not normalise.
	People *identity.Directory
	// MaxExceptionLifetime bounds how far ahead of the evaluation time
	// (and of its approval, when recorded) a temporary exception may
	// expire; zero means [DefaultMaxExceptionLifetime]. An exception past
	// the bound waives nothing.
	MaxExceptionLifetime time.Duration
}

// A Report is the outcome of [Evaluate]: one Result per control, in the
// order of the policy.
type Report struct {
	Results []Result `json:"results"`
	// Advisory is copied from Policy.Advisory: callers that honour it
	// report failures without blocking.
	Advisory bool `json:"advisory"`
}

// Err returns nil when no control failed, a *[ReportError] "controls
// failed" that names each failed control otherwise, and [ErrEmptyPolicy] for a report
// without results. Waived and not-applicable results do not fail.
func (r Report) Err() error {
	if len(r.Results) == 0 {
		return ErrEmptyPolicy
	}
	var failed []string
	for _, res := range r.Results {
		if res.Status != Pass && res.Status != NotApplicable && res.Status != Waived {
			failed = append(failed, res.Control.ID+": "+res.Reason)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return &ReportError{Reason: reasonFailed, Detail: strings.Join(failed, "; ")}
}

// Counts returns how many results have each status.
func (r Report) Counts() map[Status]int {
	m := map[Status]int{}
	for _, res := range r.Results {
		m[res.Status]++
	}
	return m
}

// Evaluate runs every control of p on f, with p.People as f's directory of
// people ([Facts.People]), and applies p's exceptions. It never
// turns an error into a pass: a control without an ID, one that panics,
// returns Err with another status, or returns an unknown status (Waived
// included: only exceptions waive) fails with [ErrControlFailed]. Time-based checks use f.Now, never the wall clock.
// Evaluate is safe for concurrent use if the controls are.
func Evaluate(ctx context.Context, p Policy, f Facts) Report {
	r := Report{Advisory: p.Advisory}
	f.people = p.People
	for _, c := range p.Controls {
		res := evalOne(ctx, c, f)
		// Only a decided fail may be waived: an evaluator that errored,
		// panicked or was cancelled (ErrControlFailed) decided nothing.
		if res.Status == Fail && !errors.Is(res.Err, ErrControlFailed) {
			res = waive(res, p, f)
		}
		r.Results = append(r.Results, res)
	}
	return r
}

func evalOne(ctx context.Context, c Control, f Facts) (res Result) {
	meta := c.Meta()
	defer func() {
		if v := recover(); v != nil {
			res = Result{Control: meta, Status: Fail, Err: fmt.Errorf("%w: panic: %v", ErrControlFailed, v),
				Reason: fmt.Sprintf("control panicked (%v); fix the control, it denies until then", v)}
		}
	}()
	if meta.ID == "" {
		return Result{Control: meta, Status: Fail, Err: fmt.Errorf("%w: control without an ID", ErrControlFailed),
			Reason: fmt.Sprintf("a control of type %T has no ID; give every control a stable ID", c)}
	}
	if err := ctx.Err(); err != nil {
		return Result{Control: meta, Status: Fail, Err: fmt.Errorf("%w: %w", ErrControlFailed, err), Reason: "evaluation cancelled: " + err.Error()}
	}
	res = c.Evaluate(ctx, f)
	res.Control = meta
	if err := ctx.Err(); err != nil && (res.Err == nil || !errors.Is(res.Err, ErrControlFailed)) {
		// Cancelled while the control ran: whatever it returned may rest on
		// a partial evaluation, so it denies.
		res.Status, res.Err, res.Reason = Fail, fmt.Errorf("%w: %w", ErrControlFailed, err), "evaluation cancelled: "+err.Error()
	}
	if meta.Severity == "" {
		res.Control.Severity = High
	}
	switch {
	case res.Err != nil && !errors.Is(res.Err, ErrMissingEvidence) && !errors.Is(res.Err, ErrControlFailed):
		res.Err = fmt.Errorf("%w: %w", ErrControlFailed, res.Err)
		res.Status = Fail
		res.Reason = "control error: " + res.Err.Error() + "; fix the control or its configuration, it denies until then"
	case res.Err != nil:
		res.Status = Fail
	case res.Status != Pass && res.Status != Fail && res.Status != NotApplicable:
		bad := res.Status
		res.Err = fmt.Errorf("%w: status %q", ErrControlFailed, bad)
		res.Status = Fail
		res.Reason = fmt.Sprintf("control returned status %q; only pass, fail and not-applicable are allowed", bad)
	}
	if res.Status == Fail && res.Reason == "" {
		res.Reason = "failed without a reason"
	}
	return res
}

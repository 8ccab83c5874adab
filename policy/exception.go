package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/releasekit/releasekit/identity"
)

// DefaultMaxExceptionLifetime is the longest a temporary exception may run
// when the policy sets no Policy.MaxExceptionLifetime: 90 days, a quarter,
// so that every exception comes back for a decision at the next quarterly
// review.
// §1.32.3.1 requires exceptions to be time-bounded (a temporary one with an
// explicit expiry, a permanent one with its reconsideration date) and names
// no figure; an expiry of 9999-12-31 is not a bound.
const DefaultMaxExceptionLifetime = 90 * 24 * time.Hour

// An Exception is a recorded deviation from a control (§1.32.3.1). It
// waives a failed result of one of Controls only when every required field
// is set, its approvers include someone other than Requester, and it has
// not expired at Facts.Now: a temporary exception needs Expires, a
// permanent one Review (its next reconsideration); past that date it no
// longer waives. A temporary exception's Expires may lie at most the
// policy's maximum lifetime ([DefaultMaxExceptionLifetime]) after the
// evaluation time, and after Approved when that is recorded: an expiry of
// 9999-12-31 waives nothing. (A permanent exception is bounded by its
// Review date, which may lie at most [MaxReviewInterval] ahead.) Requester and Approvers are identities (package
// identity): an approver who may be the requester ("ada" and
// "ada@example.com") does not count, and one that does not normalise
// ("ada" plus a zero-width space) invalidates the exception.
type Exception struct {
	ID           string    `json:"id" yaml:"id"`
	Owner        string    `json:"owner" yaml:"owner"`
	Type         string    `json:"type" yaml:"type"` // "temporary" or "permanent"
	Policy       string    `json:"policy" yaml:"policy"`
	Controls     []string  `json:"controls" yaml:"controls"`
	Scope        string    `json:"scope" yaml:"scope"`
	Risk         string    `json:"risk" yaml:"risk"`
	Compensating string    `json:"compensating_controls" yaml:"compensating_controls"`
	Requester    string    `json:"requester" yaml:"requester"`
	Approvers    []string  `json:"approvers" yaml:"approvers"`
	Approved     time.Time `json:"approved,omitzero" yaml:"approved"` // when it was approved; optional
	Expires      time.Time `json:"expires,omitzero" yaml:"expires"`
	Review       time.Time `json:"review,omitzero" yaml:"review"`
	Rollback     string    `json:"rollback" yaml:"rollback"`
	Evidence     []string  `json:"evidence" yaml:"evidence"`
}

// An ExceptionOption configures [Exception.Problems].
type ExceptionOption func(*exceptionConfig)

type exceptionConfig struct {
	people      *identity.Directory
	maxLifetime time.Duration
}

// WithPeople compares the requester and the approvers through people
// (default: no mapping, normalisation only).
func WithPeople(people *identity.Directory) ExceptionOption {
	return func(c *exceptionConfig) { c.people = people }
}

// MaxReviewInterval is the longest a permanent exception may go before its
// next review (§1.32: exceptions are reconsidered periodically): a review
// date further ahead waives nothing.
const MaxReviewInterval = 366 * 24 * time.Hour

// WithMaxLifetime sets the longest an exception may run (default, and
// when d is not positive, [DefaultMaxExceptionLifetime]).
func WithMaxLifetime(d time.Duration) ExceptionOption {
	return func(c *exceptionConfig) { c.maxLifetime = d }
}

// Problems returns why e cannot waive anything at now: missing fields,
// approvals without separation of duties (an approver who may be the
// requester does not count; an identity that does not normalise is a
// problem), a temporary exception's expiry past now plus the maximum
// lifetime (or past Approved plus it), an approval after now, or expiry. It is
// empty for a valid exception. [Evaluate] calls it with the policy's
// People and MaxExceptionLifetime.
func (e Exception) Problems(now time.Time, opts ...ExceptionOption) []string {
	c := exceptionConfig{}
	for _, o := range opts {
		o(&c)
	}
	if c.maxLifetime <= 0 {
		c.maxLifetime = DefaultMaxExceptionLifetime
	}
	var p []string
	for _, f := range []struct{ name, v string }{{"id", e.ID}, {"owner", e.Owner}, {"policy", e.Policy}, {"scope", e.Scope},
		{"risk", e.Risk}, {"compensating_controls", e.Compensating}, {"requester", e.Requester}, {"rollback", e.Rollback}} {
		if strings.TrimSpace(f.v) == "" {
			p = append(p, "missing "+f.name)
		}
	}
	if len(e.Controls) == 0 {
		p = append(p, "missing controls")
	}
	if len(e.Evidence) == 0 {
		p = append(p, "missing evidence links")
	}
	p = append(p, e.approvalProblems(c.people)...)
	switch e.Type {
	case "temporary":
		if e.Expires.IsZero() {
			p = append(p, "temporary exception without expires")
		} else if !now.Before(e.Expires) {
			p = append(p, "expired on "+e.Expires.UTC().Format(time.RFC3339))
		} else if !now.IsZero() && e.Expires.Sub(now) > c.maxLifetime {
			p = append(p, fmt.Sprintf("expiry %s is more than %s after the evaluation time", e.Expires.UTC().Format("2006-01-02"), days(c.maxLifetime)))
		} else if !e.Approved.IsZero() && e.Expires.Sub(e.Approved) > c.maxLifetime {
			p = append(p, fmt.Sprintf("expiry %s is more than %s after the approval", e.Expires.UTC().Format("2006-01-02"), days(c.maxLifetime)))
		}
	case "permanent":
		if e.Review.IsZero() {
			p = append(p, "permanent exception without review date")
		} else if !now.Before(e.Review) {
			p = append(p, "review overdue since "+e.Review.UTC().Format(time.RFC3339))
		} else if !now.IsZero() && e.Review.Sub(now) > MaxReviewInterval {
			p = append(p, fmt.Sprintf("review %s is more than %s after the evaluation time: a permanent exception is reconsidered at least yearly", e.Review.UTC().Format("2006-01-02"), days(MaxReviewInterval)))
		}
	default:
		p = append(p, fmt.Sprintf("type %q is not temporary or permanent", e.Type))
	}
	if !e.Approved.IsZero() && !now.IsZero() && e.Approved.After(now) {
		p = append(p, "approved after the evaluation time")
	}
	if now.IsZero() {
		p = append(p, "no evaluation time")
	}
	return p
}

// approvalProblems checks separation of duties between the requester and
// the approvers.
func (e Exception) approvalProblems(people *identity.Directory) []string {
	if !blank(e.Requester) {
		if _, err := identity.Normalize(e.Requester); err != nil {
			return []string{"requester is not a valid identity: " + identityReason(err)}
		}
	}
	independent := false
	for _, a := range e.Approvers {
		if blank(a) {
			continue
		}
		same := false
		if !blank(e.Requester) {
			c, err := people.Conflict(a, e.Requester)
			if err != nil {
				return []string{fmt.Sprintf("approver %q is not a valid identity: %s", a, identityReason(err))}
			}
			same = c
		} else if _, err := identity.Normalize(a); err != nil {
			return []string{fmt.Sprintf("approver %q is not a valid identity: %s", a, identityReason(err))}
		}
		independent = independent || !same
	}
	if !independent {
		return []string{"no approver other than the requester"}
	}
	return nil
}

// identityReason is the reason of an *identity.Error, with its detail.
func identityReason(err error) string {
	var ie *identity.Error
	if !errors.As(err, &ie) {
		return err.Error()
	}
	if ie.Detail != "" {
		return ie.Reason + " " + ie.Detail
	}
	return ie.Reason
}

// days writes d in days when it is a whole number of them.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

// waive turns a fail into Waived when a valid exception covers it, and
// otherwise notes the exceptions that were considered and why they did
// not apply.
func waive(res Result, pol Policy, f Facts) Result {
	var notes []string
	for i := range pol.Exceptions {
		e := pol.Exceptions[i]
		if !slices.Contains(e.Controls, res.Control.ID) {
			continue
		}
		if p := e.Problems(f.Now, WithPeople(pol.People), WithMaxLifetime(pol.MaxExceptionLifetime)); len(p) > 0 {
			notes = append(notes, fmt.Sprintf("exception %s does not apply: %s", e.ID, strings.Join(p, ", ")))
			continue
		}
		res.Status = Waived
		res.Waiver = &e
		res.Reason = fmt.Sprintf("waived by exception %s (owner %s, %s): %s", e.ID, e.Owner, expiry(e), res.Reason)
		return res
	}
	if len(notes) > 0 {
		res.Reason += " [" + strings.Join(notes, "; ") + "]"
	}
	return res
}

func expiry(e Exception) string {
	if e.Type == "temporary" {
		return "expires " + e.Expires.UTC().Format("2006-01-02")
	}
	return "review " + e.Review.UTC().Format("2006-01-02")
}

package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// An Exception is a recorded deviation from a control (§1.32.3.1). It
// waives a failed result of one of Controls only when every required field
// is set, its approvers include someone other than Requester, and it has
// not expired at Facts.Now: a temporary exception needs Expires, a
// permanent one Review (its next reconsideration); past that date it no
// longer waives.
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
	Expires      time.Time `json:"expires,omitzero" yaml:"expires"`
	Review       time.Time `json:"review,omitzero" yaml:"review"`
	Rollback     string    `json:"rollback" yaml:"rollback"`
	Evidence     []string  `json:"evidence" yaml:"evidence"`
}

// Problems returns why e cannot waive anything at now: missing fields,
// approvals without separation of duties, or expiry. It is empty for a
// valid exception.
func (e Exception) Problems(now time.Time) []string {
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
	if !slices.ContainsFunc(e.Approvers, func(a string) bool {
		a = strings.TrimSpace(a)
		return a != "" && !strings.EqualFold(a, strings.TrimSpace(e.Requester))
	}) {
		p = append(p, "no approver other than the requester")
	}
	switch e.Type {
	case "temporary":
		if e.Expires.IsZero() {
			p = append(p, "temporary exception without expires")
		} else if !now.Before(e.Expires) {
			p = append(p, "expired on "+e.Expires.UTC().Format(time.RFC3339))
		}
	case "permanent":
		if e.Review.IsZero() {
			p = append(p, "permanent exception without review date")
		} else if !now.Before(e.Review) {
			p = append(p, "review overdue since "+e.Review.UTC().Format(time.RFC3339))
		}
	default:
		p = append(p, fmt.Sprintf("type %q is not temporary or permanent", e.Type))
	}
	if now.IsZero() {
		p = append(p, "no evaluation time")
	}
	return p
}

// waive turns a fail into Waived when a valid exception covers it, and
// otherwise notes the exceptions that were considered and why they did
// not apply.
func waive(res Result, exs []Exception, f Facts) Result {
	var notes []string
	for i := range exs {
		e := exs[i]
		if !slices.Contains(e.Controls, res.Control.ID) {
			continue
		}
		if p := e.Problems(f.Now); len(p) > 0 {
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

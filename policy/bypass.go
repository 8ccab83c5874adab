package policy

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/releasekit/releasekit/identity"
	"github.com/releasekit/releasekit/manifest"
)

// DefaultMaxBypassLifetime is the longest a gate bypass or a test
// quarantine may run when the policy sets no bound: 30 days. §1.13.3.5
// and §1.29 require the record to be time-bound and name no figure; a
// month is one release train, long enough to fix a flaky test and short
// enough that a forgotten bypass comes back for a decision.
const DefaultMaxBypassLifetime = 30 * 24 * time.Hour

// The kinds of [Bypass].
const (
	// BypassGate is a required gate skipped or overridden (§1.13.3.5/2).
	BypassGate = "bypass"
	// BypassQuarantine is a flaky test taken out of a required gate until
	// it is fixed (§1.29.2/3, §1.29.3.1); never a security check.
	BypassQuarantine = "quarantine"
)

// SecurityCheckKinds returns the check kinds that are security gates
// (§1.13.3.1 "Security gates", §1.29.3.1/2): "sast", "dast",
// "dependency-scan", "license-scan", "secret-scan" and "sbom". A check of
// one of them, or a required check so named, is a security check: it may
// not be quarantined, and only a [Bypass] marked Security covers it.
func SecurityCheckKinds() []string {
	return []string{"sast", "dast", "dependency-scan", "license-scan", "secret-scan", "sbom"}
}

// A Bypass is the auditable record of a required gate that was bypassed,
// or of a flaky test quarantined out of one (§1.13.3.5, §1.29), in this
// JSON form ([ReadBypasses] reads a list of them):
//
//	{
//	  "id": "BYP-12",
//	  "kind": "quarantine",
//	  "check": "integration-tests",
//	  "scope": "branch:main",
//	  "ticket": "ABC-123",
//	  "approver": "carol",
//	  "requester": "alice",
//	  "rationale": "TestCheckout times out on the shared runner one run in ten",
//	  "remediation_plan": "move the fixture to a local server; restore the test in ABC-123",
//	  "expires": "2026-03-15T00:00:00Z",
//	  "security": false
//	}
//
// Kind is "bypass" ([BypassGate]) or "quarantine" ([BypassQuarantine]).
// Check is the required check it covers, as the policy names it (a check
// name or kind, "sast": then every check satisfying it), or the one check
// it covers, as the check reports its name ("semgrep": then that check
// only, not another of its kind).
// Scope is where it applies: "environment:NAME" (a promotion or deployment
// to that environment), "release:TAG" (every promotion of that release) or
// "branch:NAME" (merges into that branch). Expires is the remediation
// date: the bypass covers nothing from then on. Security marks the bypass
// of a security check (see [SecurityCheckKinds]), which §1.29.3.1/2 allows
// only as an approved emergency exception record, never as a quarantine.
// Every field but Security is required; see [Bypass.Problems].
type Bypass struct {
	ID              string    `json:"id"`
	Kind            string    `json:"kind"`
	Check           string    `json:"check"`
	Scope           string    `json:"scope"`
	Ticket          string    `json:"ticket"`
	Approver        string    `json:"approver"`
	Requester       string    `json:"requester"`
	Rationale       string    `json:"rationale"`
	RemediationPlan string    `json:"remediation_plan"`
	Expires         time.Time `json:"expires"`
	Security        bool      `json:"security"`
}

// ReadBypasses reads a JSON list of [Bypass] records. Unknown fields,
// duplicate keys and trailing data are errors; whether each record is
// valid is [Bypass.Problems]'s question (REL-BYPASS-001 reports it).
func ReadBypasses(r io.Reader) ([]Bypass, error) {
	var bs []Bypass
	if err := readStrictJSON(r, &bs, true); err != nil {
		return nil, fmt.Errorf("policy: parse bypasses: %w", err)
	}
	if bs == nil {
		return nil, fmt.Errorf("policy: parse bypasses: want a list of bypass records, not null")
	}
	return bs, nil
}

// scopeKinds are the scopes a Bypass may name.
var scopeKinds = []string{"environment", "release", "branch"}

// scopeOf splits Scope into its kind and name.
func (b Bypass) scopeOf() (kind, name string, ok bool) {
	kind, name, ok = strings.Cut(b.Scope, ":")
	if !ok || !slices.Contains(scopeKinds, kind) || strings.TrimSpace(name) == "" || name != strings.TrimSpace(name) {
		return "", "", false
	}
	return kind, name, true
}

// Problems returns why b cannot cover a required check at now: a missing
// field, a kind other than bypass or quarantine, a malformed scope, an
// expiry that is not after now or lies more than the maximum lifetime
// after it (WithMaxLifetime; default, and when not positive,
// [DefaultMaxBypassLifetime]), an approver who may be the requester
// (compared through WithPeople's directory; an identity that does not
// normalise is a problem too), and a quarantine of a security check. It is
// empty for a valid record.
func (b Bypass) Problems(now time.Time, opts ...ExceptionOption) []string {
	c := exceptionConfig{}
	for _, o := range opts {
		o(&c)
	}
	if c.maxLifetime <= 0 {
		c.maxLifetime = DefaultMaxBypassLifetime
	}
	var p []string
	for _, f := range []struct{ name, v string }{{"id", b.ID}, {"kind", b.Kind}, {"check", b.Check}, {"scope", b.Scope},
		{"ticket", b.Ticket}, {"approver", b.Approver}, {"requester", b.Requester}, {"rationale", b.Rationale},
		{"remediation_plan", b.RemediationPlan}} {
		if strings.TrimSpace(f.v) == "" {
			p = append(p, "missing "+f.name)
		}
	}
	if b.Kind != "" && b.Kind != BypassGate && b.Kind != BypassQuarantine {
		p = append(p, fmt.Sprintf("kind %q is not bypass or quarantine", b.Kind))
	}
	if _, _, ok := b.scopeOf(); b.Scope != "" && !ok {
		p = append(p, fmt.Sprintf("scope %q is not environment:NAME, release:TAG or branch:NAME", b.Scope))
	}
	switch {
	case b.Expires.IsZero():
		p = append(p, "missing expires (the remediation date)")
	case !now.Before(b.Expires):
		p = append(p, "expired on "+b.Expires.UTC().Format(time.RFC3339))
	case b.Expires.Sub(now) > c.maxLifetime:
		p = append(p, fmt.Sprintf("expiry %s is more than %s after the evaluation time", b.Expires.UTC().Format("2006-01-02"), days(c.maxLifetime)))
	}
	if !blank(b.Approver) && !blank(b.Requester) {
		same, err := c.people.Conflict(b.Approver, b.Requester)
		switch {
		case err != nil:
			p = append(p, "approver or requester is not a valid identity ("+identityReason(err)+")")
		case same:
			p = append(p, fmt.Sprintf("approved by its requester %s", b.Requester))
		}
	}
	if b.Kind == BypassQuarantine && (b.Security || isSecurityCheck(b.Check)) {
		p = append(p, "a security check cannot be quarantined (§1.29.3.1); fix it, or record an approved security bypass")
	}
	return p
}

// covers reports whether b covers the problems of the check ch, which
// satisfies the required check req, in one of scopes ("environment:E",
// ...): b names ch or req. With ch nil (no check satisfies req) b must
// name req. It does not validate b: callers check Problems first.
func (b Bypass) covers(req string, ch *manifest.CheckResult, scopes []string) bool {
	if b.Check != req && (ch == nil || b.Check != ch.Name) {
		return false
	}
	if _, _, ok := b.scopeOf(); !ok || !slices.Contains(scopes, b.Scope) {
		return false
	}
	security := isSecurityCheck(req) || ch != nil && (isSecurityCheck(ch.Kind) || isSecurityCheck(ch.Name))
	if security && (!b.Security || b.Kind != BypassGate) {
		return false
	}
	return true
}

// isSecurityCheck reports whether the check name or kind s is one of
// SecurityCheckKinds, compared without case: "SAST" is a SAST.
func isSecurityCheck(s string) bool {
	return slices.ContainsFunc(SecurityCheckKinds(), func(k string) bool { return strings.EqualFold(k, s) })
}

// BypassRecords (REL-BYPASS-001) requires every gate bypass and test
// quarantine presented (Facts.Bypasses) to be a valid record (§1.13.3.5/1-2,
// §1.29.2/1-3, §1.29.3.1/1-2): every field set, linked to a ticket,
// time-bound (an expiry after Facts.Now and at most MaxLifetime after it;
// zero means [DefaultMaxBypassLifetime]), approved by someone other than
// its requester (compared through Facts.People), no quarantine of a
// security check, and no two records with one ID. An invalid or expired
// record fails the control; valid ones are its evidence. Without bypass
// records the control is not applicable. [RequiredChecks] accepts a
// missing or failed check only under a record this control passes.
type BypassRecords struct {
	MaxLifetime time.Duration
}

// Meta describes the control.
func (BypassRecords) Meta() Meta {
	return Meta{ID: "REL-BYPASS-001", Title: "A bypassed gate or quarantined test has a time-bound, ticket-linked, approved record", Section: "§1.13.3.5, §1.29", Criteria: []string{"CC8.1"}, Severity: High}
}

// Evaluate checks f.Bypasses.
func (c BypassRecords) Evaluate(_ context.Context, f Facts) Result {
	if len(f.Bypasses) == 0 {
		return na("no gate bypass or test quarantine recorded")
	}
	var ev, bad []Evidence
	seen := map[string]bool{}
	for _, b := range f.Bypasses {
		probs := b.Problems(f.Now, WithPeople(f.People()), WithMaxLifetime(c.MaxLifetime))
		if b.ID != "" && seen[b.ID] {
			probs = append(probs, "ID used by another record")
		}
		seen[b.ID] = true
		e := Evidence{Kind: "bypass", Value: b.ID, Note: fmt.Sprintf("%s of %s (%s), ticket %s, approved by %s, until %s", b.Kind, b.Check, b.Scope, b.Ticket, b.Approver, b.Expires.UTC().Format("2006-01-02"))}
		if b.ID == "" {
			e.Value = "(no id)"
		}
		if len(probs) > 0 {
			e.Note = strings.Join(probs, ", ")
			bad = append(bad, e)
		}
		ev = append(ev, e)
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%d bypass or quarantine record(s) are invalid: %s; give each a ticket, an approver other than the requester, a rationale, a remediation plan and an expiry within %s, or fix the gate",
			len(bad), notes(bad), days(orDefault(c.MaxLifetime, DefaultMaxBypassLifetime))), ev...)
	}
	return pass(fmt.Sprintf("%d bypass or quarantine record(s) are approved, ticket-linked and time-bound", len(ev)), ev...)
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// validBypass returns the first valid record of bs covering the check ch
// of req (nil: req is missing), or nil.
func validBypass(bs []Bypass, now time.Time, people *identity.Directory, max time.Duration, req string, ch *manifest.CheckResult, scopes []string) *Bypass {
	for i := range bs {
		b := bs[i]
		if !b.covers(req, ch, scopes) {
			continue
		}
		if len(b.Problems(now, WithPeople(people), WithMaxLifetime(max))) == 0 {
			return &b
		}
	}
	return nil
}

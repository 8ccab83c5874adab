package manifest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// This file keeps the verification of an environment after a promotion
// in the log (§1.13.5.3 "run verify-production smoke tests and monitoring
// checks", §1.17.3.2 and §1.17.3.4: verification between rollout stages,
// with its evidence; §1.22.3.4 and §1.22.5.2: recovery is declared only
// after verification gates pass, and the time of verified recovery is
// kept), next to the promotion it verifies.

// KindVerification is the kind of log entry holding a [Verification].
const KindVerification = "verification"

// A Verification is the evidence that an environment was verified after a
// promotion (or a rollback): the smoke tests and monitoring checks run
// against Env while it ran Release, each passed or failed with a link to
// its evidence (a dashboard, a test run, a signed checklist), who verified
// it and when. Promotion and Digest are the log entry of the promotion
// verified and the artifact it put in Env, filled by [RecordVerification].
// A recovery verification (Recovery) verifies the recovery from the
// incident Incident (§1.22.3.4: its At is the time of verified recovery).
type Verification struct {
	Release   string        `json:"release"`            // the release Env runs (vX.Y.Z)
	Env       string        `json:"env"`                // the environment verified
	Digest    string        `json:"digest"`             // the artifact Env runs, from the promotion
	Promotion uint64        `json:"promotion"`          // the Seq of the promotion verified
	Checks    []CheckResult `json:"checks"`             // the checks run, at least one
	Verifier  string        `json:"verifier"`           // who verified (a person or a CI identity)
	At        time.Time     `json:"at"`                 // when it was recorded
	Recovery  bool          `json:"recovery,omitempty"` // a verification of recovery from Incident
	Incident  string        `json:"incident,omitempty"` // the incident recovered from (Recovery only)
}

// Passed reports whether v has checks and every one passed.
func (v Verification) Passed() bool {
	return len(v.Checks) > 0 && !slices.ContainsFunc(v.Checks, func(c CheckResult) bool { return !c.Passed })
}

// A VerificationRequest is what [RecordVerification] logs: the checks
// (Name, Passed and URL of each [CheckResult]; at least one) run against
// Env, which must run Release, who ran them (Verifier), and, for the
// verification of a recovery, Recovery and the Incident recovered from.
type VerificationRequest struct {
	Release  string
	Env      string
	Checks   []CheckResult
	Verifier string
	Recovery bool
	Incident string
}

// check refuses a request whose fields cannot be logged as they are.
func (r VerificationRequest) check() error {
	for _, f := range []struct{ name, v string }{{"release", r.Release}, {"env", r.Env}, {"verifier", r.Verifier}} {
		if err := freeText(f.name, f.v, true); err != nil {
			return err
		}
	}
	if len(r.Checks) == 0 {
		return badField("checks", "required", nil, "name at least one smoke test or monitoring check and its outcome")
	}
	if len(r.Checks) > maxIncidentList {
		return badField("checks", "too many", nil, "%d, at most %d", len(r.Checks), maxIncidentList)
	}
	for k, c := range r.Checks {
		at := fmt.Sprintf("checks[%d]", k)
		if err := freeText(at+".name", c.Name, true); err != nil {
			return err
		}
		if err := freeText(at+".url", c.URL, false); err != nil {
			return err
		}
		if slices.ContainsFunc(r.Checks[:k], func(o CheckResult) bool { return o.Name == c.Name }) {
			return badField(at+".name", "duplicate", nil, "%q", c.Name)
		}
	}
	switch {
	case r.Recovery && !incidentIDRE.MatchString(r.Incident):
		return badField("incident", "required", nil, "%q: a recovery verification names the incident recovered from", r.Incident)
	case !r.Recovery && r.Incident != "":
		return badField("incident", "only for a recovery", nil, "set recovery to verify the recovery from %q", r.Incident)
	}
	return nil
}

// RecordVerification appends the verification r describes to st's log as a
// [KindVerification] entry and returns it. Its At is the time now
// ([WithClock]; the only option that applies), its Promotion and Digest
// those of the latest promotion (or rollback) to r.Env.
//
// It refuses, and logs nothing:
//   - a malformed request, with a *[FieldError] naming the field: Release,
//     Env or Verifier empty ("required"), longer than 4 KiB ("too long") or
//     with a control character; no check ("checks", "required"), more than
//     100, a check without a name, a name given twice ("duplicate"); a
//     Recovery without an Incident ID ("incident", "required") or an
//     Incident without Recovery ("only for a recovery");
//   - an Incident the log does not hold (a *FieldError "incident", "not in
//     the log");
//   - a release r.Env does not run: a *[RefusalError] "release not
//     promoted to the environment" when nothing, a manifest or another
//     release was promoted to r.Env last (as [ReportDeployment] decides).
//
// These refusals are not logged as [KindDenied] entries, unlike those of
// Promote and ReportDeployment: a denial records an attempt to change
// what an environment runs, which a verification is not; a verification
// that names the wrong release is a mistaken report, returned to the
// caller to correct. Checks that failed are logged: that the verification
// failed is evidence (REL-VERIFY-001 fails on it).
//
// It never appends to a log that does not verify (a *[ChainError]), and
// appends with compare-and-swap, checking the promotion again on the new
// log when another writer got there first.
func RecordVerification(ctx context.Context, st Log, r VerificationRequest, opts ...Option) (Entry, error) {
	if err := r.check(); err != nil {
		return Entry{}, err
	}
	at := newConfig(opts).now().UTC()
	for range maxAppendRetries {
		entries, err := readLog(ctx, st)
		if err != nil {
			return Entry{}, err
		}
		if r.Recovery && !slices.ContainsFunc(Incidents(entries), func(i Incident) bool { return i.ID == r.Incident }) {
			return Entry{}, badField("incident", "not in the log", nil, "no incident %q was recorded: record it first (RecordIncident)", r.Incident)
		}
		seq, p, ok := lastPromotion(entries, r.Env)
		if !ok || p.Manifest != nil || p.Release != r.Release {
			runs := "nothing was promoted to " + r.Env
			if ok {
				runs = fmt.Sprintf("%s runs %s (entry %d)", r.Env, p.Release, seq)
			}
			return Entry{}, refused("release not promoted to the environment", nil, "%s cannot be verified in %s: %s", r.Release, r.Env, runs)
		}
		v := Verification{
			Release: r.Release, Env: r.Env, Digest: p.Digest, Promotion: seq,
			Checks: slices.Clone(r.Checks), Verifier: r.Verifier, At: at,
			Recovery: r.Recovery, Incident: r.Incident,
		}
		e, err := appendAt(ctx, st, entries, Entry{Kind: KindVerification, Verification: &v})
		if errors.Is(err, ErrConflict) {
			continue
		}
		return e, err
	}
	return Entry{}, fmt.Errorf("%w: gave up after %d attempts", ErrConflict, maxAppendRetries)
}

// Verifications returns the verifications logged in entries, oldest
// first.
func Verifications(entries []Entry) []Verification {
	var out []Verification
	for _, e := range entries {
		if e.Kind == KindVerification && e.Verification != nil {
			out = append(out, *e.Verification)
		}
	}
	return out
}

package policy

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/releasekit/releasekit/manifest"
)

// DefaultVerifyWithin is how long after a production promotion
// [VerifyProduction] waits for its verification when not configured.
const DefaultVerifyWithin = time.Hour

// VerifyProduction (REL-VERIFY-001) requires each production promotion to
// be verified (§1.13.5.3 "run verify-production smoke tests and monitoring
// checks"; §1.17.3.2 and §1.17.3.4: explicit verification, with its
// evidence, between rollout stages; §1.22.3.4 and §1.22.5.2: recovery is
// declared only after verification gates pass). The latest promotion (or
// rollback) of the release evaluated (Facts.Record's tag; without a
// record, of every release promoted) to each production environment
// (Promotion.Production, or one of Environments) must be followed, within
// Within of its promotion, by a verification of that release, environment
// and digest (Facts.Verifications, manifest.RecordVerification; relctl
// verify-production) whose checks all passed; the latest such verification
// decides, so a check that fails after one that passed fails the control.
//
// A verification with a failed check fails; one recorded after Within
// has passed fails as late. With no verification yet, the control passes
// with the time it is due by until Within has passed (Facts.Now), then
// fails with [ErrMissingEvidence]. Without the promotion log
// (Facts.Promotions, or Facts.Record's) for a record, or without the
// evaluation time when a verification is still awaited, it fails with
// ErrMissingEvidence. It is not applicable when the release never reached
// production, with neither a record nor a log, and to a promotion being
// decided (Facts.Promotion, in a [Gate]): a verification follows the
// promotion it verifies, so the control judges the log afterwards.
type VerifyProduction struct {
	// Environments are production environments besides those the log
	// marks as production (Promotion.Production).
	Environments []string
	// Within is how long after a promotion its verification is due;
	// zero is [DefaultVerifyWithin].
	Within time.Duration
}

// Meta describes the control.
func (VerifyProduction) Meta() Meta {
	return Meta{ID: "REL-VERIFY-001", Title: "Production is verified after each promotion", Section: "§1.13.5.3, §1.17.3, §1.22.3.4", Criteria: []string{"CC7.1", "CC8.1"}, Severity: High}
}

// Evaluate checks the promotion log against f.Verifications.
func (c VerifyProduction) Evaluate(_ context.Context, f Facts) Result {
	within := c.Within
	if within <= 0 {
		within = DefaultVerifyWithin
	}
	if f.Promotion != nil {
		return na(fmt.Sprintf("a promotion of %s to %s is being decided: its verification follows it (evaluate the log afterwards: relctl policy --store)", f.Promotion.Release, f.Promotion.Env))
	}
	log := f.Promotions
	if log == nil && f.Record != nil {
		log = f.Record.Promotions
	}
	if log == nil {
		if f.Record == nil {
			return na("no release record and no promotion log")
		}
		return missing("the promotion log, to find the production promotions of " + f.Record.Tag)
	}
	// The latest promotion of each release to each production environment.
	type key struct{ release, env string }
	latest := map[key]manifest.Promotion{}
	var order []key
	for _, p := range log {
		if p.Manifest != nil || !(p.Production || slices.Contains(c.Environments, p.Env)) {
			continue
		}
		if f.Record != nil && p.Release != f.Record.Tag {
			continue
		}
		k := key{p.Release, p.Env}
		if _, ok := latest[k]; !ok {
			order = append(order, k)
		}
		latest[k] = p
	}
	if len(order) == 0 {
		if f.Record != nil {
			return na(fmt.Sprintf("release %s was never promoted to production", f.Record.Tag))
		}
		return na("no release was promoted to production")
	}
	var ev []Evidence
	due := 0
	for _, k := range order {
		p := latest[k]
		deadline := p.PromotedAt.Add(within)
		var last, late *manifest.Verification
		for i, v := range f.Verifications {
			if v.Release != p.Release || v.Env != p.Env || v.Digest != p.Digest || v.At.Before(p.PromotedAt) {
				continue
			}
			if v.At.After(deadline) {
				if late == nil {
					late = &f.Verifications[i]
				}
				continue
			}
			last = &f.Verifications[i]
		}
		what := fmt.Sprintf("%s in %s (promoted %s)", p.Release, p.Env, stamp(p.PromotedAt))
		switch {
		case last != nil && last.Passed():
			ev = append(ev, Evidence{Kind: "verification", Value: fmt.Sprintf("%s %s", p.Release, p.Env),
				Note: fmt.Sprintf("%d check(s) passed, verified by %s at %s", len(last.Checks), last.Verifier, stamp(last.At))})
		case last != nil:
			var failed []string
			for _, ch := range last.Checks {
				if !ch.Passed {
					failed = append(failed, ch.Name)
					ev = append(ev, Evidence{Kind: "check", Value: ch.Name, Note: "failed " + ch.URL})
				}
			}
			return fail(fmt.Sprintf("the verification of %s at %s failed %v: fix production or roll back, then verify again (relctl verify-production)", what, stamp(last.At), failed), ev...)
		case late != nil:
			return fail(fmt.Sprintf("%s was verified only at %s, after its deadline %s: verify production within %s of each promotion", what, stamp(late.At), stamp(deadline), within), ev...)
		case f.Now.IsZero():
			return missing("the evaluation time, to tell whether the verification of " + what + " is due")
		case f.Now.After(deadline):
			return missing(fmt.Sprintf("a verification of %s: it was due by %s; run the smoke tests and monitoring checks and record them (relctl verify-production)", what, stamp(deadline)))
		default:
			due++
			ev = append(ev, Evidence{Kind: "verification", Value: fmt.Sprintf("%s %s", p.Release, p.Env), Note: "due by " + stamp(deadline)})
		}
	}
	return pass(fmt.Sprintf("%d production promotion(s) verified, %d due within %s", len(order)-due, due, within), ev...)
}

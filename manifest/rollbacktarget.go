package manifest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// This file checks a release record's rollback target (§1.13.5.3,
// §1.20.5.1: rollback instructions reference a known-good version and
// digest): [CheckRollbackTarget], which [Promote] applies before a
// production promotion.

// RollbackNone is the rollback.version of a first release, which has no
// earlier release to roll back to. A reason may follow in parentheses
// ("none (first release)"); say how the release is undone instead in
// rollback.method ("disable the feature flag", "remove the deployment").
const RollbackNone = "none"

// controlRollback is the control a rollback-target refusal answers to.
const controlRollback = "REL-ROLLBACK-001"

// A RollbackTargetError says why a record's rollback target
// (Record.Rollback) is not a known-good release. Reason is one of:
//
//	"no rollback target"      rollback.version is empty
//	"names the release itself" rollback.version is the record's own tag
//	"not released"            no valid record of that version in the store
//	"digest differs"          rollback.digest is not one of the target's
//	                          artifacts, or not one that ran in production
//	"never in production"     the target was never promoted to a production environment
//	"rolled back from"        production was rolled back from the target and has not run it since
//	"not the first release"   rollback.version is "none", but production ran another release before
type RollbackTargetError struct {
	Release string // the record checked
	Target  string // its rollback.version
	Reason  string // see above
	Detail  string // what was found; may be empty
	Err     error  // the cause (the store's refusal of the target's record), or nil
}

// Error reads "manifest: rollback target of RELEASE: TARGET " + Reason, then Detail and the cause.
func (e *RollbackTargetError) Error() string {
	return reasonText(fmt.Sprintf("rollback target %q of %s: %s", e.Target, e.Release, e.Reason), e.Detail, e.Err)
}

// Unwrap returns the cause, or nil.
func (e *RollbackTargetError) Unwrap() error { return e.Err }

// Is reports whether target is a *RollbackTargetError with the same
// Reason, or with no Reason, so that errors.Is(err,
// &RollbackTargetError{Reason: "not released"}) tells the reasons apart.
func (e *RollbackTargetError) Is(target error) bool {
	t, ok := target.(*RollbackTargetError)
	return ok && (t.Reason == "" || t.Reason == e.Reason)
}

// Controls names the control the refusal answers to (REL-ROLLBACK-001),
// for the denial logged ([Controls]).
func (e *RollbackTargetError) Controls() []string { return []string{controlRollback} }

// IsFirstRelease reports whether a rollback version says that there is no
// earlier release: [RollbackNone], alone or followed by a parenthesised
// reason.
func IsFirstRelease(version string) bool {
	v := strings.TrimSpace(version)
	return v == RollbackNone || strings.HasPrefix(v, RollbackNone+" (") && strings.HasSuffix(v, ")")
}

// CheckRollbackTarget returns nil when rec's rollback target is a
// known-good release: rec.Rollback.Version names a release whose record st
// holds, which carries rec.Rollback.Digest (when given) and which was
// promoted to a production environment (by default the last of the
// order; [WithOrder], [WithProduction]) with that digest, as the
// verified log says, and which production was not rolled back from
// since (a release rolled back from is known-good again only once
// production runs it again). A first release names no target
// ([IsFirstRelease]); that is accepted only while production has run no
// other release. Otherwise it returns a *[RollbackTargetError] saying
// why; a store that cannot be read, or a log that does not verify (a
// *[ChainError]), is returned as it is. [Promote] makes this check
// before every promotion to production once the log shows production ran
// a release.
func CheckRollbackTarget(ctx context.Context, st Store, rec Record, opts ...Option) error {
	c := newConfig(opts)
	_, hist, err := readHistory(ctx, st)
	if err != nil {
		return err
	}
	return c.checkRollbackTarget(ctx, st, rec, hist)
}

// checkRollbackTarget is CheckRollbackTarget on the promotions hist.
func (c config) checkRollbackTarget(ctx context.Context, st Records, rec Record, hist []Promotion) error {
	rb := rec.Rollback
	no := func(reason, format string, args ...any) error {
		return &RollbackTargetError{Release: rec.Tag, Target: rb.Version, Reason: reason, Detail: fmt.Sprintf(format, args...)}
	}
	inProduction := func(p Promotion) bool {
		return p.Manifest == nil && (p.Production || c.isProduction(p.Env))
	}
	switch {
	case invisible(rb.Version):
		return no("no rollback target", "name the last known-good release in rollback.version (%q for a first release)", RollbackNone)
	case IsFirstRelease(rb.Version):
		// Production ran no other release before this one first ran
		// there: a rollback to the first release later stays valid.
		for _, p := range hist {
			if inProduction(p) && p.Release == rec.Tag {
				break
			}
			if inProduction(p) && p.Release != rec.Tag {
				return no("not the first release", "%s ran %s in production: name it (or a later known-good release) as the rollback target", p.Env, p.Release)
			}
		}
		return nil
	case rb.Version == rec.Tag:
		return no("names the release itself", "")
	}
	target, err := st.Record(ctx, rb.Version)
	if err == nil {
		err = CheckRecordTag(rb.Version, target)
	}
	if err != nil {
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalidRecord) || errors.Is(err, ErrInvalidName) {
			return &RollbackTargetError{Release: rec.Tag, Target: rb.Version, Reason: "not released", Detail: "the store has no valid record of it", Err: err}
		}
		return fmt.Errorf("check rollback target of %s: %w", rec.Tag, err)
	}
	if rb.Digest != "" && !target.HasDigest(rb.Digest) {
		return no("digest differs", "%s is not an artifact of %s", rb.Digest, rb.Version)
	}
	var ran []string
	for _, p := range hist {
		if inProduction(p) && p.Release == rb.Version {
			if rb.Digest == "" || p.Digest == rb.Digest {
				if from, ok := rolledBackFrom(hist, rb.Version, inProduction); ok {
					return no("rolled back from", "%s rolled back from %s at %s and has not run it since: name a known-good release", from.Env, rb.Version, from.PromotedAt.UTC().Format(time.RFC3339))
				}
				return nil
			}
			ran = append(ran, p.Digest)
		}
	}
	if len(ran) > 0 {
		return no("digest differs", "%s ran %s in production, not %s", rb.Version, strings.Join(ran, ", "), rb.Digest)
	}
	return no("never in production", "no promotion of %s to a production environment in the log", rb.Version)
}

// ranProduction reports whether hist holds a record promotion to a
// production environment.
func (c config) ranProduction(hist []Promotion) bool {
	for _, p := range hist {
		if p.Manifest == nil && (p.Production || c.isProduction(p.Env)) {
			return true
		}
	}
	return false
}

// rolledBackFrom returns the rollback from release when it is the latest
// of the record promotions of hist that in selects which run release or
// roll back from it: the environment was rolled back from release and
// has not run it since.
func rolledBackFrom(hist []Promotion, release string, in func(Promotion) bool) (Promotion, bool) {
	var from Promotion
	bad := false
	for _, p := range hist {
		if p.Manifest != nil || !in(p) {
			continue
		}
		switch {
		case p.Release == release:
			bad = false
		case p.RollbackFrom == release:
			from, bad = p, true
		}
	}
	return from, bad
}

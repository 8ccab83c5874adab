package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/releasekit/releasekit/manifest"
)

// This file holds the controls of the release lifecycle after the tag:
// the rollback target (REL-ROLLBACK-001), migrations without a safe
// rollback (REL-MIGRATION-001) and verification of production after a
// promotion (REL-VERIFY-001, in verify.go).

// RollbackTarget (REL-ROLLBACK-001) requires the rollback instructions of
// Facts.Record to reference a known-good release (§1.13.5.3, §1.20.5.1):
// rollback.version names a release whose record is Facts.RollbackTarget
// (as the store holds it), which carries rollback.digest when one is
// given, and which ran in production with it: a promotion of it in
// Facts.Promotions (or the record's own promotions) to a production
// environment (Promotion.Production, or an environment named in
// Environments), and which production was not rolled back from since (a
// release rolled back from is known-good again only once production runs
// it again). A first release says rollback.version "none" (or "none
// (reason)", manifest.IsFirstRelease), which passes only while the log
// shows no production promotion of another release. Without the target's
// record, or without a log for a first release, the control fails with
// [ErrMissingEvidence]; without a record it is not applicable.
// manifest.Promote makes the same check before every production
// promotion (manifest.CheckRollbackTarget).
type RollbackTarget struct {
	// Environments are production environments besides those the log
	// marks as production (Promotion.Production).
	Environments []string
}

// Meta describes the control.
func (RollbackTarget) Meta() Meta {
	return Meta{ID: "REL-ROLLBACK-001", Title: "The rollback target is a release that ran in production", Section: "§1.13.5.3, §1.20.5.1", Criteria: []string{"CC7.5", "CC8.1"}, Severity: High}
}

// rolledBackFrom returns the production rollback from release when it is
// the latest production promotion that runs release or rolls back from
// it: production has not run release since it was rolled back from.
func (c RollbackTarget) rolledBackFrom(log []manifest.Promotion, release string) (manifest.Promotion, bool) {
	var from manifest.Promotion
	bad := false
	for _, p := range log {
		if !c.production(p) {
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

// production reports whether p is a record promotion to production.
func (c RollbackTarget) production(p manifest.Promotion) bool {
	return p.Manifest == nil && (p.Production || slices.Contains(c.Environments, p.Env))
}

// Evaluate checks f.Record, f.RollbackTarget and the promotion log.
func (c RollbackTarget) Evaluate(_ context.Context, f Facts) Result {
	r := f.Record
	if r == nil {
		return na("no release record")
	}
	rb := r.Rollback
	log := f.Promotions
	if log == nil {
		log = r.Promotions
	}
	ev := []Evidence{{Kind: "rollback", Value: rb.Version, Note: rb.Method}}
	switch {
	case strings.TrimSpace(rb.Version) == "":
		return fail(fmt.Sprintf("release %s names no rollback target: set rollback.version to the last known-good release (\"none\" for a first release)", r.Tag), ev...)
	case manifest.IsFirstRelease(rb.Version):
		if log == nil {
			return missing("the promotion log, to show that " + r.Tag + " is a first release")
		}
		// Production ran no other release before this one first ran
		// there: a rollback to the first release later stays valid.
		for _, p := range log {
			if c.production(p) && p.Release == r.Tag {
				break
			}
			if c.production(p) && p.Release != r.Tag {
				ev = append(ev, Evidence{Kind: "promotion", Value: p.Release, Note: "ran in " + p.Env})
				return fail(fmt.Sprintf("release %s says it is a first release, but %s ran %s in production: name it (or a later known-good release) as rollback.version with its digest", r.Tag, p.Env, p.Release), ev...)
			}
		}
		return pass(fmt.Sprintf("release %s is a first release: production ran no other release (rollback: %s)", r.Tag, rb.Method), ev...)
	case rb.Version == r.Tag:
		return fail(fmt.Sprintf("release %s names itself as its rollback target: name the last known-good release", r.Tag), ev...)
	}
	t := f.RollbackTarget
	if t == nil {
		return missing(fmt.Sprintf("the record of rollback target %s (a release the store has no record of was never released)", rb.Version))
	}
	if t.Tag != rb.Version {
		return fail(fmt.Sprintf("the rollback target's record is of %s, not %s: gather the record of %s", t.Tag, rb.Version, rb.Version), ev...)
	}
	if rb.Digest != "" && !t.HasDigest(rb.Digest) {
		ev = append(ev, Evidence{Kind: "digest", Value: rb.Digest, Note: "rollback.digest"})
		return fail(fmt.Sprintf("rollback digest %s is not an artifact of %s: name the digest %s ran in production", rb.Digest, rb.Version, rb.Version), ev...)
	}
	if log == nil {
		return missing("the promotion log, to show that " + rb.Version + " ran in production")
	}
	var ran []string
	for _, p := range log {
		if c.production(p) && p.Release == rb.Version {
			if rb.Digest == "" || p.Digest == rb.Digest {
				ev = append(ev, Evidence{Kind: "promotion", Value: p.Digest, Note: fmt.Sprintf("%s ran in %s at %s", rb.Version, p.Env, p.PromotedAt.UTC().Format("2006-01-02T15:04:05Z"))})
				if from, ok := c.rolledBackFrom(log, rb.Version); ok {
					ev = append(ev, Evidence{Kind: "promotion", Value: from.Release, Note: fmt.Sprintf("%s rolled back from %s at %s", from.Env, rb.Version, from.PromotedAt.UTC().Format("2006-01-02T15:04:05Z"))})
					return fail(fmt.Sprintf("rollback target %s of %s was rolled back from in production (%s) and has not run there since: it is not known-good; name a release production ran without rolling back", rb.Version, r.Tag, from.Env), ev...)
				}
				return pass(fmt.Sprintf("rollback target %s of %s ran in production (%s)", rb.Version, r.Tag, p.Env), ev...)
			}
			ran = append(ran, p.Digest)
		}
	}
	if len(ran) > 0 {
		return fail(fmt.Sprintf("rollback target %s ran %s in production, not rollback.digest %s: name the digest that ran", rb.Version, strings.Join(ran, ", "), rb.Digest), ev...)
	}
	return fail(fmt.Sprintf("rollback target %s of %s never ran in production: roll back only to a release production ran", rb.Version, r.Tag), ev...)
}

package policy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/releasekit/releasekit/manifest"
)

// Defaults of [BreakGlass].
const (
	DefaultBreakGlassDuration = 24 * time.Hour // the longest an emergency-change record may run
	DefaultReviewWithin       = 72 * time.Hour // when the post-incident review is due after the change
)

// BreakGlass (REL-BREAKGLASS-001) holds emergency changes to the
// break-glass rules of §1.21.3.6 and §1.32.3.2:
//
//   - a separate approval path: the emergency-change approver must be one
//     of Approvers (the on-call managers), and neither the deployment's
//     approver nor its releaser (separation of duties holds in an
//     emergency too);
//   - a time bound: the record has an ID and Expires, the change happens
//     before Expires, and the record runs MaxDuration at most;
//   - a post-incident review for every emergency change in the promotion
//     log (Facts.Promotions, or Facts.Record's): a [manifest.Review]
//     (Facts.Reviews, from the log) of that record and release, completed
//     within ReviewWithin of the change, and not after Facts.Now (a review
//     dated in the future has not happened). A review not yet due is
//     evidence, not a fail; an overdue or late one fails.
//
// It evaluates the emergency record of Facts.Promotion or
// Facts.Deployment and the emergency changes already logged; without any
// emergency change it is not applicable. Without Approvers it fails: an
// emergency path nobody is named for is no separate path.
type BreakGlass struct {
	Approvers    []string
	MaxDuration  time.Duration // 0: DefaultBreakGlassDuration
	ReviewWithin time.Duration // 0: DefaultReviewWithin
}

// Meta describes the control.
func (BreakGlass) Meta() Meta {
	return Meta{ID: "REL-BREAKGLASS-001", Title: "Emergency changes have a separate approval path, a time bound and a timely post-incident review", Section: "§1.21.3.6, §1.32.3.2", Criteria: []string{"CC6.3", "CC7.4", "CC8.1"}, Severity: High}
}

// errNoEmergencyApprovers is the cause of a fail of a BreakGlass without
// approvers.
var errNoEmergencyApprovers = errors.New("policy: REL-BREAKGLASS-001 has no emergency approvers: configure approvers (the on-call managers)")

// Evaluate checks the emergency records of f.
func (c BreakGlass) Evaluate(_ context.Context, f Facts) Result {
	type current struct {
		em   *manifest.EmergencyChange
		at   time.Time
		busy []string // the approvers and releaser of the change
		what string
	}
	var now []current
	if p := f.Promotion; p != nil && p.Emergency != nil {
		at := p.RequestedAt
		if at.IsZero() {
			at = f.Now
		}
		busy := []string{p.Approver, p.Releaser}
		if p.Actor != nil {
			busy = append(busy, p.Actor.Name)
		}
		now = append(now, current{p.Emergency, at, busy, "promotion of " + p.Release + " to " + p.Env})
	}
	if d := f.Deployment; d != nil && d.Emergency != nil {
		at := d.At
		if at.IsZero() {
			at = f.Now
		}
		now = append(now, current{d.Emergency, at, append(slices.Clone(d.Approvers), d.Releaser), "deployment to " + d.Environment})
	}
	logged := f.Promotions
	if logged == nil && f.Record != nil {
		logged = f.Record.Promotions
	}
	var past []manifest.Promotion
	for _, p := range logged {
		if p.Emergency != nil {
			past = append(past, p)
		}
	}
	if len(now) == 0 && len(past) == 0 {
		return na("no emergency change")
	}
	if len(c.Approvers) == 0 {
		return Result{Status: Fail, Reason: errNoEmergencyApprovers.Error(), Err: errNoEmergencyApprovers}
	}
	maxDur, within := c.MaxDuration, c.ReviewWithin
	if maxDur <= 0 {
		maxDur = DefaultBreakGlassDuration
	}
	if within <= 0 {
		within = DefaultReviewWithin
	}
	people := f.People()
	var ev []Evidence
	for _, cur := range now {
		em := cur.em
		if cur.at.IsZero() {
			return missing("the time of the emergency " + cur.what + " (and no evaluation time)")
		}
		if blank(em.ID) {
			return fail(fmt.Sprintf("the emergency-change record of the %s has no ID; give it the incident or change ID so that its post-incident review can be linked (§1.21.3.6)", cur.what), ev...)
		}
		ev = append(ev, Evidence{Kind: "field", Value: em.ID, Note: "emergency change, " + cur.what})
		in, err := people.Contains(c.Approvers, em.Approver)
		if err != nil {
			return invalidIdentity("the emergency-change approver", err, ev...)
		}
		ev = append(ev, Evidence{Kind: "field", Value: em.Approver, Note: "emergency approver"})
		if !in {
			return fail(fmt.Sprintf("emergency change %s was approved by %s, who is not on the emergency approval path (%d approver(s) configured); have an on-call manager approve it (§1.21.3.6)", em.ID, em.Approver, len(c.Approvers)), ev...)
		}
		busy, err := conflictsWith(people, em.Approver, cur.busy...)
		if err != nil {
			return invalidIdentity("an approver of the emergency change", err, ev...)
		}
		if busy {
			return fail(fmt.Sprintf("emergency change %s was approved by %s, who also approves or runs the %s; the emergency approval must come from a separate person (§1.21.3.6)", em.ID, em.Approver, cur.what), ev...)
		}
		switch {
		case em.Expires.IsZero():
			return fail(fmt.Sprintf("emergency change %s has no expiry; break-glass access is time-bounded: set expires (at most %s after the change)", em.ID, maxDur), ev...)
		case !cur.at.Before(em.Expires):
			return fail(fmt.Sprintf("emergency change %s expired at %s, before the %s at %s; file a new emergency record", em.ID, stamp(em.Expires), cur.what, stamp(cur.at)), ev...)
		case em.Expires.Sub(cur.at) > maxDur:
			return fail(fmt.Sprintf("emergency change %s runs until %s, more than %s after the %s; shorten it", em.ID, stamp(em.Expires), maxDur, cur.what), ev...)
		}
		ev = append(ev, Evidence{Kind: "time", Value: stamp(em.Expires), Note: "emergency expires"})
	}
	seen := map[string]bool{}
	for _, p := range past {
		em := p.Emergency
		if blank(em.ID) {
			return fail(fmt.Sprintf("the logged emergency change of %s to %s at %s has no ID, so no post-incident review can be linked to it; record its review under an exception", p.Release, p.Env, stamp(p.PromotedAt)), ev...)
		}
		key := em.ID + "\x00" + p.Release
		if seen[key] {
			continue
		}
		seen[key] = true
		due := p.PromotedAt.Add(within)
		i := slices.IndexFunc(f.Reviews, func(r manifest.Review) bool { return r.Emergency == em.ID && r.Release == p.Release })
		if i < 0 {
			if f.Now.IsZero() {
				return missing("the evaluation time, to tell whether the review of emergency change " + em.ID + " is overdue")
			}
			if f.Now.After(due) {
				return fail(fmt.Sprintf("the post-incident review of emergency change %s (%s to %s at %s) was due at %s and is not logged; complete it, link it to the change's PRs, commits and tag, and record it (§1.32.3.2)",
					em.ID, p.Release, p.Env, stamp(p.PromotedAt), stamp(due)), ev...)
			}
			ev = append(ev, Evidence{Kind: "time", Value: stamp(due), Note: "post-incident review of " + em.ID + " due"})
			continue
		}
		r := f.Reviews[i]
		if err := r.Check(); err != nil {
			return fail(fmt.Sprintf("the post-incident review of emergency change %s is incomplete: %v", em.ID, err), ev...)
		}
		if f.Now.IsZero() {
			return missing("the evaluation time, to tell whether the post-incident review of emergency change " + em.ID + " has happened")
		}
		if r.CompletedAt.After(f.Now) {
			return fail(fmt.Sprintf("the post-incident review of emergency change %s is dated %s, after the evaluation time %s: a review is evidence once it happened; record it when it is complete", em.ID, stamp(r.CompletedAt), stamp(f.Now)), ev...)
		}
		if r.CompletedAt.After(due) {
			return fail(fmt.Sprintf("the post-incident review of emergency change %s was completed at %s, after its deadline %s; record why under an exception", em.ID, stamp(r.CompletedAt), stamp(due)), ev...)
		}
		ev = append(ev, Evidence{Kind: "time", Value: stamp(r.CompletedAt), Note: "post-incident review of " + em.ID + " by " + r.Reviewer})
	}
	return pass(fmt.Sprintf("%d emergency change(s): separate approval, time-bounded, reviews on time", len(now)+len(seen)), ev...)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

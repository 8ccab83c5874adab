package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/releasekit/releasekit/manifest"
	"gopkg.in/yaml.v3"
)

// GoNoGoDecision (REL-GONOGO-001) requires a production promotion of a
// release record to follow a recorded "go" decision (§1.14.3/10: decision,
// attendees, risks accepted, rollback plan and approver recorded; §2.6.2/2:
// production promotion includes a go/no-go decision by the Release
// Manager or a delegated approver, unless it is an emergency change). It
// reads Facts.Record.GoNoGo ([manifest.GoNoGo]): it must be complete
// ([manifest.GoNoGo.Problems]), say [manifest.Go], be made by an approver
// who cannot be the author of the pull request evaluated
// (Facts.PullRequest; identities compared through Facts.People), and be
// made no later than the promotion (Promotion.RequestedAt, else
// PromotedAt, else Deployment.At, else Facts.Now).
//
// A promotion is to production when the log marks it so
// (Promotion.Production), when its environment is "production" or one of
// Environments, or when Facts.Deployment is to such an environment. No
// release record, no production promotion, a manifest promotion, or an
// emergency change (Promotion.Emergency or Deployment.Emergency, governed
// by REL-WINDOW-001 and REL-BREAKGLASS-001): not applicable. Without the
// pull request, or any time for the promotion, the control fails with
// [ErrMissingEvidence].
type GoNoGoDecision struct {
	Environments []string
}

// Meta describes the control.
func (GoNoGoDecision) Meta() Meta {
	return Meta{ID: "REL-GONOGO-001", Title: "A production promotion follows a recorded go decision by an approver other than the author", Section: "§1.14.3, §2.6.2", Criteria: []string{"CC8.1"}, Severity: High}
}

func (c GoNoGoDecision) production(env string) bool {
	return env == "production" || slices.Contains(c.Environments, env)
}

// Evaluate checks f.Record's go/no-go decision against f.Promotion or
// f.Deployment and f.PullRequest.
func (c GoNoGoDecision) Evaluate(_ context.Context, f Facts) Result {
	r := f.Record
	if r == nil {
		return na("no release record")
	}
	p, d := f.Promotion, f.Deployment
	prod := (p != nil && p.Manifest == nil && (p.Production || c.production(p.Env))) || (d != nil && c.production(d.Environment))
	if !prod {
		return na("no production promotion of " + r.Tag)
	}
	if (p != nil && p.Emergency != nil) || (d != nil && d.Emergency != nil) {
		return na("an emergency change: §2.6.2/2 exempts it from the go/no-go decision (REL-WINDOW-001 and REL-BREAKGLASS-001 govern it)")
	}
	var at time.Time
	switch {
	case p != nil && !p.RequestedAt.IsZero():
		at = p.RequestedAt
	case p != nil && !p.PromotedAt.IsZero():
		at = p.PromotedAt
	case d != nil && !d.At.IsZero():
		at = d.At
	default:
		at = f.Now
	}
	g := r.GoNoGo
	if g == nil {
		return fail(fmt.Sprintf("the record of %s has no go/no-go decision; record it (decision, approver, attendees, risks accepted, rollback plan, time) before promoting to production", r.Tag))
	}
	ev := []Evidence{{Kind: "field", Value: "go_no_go.decision", Note: g.Decision + " by " + g.Approver + " at " + stamp(g.At)}}
	if probs := g.Problems(); len(probs) > 0 {
		s := make([]string, len(probs))
		for i, pr := range probs {
			s[i] = "go_no_go." + pr.Field + ": " + pr.Message
		}
		return fail(fmt.Sprintf("the go/no-go decision of %s is incomplete: %s", r.Tag, strings.Join(s, "; ")), ev...)
	}
	if g.Decision != manifest.Go {
		return fail(fmt.Sprintf("the go/no-go decision of %s is %q by %s: do not promote it to production; record a new go decision once its risks are resolved", r.Tag, g.Decision, g.Approver), ev...)
	}
	if f.PullRequest == nil || blank(f.PullRequest.Author) {
		return missing("the pull request of " + r.Tag + " and its author, whom the go/no-go approver must not be")
	}
	if conflict, err := conflictsWith(f.People(), g.Approver, f.PullRequest.Author); err != nil {
		return invalidIdentity("go/no-go approver", err, ev...)
	} else if conflict {
		return fail(fmt.Sprintf("the go decision of %s was made by %s, who may be the author of pull request #%d; the Release Manager or a delegated approver other than the author must decide", r.Tag, g.Approver, f.PullRequest.Number), ev...)
	}
	if at.IsZero() {
		return missing("the time of the production promotion of " + r.Tag)
	}
	if g.At.After(at) {
		return fail(fmt.Sprintf("the go decision of %s was recorded at %s, after the promotion at %s; decide before promoting", r.Tag, stamp(g.At), stamp(at)), ev...)
	}
	return pass(fmt.Sprintf("%s goes to production on a go decision by %s at %s (%d attendee(s), %d risk(s) accepted)", r.Tag, g.Approver, stamp(g.At), len(g.Attendees), len(g.Risks)), ev...)
}

// loadGoNoGo reads REL-GONOGO-001's parameters: {environments: [prod-eu]}.
func loadGoNoGo(v *yaml.Node) (Control, error) {
	envs, err := productionEnvs(v)
	if err != nil {
		return nil, err
	}
	return GoNoGoDecision{Environments: envs}, nil
}

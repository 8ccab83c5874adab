package policy

import (
	"context"
	"fmt"
	"slices"

	"github.com/releasekit/releasekit/manifest"
)

// ChangeRecords (REL-CHANGE-001) requires every configuration and
// feature-flag change to production in Facts.Changes (manifest.LoggedChanges
// of the log; relctl change record) to be governed as a production change
// (§1.17.3.1, §1.17.3.4, §1.19.3.2, §1.19.3.4, §1.19.5.1, §1.22.3.3): a
// well-formed record (manifest.Change.Check: kind, name, environment,
// before and after, actor, time, reason), a ticket, an approver who is not
// the actor (Facts.People, as separation of duties compares people), a
// pull request for a configuration change (§1.19.3.2: "an approved PR"),
// and a change window or the ID of an emergency-change record that a
// logged promotion or rollback carries (Facts.Promotions, or
// Facts.Record's; without the log that is missing evidence).
//
// A change is to production when its environment is one of Environments,
// one the promotion log marks as production (Promotion.Production), or
// is named "prod" or "production"; changes to other environments are
// listed as evidence. Without changes the control is not applicable.
type ChangeRecords struct {
	// Environments are production environments besides those the log
	// marks as production and "prod" and "production".
	Environments []string
}

// Meta describes the control.
func (ChangeRecords) Meta() Meta {
	return Meta{ID: "REL-CHANGE-001", Title: "Configuration and feature-flag changes are governed as production changes", Section: "§1.17.3, §1.19.3, §1.22.3.3", Criteria: []string{"CC8.1"}, Severity: High}
}

// Evaluate checks f.Changes.
func (c ChangeRecords) Evaluate(_ context.Context, f Facts) Result {
	if len(f.Changes) == 0 {
		return na("no configuration or feature-flag change given (the changes of the log: relctl policy --store)")
	}
	logged := f.Promotions
	if logged == nil && f.Record != nil {
		logged = f.Record.Promotions
	}
	production := func(env string) bool {
		return env == "prod" || env == "production" || slices.Contains(c.Environments, env) ||
			slices.ContainsFunc(logged, func(p manifest.Promotion) bool { return p.Production && p.Env == env })
	}
	var ev []Evidence
	n := 0
	for _, ch := range f.Changes {
		what := fmt.Sprintf("%s change %s in %s at %s", ch.Kind, ch.Name, ch.Env, stamp(ch.At))
		if !production(ch.Env) {
			ev = append(ev, Evidence{Kind: "change", Value: ch.Name, Note: what + ": not production"})
			continue
		}
		if err := ch.Check(); err != nil {
			return fail(fmt.Sprintf("the %s is not a complete change record: %v; record it with every field (relctl change record)", what, err), ev...)
		}
		same, err := f.People().Conflict(ch.Actor, ch.Approver)
		if err != nil {
			return invalidIdentity("approver of the "+what, err, ev...)
		}
		if same {
			return fail(fmt.Sprintf("the %s was approved by %s, who made it (%s): a production change is approved by another person", what, ch.Approver, ch.Actor), ev...)
		}
		if ch.Kind == manifest.ChangeConfig && blank(ch.PR) {
			return fail(fmt.Sprintf("the %s names no pull request: a configuration change is made through an approved pull request", what), ev...)
		}
		how := "window " + ch.Window
		switch {
		case ch.Emergency != "":
			if logged == nil {
				return missing("the promotion log, to find the emergency-change record " + ch.Emergency + " of the " + what)
			}
			if !slices.ContainsFunc(logged, func(p manifest.Promotion) bool { return p.Emergency != nil && p.Emergency.ID == ch.Emergency }) {
				return fail(fmt.Sprintf("the %s names the emergency-change record %s, which no logged promotion or rollback carries: make production changes in a change window or under a logged emergency record", what, ch.Emergency), ev...)
			}
			how = "emergency " + ch.Emergency
		case blank(ch.Window):
			return fail(fmt.Sprintf("the %s names neither a change window nor an emergency-change record: production changes happen in a window or under an emergency record", what), ev...)
		}
		n++
		ev = append(ev, Evidence{Kind: "change", Value: ch.Name, Note: fmt.Sprintf("%s: %q → %q by %s, approved by %s, %s, %s", what, ch.Before, ch.After, ch.Actor, ch.Approver, ch.Ticket, how)})
	}
	if n == 0 {
		return na(fmt.Sprintf("none of the %d change(s) is to production", len(f.Changes)))
	}
	return pass(fmt.Sprintf("%d production change(s) recorded with a ticket, a separate approver and a window or emergency record", n), ev...)
}

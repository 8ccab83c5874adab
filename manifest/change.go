package manifest

import (
	"context"
	"time"

	"github.com/releasekit/releasekit/identity"
)

// This file keeps configuration and feature-flag changes in the log as
// the production changes they are (§1.17.3.1, §1.17.3.4, §1.19.3.2,
// §1.19.3.4, §1.22.3.3: auditable who, what, when and why; the ticket and
// pull request; a maker and a checker; a change window or an emergency
// record), next to the promotions.

// KindChange is the kind of log entry holding a [Change].
const KindChange = "change"

// The kinds of a [Change].
const (
	ChangeFlag   = "flag"   // a feature flag's value or rollout changed
	ChangeConfig = "config" // a configuration value changed
)

// maxChangeValue bounds a Change's Before and After.
const maxChangeValue = 4096

// A Change is a configuration or feature-flag change to an environment,
// recorded as a production change: what changed (Kind, Name, Before and
// After: the old and new value, which is also how to revert it), where
// (Env), who made it (Actor) and who approved it (Approver, another
// person), when (At), why (Reason), the change request (Ticket) and the
// pull request (PR) it is linked to, and the change window it was made in
// (Window) or the ID of the emergency-change record it was made under
// (Emergency).
type Change struct {
	Kind      string    `json:"kind"`   // ChangeFlag or ChangeConfig
	Name      string    `json:"name"`   // the flag or configuration key
	Env       string    `json:"env"`    // the environment changed
	Before    string    `json:"before"` // the old value ("" for a new key)
	After     string    `json:"after"`  // the new value ("" for a removed key)
	Actor     string    `json:"actor"`
	Approver  string    `json:"approver"`
	Ticket    string    `json:"ticket"`
	PR        string    `json:"pr,omitempty"` // "#123" or a URL; a config change made through a pull request
	At        time.Time `json:"at"`
	Window    string    `json:"window,omitempty"`
	Emergency string    `json:"emergency,omitempty"` // an EmergencyChange.ID
	Reason    string    `json:"reason"`
}

// Check reports the first problem of c as a *[FieldError] naming the
// field, or nil. It is what [RecordChange] checks before logging, but for
// the approver being the actor.
func (c Change) Check() error {
	switch c.Kind {
	case ChangeFlag, ChangeConfig:
	default:
		return badField("kind", "unknown kind", nil, "%q: want flag or config", c.Kind)
	}
	for _, f := range []struct{ name, v string }{{"name", c.Name}, {"env", c.Env}, {"actor", c.Actor}, {"approver", c.Approver}, {"ticket", c.Ticket}, {"reason", c.Reason}} {
		if err := freeText(f.name, f.v, true); err != nil {
			return err
		}
	}
	for _, f := range []struct{ name, v string }{{"pr", c.PR}, {"window", c.Window}, {"before", c.Before}, {"after", c.After}} {
		if err := freeText(f.name, f.v, false); err != nil {
			return err
		}
	}
	switch {
	case len(c.Before) > maxChangeValue:
		return badField("before", "too long", nil, "%d bytes, at most %d", len(c.Before), maxChangeValue)
	case len(c.After) > maxChangeValue:
		return badField("after", "too long", nil, "%d bytes, at most %d", len(c.After), maxChangeValue)
	case c.Before == c.After:
		return badField("after", "unchanged", nil, "before and after are both %q", c.After)
	case c.At.IsZero():
		return badField("at", "required", nil, "when the change was made")
	case c.Emergency != "" && !incidentIDRE.MatchString(c.Emergency):
		return badField("emergency", "invalid", nil, "%q: want the ID of the emergency-change record", c.Emergency)
	}
	return nil
}

// RecordChange appends c to st's log as a [KindChange] entry, after
// [Change.Check]: a malformed change is a *[FieldError] naming the field,
// and nothing is logged. So is a change whose Approver may be its Actor
// (identity.Directory.Conflict, as Promote compares a releaser and an
// approver): a *FieldError "approver" "is the actor", or "invalid
// identity" when either does not normalise. A change without a window or
// an emergency record is logged (that it happened is evidence);
// REL-CHANGE-001 then fails on it.
func RecordChange(ctx context.Context, st Log, c Change) (Entry, error) {
	if err := c.Check(); err != nil {
		return Entry{}, err
	}
	same, err := (*identity.Directory)(nil).Conflict(c.Actor, c.Approver)
	if err != nil {
		return Entry{}, badField("approver", "invalid identity", err, "%q and %q cannot be compared", c.Actor, c.Approver)
	}
	if same {
		return Entry{}, badField("approver", "is the actor", nil, "%q made the change and cannot approve it: another person approves", c.Actor)
	}
	c.At = c.At.UTC()
	if _, err := readLog(ctx, st); err != nil {
		return Entry{}, err
	}
	return st.Append(ctx, Entry{Kind: KindChange, Change: &c})
}

// LoggedChanges returns the configuration and feature-flag changes logged in
// entries, oldest first.
func LoggedChanges(entries []Entry) []Change {
	var out []Change
	for _, e := range entries {
		if e.Kind == KindChange && e.Change != nil {
			out = append(out, *e.Change)
		}
	}
	return out
}

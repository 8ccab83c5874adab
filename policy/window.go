package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/releasekit/releasekit/identity"
	"github.com/releasekit/releasekit/manifest"
)

// A Window is a weekly production change window: on Days, from Start to End
// ("HH:MM", End exclusive, End after Start) in the IANA time zone Zone
// ("Europe/Berlin"; empty means UTC). Times are wall-clock times in Zone, so
// a window keeps its local hours across daylight-saving changes.
type Window struct {
	Days  []time.Weekday `json:"days"`
	Start string         `json:"start"`
	End   string         `json:"end"`
	Zone  string         `json:"zone"`
}

// A Freeze forbids changes from From (inclusive) to To (exclusive): for
// [ChangeWindow], production changes, windows notwithstanding; for
// [MainReleasable], it is the approved freeze under which main may be
// unreleasable. An approved, recorded freeze ([Freeze.Missing]) names
// who approved it, its Scope (what is blocked and why), its Reason, its
// ExitCriteria (and re-enable plan) and, optionally, the Ticket that
// records it.
type Freeze struct {
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	Reason       string    `json:"reason"`
	Approver     string    `json:"approver,omitempty"`
	Scope        string    `json:"scope,omitempty"`
	ExitCriteria string    `json:"exit_criteria,omitempty"`
	Ticket       string    `json:"ticket,omitempty"`
}

// contains reports whether t falls in w.
func (w Window) contains(t time.Time) (bool, error) {
	loc := time.UTC
	if w.Zone == "Local" {
		// time.LoadLocation("Local") is the host's zone: the same policy
		// would open different windows on different machines.
		return false, fmt.Errorf("window zone %q: name an IANA time zone such as Europe/Berlin", w.Zone)
	}
	if w.Zone != "" {
		l, err := time.LoadLocation(w.Zone)
		if err != nil {
			return false, fmt.Errorf("window zone %q: %w", w.Zone, err)
		}
		loc = l
	}
	start, err := clock(w.Start)
	if err != nil {
		return false, err
	}
	end, err := clock(w.End)
	if err != nil {
		return false, err
	}
	if end <= start {
		return false, fmt.Errorf("window %s-%s: end is not after start", w.Start, w.End)
	}
	lt := t.In(loc)
	if !slices.Contains(w.Days, lt.Weekday()) {
		return false, nil
	}
	m := lt.Hour()*60 + lt.Minute()
	return m >= start && m < end, nil
}

func clock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("window time %q: want HH:MM", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// String returns the window as "Mon,Tue 09:00-16:00 Europe/Berlin".
func (w Window) String() string {
	days := make([]string, len(w.Days))
	for i, d := range w.Days {
		days[i] = d.String()[:3]
	}
	zone := w.Zone
	if zone == "" {
		zone = "UTC"
	}
	return fmt.Sprintf("%s %s-%s %s", strings.Join(days, ","), w.Start, w.End, zone)
}

// ChangeWindow (REL-WINDOW-001) allows a deployment to one of Environments
// (nil: "production") only inside one of Windows and outside every Freeze,
// or with a complete [manifest.EmergencyChange] record (§1.21.3.5): every
// field but ID holds something visible, and the approver is a valid
// identity (package identity). The deployment
// time is Facts.Deployment.At, or Facts.Now when that is zero. No windows
// means every normal change fails.
type ChangeWindow struct {
	Windows      []Window
	Freezes      []Freeze
	Environments []string
}

// Meta describes the control.
func (ChangeWindow) Meta() Meta {
	return Meta{ID: "REL-WINDOW-001", Title: "Production changes happen in a change window or under an emergency record", Section: "§1.21.3.5", Criteria: []string{"CC8.1"}, Severity: High}
}

// Evaluate checks f.Deployment.
func (c ChangeWindow) Evaluate(_ context.Context, f Facts) Result {
	d := f.Deployment
	if d == nil {
		return na("no deployment")
	}
	envs := c.Environments
	if len(envs) == 0 {
		envs = []string{"production"}
	}
	if !slices.Contains(envs, d.Environment) {
		return na(fmt.Sprintf("environment %q has no change windows", d.Environment))
	}
	at := d.At
	if at.IsZero() {
		at = f.Now
	}
	if at.IsZero() {
		return missing("deployment time (and no evaluation time)")
	}
	ev := []Evidence{{Kind: "time", Value: at.UTC().Format(time.RFC3339), Note: "deployment to " + d.Environment}}
	if e := d.Emergency; e != nil {
		if miss := missingEmergency(e); len(miss) > 0 {
			return fail(fmt.Sprintf("emergency-change record lacks %s; complete it", strings.Join(miss, ", ")), ev...)
		}
		if _, err := identity.Normalize(e.Approver); err != nil {
			return invalidIdentity("the emergency-change approver", err, ev...)
		}
		ev = append(ev, Evidence{Kind: "field", Value: e.Approver, Note: "emergency approver"})
		return pass("emergency change approved by "+e.Approver+": "+e.Reason, ev...)
	}
	for _, fr := range c.Freezes {
		if fr.From.IsZero() || !fr.To.After(fr.From) {
			return Result{Status: Fail, Err: fmt.Errorf("freeze %q: needs from and a later to", fr.Reason), Evidence: ev}
		}
	}
	for _, fr := range c.Freezes {
		if !at.Before(fr.From) && at.Before(fr.To) {
			return fail(fmt.Sprintf("deployment at %s falls in the freeze %s to %s (%s); wait for the freeze to end or file an emergency-change record",
				at.UTC().Format(time.RFC3339), fr.From.UTC().Format(time.RFC3339), fr.To.UTC().Format(time.RFC3339), fr.Reason), ev...)
		}
	}
	for _, w := range c.Windows {
		ok, err := w.contains(at)
		if err != nil {
			return Result{Status: Fail, Err: err, Evidence: ev}
		}
		if ok {
			ev = append(ev, Evidence{Kind: "field", Value: w.String(), Note: "window used"})
			return pass("deployment inside the window "+w.String(), ev...)
		}
	}
	names := make([]string, len(c.Windows))
	for i, w := range c.Windows {
		names[i] = w.String()
	}
	if len(names) == 0 {
		names = []string{"none configured"}
	}
	return fail(fmt.Sprintf("deployment at %s is outside every change window (%s); deploy in a window or file an emergency-change record",
		at.UTC().Format(time.RFC3339), strings.Join(names, "; ")), ev...)
}

// missingEmergency names the fields an emergency-change record lacks
// (empty, or nothing visible: see manifest.EmergencyChange.Missing), by the
// names the report has always used.
func missingEmergency(e *manifest.EmergencyChange) []string {
	missing := e.Missing()
	var m []string
	for _, f := range []struct{ name, field string }{{"reason", "reason"}, {"approver", "approver"}, {"scope", "scope"}, {"rollback", "rollback_plan"}, {"follow_ups", "follow_up"}} {
		if slices.Contains(missing, f.field) {
			m = append(m, f.name)
		}
	}
	return m
}

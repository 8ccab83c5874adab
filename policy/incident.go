package policy

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/releasekit/releasekit/manifest"
)

// IncidentRecords (REL-INCIDENT-001) requires every incident of
// Facts.Incidents (the latest state of each, [manifest.Incidents] of the
// log) to be the audit-ready record of §1.22.5.2: ID and severity, impact
// window, the release, commit and digest running, and, once closed, the
// rollback mechanism used (§1.22.3), the approvers and the window or
// emergency record, verification evidence with every check passed
// (§1.22.3.4: recovery is declared only after verification gates pass)
// and follow-up actions mapped to controls, tests or gates
// ([manifest.Incident.Check]). An incident closed under an emergency
// record must name one that is in the promotion log (Facts.Promotions, or
// Facts.Record's); without the log that is missing evidence. An impact
// start or end after Facts.Now fails (recovery declared in advance), and
// without Facts.Now that is missing evidence. Open incidents are listed as
// evidence. Without incidents the control is not applicable.
type IncidentRecords struct{}

// Meta describes the control.
func (IncidentRecords) Meta() Meta {
	return Meta{ID: "REL-INCIDENT-001", Title: "Incident records are audit-ready", Section: "§1.22.5.2, §1.22.3", Criteria: []string{"CC7.4", "CC7.5"}, Severity: Medium}
}

// Evaluate checks f.Incidents.
func (IncidentRecords) Evaluate(_ context.Context, f Facts) Result {
	if len(f.Incidents) == 0 {
		return na("no incident given (the incidents of the log: relctl policy --store)")
	}
	logged := f.Promotions
	if logged == nil && f.Record != nil {
		logged = f.Record.Promotions
	}
	if f.Now.IsZero() {
		return missing("the evaluation time, to tell whether the incidents' impact windows have begun and ended")
	}
	var ev []Evidence
	open := 0
	for _, i := range f.Incidents {
		if err := i.Check(); err != nil {
			return fail(fmt.Sprintf("incident %s is not audit-ready: %v; record it again with the field (§1.22.5.2)", i.ID, err), ev...)
		}
		for _, t := range []struct {
			name string
			at   time.Time
		}{{"impact_start", i.ImpactStart}, {"impact_end", i.ImpactEnd}} {
			if t.at.After(f.Now) {
				return fail(fmt.Sprintf("incident %s has %s %s, after the evaluation time %s: recovery is declared once it happened, not in advance (§1.22.3.4); record the time it happened", i.ID, t.name, stamp(t.at), stamp(f.Now)), ev...)
			}
		}
		note := fmt.Sprintf("%s incident in %s, %s", i.Severity, i.Env, i.Release)
		if i.ImpactEnd.IsZero() {
			open++
			ev = append(ev, Evidence{Kind: "field", Value: i.ID, Note: note + ", open since " + stamp(i.ImpactStart)})
			continue
		}
		if i.Emergency != "" {
			if logged == nil {
				return missing("the promotion log, to find the emergency-change record " + i.Emergency + " of incident " + i.ID)
			}
			if !slices.ContainsFunc(logged, func(p manifest.Promotion) bool { return p.Emergency != nil && p.Emergency.ID == i.Emergency }) {
				return fail(fmt.Sprintf("incident %s names the emergency-change record %s, which no logged promotion or rollback carries; name the record the remediation was made under", i.ID, i.Emergency), ev...)
			}
		}
		ev = append(ev, Evidence{Kind: "field", Value: i.ID, Note: fmt.Sprintf("%s, %s to %s, %s, %d check(s) verified, %d follow-up(s)",
			note, stamp(i.ImpactStart), stamp(i.ImpactEnd), i.Mechanism, len(i.Verification), len(i.FollowUps))})
	}
	return pass(fmt.Sprintf("%d incident record(s) complete, %d open", len(f.Incidents), open), ev...)
}

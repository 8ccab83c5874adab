package manifest

import (
	"fmt"
	"unicode"

	"github.com/releasekit/releasekit/identity"
)

// Missing returns the JSON names of the required fields of e ("reason",
// "scope", "approver", "rollback_plan", "follow_up", in that order) that
// are empty or hold nothing visible: only white space, control, format and
// other default-ignorable characters (a zero-width space U+200B alone is
// empty). It is empty for a complete record.
func (e EmergencyChange) Missing() []string {
	var m []string
	for _, f := range []struct{ name, v string }{{"reason", e.Reason}, {"scope", e.Scope}, {"approver", e.Approver},
		{"rollback_plan", e.RollbackPlan}, {"follow_up", e.FollowUp}} {
		if invisible(f.v) {
			m = append(m, f.name)
		}
	}
	return m
}

// checkEmergency refuses, with ErrApprovalRequired, an emergency-change
// record that lacks a field ([EmergencyChange.Missing]) or whose approver
// is not a valid identity (identity.Normalize).
func checkEmergency(em *EmergencyChange) error {
	if len(em.Missing()) > 0 {
		return fmt.Errorf("%w: emergency change needs reason, scope, approver, rollback plan and follow-up", ErrApprovalRequired)
	}
	if _, err := identity.Normalize(em.Approver); err != nil {
		return fmt.Errorf("%w: emergency change approver: %w", ErrApprovalRequired, err)
	}
	return nil
}

// invisible reports whether s has nothing visible in it: it is empty or
// made of white space, control, format, default-ignorable characters,
// variation selectors and the braille blank only.
func invisible(s string) bool {
	for _, r := range s {
		if !unicode.In(r, unicode.White_Space, unicode.Cc, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point,
			unicode.Variation_Selector) && r != '\u2800' {
			return false
		}
	}
	return true
}

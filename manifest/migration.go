package manifest

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// This file marks releases that cross a data migration (§1.22.3.2,
// §1.22.3.3) and keeps [Rollback] from rolling an environment back across
// one that has no safe rollback.

// A Migration marks a release that changes stored data (a database
// schema, a data backfill): Description says what it changes, Reversible
// whether running the release before it on the migrated data is safe (an
// expand/contract step), and ForwardFix, required when it is not, the
// forward-only remediation to apply instead of a rollback (§1.22.3.3:
// "no safe rollback" conditions and their forward-only remediation).
type Migration struct {
	Description string `json:"description"`
	Reversible  bool   `json:"reversible"`
	ForwardFix  string `json:"forward_fix,omitempty"`
}

// Irreversible reports whether m is a migration without a safe rollback.
func (m *Migration) Irreversible() bool { return m != nil && !m.Reversible }

// The mechanisms a rollback is carried out by ([RollbackRequest].Mechanism,
// §1.22.3: the rollback mechanism used is recorded).
const (
	MechanismRedeploy    = "redeploy"     // the previous artifact redeployed (what Rollback does; the default)
	MechanismFeatureFlag = "feature-flag" // a feature flag turned off with the redeploy
	MechanismConfig      = "config"       // a configuration change with the redeploy
	MechanismHotfix      = "hotfix"       // a hotfix follows; the redeploy is the stopgap
)

// mechanism returns the mechanism of req (MechanismRedeploy when empty),
// or a *FieldError "mechanism" "unknown mechanism".
func (req RollbackRequest) mechanism() (string, error) {
	switch m := req.Mechanism; m {
	case "":
		return MechanismRedeploy, nil
	case MechanismRedeploy, MechanismFeatureFlag, MechanismConfig, MechanismHotfix:
		return m, nil
	default:
		return "", badField("mechanism", "unknown mechanism", nil, "%q: want %s, %s, %s or %s", m, MechanismRedeploy, MechanismFeatureFlag, MechanismConfig, MechanismHotfix)
	}
}

// reasonMigration is the Reason of the refusal to roll back across an
// irreversible migration.
const reasonMigration = "rollback crosses an irreversible migration"

// crossedMigrations returns the releases env ran after target's latest
// promotion there, up to the one it runs now, whose record marks an
// irreversible migration: rolling env back to target runs target's code
// on data they migrated. A record that cannot be read is a refusal
// (refused true) when the store has none valid, otherwise a store failure.
func crossedMigrations(ctx context.Context, st Records, hist []Promotion, env string, target Promotion) (crossed []string, refused bool, err error) {
	from := -1
	for i, p := range hist {
		if p.Manifest == nil && p.Env == env && p.Release == target.Release {
			from = i
		}
	}
	var seen []string
	for _, p := range hist[from+1:] {
		if p.Manifest != nil || p.Env != env || p.Release == target.Release || slices.Contains(seen, p.Release) {
			continue
		}
		seen = append(seen, p.Release)
		rec, refusedRec, err := lookupRecord(ctx, st, "rollback "+env, p.Release)
		if err != nil {
			return nil, refusedRec, err
		}
		if rec.Migration.Irreversible() {
			crossed = append(crossed, fmt.Sprintf("%s (%s; forward fix: %s)", rec.Tag, rec.Migration.Description, orNone(rec.Migration.ForwardFix)))
		}
	}
	return crossed, false, nil
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "none recorded"
	}
	return s
}

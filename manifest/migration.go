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

// migrationOverride returns the refusal to take env back from release
// from to release to across the releases crossed, or, when override says
// why that is safe, what the Promotion records ("" when nothing is
// crossed).
func migrationOverride(env, from, to string, crossed []string, override string) (string, error) {
	if len(crossed) == 0 {
		return "", nil
	}
	if invisible(override) {
		return "", refused(reasonMigration, nil, "rolling %s back from %s to %s crosses %s: apply the forward fix instead, or give the reason rolling back is safe (AcrossMigration)",
			env, from, to, strings.Join(crossed, ", "))
	}
	return override + " (crosses " + strings.Join(crossed, ", ") + ")", nil
}

// promoteAcrossMigration applies [Rollback]'s migration guard to a
// promotion: promoting a release that req.Env ran before, after which it
// ran another, takes the environment back to it. It returns what the
// Promotion records as crossed (see migrationOverride), or the refusal
// (refused true) or store failure of crossedMigrations.
func promoteAcrossMigration(ctx context.Context, st Records, hist []Promotion, req PromoteRequest) (override string, refused bool, err error) {
	cur, ok := latest(hist, req.Env, false)
	if !ok || cur.Release == req.Release {
		return "", false, nil
	}
	target, ran := Promotion{}, false
	for _, p := range hist {
		if p.Manifest == nil && p.Env == req.Env && p.Release == req.Release {
			target, ran = p, true
		}
	}
	if !ran {
		return "", false, nil // a release new to env goes forward
	}
	crossed, refusedRec, err := crossedMigrations(ctx, st, hist, req.Env, target)
	if err != nil {
		return "", refusedRec, err
	}
	override, err = migrationOverride(req.Env, cur.Release, req.Release, crossed, req.AcrossMigration)
	return override, err != nil, err
}

package manifest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
)

// TestRollbackAcrossMigration: Rollback refuses to roll an environment
// back across a release whose migration has no safe rollback (§1.22.3.2,
// §1.22.3.3), unless the request says why it is safe, which is recorded;
// the rollback mechanism is validated and recorded (§1.22.3).
func TestRollbackAcrossMigration(t *testing.T) {
	ctx := t.Context()
	v11 := withTarget("v1.1.0", "app-1.1", "v1.0.0", digestOf("app"))
	v11.Migration = &manifest.Migration{Description: "drop column users.nickname", ForwardFix: "restore nicknames from the backup table"}
	v12 := withTarget("v1.2.0", "app-1.2", "v1.1.0", digestOf("app-1.1"))
	st := newStore(t, completeRecord("v1.0.0", "app"), v11, v12)
	opts := []manifest.Option{manifest.WithClock(clock())}
	promoteAll(t, st, "v1.0.0", "app", opts...)
	promoteAll(t, st, "v1.1.0", "app-1.1", opts...)
	promoteAll(t, st, "v1.2.0", "app-1.2", opts...)
	rb := manifest.RollbackRequest{Env: "prod", Approver: "alice", Reason: "INC-7 error rate"}

	bad := rb
	bad.Mechanism = "prayer"
	_, err := rollback(ctx, st, bad, opts...)
	require.ErrorIs(t, err, &manifest.FieldError{Field: "mechanism", Reason: "unknown mechanism"})

	// v1.2.0 → v1.1.0 crosses no migration (v1.1.0's ran, and stays).
	flag := rb
	flag.Mechanism = manifest.MechanismFeatureFlag
	e, err := rollback(ctx, st, flag, opts...)
	require.NoError(t, err)
	assert.Equal(t, "v1.1.0", e.Promotion.Release)
	assert.Equal(t, manifest.MechanismFeatureFlag, e.Promotion.Mechanism)
	assert.Empty(t, e.Promotion.AcrossMigration)

	// v1.1.0 → v1.0.0 would run v1.0.0 on data v1.1.0 migrated.
	e, err = rollback(ctx, st, rb, opts...)
	require.ErrorIs(t, err, &manifest.RefusalError{Reason: "rollback crosses an irreversible migration"})
	assert.Contains(t, err.Error(), "v1.1.0 (drop column users.nickname; forward fix: restore nicknames from the backup table)")
	require.Equal(t, manifest.KindDenied, e.Kind, "the refusal is logged")

	over := rb
	over.AcrossMigration = "nicknames restored from the backup table (INC-7)"
	e, err = rollback(ctx, st, over, opts...)
	require.NoError(t, err)
	assert.Equal(t, "v1.0.0", e.Promotion.Release)
	assert.Equal(t, manifest.MechanismRedeploy, e.Promotion.Mechanism, "the redeploy Rollback does")
	assert.Equal(t, "nicknames restored from the backup table (INC-7) (crosses v1.1.0 (drop column users.nickname; forward fix: restore nicknames from the backup table))", e.Promotion.AcrossMigration)
}

// TestCheckMigration: a migration says what it changes, and one without a
// safe rollback its forward-only remediation (§1.22.3.3).
func TestCheckMigration(t *testing.T) {
	r := completeRecord("v1.1.0", "app")
	r.Migration = &manifest.Migration{Reversible: true}
	assert.Equal(t, []manifest.Problem{{Field: "migration.description", Message: "missing: say what the migration changes"}}, manifest.Check(r).Problems)
	r.Migration = &manifest.Migration{Description: "drop a column"}
	assert.Equal(t, []manifest.Problem{{Field: "migration.forward_fix", Message: "missing: a migration without a safe rollback needs its forward-only remediation"}}, manifest.Check(r).Problems)
	r.Migration.ForwardFix = "restore from backup"
	assert.Empty(t, manifest.Check(r).Problems)
	b, err := manifest.MarshalRecord(r)
	require.NoError(t, err)
	back, err := manifest.ParseRecord(b)
	require.NoError(t, err)
	assert.Equal(t, r.Migration, back.Migration)
}

// TestPromoteAcrossMigration: Promote of a release the environment ran
// before takes it back across the releases it ran since, as Rollback
// does: across an irreversible migration it is refused and logged, unless
// the request says why it is safe, which is recorded (§1.22.3.3).
func TestPromoteAcrossMigration(t *testing.T) {
	ctx := t.Context()
	v11 := withTarget("v1.1.0", "app-1.1", "v1.0.0", digestOf("app"))
	v12 := withTarget("v1.2.0", "app-1.2", "v1.1.0", digestOf("app-1.1"))
	v12.Migration = &manifest.Migration{Description: "drop column users.nickname", ForwardFix: "restore from backup"}
	st := newStore(t, completeRecord("v1.0.0", "app"), v11, v12)
	opts := []manifest.Option{manifest.WithClock(clock())}
	promoteAll(t, st, "v1.0.0", "app", opts...)
	promoteAll(t, st, "v1.1.0", "app-1.1", opts...)
	promoteAll(t, st, "v1.2.0", "app-1.2", opts...)

	// Rollback refuses: v1.2.0 -> v1.1.0 crosses v1.2.0's migration.
	_, err := rollback(ctx, st, manifest.RollbackRequest{Env: "prod", Approver: "alice", Reason: "INC-7"}, opts...)
	require.ErrorIs(t, err, &manifest.RefusalError{Reason: "rollback crosses an irreversible migration"})

	// Promote of v1.1.0 again is the same step back, refused the same way.
	e, err := promote(ctx, st, req("v1.1.0", "prod", "app-1.1"), opts...)
	require.ErrorIs(t, err, &manifest.RefusalError{Reason: "rollback crosses an irreversible migration"})
	assert.Contains(t, err.Error(), "v1.2.0 (drop column users.nickname; forward fix: restore from backup)")
	require.Equal(t, manifest.KindDenied, e.Kind, "the refusal is logged")

	over := req("v1.1.0", "prod", "app-1.1")
	over.AcrossMigration = "nicknames restored (INC-7)"
	e, err = promote(ctx, st, over, opts...)
	require.NoError(t, err)
	assert.Equal(t, "nicknames restored (INC-7) (crosses v1.2.0 (drop column users.nickname; forward fix: restore from backup))", e.Promotion.AcrossMigration)

	// Going forward again crosses nothing: v1.2.0 ran, and its migration stays.
	e, err = promote(ctx, st, req("v1.2.0", "prod", "app-1.2"), opts...)
	require.NoError(t, err)
	assert.Empty(t, e.Promotion.AcrossMigration)
}

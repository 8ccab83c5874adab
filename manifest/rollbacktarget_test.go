package manifest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
)

// withTarget returns the complete record of release (artifact content
// artifact) whose rollback target is version with digest.
func withTarget(release, artifact, version, digest string) manifest.Record {
	r := completeRecord(release, artifact)
	r.Rollback = manifest.RollbackPlan{Method: "redeploy", Version: version, Digest: digest}
	return r
}

// TestCheckRollbackTarget: a record's rollback target must be a release
// the store holds, carrying the digest named, that ran in production
// (§1.13.5.3, §1.20.5.1); a first release names none, which holds only
// while production ran no other release. Every store.
func TestCheckRollbackTarget(t *testing.T) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			ctx := t.Context()
			st, err := s.open(newDir(t, s.init))
			require.NoError(t, err)
			opts := []manifest.Option{manifest.WithClock(clock())}
			first := completeRecord("v1.0.0", "app-1.0") // rollback.version "none"
			require.NoError(t, st.PutRecord(ctx, first))
			require.NoError(t, manifest.CheckRollbackTarget(ctx, st, first, opts...), "a first release names no target")
			staged := completeRecord("v1.0.1", "app-1.0.1")
			require.NoError(t, st.PutRecord(ctx, staged))
			promoteAll(t, st, "v1.0.0", "app-1.0", opts...)
			for _, env := range []string{"dev", "staging"} {
				_, err := promote(ctx, st, req("v1.0.1", env, "app-1.0.1"), opts...)
				require.NoError(t, err)
			}
			require.NoError(t, manifest.CheckRollbackTarget(ctx, st, first, opts...), "still the first release once in production")

			tests := []struct {
				name   string
				rec    manifest.Record
				reason string // "" for none
			}{
				{"released to production", withTarget("v1.1.0", "app-1.1", "v1.0.0", digestOf("app-1.0")), ""},
				{"released, no digest named", withTarget("v1.1.0", "app-1.1", "v1.0.0", ""), ""},
				{"first release after another", withTarget("v1.1.0", "app-1.1", "none (first release)", ""), "not the first release"},
				{"no target", withTarget("v1.1.0", "app-1.1", " ", ""), "no rollback target"},
				{"itself", withTarget("v1.1.0", "app-1.1", "v1.1.0", ""), "names the release itself"},
				{"never released", withTarget("v1.1.0", "app-1.1", "v9.9.9", ""), "not released"},
				{"not a release name", withTarget("v1.1.0", "app-1.1", "../v1.0.0", ""), "not released"},
				{"digest of another artifact", withTarget("v1.1.0", "app-1.1", "v1.0.0", digestOf("app-1.0.1")), "digest differs"},
				{"never in production", withTarget("v1.1.0", "app-1.1", "v1.0.1", digestOf("app-1.0.1")), "never in production"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					err := manifest.CheckRollbackTarget(ctx, st, tt.rec, opts...)
					if tt.reason == "" {
						require.NoError(t, err)
						return
					}
					require.ErrorIs(t, err, &manifest.RollbackTargetError{Reason: tt.reason})
					var te *manifest.RollbackTargetError
					require.ErrorAs(t, err, &te)
					assert.Equal(t, "v1.1.0", te.Release)
					assert.Equal(t, tt.rec.Rollback.Version, te.Target)
				})
			}

			// A release whose production promotion ran another digest
			// than the one named: v1.0.1's record holds both artifacts.
			two := completeRecord("v1.2.0", "app-1.2")
			two.Artifacts = append(two.Artifacts, manifest.Artifact{Name: "tools", Digest: digestOf("tools-1.2")})
			two.Rollback = manifest.RollbackPlan{Method: "redeploy", Version: "v1.0.0", Digest: digestOf("app-1.0")}
			require.NoError(t, st.PutRecord(ctx, two))
			promoteAll(t, st, "v1.2.0", "app-1.2", opts...)
			bad := withTarget("v1.3.0", "app-1.3", "v1.2.0", digestOf("tools-1.2"))
			err = manifest.CheckRollbackTarget(ctx, st, bad, opts...)
			require.ErrorIs(t, err, &manifest.RollbackTargetError{Reason: "digest differs"})
			assert.Contains(t, err.Error(), "ran "+digestOf("app-1.2")+" in production")
		})
	}
}

// TestPromoteRollbackTarget: Promote refuses to promote to production a
// record whose rollback target fails, logging the denial for
// REL-ROLLBACK-001; other environments do not check it.
func TestPromoteRollbackTarget(t *testing.T) {
	ctx := t.Context()
	opts := []manifest.Option{manifest.WithClock(clock())}
	bogus := withTarget("v1.1.0", "app-1.1", "v9.9.9", "")
	st := newStore(t, completeRecord("v1.0.0", "app-1.0"), bogus)
	promoteAll(t, st, "v1.0.0", "app-1.0", opts...)
	for _, env := range []string{"dev", "staging"} {
		_, err := promote(ctx, st, req("v1.1.0", env, "app-1.1"), opts...)
		require.NoError(t, err, env)
	}
	e, err := promote(ctx, st, req("v1.1.0", "prod", "app-1.1"), opts...)
	require.ErrorIs(t, err, &manifest.RollbackTargetError{Reason: "not released"})
	require.Equal(t, manifest.KindDenied, e.Kind)
	assert.Contains(t, e.Denial.Controls, "REL-ROLLBACK-001")
	assert.Equal(t, []string{"REL-ROLLBACK-001"}, manifest.Controls(err))

	// Fixed: the record names the release production runs.
	good := withTarget("v1.1.0", "app-1.1", "v1.0.0", digestOf("app-1.0"))
	require.NoError(t, st.PutRecord(ctx, good))
	_, err = promote(ctx, st, req("v1.1.0", "prod", "app-1.1"), opts...)
	require.NoError(t, err)

	// A store that fails is returned, not taken for a refusal.
	_, err = manifest.Promote(ctx, failingRecords{st}, req("v1.1.0", "prod", "app-1.1"), append(trusted(), opts...)...)
	require.Error(t, err)
	assert.False(t, errors.Is(err, &manifest.RollbackTargetError{}))
}

// failingRecords is a store whose Record fails for every release but
// v1.1.0.
type failingRecords struct{ manifest.Store }

func (f failingRecords) Record(ctx context.Context, tag string) (manifest.Record, error) {
	if tag == "v1.1.0" {
		return f.Store.Record(ctx, tag)
	}
	return manifest.Record{}, errors.New("disk on fire")
}

// TestPromoteGateRollbackTarget: Promote and Rollback hand the gate the
// store's record of the rollback target (GateInput.RollbackTarget), nil
// when the record names none or the store has no valid record of it.
func TestPromoteGateRollbackTarget(t *testing.T) {
	ctx := t.Context()
	st := newStore(t, completeRecord("v1.0.0", "app"), withTarget("v1.1.0", "app11", "v1.0.0", digestOf("app")),
		withTarget("v1.2.0", "app12", "v9.9.9", ""))
	var got []*manifest.Record
	gate := manifest.WithGate(manifest.GateFunc(func(_ context.Context, in manifest.GateInput) (string, error) {
		got = append(got, in.RollbackTarget)
		return "", nil
	}))
	_, err := promote(ctx, st, req("v1.0.0", "dev", "app"), gate)
	require.NoError(t, err)
	_, err = promote(ctx, st, req("v1.1.0", "dev", "app11"), gate)
	require.NoError(t, err)
	_, err = promote(ctx, st, req("v1.2.0", "dev", "app12"), gate)
	require.NoError(t, err)
	_, err = rollback(ctx, st, manifest.RollbackRequest{Env: "dev", Approver: "alice", Reason: "errors"}, gate) // back to v1.1.0
	require.NoError(t, err)
	require.Len(t, got, 4)
	assert.Nil(t, got[0], "a first release names no target")
	require.NotNil(t, got[1])
	assert.Equal(t, "v1.0.0", got[1].Tag)
	assert.Nil(t, got[2], "v9.9.9 was never released")
	require.NotNil(t, got[3], "the rollback target's own target")
	assert.Equal(t, "v1.0.0", got[3].Tag)
}

// TestRollbackTargetRolledBackFrom: a release production was rolled back
// from is no known-good rollback target (§1.13.5.3) until production runs
// it again: CheckRollbackTarget refuses it, and so does Promote; Rollback
// does not return to it, even when the current record names it.
func TestRollbackTargetRolledBackFrom(t *testing.T) {
	ctx := t.Context()
	v11 := withTarget("v1.1.0", "app-1.1", "v1.0.0", digestOf("app"))
	v12 := withTarget("v1.2.0", "app-1.2", "v1.1.0", digestOf("app-1.1")) // names the bad release
	st := newStore(t, completeRecord("v1.0.0", "app"), v11, v12)
	opts := []manifest.Option{manifest.WithClock(clock())}
	promoteAll(t, st, "v1.0.0", "app", opts...)
	promoteAll(t, st, "v1.1.0", "app-1.1", opts...)
	e, err := rollback(ctx, st, manifest.RollbackRequest{Env: "prod", Approver: "alice", Reason: "INC-9 v1.1.0 corrupts carts"}, opts...)
	require.NoError(t, err)
	require.Equal(t, "v1.0.0", e.Promotion.Release)

	err = manifest.CheckRollbackTarget(ctx, st, v12, opts...)
	require.ErrorIs(t, err, &manifest.RollbackTargetError{Reason: "rolled back from"})
	assert.Contains(t, err.Error(), "prod rolled back from v1.1.0 at ")
	for _, env := range []string{"dev", "staging"} {
		_, err := promote(ctx, st, req("v1.2.0", env, "app-1.2"), opts...)
		require.NoError(t, err, env)
	}
	_, err = promote(ctx, st, req("v1.2.0", "prod", "app-1.2"), opts...)
	require.ErrorIs(t, err, &manifest.RollbackTargetError{Reason: "rolled back from"})

	// Rollback of staging, which runs v1.2.0 (whose record names v1.1.0),
	// skips v1.1.0: production rolled back from it.
	e, err = rollback(ctx, st, manifest.RollbackRequest{Env: "staging", Approver: "alice", Reason: "INC-10"}, opts...)
	require.NoError(t, err)
	assert.Equal(t, "v1.0.0", e.Promotion.Release)

	// Production runs v1.1.0 again (the cause was elsewhere): it is
	// known-good again.
	_, err = promote(ctx, st, req("v1.1.0", "prod", "app-1.1"), opts...)
	require.NoError(t, err)
	require.NoError(t, manifest.CheckRollbackTarget(ctx, st, v12, opts...))
}

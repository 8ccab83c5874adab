package manifest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/identity"
	"github.com/releasekit/releasekit/manifest"
)

func completeEmergency() *manifest.EmergencyChange {
	return &manifest.EmergencyChange{ID: "INC-7", Reason: "outage", Scope: "app", Approver: "dana@example.com",
		RollbackPlan: "redeploy v0.9.0", FollowUp: "PIR-7"}
}

// A field of invisible characters only is empty.
func TestEmergencyMissing(t *testing.T) {
	assert.Empty(t, completeEmergency().Missing())
	em := &manifest.EmergencyChange{Reason: "\u200b", Scope: " \u2060\t", Approver: "\ufeff", RollbackPlan: "\u00ad", FollowUp: "\u200d\u200c"}
	assert.Equal(t, []string{"reason", "scope", "approver", "rollback_plan", "follow_up"}, em.Missing())
	em = completeEmergency()
	em.FollowUp = "\u3164" // Hangul filler
	assert.Equal(t, []string{"follow_up"}, em.Missing())
}

// Promote and Rollback refuse an emergency record whose fields are
// invisible characters only, or whose approver is not a valid identity,
// and log nothing.
func TestPromoteEmergencyRefused(t *testing.T) {
	invisible := completeEmergency()
	invisible.Reason, invisible.Scope, invisible.Approver = "\u200b", "\u200b\u200b", "\u200b"
	for name, em := range map[string]*manifest.EmergencyChange{
		"zero-width fields": invisible,
		"zero-width approver": func() *manifest.EmergencyChange {
			e := completeEmergency()
			e.Approver = "dana\u200b@example.com"
			return e
		}(),
		"mixed-script approver": func() *manifest.EmergencyChange {
			e := completeEmergency()
			e.Approver = "dаna@example.com" // Cyrillic а
			return e
		}(),
		"ESC in approver": func() *manifest.EmergencyChange {
			e := completeEmergency()
			e.Approver = "dana\x1b[2J"
			return e
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			st := newStore(t, completeRecord("v1.0.0", "app"))
			r := req("v1.0.0", "dev", "app")
			r.Emergency = em
			e, err := manifest.Promote(t.Context(), st, r, manifest.WithClock(clock()))
			assert.ErrorIs(t, err, manifest.ErrApprovalRequired)
			requireDenied(t, st, nil, e, err, manifest.AttemptPromote, []string{"REL-WINDOW-001"})
			before, err := st.Entries(t.Context())
			require.NoError(t, err)
			e, err = manifest.Rollback(t.Context(), st, manifest.RollbackRequest{Env: "dev", Approver: "carol", Reason: "why", Emergency: em}, manifest.WithClock(clock()))
			assert.ErrorIs(t, err, manifest.ErrApprovalRequired)
			requireDenied(t, st, before, e, err, manifest.AttemptRollback, []string{"REL-WINDOW-001"})
			entries, err := st.Entries(t.Context())
			require.NoError(t, err)
			for _, e := range entries {
				assert.Equal(t, manifest.KindDenied, e.Kind, "nothing but the denials is logged")
			}
		})
	}
	st := newStore(t, completeRecord("v1.0.0", "app"))
	r := req("v1.0.0", "dev", "app")
	r.Emergency = completeEmergency()
	r.Emergency.Approver = "аda"
	_, err := manifest.Promote(t.Context(), st, r, manifest.WithClock(clock()))
	assert.ErrorIs(t, err, identity.ErrInvalid, "the identity error is kept")
	r.Emergency = completeEmergency()
	_, err = manifest.Promote(t.Context(), st, r, manifest.WithClock(clock()))
	assert.NoError(t, err)
}

// An approver or a reason made of invisible characters is no approval.
func TestPromoteInvisibleApproval(t *testing.T) {
	st := newStore(t, completeRecord("v1.0.0", "app"))
	for _, r := range []manifest.PromoteRequest{
		{Release: "v1.0.0", Env: "dev", Digest: digestOf("app"), Approver: "\u200b", Reason: "why"},
		{Release: "v1.0.0", Env: "dev", Digest: digestOf("app"), Approver: "carol", Reason: "\u2060"},
	} {
		_, err := manifest.Promote(t.Context(), st, r, manifest.WithApprovalRequired("dev"), manifest.WithClock(clock()))
		assert.ErrorIs(t, err, manifest.ErrApprovalRequired)
	}
	_, err := manifest.Rollback(t.Context(), st, manifest.RollbackRequest{Env: "dev", Approver: "\ufeff", Reason: "why"}, manifest.WithClock(clock()))
	assert.ErrorIs(t, err, manifest.ErrApprovalRequired)
}

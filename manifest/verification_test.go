package manifest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/releasekit/releasekit/manifest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func smoke(passed bool) []manifest.CheckResult {
	return []manifest.CheckResult{
		{Name: "checkout-smoke", Passed: passed, URL: "https://ci.example.com/run/9"},
		{Name: "error-rate", Passed: true, URL: "https://grafana.example.com/d/prod"},
	}
}

// A verification of the release an environment runs is logged with the
// promotion it verifies; failed checks are logged too; the log verifies
// and every entry reads back.
func TestRecordVerification(t *testing.T) {
	ctx := t.Context()
	st := newStore(t, completeRecord("v1.0.0", "app"), withTarget("v1.1.0", "app11", "v1.0.0", digestOf("app")))
	promoteAll(t, st, "v1.0.0", "app")
	entries, err := st.Entries(ctx)
	require.NoError(t, err)
	prodSeq := entries[len(entries)-1].Seq

	at := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	now := manifest.WithClock(func() time.Time { return at })
	e, err := manifest.RecordVerification(ctx, st, manifest.VerificationRequest{Release: "v1.0.0", Env: "prod", Checks: smoke(true), Verifier: "erin"}, now)
	require.NoError(t, err)
	assert.Equal(t, manifest.KindVerification, e.Kind)
	v := e.Verification
	require.NotNil(t, v)
	assert.Equal(t, prodSeq, v.Promotion)
	assert.Equal(t, digestOf("app"), v.Digest)
	assert.Equal(t, at, v.At)
	assert.True(t, v.Passed())

	failed, err := manifest.RecordVerification(ctx, st, manifest.VerificationRequest{Release: "v1.0.0", Env: "staging", Checks: smoke(false), Verifier: "erin"}, now)
	require.NoError(t, err, "a failed verification is evidence, and logged")
	assert.False(t, failed.Verification.Passed())

	// A recovery verification names an incident the log holds.
	i := openIncident()
	_, err = manifest.RecordIncident(ctx, st, i)
	require.NoError(t, err)
	rec, err := manifest.RecordVerification(ctx, st, manifest.VerificationRequest{Release: "v1.0.0", Env: "prod", Checks: smoke(true), Verifier: "erin", Recovery: true, Incident: i.ID}, now)
	require.NoError(t, err)
	assert.True(t, rec.Verification.Recovery)

	entries, err = st.Entries(ctx)
	require.NoError(t, err)
	require.NoError(t, manifest.VerifyLog(entries, nil))
	got := manifest.Verifications(entries)
	require.Len(t, got, 3)
	assert.Equal(t, "staging", got[1].Env)
	for _, e := range entries {
		b, err := manifest.MarshalEntry(e)
		require.NoError(t, err)
		_, err = manifest.ParseEntry(b)
		require.NoError(t, err)
	}

	// A verification kind without its payload (or a payload in another
	// kind) does not parse.
	for _, bad := range []manifest.Entry{
		{Seq: 1, Kind: manifest.KindVerification},
		{Seq: 1, Kind: manifest.KindNote, Note: "x", Verification: v},
		{Seq: 1, Kind: manifest.KindVerification, Verification: &manifest.Verification{Release: "v1.0.0", Env: "prod", Digest: digestOf("app")}},
	} {
		b, err := manifest.MarshalEntry(bad)
		require.NoError(t, err)
		_, err = manifest.ParseEntry(b)
		assert.ErrorIs(t, err, &manifest.FormatError{Reason: "invalid log entry"}, "%+v", bad)
	}
}

// A malformed verification is a *FieldError naming the field; a release
// the environment does not run is a *RefusalError. Neither is logged.
func TestRecordVerificationRefused(t *testing.T) {
	ctx := t.Context()
	st := newStore(t, completeRecord("v1.0.0", "app"), withTarget("v1.1.0", "app11", "v1.0.0", digestOf("app")))
	good := manifest.VerificationRequest{Release: "v1.0.0", Env: "dev", Checks: smoke(true), Verifier: "erin"}
	for _, c := range []struct {
		name          string
		edit          func(*manifest.VerificationRequest)
		field, reason string
	}{
		{"no release", func(r *manifest.VerificationRequest) { r.Release = " " }, "release", "required"},
		{"no env", func(r *manifest.VerificationRequest) { r.Env = "" }, "env", "required"},
		{"no verifier", func(r *manifest.VerificationRequest) { r.Verifier = "" }, "verifier", "required"},
		{"control character", func(r *manifest.VerificationRequest) { r.Verifier = "erin\x1b[31m" }, "verifier", "control character"},
		{"no checks", func(r *manifest.VerificationRequest) { r.Checks = nil }, "checks", "required"},
		{"too many checks", func(r *manifest.VerificationRequest) {
			r.Checks = make([]manifest.CheckResult, 101)
		}, "checks", "too many"},
		{"check without a name", func(r *manifest.VerificationRequest) { r.Checks[1].Name = "" }, "checks[1].name", "required"},
		{"duplicate check", func(r *manifest.VerificationRequest) { r.Checks[1].Name = r.Checks[0].Name }, "checks[1].name", "duplicate"},
		{"url too long", func(r *manifest.VerificationRequest) { r.Checks[0].URL = strings.Repeat("u", 5000) }, "checks[0].url", "too long"},
		{"recovery without incident", func(r *manifest.VerificationRequest) { r.Recovery = true }, "incident", "required"},
		{"incident without recovery", func(r *manifest.VerificationRequest) { r.Incident = "INC-7" }, "incident", "only for a recovery"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := good
			r.Checks = smoke(true)
			c.edit(&r)
			_, err := manifest.RecordVerification(ctx, st, r)
			assert.ErrorIs(t, err, &manifest.FieldError{Field: c.field, Reason: c.reason})
		})
	}

	notRun := &manifest.RefusalError{Reason: "release not promoted to the environment"}
	_, err := manifest.RecordVerification(ctx, st, good)
	assert.ErrorIs(t, err, notRun, "nothing was promoted to dev")
	_, err = promote(ctx, st, req("v1.0.0", "dev", "app"))
	require.NoError(t, err)
	_, err = promote(ctx, st, req("v1.1.0", "dev", "app11"))
	require.NoError(t, err)
	_, err = manifest.RecordVerification(ctx, st, good)
	assert.ErrorIs(t, err, notRun)
	assert.ErrorContains(t, err, "dev runs v1.1.0")
	r := good
	r.Recovery, r.Incident = true, "INC-9"
	r.Release = "v1.1.0"
	_, err = manifest.RecordVerification(ctx, st, r)
	assert.ErrorIs(t, err, &manifest.FieldError{Field: "incident", Reason: "not in the log"})

	entries, err := st.Entries(ctx)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "only the promotions are logged")
	assert.Empty(t, manifest.Verifications(entries))

	// After a rollback, the release rolled back to is what runs.
	_, err = rollback(ctx, st, manifest.RollbackRequest{Env: "dev", Approver: "alice", Reason: "errors"})
	require.NoError(t, err)
	_, err = manifest.RecordVerification(ctx, st, good)
	require.NoError(t, err)
}

package manifest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/releasekit/releasekit/manifest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var incidentStart = time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)

func openIncident() manifest.Incident {
	return manifest.Incident{ID: "INC-7", Severity: manifest.SeverityMajor, Summary: "checkout errors", Env: "prod",
		ImpactStart: incidentStart, Release: "v1.0.0", Commit: strings.Repeat("a", 40), Digest: digestOf("app"), Reporter: "erin"}
}

func closedIncident() manifest.Incident {
	i := openIncident()
	i.ImpactEnd = incidentStart.Add(90 * time.Minute)
	i.Mechanism = manifest.MechanismRedeploy
	i.Approvers = []string{"dana@example.com"}
	i.Emergency = "INC-7"
	i.Verification = []manifest.CheckResult{{Name: "checkout-smoke", Passed: true, URL: "https://ci.example.com/run/9"}}
	i.FollowUps = []manifest.FollowUp{{Action: "add a timeout test", Ticket: "ABC-9", MapsTo: []string{"test:TestCheckoutTimeout"}}}
	return i
}

func completeReview() manifest.Review {
	return manifest.Review{Emergency: "INC-7", Incident: "INC-7", Reviewer: "frank", CompletedAt: incidentStart.Add(20 * time.Hour),
		Release: "v1.0.0", Commits: []string{strings.Repeat("a", 40)}, PRs: []string{"#12"}, Summary: "pool exhausted",
		AccessRevokedAt: incidentStart.Add(2 * time.Hour), CredentialsRotatedAt: incidentStart.Add(3 * time.Hour),
		Actions: []manifest.FollowUp{{Action: "alert on pool size", Ticket: "ABC-10", MapsTo: []string{"gate:prod-smoke"}}}}
}

// An incident is logged when it opens and when it closes; Incidents reads
// the latest state of each, and a log with them still verifies.
func TestRecordIncident(t *testing.T) {
	st := newStore(t, completeRecord("v1.0.0", "app"))
	ctx := t.Context()
	_, err := manifest.RecordIncident(ctx, st, openIncident())
	require.NoError(t, err)
	other := openIncident()
	other.ID, other.Severity = "INC-8", manifest.SeverityLow
	_, err = manifest.RecordIncident(ctx, st, other)
	require.NoError(t, err)
	e, err := manifest.RecordIncident(ctx, st, closedIncident())
	require.NoError(t, err)
	assert.Equal(t, manifest.KindIncident, e.Kind)

	entries, err := st.Entries(ctx)
	require.NoError(t, err)
	require.NoError(t, manifest.VerifyLog(entries, nil))
	got := manifest.Incidents(entries)
	require.Len(t, got, 2)
	assert.Equal(t, "INC-7", got[0].ID)
	assert.False(t, got[0].ImpactEnd.IsZero(), "the latest state is the closed one")
	assert.Equal(t, manifest.MechanismRedeploy, got[0].Mechanism)
	assert.Equal(t, "INC-8", got[1].ID)

	// Every entry reads back through ParseEntry's kind checks.
	for _, e := range entries {
		b, err := manifest.MarshalEntry(e)
		require.NoError(t, err)
		_, err = manifest.ParseEntry(b)
		require.NoError(t, err)
	}
}

// A malformed incident, or one closed before recovery was verified, is a
// *FieldError naming the field, and nothing is logged.
func TestRecordIncidentRefused(t *testing.T) {
	for _, c := range []struct {
		name          string
		edit          func(*manifest.Incident)
		field, reason string
	}{
		{"no id", func(i *manifest.Incident) { i.ID = "" }, "id", "invalid"},
		{"id with a space", func(i *manifest.Incident) { i.ID = "INC 7" }, "id", "invalid"},
		{"unknown severity", func(i *manifest.Incident) { i.Severity = "P1" }, "severity", "unknown severity"},
		{"no summary", func(i *manifest.Incident) { i.Summary = "\u200b" }, "summary", "required"},
		{"bidi in summary", func(i *manifest.Incident) { i.Summary = "ok\u202egnp.exe" }, "summary", "control character"},
		{"no start", func(i *manifest.Incident) { i.ImpactStart = time.Time{} }, "impact_start", "required"},
		{"no release", func(i *manifest.Incident) { i.Release = "" }, "release", "required"},
		{"short commit", func(i *manifest.Incident) { i.Commit = "abc123" }, "commit", "not a commit"},
		{"bad digest", func(i *manifest.Incident) { i.Digest = "sha256:xyz" }, "digest", "invalid"},
		{"unknown mechanism", func(i *manifest.Incident) { i.Mechanism = "pray" }, "mechanism", "unknown mechanism"},
		{"ends before it starts", func(i *manifest.Incident) { *i = closedIncident(); i.ImpactEnd = incidentStart.Add(-time.Hour) }, "impact_end", "before impact_start"},
		{"closed without mechanism", func(i *manifest.Incident) { *i = closedIncident(); i.Mechanism = "" }, "mechanism", "required"},
		{"closed without verification", func(i *manifest.Incident) { *i = closedIncident(); i.Verification = nil }, "verification", "required"},
		{"closed with a failed check", func(i *manifest.Incident) {
			*i = closedIncident()
			i.Verification = append(i.Verification, manifest.CheckResult{Name: "error-rate", Passed: false})
		}, "verification[1]", "failed"},
		{"closed without follow-ups", func(i *manifest.Incident) { *i = closedIncident(); i.FollowUps = nil }, "follow_ups", "required"},
		{"follow-up mapped to nothing", func(i *manifest.Incident) { *i = closedIncident(); i.FollowUps[0].MapsTo = nil }, "follow_ups[0].maps_to", "required"},
		{"follow-up without ticket", func(i *manifest.Incident) { *i = closedIncident(); i.FollowUps[0].Ticket = " " }, "follow_ups[0].ticket", "required"},
		{"closed without approvers", func(i *manifest.Incident) { *i = closedIncident(); i.Approvers = nil }, "approvers", "required"},
		{"closed outside window and emergency", func(i *manifest.Incident) { *i = closedIncident(); i.Emergency = "" }, "window", "required"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := newStore(t)
			i := openIncident()
			c.edit(&i)
			_, err := manifest.RecordIncident(t.Context(), st, i)
			var fe *manifest.FieldError
			require.True(t, errors.As(err, &fe), "%v", err)
			assert.Equal(t, c.field, fe.Field)
			assert.Equal(t, c.reason, fe.Reason)
			assert.ErrorIs(t, err, &manifest.FieldError{Field: c.field, Reason: c.reason})
			entries, err := st.Entries(t.Context())
			require.NoError(t, err)
			assert.Empty(t, entries, "nothing is logged")
		})
	}
}

// A review links an emergency-change record that is in the log, on the
// release it shipped; otherwise nothing is logged.
func TestRecordReview(t *testing.T) {
	ctx := t.Context()
	st := newStore(t, completeRecord("v1.0.0", "app"), completeRecord("v1.1.0", "app2"))
	r := req("v1.0.0", "dev", "app")
	r.Emergency = completeEmergency()
	_, err := manifest.Promote(ctx, st, r, manifest.WithClock(clock()))
	require.NoError(t, err)

	_, err = manifest.RecordReview(ctx, st, completeReview())
	require.NoError(t, err)

	unknown := completeReview()
	unknown.Emergency = "INC-99"
	_, err = manifest.RecordReview(ctx, st, unknown)
	assert.ErrorIs(t, err, &manifest.FieldError{Field: "emergency", Reason: "not in the log"})

	wrong := completeReview()
	wrong.Release = "v1.1.0"
	_, err = manifest.RecordReview(ctx, st, wrong)
	assert.ErrorIs(t, err, &manifest.FieldError{Field: "release", Reason: "not the emergency's release"})

	for name, c := range map[string]struct {
		edit          func(*manifest.Review)
		field, reason string
	}{
		"no commits":        {func(r *manifest.Review) { r.Commits = nil }, "commits", "required"},
		"short commit":      {func(r *manifest.Review) { r.Commits = []string{"abc"} }, "commits[0]", "not a commit"},
		"no prs":            {func(r *manifest.Review) { r.PRs = nil }, "prs", "required"},
		"no actions":        {func(r *manifest.Review) { r.Actions = nil }, "actions", "required"},
		"access not closed": {func(r *manifest.Review) { r.AccessRevokedAt = time.Time{} }, "access_revoked_at", "required"},
		"not rotated":       {func(r *manifest.Review) { r.CredentialsRotatedAt = time.Time{} }, "credentials_rotated_at", "required"},
		"contradiction":     {func(r *manifest.Review) { r.NoBreakGlass = true }, "no_break_glass", "contradicts access_revoked_at"},
		"not completed":     {func(r *manifest.Review) { r.CompletedAt = time.Time{} }, "completed_at", "required"},
	} {
		rv := completeReview()
		c.edit(&rv)
		_, err := manifest.RecordReview(ctx, st, rv)
		assert.ErrorIs(t, err, &manifest.FieldError{Field: c.field, Reason: c.reason}, name)
	}
	noBG := completeReview()
	noBG.AccessRevokedAt, noBG.CredentialsRotatedAt, noBG.NoBreakGlass = time.Time{}, time.Time{}, true
	_, err = manifest.RecordReview(ctx, st, noBG)
	require.NoError(t, err, "an emergency change without break-glass access has nothing to revoke")

	entries, err := st.Entries(ctx)
	require.NoError(t, err)
	require.NoError(t, manifest.VerifyLog(entries, nil))
	assert.Len(t, manifest.Reviews(entries), 2)
}

// An entry whose kind and payload disagree does not parse.
func TestIncidentEntryKinds(t *testing.T) {
	i := openIncident()
	for _, e := range []manifest.Entry{
		{Seq: 1, Kind: manifest.KindIncident},
		{Seq: 1, Kind: manifest.KindNote, Incident: &i},
		{Seq: 1, Kind: manifest.KindReview},
		{Seq: 1, Kind: manifest.KindNote, Review: &manifest.Review{Emergency: "INC-7"}},
	} {
		b, err := manifest.MarshalEntry(e)
		require.NoError(t, err)
		_, err = manifest.ParseEntry(b)
		var fe *manifest.FormatError
		assert.True(t, errors.As(err, &fe), "%s: %v", e.Kind, err)
	}
}

// A time-bounded emergency-change record no longer covers a change once
// it has expired.
func TestPromoteEmergencyExpired(t *testing.T) {
	ctx := t.Context()
	st := newStore(t, completeRecord("v1.0.0", "app"))
	r := req("v1.0.0", "dev", "app")
	r.Emergency = completeEmergency()
	r.Emergency.Expires = time.Date(2026, 1, 5, 9, 0, 30, 0, time.UTC) // clock() starts at 09:01
	_, err := manifest.Promote(ctx, st, r, manifest.WithClock(clock()))
	assert.ErrorIs(t, err, manifest.ErrApprovalRequired)
	assert.ErrorContains(t, err, "expired")
	r.Emergency.Expires = time.Date(2026, 1, 5, 13, 0, 0, 0, time.UTC)
	e, err := manifest.Promote(ctx, st, r, manifest.WithClock(clock()))
	require.NoError(t, err)
	assert.Equal(t, r.Emergency.Expires, e.Promotion.Emergency.Expires)
}

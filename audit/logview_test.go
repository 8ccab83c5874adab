package audit_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/manifest"
)

// logViewEntries are entries of every kind, one written before actors
// were recorded.
func logViewEntries() []manifest.Entry {
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	ci := &manifest.Actor{Name: "release-bot@example.com", Verified: true, Issuer: "https://ci.example.com", Subject: "repo:shop/checkout:environment:prod"}
	return []manifest.Entry{
		// Written before actors were recorded: the typed releaser.
		{Seq: 1, Kind: manifest.KindPromotion, Promotion: &manifest.Promotion{
			Release: "v1.2.0", Env: "dev", Digest: "sha256:aa", Releaser: "release-bot@example.com", PromotedAt: at}},
		{Seq: 2, Kind: manifest.KindDenied, Denial: &manifest.Denial{
			Action: manifest.AttemptPromote, Release: "v1.3.0", Env: "prod", Approver: "ada@example.com", Actor: ci,
			Refusal: "manifest: promotion to prod refused by gate", Controls: []string{"REL-SOD-001"}, At: at.Add(time.Minute)}},
		{Seq: 3, Kind: manifest.KindPromotion, Promotion: &manifest.Promotion{
			Release: "v1.2.0", Env: "prod", Approver: "cleo@example.com", Actor: ci, RollbackFrom: "v1.3.0", PromotedAt: at.Add(2 * time.Minute)}},
		{Seq: 4, Kind: manifest.KindDeployment, Deploy: &manifest.Deployment{
			Release: "v1.3.0", Env: "prod", Result: manifest.ResultFailed, Error: "health check failed", Targets: []string{"web-1", "web-2"},
			Commit: "0e69c53bc995460f7b86b05dc701164f780440a9", Branch: "main", Actor: &manifest.Actor{Name: "prod-agent-1"},
			Changes: &manifest.ChangedFilesSummary{Digest: "sha256:cc", From: "v1.2.0", Files: 3, Added: 2, Modified: 1}, At: at.Add(3 * time.Minute)}},
		{Seq: 5, Kind: manifest.KindDeployResult, Result: &manifest.DeployResult{
			Release: "v1.3.0", Env: "prod", Agent: "prod-agent-1", Changed: "refused: bad signature", At: at.Add(4 * time.Minute)}},
		{Seq: 6, Kind: manifest.KindDeployment, Deploy: &manifest.Deployment{
			Release: "v1.3.0", Env: "dev", Result: manifest.ResultStarted,
			Changes: &manifest.ChangedFilesSummary{Digest: "sha256:dd", Files: 20000, Added: 10000, Truncated: true}, At: at.Add(5 * time.Minute)}},
		{Seq: 7, Kind: manifest.KindNote, Note: "cut release/1.3"},
	}
}

func TestLogEntryWriteText(t *testing.T) {
	var b strings.Builder
	for _, e := range logViewEntries() {
		v, err := audit.ViewEntry(e)
		require.NoError(t, err)
		require.NoError(t, v.WriteText(&b))
	}
	assert.Equal(t, `#1 2026-01-05T09:00:00Z allowed   promote v1.2.0 → dev
    by release-bot@example.com (unverified: typed)
    digest sha256:aa
#2 2026-01-05T09:01:00Z denied    promote v1.3.0 → prod
    by release-bot@example.com (verified: https://ci.example.com, subject repo:shop/checkout:environment:prod)
    approved by ada@example.com (typed)
    refused: manifest: promotion to prod refused by gate
    controls: REL-SOD-001
#3 2026-01-05T09:02:00Z allowed   rollback v1.2.0 → prod
    by release-bot@example.com (verified: https://ci.example.com, subject repo:shop/checkout:environment:prod)
    approved by cleo@example.com (typed)
    rolled back from v1.3.0
#4 2026-01-05T09:03:00Z failed    deploy v1.3.0 → prod
    by prod-agent-1 (unverified: typed)
    targets web-1, web-2
    commit 0e69c53bc995460f7b86b05dc701164f780440a9 on main
    files changed since v1.2.0: 3 (2 added, 1 modified, 0 deleted), manifest sha256:cc
    error: health check failed
#5 2026-01-05T09:04:00Z failed    deploy v1.3.0 → prod
    by prod-agent-1 (unverified: typed)
    error: refused: bad signature
#6 2026-01-05T09:05:00Z started   deploy v1.3.0 → dev
    by (nobody recorded) (unverified: typed)
    files changed first deployment: 20000 (10000 added, 0 modified, 0 deleted, list truncated), manifest sha256:dd
#7 0001-01-01T00:00:00Z noted     note
    by (nobody recorded) (unverified: typed)
    reason: cut release/1.3
`, b.String())
}

// Incidents and post-incident reviews read as what they are, never as
// "unknown".
func TestViewIncidentAndReview(t *testing.T) {
	start := time.Date(2026, 3, 6, 21, 40, 0, 0, time.UTC)
	open := &manifest.Incident{ID: "INC-7", Severity: manifest.SeverityCritical, Summary: "checkout down", Env: "prod",
		ImpactStart: start, Release: "v1.3.0", Reporter: "erin"}
	closed := *open
	closed.ImpactEnd, closed.Approvers = start.Add(time.Hour), []string{"oncall@example.com"}
	var b strings.Builder
	for _, e := range []manifest.Entry{
		{Seq: 1, Kind: manifest.KindIncident, Incident: open},
		{Seq: 2, Kind: manifest.KindIncident, Incident: &closed},
		{Seq: 3, Kind: manifest.KindReview, Review: &manifest.Review{Emergency: "INC-7", Reviewer: "frank", Release: "v1.3.1",
			Summary: "pool exhausted", CompletedAt: start.Add(20 * time.Hour)}},
	} {
		v, err := audit.ViewEntry(e)
		require.NoError(t, err)
		assert.NotEqual(t, "unknown", v.Result)
		require.NoError(t, v.WriteText(&b))
	}
	assert.Equal(t, `#1 2026-03-06T21:40:00Z open      incident v1.3.0 → prod
    by erin (unverified: typed)
    reason: INC-7 SEV1: checkout down
#2 2026-03-06T22:40:00Z closed    incident v1.3.0 → prod
    by erin (unverified: typed)
    approved by oncall@example.com (typed)
    reason: INC-7 SEV1: checkout down
#3 2026-03-07T17:40:00Z reviewed  review v1.3.1
    by frank (unverified: typed)
    reason: post-incident review of INC-7: pool exhausted
`, b.String())
}

// A verification reads as verified, or failed when a check failed, with
// its checks as the reason.
func TestViewVerification(t *testing.T) {
	at := time.Date(2026, 3, 6, 22, 10, 0, 0, time.UTC)
	ok := &manifest.Verification{Release: "v1.3.0", Env: "prod", Digest: manifest.Digest([]byte("app")), Promotion: 4, Verifier: "erin", At: at,
		Checks: []manifest.CheckResult{{Name: "smoke", Passed: true}, {Name: "error-rate", Passed: true}}}
	bad := *ok
	bad.Checks = []manifest.CheckResult{{Name: "smoke", Passed: true}, {Name: "error-rate", Passed: false}}
	bad.Recovery, bad.Incident = true, "INC-7"
	var b strings.Builder
	for i, v := range []*manifest.Verification{ok, &bad} {
		s, err := audit.ViewEntry(manifest.Entry{Seq: uint64(i + 1), Kind: manifest.KindVerification, Verification: v})
		require.NoError(t, err)
		require.NoError(t, s.WriteText(&b))
	}
	assert.Equal(t, `#1 2026-03-06T22:10:00Z verified  verify v1.3.0 → prod
    by erin (unverified: typed)
    digest sha256:a172cedcae47474b615c54d510a5d84a8dea3032e958587430b413538be3f333
    reason: smoke passed, error-rate passed
#2 2026-03-06T22:10:00Z failed    verify-recovery v1.3.0 → prod
    by erin (unverified: typed)
    digest sha256:a172cedcae47474b615c54d510a5d84a8dea3032e958587430b413538be3f333
    reason: recovery from INC-7: smoke passed, error-rate FAILED
`, b.String())
}

// A configuration or flag change reads as changed, with who made and who
// approved it, and what changed.
func TestViewChange(t *testing.T) {
	c := &manifest.Change{Kind: manifest.ChangeFlag, Name: "checkout.new-flow", Env: "prod", Before: "10%", After: "50%",
		Actor: "dana@example.com", Approver: "carol@example.com", Ticket: "CHG-88", At: time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC),
		Window: "tue-10-12", Reason: "ramp"}
	s, err := audit.ViewEntry(manifest.Entry{Seq: 1, Kind: manifest.KindChange, Change: c})
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, s.WriteText(&b))
	assert.Equal(t, `#1 2026-03-03T10:00:00Z changed   flag-change → prod
    by dana@example.com (unverified: typed)
    approved by carol@example.com (typed)
    reason: checkout.new-flow "10%" → "50%" (CHG-88, window tue-10-12): ramp
`, b.String())
}

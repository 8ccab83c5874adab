package audit_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/manifest"
)

// attemptAt is 2026-03-DD hh:mm UTC; 2026-03-02 is a Monday.
func attemptAt(dd, hh, mm int) time.Time {
	return time.Date(2026, time.March, dd, hh, mm, 0, 0, time.UTC)
}

// ciActor is an identity verified from a CI token.
var ciActor = &manifest.Actor{
	Name: "release-bot", Verified: true, Issuer: "https://token.actions.githubusercontent.com",
	Subject: "repo:acme/shop:environment:prod",
	Claims:  &manifest.ActorClaims{Repository: "acme/shop", Ref: "refs/heads/main", Run: "42"},
}

// attemptLog is a store holding the record of v1.0.0 and a log that the
// tests append entries to directly, as the manifest functions that write
// denied attempts and deployment outcomes will.
type attemptLog struct {
	t      *testing.T
	dir    string
	st     *manifest.DirStore
	digest string // v1.0.0's artifact
}

func newAttemptLog(t *testing.T) *attemptLog {
	t.Helper()
	dir := t.TempDir()
	st, err := manifest.NewDirStore(dir)
	require.NoError(t, err)
	digest := manifest.Digest([]byte("the app binary v1.0.0"))
	require.NoError(t, st.PutRecord(t.Context(), manifest.Record{
		Version: manifest.RecordVersion, Tag: "v1.0.0", Commit: strings.Repeat("c", 40),
		Artifacts: []manifest.Artifact{{Name: "app", Digest: digest}},
	}))
	return &attemptLog{t: t, dir: dir, st: st, digest: digest}
}

func (l *attemptLog) append(e manifest.Entry) uint64 {
	l.t.Helper()
	got, err := l.st.Append(l.t.Context(), e)
	require.NoError(l.t, err)
	return got.Seq
}

// promote logs a promotion of v1.0.0 to env by actor (nil: a typed
// releaser only, as entries written before actors were recorded).
func (l *attemptLog) promote(env string, at time.Time, actor *manifest.Actor) uint64 {
	return l.append(manifest.Entry{Kind: manifest.KindPromotion, Promotion: &manifest.Promotion{
		Release: "v1.0.0", Env: env, Digest: l.digest, Approver: "carol", Reason: "CHG-1 approved",
		RequestedAt: at, PromotedAt: at, Window: "Mon-Thu 09:00-16:00 UTC", Releaser: "release-bot", Actor: actor,
		Order: []string{"staging", "prod"}, Production: env == "prod",
	}})
}

// deploy logs a deployment outcome of v1.0.0.
func (l *attemptLog) deploy(env, result, errText string, at time.Time, changes *manifest.ChangedFilesSummary) uint64 {
	return l.append(manifest.Entry{Kind: manifest.KindDeployment, Deploy: &manifest.Deployment{
		Release: "v1.0.0", Env: env, Result: result, Error: errText, Targets: []string{"web-1", "web-2"},
		Digest: l.digest, Branch: "main", Commit: strings.Repeat("c", 40), Actor: ciActor, Changes: changes, At: at,
	}})
}

// changes stores a changed-files manifest as evidence and returns its
// summary.
func (l *attemptLog) changes(cf manifest.ChangedFiles) *manifest.ChangedFilesSummary {
	l.t.Helper()
	data, err := json.Marshal(cf)
	require.NoError(l.t, err)
	d, err := l.st.PutEvidence(l.t.Context(), data)
	require.NoError(l.t, err)
	return summarise(d, cf)
}

// summarise is the summary of cf stored under digest d.
func summarise(d string, cf manifest.ChangedFiles) *manifest.ChangedFilesSummary {
	s := &manifest.ChangedFilesSummary{Digest: d, From: cf.From, Files: cf.Total, Truncated: cf.Truncated}
	for _, f := range cf.Files {
		switch f.Change {
		case "added":
			s.Added++
		case "modified":
			s.Modified++
		case "deleted":
			s.Deleted++
		}
	}
	return s
}

func hexOf(s string) string { return strings.TrimPrefix(manifest.Digest([]byte(s)), "sha256:") }

// sampleChanges is what changed from v0.9.0 to v1.0.0.
func sampleChanges() manifest.ChangedFiles {
	return manifest.ChangedFiles{From: "v0.9.0", To: "v1.0.0", FromTree: strings.Repeat("a", 40), ToTree: strings.Repeat("b", 40), Total: 3, Files: []manifest.FileChange{
		{Path: "app/cart.go", Change: "modified", SHA256: hexOf("cart 2"), Previous: hexOf("cart 1")},
		{Path: "app/old.go", Change: "deleted", Previous: hexOf("old")},
		{Path: "app/search.go", Change: "added", SHA256: hexOf("search")},
	}}
}

func (l *attemptLog) sources() audit.Sources {
	return audit.Sources{Store: l.st, At: attemptAt(31, 0, 0)}
}

func (l *attemptLog) trail(src audit.Sources) audit.ReleaseTrail {
	l.t.Helper()
	return trailOf(l.t, src, "v1.0.0")
}

// attemptSteps are the steps these tests are about: the store holds no
// other evidence, so the other links are gaps.
var attemptSteps = []audit.Step{audit.StepPromotion, audit.StepRollback, audit.StepDenied, audit.StepDeployment, audit.StepChanges}

// attemptErr is TrailReport.Err over the links of attemptSteps only.
func attemptErr(tr audit.ReleaseTrail) error {
	only := audit.ReleaseTrail{Release: tr.Release}
	for _, l := range tr.Links {
		if slices.Contains(attemptSteps, l.Step) {
			only.Links = append(only.Links, l)
		}
	}
	return (&audit.TrailReport{Releases: []audit.ReleaseTrail{only}}).Err()
}

// TestTrailAttempts: a refused promotion, and a production deployment that
// failed and then succeeded, appear in the release's trail in log order
// with who, where, what and when; the changed-files manifest they name is
// read from the store and verified once.
func TestTrailAttempts(t *testing.T) {
	l := newAttemptLog(t)
	l.promote("staging", attemptAt(2, 9, 0), nil)
	denied := l.append(manifest.Entry{Kind: manifest.KindDenied, Denial: &manifest.Denial{
		Action: "promote", Release: "v1.0.0", Env: "prod", Digest: l.digest,
		Actor: &manifest.Actor{Name: "mallory"}, Approver: "mallory", Reason: "ship it",
		Refusal: "policy: promotion denied: REL-SOD-001 approver is the author", Controls: []string{"REL-SOD-001"}, At: attemptAt(2, 9, 30),
	}})
	prom := l.promote("prod", attemptAt(2, 10, 0), ciActor)
	ch := l.changes(sampleChanges())
	started := l.deploy("prod", manifest.ResultStarted, "", attemptAt(2, 10, 1), ch)
	failed := l.deploy("prod", manifest.ResultFailed, "web-2: readiness probe timed out", attemptAt(2, 10, 5), nil)
	again := l.deploy("prod", manifest.ResultStarted, "", attemptAt(2, 10, 10), ch)
	ok := l.deploy("prod", manifest.ResultSucceeded, "", attemptAt(2, 10, 15), ch)

	tr := l.trail(l.sources())
	var steps []string
	for _, lk := range tr.Links {
		switch lk.Step {
		case audit.StepPromotion, audit.StepDenied, audit.StepDeployment, audit.StepChanges:
			steps = append(steps, fmt.Sprintf("%s %s %s", lk.Step, lk.ID, lk.Status))
		}
	}
	assert.Equal(t, []string{
		"promotion staging recorded",
		"denied prod recorded",
		"promotion prod recorded",
		"deployment prod recorded",
		"changes prod verified",
		"deployment prod recorded",
		"deployment prod recorded",
		"deployment prod recorded",
	}, steps, "log order; one changes link for the manifest named three times")

	dn := trailLink(t, tr, audit.StepDenied, "prod")
	require.NotNil(t, dn.Denial)
	assert.Equal(t, denied, dn.Denial.Seq)
	assert.Equal(t, "promote", dn.Denial.Action)
	assert.Equal(t, []string{"REL-SOD-001"}, dn.Denial.Controls)
	assert.False(t, dn.Denial.Actor.Verified)
	assert.Equal(t, attemptAt(2, 9, 30), dn.Denial.At)
	assert.Contains(t, dn.Reason, "promote to prod refused at 2026-03-02T09:30:00Z, requested by mallory (typed, not verified), approver mallory, by REL-SOD-001: policy: promotion denied")

	p := trailPromotion(t, tr, "prod", 0)
	assert.Equal(t, prom, p.Promotion.Seq)
	assert.Equal(t, ciActor, p.Promotion.Actor)
	assert.Equal(t, "release-bot", p.Promotion.Releaser)
	assert.Contains(t, p.Reason, "by release-bot (verified: https://token.actions.githubusercontent.com, subject repo:acme/shop:environment:prod)")
	assert.Contains(t, trailPromotion(t, tr, "staging", 0).Reason, "by release-bot (typed, not verified)", "an entry without an actor names its releaser")

	deps := tr.Steps(audit.StepDeployment)
	require.Len(t, deps, 4)
	assert.Equal(t, started, deps[0].Deployment.Seq)
	assert.Equal(t, failed, deps[0].Deployment.Outcome)
	assert.Equal(t, ok, deps[1].Deployment.Succeeded, "the failure was followed by a success")
	assert.Equal(t, ok, deps[2].Deployment.Outcome)
	assert.Equal(t, again, deps[2].Deployment.Seq)
	assert.Equal(t, []string{"web-1", "web-2"}, deps[1].Deployment.Targets)
	assert.Equal(t, "web-2: readiness probe timed out", deps[1].Deployment.Error)
	assert.Contains(t, deps[0].Reason, "started in prod on web-1, web-2 at 2026-03-02T10:01:00Z, branch main commit cccc")
	assert.Contains(t, deps[0].Reason, "3 files changed since v0.9.0 (1 added, 1 modified, 1 deleted)")
	assert.Contains(t, deps[0].Reason, fmt.Sprintf("; outcome in entry %d", failed))
	assert.Contains(t, deps[1].Reason, fmt.Sprintf("failed (web-2: readiness probe timed out) in prod on web-1, web-2 at 2026-03-02T10:05:00Z, branch main commit %s, reported by release-bot (verified: ", strings.Repeat("c", 40)))
	assert.Contains(t, deps[1].Reason, fmt.Sprintf("; succeeded later (entry %d)", ok))

	c := trailLink(t, tr, audit.StepChanges, "prod")
	assert.Equal(t, started, c.Changes.Seq)
	assert.Equal(t, ch.Digest, c.Changes.Digest)
	assert.Equal(t, 3, c.Changes.Total)
	assert.Equal(t, "v1.0.0", c.Changes.To)
	require.NoError(t, attemptErr(tr))

	t.Run("text", func(t *testing.T) {
		var buf bytes.Buffer
		require.NoError(t, (&audit.TrailReport{Releases: []audit.ReleaseTrail{tr}}).WriteText(&buf))
		s := buf.String()
		assert.Contains(t, s, "  recorded denied       prod: promote to prod refused at 2026-03-02T09:30:00Z")
		assert.Contains(t, s, "  recorded deployment   prod: failed (web-2: readiness probe timed out) in prod")
		assert.Contains(t, s, "  verified changes      prod: changed-files manifest "+ch.Digest+": 3 files from v0.9.0 to v1.0.0 verified against entry")
	})
	t.Run("json", func(t *testing.T) {
		data, err := json.Marshal(dn)
		require.NoError(t, err)
		var v struct {
			Denial struct {
				Seq      uint64   `json:"seq"`
				Action   string   `json:"action"`
				Env      string   `json:"env"`
				Controls []string `json:"controls"`
				Refusal  string   `json:"refusal"`
				Actor    struct {
					Name     string `json:"name"`
					Verified bool   `json:"verified"`
				} `json:"actor"`
			} `json:"denial"`
		}
		require.NoError(t, json.Unmarshal(data, &v))
		assert.Equal(t, denied, v.Denial.Seq)
		assert.Equal(t, "prod", v.Denial.Env)
		assert.Equal(t, []string{"REL-SOD-001"}, v.Denial.Controls)
		assert.Equal(t, "mallory", v.Denial.Actor.Name)
		assert.False(t, v.Denial.Actor.Verified)
		data, err = json.Marshal(deps[1])
		require.NoError(t, err)
		assert.Contains(t, string(data), `"deployment":{"seq":`)
		assert.Contains(t, string(data), `"result":"failed","error":"web-2: readiness probe timed out","targets":["web-1","web-2"]`)
		assert.Contains(t, string(data), fmt.Sprintf(`"succeeded":%d`, ok))
	})
}

// TestTrailDeploymentFailed: a production deployment that failed, with no
// later success of the release there, fails the trail; a failure in
// another environment, or one followed by a success, does not.
func TestTrailDeploymentFailed(t *testing.T) {
	l := newAttemptLog(t)
	l.promote("staging", attemptAt(2, 9, 0), ciActor)
	l.deploy("staging", manifest.ResultFailed, "disk full", attemptAt(2, 9, 5), nil)
	l.promote("prod", attemptAt(2, 10, 0), ciActor)
	l.deploy("prod", manifest.ResultStarted, "", attemptAt(2, 10, 1), nil)
	failed := l.deploy("prod", manifest.ResultFailed, "web-1: image pull failed", attemptAt(2, 10, 3), nil)
	l.deploy("prod", manifest.ResultStarted, "", attemptAt(2, 10, 9), nil) // no outcome logged

	rep, err := audit.Trail(t.Context(), l.sources(), audit.Query{Release: "v1.0.0"})
	require.NoError(t, err)
	tr := rep.Releases[0]
	deps := tr.Steps(audit.StepDeployment)
	require.Len(t, deps, 4)
	assert.Equal(t, audit.Recorded, deps[0].Status, "staging: reported, not judged")
	assert.Equal(t, audit.Failed, deps[2].Status)
	assert.Contains(t, deps[2].Reason, "no later deployment of v1.0.0 to prod succeeded")
	assert.Equal(t, audit.Recorded, deps[3].Status)
	assert.Contains(t, deps[3].Reason, "started in prod", "a started deployment is never a success")
	assert.Contains(t, deps[3].Reason, "; no outcome logged after it")

	err = attemptErr(tr)
	var te *audit.TrailError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, audit.ReasonDeploymentFailed, te.Reason)
	assert.Contains(t, te.Detail, fmt.Sprintf("v1.0.0 in prod (entry %d): web-1: image pull failed", failed))
	var le *audit.LinkError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, audit.StepDeployment, le.Step)

	// A later success clears it.
	l.deploy("prod", manifest.ResultSucceeded, "", attemptAt(2, 10, 20), nil)
	rep, err = audit.Trail(t.Context(), l.sources(), audit.Query{Release: "v1.0.0"})
	require.NoError(t, err)
	require.NoError(t, attemptErr(rep.Releases[0]))
	assert.Equal(t, audit.Recorded, rep.Releases[0].Steps(audit.StepDeployment)[2].Status)
}

// TestTrailDeployedDigest: a deployment outcome naming a digest that is
// not one of the record's artifacts fails.
func TestTrailDeployedDigest(t *testing.T) {
	l := newAttemptLog(t)
	l.promote("prod", attemptAt(2, 10, 0), ciActor)
	l.append(manifest.Entry{Kind: manifest.KindDeployment, Deploy: &manifest.Deployment{
		Release: "v1.0.0", Env: "prod", Result: manifest.ResultSucceeded, Digest: manifest.Digest([]byte("another build")), At: attemptAt(2, 10, 5),
	}})
	d := l.trail(l.sources()).Steps(audit.StepDeployment)[0]
	assert.Equal(t, audit.Failed, d.Status)
	var te *audit.TrailError
	require.ErrorAs(t, d.Err, &te)
	assert.Equal(t, audit.ReasonDigestMismatch, te.Reason)
}

// TestTrailChangedFilesEvidence: the changed-files manifest a deployment
// names is a gap when the store lacks it, and fails when it was edited or
// does not match the entry's summary.
func TestTrailChangedFilesEvidence(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  func(l *attemptLog) *manifest.ChangedFilesSummary
		status audit.Status
		check  func(t *testing.T, err error)
	}{
		{
			name: "missing",
			setup: func(l *attemptLog) *manifest.ChangedFilesSummary {
				data, _ := json.Marshal(sampleChanges())
				return summarise(manifest.Digest(data), sampleChanges()) // never stored
			},
			status: audit.Gap,
			check: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, audit.ErrMissingEvidence)
				assert.ErrorIs(t, err, manifest.ErrNotFound)
			},
		},
		{
			name: "edited in the store",
			setup: func(l *attemptLog) *manifest.ChangedFilesSummary {
				s := l.changes(sampleChanges())
				name := filepath.Join(l.dir, "evidence", strings.TrimPrefix(s.Digest, "sha256:"))
				require.NoError(t, os.Chmod(name, 0o644))
				require.NoError(t, os.WriteFile(name, bytes.Replace(mustRead(t, name), []byte("app/old.go"), []byte("app/new.go"), 1), 0o644))
				return s
			},
			status: audit.Failed,
			check: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, manifest.ErrEvidenceDigest)
				var te *audit.TrailError
				require.ErrorAs(t, err, &te)
				assert.Equal(t, audit.ReasonChangedFiles, te.Reason)
			},
		},
		{
			name: "summary of other counts",
			setup: func(l *attemptLog) *manifest.ChangedFilesSummary {
				s := l.changes(sampleChanges())
				s.Added, s.Deleted = 2, 0
				return s
			},
			status: audit.Failed,
			check: func(t *testing.T, err error) {
				var te *audit.TrailError
				require.ErrorAs(t, err, &te)
				assert.Equal(t, audit.ReasonChangedFiles, te.Reason)
				assert.Contains(t, te.Detail, "the entry counts 3 files (2 added, 1 modified, 0 deleted), the manifest 3 (1, 1, 1)")
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newAttemptLog(t)
			l.promote("prod", attemptAt(2, 10, 0), ciActor)
			l.deploy("prod", manifest.ResultSucceeded, "", attemptAt(2, 10, 5), tc.setup(l))
			tr := l.trail(l.sources())
			c := trailLink(t, tr, audit.StepChanges, "prod")
			assert.Equal(t, tc.status, c.Status, c.Reason)
			tc.check(t, c.Err)
			assert.Error(t, attemptErr(tr))
		})
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	require.NoError(t, err)
	return data
}

// TestTrailVerifiedIdentity: where the configuration requires a verified
// identity (Sources.VerifiedIdentity), a promotion, a rollback or a
// deployment outcome by a typed identity, or by no recorded one, is a gap;
// a verified one passes; elsewhere the trail only says who it was.
func TestTrailVerifiedIdentity(t *testing.T) {
	l := newAttemptLog(t)
	typed := &manifest.Actor{Name: "release-bot"}
	l.promote("staging", attemptAt(2, 9, 0), typed)
	l.promote("prod", attemptAt(2, 10, 0), nil) // written before actors were recorded
	l.promote("prod", attemptAt(2, 11, 0), typed)
	l.promote("prod", attemptAt(2, 12, 0), ciActor)
	l.append(manifest.Entry{Kind: manifest.KindDeployment, Deploy: &manifest.Deployment{
		Release: "v1.0.0", Env: "prod", Result: manifest.ResultSucceeded, Actor: typed, At: attemptAt(2, 12, 5),
	}})

	src := l.sources()
	tr := l.trail(src)
	for i := range 3 {
		assert.Equal(t, audit.Recorded, trailPromotion(t, tr, "prod", i).Status, "not required: shown, not judged")
	}
	require.NoError(t, attemptErr(tr))

	src.VerifiedIdentity = []string{"prod"}
	tr = l.trail(src)
	assert.Equal(t, audit.Recorded, trailPromotion(t, tr, "staging", 0).Status)
	for i := range 2 { // the releaser of an entry without an actor was typed too
		p := trailPromotion(t, tr, "prod", i)
		assert.Equal(t, audit.Gap, p.Status)
		assert.Equal(t, "prod needs a verified identity; the actor is release-bot (typed, not verified)", p.Reason)
		assert.ErrorIs(t, p.Err, audit.ErrMissingEvidence)
		var te *audit.TrailError
		require.ErrorAs(t, p.Err, &te)
		assert.Equal(t, audit.ReasonUnverifiedActor, te.Reason)
	}
	assert.Equal(t, audit.Recorded, trailPromotion(t, tr, "prod", 2).Status)
	d := tr.Steps(audit.StepDeployment)[0]
	assert.Equal(t, audit.Gap, d.Status)
	assert.Contains(t, d.Reason, "the actor is release-bot (typed, not verified)")
	assert.ErrorIs(t, attemptErr(tr), audit.ErrMissingEvidence)
}

// TestTrailRollbackVerifiedIdentity: a rollback into an environment that
// needs a verified identity, by a typed one, is a gap.
func TestTrailRollbackVerifiedIdentity(t *testing.T) {
	l := newAttemptLog(t)
	digest := manifest.Digest([]byte("the app binary v0.9.0"))
	require.NoError(t, l.st.PutRecord(t.Context(), manifest.Record{
		Version: manifest.RecordVersion, Tag: "v0.9.0", Commit: strings.Repeat("9", 40),
		Artifacts: []manifest.Artifact{{Name: "app", Digest: digest}},
	}))
	l.promote("prod", attemptAt(2, 10, 0), ciActor)
	l.append(manifest.Entry{Kind: manifest.KindPromotion, Promotion: &manifest.Promotion{
		Release: "v0.9.0", Env: "prod", Digest: digest, Approver: "carol", Reason: "error rate", RollbackFrom: "v1.0.0",
		RequestedAt: attemptAt(2, 11, 0), PromotedAt: attemptAt(2, 11, 0), Releaser: "release-bot", Actor: &manifest.Actor{Name: "release-bot"},
	}})
	src := l.sources()
	rb := trailLink(t, l.trail(src), audit.StepRollback, "prod")
	assert.Equal(t, audit.Recorded, rb.Status)
	assert.Contains(t, rb.Reason, "rolled back to v0.9.0 at 2026-03-02T11:00:00Z by release-bot (typed, not verified), approved by carol")
	src.VerifiedIdentity = []string{"prod"}
	rb = trailLink(t, l.trail(src), audit.StepRollback, "prod")
	assert.Equal(t, audit.Gap, rb.Status)
	assert.ErrorIs(t, rb.Err, audit.ErrMissingEvidence)
}

// TestTrailAttemptsTamperedLog: when the log does not verify, its denied
// attempts and deployment outcomes fail with it.
func TestTrailAttemptsTamperedLog(t *testing.T) {
	l := newAttemptLog(t)
	l.promote("prod", attemptAt(2, 10, 0), ciActor)
	seq := l.deploy("prod", manifest.ResultSucceeded, "", attemptAt(2, 10, 5), l.changes(sampleChanges()))
	l.deploy("prod", manifest.ResultSucceeded, "", attemptAt(2, 10, 6), nil)
	name := filepath.Join(l.dir, "log", fmt.Sprintf("%020d.json", seq))
	e, err := manifest.ParseEntry(mustRead(t, name))
	require.NoError(t, err)
	e.Deploy.Targets = []string{"web-9"}
	data, err := manifest.MarshalEntry(e)
	require.NoError(t, err)
	require.NoError(t, os.Chmod(name, 0o644))
	require.NoError(t, os.WriteFile(name, data, 0o644))

	tr := l.trail(l.sources())
	for _, step := range []audit.Step{audit.StepDeployment, audit.StepChanges} {
		lk := trailLink(t, tr, step, "prod")
		assert.Equal(t, audit.Failed, lk.Status, step)
		assert.ErrorIs(t, lk.Err, manifest.ErrTampered, step)
	}
}

func TestVerifyChangedFiles(t *testing.T) {
	good := sampleChanges()
	for _, tc := range []struct {
		name   string
		edit   func(cf *manifest.ChangedFiles, sum *manifest.ChangedFilesSummary) []byte // returns other bytes, or nil
		detail string
	}{
		{"unknown field", func(cf *manifest.ChangedFiles, _ *manifest.ChangedFilesSummary) []byte {
			data, _ := json.Marshal(cf)
			return append(bytes.TrimSuffix(data, []byte("}")), []byte(`,"extra":1}`)...)
		}, "does not decode"},
		{"duplicate key", func(cf *manifest.ChangedFiles, _ *manifest.ChangedFilesSummary) []byte {
			data, _ := json.Marshal(cf)
			return append(bytes.TrimSuffix(data, []byte("}")), []byte(`,"total":3}`)...)
		}, "does not decode"},
		{"trailing data", func(cf *manifest.ChangedFiles, _ *manifest.ChangedFilesSummary) []byte {
			data, _ := json.Marshal(cf)
			return append(data, []byte(" {}")...)
		}, "does not decode"},
		{"path twice", func(cf *manifest.ChangedFiles, _ *manifest.ChangedFilesSummary) []byte {
			cf.Files[1].Path = cf.Files[0].Path
			return nil
		}, `lists "app/cart.go" twice`},
		{"empty path", func(cf *manifest.ChangedFiles, _ *manifest.ChangedFilesSummary) []byte {
			cf.Files[2].Path = ""
			return nil
		}, "file 2 has no path"},
		{"unknown change", func(cf *manifest.ChangedFiles, _ *manifest.ChangedFilesSummary) []byte {
			cf.Files[0].Change = "renamed"
			return nil
		}, `has change "renamed"`},
		{"added without digest", func(cf *manifest.ChangedFiles, _ *manifest.ChangedFilesSummary) []byte {
			cf.Files[2].SHA256 = ""
			return nil
		}, "is added but has no new digest"},
		{"deleted with a new digest", func(cf *manifest.ChangedFiles, _ *manifest.ChangedFilesSummary) []byte {
			cf.Files[1].SHA256 = hexOf("x")
			return nil
		}, "is deleted but has a new digest"},
		{"modified without old digest", func(cf *manifest.ChangedFiles, _ *manifest.ChangedFilesSummary) []byte {
			cf.Files[0].Previous = ""
			return nil
		}, "is modified but lacks"},
		{"total below the list", func(cf *manifest.ChangedFiles, sum *manifest.ChangedFilesSummary) []byte {
			cf.Total, sum.Files = 2, 2
			return nil
		}, "total 2 is less than the 3 files listed"},
		{"more files than listed, not truncated", func(cf *manifest.ChangedFiles, sum *manifest.ChangedFilesSummary) []byte {
			cf.Total, sum.Files = 5, 5
			return nil
		}, "truncated is false with 3 of 5 files listed"},
		{"other from", func(_ *manifest.ChangedFiles, sum *manifest.ChangedFilesSummary) []byte {
			sum.From = "v0.8.0"
			return nil
		}, `compares with "v0.9.0", the entry says "v0.8.0"`},
		{"other truncation", func(cf *manifest.ChangedFiles, sum *manifest.ChangedFilesSummary) []byte {
			cf.Total, cf.Truncated, sum.Files = 5, true, 5
			return nil
		}, "the manifest's truncated is true, the entry's false"},
		{"other file count", func(_ *manifest.ChangedFiles, sum *manifest.ChangedFilesSummary) []byte {
			sum.Files = 4
			return nil
		}, "the entry counts 4 files"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cf := good
			cf.Files = append([]manifest.FileChange(nil), good.Files...)
			var sum manifest.ChangedFilesSummary
			data := tc.edit(&cf, &sum)
			if data == nil {
				data, _ = json.Marshal(cf)
			}
			base := summarise(manifest.Digest(data), cf)
			if sum.From == "" {
				sum.From = base.From
			}
			if sum.Files == 0 {
				sum.Files = base.Files
			}
			sum.Digest, sum.Added, sum.Modified, sum.Deleted = base.Digest, base.Added, base.Modified, base.Deleted
			_, err := audit.VerifyChangedFiles(data, sum)
			var te *audit.TrailError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, audit.ReasonChangedFiles, te.Reason)
			assert.Contains(t, te.Detail, tc.detail)
		})
	}

	t.Run("good", func(t *testing.T) {
		data, _ := json.Marshal(good)
		got, err := audit.VerifyChangedFiles(data, *summarise(manifest.Digest(data), good))
		require.NoError(t, err)
		assert.Equal(t, good, got)
	})
	t.Run("truncated", func(t *testing.T) {
		cf := good
		cf.Total, cf.Truncated = 20000, true
		data, _ := json.Marshal(cf)
		for _, files := range []int{20000, 3} { // counted in all, or as listed
			sum := *summarise(manifest.Digest(data), cf)
			sum.Files = files
			_, err := audit.VerifyChangedFiles(data, sum)
			require.NoError(t, err, files)
		}
	})
	t.Run("digest", func(t *testing.T) {
		data, _ := json.Marshal(good)
		sum := *summarise(manifest.Digest(data), good)
		_, err := audit.VerifyChangedFiles(append(data, ' '), sum)
		assert.ErrorIs(t, err, manifest.ErrEvidenceDigest)
		sum.Digest = "md5:abc"
		_, err = audit.VerifyChangedFiles(data, sum)
		assert.ErrorIs(t, err, manifest.ErrInvalidDigest)
		assert.False(t, errors.Is(err, manifest.ErrEvidenceDigest))
	})
	t.Run("too many files", func(t *testing.T) {
		cf := manifest.ChangedFiles{To: "v1.0.0", Total: manifest.MaxChangedFiles + 1}
		for i := range manifest.MaxChangedFiles + 1 {
			cf.Files = append(cf.Files, manifest.FileChange{Path: fmt.Sprintf("f%d", i), Change: "added", SHA256: "x"})
		}
		data, _ := json.Marshal(cf)
		_, err := audit.VerifyChangedFiles(data, *summarise(manifest.Digest(data), cf))
		var te *audit.TrailError
		require.ErrorAs(t, err, &te)
		assert.Contains(t, te.Detail, "lists 10001 files, more than 10000")
	})
}

// TestTrailDeploymentUnsafe: a deployment report let through by an unsafe
// option (skip-authorization-unsafe in production) is a gap, as a
// promotion let through by one is.
func TestTrailDeploymentUnsafe(t *testing.T) {
	l := newAttemptLog(t)
	l.promote("prod", attemptAt(2, 10, 0), ciActor)
	l.append(manifest.Entry{Kind: manifest.KindDeployment, Deploy: &manifest.Deployment{
		Release: "v1.0.0", Env: "prod", Result: manifest.ResultSucceeded, Actor: ciActor, At: attemptAt(2, 10, 5),
		Unsafe: []string{manifest.UnsafeSkipAuthorization},
	}})
	d := l.trail(l.sources()).Steps(audit.StepDeployment)[0]
	assert.Equal(t, audit.Gap, d.Status)
	assert.Equal(t, "reported through unsafe option(s): skip-authorization-unsafe", d.Reason)
	assert.ErrorIs(t, d.Err, audit.ErrMissingEvidence)
}

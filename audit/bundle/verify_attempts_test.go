package bundle_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/bundle"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

// attemptChanges is what changed from v0.9.0 to v1.0.0.
var attemptChanges = manifest.ChangedFiles{From: "v0.9.0", To: "v1.0.0", ToTree: strings.Repeat("b", 40), Total: 2, Files: []manifest.FileChange{
	{Path: "app/main.go", Change: "modified", SHA256: strings.Repeat("1", 64), Previous: strings.Repeat("2", 64)},
	{Path: "app/search.go", Change: "added", SHA256: strings.Repeat("3", 64)},
}}

// addAttempts appends to the fixture's log, as the manifest functions that
// write them will, a refused promotion of v1.0.0 and its production
// deployment (started, naming the changed-files manifest stored as
// evidence, then succeeded), and signs a checkpoint of the whole log. It
// returns the manifest's summary.
func addAttempts(t *testing.T, f *bundleFixture) manifest.ChangedFilesSummary {
	t.Helper()
	ctx := t.Context()
	data, err := json.Marshal(attemptChanges)
	require.NoError(t, err)
	d, err := f.store.PutEvidence(ctx, data)
	require.NoError(t, err)
	sum := manifest.ChangedFilesSummary{Digest: d, From: "v0.9.0", Files: 2, Added: 1, Modified: 1}
	digest := mustRecord(t, f).Artifacts[0].Digest
	at := time.Date(2026, 1, 5, 11, 10, 0, 0, time.UTC)
	for _, e := range []manifest.Entry{
		{Kind: manifest.KindDenied, Denial: &manifest.Denial{
			Action: "promote", Release: "v1.0.0", Env: "prod", Digest: digest, Actor: &manifest.Actor{Name: "mallory"},
			Refusal: "manifest: mallory may not deploy in prod", At: at,
		}},
		{Kind: manifest.KindDeployment, Deploy: &manifest.Deployment{
			Release: "v1.0.0", Env: "prod", Result: manifest.ResultStarted, Targets: []string{"web-1"}, Digest: digest, Changes: &sum, At: at.Add(time.Minute),
		}},
		{Kind: manifest.KindDeployment, Deploy: &manifest.Deployment{
			Release: "v1.0.0", Env: "prod", Result: manifest.ResultSucceeded, Targets: []string{"web-1"}, Digest: digest, Changes: &sum, At: at.Add(5 * time.Minute),
		}},
	} {
		_, err := f.store.Append(ctx, e)
		require.NoError(t, err)
	}
	f.resignCheckpoint(t)
	return sum
}

// TestBuildCarriesAttempts: the bundle carries the release's refused
// attempts and deployment outcomes in its log and the changed-files
// manifest they name, and verifies it against the entries.
func TestBuildCarriesAttempts(t *testing.T) {
	f := newBundleFixture(t)
	sum := addAttempts(t, f)
	b := buildBundle(t, f)
	name := "changes/" + strings.TrimPrefix(sum.Digest, "sha256:") + ".json"
	data, ok := b.File(name)
	require.True(t, ok, "the changed-files manifest is in the bundle")
	assert.Equal(t, sum.Digest, manifest.Digest(data))
	_, ok = b.File(entryName(9))
	assert.True(t, ok, "the log up to the last entry about the release")

	rep, err := bundle.Verify(t.Context(), b, f.keys)
	require.NoError(t, err)
	c, _ := rep.Check("changes")
	assert.Equal(t, audit.Verified, c.Status)
	assert.Equal(t, "1 changed-files manifest(s) named by 2 deployment outcome(s) match their entries", c.Detail)
	c, _ = rep.Check("promotions")
	assert.Equal(t, "3 promotion(s) and 1 deploy result(s) match the record; 2 deployment outcome(s) (0 failed) match it; 1 refused attempt(s) logged", c.Detail)

	again := buildBundle(t, f)
	assert.Equal(t, tarGz(t, b), tarGz(t, again), "reproducible")
	read, err := bundle.Read(bytes.NewReader(tarGz(t, b)))
	require.NoError(t, err)
	_, err = bundle.Verify(t.Context(), read, f.keys)
	require.NoError(t, err)
}

// TestVerifyChangesTampered: a changed-files manifest edited, removed,
// added or summarised otherwise in a bundle fails with ReasonChanges (and
// the index check, unless the index was rewritten too, which the attacker
// can always do).
func TestVerifyChangesTampered(t *testing.T) {
	f := newBundleFixture(t)
	sum := addAttempts(t, f)
	orig := bundleFiles(buildBundle(t, f))
	name := "changes/" + strings.TrimPrefix(sum.Digest, "sha256:") + ".json"
	for _, tc := range []struct {
		name    string
		tamper  func(files map[string][]byte)
		reindex bool
		reasons []string
		is      []error
	}{
		{
			name: "edited",
			tamper: func(files map[string][]byte) {
				files[name] = bytes.Replace(files[name], []byte("app/search.go"), []byte("app/secret.go"), 1)
			},
			reasons: []string{bundle.ReasonDigest, bundle.ReasonChanges},
			is:      []error{bundle.ErrDigest, manifest.ErrEvidenceDigest},
		},
		{
			name: "edited, index rewritten",
			tamper: func(files map[string][]byte) {
				files[name] = bytes.Replace(files[name], []byte("app/search.go"), []byte("app/secret.go"), 1)
			},
			reindex: true,
			reasons: []string{bundle.ReasonChanges},
			is:      []error{manifest.ErrEvidenceDigest},
		},
		{
			name:    "removed, index rewritten",
			tamper:  func(files map[string][]byte) { delete(files, name) },
			reindex: true,
			reasons: []string{bundle.ReasonChanges},
		},
		{
			name: "another manifest added",
			tamper: func(files map[string][]byte) {
				files["changes/"+strings.Repeat("0", 64)+".json"] = []byte("{}")
			},
			reindex: true,
			reasons: []string{bundle.ReasonUnexpectedFile},
		},
		{
			name: "summarised otherwise",
			tamper: func(files map[string][]byte) {
				// An entry after the checkpoint, which anyone can append,
				// names the same manifest with other counts.
				e, err := manifest.ParseEntry(files[entryName(9)])
				require.NoError(t, err)
				h, err := e.Hash()
				require.NoError(t, err)
				s := sum
				s.Added, s.Modified = 2, 0
				next := manifest.Entry{Seq: 10, Prev: h, Kind: manifest.KindDeployment, Deploy: &manifest.Deployment{
					Release: "v1.0.0", Env: "prod", Result: manifest.ResultSucceeded, Changes: &s, At: time.Date(2026, 1, 6, 9, 0, 0, 0, time.UTC),
				}}
				files[entryName(10)], err = manifest.MarshalEntry(next)
				require.NoError(t, err)
			},
			reindex: true,
			reasons: []string{bundle.ReasonChanges},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string][]byte{}
			for k, v := range orig {
				files[k] = bytes.Clone(v)
			}
			tc.tamper(files)
			if tc.reindex {
				reindex(t, files)
			}
			rep, err := bundle.Verify(t.Context(), fromFiles(t, files), f.keys)
			require.Error(t, err)
			assert.Equal(t, audit.Failed, rep.Status())
			assert.ElementsMatch(t, tc.reasons, uniq(checkReasons(err)))
			for _, want := range tc.is {
				assert.ErrorIs(t, err, want)
			}
			var ce *bundle.CheckError
			require.True(t, errors.As(err, &ce))
		})
	}
}

func uniq(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// TestVerifyDeploymentOfAnotherDigest: a deployment outcome of the release
// that names a digest of no artifact of the record fails the promotions
// check.
func TestVerifyDeploymentOfAnotherDigest(t *testing.T) {
	f := newBundleFixture(t)
	_, err := f.store.Append(t.Context(), manifest.Entry{Kind: manifest.KindDeployment, Deploy: &manifest.Deployment{
		Release: "v1.0.0", Env: "prod", Result: manifest.ResultSucceeded, Digest: manifest.Digest([]byte("another build")),
		At: time.Date(2026, 1, 5, 11, 10, 0, 0, time.UTC),
	}})
	require.NoError(t, err)
	f.resignCheckpoint(t)
	_, err = bundle.Verify(t.Context(), buildBundle(t, f), f.keys)
	assert.Equal(t, []string{bundle.ReasonPromotion}, checkReasons(err))
	assert.Contains(t, err.Error(), "deployment outcome for sha256:")
}

// TestBuildChangesMissing: a changed-files manifest the store does not hold
// is a missing source.
func TestBuildChangesMissing(t *testing.T) {
	f := newBundleFixture(t)
	sum := addAttempts(t, f)
	require.NoError(t, os.Remove(filepath.Join(f.storeDir, "evidence", strings.TrimPrefix(sum.Digest, "sha256:"))))
	_, err := bundle.Build(t.Context(), f.src, "v1.0.0")
	require.ErrorIs(t, err, bundle.ErrSource)
	require.ErrorIs(t, err, manifest.ErrNotFound)
}

// TestVerifyBundleBeforeAttempts: a bundle built before refused attempts
// and deployment outcomes were logged (testdata, written by the earlier
// Build from this fixture) still verifies, and Build still writes the same
// bytes from the same evidence.
func TestVerifyBundleBeforeAttempts(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "v1.0.0-before-attempts.tar.gz"))
	require.NoError(t, err)
	b, err := bundle.Read(bytes.NewReader(data))
	require.NoError(t, err)
	f := newBundleFixture(t)
	rep, err := bundle.Verify(t.Context(), b, f.keys)
	require.NoError(t, err)
	c, _ := rep.Check("changes")
	assert.Equal(t, audit.Verified, c.Status)
	assert.Equal(t, "no deployment outcome of the release names a changed-files manifest", c.Detail)
	for _, c := range rep.Checks {
		assert.NotEqual(t, audit.Failed, c.Status, "%s: %s", c.Name, c.Detail)
	}
}

// TestBundleCarriesRefusingReports: the report of a gate that refused an
// attempt is carried beside the denial and verified: in the bundle,
// hashing to the entry's gate digest, and denying. A denial naming a
// report that allows fails.
func TestBundleCarriesRefusingReports(t *testing.T) {
	f := newBundleFixture(t)
	ctx := t.Context()
	digest := mustRecord(t, f).Artifacts[0].Digest
	closed := policy.Gate{Policy: policy.Policy{Controls: []policy.Control{policy.ChangeWindow{Windows: []policy.Window{{
		Days: []time.Weekday{time.Sunday}, Start: "10:00", End: "11:00", Zone: "UTC",
	}}}}}}
	e, err := promote(ctx, f.store, manifest.PromoteRequest{
		Release: "v1.0.0", Env: "prod", Digest: digest, Approver: "alice@example.com", Reason: "again",
	}, manifest.WithGate(closed), manifest.WithClock(func() time.Time { return time.Date(2026, 1, 5, 11, 30, 0, 0, time.UTC) }))
	require.Error(t, err)
	require.NotNil(t, e.Denial)
	require.NotEmpty(t, e.Denial.Gate, "the refusing gate's report is evidence")
	f.resignCheckpoint(t)

	b := buildBundle(t, f)
	name := "policy/" + strings.TrimPrefix(e.Denial.Gate, "sha256:") + ".json"
	data, ok := b.File(name)
	require.True(t, ok, "the refusing report is in the bundle")
	assert.Equal(t, e.Denial.Gate, manifest.Digest(data))
	rep, err := bundle.Verify(ctx, b, f.keys)
	require.NoError(t, err)
	c, _ := rep.Check("policy")
	assert.Equal(t, audit.Verified, c.Status, c.Detail)
	assert.Contains(t, c.Detail, "1 match the refused attempts that name them and deny them")

	// A denial that names the report of an allowed promotion.
	entries, err := f.store.Entries(ctx)
	require.NoError(t, err)
	var allowing string
	for _, x := range entries {
		if x.Promotion != nil && x.Promotion.Gate != "" {
			allowing = x.Promotion.Gate
		}
	}
	require.NotEmpty(t, allowing)
	_, err = manifest.Deny(ctx, f.store, manifest.Denial{Action: manifest.AttemptPromote, Release: "v1.0.0", Env: "prod", Refusal: "refused", Gate: allowing})
	require.NoError(t, err)
	f.resignCheckpoint(t)
	rep, err = bundle.Verify(ctx, buildBundle(t, f), f.keys)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "allows the attempt the log says it refused")
	c, _ = rep.Check("policy")
	assert.Equal(t, audit.Failed, c.Status)
}

package audit_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/internal/testkit/audittest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// trailOf returns the trail of one release, failing t on error.
func trailOf(t *testing.T, src audit.Sources, tag string) audit.ReleaseTrail {
	t.Helper()
	rep, err := audit.Trail(t.Context(), src, audit.Query{Release: tag})
	require.NoError(t, err)
	require.Len(t, rep.Releases, 1)
	return rep.Releases[0]
}

// trailLink returns the link of step and id, failing t when there is none.
func trailLink(t *testing.T, tr audit.ReleaseTrail, step audit.Step, id string) audit.Link {
	t.Helper()
	l, ok := tr.Find(step, id)
	require.True(t, ok, "no %s link %q in the trail of %s", step, id, tr.Release)
	return l
}

// trailPromotion returns the n-th promotion link of tr to env.
func trailPromotion(t *testing.T, tr audit.ReleaseTrail, env string, n int) audit.Link {
	t.Helper()
	var got []audit.Link
	for _, l := range tr.Steps(audit.StepPromotion) {
		if l.ID == env {
			got = append(got, l)
		}
	}
	require.Greater(t, len(got), n, "promotions of %s to %s", tr.Release, env)
	return got[n]
}

func TestTrailEveryReleaseComplete(t *testing.T) {
	f := audittest.New(t)
	for _, r := range f.Releases {
		t.Run(r.Tag, func(t *testing.T) {
			rep, err := audit.Trail(t.Context(), f.Sources, audit.Query{Release: r.Tag})
			require.NoError(t, err)
			require.NoError(t, rep.Err())
			require.Len(t, rep.Releases, 1)
			tr := rep.Releases[0]
			assert.Equal(t, audit.Verified, tr.Status)
			assert.Equal(t, r.Commit, tr.Commit)
			assert.Equal(t, r.Version, tr.Version)
			assert.Equal(t, r.Previous, tr.Previous)
			assert.Equal(t, audittest.Component, tr.Component)

			// The commits of the range, in git's order, each verified.
			var got []string
			for _, l := range tr.Steps(audit.StepCommit) {
				got = append(got, l.ID)
				assert.Equal(t, audit.Verified, l.Status, l.ID)
			}
			assert.Equal(t, r.Commits, got)
			for _, tk := range r.Tickets {
				assert.Equal(t, audit.Verified, trailLink(t, tr, audit.StepTicket, tk).Status, tk)
			}

			tag := trailLink(t, tr, audit.StepTag, r.Tag)
			assert.Equal(t, audit.Verified, tag.Status)
			assert.Equal(t, r.Commit, tag.Tag.Target)
			assert.Equal(t, r.TagHash, tag.Tag.Object)
			assert.Equal(t, audittest.Releaser, tag.Tag.Signer)
			assert.Equal(t, ssh.FingerprintSHA256(f.Keys.TagPublic), tag.Tag.Fingerprint)

			art := trailLink(t, tr, audit.StepArtifact, audittest.ArtifactName)
			assert.Equal(t, audit.Verified, art.Status)
			assert.True(t, art.Artifact.Rehashed)
			assert.Equal(t, r.Digest, art.Artifact.Digest)

			bom := trailLink(t, tr, audit.StepSBOM, r.SBOM)
			assert.Equal(t, audit.Verified, bom.Status)
			assert.Equal(t, r.Digest, bom.SBOM.Subject)
			assert.Equal(t, r.SBOMDigest, bom.SBOM.Digest)

			prov := trailLink(t, tr, audit.StepProvenance, audittest.ArtifactName)
			assert.Equal(t, audit.Verified, prov.Status)
			assert.Equal(t, r.Record.Provenance.BuildID, prov.Provenance.InvocationID)
			assert.Equal(t, "https://ci.example.com/builders/release", prov.Provenance.BuilderID)

			lg := trailLink(t, tr, audit.StepLog, "promotions")
			assert.Equal(t, audit.Verified, lg.Status)
			assert.Equal(t, f.Checkpoint.Count, lg.Log.Checkpoint)

			// Every promotion of the release, in log order, each followed
			// by the verified policy report that gated it.
			proms := tr.Steps(audit.StepPromotion)
			require.Len(t, proms, len(r.Promotions))
			for i, p := range r.Promotions {
				assert.Equal(t, audit.Verified, proms[i].Status)
				assert.Equal(t, p.Env, proms[i].ID)
				assert.Equal(t, p.Approver, proms[i].Promotion.Approver)
				assert.Equal(t, p.PromotedAt, proms[i].Promotion.PromotedAt)
				assert.Equal(t, p.Gate, proms[i].Promotion.Gate)
				assert.NotEmpty(t, p.Gate)
			}
			gates := tr.Steps(audit.StepGate)
			require.Len(t, gates, len(r.Promotions))
			for i, g := range gates {
				assert.Equal(t, audit.Verified, g.Status, g.Reason)
				assert.Equal(t, r.Promotions[i].Gate, g.Gate.Digest)
				assert.Contains(t, g.Gate.Controls, "REL-WINDOW-001")
				assert.Empty(t, g.Gate.FailedControls)
			}
			// The chain is in §1.5.2 order.
			order := map[audit.Step]int{audit.StepTicket: 0, audit.StepPullRequest: 1, audit.StepCommit: 2, audit.StepTag: 3,
				audit.StepArtifact: 4, audit.StepSBOM: 5, audit.StepProvenance: 6, audit.StepLog: 7}
			last := 0
			for _, l := range tr.Links {
				if o, ok := order[l.Step]; ok {
					assert.GreaterOrEqual(t, o, last, "%s after a later step", l.Step)
					last = o
				}
			}
		})
	}
}

func TestTrailHotfixRollbackBackport(t *testing.T) {
	f := audittest.New(t)

	// The hotfix: an emergency change outside the window, with its record.
	hf := trailOf(t, f.Sources, "v1.2.2")
	assert.Equal(t, audittest.Incident, hf.Incident)
	assert.Equal(t, "v1.2.1", hf.HotfixFor)
	assert.Equal(t, "v1.2.1..v1.2.2", hf.Range)
	prod := trailPromotion(t, hf, "prod", 0)
	require.NotNil(t, prod.Promotion.Emergency)
	assert.Equal(t, audittest.Incident, prod.Promotion.Emergency.ID)
	assert.Equal(t, audittest.IncidentCommander, prod.Promotion.Approver)
	assert.Empty(t, prod.Promotion.Window)
	assert.Contains(t, prod.Reason, "emergency change INC123")
	assert.Equal(t, "v1.3.0", prod.Promotion.ReplacedBy)
	assert.False(t, prod.Promotion.RolledBack)

	// The rollback of v1.2.0 to v1.1.0, seen from both releases.
	rolled := trailOf(t, f.Sources, "v1.2.0")
	p := trailPromotion(t, rolled, "prod", 0)
	assert.True(t, p.Promotion.RolledBack)
	assert.Equal(t, "v1.1.0", p.Promotion.ReplacedBy)
	assert.Equal(t, f.Rollback.At, p.Promotion.ReplacedAt)
	rb := trailLink(t, rolled, audit.StepRollback, "prod")
	assert.Equal(t, audit.Verified, rb.Status)
	assert.Equal(t, "v1.1.0", rb.Promotion.Release)
	assert.Equal(t, "v1.2.0", rb.Promotion.RollbackFrom)
	assert.Equal(t, f.Rollback.Approver, rb.Promotion.Approver)
	assert.Contains(t, rb.Reason, f.Rollback.Reason)
	target := trailOf(t, f.Sources, "v1.1.0")
	again := trailPromotion(t, target, "prod", 1)
	assert.Equal(t, "v1.2.0", again.Promotion.RollbackFrom)
	assert.Equal(t, f.Rollback.At, again.Promotion.PromotedAt)
	assert.Equal(t, audit.Verified, trailLink(t, target, audit.StepGate, "prod").Status)

	// The backport: its pull request names the original one and commit.
	bp := trailOf(t, f.Sources, "v1.2.1")
	pr := trailLink(t, bp, audit.StepPullRequest, "#8")
	assert.Equal(t, audit.Verified, pr.Status)
	assert.Contains(t, pr.Reason, "backport of #5 ("+f.Commits.Fix+")")
	c := trailLink(t, bp, audit.StepCommit, f.Commits.Backport)
	assert.Equal(t, []string{f.Commits.Fix}, c.Commit.CherryPickedFrom)

	// v1.3.0 follows v1.2.0 on main, not the release branch's v1.2.2.
	main := trailOf(t, f.Sources, "v1.3.0")
	assert.Equal(t, "v1.2.0", main.Previous)
	fp := trailLink(t, main, audit.StepCommit, f.Commits.ForwardPort)
	assert.Equal(t, []string{f.Commits.Hotfix}, fp.Commit.CherryPickedFrom)
}

func TestTrailQueries(t *testing.T) {
	f := audittest.New(t)
	ctx := t.Context()
	v120, _ := f.Release("v1.2.0")

	rep, err := audit.Trail(ctx, f.Sources, audit.Query{Release: "1.2.0"})
	require.NoError(t, err)
	require.Len(t, rep.Releases, 1)
	assert.Equal(t, "v1.2.0", rep.Releases[0].Release)

	rep, err = audit.Trail(ctx, f.Sources, audit.ParseQuery(v120.Digest))
	require.NoError(t, err)
	require.Len(t, rep.Releases, 1)
	assert.Equal(t, "v1.2.0", rep.Releases[0].Release)

	// A commit: every production release that contains it.
	rep, err = audit.Trail(ctx, f.Sources, audit.ParseQuery(f.Commits.Hotfix))
	require.NoError(t, err)
	var tags []string
	for _, r := range rep.Releases {
		tags = append(tags, r.Release)
	}
	assert.Equal(t, []string{"v1.2.2", "v1.3.0"}, tags)
	require.Len(t, rep.Containing, 2)
	assert.Equal(t, f.Commits.ForwardPort, rep.Containing[1].Via[0].Commit)

	assert.Equal(t, audit.Query{Release: "v1.2.0"}, audit.ParseQuery("v1.2.0"))
	assert.Equal(t, audit.Query{Commit: "abcdef1"}, audit.ParseQuery("abcdef1"))

	for _, tc := range []struct {
		name string
		src  audit.Sources
		q    audit.Query
		want []error
	}{
		{"unknown tag", f.Sources, audit.Query{Release: "v9.9.9"}, []error{audit.ErrUnknownRelease, manifest.ErrNotFound}},
		{"unknown version", f.Sources, audit.Query{Release: "9.9.9"}, []error{audit.ErrUnknownRelease, manifest.ErrNotFound}},
		{"bad name", f.Sources, audit.Query{Release: "../x"}, []error{audit.ErrUnknownRelease}},
		{"unknown digest", f.Sources, audit.Query{Digest: manifest.Digest([]byte("nothing"))}, []error{audit.ErrUnknownRelease, manifest.ErrNotFound}},
		{"bad digest", f.Sources, audit.Query{Digest: "sha256:ABC"}, []error{audit.ErrInvalidQuery, manifest.ErrInvalidDigest}},
		{"unknown commit", f.Sources, audit.Query{Commit: strings.Repeat("e", 40)}, []error{audit.ErrInvalidQuery}},
		{"empty", f.Sources, audit.Query{}, []error{audit.ErrInvalidQuery}},
		{"two fields", f.Sources, audit.Query{Release: "v1.0.0", Commit: f.Commits.Cart}, []error{audit.ErrInvalidQuery}},
		{"no store", audit.Sources{}, audit.Query{Release: "v1.0.0"}, []error{audit.ErrNoStore}},
		{"commit without repo", audit.Sources{Store: f.Store}, audit.Query{Commit: f.Commits.Cart}, []error{audit.ErrNoRepository}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := audit.Trail(ctx, tc.src, tc.q)
			require.Error(t, err)
			assert.Nil(t, rep)
			for _, w := range tc.want {
				assert.ErrorIs(t, err, w)
			}
		})
	}

	// A commit no production release contains.
	f.Git.Checkout("main")
	unreleased := f.Git.Commit("feat(search): fuzzy matching (#9)\n\nRefs: SHOP-9\n")
	_, err = audit.Trail(ctx, f.Sources, audit.Query{Commit: unreleased})
	assert.Equal(t, audit.ReasonNotInProduction, trailReason(err))
}

// trailCorrupt rewrites file with change.
func trailCorrupt(t *testing.T, file string, change func([]byte) []byte) {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, change(data), 0o644))
}

func TestTrailGapsAndFailures(t *testing.T) {
	const tag = "v1.2.1"
	otherKey, err := ssh.NewSignerFromKey(audittest.DeriveKey("someone else", "tag"))
	require.NoError(t, err)
	otherSigners, err := signature.ParseAllowedSigners([]byte(audittest.Releaser + " " + string(ssh.MarshalAuthorizedKey(otherKey.PublicKey()))))
	require.NoError(t, err)
	otherProv, err := signature.NewKeyVerifier(audittest.DeriveKey("someone else", "provenance").Public().(ed25519.PublicKey))
	require.NoError(t, err)

	for _, tc := range []struct {
		name   string
		change func(t *testing.T, f *audittest.Fixture, r audittest.Release) audit.Sources
		step   audit.Step
		id     func(r audittest.Release) string
		status audit.Status
		reason string
		errs   []error
		why    string // the Reason of a *audit.TrailError in the error
		as     any
	}{
		{
			name: "SBOM deleted",
			change: func(t *testing.T, f *audittest.Fixture, r audittest.Release) audit.Sources {
				require.NoError(t, os.Remove(filepath.Join(f.EvidenceDir, r.SBOM)))
				return f.Sources
			},
			step: audit.StepSBOM, id: func(r audittest.Release) string { return r.SBOM },
			status: audit.Gap, reason: "not in the evidence", errs: []error{audit.ErrMissingEvidence, fs.ErrNotExist},
		},
		{
			name: "SBOM edited",
			change: func(t *testing.T, f *audittest.Fixture, r audittest.Release) audit.Sources {
				trailCorrupt(t, filepath.Join(f.EvidenceDir, r.SBOM), func(b []byte) []byte { return bytes.Replace(b, []byte("shop.tar.gz"), []byte("shop.tar.bz"), 1) })
				return f.Sources
			},
			step: audit.StepSBOM, id: func(r audittest.Release) string { return r.SBOM },
			status: audit.Failed, reason: "edited or swapped", errs: []error{sbom.ErrReferenceMismatch}, as: new(*sbom.MismatchError),
		},
		{
			name: "tag verified with the wrong key",
			change: func(t *testing.T, f *audittest.Fixture, r audittest.Release) audit.Sources {
				src := f.Sources
				src.TagVerifier = signature.NewSSHVerifier(otherSigners, tagging.GitNamespace)
				return src
			},
			step: audit.StepTag, id: func(r audittest.Release) string { return r.Tag },
			status: audit.Failed, reason: "signature does not verify", errs: []error{signature.ErrUntrustedKey},
		},
		{
			name: "no tag verifier",
			change: func(t *testing.T, f *audittest.Fixture, r audittest.Release) audit.Sources {
				src := f.Sources
				src.TagVerifier = nil
				return src
			},
			step: audit.StepTag, id: func(r audittest.Release) string { return r.Tag },
			status: audit.Recorded, reason: "no tag verifier given",
		},
		{
			name: "provenance deleted",
			change: func(t *testing.T, f *audittest.Fixture, r audittest.Release) audit.Sources {
				require.NoError(t, os.Remove(filepath.Join(f.EvidenceDir, r.Provenance)))
				return f.Sources
			},
			step: audit.StepProvenance, id: func(audittest.Release) string { return audittest.ArtifactName },
			status: audit.Gap, errs: []error{audit.ErrMissingEvidence},
		},
		{
			name: "provenance from an untrusted key",
			change: func(t *testing.T, f *audittest.Fixture, r audittest.Release) audit.Sources {
				src := f.Sources
				src.ProvenanceVerifiers = []signature.Verifier{otherProv}
				return src
			},
			step: audit.StepProvenance, id: func(audittest.Release) string { return audittest.ArtifactName },
			status: audit.Failed, errs: []error{signature.ErrBadSignature},
		},
		{
			name: "no provenance verifier",
			change: func(t *testing.T, f *audittest.Fixture, r audittest.Release) audit.Sources {
				src := f.Sources
				src.ProvenanceVerifiers = nil
				return src
			},
			step: audit.StepProvenance, id: func(audittest.Release) string { return audittest.ArtifactName },
			status: audit.Recorded, reason: "no provenance verifier",
		},
		{
			name: "artifact replaced",
			change: func(t *testing.T, f *audittest.Fixture, r audittest.Release) audit.Sources {
				prev, _ := f.Release(r.Previous)
				data, err := os.ReadFile(filepath.Join(f.EvidenceDir, prev.Artifact))
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(filepath.Join(f.EvidenceDir, r.Artifact), data, 0o644))
				return f.Sources
			},
			step: audit.StepArtifact, id: func(audittest.Release) string { return audittest.ArtifactName },
			status: audit.Failed, why: audit.ReasonDigestMismatch,
		},
		{
			name: "no evidence at all",
			change: func(t *testing.T, f *audittest.Fixture, r audittest.Release) audit.Sources {
				src := f.Sources
				src.Evidence = nil
				return src
			},
			step: audit.StepSBOM, id: func(r audittest.Release) string { return r.SBOM },
			status: audit.Gap, errs: []error{audit.ErrMissingEvidence},
		},
		{
			name: "no checkpoint",
			change: func(t *testing.T, f *audittest.Fixture, r audittest.Release) audit.Sources {
				src := f.Sources
				src.Checkpoint, src.CheckpointSig = nil, nil
				return src
			},
			step: audit.StepLog, id: func(audittest.Release) string { return "promotions" },
			status: audit.Recorded, reason: "no signed checkpoint",
		},
		{
			name: "checkpoint edited",
			change: func(t *testing.T, f *audittest.Fixture, r audittest.Release) audit.Sources {
				src := f.Sources
				src.Checkpoint = bytes.Replace(src.Checkpoint, []byte(`"count":37`), []byte(`"count":36`), 1)
				require.NotEqual(t, f.Sources.Checkpoint, src.Checkpoint)
				return src
			},
			step: audit.StepLog, id: func(audittest.Release) string { return "promotions" },
			status: audit.Failed, errs: []error{signature.ErrBadSignature},
		},
		{
			name: "log entry edited",
			change: func(t *testing.T, f *audittest.Fixture, r audittest.Release) audit.Sources {
				trailCorrupt(t, filepath.Join(f.StoreDir, "log", "00000000000000000013.json"), func(b []byte) []byte {
					return bytes.Replace(b, []byte(audittest.Approver), []byte("mallory@example.com"), 1)
				})
				return f.Sources
			},
			step: audit.StepLog, id: func(audittest.Release) string { return "promotions" },
			status: audit.Failed, errs: []error{manifest.ErrTampered}, as: new(*manifest.ChainError),
		},
		{
			name: "log truncated",
			change: func(t *testing.T, f *audittest.Fixture, r audittest.Release) audit.Sources {
				require.NoError(t, os.Remove(filepath.Join(f.StoreDir, "log", "00000000000000000037.json")))
				return f.Sources
			},
			step: audit.StepLog, id: func(audittest.Release) string { return "promotions" },
			status: audit.Failed, errs: []error{manifest.ErrTruncated},
		},
		{
			name: "gate report deleted",
			change: func(t *testing.T, f *audittest.Fixture, r audittest.Release) audit.Sources {
				g := r.Promotions[2].Gate
				require.NoError(t, os.Remove(filepath.Join(f.StoreDir, "evidence", strings.TrimPrefix(g, "sha256:"))))
				return f.Sources
			},
			step: audit.StepGate, id: func(audittest.Release) string { return "prod" },
			status: audit.Gap, errs: []error{audit.ErrMissingEvidence, manifest.ErrNotFound},
		},
		{
			name: "gate report edited",
			change: func(t *testing.T, f *audittest.Fixture, r audittest.Release) audit.Sources {
				g := r.Promotions[2].Gate
				trailCorrupt(t, filepath.Join(f.StoreDir, "evidence", strings.TrimPrefix(g, "sha256:")), func(b []byte) []byte {
					return bytes.Replace(b, []byte(`"pass"`), []byte(`"fail"`), 1)
				})
				return f.Sources
			},
			step: audit.StepGate, id: func(audittest.Release) string { return "prod" },
			status: audit.Failed, errs: []error{manifest.ErrEvidenceDigest},
		},
		{
			name: "no repository",
			change: func(t *testing.T, f *audittest.Fixture, r audittest.Release) audit.Sources {
				src := f.Sources
				src.Repo = nil
				return src
			},
			step: audit.StepTag, id: func(r audittest.Release) string { return r.Tag },
			status: audit.Gap, errs: []error{audit.ErrMissingEvidence},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each case has its own fixture
			f := audittest.New(t)
			r, _ := f.Release(tag)
			src := tc.change(t, f, r)
			rep, err := audit.Trail(t.Context(), src, audit.Query{Release: tag})
			require.NoError(t, err)
			tr := rep.Releases[0]
			l := trailLink(t, tr, tc.step, tc.id(r))
			assert.Equal(t, tc.status, l.Status, l.Reason)
			assert.Contains(t, l.Reason, tc.reason)
			for _, w := range tc.errs {
				assert.ErrorIs(t, l.Err, w)
			}
			if tc.why != "" {
				assert.Equal(t, tc.why, trailReason(l.Err))
			}
			if tc.as != nil {
				assert.ErrorAs(t, l.Err, tc.as)
			}
			if l.Err != nil {
				assert.Equal(t, l.Err.Error(), l.Error)
			}
			// The release's status is at least as bad as the link's, and
			// Err reports gaps and failures, never recorded links.
			switch tc.status {
			case audit.Gap, audit.Failed:
				assert.NotEqual(t, audit.Verified, tr.Status)
				require.Error(t, rep.Err())
				var le *audit.LinkError
				require.ErrorAs(t, rep.Err(), &le)
				for _, w := range tc.errs {
					assert.ErrorIs(t, rep.Err(), w)
				}
				if tc.why != "" {
					assert.Equal(t, tc.why, trailReason(rep.Err()))
				}
			case audit.Recorded:
				assert.Equal(t, audit.Recorded, tr.Status)
				assert.NoError(t, rep.Err())
			}
		})
	}
}

func TestTrailLogFailureMarksPromotions(t *testing.T) {
	f := audittest.New(t)
	trailCorrupt(t, filepath.Join(f.StoreDir, "log", "00000000000000000002.json"), func(b []byte) []byte {
		return bytes.Replace(b, []byte(audittest.Approver), []byte("mallory@example.com"), 1)
	})
	tr := trailOf(t, f.Sources, "v1.3.0")
	assert.Equal(t, audit.Failed, tr.Status)
	for _, l := range tr.Steps(audit.StepPromotion) {
		assert.Equal(t, audit.Failed, l.Status)
		assert.ErrorIs(t, l.Err, manifest.ErrTampered)
	}
}

func TestTrailGitStoreAndJSON(t *testing.T) {
	f := audittest.New(t, audittest.WithGitStore())
	require.Empty(t, f.StoreDir)
	rep, err := audit.Trail(t.Context(), f.Sources, audit.Query{Release: "v1.2.2"})
	require.NoError(t, err)
	require.NoError(t, rep.Err())
	tr := rep.Releases[0]
	assert.Equal(t, audit.Verified, trailLink(t, tr, audit.StepGate, "prod").Status)

	data, err := json.Marshal(rep)
	require.NoError(t, err)
	var m struct {
		Query      map[string]string `json:"query"`
		VerifiedAt string            `json:"verified_at"`
		Releases   []struct {
			Release   string           `json:"release"`
			Incident  string           `json:"incident"`
			HotfixFor string           `json:"hotfix_for"`
			Links     []map[string]any `json:"links"`
		} `json:"releases"`
	}
	require.NoError(t, json.Unmarshal(data, &m))
	assert.Equal(t, "v1.2.2", m.Query["release"])
	assert.Equal(t, "2026-02-02T12:00:00Z", m.VerifiedAt)
	require.Len(t, m.Releases, 1)
	assert.Equal(t, "INC123", m.Releases[0].Incident)
	assert.Equal(t, "v1.2.1", m.Releases[0].HotfixFor)
	var emergency map[string]any
	for _, l := range m.Releases[0].Links {
		if l["step"] == "promotion" && l["id"] == "prod" {
			emergency = l["promotion"].(map[string]any)["emergency"].(map[string]any)
		}
		assert.Contains(t, []any{"verified", "recorded", "gap", "failed"}, l["status"])
	}
	require.NotNil(t, emergency)
	assert.Equal(t, "INC123", emergency["id"])

	var text bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	assert.Contains(t, text.String(), "release v1.2.2 (commit "+tr.Commit+", range v1.2.1..v1.2.2): verified\n")
	assert.Contains(t, text.String(), "  hotfix for v1.2.1, incident INC123\n")
	assert.Contains(t, text.String(), "emergency change INC123")
}

func TestTrailDeterministic(t *testing.T) {
	render := func() []byte {
		f := audittest.New(t)
		rep, err := audit.Trail(context.Background(), f.Sources, audit.Query{Release: "v1.3.0"})
		require.NoError(t, err)
		data, err := json.Marshal(rep)
		require.NoError(t, err)
		return data
	}
	assert.Equal(t, string(render()), string(render()))
}

// trailNoEvidence hides a store's EvidenceStore methods.
type trailNoEvidence struct{ manifest.Store }

func TestTrailHandMadeLog(t *testing.T) {
	f := audittest.New(t)
	ctx := t.Context()
	r, _ := f.Release("v1.2.1")
	other, _ := f.Release("v1.2.0")
	st, err := manifest.NewDirStore(t.TempDir())
	require.NoError(t, err)
	rec := r.Record
	rec.Commit = f.Commits.Fix // the record names another commit than the tag
	require.NoError(t, st.PutRecord(ctx, rec))
	p := manifest.Promotion{Release: r.Tag, Digest: r.Digest, Approver: audittest.Approver, Reason: "CHG-1",
		RequestedAt: f.At, PromotedAt: f.At}
	dev, drift, noWindow, badEmergency := p, p, p, p
	dev.Env = "dev"
	drift.Env, drift.Digest, drift.Window = "prod", other.Digest, "Mon"
	noWindow.Env = "prod"
	badEmergency.Env, badEmergency.Emergency = "prod", &manifest.EmergencyChange{ID: "INC9", Reason: "outage"}
	for _, pr := range []manifest.Promotion{dev, drift, noWindow, badEmergency} {
		_, err := st.Append(ctx, manifest.Entry{Kind: manifest.KindPromotion, Promotion: &pr})
		require.NoError(t, err)
	}
	src := f.Sources
	src.Store, src.Checkpoint, src.CheckpointSig = st, nil, nil

	tr := trailOf(t, src, r.Tag)
	assert.Equal(t, audit.Failed, tr.Status)
	tag := trailLink(t, tr, audit.StepTag, r.Tag)
	assert.Equal(t, audit.Failed, tag.Status)
	assert.Equal(t, audit.ReasonTagMoved, trailReason(tag.Err))
	assert.Equal(t, r.Commit, tag.Tag.Target)

	proms := tr.Steps(audit.StepPromotion)
	require.Len(t, proms, 4)
	assert.Equal(t, audit.Recorded, proms[0].Status)
	assert.Contains(t, proms[0].Reason, "no signed checkpoint")
	assert.Equal(t, audit.Failed, proms[1].Status)
	assert.Equal(t, audit.ReasonDigestMismatch, trailReason(proms[1].Err))
	assert.Equal(t, audit.Gap, proms[2].Status)
	assert.Contains(t, proms[2].Reason, "no change window and no emergency record")
	assert.Equal(t, audit.Gap, proms[3].Status)
	assert.Contains(t, proms[3].Reason, "emergency-change record is incomplete")
	for _, g := range tr.Steps(audit.StepGate) {
		assert.Equal(t, audit.Gap, g.Status)
		assert.ErrorIs(t, g.Err, audit.ErrMissingEvidence)
	}

	// A record without promotions: the gap is reported.
	rec2 := other.Record
	require.NoError(t, st.PutRecord(ctx, rec2))
	tr = trailOf(t, src, other.Tag)
	l := trailLink(t, tr, audit.StepPromotion, "")
	assert.Equal(t, audit.Gap, l.Status)

	// A store that keeps no gate evidence: the report's digest is only
	// recorded.
	src = f.Sources
	src.Store = trailNoEvidence{f.Store}
	tr = trailOf(t, src, r.Tag)
	g := trailLink(t, tr, audit.StepGate, "prod")
	assert.Equal(t, audit.Recorded, g.Status)
	assert.Equal(t, r.Promotions[2].Gate, g.Gate.Digest)
}

// trailReason returns the Reason of err's *audit.TrailError, "" when it has
// none.
func trailReason(err error) string {
	var te *audit.TrailError
	if errors.As(err, &te) {
		return te.Reason
	}
	return ""
}

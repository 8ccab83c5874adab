package audit_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/internal/testkit/audittest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/tagging"
)

// reviewStore returns a fresh DirStore holding recs.
func reviewStore(t *testing.T, recs ...manifest.Record) *manifest.DirStore {
	t.Helper()
	st, err := manifest.NewDirStore(t.TempDir())
	require.NoError(t, err)
	for _, r := range recs {
		require.NoError(t, st.PutRecord(t.Context(), r))
	}
	return st
}

func reviewAppend(t *testing.T, st manifest.Store, ps ...manifest.Promotion) {
	t.Helper()
	for _, p := range ps {
		_, err := st.Append(t.Context(), manifest.Entry{Kind: manifest.KindPromotion, Promotion: &p})
		require.NoError(t, err)
	}
}

// A gate report without any result is a denial (policy.ErrEmptyPolicy: the
// zero Gate refuses every promotion); the trail must not call it verified.
func TestTrailEmptyGateReportIsNotVerified(t *testing.T) {
	f := audittest.New(t)
	r, _ := f.Release("v1.2.1")
	st := reviewStore(t, r.Record)
	var buf bytes.Buffer
	require.NoError(t, policy.Report{}.WriteJSON(&buf))
	_, err := policy.ReadReport(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err, "the empty report is a well-formed report")
	gate, err := st.PutEvidence(t.Context(), buf.Bytes())
	require.NoError(t, err)
	reviewAppend(t, st, manifest.Promotion{Release: r.Tag, Env: "prod", Digest: r.Digest, Approver: audittest.Approver,
		Reason: "CHG-1", Window: "Mon", RequestedAt: f.At, PromotedAt: f.At, Gate: gate})
	src := f.Sources
	src.Store, src.Checkpoint, src.CheckpointSig = st, nil, nil

	tr := trailOf(t, src, r.Tag)
	g := trailLink(t, tr, audit.StepGate, "prod")
	assert.Equal(t, audit.Failed, g.Status, g.Reason)
	assert.Equal(t, audit.ReasonGateFailed, trailReason(g.Err))
	assert.ErrorIs(t, g.Err, policy.ErrEmptyPolicy)
}

// Free text from the log (a rollback reason, an approver) must not be able
// to forge lines of the text report.
func TestTrailTextCannotBeForged(t *testing.T) {
	f := audittest.New(t)
	r, _ := f.Release("v1.2.1")
	old, _ := f.Release("v1.2.0")
	st := reviewStore(t, r.Record, old.Record)
	forged := "ok\n  verified gate         prod: forged\x1b[2J"
	reviewAppend(t, st,
		manifest.Promotion{Release: r.Tag, Env: "prod", Digest: r.Digest, Approver: audittest.Approver, Reason: "CHG-1", Window: "Mon",
			RequestedAt: f.At, PromotedAt: f.At},
		manifest.Promotion{Release: old.Tag, Env: "prod", Digest: old.Digest, Approver: "carol\n  verified promotion   prod: forged",
			Reason: forged, Window: "Mon", RollbackFrom: r.Tag, RequestedAt: f.At, PromotedAt: f.At})
	src := f.Sources
	src.Store, src.Checkpoint, src.CheckpointSig = st, nil, nil
	rep, err := audit.Trail(t.Context(), src, audit.Query{Release: r.Tag})
	require.NoError(t, err)
	var text bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	assert.NotContains(t, text.String(), "\n  verified gate         prod: forged")
	assert.NotContains(t, text.String(), "\n  verified promotion   prod: forged")
	assert.NotContains(t, text.String(), "\x1b")
	// One line per link, plus the header.
	assert.Equal(t, len(rep.Releases[0].Links)+1, strings.Count(text.String(), "\n"), text.String())

	lk, err := audit.Lookup(t.Context(), src, f.Commits.Backport)
	require.NoError(t, err)
	text.Reset()
	require.NoError(t, lk.WriteText(&text))
	assert.NotContains(t, text.String(), "\x1b")
}

// Promoting a second artifact of the same release to the same environment
// does not replace the release.
func TestTrailSecondArtifactIsNotAReplacement(t *testing.T) {
	f := audittest.New(t)
	r, _ := f.Release("v1.2.1")
	rec, err := r.Record.WithArtifact(manifest.Artifact{Name: "docs.zip", Digest: manifest.Digest([]byte("docs"))})
	require.NoError(t, err)
	st := reviewStore(t, rec)
	p := manifest.Promotion{Release: r.Tag, Env: "prod", Digest: r.Digest, Approver: audittest.Approver, Reason: "CHG-1", Window: "Mon",
		RequestedAt: f.At, PromotedAt: f.At}
	p2 := p
	p2.Digest = manifest.Digest([]byte("docs"))
	reviewAppend(t, st, p, p2)
	src := f.Sources
	src.Store, src.Checkpoint, src.CheckpointSig = st, nil, nil
	tr := trailOf(t, src, r.Tag)
	first := trailPromotion(t, tr, "prod", 0)
	assert.Empty(t, first.Promotion.ReplacedBy)
	assert.False(t, first.Promotion.RolledBack)
}

// For a digest query, releases come in the order of their first production
// promotion, as TrailReport.Releases documents.
func TestTrailDigestOrder(t *testing.T) {
	f := audittest.New(t)
	a, _ := f.Release("v1.3.0")
	b := a.Record
	b.Tag = "v1.3.1"
	st := reviewStore(t, a.Record, b)
	p := manifest.Promotion{Digest: a.Digest, Approver: audittest.Approver, Reason: "CHG-1", Window: "Mon", RequestedAt: f.At, PromotedAt: f.At}
	bDev, aDev, aProd, bProd := p, p, p, p
	bDev.Release, bDev.Env = b.Tag, "dev"
	aDev.Release, aDev.Env = a.Tag, "dev"
	aProd.Release, aProd.Env = a.Tag, "prod"
	bProd.Release, bProd.Env = b.Tag, "prod"
	reviewAppend(t, st, bDev, aDev, aProd, bProd)
	src := f.Sources
	src.Store, src.Checkpoint, src.CheckpointSig = st, nil, nil
	rep, err := audit.Trail(t.Context(), src, audit.Query{Digest: a.Digest})
	require.NoError(t, err)
	var got []string
	for _, r := range rep.Releases {
		got = append(got, r.Release)
	}
	assert.Equal(t, []string{"v1.3.0", "v1.3.1"}, got)
}

// Without a provenance verifier the signature cannot be checked, but the
// envelope's binding to the artifact can: an envelope made for another
// artifact is a failure, not "recorded".
func TestTrailProvenanceOfAnotherArtifactWithoutVerifier(t *testing.T) {
	f := audittest.New(t)
	r, _ := f.Release("v1.2.1")
	other, _ := f.Release("v1.2.0")
	data, err := os.ReadFile(filepath.Join(f.EvidenceDir, other.Provenance))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(f.EvidenceDir, r.Provenance), data, 0o644))
	src := f.Sources
	src.ProvenanceVerifiers = nil
	tr := trailOf(t, src, r.Tag)
	l := trailLink(t, tr, audit.StepProvenance, audittest.ArtifactName)
	assert.Equal(t, audit.Failed, l.Status, l.Reason)
	assert.ErrorIs(t, l.Err, sbom.ErrSubjectMismatch)

	// The fixture's own envelope stays recorded.
	f2 := audittest.New(t)
	src = f2.Sources
	src.ProvenanceVerifiers = nil
	l = trailLink(t, trailOf(t, src, r.Tag), audit.StepProvenance, audittest.ArtifactName)
	assert.Equal(t, audit.Recorded, l.Status, l.Reason)
}

// Without a tag verifier the signature cannot be checked, but its absence
// can be seen: an unsigned annotated or a lightweight release tag is a gap,
// never "recorded".
func TestTrailUnsignedTagWithoutVerifier(t *testing.T) {
	f := audittest.New(t)
	r, _ := f.Release("v1.2.1")
	annotated, light := r.Record, r.Record
	annotated.Tag, light.Tag = "v1.2.9", "v1.2.8"
	f.Git.AnnotatedTag("v1.2.9", r.Commit, "release v1.2.9, unsigned")
	f.Git.Tag("v1.2.8", r.Commit)
	st := reviewStore(t, annotated, light)
	src := f.Sources
	src.Store, src.Checkpoint, src.CheckpointSig, src.TagVerifier = st, nil, nil, nil
	for _, tag := range []string{"v1.2.9", "v1.2.8"} {
		l := trailLink(t, trailOf(t, src, tag), audit.StepTag, tag)
		assert.Equal(t, audit.Gap, l.Status, l.Reason)
		assert.ErrorIs(t, l.Err, tagging.ErrUnsigned)
		assert.ErrorIs(t, l.Err, audit.ErrMissingEvidence)
		assert.Equal(t, r.Commit, l.Tag.Target)
	}
	// The fixture's signed tag stays recorded.
	src.Store = f.Store
	l := trailLink(t, trailOf(t, src, r.Tag), audit.StepTag, r.Tag)
	assert.Equal(t, audit.Recorded, l.Status, l.Reason)
}

// Two tags of equal precedence on different commits make the previous
// release ambiguous: the range cannot be told, which is a gap of the trail,
// not a failure of the whole audit.
func TestTrailAmbiguousPreviousIsAGap(t *testing.T) {
	f := audittest.New(t)
	f.Git.AnnotatedTag("v1.2.0+rebuild", f.Commits.Rounding, "a rebuild tagged elsewhere")
	rep, err := audit.Trail(t.Context(), f.Sources, audit.Query{Release: "v1.2.1"})
	require.NoError(t, err)
	tr := rep.Releases[0]
	var gap *audit.Link
	for _, l := range tr.Steps(audit.StepCommit) {
		if l.Status == audit.Gap {
			gap = &l
		}
	}
	require.NotNil(t, gap, "%+v", tr.Steps(audit.StepCommit))
	assert.ErrorIs(t, gap.Err, semver.ErrAmbiguousVersion)
	assert.ErrorIs(t, rep.Err(), semver.ErrAmbiguousVersion)
	// The rest of the chain is still checked.
	assert.Equal(t, audit.Verified, trailLink(t, tr, audit.StepTag, "v1.2.1").Status)
}

package audit_test

import (
	"archive/tar"
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
func TestAuditTrailReviewTrailEmptyGateReportIsNotVerified(t *testing.T) {
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
	assert.ErrorIs(t, g.Err, audit.ErrGateFailed)
	assert.ErrorIs(t, g.Err, policy.ErrEmptyPolicy)
}

// Free text from the log (a rollback reason, an approver) must not be able
// to forge lines of the text report.
func TestAuditTrailReviewTrailTextCannotBeForged(t *testing.T) {
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

// A zip entry marked as a directory by its mode but holding data is a file
// that unzip extracts: skipping it would silently lose it.
func TestAuditTrailReviewArchiveZipDirectoryWithData(t *testing.T) {
	data := archiveZip(t, []archiveEntry{{"run.sh", tar.TypeDir, "#!/bin/sh\nrm -rf /\n"}, {"a.txt", tar.TypeReg, "a"}})
	files, err := archiveList(data, audit.ArchiveLimits{})
	assert.Nil(t, files)
	require.ErrorIs(t, err, audit.ErrArchiveEntry)
	var ae *audit.ArchiveError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "run.sh", ae.Entry)
}

// A path that is both a file and a directory cannot be extracted without
// losing one of them.
func TestAuditTrailReviewArchiveFileAndDirectory(t *testing.T) {
	for name, entries := range map[string][]archiveEntry{
		"file then child":  {{"a", tar.TypeReg, "x"}, {"a/b", tar.TypeReg, "y"}},
		"child then file":  {{"a/b", tar.TypeReg, "y"}, {"a", tar.TypeReg, "x"}},
		"dir entry, file":  {{"a/", tar.TypeDir, ""}, {"a", tar.TypeReg, "x"}},
		"file, dir entry":  {{"a", tar.TypeReg, "x"}, {"a/", tar.TypeDir, ""}},
		"deep file, child": {{"d/a", tar.TypeReg, "x"}, {"d/a/b/c", tar.TypeReg, "y"}},
	} {
		t.Run(name, func(t *testing.T) {
			for kind, data := range map[string][]byte{"tar": archiveTar(t, entries), "zip": archiveZip(t, entries)} {
				files, err := archiveList(data, audit.ArchiveLimits{})
				assert.Nil(t, files, kind)
				assert.ErrorIs(t, err, audit.ErrArchiveEntry, kind)
			}
		})
	}
	// Siblings that share a prefix are fine.
	files, err := archiveList(archiveTar(t, []archiveEntry{{"a", tar.TypeReg, "x"}, {"a.b/c", tar.TypeReg, "y"}, {"ab", tar.TypeReg, "z"}}), audit.ArchiveLimits{})
	require.NoError(t, err)
	assert.Len(t, files, 3)
}

// "(cherry picked from commit <short>)" names the commit by an abbreviated
// hash: the backport must still be followed; a line naming a commit that
// does not exist must not be reported as a commit carrying the change.
func TestAuditTrailReviewLookupAbbreviatedAndMissingCherryPick(t *testing.T) {
	f := audittest.New(t)
	c := f.Commits
	f.Git.Checkout("main")
	short := f.Git.EmptyCommit("fix(checkout): reject empty carts again\n\nRefs: SHOP-5\n\n(cherry picked from commit " + c.Fix[:12] + ")\n")
	rep, err := audit.Lookup(t.Context(), f.Sources, short)
	require.NoError(t, err)
	assert.Equal(t, []string{short, c.Fix, c.Backport}, rep.Commits)
	var got []string
	for _, r := range rep.Releases {
		got = append(got, r.Release)
	}
	assert.Equal(t, []string{"v1.2.1", "v1.2.2", "v1.3.0"}, got)

	ghost := f.Git.EmptyCommit("fix(checkout): ghost\n\nRefs: SHOP-5\n\n(cherry picked from commit " + strings.Repeat("e", 40) + ")\n")
	rep, err = audit.Lookup(t.Context(), f.Sources, ghost)
	require.NoError(t, err)
	assert.Equal(t, []string{ghost}, rep.Commits)
	assert.Empty(t, rep.Releases)
}

// Promoting a second artifact of the same release to the same environment
// does not replace the release.
func TestAuditTrailReviewTrailSecondArtifactIsNotAReplacement(t *testing.T) {
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
func TestAuditTrailReviewTrailDigestOrder(t *testing.T) {
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
func TestAuditTrailReviewProvenanceOfAnotherArtifactWithoutVerifier(t *testing.T) {
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
func TestAuditTrailReviewUnsignedTagWithoutVerifier(t *testing.T) {
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

// An incident's fix may be a backport of a commit made on main first: the
// releases that contain that original contain the fix too.
func TestAuditTrailReviewIncidentFollowsOriginals(t *testing.T) {
	f := audittest.New(t)
	bp, _ := f.Release("v1.2.1") // its only commit is the backport of Fix
	main, _ := f.Release("v1.3.0")
	rec := bp.Record
	rec.Extra = manifest.Extras{}
	for k, v := range bp.Record.Extra {
		rec.Extra[k] = v
	}
	rec.Extra[audit.ExtraIncident] = "INC999"
	st := reviewStore(t, rec, main.Record)
	p := manifest.Promotion{Env: "prod", Approver: audittest.Approver, Reason: "CHG-1", Window: "Mon", RequestedAt: f.At, PromotedAt: f.At}
	p1, p2 := p, p
	p1.Release, p1.Digest = bp.Tag, bp.Digest
	p2.Release, p2.Digest = main.Tag, main.Digest
	reviewAppend(t, st, p1, p2)
	src := f.Sources
	src.Store, src.Checkpoint, src.CheckpointSig = st, nil, nil

	rep, err := audit.LookupTicket(t.Context(), src, "INC999")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{f.Commits.Backport, f.Commits.Fix}, rep.Commits)
	got := map[string][]audit.Via{}
	for _, r := range rep.Releases {
		got[r.Release] = r.Via
	}
	assert.Equal(t, []audit.Via{{Commit: f.Commits.Backport, How: audit.HowIncident, Introduced: true}}, got["v1.2.1"])
	assert.Equal(t, []audit.Via{{Commit: f.Commits.Fix, How: audit.HowOriginal, Introduced: true}}, got["v1.3.0"])
}

// A production release whose history cannot be read (its record names a
// commit the repository does not have) may contain the change: the answer
// must say so rather than silently leave it out.
func TestAuditTrailReviewLookupReportsUncheckedReleases(t *testing.T) {
	f := audittest.New(t)
	r, _ := f.Release("v1.2.1")
	ghost := r.Record
	ghost.Tag, ghost.Commit = "v1.2.7", strings.Repeat("a", 40)
	st := reviewStore(t, r.Record, ghost)
	p := manifest.Promotion{Env: "prod", Digest: r.Digest, Approver: audittest.Approver, Reason: "CHG-1", Window: "Mon", RequestedAt: f.At, PromotedAt: f.At}
	p1, p2 := p, p
	p1.Release, p2.Release = r.Tag, ghost.Tag
	reviewAppend(t, st, p1, p2)
	src := f.Sources
	src.Store, src.Checkpoint, src.CheckpointSig = st, nil, nil

	rep, err := audit.Lookup(t.Context(), src, f.Commits.Fix)
	require.NoError(t, err)
	require.Len(t, rep.Releases, 1)
	assert.Equal(t, []string{"v1.2.7"}, rep.Unchecked)
	var text bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	assert.Contains(t, text.String(), "v1.2.7")

	rep, err = audit.LookupTicket(t.Context(), src, "SHOP-404")
	require.NoError(t, err)
	assert.Equal(t, []string{"v1.2.7"}, rep.Unchecked)
}

// Two tags of equal precedence on different commits make the previous
// release ambiguous: the range cannot be told, which is a gap of the trail,
// not a failure of the whole audit.
func TestAuditTrailReviewAmbiguousPreviousIsAGap(t *testing.T) {
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

// A gzip-compressed file that is not a tar archive (a compressed binary)
// is an artifact like any other: its digests are compared, and it is not
// reported as an error.
func TestAuditTrailReviewCompareGzipThatIsNotATar(t *testing.T) {
	f := audittest.New(t)
	ctx := t.Context()
	base, _ := f.Release("v1.3.0")
	gz1 := archiveGzip(t, []byte("\x7fELF binary one"))
	gz2 := archiveGzip(t, []byte("\x7fELF binary two, longer"))
	for name, data := range map[string][]byte{"v1.3.0/tool.gz": gz1, "v1.4.0/tool.gz": gz2} {
		p := filepath.Join(f.EvidenceDir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o644))
	}
	rec13 := base.Record
	rec13.Artifacts = []manifest.Artifact{{Name: "tool.gz", Digest: manifest.Digest(gz1)}}
	rec14 := rec13
	rec14.Tag = "v1.4.0"
	rec14.Artifacts = []manifest.Artifact{{Name: "tool.gz", Digest: manifest.Digest(gz2)}}
	src := f.Sources
	src.Store = reviewStore(t, rec13, rec14)
	cmp, err := audit.Compare(ctx, src, "v1.3.0", "v1.4.0")
	require.NoError(t, err)
	require.Len(t, cmp.Artifacts, 1)
	a := cmp.Artifacts[0]
	assert.NoError(t, a.Err)
	assert.Empty(t, a.Error)
	assert.Nil(t, a.Files)
	assert.Contains(t, a.Reason, "digests compared only")
	assert.Equal(t, audit.ChangeChanged, a.Change)

	// A corrupt tar.gz is still an error.
	bad := archiveGzip(t, append(archiveTar(t, archiveGood)[:600], make([]byte, 10)...))
	require.NoError(t, os.WriteFile(filepath.Join(f.EvidenceDir, "v1.4.0", "tool.gz"), bad, 0o644))
	rec14.Tag = "v1.5.0"
	rec14.Artifacts = []manifest.Artifact{{Name: "tool.gz", URI: "v1.4.0/tool.gz", Digest: manifest.Digest(bad)}}
	require.NoError(t, src.Store.PutRecord(ctx, rec14))
	cmp, err = audit.Compare(ctx, src, "v1.5.0", "v1.5.0")
	require.NoError(t, err)
	assert.ErrorIs(t, cmp.Artifacts[0].Err, audit.ErrArchiveFormat)
}

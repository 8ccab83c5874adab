package bundle_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/bundle"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// TestReviewRecordEditedAfterGate: record.json is not signed, but every
// gated promotion's policy report (REL-GATE-001) names the digest of the
// record the gate approved, and that report is bound by its digest to the
// signed log. An attacker who edits the record's tickets, pull requests or
// check results and fixes the index must not get a pass.
func TestVerifyRecordEditedAfterGate(t *testing.T) {
	ctx := context.Background()
	f := newBundleFixture(t)
	files := bundleFiles(buildBundle(t, f))
	rec, err := manifest.ParseRecord(files[bundle.RecordName])
	require.NoError(t, err)
	rec.Tickets = []string{"CHG-666"}
	rec.PRs = []manifest.PR{{Ref: "#666"}}
	rec.Checks = []manifest.CheckResult{{Name: "unit", Passed: true}, {Name: "security-review", Passed: true}}
	files[bundle.RecordName], err = manifest.MarshalRecord(rec)
	require.NoError(t, err)
	reindex(t, files)

	rep, err := bundle.Verify(ctx, fromFiles(t, files), f.keys)
	require.Error(t, err)
	assert.NotEqual(t, audit.Verified, rep.Status())
	c, _ := rep.Check("record")
	assert.NotEqual(t, audit.Verified, c.Status, c.Detail)
	assert.Contains(t, c.Detail, "sha256:")
	t.Log(err)

	// The untouched bundle still passes, and says the record is the one
	// the gates approved.
	rep, err = bundle.Verify(ctx, buildBundle(t, f), f.keys)
	require.NoError(t, err)
	c, _ = rep.Check("record")
	assert.Contains(t, c.Detail, "approved by the gate")
}

// TestReviewProvenanceOfAnotherCommit: the attacker keeps the signed tag of
// v1.0.0 but replaces the record's artifact by the artifact (SBOM and
// validly signed provenance) of another release built from another commit,
// and hides v1.0.0's promotions behind an older, validly signed checkpoint.
// The provenance names the commit it was built from: it is not the
// release's.
func TestVerifyProvenanceOfAnotherCommit(t *testing.T) {
	ctx := context.Background()
	f := newBundleFixture(t)
	files := bundleFiles(buildBundle(t, f))
	oldTag, err := tagging.Parse(f.otherTag)
	require.NoError(t, err)

	art := sha256.Sum256([]byte("app binary v0.9.0"))
	subj := sbom.Subject{Name: "app", SHA256: hex.EncodeToString(art[:])}
	doc, err := sbom.ForArtifact(subj)
	require.NoError(t, err)
	bom, err := doc.Bytes(sbom.JSON)
	require.NoError(t, err)
	provSigner, err := signature.NewKeySigner(bundleKey(3))
	require.NoError(t, err)
	env, err := sbom.SignProvenance(ctx, []sbom.Subject{subj}, sbom.Provenance{
		BuildType: "https://example.com/build/v1", BuilderID: "https://example.com/builder",
		ResolvedDependencies: []sbom.ResourceDescriptor{{URI: "git+https://example.com/app@refs/tags/v0.9.0", Digest: map[string]string{"gitCommit": oldTag.Target.String()}}},
	}, provSigner)
	require.NoError(t, err)

	rec, err := manifest.ParseRecord(files[bundle.RecordName])
	require.NoError(t, err)
	rec.Artifacts = []manifest.Artifact{{Name: "app", Digest: subj.Digest()}}
	rec.SBOM.Digest = manifest.Digest(bom)
	files[bundle.RecordName], err = manifest.MarshalRecord(rec)
	require.NoError(t, err)
	files["evidence/"+rec.SBOM.Ref] = bom
	files["evidence/"+rec.Provenance.Ref] = env

	// Keep the first entry only, under a checkpoint of it signed by the
	// log's key (an older checkpoint of the same log).
	first, err := manifest.ParseEntry(files[entryName(1)])
	require.NoError(t, err)
	cp, err := manifest.NewCheckpoint([]manifest.Entry{first})
	require.NoError(t, err)
	files[bundle.CheckpointName], files[bundle.CheckpointSigName], err = manifest.SignCheckpoint(ctx, cp, f.cpSigner)
	require.NoError(t, err)
	for name := range files {
		if strings.HasPrefix(name, "policy/") || (strings.HasPrefix(name, "log/entries/") && name != entryName(1)) {
			delete(files, name)
		}
	}
	reindex(t, files)

	rep, err := bundle.Verify(ctx, fromFiles(t, files), f.keys)
	require.Error(t, err)
	assert.Equal(t, audit.Failed, rep.Status())
	require.Contains(t, checkReasons(err), bundle.ReasonEvidence)
	c, _ := rep.Check("provenance")
	assert.Equal(t, audit.Failed, c.Status, c.Detail)
	assert.Contains(t, c.Detail, oldTag.Target.String())
}

// TestReviewManifestRollbackAway: a manifest that pinned the release is
// rolled back (RollbackManifest) to one that does not: production no
// longer runs the release. A rollback away from a single release is part
// of its bundle; the manifest rollback away was left out, so a bundle
// built from a checkpoint before it passed without a word about it.
func TestVerifyManifestRollbackAway(t *testing.T) {
	ctx := context.Background()
	f := newBundleFixture(t)
	rec := mustRecord(t, f)
	clock := manifest.WithClock(func() time.Time { return time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC) })
	old := manifest.Manifest{Version: manifest.ManifestVersion, Name: "2025.12", Repos: []manifest.Repo{
		{Name: "app", Tag: "v0.9.0", Commit: strings.Repeat("9", 40), Artifacts: []manifest.Artifact{{Name: "app", Digest: "sha256:" + strings.Repeat("99", 32)}}},
	}}
	pins := manifest.Manifest{Version: manifest.ManifestVersion, Name: "2026.01", Repos: []manifest.Repo{
		{Name: "app", Tag: rec.Tag, Commit: rec.Commit, Artifacts: rec.Artifacts},
	}}
	for _, m := range []manifest.Manifest{old, pins} {
		d, err := m.Digest()
		require.NoError(t, err)
		_, err = promoteManifest(ctx, f.store, manifest.ManifestRequest{Manifest: m, Digest: d, Env: "dev"}, clock)
		require.NoError(t, err)
	}
	f.resignCheckpoint(t)
	rb, err := rollbackManifest(ctx, f.store, manifest.RollbackRequest{Env: "dev", Approver: "alice@example.com", Reason: "errors"}, clock)
	require.NoError(t, err)
	pinsDigest, _ := pins.Digest()
	require.Equal(t, pinsDigest, rb.Promotion.RollbackFrom)

	b := buildBundle(t, f)
	_, ok := b.File(entryName(int(rb.Seq)))
	assert.True(t, ok, "the rollback away from the release is in its bundle")
	rep, err := bundle.Verify(ctx, b, f.keys)
	require.Error(t, err)
	c, _ := rep.Check("promotions")
	assert.Equal(t, audit.Recorded, c.Status, c.Detail)
	assert.Contains(t, c.Detail, "1 rollback(s) away from the release")
	assert.Contains(t, c.Detail, fmt.Sprintf("entries %d are after the signed checkpoint", rb.Seq))

	// With a checkpoint that covers it, the rollback is listed.
	f.resignCheckpoint(t)
	rep, _ = bundle.Verify(ctx, buildBundle(t, f), f.keys)
	c, _ = rep.Check("promotions")
	assert.Equal(t, audit.Verified, c.Status, c.Detail)
	assert.Contains(t, c.Detail, "1 rollback(s) away from the release")
}

// TestReviewPromotionReasonNamesEntry: when the log is broken (an entry
// removed), the promotions check still reports the promotions it could
// read; its reasons must name the entry by its sequence number, not by its
// position among the entries that are left.
func TestVerifyPromotionReasonNamesEntry(t *testing.T) {
	f := newBundleFixture(t)
	files := bundleFiles(buildBundle(t, f))
	e, err := manifest.ParseEntry(files[entryName(4)])
	require.NoError(t, err)
	e.Promotion.Digest = "sha256:" + strings.Repeat("ee", 32)
	files[entryName(4)], err = manifest.MarshalEntry(e)
	require.NoError(t, err)
	delete(files, entryName(2))
	reindex(t, files)
	rep, err := bundle.Verify(context.Background(), fromFiles(t, files), f.keys)
	require.Contains(t, checkReasons(err), bundle.ReasonPromotion)
	c, _ := rep.Check("promotions")
	assert.Contains(t, c.Detail, "entry 4: prod promoted sha256:eeee")
}

// TestReviewProvenanceEnvelopeCheckedOnce: the provenance envelope was
// opened (parsed, its signature checked) once per artifact of the record,
// and every artifact got the same error: a record of many artifacts with a
// large forged envelope kept the verifier busy for hours (2000 artifacts
// and 8 MiB: over ten minutes). An envelope that does not open fails once.
func TestVerifyProvenanceEnvelopeCheckedOnce(t *testing.T) {
	f := newBundleFixture(t)
	files := bundleFiles(buildBundle(t, f))
	rec, err := manifest.ParseRecord(files[bundle.RecordName])
	require.NoError(t, err)
	for i := range 200 {
		rec.Artifacts = append(rec.Artifacts, manifest.Artifact{Name: fmt.Sprintf("a%05d", i), Digest: fmt.Sprintf("sha256:%064x", i+1)})
	}
	files[bundle.RecordName], err = manifest.MarshalRecord(rec)
	require.NoError(t, err)
	files["evidence/"+rec.Provenance.Ref] = []byte(`{"payloadType":"application/vnd.in-toto+json","payload":"` +
		strings.Repeat("A", 1<<20) + `","signatures":[{"keyid":"x","sig":"AAAA"}]}`)
	reindex(t, files)
	rep, err := bundle.Verify(context.Background(), fromFiles(t, files), f.keys)
	require.Contains(t, checkReasons(err), bundle.ReasonSignature)
	c, _ := rep.Check("provenance")
	assert.Equal(t, audit.Failed, c.Status)
	assert.Len(t, c.Errs, 1)

	// A trusted envelope that leaves out artifacts still names each one
	// missing.
	files = bundleFiles(buildBundle(t, f))
	rec.Artifacts = rec.Artifacts[:3]
	files[bundle.RecordName], err = manifest.MarshalRecord(rec)
	require.NoError(t, err)
	reindex(t, files)
	rep, err = bundle.Verify(context.Background(), fromFiles(t, files), f.keys)
	require.ErrorIs(t, err, sbom.ErrSubjectMismatch)
	c, _ = rep.Check("provenance")
	assert.Len(t, c.Errs, 2)
}

// TestReviewSharedPolicyReportReadOnce: entries after the checkpoint are
// chained by hashes only, so anyone can append them. Many promotions that
// name one large policy report made the verifier hash and parse that
// report once per promotion.
func TestVerifySharedPolicyReportReadOnce(t *testing.T) {
	f := newBundleFixture(t)
	files := bundleFiles(buildBundle(t, f))
	rep := policy.Report{}
	for i := range 8000 {
		rep.Results = append(rep.Results, policy.Result{
			Control: policy.Meta{ID: fmt.Sprintf("X-%05d", i), Title: strings.Repeat("t", 200), Section: "§1", Criteria: []string{"CC8.1"}, Severity: policy.Critical},
			Status:  policy.Pass, Reason: strings.Repeat("r", 200), Evidence: []policy.Evidence{{Kind: "digest", Value: "sha256:" + strings.Repeat("0", 64)}},
		})
	}
	var buf bytes.Buffer
	require.NoError(t, rep.WriteJSON(&buf))
	gate := manifest.Digest(buf.Bytes())
	files["policy/"+strings.TrimPrefix(gate, "sha256:")+".json"] = buf.Bytes()
	prev, err := manifest.ParseEntry(files[entryName(5)])
	require.NoError(t, err)
	template, err := manifest.ParseEntry(files[entryName(2)])
	require.NoError(t, err)
	for seq := 6; seq < 6+400; seq++ {
		h, err := prev.Hash()
		require.NoError(t, err)
		e := template
		p := *template.Promotion
		p.Gate = gate
		e.Promotion, e.Seq, e.Prev = &p, uint64(seq), h
		files[entryName(seq)], err = manifest.MarshalEntry(e)
		require.NoError(t, err)
		prev = e
	}
	reindex(t, files)
	b := fromFiles(t, files)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r, err := bundle.Verify(context.Background(), b, f.keys)
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d bytes report, %d bytes allocated", buf.Len(), allocated)
	require.ErrorIs(t, err, bundle.ErrUnchecked)
	c, _ := r.Check("policy")
	assert.Equal(t, audit.Verified, c.Status, c.Detail)
	// Reading the report once per promotion allocates hundreds of times its size.
	assert.Less(t, allocated, uint64(40*buf.Len()), "the report is read more than once")
}

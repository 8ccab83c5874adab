package bundle_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/bundle"
	"github.com/releasekit/releasekit/internal/testkit/audittest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

func TestVerifyWithoutKeys(t *testing.T) {
	f := newBundleFixture(t)
	rep, err := bundle.Verify(context.Background(), buildBundle(t, f), bundle.Keys{})
	require.ErrorIs(t, err, bundle.ErrUnchecked)
	assert.Equal(t, audit.Recorded, rep.Status())
	for _, name := range []string{"tag-signature", "provenance", "checkpoint"} {
		c, ok := rep.Check(name)
		require.True(t, ok)
		assert.Equal(t, audit.Recorded, c.Status, name)
		assert.Contains(t, err.Error(), name)
	}
	c, _ := rep.Check("tag")
	assert.Equal(t, audit.Verified, c.Status)
}

func TestVerifyWithoutCheckpoint(t *testing.T) {
	f := newBundleFixture(t)
	f.src.Checkpoint, f.src.CheckpointSig = nil, nil
	b := buildBundle(t, f)
	_, ok := b.File(entryName(5))
	assert.True(t, ok, "entries up to the last one about the release")
	_, ok = b.File(entryName(6))
	assert.False(t, ok)
	rep, err := bundle.Verify(context.Background(), b, f.keys)
	require.ErrorIs(t, err, bundle.ErrUnchecked)
	c, _ := rep.Check("checkpoint")
	assert.Equal(t, audit.Recorded, c.Status)
	assert.Contains(t, c.Detail, "truncated log cannot be detected")
}

func TestVerifyPromotionAfterCheckpoint(t *testing.T) {
	ctx := context.Background()
	f := newBundleFixture(t)
	_, err := manifest.RecordResult(ctx, f.store, manifest.DeployResult{
		Event: mustRecord(t, f).Artifacts[0].Digest, Release: "v1.0.0", Env: "prod", Digest: mustRecord(t, f).Artifacts[0].Digest,
		Agent: "agent-1", Succeeded: true, At: time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC),
	})
	require.NoError(t, err)
	b := buildBundle(t, f)
	_, ok := b.File(entryName(7))
	assert.True(t, ok)
	rep, err := bundle.Verify(ctx, b, f.keys)
	require.ErrorIs(t, err, bundle.ErrUnchecked)
	c, _ := rep.Check("promotions")
	assert.Equal(t, audit.Recorded, c.Status)
	assert.Contains(t, c.Detail, "entries 7 are after the signed checkpoint")
}

func mustRecord(t testing.TB, f *bundleFixture) manifest.Record {
	rec, err := f.store.Record(context.Background(), "v1.0.0")
	require.NoError(t, err)
	return rec
}

func TestVerifyKeysAt(t *testing.T) {
	f := newBundleFixture(t)
	b := buildBundle(t, f)
	// A key valid only before the verification time asked for fails.
	s, err := ssh.NewSignerFromKey(bundleKey(1))
	require.NoError(t, err)
	keys := f.keys
	keys.Tag = signature.NewSSHVerifier([]signature.AllowedSigner{{
		Principals: []string{"bot@example.com"}, Key: s.PublicKey(),
		ValidBefore: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
	}}, tagging.GitNamespace)
	_, err = bundle.Verify(context.Background(), b, keys)
	require.NoError(t, err, "valid at the bundle's time")
	keys.At = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err = bundle.Verify(context.Background(), b, keys)
	require.Contains(t, checkReasons(err), bundle.ReasonSignature)
	require.ErrorIs(t, err, signature.ErrKeyExpired)
}

func swapSig(t testing.TB, envelope, other []byte) []byte {
	t.Helper()
	var a, b map[string]any
	require.NoError(t, json.Unmarshal(envelope, &a))
	require.NoError(t, json.Unmarshal(other, &b))
	a["signatures"] = b["signatures"]
	out, err := json.Marshal(a)
	require.NoError(t, err)
	return out
}

func TestVerifyTampered(t *testing.T) {
	ctx := context.Background()
	f := newBundleFixture(t)
	orig := bundleFiles(buildBundle(t, f))
	gateName := ""
	for name := range orig {
		if strings.HasPrefix(name, "policy/") {
			gateName = name
		}
	}
	// Another log, and its checkpoint signed with the trusted key.
	other, err := manifest.NewDirStore(t.TempDir())
	require.NoError(t, err)
	for _, note := range []string{"a", "b"} {
		_, err := other.Append(ctx, manifest.Entry{Kind: manifest.KindNote, Note: note})
		require.NoError(t, err)
	}
	otherEntries, err := other.Entries(ctx)
	require.NoError(t, err)
	otherCP, err := manifest.NewCheckpoint(otherEntries)
	require.NoError(t, err)
	otherCPData, otherCPSig, err := manifest.SignCheckpoint(ctx, otherCP, f.cpSigner)
	require.NoError(t, err)

	tests := []struct {
		name    string
		tamper  func(files map[string][]byte)
		reindex bool
		check   string  // the check that must fail
		want    []error // all must match
	}{
		{
			name:   "file edited",
			tamper: func(files map[string][]byte) { files["record.json"] = append(files["record.json"], ' ') },
			check:  "files", want: []error{bundle.ErrDigest},
		},
		{
			name: "SBOM edited, index fixed",
			tamper: func(files map[string][]byte) {
				files["evidence/sbom/app.cdx.json"] = bytes.Replace(files["evidence/sbom/app.cdx.json"], []byte(`"app"`), []byte(`"apq"`), 1)
			},
			reindex: true, check: "sbom", want: []error{reasonIs(bundle.ReasonEvidence), sbom.ErrReferenceMismatch},
		},
		{
			name: "record edited, index fixed",
			tamper: func(files map[string][]byte) {
				rec, err := manifest.ParseRecord(files["record.json"])
				require.NoError(t, err)
				rec.Artifacts[0].Digest = "sha256:" + strings.Repeat("ab", 32)
				files["record.json"], err = manifest.MarshalRecord(rec)
				require.NoError(t, err)
			},
			reindex: true, check: "promotions", want: []error{reasonIs(bundle.ReasonPromotion), reasonIs(bundle.ReasonEvidence)},
		},
		{
			name: "tag signature swapped",
			tamper: func(files map[string][]byte) {
				mine, err := tagging.Parse(files["tag/object"])
				require.NoError(t, err)
				theirs, err := tagging.Parse(f.otherTag)
				require.NoError(t, err)
				files["tag/object"] = append(mine.Payload, theirs.Signature...)
			},
			reindex: true, check: "tag-signature", want: []error{reasonIs(bundle.ReasonSignature), signature.ErrBadSignature},
		},
		{
			name:    "tag object replaced",
			tamper:  func(files map[string][]byte) { files["tag/object"] = f.otherTag },
			reindex: true, check: "tag", want: []error{reasonIs(bundle.ReasonTag)},
		},
		{
			name:   "tag object replaced, index not fixed",
			tamper: func(files map[string][]byte) { files["tag/object"] = f.otherTag },
			check:  "files", want: []error{bundle.ErrDigest, reasonIs(bundle.ReasonTag)},
		},
		{
			name: "provenance signature swapped",
			tamper: func(files map[string][]byte) {
				files["evidence/provenance/app.intoto.json"] = swapSig(t, files["evidence/provenance/app.intoto.json"], f.otherEnv)
			},
			reindex: true, check: "provenance", want: []error{reasonIs(bundle.ReasonSignature), signature.ErrBadSignature},
		},
		{
			name:    "provenance of another artifact",
			tamper:  func(files map[string][]byte) { files["evidence/provenance/app.intoto.json"] = f.otherEnv },
			reindex: true, check: "provenance", want: []error{reasonIs(bundle.ReasonEvidence), sbom.ErrSubjectMismatch},
		},
		{
			name:    "checkpoint signature swapped",
			tamper:  func(files map[string][]byte) { files["log/checkpoint.sig"] = otherCPSig },
			reindex: true, check: "checkpoint", want: []error{reasonIs(bundle.ReasonSignature), signature.ErrBadSignature},
		},
		{
			name: "checkpoint for another log",
			tamper: func(files map[string][]byte) {
				files["log/checkpoint.json"], files["log/checkpoint.sig"] = otherCPData, otherCPSig
			},
			reindex: true, check: "checkpoint", want: []error{reasonIs(bundle.ReasonCheckpoint), manifest.ErrTampered},
		},
		{
			name:    "log entry removed",
			tamper:  func(files map[string][]byte) { delete(files, entryName(3)) },
			reindex: true, check: "log", want: []error{bundle.ErrLog, manifest.ErrTampered},
		},
		{
			name:    "last log entry removed",
			tamper:  func(files map[string][]byte) { delete(files, entryName(5)) },
			reindex: true, check: "checkpoint", want: []error{reasonIs(bundle.ReasonCheckpoint), manifest.ErrTruncated},
		},
		{
			name:   "log entry removed, index not fixed",
			tamper: func(files map[string][]byte) { delete(files, entryName(3)) },
			check:  "files", want: []error{reasonIs(bundle.ReasonMissingFile), manifest.ErrTampered},
		},
		{
			name: "log entry edited",
			tamper: func(files map[string][]byte) {
				e, err := manifest.ParseEntry(files[entryName(4)])
				require.NoError(t, err)
				e.Promotion.Approver = "mallory@example.com"
				files[entryName(4)], err = manifest.MarshalEntry(e)
				require.NoError(t, err)
			},
			reindex: true, check: "log", want: []error{bundle.ErrLog, manifest.ErrTampered},
		},
		{
			name: "log entry renamed",
			tamper: func(files map[string][]byte) {
				files[entryName(9)] = files[entryName(5)]
				delete(files, entryName(5))
			},
			reindex: true, check: "log", want: []error{bundle.ErrLog},
		},
		{
			name: "index edited: digest",
			tamper: func(files map[string][]byte) {
				files["index.json"] = bytes.Replace(files["index.json"], []byte(`"sha256": "`), []byte(`"sha256": "0`), 1)
			},
			check: "files", want: []error{bundle.ErrDigest},
		},
		{
			name: "index edited: release",
			tamper: func(files map[string][]byte) {
				files["index.json"] = bytes.Replace(files["index.json"], []byte(`"release": "v1.0.0"`), []byte(`"release": "v0.9.0"`), 1)
			},
			check: "record", want: []error{reasonIs(bundle.ReasonRecord), reasonIs(bundle.ReasonTag)},
		},
		{
			name: "index edited: not canonical",
			tamper: func(files map[string][]byte) {
				files["index.json"] = append([]byte(" "), files["index.json"]...)
			},
			check: "index", want: []error{reasonIs(bundle.ReasonIndex)},
		},
		{
			name:   "index removed",
			tamper: func(files map[string][]byte) { delete(files, "index.json") },
			check:  "index", want: []error{reasonIs(bundle.ReasonIndex)},
		},
		{
			name:   "extra file added",
			tamper: func(files map[string][]byte) { files["evidence/run.sh"] = []byte("#!/bin/sh\n") },
			check:  "files", want: []error{reasonIs(bundle.ReasonExtraFile), reasonIs(bundle.ReasonUnexpectedFile)},
		},
		{
			name:    "extra file added, index fixed",
			tamper:  func(files map[string][]byte) { files["evidence/run.sh"] = []byte("#!/bin/sh\n") },
			reindex: true, check: "files", want: []error{reasonIs(bundle.ReasonUnexpectedFile)},
		},
		{
			name:   "file missing",
			tamper: func(files map[string][]byte) { delete(files, "evidence/sbom/app.cdx.json") },
			check:  "files", want: []error{reasonIs(bundle.ReasonMissingFile), reasonIs(bundle.ReasonEvidence)},
		},
		{
			name:    "file missing, index fixed",
			tamper:  func(files map[string][]byte) { delete(files, "evidence/provenance/app.intoto.json") },
			reindex: true, check: "provenance", want: []error{reasonIs(bundle.ReasonEvidence)},
		},
		{
			name:    "policy report removed",
			tamper:  func(files map[string][]byte) { delete(files, gateName) },
			reindex: true, check: "policy", want: []error{reasonIs(bundle.ReasonPolicy)},
		},
		{
			name: "policy report edited",
			tamper: func(files map[string][]byte) {
				files[gateName] = bytes.Replace(files[gateName], []byte(`"pass"`), []byte(`"waived"`), 1)
			},
			reindex: true, check: "policy", want: []error{reasonIs(bundle.ReasonPolicy)},
		},
		{
			name:    "record removed",
			tamper:  func(files map[string][]byte) { delete(files, "record.json") },
			reindex: true, check: "record", want: []error{reasonIs(bundle.ReasonRecord)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := bundleFiles(fromFiles(t, orig))
			tt.tamper(files)
			if tt.reindex {
				reindex(t, files)
			}
			rep, err := bundle.Verify(ctx, fromFiles(t, files), f.keys)
			require.Error(t, err)
			t.Log(err)
			assert.Equal(t, audit.Failed, rep.Status())
			for _, want := range tt.want {
				if r, ok := want.(reasonIs); ok {
					assert.Contains(t, checkReasons(err), string(r))
				} else {
					assert.ErrorIs(t, err, want)
				}
			}
			c, ok := rep.Check(tt.check)
			require.True(t, ok)
			require.Equal(t, audit.Failed, c.Status, "%s: %s", tt.check, err)
			var ce *bundle.CheckError
			require.ErrorAs(t, err, &ce)
			if r, ok := tt.want[0].(reasonIs); ok {
				assert.Contains(t, checkReasons(errors.Join(c.Errs...)), string(r), "the check named reports the first cause")
			} else {
				assert.ErrorIs(t, errors.Join(c.Errs...), tt.want[0], "the check named reports the first cause")
			}
		})
	}
}

func TestVerifyDigestError(t *testing.T) {
	f := newBundleFixture(t)
	files := bundleFiles(buildBundle(t, f))
	files["record.json"] = append(files["record.json"], '\n')
	_, err := bundle.Verify(context.Background(), fromFiles(t, files), f.keys)
	var de *bundle.DigestError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "record.json", de.Name)
	assert.Equal(t, de.WantSize+1, de.GotSize)
	assert.NotEqual(t, de.Want, de.Got)
}

func TestVerifyUntrustedKey(t *testing.T) {
	f := newBundleFixture(t)
	_, wrong := bundleSSH(t, 9, tagging.GitNamespace)
	keys := f.keys
	keys.Tag = wrong
	_, err := bundle.Verify(context.Background(), buildBundle(t, f), keys)
	require.Contains(t, checkReasons(err), bundle.ReasonSignature)
	require.ErrorIs(t, err, signature.ErrUntrustedKey)
}

func TestVerifyDirTampered(t *testing.T) {
	f := newBundleFixture(t)
	dir := filepath.Join(t.TempDir(), "v1.0.0")
	require.NoError(t, buildBundle(t, f).WriteDir(dir))
	name := filepath.Join(dir, "evidence", "sbom", "app.cdx.json")
	data, err := os.ReadFile(name)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(name, append(data, ' '), 0o644))
	root, err := os.OpenRoot(dir)
	require.NoError(t, err)
	defer root.Close()
	b, err := bundle.ReadDir(root.FS())
	require.NoError(t, err)
	_, err = bundle.Verify(context.Background(), b, f.keys)
	var de *bundle.DigestError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "evidence/sbom/app.cdx.json", de.Name)
}

func TestVerifyCheckpointRemoved(t *testing.T) {
	// The index is not signed: removing the checkpoint and fixing the index
	// cannot make the bundle pass, only "not checked".
	f := newBundleFixture(t)
	files := bundleFiles(buildBundle(t, f))
	delete(files, bundle.CheckpointName)
	delete(files, bundle.CheckpointSigName)
	reindex(t, files)
	rep, err := bundle.Verify(context.Background(), fromFiles(t, files), f.keys)
	require.ErrorIs(t, err, bundle.ErrUnchecked)
	assert.Equal(t, audit.Recorded, rep.Status())
	assert.Nil(t, rep.Checkpoint)

	delete(files, bundle.CheckpointSigName)
	files[bundle.CheckpointName] = []byte("{}")
	reindex(t, files)
	_, err = bundle.Verify(context.Background(), fromFiles(t, files), f.keys)
	require.Contains(t, checkReasons(err), bundle.ReasonCheckpoint, "a checkpoint without its signature")
}

func TestVerifyManifestPromotion(t *testing.T) {
	ctx := context.Background()
	f := newBundleFixture(t)
	rec := mustRecord(t, f)
	m := manifest.Manifest{Version: manifest.ManifestVersion, Name: "2026.01", Repos: []manifest.Repo{
		{Name: "app", Tag: rec.Tag, Commit: rec.Commit, Artifacts: rec.Artifacts},
		{Name: "db", Tag: "v3.0.0", Commit: strings.Repeat("3", 40), Artifacts: []manifest.Artifact{{Name: "db", Digest: "sha256:" + strings.Repeat("cd", 32)}}},
	}}
	d, err := m.Digest()
	require.NoError(t, err)
	_, err = promoteManifest(ctx, f.store, manifest.ManifestRequest{Manifest: m, Digest: d, Env: "dev"},
		manifest.WithClock(func() time.Time { return time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC) }))
	require.NoError(t, err)
	f.resignCheckpoint(t)

	b := buildBundle(t, f)
	name := "manifests/" + strings.TrimPrefix(d, "sha256:") + ".json"
	data, ok := b.File(name)
	require.True(t, ok)
	canon, err := manifest.Marshal(m)
	require.NoError(t, err)
	assert.Equal(t, canon, data)
	rep, err := bundle.Verify(ctx, b, f.keys)
	// The manifest promotion had no gate: its policy is not checked.
	require.ErrorIs(t, err, bundle.ErrUnchecked)
	c, _ := rep.Check("promotions")
	assert.Equal(t, audit.Verified, c.Status, c.Detail)
	c, _ = rep.Check("policy")
	assert.Equal(t, audit.Recorded, c.Status)
	assert.Contains(t, c.Detail, "entries 7 name no policy report")
	require.NotNil(t, rep.Checkpoint)
	assert.Equal(t, uint64(7), rep.Checkpoint.Count)
	assert.Equal(t, 7, rep.LogEntries)

	// The manifest file swapped for another manifest.
	files := bundleFiles(b)
	m.Repos[1].Tag = "v3.0.1"
	files[name], err = manifest.Marshal(m)
	require.NoError(t, err)
	reindex(t, files)
	_, err = bundle.Verify(ctx, fromFiles(t, files), f.keys)
	require.Contains(t, checkReasons(err), bundle.ReasonPromotion)
	delete(files, name)
	reindex(t, files)
	_, err = bundle.Verify(ctx, fromFiles(t, files), f.keys)
	require.Contains(t, checkReasons(err), bundle.ReasonPromotion)
}

// TestBundleAuditTest builds and verifies the bundle of every release of
// the shared fixture history (rollback, backport, emergency hotfix), kept
// in a DirStore and in a GitStore.
func TestBundleAuditTest(t *testing.T) {
	ctx := context.Background()
	for _, store := range []struct {
		name string
		opts []audittest.Option
	}{{"dir store", nil}, {"git store", []audittest.Option{audittest.WithGitStore()}}} {
		t.Run(store.name, func(t *testing.T) {
			f := audittest.New(t, store.opts...)
			keys := bundle.Keys{
				Tag:        f.Keys.TagVerifier,
				Provenance: []signature.Verifier{f.Keys.ProvenanceVerifier},
				Checkpoint: f.Keys.LogVerifier,
			}
			for _, rel := range f.Releases {
				b, err := bundle.Build(ctx, f.Sources, rel.Tag)
				require.NoError(t, err, rel.Tag)
				rep, err := bundle.Verify(ctx, b, keys)
				require.NoError(t, err, rel.Tag)
				assert.Equal(t, audit.Verified, rep.Status())
				assert.Equal(t, rel.TagHash, rep.TagObject)
				if rel.Tag == f.Rollback.From {
					c, _ := rep.Check("promotions")
					assert.Contains(t, c.Detail, "1 rollback(s) away from the release", rel.Tag)
				}
				idx, err := b.Index()
				require.NoError(t, err)
				assert.Equal(t, rel.Commit, idx.Commit)
				again, err := bundle.Build(ctx, f.Sources, rel.Tag)
				require.NoError(t, err)
				assert.Equal(t, tarGz(t, b), tarGz(t, again), rel.Tag)
			}
		})
	}
}

// reasonIs stands, in a list of errors a report must wrap, for a
// *bundle.CheckError with that Reason.
type reasonIs string

func (r reasonIs) Error() string { return string(r) }

// checkReasons returns the Reasons of the *bundle.CheckErrors in err's tree.
func checkReasons(err error) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		if ce, ok := e.(*bundle.CheckError); ok {
			out = append(out, ce.Reason)
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			if x := u.Unwrap(); x != nil {
				walk(x)
			}
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}

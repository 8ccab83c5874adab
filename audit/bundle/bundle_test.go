package bundle_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/bundle"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// bundleFixture is a small release history: v0.9.0 and v1.0.0 signed tags,
// v1.0.0's artifact with SBOM and signed provenance, its record, a log with
// an unrelated note, gated promotions dev → staging → prod, a deploy
// result, a signed checkpoint, and then a later note the checkpoint does not
// cover. Every key and time is fixed, so two fixtures are byte-identical.
type bundleFixture struct {
	src      audit.Sources
	keys     bundle.Keys
	store    *manifest.DirStore
	storeDir string // the store's directory
	evidence fstest.MapFS
	otherTag []byte // v0.9.0's raw tag object, signed by the same key
	otherEnv []byte // a provenance envelope of another artifact, same key
	cpSigner *signature.SSHSigner
}

var bundleAt = time.Date(2026, 1, 6, 12, 0, 0, 0, time.UTC)

func bundleKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func bundleSSH(t testing.TB, seed byte, namespace string) (*signature.SSHSigner, *signature.SSHVerifier) {
	t.Helper()
	s, err := ssh.NewSignerFromKey(bundleKey(seed))
	require.NoError(t, err)
	signer, err := signature.NewSSHSigner(s, namespace)
	require.NoError(t, err)
	allowed := []signature.AllowedSigner{{Principals: []string{"bot@example.com"}, Key: s.PublicKey()}}
	return signer, signature.NewSSHVerifier(allowed, namespace)
}

func newBundleFixture(t testing.TB) *bundleFixture {
	t.Helper()
	ctx := context.Background()
	r := gittest.New(t)
	c0 := r.Commit("feat: first\n")
	c1 := r.Commit("feat: second\n\nRefs: CHG-1\n")
	repo := r.GoGit(t)

	tagSigner, tagVerifier := bundleSSH(t, 1, tagging.GitNamespace)
	cpSigner, cpVerifier := bundleSSH(t, 2, manifest.Namespace)
	provSigner, err := signature.NewKeySigner(bundleKey(3))
	require.NoError(t, err)
	provVerifier, err := signature.NewKeyVerifier(bundleKey(3).Public())
	require.NoError(t, err)

	tagAt := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	for _, tg := range []struct{ name, commit string }{{"v0.9.0", c0}, {"v1.0.0", c1}} {
		_, err := tagging.Create(ctx, repo, tagging.Request{
			Name:    tg.name,
			Target:  plumbing.NewHash(tg.commit),
			Tagger:  tagging.Identity{Name: "Release Bot", Email: "bot@example.com", When: tagAt},
			Message: "Release " + tg.name,
		}, tagSigner)
		require.NoError(t, err)
	}
	ref, err := repo.Reference(plumbing.NewTagReferenceName("v0.9.0"), false)
	require.NoError(t, err)
	obj, err := repo.Storer.EncodedObject(plumbing.TagObject, ref.Hash())
	require.NoError(t, err)
	rd, err := obj.Reader()
	require.NoError(t, err)
	var otherTag bytes.Buffer
	_, err = otherTag.ReadFrom(rd)
	require.NoError(t, err)

	art := sha256.Sum256([]byte("app binary v1.0.0"))
	subj := sbom.Subject{Name: "app", SHA256: hex.EncodeToString(art[:])}
	doc, err := sbom.ForArtifact(subj)
	require.NoError(t, err)
	sbomBytes, err := doc.Bytes(sbom.JSON)
	require.NoError(t, err)
	prov := sbom.Provenance{BuildType: "https://example.com/build/v1", BuilderID: "https://example.com/builder", InvocationID: "https://example.com/run/7"}
	env, err := sbom.SignProvenance(ctx, []sbom.Subject{subj}, prov, provSigner)
	require.NoError(t, err)
	other := sha256.Sum256([]byte("another binary"))
	otherEnv, err := sbom.SignProvenance(ctx, []sbom.Subject{{Name: "other", SHA256: hex.EncodeToString(other[:])}}, prov, provSigner)
	require.NoError(t, err)
	evidence := fstest.MapFS{
		"sbom/app.cdx.json":          {Data: sbomBytes},
		"provenance/app.intoto.json": {Data: env},
	}

	storeDir := t.TempDir()
	st, err := manifest.NewDirStore(storeDir)
	require.NoError(t, err)
	rec := manifest.Record{
		Version:     manifest.RecordVersion,
		Tag:         "v1.0.0",
		Commit:      c1,
		Tickets:     []string{"CHG-1"},
		PRs:         []manifest.PR{{Ref: "#1"}},
		Artifacts:   []manifest.Artifact{{Name: "app", Digest: subj.Digest()}},
		Provenance:  manifest.Provenance{BuildID: "run-7", Ref: "provenance/app.intoto.json"},
		SBOM:        manifest.SBOMRef{Ref: "sbom/app.cdx.json", Digest: manifest.Digest(sbomBytes)},
		Checks:      []manifest.CheckResult{{Name: "unit", Passed: true}},
		Rollback:    manifest.RollbackPlan{Method: "redeploy previous digest", Version: manifest.RollbackNone},
		KnownIssues: []string{},
		Window:      manifest.Window{Start: tagAt, End: tagAt.Add(48 * time.Hour)},
	}
	require.NoError(t, st.PutRecord(ctx, rec))
	_, err = st.Append(ctx, manifest.Entry{Kind: manifest.KindNote, Note: "log opened"})
	require.NoError(t, err)
	gate := policy.Gate{Policy: policy.Policy{Controls: []policy.Control{policy.RecordComplete{}}}}
	clock := manifest.WithClock(func() time.Time { return time.Date(2026, 1, 5, 11, 0, 0, 0, time.UTC) })
	for _, envName := range []string{"dev", "staging", "prod"} {
		_, err := promote(ctx, st, manifest.PromoteRequest{
			Release: "v1.0.0", Env: envName, Digest: subj.Digest(),
			Approver: "alice@example.com", Reason: "CHG-1 approved",
		}, manifest.WithGate(gate), clock)
		require.NoError(t, err)
	}
	_, err = manifest.RecordResult(ctx, st, manifest.DeployResult{
		Event: subj.Digest(), Release: "v1.0.0", Env: "prod", Digest: subj.Digest(),
		Agent: "agent-1", Succeeded: true, Changed: "app", At: time.Date(2026, 1, 5, 11, 5, 0, 0, time.UTC),
	})
	require.NoError(t, err)
	entries, err := st.Entries(ctx)
	require.NoError(t, err)
	cp, err := manifest.NewCheckpoint(entries)
	require.NoError(t, err)
	cpData, cpSig, err := manifest.SignCheckpoint(ctx, cp, cpSigner)
	require.NoError(t, err)
	_, err = st.Append(ctx, manifest.Entry{Kind: manifest.KindNote, Note: "after the checkpoint"})
	require.NoError(t, err)

	cpVerify := cpVerifier
	return &bundleFixture{
		src: audit.Sources{
			Repo:                repo,
			Store:               st,
			Evidence:            evidence,
			Checkpoint:          cpData,
			CheckpointSig:       cpSig,
			CheckpointVerifier:  cpVerify,
			TagVerifier:         tagVerifier,
			ProvenanceVerifiers: []signature.Verifier{provVerifier},
			At:                  bundleAt,
		},
		keys: bundle.Keys{
			Tag:        tagVerifier,
			Provenance: []signature.Verifier{provVerifier},
			Checkpoint: cpVerify,
		},
		store:    st,
		storeDir: storeDir,
		evidence: evidence,
		otherTag: otherTag.Bytes(),
		otherEnv: otherEnv,
		cpSigner: cpSigner,
	}
}

func buildBundle(t testing.TB, f *bundleFixture) *bundle.Bundle {
	t.Helper()
	b, err := bundle.Build(context.Background(), f.src, "v1.0.0")
	require.NoError(t, err)
	return b
}

func tarGz(t testing.TB, b *bundle.Bundle) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, b.WriteTarGz(&buf))
	return buf.Bytes()
}

// bundleFiles returns b's files as a map the tests can tamper with.
func bundleFiles(b *bundle.Bundle) map[string][]byte {
	files := map[string][]byte{}
	for _, name := range b.Names() {
		files[name], _ = b.File(name)
	}
	return files
}

// fromFiles makes a bundle of files through the directory parser.
func fromFiles(t testing.TB, files map[string][]byte) *bundle.Bundle {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	b, err := bundle.ReadDir(fsys)
	require.NoError(t, err)
	return b
}

// reindex rewrites index.json for files as an attacker would: the index is
// not signed, so it can always be made to match.
func reindex(t testing.TB, files map[string][]byte) {
	t.Helper()
	var idx bundle.Index
	require.NoError(t, json.Unmarshal(files[bundle.IndexName], &idx))
	idx.Files = nil
	for _, name := range sortedNames(files) {
		if name == bundle.IndexName {
			continue
		}
		sum := sha256.Sum256(files[name])
		idx.Files = append(idx.Files, bundle.File{Name: name, Size: int64(len(files[name])), SHA256: hex.EncodeToString(sum[:])})
	}
	if raw, ok := files[bundle.TagName]; ok {
		idx.TagObject = plumbing.ComputeHash(plumbing.TagObject, raw).String()
	}
	files[bundle.IndexName] = indexJSON(t, idx)
}

func indexJSON(t testing.TB, idx bundle.Index) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(idx))
	return buf.Bytes()
}

func sortedNames(files map[string][]byte) []string {
	var names []string
	for name := range files {
		names = append(names, name)
	}
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			if names[j] < names[i] {
				names[i], names[j] = names[j], names[i]
			}
		}
	}
	return names
}

func entryName(seq int) string {
	return "log/entries/" + strings.Repeat("0", 20-len(itoa(seq))) + itoa(seq) + ".json"
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// TestBuildReproducible checks that a bundle built without a verification
// time does not depend on the clock: two builds, at two different times,
// give the same bytes, which record no time and no verification; Verify then
// checks every signature at the time the auditor gives.
func TestBuildReproducible(t *testing.T) {
	ctx := context.Background()
	f := newBundleFixture(t)
	f.src.At = time.Time{}
	first := tarGz(t, buildBundle(t, f))
	b := buildBundle(t, f) // later: the clock has moved on
	assert.Equal(t, first, tarGz(t, b), "the bundle bytes depend on the clock")

	data, _ := b.File(bundle.IndexName)
	assert.NotContains(t, string(data), "verified_at")
	idx, err := b.Index()
	require.NoError(t, err)
	assert.True(t, idx.VerifiedAt.IsZero())
	data, _ = b.File(bundle.TagResultName)
	assert.JSONEq(t, `{"checked": false, "verified": false}`, string(data))

	rep, err := bundle.Verify(ctx, b, f.keys)
	require.Error(t, err, "no time given, none recorded: signatures are not checked")
	assert.Equal(t, audit.Recorded, rep.Status())

	keys := f.keys
	keys.At = bundleAt
	rep, err = bundle.Verify(ctx, b, keys)
	require.NoError(t, err)
	assert.Equal(t, audit.Verified, rep.Status())
	assert.Equal(t, bundleAt, rep.At)
	require.NotNil(t, rep.BuildTag)
	assert.False(t, rep.BuildTag.Checked)

	// With a time, Build records it and the tag's verification at it, as
	// before: the bytes depend on that time and on nothing else.
	f.src.At = bundleAt
	withAt := tarGz(t, buildBundle(t, f))
	assert.NotEqual(t, first, withAt)
	assert.Equal(t, withAt, tarGz(t, buildBundle(t, f)))
}

func TestBuildVerifies(t *testing.T) {
	ctx := context.Background()
	f := newBundleFixture(t)
	b := buildBundle(t, f)

	idx, err := b.Index()
	require.NoError(t, err)
	assert.Equal(t, bundle.Format, idx.Format)
	assert.Equal(t, "v1.0.0", idx.Release)
	assert.Equal(t, bundleAt, idx.VerifiedAt)
	var names []string
	for _, file := range idx.Files {
		names = append(names, file.Name)
	}
	gate := ""
	entries, err := f.store.Entries(ctx)
	require.NoError(t, err)
	require.Len(t, entries, 6)
	gate = strings.TrimPrefix(entries[1].Promotion.Gate, "sha256:")
	require.NotEmpty(t, gate)
	// The log is included up to the checkpoint (5 entries); the sixth,
	// after it and unrelated, is not.
	assert.Equal(t, []string{
		"evidence/provenance/app.intoto.json",
		"evidence/sbom/app.cdx.json",
		"log/checkpoint.json",
		"log/checkpoint.sig",
		entryName(1), entryName(2), entryName(3), entryName(4), entryName(5),
		"policy/" + gate + ".json",
		"record.json",
		"tag/object",
		"tag/verification.json",
	}, names)
	assert.ElementsMatch(t, append([]string{"index.json"}, names...), b.Names())

	var res bundle.TagResult
	data, _ := b.File(bundle.TagResultName)
	require.NoError(t, json.Unmarshal(data, &res))
	assert.True(t, res.Checked)
	assert.True(t, res.Verified)
	assert.Equal(t, idx.TagObject, res.Object)

	rep, err := bundle.Verify(ctx, b, f.keys)
	require.NoError(t, err)
	assert.Equal(t, audit.Verified, rep.Status())
	assert.Equal(t, "v1.0.0", rep.Release)
	assert.Equal(t, bundleAt, rep.At)
	require.NotNil(t, rep.BuildTag)
	var got []string
	for _, c := range rep.Checks {
		got = append(got, c.Name+"="+bundle.StatusText(c.Status))
	}
	assert.Equal(t, []string{
		"index=pass", "files=pass", "record=pass", "tag=pass", "tag-signature=pass",
		"sbom=pass", "provenance=pass", "log=pass", "checkpoint=pass", "promotions=pass", "policy=pass", "changes=pass",
	}, got)
	c, ok := rep.Check("promotions")
	require.True(t, ok)
	assert.Equal(t, "3 promotion(s) and 1 deploy result(s) match the record", c.Detail)
}

func TestBundleDeterministic(t *testing.T) {
	ctx := context.Background()
	f := newBundleFixture(t)
	first := tarGz(t, buildBundle(t, f))
	assert.Equal(t, first, tarGz(t, buildBundle(t, f)), "build twice")

	// A fresh history built the same way (new repository, new store) gives
	// the same bytes.
	assert.Equal(t, first, tarGz(t, buildBundle(t, newBundleFixture(t))), "fresh fixture")

	// Later log entries past the checkpoint do not change the bundle.
	_, err := f.store.Append(ctx, manifest.Entry{Kind: manifest.KindNote, Note: "later"})
	require.NoError(t, err)
	assert.Equal(t, first, tarGz(t, buildBundle(t, f)), "after a later append")

	// Reading and writing again round-trips, from tar.gz and from a directory.
	b, err := bundle.Read(bytes.NewReader(first))
	require.NoError(t, err)
	assert.Equal(t, first, tarGz(t, b), "tar.gz round trip")
	dir := filepath.Join(t.TempDir(), "bundle")
	require.NoError(t, b.WriteDir(dir))
	root, err := os.OpenRoot(dir)
	require.NoError(t, err)
	defer root.Close()
	b2, err := bundle.ReadDir(root.FS())
	require.NoError(t, err)
	assert.Equal(t, first, tarGz(t, b2), "directory round trip")

	// The archive is what WriteTarGz documents.
	zr, err := gzip.NewReader(bytes.NewReader(first))
	require.NoError(t, err)
	assert.Empty(t, zr.Name)
	assert.True(t, zr.ModTime.IsZero())
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if err != nil {
			break
		}
		assert.Equal(t, byte(tar.TypeReg), hdr.Typeflag)
		assert.Equal(t, int64(0o644), hdr.Mode)
		assert.Zero(t, hdr.Uid)
		assert.Empty(t, hdr.Uname)
		assert.Equal(t, time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC), hdr.ModTime.UTC())
	}
}

// TestBundleDeterministicAcrossProcesses builds the bundle in a fresh
// process (this test binary, run again) and compares the bytes.
func TestBundleDeterministicAcrossProcesses(t *testing.T) {
	if out := os.Getenv("RELEASEKIT_BUNDLE_OUT"); out != "" {
		require.NoError(t, os.WriteFile(out, tarGz(t, buildBundle(t, newBundleFixture(t))), 0o644))
		return
	}
	if testing.Short() {
		t.Skip("runs a subprocess")
	}
	out := filepath.Join(t.TempDir(), "bundle.tar.gz")
	cmd := exec.Command(os.Args[0], "-test.run=^TestBundleDeterministicAcrossProcesses$", "-test.count=1")
	cmd.Env = append(os.Environ(), "RELEASEKIT_BUNDLE_OUT="+out)
	got, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", got)
	other, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, tarGz(t, buildBundle(t, newBundleFixture(t))), other)
}

func TestBuildErrors(t *testing.T) {
	ctx := context.Background()
	f := newBundleFixture(t)
	_, err := bundle.Build(ctx, f.src, "v2.0.0")
	require.ErrorIs(t, err, audit.ErrUnknownRelease)
	require.ErrorIs(t, err, manifest.ErrNotFound)

	src := f.src
	src.Evidence = fstest.MapFS{}
	_, err = bundle.Build(ctx, src, "v1.0.0")
	require.ErrorIs(t, err, bundle.ErrSource)
	require.ErrorIs(t, err, fs.ErrNotExist)

	src = f.src
	src.Repo = nil
	_, err = bundle.Build(ctx, src, "v1.0.0")
	require.ErrorIs(t, err, bundle.ErrSource)

	// A lightweight tag has no tag object to put in the bundle.
	rec := mustRecord(t, f)
	rec.Tag = "v1.0.1"
	require.NoError(t, f.store.PutRecord(ctx, rec))
	_, err = f.src.Repo.CreateTag("v1.0.1", plumbing.NewHash(rec.Commit), nil)
	require.NoError(t, err)
	_, err = bundle.Build(ctx, f.src, "v1.0.1")
	require.ErrorIs(t, err, bundle.ErrSource)
	assert.Contains(t, err.Error(), "not an annotated tag")

	src = f.src
	src.Store = bundleLogOnly{f.store}
	_, err = bundle.Build(ctx, src, "v1.0.0")
	require.ErrorIs(t, err, bundle.ErrSource, "policy reports need an evidence store")
}

// bundleLogOnly hides the evidence methods of a store.
type bundleLogOnly struct{ st *manifest.DirStore }

func (s bundleLogOnly) Record(ctx context.Context, tag string) (manifest.Record, error) {
	return s.st.Record(ctx, tag)
}

func (s bundleLogOnly) PutRecord(ctx context.Context, r manifest.Record) error {
	return s.st.PutRecord(ctx, r)
}

func (s bundleLogOnly) Entries(ctx context.Context) ([]manifest.Entry, error) {
	return s.st.Entries(ctx)
}

func (s bundleLogOnly) Append(ctx context.Context, e manifest.Entry) (manifest.Entry, error) {
	return s.st.Append(ctx, e)
}

func TestWriteDir(t *testing.T) {
	f := newBundleFixture(t)
	b := buildBundle(t, f)
	parent := t.TempDir()
	dir := filepath.Join(parent, "bundle")
	require.NoError(t, b.WriteDir(dir))
	err := b.WriteDir(dir)
	require.ErrorIs(t, err, fs.ErrExist)
	left, err := os.ReadDir(parent)
	require.NoError(t, err)
	require.Len(t, left, 1, "no temporary directory left behind")
	assert.Equal(t, "bundle", left[0].Name())

	// A parent that does not exist: nothing is written.
	err = b.WriteDir(filepath.Join(parent, "missing", "bundle"))
	require.Error(t, err)
	left, err = os.ReadDir(parent)
	require.NoError(t, err)
	assert.Len(t, left, 1)
}

// tarEntry is one entry of a hand-made archive.
type tarEntry struct {
	hdr  tar.Header
	data string
}

func reg(name, data string) tarEntry {
	return tarEntry{hdr: tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data))}, data: data}
}

// makeTarGz writes entries as a tar.gz, then appends tail to the tar
// stream (inside gzip) and after to the gzip stream.
func makeTarGz(t testing.TB, entries []tarEntry, tail, after []byte) []byte {
	t.Helper()
	var tbuf bytes.Buffer
	tw := tar.NewWriter(&tbuf)
	for _, e := range entries {
		hdr := e.hdr
		require.NoError(t, tw.WriteHeader(&hdr))
		if e.data != "" {
			_, err := tw.Write([]byte(e.data))
			require.NoError(t, err)
		}
	}
	// Close fails for an entry whose data was not written (a header that
	// claims a huge size): the archive is then cut after that header.
	_ = tw.Close()
	tbuf.Write(tail)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(tbuf.Bytes())
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	buf.Write(after)
	return buf.Bytes()
}

func TestReadRejects(t *testing.T) {
	ok := []tarEntry{reg("index.json", "{}\n"), reg("a/b.json", "x")}
	second := makeTarGz(t, ok, nil, nil)
	tooMany := make([]tarEntry, bundle.MaxFiles+1)
	for i := range tooMany {
		tooMany[i] = reg("f/"+strings.Repeat("x", i%50)+itoa(i), "")
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not gzip", []byte("PK\x03\x04 a zip file"), bundle.ReasonMalformed},
		{"empty input", nil, bundle.ReasonMalformed},
		{"truncated", second[:len(second)-10], bundle.ReasonMalformed},
		{"gzip of garbage", func() []byte {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(bytes.Repeat([]byte("garbage!"), 200))
			zw.Close()
			return buf.Bytes()
		}(), bundle.ReasonMalformed},
		{"absolute path", makeTarGz(t, []tarEntry{reg("/etc/passwd", "x")}, nil, nil), bundle.ReasonUnsafePath},
		{"dot-dot", makeTarGz(t, []tarEntry{reg("../x", "x")}, nil, nil), bundle.ReasonUnsafePath},
		{"inner dot-dot", makeTarGz(t, []tarEntry{reg("a/../../x", "x")}, nil, nil), bundle.ReasonUnsafePath},
		{"dot element", makeTarGz(t, []tarEntry{reg("./x", "x")}, nil, nil), bundle.ReasonUnsafePath},
		{"backslash", makeTarGz(t, []tarEntry{reg(`a\..\x`, "x")}, nil, nil), bundle.ReasonUnsafePath},
		{"drive letter", makeTarGz(t, []tarEntry{reg("C:/x", "x")}, nil, nil), bundle.ReasonUnsafePath},
		{"control character", makeTarGz(t, []tarEntry{reg("a\nb", "x")}, nil, nil), bundle.ReasonUnsafePath},
		{"not UTF-8", makeTarGz(t, []tarEntry{reg("a\xffb", "x")}, nil, nil), bundle.ReasonUnsafePath},
		{"long name", makeTarGz(t, []tarEntry{reg(strings.Repeat("a", 256), "x")}, nil, nil), bundle.ReasonUnsafePath},
		{"symlink", makeTarGz(t, []tarEntry{{hdr: tar.Header{Typeflag: tar.TypeSymlink, Name: "x", Linkname: "/etc/passwd"}}}, nil, nil), bundle.ReasonNotRegular},
		{"hard link", makeTarGz(t, []tarEntry{reg("a", "x"), {hdr: tar.Header{Typeflag: tar.TypeLink, Name: "b", Linkname: "a"}}}, nil, nil), bundle.ReasonNotRegular},
		{"char device", makeTarGz(t, []tarEntry{{hdr: tar.Header{Typeflag: tar.TypeChar, Name: "null", Devmajor: 1, Devminor: 3}}}, nil, nil), bundle.ReasonNotRegular},
		{"fifo", makeTarGz(t, []tarEntry{{hdr: tar.Header{Typeflag: tar.TypeFifo, Name: "p"}}}, nil, nil), bundle.ReasonNotRegular},
		{"directory entry", makeTarGz(t, []tarEntry{{hdr: tar.Header{Typeflag: tar.TypeDir, Name: "d/", Mode: 0o755}}}, nil, nil), bundle.ReasonUnsafePath},
		{"directory entry without slash", makeTarGz(t, []tarEntry{{hdr: tar.Header{Typeflag: tar.TypeDir, Name: "d", Mode: 0o755}}}, nil, nil), bundle.ReasonNotRegular},
		{"duplicate", makeTarGz(t, []tarEntry{reg("a", "x"), reg("a", "y")}, nil, nil), bundle.ReasonDuplicate},
		{"duplicate but for case", makeTarGz(t, []tarEntry{reg("Index.json", "x"), reg("index.json", "y")}, nil, nil), bundle.ReasonDuplicate},
		{"file and directory", makeTarGz(t, []tarEntry{reg("a", "x"), reg("a/b", "y")}, nil, nil), bundle.ReasonDuplicate},
		{"file over the limit", makeTarGz(t, []tarEntry{{hdr: tar.Header{Typeflag: tar.TypeReg, Name: "big", Size: bundle.MaxFileSize + 1}}}, nil, nil), bundle.ReasonTooLarge},
		{"too many files", makeTarGz(t, tooMany, nil, nil), bundle.ReasonTooLarge},
		{"garbage after the tar end", makeTarGz(t, ok, []byte("evil"), nil), bundle.ReasonTrailingData},
		{"garbage after gzip", makeTarGz(t, ok, nil, []byte("evil")), bundle.ReasonTrailingData},
		{"second gzip member", makeTarGz(t, ok, nil, second), bundle.ReasonTrailingData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := bundle.Read(bytes.NewReader(tt.data))
			assert.Nil(t, b)
			var fe *bundle.FormatError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.want, fe.Reason)
		})
	}
}

func TestReadAccepts(t *testing.T) {
	// Zero padding after the end marker (GNU tar pads to 10240 bytes) and a
	// file of exactly the limit's name length are fine.
	name := strings.Repeat("n", bundle.MaxName)
	data := makeTarGz(t, []tarEntry{reg("index.json", "{}\n"), reg(name, "x")}, make([]byte, 9216), nil)
	b, err := bundle.Read(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Equal(t, []string{"index.json", name}, b.Names())
	got, ok := b.File(name)
	require.True(t, ok)
	assert.Equal(t, "x", string(got))
	got[0] = 'y'
	again, _ := b.File(name)
	assert.Equal(t, "x", string(again), "File returns a copy")
}

func TestReadDirRejects(t *testing.T) {
	tests := []struct {
		name string
		fsys fs.FS
		want string
	}{
		{"device", fstest.MapFS{"dev": {Mode: fs.ModeDevice}}, bundle.ReasonNotRegular},
		{"symlink", fstest.MapFS{"link": {Mode: fs.ModeSymlink, Data: []byte("/etc/passwd")}}, bundle.ReasonNotRegular},
		{"pipe", fstest.MapFS{"p": {Mode: fs.ModeNamedPipe}}, bundle.ReasonNotRegular},
		{"backslash", fstest.MapFS{`a\b`: {Data: []byte("x")}}, bundle.ReasonUnsafePath},
		{"case", fstest.MapFS{"A": {Data: []byte("x")}, "a": {Data: []byte("y")}}, bundle.ReasonDuplicate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bundle.ReadDir(tt.fsys)
			assert.Equal(t, tt.want, formatReason(err))
		})
	}

	// A symbolic link on disk, also one that points inside the bundle.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.json"), []byte("{}\n"), 0o644))
	require.NoError(t, os.Symlink("index.json", filepath.Join(dir, "record.json")))
	_, err := bundle.ReadDir(os.DirFS(dir))
	require.Equal(t, bundle.ReasonNotRegular, formatReason(err))
}

func TestBuildCheckpointWithoutSignature(t *testing.T) {
	f := newBundleFixture(t)
	f.src.CheckpointSig = nil
	_, err := bundle.Build(context.Background(), f.src, "v1.0.0")
	require.ErrorIs(t, err, bundle.ErrSource)
}

// formatReason returns the Reason of err's *bundle.FormatError, "" when it
// has none.
func formatReason(err error) string {
	var fe *bundle.FormatError
	if errors.As(err, &fe) {
		return fe.Reason
	}
	return ""
}

// resignCheckpoint signs a checkpoint of the whole log as it is now and
// makes it the fixture's checkpoint.
func (f *bundleFixture) resignCheckpoint(t *testing.T) {
	t.Helper()
	entries, err := f.store.Entries(t.Context())
	require.NoError(t, err)
	cp, err := manifest.NewCheckpoint(entries)
	require.NoError(t, err)
	f.src.Checkpoint, f.src.CheckpointSig, err = manifest.SignCheckpoint(t.Context(), cp, f.cpSigner)
	require.NoError(t, err)
}

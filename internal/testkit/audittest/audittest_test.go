package audittest_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/internal/demohistory"
	"github.com/releasekit/releasekit/internal/testkit/audittest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

func TestHistory(t *testing.T) {
	f := audittest.New(t)
	ctx := context.Background()
	g := f.Git
	c := f.Commits

	var tags []string
	for _, r := range f.Releases {
		tags = append(tags, r.Tag)
	}
	require.Equal(t, []string{"v1.0.0", "v1.1.0", "v1.2.0", "v1.2.1", "v1.2.2", "v1.3.0"}, tags)

	// The ranges are what git itself lists.
	for _, r := range f.Releases {
		rng := r.Tag
		if r.Previous != "" {
			rng = r.Previous + ".." + r.Tag
		}
		assert.Equal(t, g.RevList(rng), r.Commits, rng)
		assert.Equal(t, r.Commit, g.RevParse(r.Tag+"^{commit}"))
		assert.Equal(t, r.TagHash, g.RevParse(r.Tag))
	}

	// Backport and forward-port are real `git cherry-pick -x` commits.
	assert.Contains(t, g.Git("log", "-1", "--format=%B", c.Backport), "(cherry picked from commit "+c.Fix+")")
	assert.Contains(t, g.Git("log", "-1", "--format=%B", c.ForwardPort), "(cherry picked from commit "+c.Hotfix+")")
	assert.Equal(t, []string{c.Backport}, g.RevList("v1.2.0..release/1.2"))
	assert.Equal(t, []string{c.Hotfix}, g.RevList("v1.2.1..hotfix/1.2.2-INC123"))
	assert.Equal(t, []string{c.ForwardPort, c.Wishlist, c.Fix}, g.RevList("v1.2.0..main"))

	// Tags verify with the real git and the fixture's allowed signers.
	signers := filepath.Join(t.TempDir(), "allowed_signers")
	require.NoError(t, os.WriteFile(signers, f.Keys.AllowedSigners, 0o644))
	for _, r := range f.Releases {
		out, err := g.GitErr("-c", "gpg.ssh.allowedSignersFile="+signers, "verify-tag", r.Tag)
		require.NoError(t, err, out)
		v, err := tagging.Verify(ctx, f.Repo, r.Tag, f.Keys.TagVerifier, f.At)
		require.NoError(t, err)
		assert.Equal(t, r.Commit, v.Commit.String())
	}

	// Records are complete and stored; evidence is bound to the artifacts.
	for _, r := range f.Releases {
		rec, err := f.Store.Record(ctx, r.Tag)
		require.NoError(t, err)
		require.NoError(t, manifest.Check(rec).Err())
		assert.Equal(t, r.Record, rec)
		bom, err := os.ReadFile(filepath.Join(f.EvidenceDir, r.SBOM))
		require.NoError(t, err)
		assert.Equal(t, r.SBOMDigest, manifest.Digest(bom))
		doc, err := sbom.Read(bytes.NewReader(bom), sbom.JSON)
		require.NoError(t, err)
		subj, err := sbom.ParseDigest(audittest.ArtifactName, r.Digest)
		require.NoError(t, err)
		require.NoError(t, sbom.Check(doc, subj))
		env, err := os.ReadFile(filepath.Join(f.EvidenceDir, r.Provenance))
		require.NoError(t, err)
		_, err = sbom.VerifyProvenance(ctx, env, subj, f.At, f.Keys.ProvenanceVerifier)
		require.NoError(t, err)
		art, err := os.ReadFile(filepath.Join(f.EvidenceDir, r.Artifact))
		require.NoError(t, err)
		assert.Equal(t, r.Digest, manifest.Digest(art))
	}
	hf, _ := f.Release("v1.2.2")
	assert.Equal(t, manifest.Extras{"component": "shop", "incident": "INC123", "hotfix_for": "v1.2.1"}, hf.Record.Extra)
	bp, _ := f.Release("v1.2.1")
	assert.Equal(t, []manifest.PR{{Ref: "#8", OriginalPR: "#5", OriginalSHA: c.Fix}}, bp.Record.PRs)

	// The log verifies against the signed checkpoint, and holds the
	// gated promotions, the rollback and the emergency change, two refused
	// attempts and the production deployments' outcomes.
	entries, err := manifest.VerifyStore(ctx, f.Store, nil)
	require.NoError(t, err)
	cp, err := manifest.OpenCheckpoint(ctx, f.Sources.Checkpoint, f.Sources.CheckpointSig, f.Keys.LogVerifier, f.At)
	require.NoError(t, err)
	assert.Equal(t, f.Checkpoint, cp)
	require.NoError(t, manifest.VerifyLog(entries, &cp))
	assert.Len(t, entries, 37)
	cur, ok := manifest.Current(entries, "prod")
	require.True(t, ok)
	assert.Equal(t, "v1.3.0", cur.Release)
	es, ok := f.Store.(manifest.EvidenceStore)
	require.True(t, ok)
	var emergencies, rollbacks, promotions int
	var refused []string
	outcomes := map[string]int{}
	for _, e := range entries {
		if d := e.Denial; d != nil {
			refused = append(refused, d.Release+" "+d.Env+" "+strings.Join(d.Controls, ","))
			assert.NotEmpty(t, d.Refusal)
			require.NotNil(t, d.Actor)
			continue
		}
		if d := e.Deploy; d != nil {
			outcomes[d.Result]++
			assert.Equal(t, "prod", d.Env)
			assert.Equal(t, audittest.ProdTargets, d.Targets)
			require.NotNil(t, d.Actor)
			assert.True(t, d.Actor.Verified)
			assert.Equal(t, audittest.CIIssuer, d.Actor.Issuer)
			if d.Changes != nil {
				data, err := es.Evidence(ctx, d.Changes.Digest)
				require.NoError(t, err)
				_, err = audit.VerifyChangedFiles(data, *d.Changes)
				require.NoError(t, err, "entry %d", e.Seq)
			}
			continue
		}
		p := e.Promotion
		require.NotNil(t, p)
		promotions++
		require.NotEmpty(t, p.Gate, "promotion %d has no gate report", e.Seq)
		_, err := es.Evidence(ctx, p.Gate)
		require.NoError(t, err)
		if p.Emergency != nil {
			emergencies++
			assert.Equal(t, "v1.2.2", p.Release)
			assert.Equal(t, "prod", p.Env)
			assert.Empty(t, p.Window)
		}
		if p.RollbackFrom != "" {
			rollbacks++
			assert.Equal(t, audittest.Rollback{From: "v1.2.0", To: p.Release, At: p.PromotedAt, Approver: p.Approver, Reason: p.Reason}, f.Rollback)
		}
		if p.Env == "prod" && p.Emergency == nil {
			assert.Equal(t, f.Window.String(), p.Window)
		}
	}
	assert.Equal(t, 1, emergencies)
	assert.Equal(t, 1, rollbacks)
	assert.Equal(t, 19, promotions)
	// The hotfix first tried without its emergency record, and the author
	// who may not deploy (REL-ENV-001: who may act in an environment).
	assert.Equal(t, []string{"v1.2.2 prod REL-WINDOW-001", "v1.3.0 prod REL-ENV-001"}, refused)
	// Seven production deployments (the rollback's included), v1.2.1's run
	// twice after its first failed.
	assert.Equal(t, map[string]int{manifest.ResultStarted: 8, manifest.ResultFailed: 1, manifest.ResultSucceeded: 7}, outcomes)
	v121, _ := f.Release("v1.2.1")
	require.Len(t, v121.Deployments, 4)
	assert.Equal(t, manifest.ResultFailed, v121.Deployments[1].Result)
	v122, _ := f.Release("v1.2.2")
	require.Len(t, v122.Refused, 1)
	assert.True(t, v122.Refused[0].Actor.Verified)
}

func TestDeterministic(t *testing.T) {
	a, b := audittest.New(t), audittest.New(t)
	assert.Equal(t, a.Commits, b.Commits)
	assert.Equal(t, a.Checkpoint, b.Checkpoint)
	assert.Equal(t, a.Sources.CheckpointSig, b.Sources.CheckpointSig)
	require.Len(t, b.Releases, len(a.Releases))
	for i := range a.Releases {
		ra, rb := a.Releases[i], b.Releases[i]
		assert.Equal(t, ra.TagHash, rb.TagHash)
		assert.Equal(t, ra.Record, rb.Record)
		assert.Equal(t, ra.Promotions, rb.Promotions)
		for _, name := range []string{ra.Artifact, ra.SBOM, ra.Provenance} {
			da, err := os.ReadFile(filepath.Join(a.EvidenceDir, name))
			require.NoError(t, err)
			db, err := os.ReadFile(filepath.Join(b.EvidenceDir, name))
			require.NoError(t, err)
			assert.Equal(t, da, db, name)
		}
	}

	// Another seed: other keys, so other tag objects, but the same commits.
	c := audittest.New(t, audittest.WithSeed("another seed"))
	assert.Equal(t, a.Commits, c.Commits)
	assert.NotEqual(t, a.Releases[0].TagHash, c.Releases[0].TagHash)
	_, err := tagging.Verify(context.Background(), c.Repo, "v1.0.0", a.Keys.TagVerifier, a.At)
	assert.ErrorIs(t, err, signature.ErrUntrustedKey)
}

func TestGitStore(t *testing.T) {
	f := audittest.New(t, audittest.WithGitStore())
	assert.Empty(t, f.StoreDir)
	_, ok := f.Store.(*manifest.GitStore)
	require.True(t, ok)
	entries, err := manifest.VerifyStore(context.Background(), f.Store, &f.Checkpoint)
	require.NoError(t, err)
	assert.Len(t, entries, 37)
	// The evidence travels with the code, under the log ref.
	ref := f.Git.Git("rev-parse", manifest.LogRef)
	assert.Len(t, strings.TrimSpace(ref), 40)
	d := audittest.New(t).Releases[0].Record
	rec, err := f.Store.Record(context.Background(), "v1.0.0")
	require.NoError(t, err)
	assert.Equal(t, d, rec, "the same history whichever the store")
}

// TestNewIsDemoHistory: a test gets the history examples/audit plays on,
// though its repository was made by the git binary.
func TestNewIsDemoHistory(t *testing.T) {
	f := audittest.New(t)
	want, err := demohistory.Build(t.Context(), func() (string, error) { return t.TempDir(), nil })
	require.NoError(t, err)
	require.Len(t, f.Releases, len(want.Releases))
	for i, r := range f.Releases {
		assert.Equal(t, want.Releases[i].Commit, r.Commit, r.Tag)
		assert.Equal(t, want.Releases[i].TagHash, r.TagHash, r.Tag)
		assert.Equal(t, want.Releases[i].Digest, r.Digest, r.Tag)
	}
	assert.Equal(t, want.Commits, f.Commits)
}

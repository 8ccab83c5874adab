package audit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/internal/testkit/audittest"
	"github.com/releasekit/releasekit/manifest"
)

func compareSum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func comparePaths(files []audit.ArchiveFile) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Path)
	}
	return out
}

func TestCompare(t *testing.T) {
	f := audittest.New(t)
	c := f.Commits
	for _, tc := range []struct {
		from, to                  string
		commits, tickets, prs     []string
		added, removed, changed   []string
		unchanged, promotionCount int
	}{
		{
			from: "v1.1.0", to: "v1.2.0",
			commits: []string{c.Search}, tickets: []string{"SHOP-4"}, prs: []string{"#4"},
			added:     []string{"shop/config/shop.yaml", "shop/search.go"},
			removed:   []string{"shop/config.yaml"},
			changed:   []string{"shop/README.md"},
			unchanged: 2, promotionCount: 3,
		},
		{
			// Across lines: v1.3.0 on main after v1.2.2 on the hotfix
			// branch; the backport and the hotfix are not commits of
			// v1.3.0, their originals and forward-port are.
			from: "v1.2.2", to: "v1.3.0",
			commits: []string{c.ForwardPort, c.Wishlist, c.Fix}, tickets: []string{"SHOP-7", "SHOP-6", "SHOP-5"}, prs: []string{"#7", "#6", "#5"},
			added:     []string{"shop/wishlist.go"},
			removed:   nil,
			changed:   nil,
			unchanged: 6, promotionCount: 3,
		},
		{
			from: "1.0.0", to: "1.1.0",
			commits: []string{c.Rounding, c.Checkout}, tickets: []string{"SHOP-3", "SHOP-2"}, prs: []string{"#3", "#2"},
			added:     []string{"shop/checkout.go"},
			changed:   []string{"shop/cart.go"},
			unchanged: 2, promotionCount: 4, // the rollback to v1.1.0 too
		},
	} {
		t.Run(tc.from+".."+tc.to, func(t *testing.T) {
			cmp, err := audit.Compare(t.Context(), f.Sources, tc.from, tc.to)
			require.NoError(t, err)
			var hashes []string
			for _, cm := range cmp.Commits {
				hashes = append(hashes, cm.Hash)
			}
			assert.Equal(t, tc.commits, hashes)
			assert.Equal(t, tc.tickets, cmp.Tickets)
			assert.Equal(t, tc.prs, cmp.PRs)
			assert.True(t, cmp.FromProduction)
			assert.True(t, cmp.ToProduction)
			assert.Len(t, cmp.Promotions, tc.promotionCount)
			require.Len(t, cmp.Artifacts, 1)
			a := cmp.Artifacts[0]
			require.NoError(t, a.Err)
			assert.Equal(t, audit.ChangeChanged, a.Change)
			require.NotNil(t, a.Files, a.Reason)
			assert.Equal(t, tc.added, comparePaths(a.Files.Added))
			assert.Equal(t, tc.removed, comparePaths(a.Files.Removed))
			var changed []string
			for _, ch := range a.Files.Changed {
				changed = append(changed, ch.Path)
			}
			assert.Equal(t, tc.changed, changed)
			assert.Equal(t, tc.unchanged, a.Files.Unchanged)

			// Hashes and sizes are those of the files the fixture packed.
			from, _ := f.Release(cmp.From)
			to, _ := f.Release(cmp.To)
			assert.Equal(t, from.Digest, a.From)
			assert.Equal(t, to.Digest, a.To)
			for _, ad := range a.Files.Added {
				assert.Equal(t, compareSum(to.Files[ad.Path]), ad.SHA256)
				assert.Equal(t, int64(len(to.Files[ad.Path])), ad.Size)
			}
			for _, ch := range a.Files.Changed {
				assert.Equal(t, compareSum(from.Files[ch.Path]), ch.FromSHA256)
				assert.Equal(t, compareSum(to.Files[ch.Path]), ch.ToSHA256)
			}
		})
	}
}

func TestCompareEvidenceProblems(t *testing.T) {
	f := audittest.New(t)
	r, _ := f.Release("v1.2.1")

	cmp, err := audit.Compare(t.Context(), f.Sources, "v1.2.1", "v1.2.2")
	require.NoError(t, err)
	require.NotNil(t, cmp.Artifacts[0].Files)
	assert.Equal(t, []string{"shop/payment.go"}, comparePaths(cmp.Artifacts[0].Files.Added))
	require.NotEmpty(t, cmp.Promotions)
	assert.NotNil(t, cmp.Promotions[len(cmp.Promotions)-1].Emergency)
	var text bytes.Buffer
	require.NoError(t, cmp.WriteText(&text))
	assert.Contains(t, text.String(), "v1.2.1..v1.2.2: 1 commit(s), tickets SHOP-7, pull requests #7\n")
	assert.Contains(t, text.String(), "    + shop/payment.go\n")
	assert.Contains(t, text.String(), "emergency change INC123")

	// An artifact replaced in the evidence is not trusted.
	other, _ := f.Release("v1.2.0")
	data, err := os.ReadFile(filepath.Join(f.EvidenceDir, other.Artifact))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(f.EvidenceDir, r.Artifact), data, 0o644))
	cmp, err = audit.Compare(t.Context(), f.Sources, "v1.2.1", "v1.2.2")
	require.NoError(t, err)
	assert.Equal(t, audit.ReasonDigestMismatch, trailReason(cmp.Artifacts[0].Err))
	assert.Nil(t, cmp.Artifacts[0].Files)
	assert.NotEmpty(t, cmp.Artifacts[0].Error)

	// An artifact missing from the evidence: digests compared only.
	require.NoError(t, os.Remove(filepath.Join(f.EvidenceDir, r.Artifact)))
	cmp, err = audit.Compare(t.Context(), f.Sources, "v1.2.1", "v1.2.2")
	require.NoError(t, err)
	assert.NoError(t, cmp.Artifacts[0].Err)
	assert.Nil(t, cmp.Artifacts[0].Files)
	assert.Contains(t, cmp.Artifacts[0].Reason, "not in the evidence")
	assert.Equal(t, audit.ChangeChanged, cmp.Artifacts[0].Change)

	_, err = audit.Compare(t.Context(), f.Sources, "v1.2.1", "v7.0.0")
	assert.ErrorIs(t, err, audit.ErrUnknownRelease)
	assert.ErrorIs(t, err, manifest.ErrNotFound)
	_, err = audit.Compare(t.Context(), audit.Sources{Store: f.Store}, "v1.2.1", "v1.2.2")
	assert.ErrorIs(t, err, audit.ErrNoRepository)
}

// TestCompareArtifactsByName adds a zip artifact to a new release of the
// fixture and checks that artifacts are matched by name, added and
// removed, and that zip archives are compared too.
func TestCompareArtifactsByName(t *testing.T) {
	f := audittest.New(t)
	ctx := t.Context()
	base, _ := f.Release("v1.3.0")
	zipped := compareZip(t, map[string]string{"docs/index.html": "<h1>Shop</h1>\n", "docs/api.html": "<h1>API</h1>\n"})
	zipped2 := compareZip(t, map[string]string{"docs/index.html": "<h1>Shop 2</h1>\n"})
	write := func(name string, data []byte) {
		p := filepath.Join(f.EvidenceDir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o644))
	}
	write("v1.3.0/docs.zip", zipped) // located by TAG/NAME: no URI
	write("artifacts/v1.4.0/docs.zip", zipped2)
	rec13 := base.Record
	rec13.Artifacts = append(rec13.Artifacts[:1:1], manifest.Artifact{Name: "docs.zip", Digest: manifest.Digest(zipped)})
	// A second store: the fixture's refuses to change a published record.
	st, err := manifest.NewDirStore(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, st.PutRecord(ctx, rec13))
	rec14 := rec13
	rec14.Tag = "v1.4.0"
	rec14.Artifacts = []manifest.Artifact{{Name: "DOCS.zip", URI: "artifacts/v1.4.0/docs.zip", Digest: manifest.Digest(zipped2)}}
	require.NoError(t, st.PutRecord(ctx, rec14))
	src := f.Sources
	src.Store = st

	cmp, err := audit.Compare(ctx, src, "v1.3.0", "v1.4.0")
	require.NoError(t, err)
	assert.False(t, cmp.ToProduction)
	assert.Empty(t, cmp.Commits) // same commit
	require.Len(t, cmp.Artifacts, 2)
	docs := cmp.Artifacts[0]
	assert.Equal(t, "DOCS.zip", docs.Name)
	assert.Equal(t, audit.ChangeChanged, docs.Change)
	require.NotNil(t, docs.Files, docs.Reason)
	assert.Equal(t, []string{"docs/api.html"}, comparePaths(docs.Files.Removed))
	require.Len(t, docs.Files.Changed, 1)
	assert.Equal(t, "docs/index.html", docs.Files.Changed[0].Path)
	assert.Equal(t, audit.ArtifactDiff{Name: audittest.ArtifactName, Change: audit.ChangeRemoved, From: base.Digest}, cmp.Artifacts[1])
}

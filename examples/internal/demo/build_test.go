package demo_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/manifest"
)

func TestBuildAndRecord(t *testing.T) {
	var clk demo.Clock
	repo, base := newRepo(t, &clk)
	require.NoError(t, demo.Checkout(repo, "release/1.0", true))
	require.NoError(t, demo.Checkout(repo, "main", false))
	fix, err := demo.Commit(repo, map[string]string{"a.go": "package a\n\n// fixed\n"}, "fix: a leaks (#2)\n\nRefs: OPS-2\n", "Ada Developer", clk.Next())
	require.NoError(t, err)
	picked, err := demo.CherryPick(repo, fix, "release/1.0", true, "Ada Developer", clk.Next())
	require.NoError(t, err)
	var cs []commits.Commit
	for c, err := range commits.Log(t.Context(), repo, commits.Range{From: []plumbing.Hash{base}, To: picked}) {
		require.NoError(t, err)
		cs = append(cs, c)
	}
	require.Len(t, cs, 1)

	work := t.TempDir()
	rec, digest, err := demo.BuildAndRecord(t.Context(), work, "shop", "v1.0.1", "v1.0.0", picked, cs, &clk)
	require.NoError(t, err)
	require.NoError(t, manifest.Check(rec).Err())

	// The artifact, its SBOM and its provenance are in work/dist, and the
	// digest is the artifact's.
	data, err := os.ReadFile(filepath.Join(work, "dist", "shop-v1.0.1.tar.gz"))
	require.NoError(t, err)
	assert.Equal(t, "shop v1.0.1 built from "+picked.String()+"\n", string(data))
	sum := sha256.Sum256(data)
	assert.Equal(t, "sha256:"+hex.EncodeToString(sum[:]), digest)
	assert.True(t, rec.HasDigest(digest))
	for _, name := range []string{"shop-v1.0.1.tar.gz.cdx.json", "shop-v1.0.1.tar.gz.intoto.jsonl"} {
		fi, err := os.Stat(filepath.Join(work, "dist", name))
		require.NoError(t, err)
		assert.NotZero(t, fi.Size(), name)
	}

	// The record: the release, its tickets and PRs (the cherry-pick names
	// its original), the rollback and the next day's window.
	assert.Equal(t, "v1.0.1", rec.Tag)
	assert.Equal(t, picked.String(), rec.Commit)
	assert.Equal(t, []string{"OPS-2"}, rec.Tickets)
	assert.Equal(t, []manifest.PR{{Ref: "#2", OriginalSHA: fix.String()}}, rec.PRs)
	assert.Equal(t, "v1.0.0", rec.Rollback.Version)
	start := time.Date(2026, 1, 6, 10, 0, 0, 0, time.UTC)
	assert.Equal(t, manifest.Window{Start: start, End: start.Add(2 * time.Hour)}, rec.Window)
}

package demohistory_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/demohistory"
)

// tempDirs returns t.TempDir as a Build directory function.
func tempDirs(t *testing.T) func() (string, error) {
	return func() (string, error) { return t.TempDir(), nil }
}

// TestBuild: the history has the commits and releases the package
// documentation draws, with the same hashes on every run (fixed authors,
// committers and times), and its directories where NumberedDirs puts them.
func TestBuild(t *testing.T) {
	dir := t.TempDir()
	f, err := demohistory.Build(context.Background(), demohistory.NumberedDirs(dir))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "001", "repo"), f.Dir)
	assert.Equal(t, filepath.Join(dir, "002", "evidence"), f.EvidenceDir)
	assert.Equal(t, filepath.Join(dir, "003", "store"), f.StoreDir)

	// The hashes examples/audit/testdata/want.txt prints.
	c := f.Commits
	for name, got := range map[string]string{
		"Cart":        c.Cart,
		"Checkout":    c.Checkout,
		"Rounding":    c.Rounding,
		"Search":      c.Search,
		"Fix":         c.Fix,
		"Backport":    c.Backport,
		"Hotfix":      c.Hotfix,
		"Wishlist":    c.Wishlist,
		"ForwardPort": c.ForwardPort,
	} {
		want := map[string]string{
			"Cart":        "2bdf21f8d1ef3311d506e6de344dd71d8bee2583",
			"Checkout":    "ab5949e74fb23081dcc91c256c5b95ede09432ad",
			"Rounding":    "38db148616fa256638f9b1ed79ef5014c0471b53",
			"Search":      "3b7f5c2a1c91784e806bd1e12728d28a4b161894",
			"Fix":         "9211c51dd6760fe3474484f2c4bf14cf64a3888a",
			"Backport":    "863779c1006fd5ef27aa6f9d3d1a26c7075a673c",
			"Hotfix":      "7a3a705c61610ecc4f3e9a1944ebf40ecd15d1d8",
			"Wishlist":    "8b185a6b945bd034dc44ccc1e7be3e61265dc8db",
			"ForwardPort": "910ff634b0eff9c3ec89a42a577c49318805918f",
		}[name]
		assert.Equal(t, want, got, name)
	}
	var tags []string
	for _, r := range f.Releases {
		tags = append(tags, r.Tag)
	}
	assert.Equal(t, []string{"v1.0.0", "v1.1.0", "v1.2.0", "v1.2.1", "v1.2.2", "v1.3.0"}, tags)
	hotfix, ok := f.Release("v1.2.2")
	require.True(t, ok)
	assert.Equal(t, "29d9617177b505f02b4f53fc1a9b44f926bd18ce", hotfix.TagHash)
	assert.Equal(t, "sha256:c7eafc41b86b70a94d2a443b833885cc9596fb0368489d40d830d4024d85c307", hotfix.Digest)

	// The cherry-picks are recorded as `git cherry-pick -x` records them.
	bp, err := f.Repo.CommitObject(plumbing.NewHash(c.Backport))
	require.NoError(t, err)
	assert.Equal(t, "fix(checkout): reject empty carts (#5)\n\nRefs: SHOP-5\n(cherry picked from commit "+c.Fix+")\n", bp.Message)
}

// TestBuildSameTwice: two builds give the same history byte for byte.
func TestBuildSameTwice(t *testing.T) {
	a, err := demohistory.Build(context.Background(), tempDirs(t))
	require.NoError(t, err)
	b, err := demohistory.Build(context.Background(), tempDirs(t), demohistory.WithGitStore())
	require.NoError(t, err)
	require.Len(t, b.Releases, len(a.Releases))
	for i, r := range a.Releases {
		assert.Equal(t, r.Commit, b.Releases[i].Commit, r.Tag)
		assert.Equal(t, r.TagHash, b.Releases[i].TagHash, r.Tag)
		assert.Equal(t, r.Digest, b.Releases[i].Digest, r.Tag)
	}
	assert.Empty(t, b.StoreDir, "a GitStore has no directory")
}

// TestBuildError: a failure is an error naming the step, not a panic.
func TestBuildError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err := demohistory.Build(context.Background(), demohistory.NumberedDirs(file))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "demohistory: directory")
}

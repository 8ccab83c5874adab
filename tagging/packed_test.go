package tagging

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

// TestPackedObjectMatchesGoGit: every object of a packed repository (after
// git gc: commits, trees, blobs, annotated tags, some as deltas) read from
// the pack index on disk has the type and content go-git reads, or is left
// to go-git (a delta).
func TestPackedObjectMatchesGoGit(t *testing.T) {
	g := gittest.New(t)
	for i := range 30 {
		g.CommitFiles(fmt.Sprintf("feat: change %d", i), map[string]string{"a.txt": strings.Repeat(fmt.Sprintf("line %d\n", i), 50+i)})
		if i%10 == 9 {
			g.AnnotatedTag(fmt.Sprintf("v1.%d.0", i/10), "HEAD", "Release")
		}
	}
	g.Git("gc", "--quiet", "--aggressive")
	repo := g.GoGit(t)
	dir := objectsDir(repo)
	require.NotEmpty(t, dir)
	var served, left int
	for _, line := range strings.Split(strings.TrimSpace(g.Git("cat-file", "--batch-all-objects", "--batch-check")), "\n") {
		h := plumbing.NewHash(strings.Fields(line)[0])
		eo, err := repo.Storer.EncodedObject(plumbing.AnyObject, h)
		require.NoError(t, err)
		r, err := eo.Reader()
		require.NoError(t, err)
		want, err := io.ReadAll(r)
		require.NoError(t, err)
		typ, got, err := packedObject(dir, h, true)
		if errors.Is(err, errNotPacked) {
			left++
			continue
		}
		require.NoError(t, err)
		served++
		assert.Equal(t, eo.Type(), typ, "%s", h)
		assert.Equal(t, want, got, "%s", h)
		typ, _, err = packedObject(dir, h, false)
		require.NoError(t, err)
		assert.Equal(t, eo.Type(), typ, "%s", h)
	}
	t.Logf("%d objects read from the pack, %d left to go-git", served, left)
	assert.Positive(t, served)
	_, _, err := packedObject(dir, plumbing.NewHash(strings.Repeat("ab", 20)), false)
	assert.ErrorIs(t, err, errNotPacked)
}

package manifest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/manifest"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// changesRepo makes a repository with two releases: v1.0.0 (annotated)
// and v2.0.0 (lightweight), which modifies, deletes, renames and adds
// files, binary ones among them, changes a file's mode only and moves a
// submodule.
func changesRepo(t *testing.T) *gittest.Repo {
	r := gittest.New(t)
	r.CommitFiles("feat: first\n", map[string]string{
		"a.txt": "alpha\n", "b.txt": "bravo\n", "old.txt": "rename me\n", "dir/c.txt": "charlie\n",
		"bin/blob.bin": "\x00\x01\x02\xff", "mode.sh": "#!/bin/sh\n",
	})
	r.Git("update-index", "--add", "--cacheinfo", "160000,"+strings.Repeat("1", 40)+",sub")
	v1 := r.EmptyCommit("feat: a submodule\n")
	r.AnnotatedTag("v1.0.0", v1, "v1.0.0\n")
	r.CommitFiles("feat: second\n", map[string]string{
		"a.txt": "alpha 2\n", "b.txt": "", "bin/blob.bin": "\x00\xff\xfe", "bin/new.bin": "\xff\xd8\xff\xe0",
	})
	r.Git("mv", "old.txt", "new.txt")
	r.Git("update-index", "--chmod=+x", "mode.sh")
	r.Git("update-index", "--cacheinfo", "160000,"+strings.Repeat("2", 40)+",sub")
	r.Tag("v2.0.0", r.EmptyCommit("feat: rename, mode, submodule\n"))
	return r
}

// gitChanges is what git itself says changed between from and to, without
// rename detection and without submodules: "change path" lines, the
// oracle of TreeChanges' paths and kinds (the digests are checked against
// the contents written).
func gitChanges(t *testing.T, r *gittest.Repo, from, to string) []string {
	var out []string
	for _, line := range strings.Split(r.Git("diff", "--raw", "--no-renames", "--no-abbrev", from, to), "\n") {
		// :100644 100644 OLD NEW M\tpath
		meta, path, _ := strings.Cut(line, "\t")
		f := strings.Fields(meta)
		if f[0] == ":160000" || f[1] == "160000" {
			continue
		}
		kind := map[string]string{"A": manifest.ChangeAdded, "D": manifest.ChangeDeleted, "M": manifest.ChangeModified}[f[4]]
		require.NotEmpty(t, kind, line)
		out = append(out, kind+" "+path)
	}
	sort.Slice(out, func(i, j int) bool { return strings.Fields(out[i])[1] < strings.Fields(out[j])[1] })
	return out
}

func changeLines(files []manifest.FileChange) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Change+" "+f.Path)
	}
	return out
}

func TestTreeChanges(t *testing.T) {
	r := changesRepo(t)
	repo := r.GoGit(t)
	ctx := t.Context()

	cf, err := manifest.TreeChanges(ctx, repo, "v1.0.0", "v2.0.0")
	require.NoError(t, err)
	want := []manifest.FileChange{
		{Path: "a.txt", Change: "modified", SHA256: sha("alpha 2\n"), Previous: sha("alpha\n")},
		{Path: "b.txt", Change: "deleted", Previous: sha("bravo\n")},
		{Path: "bin/blob.bin", Change: "modified", SHA256: sha("\x00\xff\xfe"), Previous: sha("\x00\x01\x02\xff")},
		{Path: "bin/new.bin", Change: "added", SHA256: sha("\xff\xd8\xff\xe0")},
		{Path: "mode.sh", Change: "modified", SHA256: sha("#!/bin/sh\n"), Previous: sha("#!/bin/sh\n")},
		{Path: "new.txt", Change: "added", SHA256: sha("rename me\n")},
		{Path: "old.txt", Change: "deleted", Previous: sha("rename me\n")},
	}
	assert.Equal(t, &manifest.ChangedFiles{
		From: "v1.0.0", To: "v2.0.0",
		FromTree: r.RevParse("v1.0.0^{tree}"), ToTree: r.RevParse("v2.0.0^{tree}"),
		Files: want, Total: 7,
	}, cf, "the submodule is skipped")
	assert.Equal(t, gitChanges(t, r, "v1.0.0", "v2.0.0"), changeLines(cf.Files), "as git sees it")

	// An environment's first deployment: everything is added.
	cf, err = manifest.TreeChanges(ctx, repo, "", "v1.0.0")
	require.NoError(t, err)
	assert.Empty(t, cf.From)
	assert.Empty(t, cf.FromTree)
	assert.Equal(t, 6, cf.Total)
	var paths []string
	for _, f := range cf.Files {
		assert.Equal(t, manifest.ChangeAdded, f.Change)
		assert.Empty(t, f.Previous)
		paths = append(paths, f.Path)
	}
	assert.Equal(t, []string{"a.txt", "b.txt", "bin/blob.bin", "dir/c.txt", "mode.sh", "old.txt"}, paths)

	// The same release: nothing changed, an empty list (never null).
	cf, err = manifest.TreeChanges(ctx, repo, "v2.0.0", "v2.0.0")
	require.NoError(t, err)
	assert.Equal(t, []manifest.FileChange{}, cf.Files)
	assert.Zero(t, cf.Total)

	// Any revision: a commit, a branch.
	cf, err = manifest.TreeChanges(ctx, repo, r.RevParse("v1.0.0^{commit}"), "main")
	require.NoError(t, err)
	assert.Equal(t, want, cf.Files)
}

// Beyond the bound, the first files by path are listed and every one is
// counted.
func TestTreeChangesTruncated(t *testing.T) {
	r := changesRepo(t)
	repo := r.GoGit(t)
	cf, err := manifest.TreeChangesBounded(t.Context(), repo, "v1.0.0", "v2.0.0", 3)
	require.NoError(t, err)
	assert.Equal(t, []string{"modified a.txt", "deleted b.txt", "modified bin/blob.bin"}, changeLines(cf.Files))
	assert.Equal(t, 7, cf.Total)
	assert.True(t, cf.Truncated)
	assert.Equal(t, sha("alpha 2\n"), cf.Files[0].SHA256)

	cf, err = manifest.TreeChangesBounded(t.Context(), repo, "v1.0.0", "v2.0.0", 7)
	require.NoError(t, err)
	assert.Len(t, cf.Files, 7)
	assert.False(t, cf.Truncated, "exactly at the bound")

	// The manifest of a truncated list is consistent evidence.
	cf, err = manifest.TreeChangesBounded(t.Context(), repo, "v1.0.0", "v2.0.0", 1)
	require.NoError(t, err)
	b, err := json.Marshal(cf)
	require.NoError(t, err)
	got, err := manifest.ParseChangedFiles(b)
	require.NoError(t, err)
	assert.Equal(t, *cf, got)
}

func TestTreeChangesUnknownRevision(t *testing.T) {
	r := changesRepo(t)
	repo := r.GoGit(t)
	blob := r.RevParse("v1.0.0:a.txt")
	for _, tt := range []struct{ from, to, bad string }{
		{"v9.9.9", "v2.0.0", "v9.9.9"},
		{"v1.0.0", "no-such-branch", "no-such-branch"},
		{"v1.0.0", "", ""},
		{"v1.0.0", strings.Repeat("0", 40), strings.Repeat("0", 40)},
		{blob, "v2.0.0", blob},
	} {
		t.Run(tt.bad, func(t *testing.T) {
			cf, err := manifest.TreeChanges(t.Context(), repo, tt.from, tt.to)
			assert.Nil(t, cf)
			var re *manifest.RevisionError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.bad, re.Revision)
			assert.ErrorIs(t, err, manifest.ErrNotFound)
		})
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := manifest.TreeChanges(ctx, repo, "v1.0.0", "v2.0.0")
	assert.ErrorIs(t, err, context.Canceled)
}

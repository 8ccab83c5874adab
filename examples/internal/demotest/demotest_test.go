package demotest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/tagging"
)

// recorder is a testing.TB that keeps what Errorf reports instead of
// failing the test.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestGolden(t *testing.T) {
	t.Chdir(t.TempDir())
	require.NoError(t, os.MkdirAll("testdata", 0o755))
	want := filepath.Join("testdata", "want.txt")
	require.NoError(t, os.WriteFile(want, []byte(" 1. done\n"), 0o644))

	Golden(t, []byte(" 1. done\n"))

	r := &recorder{TB: t}
	Golden(r, []byte(" 1. changed\n"))
	require.Len(t, r.errors, 1)
	assert.True(t, strings.HasPrefix(r.errors[0], "output differs from testdata/want.txt (go test -update to accept):\n 1. changed\n"), r.errors[0])
	data, err := os.ReadFile(want)
	require.NoError(t, err)
	assert.Equal(t, " 1. done\n", string(data), "Golden without -update wrote the file")
}

func TestUpdateFlag(t *testing.T) {
	// The flag is registered once, here, for every example test binary.
	f := flag.Lookup("update")
	require.NotNil(t, f, "-update is not registered")
	assert.Equal(t, "false", f.DefValue)
}

func TestTagVerifier(t *testing.T) {
	var clk demo.Clock
	repo, err := demo.Init(filepath.Join(t.TempDir(), "repo"))
	require.NoError(t, err)
	h, err := demo.Commit(repo, map[string]string{"a.go": "package a\n"}, "feat: a (#1)", "Ada Developer", clk.Next())
	require.NoError(t, err)
	work := t.TempDir()
	keys, err := demo.SetupSigning(work, "")
	require.NoError(t, err)
	_, err = tagging.Create(t.Context(), repo, tagging.Request{
		Name: "v1.0.0", Target: h, Message: "Release v1.0.0",
		Tagger: tagging.Identity{Name: "Release Bot", Email: demo.Email("Release Bot"), When: clk.Next()},
	}, keys.Tag)
	require.NoError(t, err)

	allowed := AllowedSigners(t, work)
	require.Len(t, allowed, 1)
	assert.Equal(t, keys.Key.PublicKey().Marshal(), allowed[0].Key.Marshal())
	ver, err := tagging.Verify(t.Context(), repo, "v1.0.0", TagVerifier(t, work), clk.Next())
	require.NoError(t, err)
	assert.Equal(t, h, ver.Commit)

	// Another workspace's file does not trust the key.
	other := t.TempDir()
	_, err = demo.SetupSigning(other, "")
	require.NoError(t, err)
	_, err = tagging.Verify(t.Context(), repo, "v1.0.0", TagVerifier(t, other), clk.Next())
	assert.Error(t, err)
}

func TestReleasedRepo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "repo")
	repo, h := ReleasedRepo(t, path, "v2.0.0")

	tip, err := demo.Head(repo, "main")
	require.NoError(t, err)
	assert.Equal(t, h, tip)
	c, err := repo.CommitObject(h)
	require.NoError(t, err)
	assert.Equal(t, "feat: a (#1)\n\nRefs: OPS-1", c.Message)
	assert.Equal(t, "Ada Developer", c.Author.Name)
	assert.True(t, c.Author.When.Equal(demo.Epoch()))
	f, err := c.File("a.go")
	require.NoError(t, err)
	content, err := f.Contents()
	require.NoError(t, err)
	assert.Equal(t, "package a\n", content)

	ref, err := repo.Tag("v2.0.0")
	require.NoError(t, err)
	tag, err := repo.TagObject(ref.Hash())
	require.NoError(t, err, "v2.0.0 is not an annotated tag")
	assert.Equal(t, h, tag.Target)
	assert.Equal(t, "Release Bot", tag.Tagger.Name)
	assert.Equal(t, "Release v2.0.0\n", tag.Message)

	// The repository is on disk, where -repo opens it.
	_, err = git.PlainOpen(path)
	assert.NoError(t, err)
}

func TestNormalize(t *testing.T) {
	a := strings.Repeat("a1", 20)
	b := "0123456789abcdef0123456789abcdef01234567"
	digest := strings.Repeat("c3", 32)
	in := "PR #1 (" + b[:7] + ") merged as " + a + " at http://127.0.0.1:43151/shop/pulls/1\n" +
		"tag at " + b + ", again " + a[:12] + "; sha256:" + digest + "; not a SHA: deadbeef0, 1234567\n"
	want := "PR #1 (<commit-2>) merged as <commit-1> at http://127.0.0.1:PORT/shop/pulls/1\n" +
		"tag at <commit-2>, again <commit-1>; sha256:" + digest + "; not a SHA: deadbeef0, 1234567\n"
	assert.Equal(t, want, string(Normalize([]byte(in))))
	// Another run, other SHAs in the same places: the same text.
	c, d := strings.Repeat("e9", 20), strings.Repeat("7f", 20)
	again := strings.NewReplacer(a, c, a[:12], c[:12], b, d, b[:7], d[:7], "43151", "38001").Replace(in)
	assert.Equal(t, want, string(Normalize([]byte(again))))
}

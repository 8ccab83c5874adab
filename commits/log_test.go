package commits_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

// logHashes runs commits.Log and returns the hashes in order.
func logHashes(t *testing.T, repo *git.Repository, r commits.Range, opts ...commits.LogOption) []string {
	t.Helper()
	out := []string{}
	for c, err := range commits.Log(t.Context(), repo, r, opts...) {
		require.NoError(t, err)
		out = append(out, c.Hash)
	}
	return out
}

func resolve(t *testing.T, repo *git.Repository, rev string) plumbing.Hash {
	t.Helper()
	h, err := commits.Resolve(repo, rev)
	require.NoError(t, err)
	return h
}

// TestLogMatchesRevList compares Log with the real `git rev-list` on
// merge-heavy generated histories: ranges, --first-parent and paths.
func TestLogMatchesRevList(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			g := gittest.MergeHeavy(t, seed, 300)
			repo := g.GoGit(t)
			revs := strings.Fields(g.Git("rev-list", "--all", "--max-count=400"))
			require.NotEmpty(t, revs)
			picks := []string{revs[0], revs[len(revs)/7], revs[len(revs)/3], revs[len(revs)/2], revs[2*len(revs)/3], revs[len(revs)-1]}
			tags := strings.Fields(g.Git("tag"))
			picks = append(picks, tags...)
			type tc struct {
				from, to string
				args     []string
				opts     []commits.LogOption
			}
			var cases []tc
			for i, to := range picks {
				cases = append(cases, tc{to: to})
				cases = append(cases, tc{to: to, args: []string{"--first-parent"}, opts: []commits.LogOption{commits.WithFirstParent()}})
				for _, p := range []string{"api", "web/", "docs"} {
					cases = append(cases, tc{to: to, args: []string{"--", p}, opts: []commits.LogOption{commits.WithPaths(p)}})
				}
				for j, from := range picks {
					if i == j || (i+j)%2 == 1 {
						continue
					}
					cases = append(cases, tc{from: from, to: to})
					cases = append(cases, tc{from: from, to: to, args: []string{"--first-parent"}, opts: []commits.LogOption{commits.WithFirstParent()}})
					cases = append(cases, tc{from: from, to: to, args: []string{"--", "api"}, opts: []commits.LogOption{commits.WithPaths("api")}})
				}
			}
			for _, c := range cases {
				gitArgs := []string{c.to}
				r := commits.Range{To: resolve(t, repo, c.to)}
				if c.from != "" {
					gitArgs = []string{c.from + ".." + c.to}
					r.From = []plumbing.Hash{resolve(t, repo, c.from)}
				}
				want := g.RevList(append(gitArgs, c.args...)...)
				got := logHashes(t, repo, r, c.opts...)
				require.Equal(t, want, got, "git rev-list %s %s", strings.Join(gitArgs, " "), strings.Join(c.args, " "))
			}
		})
	}
}

// TestLogLargeHistory checks the read-ahead path (long walks) against git.
func TestLogLargeHistory(t *testing.T) {
	g := gittest.Synthetic(t, gittest.Spec{Commits: 3000, TagEvery: 50, MergeEvery: 7, Paths: []string{"api/", "web/"}, Seed: 5})
	repo := g.GoGit(t)
	head := resolve(t, repo, "HEAD")
	assert.Equal(t, g.RevList("HEAD"), logHashes(t, repo, commits.Range{To: head}))
	assert.Equal(t, g.RevList("--first-parent", "HEAD"), logHashes(t, repo, commits.Range{To: head}, commits.WithFirstParent()))
	assert.Equal(t, g.RevList("HEAD", "--", "api"), logHashes(t, repo, commits.Range{To: head}, commits.WithPaths("api/")))
	from := resolve(t, repo, "HEAD~1000")
	assert.Equal(t, g.RevList("HEAD~1000..HEAD"), logHashes(t, repo, commits.Range{From: []plumbing.Hash{from}, To: head}))

	// The same after `git gc`, which writes commits in traversal order
	// and deltifies objects.
	g.Git("gc", "--quiet", "--aggressive")
	repo = g.GoGit(t)
	assert.Equal(t, g.RevList("HEAD"), logHashes(t, repo, commits.Range{To: head}))
	assert.Equal(t, g.RevList("HEAD", "--", "web"), logHashes(t, repo, commits.Range{To: head}, commits.WithPaths("web")))
}

func TestLogParsesMessages(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: first\n\nRefs: PROJ-1")
	base := g.Commit("fix(api): second (#12)")
	g.AnnotatedTag("v1.0.0", base, "Release v1.0.0")
	g.Commit("not conventional at all")
	g.Commit("feat(ui)!: third\n\nBREAKING CHANGE: the old page is gone")
	repo := g.GoGit(t)

	var got []commits.Commit
	for c, err := range commits.Log(t.Context(), repo, commits.Range{From: []plumbing.Hash{resolve(t, repo, "v1.0.0")}, To: resolve(t, repo, "HEAD")}) {
		require.NoError(t, err)
		got = append(got, c)
	}
	require.Len(t, got, 2)
	assert.True(t, got[0].Conventional)
	assert.Equal(t, "feat", got[0].Type)
	assert.True(t, got[0].Breaking)
	assert.Equal(t, "Test Author", got[0].Author.Name)
	assert.Equal(t, "author@example.com", got[0].Author.Email)
	assert.False(t, got[1].Conventional, "non-conventional commits are kept and flagged")
	assert.Error(t, got[1].Err)
	assert.Equal(t, g.RevParse("HEAD~1"), got[1].Hash)
	assert.Equal(t, []string{g.RevParse("HEAD~2")}, got[1].Parents)
}

func TestLogStopsEarly(t *testing.T) {
	g := gittest.Synthetic(t, gittest.Spec{Commits: 500, Seed: 1})
	repo := g.GoGit(t)
	n := 0
	for _, err := range commits.Log(t.Context(), repo, commits.Range{To: resolve(t, repo, "HEAD")}) {
		require.NoError(t, err)
		n++
		if n == 10 {
			break
		}
	}
	assert.Equal(t, 10, n)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var last error
	for _, err := range commits.Log(ctx, repo, commits.Range{To: resolve(t, repo, "HEAD")}) {
		last = err
	}
	assert.ErrorIs(t, last, context.Canceled)
}

func TestLogShallowClone(t *testing.T) {
	g := gittest.New(t)
	for i := range 10 {
		g.Commit(fmt.Sprintf("fix: change %d", i))
	}
	g.Tag("v1.0.0", "HEAD~6")
	clone := t.TempDir()
	g.Git("clone", "--quiet", "--depth=3", "file://"+g.Dir, clone)
	repo, err := git.PlainOpen(clone)
	require.NoError(t, err)
	head := resolve(t, repo, "HEAD")

	var last error
	n := 0
	for _, err := range commits.Log(t.Context(), repo, commits.Range{To: head}) {
		if err != nil {
			last = err
			continue
		}
		n++
	}
	assert.Equal(t, 3, n, "the commits that are there are yielded")
	assert.ErrorIs(t, last, commits.ErrIncompleteHistory)

	_, err = commits.Previous(t.Context(), repo, head, semverV())
	assert.ErrorIs(t, err, commits.ErrIncompleteHistory, "a shallow clone is not 'no release yet'")
}

func TestLogMemoryRepository(t *testing.T) {
	// A repository that is not on disk goes through go-git's storer.
	src := gittest.New(t)
	src.Commit("feat: a")
	src.Commit("fix: b")
	repo, err := git.Clone(memory.NewStorage(), nil, &git.CloneOptions{URL: src.Dir})
	require.NoError(t, err)
	got := logHashes(t, repo, commits.Range{To: resolve(t, repo, "HEAD")})
	assert.Equal(t, src.RevList("HEAD"), got)
}

func TestResolveRange(t *testing.T) {
	g := gittest.New(t)
	a := g.Commit("feat: a")
	b := g.Commit("fix: b")
	g.Tag("v1.0.0", a)
	repo := g.GoGit(t)
	r, err := commits.ResolveRange(repo, "v1.0.0..HEAD")
	require.NoError(t, err)
	assert.Equal(t, b, r.To.String())
	assert.Equal(t, []plumbing.Hash{plumbing.NewHash(a)}, r.From)

	r, err = commits.ResolveRange(repo, "HEAD")
	require.NoError(t, err)
	assert.Empty(t, r.From)

	_, err = commits.ResolveRange(repo, "nope..HEAD")
	assert.ErrorIs(t, err, commits.ErrRevision)
	_, err = commits.Resolve(repo, "v9.9.9")
	assert.True(t, errors.Is(err, commits.ErrRevision))
}

package demo_test

import (
	"crypto/ed25519"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/examples/internal/demo"
)

// newRepo returns a repository in t.TempDir() with one commit of a.go on
// main, made by Ada Developer at the clock's first step.
func newRepo(t *testing.T, clk *demo.Clock) (*git.Repository, plumbing.Hash) {
	t.Helper()
	repo, err := demo.Init(t.TempDir())
	require.NoError(t, err)
	h, err := demo.Commit(repo, map[string]string{"a.go": "package a\n"}, "feat: a (#1)\n", "Ada Developer", clk.Next())
	require.NoError(t, err)
	return repo, h
}

// file returns the content of name in the tree of commit h.
func file(t *testing.T, repo *git.Repository, h plumbing.Hash, name string) string {
	t.Helper()
	c, err := repo.CommitObject(h)
	require.NoError(t, err)
	f, err := c.File(name)
	require.NoError(t, err)
	s, err := f.Contents()
	require.NoError(t, err)
	return s
}

func TestClock(t *testing.T) {
	var clk demo.Clock
	assert.Equal(t, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), demo.Epoch())
	assert.Equal(t, demo.Epoch().Add(time.Minute), clk.Next())
	assert.Equal(t, demo.Epoch().Add(2*time.Minute), clk.Next())
	assert.Equal(t, demo.Epoch().Add(2*time.Minute), clk.T)

	start := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	clk = demo.Clock{T: start}
	assert.Equal(t, start.Add(time.Minute), clk.Next())
}

func TestEmailIdentity(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Ada Developer", "ada@example.com"},
		{"Ben Reviewer", "ben@example.com"},
		{"Release Bot", "release-bot@example.com"},
		{"Cleo Approver", "cleo@example.com"},
		{"Mallory", "someone@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, demo.Email(tt.name), "Email(%q)", tt.name)
			s := demo.Identity(tt.name, demo.Epoch())
			assert.Equal(t, tt.name, s.Name)
			assert.Equal(t, tt.want, s.Email)
			assert.Equal(t, demo.Epoch(), s.When)
		})
	}
}

func TestInitCommitHead(t *testing.T) {
	var clk demo.Clock
	repo, first := newRepo(t, &clk)

	head, err := repo.Head()
	require.NoError(t, err)
	assert.Equal(t, plumbing.NewBranchReferenceName("main"), head.Name())
	tip, err := demo.Head(repo, "main")
	require.NoError(t, err)
	assert.Equal(t, first, tip)

	c, err := repo.CommitObject(first)
	require.NoError(t, err)
	assert.Equal(t, "ada@example.com", c.Author.Email)
	assert.Equal(t, "ada@example.com", c.Committer.Email)
	assert.True(t, c.Author.When.Equal(demo.Epoch().Add(time.Minute)))
	assert.Equal(t, "feat: a (#1)\n", c.Message)

	// Nested paths are created; no files is an empty commit.
	second, err := demo.Commit(repo, map[string]string{"dir/b.go": "package dir\n"}, "feat: b (#2)\n", "Ada Developer", clk.Next())
	require.NoError(t, err)
	assert.Equal(t, "package dir\n", file(t, repo, second, "dir/b.go"))
	empty, err := demo.Commit(repo, nil, "chore: nothing\n", "Release Bot", clk.Next())
	require.NoError(t, err)
	ec, err := repo.CommitObject(empty)
	require.NoError(t, err)
	assert.Equal(t, []plumbing.Hash{second}, ec.ParentHashes)
	sc, err := repo.CommitObject(second)
	require.NoError(t, err)
	assert.Equal(t, sc.TreeHash, ec.TreeHash)

	_, err = demo.Head(repo, "nope")
	require.ErrorIs(t, err, plumbing.ErrReferenceNotFound)
	assert.Contains(t, err.Error(), "branch nope")
}

func TestCheckout(t *testing.T) {
	var clk demo.Clock
	repo, first := newRepo(t, &clk)

	require.NoError(t, demo.Checkout(repo, "topic", true))
	h, err := demo.Commit(repo, map[string]string{"t.go": "package a\n"}, "feat: t\n", "Ada Developer", clk.Next())
	require.NoError(t, err)
	topic, err := demo.Head(repo, "topic")
	require.NoError(t, err)
	assert.Equal(t, h, topic)
	main, err := demo.Head(repo, "main")
	require.NoError(t, err)
	assert.Equal(t, first, main, "a commit on topic moved main")

	require.NoError(t, demo.Checkout(repo, "main", false))
	wt, err := repo.Worktree()
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(wt.Filesystem.Root(), "t.go"))
	assert.ErrorIs(t, err, os.ErrNotExist, "topic's file is still in main's worktree")

	assert.Error(t, demo.Checkout(repo, "missing", false))
}

func TestSquashMerge(t *testing.T) {
	var clk demo.Clock
	repo, base := newRepo(t, &clk)
	require.NoError(t, demo.Checkout(repo, "feature", true))
	_, err := demo.Commit(repo, map[string]string{"b.go": "package a\n"}, "wip\n", "Ada Developer", clk.Next())
	require.NoError(t, err)
	tip, err := demo.Commit(repo, map[string]string{"b.go": "package a\n\n// B.\n"}, "review\n", "Ada Developer", clk.Next())
	require.NoError(t, err)

	when := clk.Next()
	h, err := demo.SquashMerge(repo, "main", "feature", "feat: b (#2)\n", "Ben Reviewer", when)
	require.NoError(t, err)
	c, err := repo.CommitObject(h)
	require.NoError(t, err)
	tc, err := repo.CommitObject(tip)
	require.NoError(t, err)
	assert.Equal(t, []plumbing.Hash{base}, c.ParentHashes)
	assert.Equal(t, tc.TreeHash, c.TreeHash)
	assert.Equal(t, "feat: b (#2)\n", c.Message)
	assert.Equal(t, "ada@example.com", c.Author.Email)
	assert.True(t, c.Author.When.Equal(when))
	assert.Equal(t, "ben@example.com", c.Committer.Email)
	main, err := demo.Head(repo, "main")
	require.NoError(t, err)
	assert.Equal(t, h, main)
	head, err := repo.Head()
	require.NoError(t, err)
	assert.Equal(t, plumbing.NewBranchReferenceName("main"), head.Name(), "main is not checked out")

	_, err = demo.SquashMerge(repo, "main", "missing", "x\n", "Ben Reviewer", clk.Next())
	assert.Error(t, err)
}

func TestCherryPick(t *testing.T) {
	tests := []struct {
		name, message string
		x             bool
		want          string // with %s for the picked commit
	}{
		{"plain", "fix: a\n", false, "fix: a\n"},
		{"x, subject only", "fix: a\n", true, "fix: a\n\n(cherry picked from commit %s)\n"},
		{"x, body", "fix: a\n\nIt leaked.\n", true, "fix: a\n\nIt leaked.\n\n(cherry picked from commit %s)\n"},
		{"x, trailers", "fix: a\n\nRefs: OPS-2\nRisk: low\n", true, "fix: a\n\nRefs: OPS-2\nRisk: low\n(cherry picked from commit %s)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var clk demo.Clock
			repo, base := newRepo(t, &clk)
			require.NoError(t, repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName("release"), base)))
			fix, err := demo.Commit(repo, map[string]string{"a.go": "package a\n\n// fixed\n", "new.go": "package a\n"}, tt.message, "Ada Developer", clk.Next())
			require.NoError(t, err)

			h, err := demo.CherryPick(repo, fix, "release", tt.x, "Ben Reviewer", clk.Next())
			require.NoError(t, err)
			c, err := repo.CommitObject(h)
			require.NoError(t, err)
			assert.Equal(t, strings.ReplaceAll(tt.want, "%s", fix.String()), c.Message)
			assert.Equal(t, []plumbing.Hash{base}, c.ParentHashes)
			assert.Equal(t, "ada@example.com", c.Author.Email)
			assert.True(t, c.Author.When.Equal(demo.Epoch().Add(2*time.Minute)), "author time %v", c.Author.When)
			assert.Equal(t, "ben@example.com", c.Committer.Email)
			assert.Equal(t, "package a\n\n// fixed\n", file(t, repo, h, "a.go"))
			assert.Equal(t, "package a\n", file(t, repo, h, "new.go"))
			rel, err := demo.Head(repo, "release")
			require.NoError(t, err)
			assert.Equal(t, h, rel)
		})
	}
}

func TestCherryPickConflict(t *testing.T) {
	var clk demo.Clock
	repo, base := newRepo(t, &clk)
	require.NoError(t, repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName("release"), base)))
	_, err := demo.Commit(repo, map[string]string{"a.go": "package a\n\n// step 1\n"}, "fix: 1\n", "Ada Developer", clk.Next())
	require.NoError(t, err)
	second, err := demo.Commit(repo, map[string]string{"a.go": "package a\n\n// step 2\n"}, "fix: 2\n", "Ada Developer", clk.Next())
	require.NoError(t, err)

	_, err = demo.CherryPick(repo, second, "release", true, "Ben Reviewer", clk.Next())
	require.EqualError(t, err, "conflict: a.go on release differs from the change's base")
	rel, err := demo.Head(repo, "release")
	require.NoError(t, err)
	assert.Equal(t, base, rel, "a conflict committed")
}

func TestRevert(t *testing.T) {
	var clk demo.Clock
	repo, _ := newRepo(t, &clk)
	bad, err := demo.Commit(repo, map[string]string{"a.go": "package a\n\n// bad\n", "b.go": "package a\n"}, "feat: bad (#2)\n\nRefs: OPS-2\n", "Ada Developer", clk.Next())
	require.NoError(t, err)
	later, err := demo.Commit(repo, map[string]string{"c.go": "package a\n"}, "feat: c (#3)\n", "Ada Developer", clk.Next())
	require.NoError(t, err)

	when := clk.Next()
	h, err := demo.Revert(repo, bad, "main", "Ben Reviewer", when)
	require.NoError(t, err)
	c, err := repo.CommitObject(h)
	require.NoError(t, err)
	assert.Equal(t, "Revert \"feat: bad (#2)\"\n\nThis reverts commit "+bad.String()+".\n", c.Message)
	assert.Equal(t, []plumbing.Hash{later}, c.ParentHashes)
	assert.Equal(t, "ben@example.com", c.Author.Email)
	assert.Equal(t, "ben@example.com", c.Committer.Email)
	assert.True(t, c.Author.When.Equal(when))
	assert.Equal(t, "package a\n", file(t, repo, h, "a.go"))
	assert.Equal(t, "package a\n", file(t, repo, h, "c.go"))
	_, err = c.File("b.go")
	assert.ErrorIs(t, err, object.ErrFileNotFound, "the revert kept b.go")

	// Reverting it again is a conflict: a.go no longer has the bad content.
	_, err = demo.Revert(repo, bad, "main", "Ben Reviewer", clk.Next())
	assert.EqualError(t, err, "conflict: a.go on main differs from the change's base")
}

func TestSSHKey(t *testing.T) {
	k1, err := demo.SSHKey("")
	require.NoError(t, err)
	k2, err := demo.SSHKey("")
	require.NoError(t, err)
	assert.Equal(t, ssh.KeyAlgoED25519, k1.PublicKey().Type())
	assert.NotEqual(t, k1.PublicKey().Marshal(), k2.PublicKey().Marshal(), "two new keys are the same")

	_, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	block, err := ssh.MarshalPrivateKey(priv, "test")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "id_ed25519")
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(block), 0o600))
	k, err := demo.SSHKey(path)
	require.NoError(t, err)
	want, err := ssh.NewPublicKey(priv.Public())
	require.NoError(t, err)
	assert.Equal(t, want.Marshal(), k.PublicKey().Marshal())

	_, err = demo.SSHKey(filepath.Join(t.TempDir(), "missing"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestAllowedSigners(t *testing.T) {
	k, err := demo.SSHKey("")
	require.NoError(t, err)
	got := string(demo.AllowedSigners("release-bot@example.com", "git,releasekit", k.PublicKey()))
	prefix := `release-bot@example.com namespaces="git,releasekit" `
	require.True(t, strings.HasPrefix(got, prefix), "got %q", got)
	assert.True(t, strings.HasSuffix(got, "\n") && strings.Count(got, "\n") == 1, "got %q", got)
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(strings.TrimPrefix(got, prefix)))
	require.NoError(t, err)
	assert.Equal(t, k.PublicKey().Marshal(), pub.Marshal())
}

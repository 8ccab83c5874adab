package releasepr_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/internal/testkit/keytest"
	"github.com/releasekit/releasekit/releasepr"
	"github.com/releasekit/releasekit/signature"
)

var bot = object.Signature{Name: "Release Bot", Email: "bot@example.com", When: time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)}

// run runs git (or another binary) in g's isolated environment.
func run(t *testing.T, g *gittest.Repo, extra []string, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = g.Dir
	cmd.Env = append(g.Env(), extra...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// planned makes the release PR's plan of shop, with a nested and an
// executable file besides.
func planned(t *testing.T) (*gittest.Repo, releasepr.ReleasePlan) {
	g := shop(t)
	g.CommitFiles("fix: web (#14)", map[string]string{"web/theme/package.json": "{\n  \"version\": \"1.2.0\"\n}\n", "bin/deploy.sh": "#!/bin/sh\n"})
	g.Git("update-index", "--chmod=+x", "bin/deploy.sh")
	g.Commit("chore: executable deploy script")
	req := request(g, t)
	req.Components[0].VersionFiles = append(req.Components[0].VersionFiles, "web/theme/package.json")
	p, err := releasepr.Plan(context.Background(), req)
	require.NoError(t, err)
	require.Equal(t, releasepr.StateOpen, p.State)
	return g, p
}

// The release commit is signed so that `git verify-commit` accepts it, in
// both signature formats; it changes exactly the planned files.
func TestCommitPassesGitVerifyCommit(t *testing.T) {
	t.Run("ssh", func(t *testing.T) {
		g, p := planned(t)
		key := keytest.SSHKey(t, "ed25519")
		pub, err := os.ReadFile(key + ".pub")
		require.NoError(t, err)
		allowed := filepath.Join(t.TempDir(), "allowed_signers")
		require.NoError(t, os.WriteFile(allowed, []byte("bot@example.com namespaces=\"git\" "+string(pub)), 0o644))
		h := commitPlan(t, g, p, keytest.SSHSigner(t, key, "git"))
		out, err := run(t, g, nil, "git", "-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile="+allowed, "verify-commit", h.String())
		require.NoError(t, err, out)
		assert.Contains(t, out, `Good "git" signature for bot@example.com`)
		checkTree(t, g, p, h)
	})
	t.Run("openpgp", func(t *testing.T) {
		keytest.Need(t, "gpg")
		g, p := planned(t)
		e := keytest.PGPKey(t, "ed25519", nil)
		out, err := runStdin(t, g, keytest.ArmoredPublic(t, e), "gpg", "--batch", "--quiet", "--import")
		require.NoError(t, err, out)
		s, err := signature.NewOpenPGPSignerFromEntity(e)
		require.NoError(t, err)
		h := commitPlan(t, g, p, s)
		out, err = run(t, g, nil, "git", "verify-commit", "--raw", h.String())
		require.NoError(t, err, out)
		assert.Contains(t, out, "GOODSIG")
		assert.Contains(t, out, fmt.Sprintf("VALIDSIG %X", e.PrimaryKey.Fingerprint))
		checkTree(t, g, p, h)
	})
}

func runStdin(t *testing.T, g *gittest.Repo, stdin []byte, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = g.Dir
	cmd.Env = g.Env()
	cmd.Stdin = strings.NewReader(string(stdin))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func commitPlan(t *testing.T, g *gittest.Repo, p releasepr.ReleasePlan, s signature.Signer) plumbing.Hash {
	t.Helper()
	h, err := releasepr.Commit(context.Background(), g.GoGit(t), releasepr.CommitRequest{
		Parent: plumbing.NewHash(p.BaseCommit), Edits: p.Edits, Message: p.Title + "\n\n" + "Planned by releasekit.\n", Author: bot, Signer: s, Branch: p.Branch})
	require.NoError(t, err)
	assert.Equal(t, h.String(), g.RevParse(p.Branch), "the release branch points at the commit")
	return h
}

// checkTree checks with git itself that the commit is well formed (fsck)
// and changes exactly the planned files, to their planned content, keeping
// the executable bit of the file it did not touch.
func checkTree(t *testing.T, g *gittest.Repo, p releasepr.ReleasePlan, h plumbing.Hash) {
	t.Helper()
	out, err := run(t, g, nil, "git", "fsck", "--strict", "--no-dangling")
	require.NoError(t, err, out)
	changed := strings.Fields(g.Git("diff", "--name-only", p.BaseCommit, h.String()))
	var want []string
	for _, e := range p.Edits {
		want = append(want, e.Path)
		blob, err := run(t, g, nil, "git", "cat-file", "blob", h.String()+":"+e.Path)
		require.NoError(t, err)
		assert.Equal(t, string(e.After), blob, e.Path)
	}
	assert.ElementsMatch(t, want, changed)
	assert.Contains(t, g.Git("ls-tree", h.String(), "bin/deploy.sh"), "100755")
	assert.Equal(t, p.BaseCommit, g.RevParse(h.String()+"^"))
}

func TestCommitRefused(t *testing.T) {
	g, p := planned(t)
	repo := g.GoGit(t)
	key := keytest.SSHKey(t, "ed25519")
	s := keytest.SSHSigner(t, key, "git")
	base := plumbing.NewHash(p.BaseCommit)
	for name, c := range map[string]struct {
		req  releasepr.CommitRequest
		want error
	}{
		"unsigned":     {releasepr.CommitRequest{Parent: base, Message: "x", Author: bot}, releasepr.ErrUnsigned},
		"no message":   {releasepr.CommitRequest{Parent: base, Message: " ", Author: bot, Signer: s}, releasepr.ErrConfig},
		"no author":    {releasepr.CommitRequest{Parent: base, Message: "x", Signer: s}, releasepr.ErrConfig},
		"no parent":    {releasepr.CommitRequest{Parent: plumbing.NewHash(strings.Repeat("1", 40)), Message: "x", Author: bot, Signer: s}, releasepr.ErrConfig},
		"outside":      {releasepr.CommitRequest{Parent: base, Message: "x", Author: bot, Signer: s, Edits: []releasepr.Edit{{Path: "../x"}}}, releasepr.ErrConfig},
		"into .git":    {releasepr.CommitRequest{Parent: base, Message: "x", Author: bot, Signer: s, Edits: []releasepr.Edit{{Path: ".git/hooks/pre-commit"}}}, releasepr.ErrConfig},
		"over a dir":   {releasepr.CommitRequest{Parent: base, Message: "x", Author: bot, Signer: s, Edits: []releasepr.Edit{{Path: "web"}}}, releasepr.ErrConfig},
		"bad branch":   {releasepr.CommitRequest{Parent: base, Message: "x", Author: bot, Signer: s, Branch: "a..b"}, releasepr.ErrConfig},
		"signer fails": {releasepr.CommitRequest{Parent: base, Message: "x", Author: bot, Signer: failing{}}, signature.ErrSign},
	} {
		_, err := releasepr.Commit(context.Background(), repo, c.req)
		assert.ErrorIs(t, err, c.want, name)
	}
	// Nothing was pointed at anything.
	_, err := g.GitErr("rev-parse", "--verify", "-q", "refs/heads/"+p.Branch)
	assert.Error(t, err)
}

type failing struct{}

func (failing) Sign(context.Context, io.Reader) ([]byte, error) { return nil, errors.New("agent gone") }

// CHANGELOG.md is a symbolic link to docs/CHANGELOG.md: the release PR
// never replaces the link with a file holding the section and the link's
// target path. Plan refuses the link; Commit refuses to write over one.
func TestSymlinkChangelogRefused(t *testing.T) {
	ctx := context.Background()
	g := shop(t)
	require.NoError(t, os.MkdirAll(filepath.Join(g.Dir, "docs"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(g.Dir, "docs", "CHANGELOG.md"), []byte("# Changelog\n\n## v1.2.0\n"), 0o644))
	require.NoError(t, os.Remove(filepath.Join(g.Dir, "CHANGELOG.md")))
	require.NoError(t, os.Symlink("docs/CHANGELOG.md", filepath.Join(g.Dir, "CHANGELOG.md")))
	g.Git("add", "-A")
	g.Commit("docs: move the changelog")
	g.CommitFiles("feat: more", map[string]string{"app/x.php": "<?php\n"})
	_, err := releasepr.Plan(ctx, request(g, t))
	assert.ErrorIs(t, err, releasepr.ErrConfig)
	assert.ErrorContains(t, err, "CHANGELOG.md")

	base := g.Git("rev-parse", "HEAD")
	_, err = releasepr.Commit(ctx, g.GoGit(t), releasepr.CommitRequest{Parent: plumbing.NewHash(strings.TrimSpace(base)),
		Edits: []releasepr.Edit{{Path: "CHANGELOG.md", After: []byte("## v1.3.0\n")}}, Message: "chore(release): v1.3.0", Author: bot,
		Signer: keytest.SSHSigner(t, keytest.SSHKey(t, "ed25519"), "git")})
	assert.ErrorIs(t, err, releasepr.ErrConfig)
	assert.Contains(t, g.Git("ls-tree", "HEAD", "CHANGELOG.md"), "120000", "the link is untouched")
}

// An edit under a path git refuses in a tree (fsck's hasDotgit: ".git"
// case-folded, with trailing dots, its NTFS short name, with HFS+-ignored
// code points) is refused as ".git" is: a case-insensitive or NTFS
// checkout would write into .git, and a remote with receive.fsckObjects
// rejects the push.
func TestCommitRefusesDotGitSpellings(t *testing.T) {
	g, p := planned(t)
	for _, path := range []string{".git/config", ".GIT/hooks/post-checkout", ".Git/config", "git~1/config", "GIT~1/config", ".git./config", ".git /config",
		"a/.gIt/config", ".g\u200cit/config", "\ufeff.git/config", "a/b:c", "a\\b", "CHANGELOG.md."} {
		_, err := releasepr.Commit(context.Background(), g.GoGit(t), releasepr.CommitRequest{Parent: plumbing.NewHash(p.BaseCommit),
			Edits: []releasepr.Edit{{Path: path, After: []byte("#!/bin/sh\n")}}, Message: "x", Author: bot,
			Signer: keytest.SSHSigner(t, keytest.SSHKey(t, "ed25519"), "git")})
		assert.ErrorIs(t, err, releasepr.ErrConfig, path)
	}
	// Names that only look alike are files like any other.
	for _, path := range []string{".github/release.yml", ".gitignore", "git~2/x", "docs/.git-blame-ignore-revs"} {
		_, err := releasepr.Commit(context.Background(), g.GoGit(t), releasepr.CommitRequest{Parent: plumbing.NewHash(p.BaseCommit),
			Edits: []releasepr.Edit{{Path: path, After: []byte("x\n")}}, Message: "x", Author: bot,
			Signer: keytest.SSHSigner(t, keytest.SSHKey(t, "ed25519"), "git")})
		assert.NoError(t, err, path)
	}
	out, err := run(t, g, nil, "git", "fsck", "--strict", "--no-dangling")
	assert.NoError(t, err, out)
}

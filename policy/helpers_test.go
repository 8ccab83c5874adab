package policy_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// logRange returns the commits of expr ("A..B" or "B") in g, as a caller
// gathers policy.Facts.Commits.
func logRange(t *testing.T, g *gittest.Repo, expr string) []commits.Commit {
	t.Helper()
	repo := g.GoGit(t)
	r, err := commits.ResolveRange(repo, expr)
	require.NoError(t, err)
	out := []commits.Commit{}
	for c, err := range commits.Log(context.Background(), repo, r) {
		require.NoError(t, err)
		out = append(out, c)
	}
	return out
}

// files reads the work tree of g as policy.ReadFiles does for callers.
func files(t *testing.T, g *gittest.Repo, extra ...string) map[string][]byte {
	t.Helper()
	m, err := policy.ReadFiles(os.DirFS(g.Dir), extra...)
	require.NoError(t, err)
	return m
}

// patchIDs computes policy.PatchID for every commit of cs.
func patchIDs(t *testing.T, g *gittest.Repo, ids map[string]string, cs []commits.Commit) {
	t.Helper()
	for _, c := range cs {
		ids[c.Hash] = policy.PatchID([]byte(g.Git("show", "--format=", c.Hash)))
	}
}

// gitPatchID runs the real `git show REV | git patch-id --stable`.
func gitPatchID(t *testing.T, g *gittest.Repo, rev string) string {
	t.Helper()
	cmd := exec.Command("git", "patch-id", "--stable")
	cmd.Dir = g.Dir
	cmd.Env = g.Env()
	cmd.Stdin = strings.NewReader(g.Git("show", rev))
	out, err := cmd.Output()
	require.NoError(t, err)
	id, _, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	return id
}

// newKey returns a fresh SSH signer and its allowed_signers verifier for
// principal.
func newKey(t *testing.T, principal string) (*signature.SSHSigner, *signature.SSHVerifier) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	key, err := ssh.NewSignerFromKey(priv)
	require.NoError(t, err)
	signer, err := signature.NewSSHSigner(key, tagging.GitNamespace)
	require.NoError(t, err)
	allowed := principal + ` namespaces="git" ` + string(ssh.MarshalAuthorizedKey(key.PublicKey()))
	signers, err := signature.ParseAllowedSigners([]byte(allowed))
	require.NoError(t, err)
	return signer, signature.NewSSHVerifier(signers, tagging.GitNamespace)
}

var at = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)

// signTag creates a signed tag name on rev and returns what Verify says.
func signTag(t *testing.T, g *gittest.Repo, name, rev string, s signature.Signer, v signature.Verifier) *policy.Tag {
	t.Helper()
	repo := g.GoGit(t)
	req := tagging.Request{Name: name, Target: plumbing.NewHash(g.RevParse(rev)), Message: "Release " + name,
		Tagger: tagging.Identity{Name: "Release Bot", Email: "bot@example.com", When: g.Clock()}}
	_, err := tagging.Create(context.Background(), repo, req, s)
	require.NoError(t, err)
	return verifyTag(t, g, name, v)
}

func verifyTag(t *testing.T, g *gittest.Repo, name string, v signature.Verifier) *policy.Tag {
	t.Helper()
	res, err := tagging.Verify(context.Background(), g.GoGit(t), name, v, at)
	return &policy.Tag{Name: name, Verification: res, Err: err}
}

// eval evaluates one control and returns its result.
func eval(t *testing.T, c policy.Control, f policy.Facts) policy.Result {
	t.Helper()
	r := policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{c}}, f)
	require.Len(t, r.Results, 1)
	res := r.Results[0]
	require.NotEmpty(t, res.Reason)
	require.Equal(t, c.Meta().ID, res.Control.ID)
	return res
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// logRangeEmpty is a gathered, empty range.
func logRangeEmpty() []commits.Commit { return []commits.Commit{} }

type funcControl struct {
	id string
	fn func(ctx context.Context) policy.Result
}

func (c funcControl) Meta() policy.Meta { return policy.Meta{ID: c.id, Title: "review"} }
func (c funcControl) Evaluate(ctx context.Context, _ policy.Facts) policy.Result {
	return c.fn(ctx)
}

func testException(controls ...string) policy.Exception {
	return policy.Exception{ID: "EX-1", Owner: "o", Type: "temporary", Policy: "p", Controls: controls, Scope: "s", Risk: "r",
		Compensating: "c", Requester: "alice", Approvers: []string{"bob"}, Expires: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
		Rollback: "rb", Evidence: []string{"https://x"}}
}

package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

func TestNextJSON(t *testing.T) {
	g := history(t)
	out, errOut, code := relctl(t, "", "next", "--repo", g.Dir, "--json")
	require.Equal(t, 0, code, errOut)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "v1.0.0", res["previous"])
	assert.Equal(t, "v1.1.0", res["next"])
	assert.Equal(t, "minor", res["bump"])
	assert.Equal(t, float64(3), res["commits"])
	assert.Equal(t, true, res["releasable"])
	assert.Equal(t, g.Head(), res["commit"])

	out, _, code = relctl(t, "", "next", "--repo", g.Dir)
	require.Equal(t, 0, code)
	assert.Equal(t, "v1.1.0\n", out)

	out, _, code = relctl(t, "", "next", "--repo", g.Dir, "--channel", "rc")
	require.Equal(t, 0, code)
	assert.Equal(t, "v1.1.0-rc.1\n", out)

	out, _, code = relctl(t, "", "next", "--repo", g.Dir, "--rev", "HEAD~3", "--json")
	require.Equal(t, 0, code)
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "v1.0.0", res["previous"])
	assert.Equal(t, "v1.0.0", res["next"], "nothing releasable: next equals previous")
	assert.Equal(t, "none", res["bump"])
	assert.Equal(t, float64(0), res["commits"])
}

func TestNextDemoFlag(t *testing.T) {
	out, errOut, code := relctl(t, "", "next", "--demo", "--json")
	require.Equal(t, 0, code, errOut)
	var res nextResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "v1.2.0", res.Previous)
	assert.Equal(t, "v1.3.0", res.Next)
	assert.True(t, res.Demo)
	assert.Contains(t, errOut, "demo repository")

	out, _, code = relctl(t, "", "log", "--demo", "--since", "v1.2.0")
	require.Equal(t, 0, code)
	assert.Equal(t, 4, strings.Count(out, "\n"))
}

func TestNextNoTags(t *testing.T) {
	g := gittest.New(t)
	g.Commit("chore: start")
	out, _, code := relctl(t, "", "next", "--repo", g.Dir, "--json")
	require.Equal(t, 0, code)
	var res nextResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "", res.Previous)
	assert.Equal(t, "v0.1.0", res.Next)
}

func TestNextComponent(t *testing.T) {
	g := gittest.New(t)
	g.CommitFiles("feat(api): a", map[string]string{"api/a.go": "a"})
	g.Tag("api/v1.0.0", "HEAD")
	g.CommitFiles("fix(web): b", map[string]string{"web/b.js": "b"})
	g.CommitFiles("fix(api): c", map[string]string{"api/a.go": "c"})
	out, _, code := relctl(t, "", "next", "--repo", g.Dir, "--component", "api", "--json")
	require.Equal(t, 0, code)
	var res nextResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "api/v1.0.0", res.Previous)
	assert.Equal(t, "api/v1.0.1", res.Next)
	assert.Equal(t, 1, res.Commits)
}

func TestNextReleaseBranch(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: a")
	g.Tag("v1.4.0", "HEAD")
	g.Commit("feat: on the release branch")
	_, errOut, code := relctl(t, "", "next", "--repo", g.Dir, "--branch", "release/1.4")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, g.Head())
}

// TestNextCheckedOutBranch checks that next applies the patch-line rule of
// the release or hotfix branch checked out, as --branch does, unless
// --branch says otherwise; a detached HEAD applies none.
func TestNextCheckedOutBranch(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: a")
	g.Tag("v1.2.0", "HEAD")
	g.Commit("fix: b")
	g.Tag("v1.2.1", "HEAD")
	base := g.Head()
	g.Commit("feat: on main, after the cut")

	next := func(t *testing.T, args ...string) (nextResult, string, int) {
		t.Helper()
		out, errOut, code := relctl(t, "", append([]string{"next", "--repo", g.Dir, "--json"}, args...)...)
		var res nextResult
		if code == 0 {
			require.NoError(t, json.Unmarshal([]byte(out), &res))
		}
		return res, errOut, code
	}

	// On main: no branch rule.
	res, _, code := next(t)
	require.Equal(t, 0, code)
	assert.Equal(t, "v1.3.0", res.Next)
	assert.Empty(t, res.Branch)

	// On release/1.2, a fix gives 1.2.(n+1).
	g.Branch("release/1.2", base)
	g.Checkout("release/1.2")
	g.Commit("fix: on the release branch")
	res, errOut, code := next(t)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "v1.2.2", res.Next)
	assert.Equal(t, "patch", res.Bump)
	assert.Equal(t, "release/1.2", res.Branch)

	// A feature there is refused, exactly as --branch release/1.2 refuses it.
	g.Commit("feat: on the release branch")
	_, explicitErr, explicitCode := next(t, "--branch", "release/1.2")
	require.Equal(t, 1, explicitCode)
	_, errOut, code = next(t)
	assert.Equal(t, explicitCode, code)
	assert.Equal(t, explicitErr, errOut)
	assert.Contains(t, errOut, "takes only patch releases")

	// An explicit --branch wins; --branch "" applies no rule.
	res, _, code = next(t, "--branch", "")
	require.Equal(t, 0, code)
	assert.Equal(t, "v1.3.0", res.Next)
	assert.Empty(t, res.Branch)
	_, _, code = next(t, "--branch", "release/1.1")
	assert.Equal(t, 1, code, "line 1.1 is behind v1.2.1")

	// --rev naming a branch takes that branch's rule, whatever is checked out.
	g.Checkout("main")
	_, errOut, code = next(t, "--rev", "release/1.2")
	assert.Equal(t, explicitErr, errOut)
	assert.Equal(t, 1, code)

	// A detached HEAD is on no branch: no rule.
	g.Checkout("release/1.2^0")
	res, errOut, code = next(t)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "v1.3.0", res.Next)
	assert.Empty(t, res.Branch)

	// A hotfix branch is on the line of its version.
	g.Branch("hotfix/1.2.1-PROJ-9", base)
	g.Checkout("hotfix/1.2.1-PROJ-9")
	g.Commit("fix: urgent\n\nRefs: PROJ-9")
	res, errOut, code = next(t)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "v1.2.2", res.Next)
	assert.Equal(t, "hotfix/1.2.1-PROJ-9", res.Branch)
}

// The conventions beyond the specification are read only when asked: a
// squash commit whose override block holds a feature and whose
// additional header is a breaking change counts by its header alone
// unless --override or --additional is given.
func TestNextChangeConventions(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: first")
	g.Tag("v1.0.0", "HEAD")
	g.Commit("fix: squash of two pull requests (#7)\n\nBEGIN_COMMIT_OVERRIDE\nfeat: add export\nEND_COMMIT_OVERRIDE\n")
	g.Commit("fix: tidy parser\n\nfeat!: drop the v1 API\n")
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{nil, "v1.0.1"},
		{[]string{"--override"}, "v1.1.0"},
		{[]string{"--additional"}, "v2.0.0"},
	} {
		out, errOut, code := relctl(t, "", append([]string{"next", "--repo", g.Dir}, tc.flags...)...)
		require.Equal(t, 0, code, errOut)
		assert.Equal(t, tc.want+"\n", out, "next %v", tc.flags)
		out, errOut, code = relctl(t, "", append([]string{"changelog", "--repo", g.Dir, "--unreleased", "--format", "json"}, tc.flags...)...)
		require.Equal(t, 0, code, errOut)
		assert.Equal(t, len(tc.flags) > 0 && tc.flags[0] == "--override", strings.Contains(out, "add export"), "changelog %v:\n%s", tc.flags, out)
	}
}

// TestOutsideRepository: next, log and changelog outside a git repository
// exit 2 naming the directory; none of them falls back to the demo
// repository without --demo (a CI step in the wrong directory must not get
// a made-up version).
func TestOutsideRepository(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"next", "--repo", dir},
		{"next", "--repo", dir, "--json"},
		{"log", "--repo", dir},
		{"changelog", "--repo", dir},
		{"verify", "--tag", "v1.0.0", "--repo", dir, "--allowed-signers", writeAllowedSigners(t)},
	} {
		out, errOut, code := relctl(t, "", args...)
		assert.Equal(t, 2, code, "%v: %s", args, errOut)
		assert.Empty(t, out, "%v", args)
		assert.Contains(t, errOut, "no git repository in "+dir, "%v", args)
		assert.NotContains(t, errOut, "running on a demo repository", "%v", args)
	}
	_, errOut, code := relctl(t, "", "next", "--demo", "--repo", dir)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--demo and --repo exclude each other")
	_, errOut, code = relctl(t, "", "changelog", "--demo", "--write", "CHANGELOG.md")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--demo cannot be combined with --write")
	out, errOut, code := relctl(t, "", "changelog", "--demo", "--format", "json")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"previous": "v1.2.0"`)
}

// writeAllowedSigners writes an allowed_signers file (its key is never
// used) and returns its path.
func writeAllowedSigners(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "allowed_signers")
	require.NoError(t, os.WriteFile(p, []byte("bot@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAa3kXRr5DXSUS8r2ZHZCQz5hZqDTb5VfMbM1wGvfcZJ\n"), 0o644))
	return p
}

// TestNextNonConventional: the non-conventional commits of the range are
// listed on stderr, one line each (short hash and sanitised subject), in
// both output modes; --strict makes them exit 1.
func TestNextNonConventional(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: first")
	g.AnnotatedTag("v1.0.0", "HEAD", "Release v1.0.0")
	bad := g.Commit("Fix the crash\x1b[31m on empty input")
	for _, args := range [][]string{{"next", "--repo", g.Dir}, {"next", "--repo", g.Dir, "--json"}} {
		out, errOut, code := relctl(t, "", args...)
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, out, "v1.0.0", "%v: nothing releasable", args)
		assert.Contains(t, errOut, "1 commit(s) of the range are not Conventional Commits")
		assert.Contains(t, errOut, "\n  "+bad[:7]+" Fix the crash\\x1b[31m on empty input\n", "%v", args)
		assert.NotContains(t, errOut, "\x1b", "%v: the subject is sanitised", args)
	}
	out, errOut, code := relctl(t, "", "next", "--repo", g.Dir, "--json", "--strict")
	assert.Equal(t, 1, code, errOut)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "--strict: 1 commit(s) of the range are not Conventional Commits")
	var nce *nonConventionalError
	err := run(t.Context(), []string{"next", "--repo", g.Dir, "--strict"}, strings.NewReader(""), io.Discard, io.Discard)
	require.ErrorAs(t, err, &nce)
	assert.Equal(t, []string{bad}, nce.Commits)

}

// TestNextBumpIsApplied: bump is the increment applied to the version and
// level the highest change level: at 0.x a breaking change bumps the
// minor (bump "minor", level "major").
func TestNextBumpIsApplied(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: first")
	g.AnnotatedTag("v0.3.0", "HEAD", "Release v0.3.0")
	g.Commit("feat!: drop the old API")
	out, errOut, code := relctl(t, "", "next", "--repo", g.Dir, "--json")
	require.Equal(t, 0, code, errOut)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "v0.4.0", res["next"])
	assert.Equal(t, "minor", res["bump"])
	assert.Equal(t, "major", res["level"])

	out, errOut, code = relctl(t, "", "next", "--repo", g.Dir, "--json", "--major-at-zero")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "v1.0.0", res["next"])
	assert.Equal(t, "major", res["bump"])
	assert.Equal(t, "major", res["level"])

	// Every field name of the contract is still there.
	for _, k := range []string{"previous", "next", "bump", "level", "commits", "version", "base", "releasable", "commit"} {
		assert.Contains(t, res, k)
	}
}

// TestNextReadsComponents: next takes the tag prefix, path and initial
// version of the release configuration's components; flags override them.
func TestNextReadsComponents(t *testing.T) {
	g := gittest.New(t)
	require.NoError(t, os.WriteFile(filepath.Join(g.Dir, ".releasekit.yaml"), []byte(`version: 1
components:
  - name: api
    path: services/api
    tag_prefix: api-v
    initial_version: 0.3.0
  - name: web
    path: web
`), 0o644))
	g.Tag("api-v1.0.0", g.Commit("feat: first\n"))
	g.CommitFiles("feat(api): more\n", map[string]string{"services/api/x.go": "package api\n"})
	g.CommitFiles("fix(web): a fix\n", map[string]string{"web/index.html": "<p>\n"})
	next := func(args ...string) string {
		t.Helper()
		out, errOut, code := relctl(t, "", append([]string{"next", "--repo", g.Dir}, args...)...)
		require.Equal(t, 0, code, errOut)
		return strings.TrimSpace(out)
	}
	assert.Equal(t, "api-v1.1.0", next("--component", "api"))
	assert.Equal(t, "web/v0.1.0", next("--component", "web"), "the default prefix of a component is NAME/v")
	assert.Equal(t, "api-v1.1.0", next("--component", "api", "--path", "services"))
	_, errOut, code := relctl(t, "", "next", "--repo", g.Dir, "--component", "db")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "no such component")
}

// TestNextCalVer: a component with scheme calver gets calendar versions
// from the month of the released commit, and a hotfix branch a hotfix that
// never takes the next train release's tag (§1.12.3.2, §1.12.5).
func TestNextCalVer(t *testing.T) {
	g := gittest.New(t) // commits are dated January 2026
	require.NoError(t, os.WriteFile(filepath.Join(g.Dir, ".releasekit.yaml"), []byte("version: 1\ncomponents:\n  - name: app\n    path: .\n    scheme: calver\n"), 0o644))
	next := func(args ...string) map[string]any {
		t.Helper()
		out, errOut, code := relctl(t, "", append([]string{"next", "--repo", g.Dir, "--json"}, args...)...)
		require.Equal(t, 0, code, errOut)
		var res map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &res))
		return res
	}
	first := g.Commit("feat: first\n")
	res := next()
	assert.Equal(t, "v2026.01.0", res["next"], "the first release of the month")
	assert.Equal(t, "month", res["bump"])
	assert.Equal(t, "calver", res["scheme"])
	assert.Equal(t, true, res["releasable"])
	for _, k := range []string{"previous", "next", "bump", "level", "commits", "version", "base", "releasable", "commit"} {
		assert.Contains(t, res, k, "the JSON contract keeps its fields")
	}
	g.AnnotatedTag("v2026.01.0", first, "v2026.01.0")

	res = next()
	assert.Equal(t, false, res["releasable"], "nothing since the tag")
	assert.Equal(t, "v2026.01.0", res["next"])

	g.Commit("fix: train fix\n")
	train := next()
	assert.Equal(t, "v2026.01.1", train["next"])
	assert.Equal(t, "micro", train["bump"])
	assert.Equal(t, "v2026.01.0", train["previous"])

	// A hotfix of v2026.01.0 in the same month.
	g.Branch("hotfix/2026.01.0-INC-1", "v2026.01.0")
	g.Checkout("hotfix/2026.01.0-INC-1")
	h := g.Commit("fix: urgent\n")
	hot := next()
	assert.Equal(t, "v2026.01.0.1", hot["next"])
	assert.Equal(t, "hotfix", hot["bump"])
	assert.Equal(t, "hotfix/2026.01.0-INC-1", hot["branch"])
	assert.NotEqual(t, train["next"], hot["next"], "the hotfix and the next train release never collide")
	g.AnnotatedTag("v2026.01.0.1", h, "v2026.01.0.1")
	g.Commit("fix: again\n")
	assert.Equal(t, "v2026.01.0.2", next()["next"])

	// Back on main: the train's next release is still v2026.01.1.
	g.Checkout("main")
	assert.Equal(t, "v2026.01.1", next()["next"])
	assert.Equal(t, "v2026.01.1", next("--branch", "")["next"])

	_, errOut, code := relctl(t, "", "next", "--repo", g.Dir, "--channel", "rc")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "CalVer")
}

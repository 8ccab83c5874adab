package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

// relctl runs the command in-process and returns stdout, stderr and the
// exit code main would use.
func relctl(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(t.Context(), args, strings.NewReader(stdin), &out, &errOut)
	code := exitCode(err, &errOut)
	return out.String(), errOut.String(), code
}

func history(t *testing.T) *gittest.Repo {
	g := gittest.New(t)
	g.Commit("feat: first\n\nRefs: PROJ-1")
	g.AnnotatedTag("v1.0.0", "HEAD", "Release v1.0.0")
	g.Commit("fix(api): second (#12)")
	g.Commit("docs: words")
	g.Commit("feat(cli): third\n\nRefs: PROJ-3")
	return g
}

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

// TestLogVerifyRouting: `relctl log verify` reaches the audit-log verifier,
// while `relctl log` stays the commit log.
func TestLogVerifyRouting(t *testing.T) {
	out, errOut, code := relctl(t, "", "log", "verify", "--store", t.TempDir(), "--json")
	require.Equal(t, 0, code, errOut)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, true, res["valid"])
	assert.Equal(t, float64(0), res["entries"])
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

func TestUsageErrors(t *testing.T) {
	g := history(t)
	for _, args := range [][]string{
		{},
		{"nope"},
		{"next", "--repo", g.Dir, "--channel", "gamma"},
		{"next", "--repo", g.Dir, "--rev", "no-such-rev"},
		{"next", "--repo", g.Dir, "--bogus"},
		{"next", "--repo", g.Dir, "--initial", "1.0"},
		{"next", "--repo", g.Dir, "--branch", "main"},
		{"next", "--repo", filepath.Join(g.Dir, "missing")},
		{"log", "--repo", g.Dir, "--since", "v9"},
		{"parse", "extra"},
	} {
		_, errOut, code := relctl(t, "", args...)
		assert.Equal(t, 2, code, "%v: %s", args, errOut)
		assert.NotEmpty(t, errOut, "%v", args)
	}
	_, _, code := relctl(t, "", "next", "--help")
	assert.Equal(t, 0, code)
	out, _, code := relctl(t, "", "--version")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "relctl")
}

func TestParseJSON(t *testing.T) {
	msg := "feat(api)!: drop v1 (#42)\r\n\r\nBody.\r\n\r\nBREAKING CHANGE: v1 is gone\r\nRefs: PROJ-12\r\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)\r\n"
	out, errOut, code := relctl(t, msg, "parse", "--json")
	require.Equal(t, 0, code, errOut)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	for _, k := range []string{"conventional", "type", "scope", "breaking", "description", "body", "footers", "tickets", "pr", "cherry_picked_from", "reverts", "merge"} {
		assert.Contains(t, res, k)
	}
	assert.Equal(t, true, res["conventional"])
	assert.Equal(t, "feat", res["type"])
	assert.Equal(t, "api", res["scope"])
	assert.Equal(t, true, res["breaking"])
	assert.Equal(t, float64(42), res["pr"])
	assert.Equal(t, false, res["merge"])
	assert.Nil(t, res["reverts"])
	assert.Equal(t, []any{map[string]any{"key": "BREAKING CHANGE", "value": "v1 is gone"}, map[string]any{"key": "Refs", "value": "PROJ-12"}}, res["footers"])
	assert.Equal(t, []any{"PROJ-12"}, res["tickets"])
	assert.Equal(t, []any{"0123456789abcdef0123456789abcdef01234567"}, res["cherry_picked_from"])
	assert.NotContains(t, out, `\r`)

	out, _, code = relctl(t, "Merge pull request #7 from user/branch\n\nfeat: x", "parse", "--json")
	require.Equal(t, 0, code)
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, true, res["merge"])
	assert.Equal(t, float64(7), res["pr"])

	out, _, code = relctl(t, "Revert \"feat: x\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.\n", "parse", "--json")
	require.Equal(t, 0, code)
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, map[string]any{"header": "feat: x", "hash": "0123456789abcdef0123456789abcdef01234567"}, res["reverts"])
	assert.Nil(t, res["pr"])

	out, _, code = relctl(t, "just words", "parse", "--json")
	require.Equal(t, 0, code, "a non-conventional message is reported, not refused")
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, false, res["conventional"])
	assert.NotEmpty(t, res["error"])
	_, _, code = relctl(t, "just words", "parse", "--strict")
	assert.Equal(t, 1, code)

	_, _, code = relctl(t, "feat: \xff\xfe", "parse", "--json")
	assert.Equal(t, 2, code, "invalid UTF-8 is bad input")
}

func TestLogJSONLines(t *testing.T) {
	g := history(t)
	g.Branch("side", "HEAD~1")
	g.Checkout("side")
	g.Commit("fix: on a side branch")
	g.Checkout("main")
	g.Merge("side", "Merge branch 'side'")
	out, errOut, code := relctl(t, "", "log", "--repo", g.Dir, "--since", "v1.0.0")
	require.Equal(t, 0, code, errOut)
	var hashes []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var line map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &line))
		hashes = append(hashes, line["hash"].(string))
		assert.Contains(t, line, "conventional")
		assert.Contains(t, line, "author")
	}
	assert.Equal(t, g.RevList("v1.0.0..HEAD"), hashes)

	out, _, code = relctl(t, "", "log", "--repo", g.Dir, "--since", "v1.0.0", "--first-parent")
	require.Equal(t, 0, code)
	assert.Equal(t, len(g.RevList("--first-parent", "v1.0.0..HEAD")), strings.Count(out, "\n"))
}

// TestBinaryDemo builds relctl and runs it where there is no repository:
// next and log then work on the demo repository, as the README shows.
func TestBinaryDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "relctl")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())
	dir := t.TempDir()
	cmd := exec.Command(bin, "next", "--json")
	cmd.Dir = dir
	cmd.Env = append(withoutCI(os.Environ()), "GIT_CEILING_DIRECTORIES="+filepath.Dir(dir))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var res nextResult
	require.NoError(t, json.Unmarshal(out, &res))
	assert.Equal(t, "v1.2.0", res.Previous)
	assert.Equal(t, "v1.3.0", res.Next)
	assert.Equal(t, "minor", res.Bump)
	assert.True(t, res.Demo)
	assert.Contains(t, stderr.String(), "demo repository")

	cmd = exec.Command(bin, "next", "--channel", "delta")
	cmd.Dir = dir
	cmd.Env = withoutCI(os.Environ())
	err = cmd.Run()
	var ee *exec.ExitError
	require.True(t, errors.As(err, &ee))
	assert.Equal(t, 2, ee.ExitCode())
}

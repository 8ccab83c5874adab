package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

// changelogCmd runs `relctl changelog` in-process: stdout, stderr and the
// exit code main would use.
func changelogCmd(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := cmdChangelog(t.Context(), args, &out, &errOut)
	return out.String(), errOut.String(), exitCode(err, &errOut)
}

func changelogHistory(t *testing.T) *gittest.Repo {
	g := gittest.New(t)
	g.Git("remote", "add", "origin", "git@github.com:acme/app.git")
	g.Commit("feat: first\n\nRefs: PROJ-1\n")
	g.AnnotatedTag("v1.0.0", "HEAD", "Release v1.0.0")
	g.Commit("fix(api): second (#12)\n")
	g.Commit("feat(cli)!: third\n\nBREAKING CHANGE: flags renamed\n")
	g.AnnotatedTag("v2.0.0", "HEAD", "Release v2.0.0")
	g.Commit("feat: <script>alert(1)</script> unreleased\n")
	return g
}

func TestChangelogJSON(t *testing.T) {
	g := changelogHistory(t)
	out, errOut, code := changelogCmd(t, "--repo", g.Dir, "--rev", "v2.0.0", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "v2.0.0", res["version"])
	assert.Equal(t, "v1.0.0", res["previous"])
	assert.Equal(t, "2026-01-05", res["date"], "the commit date of --rev")
	assert.Equal(t, []any{"flags renamed"}, res["breaking"])
	sections := res["sections"].([]any)
	require.Len(t, sections, 2)
	entry := sections[0].(map[string]any)["entries"].([]any)[0].(map[string]any)
	for _, k := range []string{"hash", "scope", "description", "breaking", "pr", "tickets", "backport_of"} {
		assert.Contains(t, entry, k)
	}

	out, _, code = changelogCmd(t, "--repo", g.Dir, "--all", "--unreleased", "--format", "json")
	require.Equal(t, 0, code)
	var list []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &list))
	require.Len(t, list, 3)
	assert.Equal(t, "", list[0]["version"])
	assert.Equal(t, "v2.0.0", list[1]["version"])
	assert.Equal(t, "v1.0.0", list[2]["version"])
}

func TestChangelogMarkdown(t *testing.T) {
	g := changelogHistory(t)
	out, errOut, code := changelogCmd(t, "--repo", g.Dir, "--since", "v1.0.0", "--rev", "v2.0.0", "--version", "v2.0.0", "--date", "2026-02-01")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "## [v2.0.0](https://github.com/acme/app/compare/v1.0.0...v2.0.0) (2026-02-01)\n"), out)
	assert.Contains(t, out, "[#12](https://github.com/acme/app/pull/12)")

	out, _, code = changelogCmd(t, "--repo", g.Dir, "--format", "keepachangelog")
	require.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(out, "## [Unreleased]\n"), out)
	assert.Contains(t, out, "&lt;script&gt;")
	assert.NotContains(t, out, "<script>")

	out, _, code = changelogCmd(t, "--repo", g.Dir, "--all")
	require.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(out, "# Changelog\n\n## [v2.0.0]"), out)
	assert.Contains(t, out, "\n## v1.0.0 (2026-01-05)\n")
}

func TestChangelogSkipped(t *testing.T) {
	g := changelogHistory(t)
	h := g.Commit("update readme\n")
	out, errOut, code := changelogCmd(t, "--repo", g.Dir)
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, out, "readme")
	assert.Contains(t, errOut, "1 commit(s) are not Conventional Commits")
	assert.Contains(t, errOut, h[:7])
}

func TestChangelogTemplate(t *testing.T) {
	g := changelogHistory(t)
	tmpl := filepath.Join(t.TempDir(), "t.tmpl")
	require.NoError(t, os.WriteFile(tmpl, []byte("{{.Version}}:{{range .Sections}}{{range .Entries}} {{md .Description}}{{end}}{{end}}\n"), 0o644))
	out, errOut, code := changelogCmd(t, "--repo", g.Dir, "--rev", "v2.0.0", "--template", tmpl)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "v2.0.0: third second\n", out)
}

func TestChangelogWrite(t *testing.T) {
	g := changelogHistory(t)
	path := filepath.Join(g.Dir, "CHANGELOG.md")
	hand := "# Changelog\r\n\r\nHand-written.\r\n\r\n## [Unreleased]\r\n\r\n- soon\r\n\r\n## [0.9.0] - 2025-01-01\r\n\r\n- old\r\n"
	require.NoError(t, os.WriteFile(path, []byte(hand), 0o644))
	_, errOut, code := changelogCmd(t, "--repo", g.Dir, "--rev", "v2.0.0", "--write", "CHANGELOG.md")
	require.Equal(t, 0, code, errOut)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	s := string(got)
	assert.True(t, strings.HasPrefix(s, "# Changelog\r\n\r\nHand-written.\r\n\r\n## [v2.0.0]"), s)
	assert.True(t, strings.HasSuffix(s, "\r\n\r\n## [0.9.0] - 2025-01-01\r\n\r\n- old\r\n"), s)
	assert.NotContains(t, s, "Unreleased")

	// The same section again (a re-run CI job): a successful no-op.
	_, errOut, code = changelogCmd(t, "--repo", g.Dir, "--rev", "v2.0.0", "--write", "CHANGELOG.md")
	assert.Equal(t, 0, code, "already documented alike: %s", errOut)
	assert.Contains(t, errOut, "CHANGELOG.md already documents v2.0.0 with the same content: unchanged")
	again, _ := os.ReadFile(path)
	assert.Equal(t, s, string(again))

	// A different section for a documented version is still refused.
	edited := strings.Replace(s, "third", "third, edited by hand", 1)
	require.NotEqual(t, s, edited)
	require.NoError(t, os.WriteFile(path, []byte(edited), 0o644))
	_, errOut, code = changelogCmd(t, "--repo", g.Dir, "--rev", "v2.0.0", "--write", "CHANGELOG.md")
	assert.Equal(t, 1, code, "already documented, differently")
	again, _ = os.ReadFile(path)
	assert.Equal(t, edited, string(again))
	require.NoError(t, os.WriteFile(path, []byte(s), 0o644))

	// --all adds only what is missing.
	_, errOut, code = changelogCmd(t, "--repo", g.Dir, "--all", "--unreleased", "--write", "CHANGELOG.md")
	require.Equal(t, 0, code, errOut)
	all, _ := os.ReadFile(path)
	assert.Equal(t, 1, strings.Count(string(all), "## [v2.0.0]"))
	assert.Equal(t, 1, strings.Count(string(all), "## v1.0.0"))
	assert.Equal(t, 1, strings.Count(string(all), "## Unreleased"))
	order := []int{strings.Index(string(all), "## Unreleased"), strings.Index(string(all), "## [v2.0.0]"), strings.Index(string(all), "## v1.0.0"), strings.Index(string(all), "## [0.9.0]")}
	assert.IsIncreasing(t, order, "newest first, older releases below the documented one:\n%s", all)
}

func TestChangelogComponent(t *testing.T) {
	g := gittest.New(t)
	g.CommitFiles("feat(api): a\n", map[string]string{"api/a.go": "a"})
	g.Tag("api/v1.0.0", "HEAD")
	g.CommitFiles("fix(web): b\n", map[string]string{"web/b.js": "b"})
	g.CommitFiles("fix(api): c\n", map[string]string{"api/a.go": "c"})
	out, errOut, code := changelogCmd(t, "--repo", g.Dir, "--component", "api", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "api/v1.0.0", res["previous"])
	assert.NotContains(t, out, "\"b\"")
	assert.Contains(t, out, "\"c\"")
}

func TestChangelogUsage(t *testing.T) {
	g := changelogHistory(t)
	for _, args := range [][]string{
		{"--repo", g.Dir, "--format", "html"},
		{"--repo", g.Dir, "--date", "05/01/2026"},
		{"--repo", g.Dir, "--all", "--since", "v1.0.0"},
		{"--repo", g.Dir, "--rev", "nope"},
		{"--repo", g.Dir, "--since", "nope"},
		{"--repo", g.Dir, "--template", filepath.Join(g.Dir, "missing.tmpl")},
		{"--repo", g.Dir, "--format", "json", "--write", "CHANGELOG.md"},
		{"--repo", g.Dir, "--write", "../outside.md"},
		{"--repo", g.Dir, "extra"},
		{"--bogus"},
	} {
		_, errOut, code := changelogCmd(t, args...)
		assert.Equal(t, 2, code, "%v: %s", args, errOut)
	}
	_, _, code := changelogCmd(t, "--help")
	assert.Equal(t, 0, code)
}

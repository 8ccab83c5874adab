package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

// shopRepo is a Magento-like repository (seed 000) with its release
// configuration: composer.json and package.json carry the version.
func shopRepo(t *testing.T) *gittest.Repo {
	g := gittest.New(t)
	g.CommitFiles("feat: first ABC-1", map[string]string{
		".releasekit.yaml": "version: 1\nforge: {kind: gitea, url: \"http://127.0.0.1:1\", repository: shop/app}\ncomponents:\n  - name: app\n    version_files: [composer.json, package.json]\n    changelog_file: CHANGELOG.md\n",
		"composer.json":    "{\n    \"name\": \"shop/app\",\n    \"version\": \"1.2.0\"\n}\n",
		"package.json":     "{\"name\": \"theme\", \"version\": \"1.2.0\"}\n",
		"CHANGELOG.md":     "# Changelog\n\n## v1.2.0\n",
	})
	g.AnnotatedTag("v1.2.0", "HEAD", "Release v1.2.0")
	g.CommitFiles("feat(checkout): pay by invoice (#12)", map[string]string{"checkout.php": "<?php\n"})
	return g
}

func TestReleasePRDryRun(t *testing.T) {
	g := shopRepo(t)
	out, errOut, code := relctl(t, "", "release-pr", "--repo", g.Dir, "--dry-run", "--json")
	require.Equal(t, 0, code, errOut)
	var res releasePRResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "open", string(res.State))
	assert.Equal(t, "chore(release): v1.3.0", res.Title)
	assert.Equal(t, "releasekit/release/main", res.Branch)
	assert.Equal(t, []string{"composer.json", "package.json", "CHANGELOG.md"}, res.Files)
	assert.True(t, res.DryRun)
	assert.Empty(t, g.Git("branch", "--list", "releasekit/*"), "a dry run makes no branch")

	out, errOut, code = relctl(t, "", "release-pr", "--repo", g.Dir, "--dry-run")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "chore(release): v1.3.0\nbranch releasekit/release/main\nfiles: composer.json, package.json, CHANGELOG.md")
	assert.Contains(t, out, "<!-- releasekit:plan")
}

func TestReleaseCommandsRefuse(t *testing.T) {
	g := shopRepo(t)
	t.Setenv("RELEASEKIT_GITEA_TOKEN", "")
	t.Setenv("GITEA_TOKEN", "")
	for name, args := range map[string][]string{
		"unsigned release-pr":   {"release-pr", "--repo", g.Dir},
		"unknown component":     {"release-pr", "--repo", g.Dir, "--dry-run", "--component", "api"},
		"release without store": {"release", "--repo", g.Dir, "--sign", "ssh", "--key", filepath.Join(g.Dir, "nokey")},
		"pr facts without pr":   {"pr", "facts", "--repo", g.Dir},
		"status bad sha":        {"status", "commit", "--repo", g.Dir, "--sha", "abc", "--state", "success"},
		"status bad state":      {"status", "deployment", "--repo", g.Dir, "--ref", "v1", "--env", "prod", "--state", "done"},
		"no token":              {"pr", "facts", "--repo", g.Dir, "--pr", "3"},
		"unknown forge":         {"pr", "facts", "--repo", g.Dir, "--pr", "3", "--forge", "bitbucket"},
	} {
		_, errOut, code := relctl(t, "", args...)
		assert.Equal(t, 2, code, "%s: %s", name, errOut)
	}
	// No forge anywhere: a usage error, never a guess.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".releasekit.yaml"), []byte("version: 1\n"), 0o644))
	for _, k := range []string{"GITHUB_ACTIONS", "GITLAB_CI", "GITEA_ACTIONS"} {
		t.Setenv(k, "")
	}
	_, errOut, code := relctl(t, "", "pr", "facts", "--repo", dir, "--pr", "3")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "no forge")
}

func TestForgeFromCI(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	f := forgeFromCI(env(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_API_URL": "https://api.github.com", "GITHUB_REPOSITORY": "o/r"}))
	assert.Equal(t, "github", f.Kind)
	assert.Equal(t, "o/r", f.Repository)
	f = forgeFromCI(env(map[string]string{"GITLAB_CI": "true", "CI_API_V4_URL": "https://gitlab.example.com/api/v4", "CI_PROJECT_PATH": "g/s/p"}))
	assert.Equal(t, "https://gitlab.example.com", f.URL)
	f = forgeFromCI(env(map[string]string{"GITEA_ACTIONS": "true", "GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://gitea.example.com", "GITHUB_REPOSITORY": "o/r"}))
	assert.Equal(t, "gitea", f.Kind, "Gitea Actions also sets GITHUB_ACTIONS")
	assert.Empty(t, forgeFromCI(env(nil)).Kind)
}

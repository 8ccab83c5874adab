package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/giteatest"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/internal/testkit/keytest"
)

// relctl release-pr and relctl release against a real Gitea: the release
// PR opened with a signed commit, merged by a reviewer, released once (a
// signed tag git verify-tag accepts, the forge release with the notes),
// never twice, and a run that died after pushing the tag finished by the
// next. relctl pr facts reads the merged PR from the forge.
func TestReleaseOnGitea(t *testing.T) {
	s := giteatest.Start(t)
	t.Setenv("RELEASEKIT_GITEA_TOKEN", s.Bot.Token)
	for _, k := range []string{"GITHUB_ACTIONS", "GITLAB_CI", "GITEA_ACTIONS"} {
		t.Setenv(k, "")
	}
	cfg := fmt.Sprintf("version: 1\nforge: {kind: gitea, url: %q, repository: shop/magento}\ncomponents:\n  - name: app\n    version_files: [composer.json]\n    changelog_file: CHANGELOG.md\n", s.URL)

	dev := gittest.New(t)
	dev.CommitFiles("feat: the shop ABC-0", map[string]string{
		".releasekit.yaml": cfg,
		"composer.json":    "{\n    \"name\": \"shop/magento\",\n    \"version\": \"1.2.0\"\n}\n",
		"CHANGELOG.md":     "# Changelog\n\n## v1.2.0\n\n- the shop\n",
	})
	dev.AnnotatedTag("v1.2.0", "HEAD", "Release v1.2.0")
	dev.CommitFiles("feat(checkout): pay by invoice ABC-1", map[string]string{"app/invoice.php": "<?php\n"})
	dev.Git("push", s.CloneURL(s.Developer), "main", "v1.2.0")
	s.WaitBranch(t, "main", dev.RevParse("main"))

	bot := gittest.New(t)
	bot.Git("config", "user.name", "Release Bot")
	bot.Git("config", "user.email", "release-bot@shop.example")
	bot.Git("remote", "add", "origin", s.CloneURL(s.Bot))
	sync := func() {
		bot.Git("fetch", "--tags", "--force", "origin", "+refs/heads/main:refs/remotes/origin/main")
		bot.Git("checkout", "-q", "-f", "-B", "main", "origin/main")
	}
	sync()
	key := keytest.SSHKey(t, "ed25519")
	pub, err := os.ReadFile(key + ".pub")
	require.NoError(t, err)
	allowed := filepath.Join(t.TempDir(), "allowed_signers")
	require.NoError(t, os.WriteFile(allowed, []byte("release-bot@shop.example namespaces=\"git\" "+string(pub)), 0o644))
	sign := []string{"--repo", bot.Dir, "--sign", "ssh", "--key", key}

	// The bot opens the release PR.
	out, errOut, code := relctl(t, "", append([]string{"release-pr", "--json"}, sign...)...)
	require.Equal(t, 0, code, errOut)
	var opened releasePRResult
	require.NoError(t, json.Unmarshal([]byte(out), &opened))
	require.NotNil(t, opened.PR)
	assert.Equal(t, "chore(release): v1.3.0", opened.PR.Title)
	assert.Equal(t, []string{"autorelease: pending"}, opened.PR.Labels)
	// Its commit is signed: git verifies it as pushed.
	bot.Git("fetch", "origin", "+refs/heads/releasekit/release/main:refs/remotes/origin/rel")
	vout, err := runIn(t, bot, nil, "git", "-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile="+allowed, "verify-commit", "origin/rel")
	require.NoError(t, err, vout)
	// A second run updates the same PR.
	out, errOut, code = relctl(t, "", append([]string{"release-pr", "--json"}, sign...)...)
	require.Equal(t, 0, code, errOut)
	var again releasePRResult
	require.NoError(t, json.Unmarshal([]byte(out), &again))
	assert.Equal(t, opened.PR.Number, again.PR.Number)

	// A reviewer squash-merges it with the title kept.
	n := opened.PR.Number
	s.WaitPull(t, n, again.Commit)
	s.Merge(t, s.Reviewer, n, map[string]any{
		"Do": "squash", "MergeTitleField": opened.PR.Title + " (#" + strconv.Itoa(n) + ")", "MergeMessageField": ""})
	s.Eventually(t, "the merge on main", func() bool {
		sync()
		return strings.HasPrefix(bot.Git("log", "-1", "--format=%s", "main"), "chore(release): v1.3.0")
	})

	// The bot's run after the merge is missed; the next one releases once.
	for i := range 3 {
		sync()
		out, errOut, code = relctl(t, "", append([]string{"release", "--no-record", "--json"}, sign...)...)
		require.Equal(t, 0, code, errOut)
		var res releaseResult
		require.NoError(t, json.Unmarshal([]byte(out), &res))
		if i == 0 {
			require.Len(t, res.Releases, 1)
			assert.Equal(t, "v1.3.0", res.Releases[0].Tag)
			assert.True(t, res.Releases[0].TagCreated)
			assert.Equal(t, n, res.Releases[0].PR)
		} else {
			assert.Empty(t, res.Releases, "run %d releases nothing", i+1)
		}
	}
	var releases []struct {
		TagName    string `json:"tag_name"`
		Body       string `json:"body"`
		Prerelease bool   `json:"prerelease"`
		ID         int64  `json:"id"`
	}
	s.API(t, s.Admin, "GET", "/repos/shop/magento/releases", nil, &releases)
	require.Len(t, releases, 1, "released once")
	assert.Equal(t, "v1.3.0", releases[0].TagName)
	assert.Contains(t, releases[0].Body, "pay by invoice")
	// The tag on the server is the signed one.
	sync()
	vout, err = runIn(t, bot, nil, "git", "-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile="+allowed, "verify-tag", "v1.3.0")
	require.NoError(t, err, vout)
	var labels []struct{ Name string }
	s.API(t, s.Admin, "GET", fmt.Sprintf("/repos/shop/magento/issues/%d/labels", n), nil, &labels)
	require.Len(t, labels, 1)
	assert.Equal(t, "autorelease: tagged", labels[0].Name)

	// A run that died after pushing the tag: the forge release is missing.
	// The next run publishes it (and only it).
	s.API(t, s.Admin, "DELETE", fmt.Sprintf("/repos/shop/magento/releases/%d", releases[0].ID), nil, nil)
	out, errOut, code = relctl(t, "", append([]string{"release", "--no-record"}, sign...)...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "v1.3.0 finished (the tag existed)")
	s.API(t, s.Admin, "GET", "/repos/shop/magento/releases", nil, &releases)
	require.Len(t, releases, 1)
	assert.Contains(t, releases[0].Body, "pay by invoice", "the finished release has the notes of the first")

	// A tag at a release commit that is not signed by the bot (no
	// trust.tags here) is never published: a lightweight v1.4.0 at the
	// next merged release commit stops the run, nothing pushed.
	dev.Git("fetch", s.CloneURL(s.Developer), "main")
	dev.Git("reset", "-q", "--hard", "FETCH_HEAD")
	dev.CommitFiles("feat(checkout): gift cards ABC-2", map[string]string{"app/gift.php": "<?php\n"})
	relCommit := dev.CommitFiles("chore(release): v1.4.0 (#99)", map[string]string{
		"composer.json": "{\n    \"name\": \"shop/magento\",\n    \"version\": \"1.4.0\"\n}\n",
		"CHANGELOG.md":  "# Changelog\n\n## v1.4.0\n\n- gift cards\n\n## v1.3.0\n\n## v1.2.0\n\n- the shop\n",
	})
	dev.Git("push", s.CloneURL(s.Developer), "main")
	s.WaitBranch(t, "main", relCommit)
	sync()
	bot.Tag("v1.4.0", relCommit)
	_, errOut, code = relctl(t, "", append([]string{"release", "--no-record"}, sign...)...)
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, errOut, "release tag v1.4.0 at "+relCommit+": lightweight tag")
	s.API(t, s.Admin, "GET", "/repos/shop/magento/releases", nil, &releases)
	assert.Len(t, releases, 1, "nothing published")
	var tags []struct{ Name string }
	s.API(t, s.Admin, "GET", "/repos/shop/magento/tags", nil, &tags)
	assert.Len(t, tags, 2, "v1.2.0 and v1.3.0 only: nothing pushed")

	// The PR's facts, from the forge, in policy's form.
	out, errOut, code = relctl(t, "", "pr", "facts", "--repo", bot.Dir, "--pr", strconv.Itoa(n))
	require.Equal(t, 0, code, errOut)
	var facts map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &facts))
	assert.Equal(t, "releasekit/release/main", facts["head"])
	assert.Equal(t, "release-bot", facts["author"])

	// The same facts found from the merge commit, as a pipeline on main
	// finds them; a commit that only claims the PR in its subject is
	// refused.
	var merged struct {
		MergeSHA string `json:"merge_commit_sha"`
	}
	s.API(t, s.Admin, "GET", fmt.Sprintf("/repos/shop/magento/pulls/%d", n), nil, &merged)
	byCommit, errOut, code := relctl(t, "", "pr", "facts", "--repo", bot.Dir, "--commit", merged.MergeSHA)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, out, byCommit)
	claim := bot.CommitFiles(fmt.Sprintf("chore: not the release (#%d)", n), map[string]string{"claim.txt": "x\n"})
	_, errOut, code = relctl(t, "", "pr", "facts", "--repo", bot.Dir, "--commit", claim)
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, errOut, fmt.Sprintf("commit %s names pull request #%d, which the forge reports merged with merge commit %q, not this commit", claim, n, merged.MergeSHA))
}

// runIn runs a binary in g's isolated environment plus extra.
func runIn(t *testing.T, g *gittest.Repo, extra []string, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = g.Dir
	cmd.Env = append(g.Env(), extra...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/forge"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/internal/testkit/keytest"
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
		"pr and commit":         {"pr", "facts", "--repo", g.Dir, "--pr", "3", "--commit", g.RevParse("HEAD")},
		"short commit":          {"pr", "facts", "--repo", g.Dir, "--commit", g.RevParse("HEAD")[:12]},
		"status bad sha":        {"status", "commit", "--repo", g.Dir, "--sha", "abc", "--state", "success"},
		"status bad state":      {"status", "deployment", "--repo", g.Dir, "--ref", "v1", "--env", "prod", "--state", "done"},
		"no token":              {"pr", "facts", "--repo", g.Dir, "--pr", "3"},
		"unknown forge":         {"pr", "facts", "--repo", g.Dir, "--pr", "3", "--forge", "bitbucket"},
	} {
		_, errOut, code := relctl(t, "", args...)
		assert.Equal(t, 2, code, "%s: %s", name, errOut)
	}
	// --commit finds the pull request by the subject's "(#N)": a commit
	// without one, or not in the repository, is a usage error before
	// the forge is asked.
	t.Setenv("RELEASEKIT_GITEA_TOKEN", "tok")
	plain := g.CommitFiles("fix: no pull request named", map[string]string{"x.txt": "x\n"})
	for commit, want := range map[string]string{plain: "its message names no pull or merge request", strings.Repeat("ab", 20): "not a commit of the repository"} {
		_, errOut, code := relctl(t, "", "pr", "facts", "--repo", g.Dir, "--commit", commit, "--forge", "gitea", "--forge-url", "https://gitea.example.com", "--forge-repo", "o/r")
		assert.Equal(t, 2, code, errOut)
		assert.Contains(t, errOut, want)
	}
	t.Setenv("RELEASEKIT_GITEA_TOKEN", "")
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

// releaseForge is a forge.Forge that records what relctl release
// publishes: releases, labels and comments. pr answers PullRequest.
type releaseForge struct {
	pr       func(n int) (forge.PullRequest, error)
	releases []forge.NewRelease
	labels   map[int][]string
	comments map[int][]string
}

var errUnexpected = errors.New("releaseForge: call not expected in this test")

func (f *releaseForge) PullRequest(_ context.Context, n int) (forge.PullRequest, error) {
	return f.pr(n)
}
func (f *releaseForge) FindPullRequest(context.Context, string, string) (forge.PullRequest, bool, error) {
	return forge.PullRequest{}, false, errUnexpected
}
func (f *releaseForge) OpenPullRequest(context.Context, forge.NewPullRequest) (forge.PullRequest, error) {
	return forge.PullRequest{}, errUnexpected
}
func (f *releaseForge) SetLabels(_ context.Context, n int, l []string) error {
	f.labels[n] = l
	return nil
}
func (f *releaseForge) Comment(_ context.Context, n int, body string) (forge.Comment, error) {
	f.comments[n] = append(f.comments[n], body)
	return forge.Comment{ID: 1}, nil
}
func (f *releaseForge) CreateRelease(_ context.Context, r forge.NewRelease) (forge.Release, error) {
	for _, old := range f.releases {
		if old.Tag == r.Tag {
			return forge.Release{ID: 1, Tag: r.Tag, URL: "https://forge.example/releases/" + r.Tag, Existed: true}, nil
		}
	}
	f.releases = append(f.releases, r)
	return forge.Release{ID: 1, Tag: r.Tag, URL: "https://forge.example/releases/" + r.Tag}, nil
}
func (f *releaseForge) SetCommitStatus(context.Context, string, forge.CommitStatus) error {
	return errUnexpected
}
func (f *releaseForge) SetDeploymentStatus(context.Context, forge.DeploymentStatus) error {
	return errUnexpected
}
func (f *releaseForge) UpsertIssue(context.Context, forge.NewIssue) (forge.Issue, error) {
	return forge.Issue{}, errUnexpected
}

// releaseSetup is shopRepo with a bare remote, the forge of its
// configuration replaced by a releaseForge, the release PR #14 merged
// (its squash commit on main, returned) and the bot's SSH key.
func releaseSetup(t *testing.T) (g, remote *gittest.Repo, fake *releaseForge, merged, key string) {
	fake = &releaseForge{labels: map[int][]string{}, comments: map[int][]string{}}
	old := forgeOpeners["gitea"]
	forgeOpeners["gitea"] = func(context.Context, config.Forge, string) (forge.Forge, error) { return fake, nil }
	t.Cleanup(func() { forgeOpeners["gitea"] = old })
	t.Setenv("RELEASEKIT_GITEA_TOKEN", "tok")
	for _, k := range []string{"GITHUB_ACTIONS", "GITLAB_CI", "GITEA_ACTIONS"} {
		t.Setenv(k, "")
	}
	g = shopRepo(t)
	remote = gittest.New(t)
	remote.Git("config", "receive.denyCurrentBranch", "ignore")
	g.Git("remote", "add", "origin", remote.Dir)
	merged = g.CommitFiles("chore(release): v1.3.0 (#14)", map[string]string{
		"composer.json": "{\n    \"name\": \"shop/app\",\n    \"version\": \"1.3.0\"\n}\n",
		"package.json":  "{\"name\": \"theme\", \"version\": \"1.3.0\"}\n",
		"CHANGELOG.md":  "# Changelog\n\n## v1.3.0\n\n- pay by invoice\n\n## v1.2.0\n",
	})
	fake.pr = func(n int) (forge.PullRequest, error) {
		if n != 14 {
			return forge.PullRequest{}, &forge.APIError{Forge: "gitea", Status: 404, Err: forge.ErrNotFound}
		}
		return forge.PullRequest{Number: 14, State: forge.StateMerged, Head: "releasekit/release/main", Base: "main",
			HeadRepository: "shop/app", BaseRepository: "shop/app", MergeSHA: merged}, nil
	}
	return g, remote, fake, merged, keytest.SSHKey(t, "ed25519")
}

// signedTag makes the release tag v1.3.0 at rev signed with the SSH key
// file key, as relctl tag makes it.
func signedTag(t *testing.T, g *gittest.Repo, rev, key string) {
	t.Helper()
	_, errOut, code := relctl(t, "", "tag", "--repo", g.Dir, "--name", "v1.3.0", "--rev", rev, "--sign", "ssh", "--key", key, "--tagger", "Release Bot <bot@shop.example>")
	require.Equal(t, 0, code, errOut)
}

// A release commit already tagged (a run that died after tagging) is
// finished only when its tag verifies: signed by the bot's key when the
// configuration names no trust.tags. It is then pushed and published with
// the notes it would have had (the changes since v1.2.0), and the PR is
// labelled. A lightweight tag, an unsigned annotated tag and a tag signed
// by another key stop the run (exit 1) with nothing pushed, published,
// labelled or commented on.
func TestReleaseVerifiesAnExistingTag(t *testing.T) {
	for _, c := range []struct {
		name   string
		tag    func(t *testing.T, g *gittest.Repo, merged, key string)
		reason string // "" when the release is finished
	}{
		{"signed by the bot", func(t *testing.T, g *gittest.Repo, merged, key string) { signedTag(t, g, merged, key) }, ""},
		{"lightweight", func(t *testing.T, g *gittest.Repo, merged, _ string) { g.Tag("v1.3.0", merged) }, "lightweight tag"},
		{"unsigned", func(t *testing.T, g *gittest.Repo, merged, _ string) {
			g.AnnotatedTag("v1.3.0", merged, "Release v1.3.0")
		}, "unsigned tag"},
		{"signed by another key", func(t *testing.T, g *gittest.Repo, merged, _ string) {
			signedTag(t, g, merged, keytest.SSHKey(t, "ed25519"))
		}, "signed by a key not trusted for release tags"},
	} {
		t.Run(c.name, func(t *testing.T) {
			g, remote, fake, merged, key := releaseSetup(t)
			c.tag(t, g, merged, key)
			out, errOut, code := relctl(t, "", "release", "--repo", g.Dir, "--sign", "ssh", "--key", key, "--no-record", "--json")
			if c.reason != "" {
				assert.Equal(t, 1, code, "stdout %s stderr %s", out, errOut)
				assert.Contains(t, errOut, "release tag v1.3.0 at "+merged+": "+c.reason)
				assert.Contains(t, errOut, "the configuration names no trust.tags")
				assert.Empty(t, fake.releases, "nothing published")
				assert.Empty(t, fake.labels, "nothing labelled")
				assert.Empty(t, fake.comments, "nothing commented on")
				assert.Empty(t, remote.Git("tag", "--list"), "nothing pushed")
				return
			}
			require.Equal(t, 0, code, errOut)
			var res releaseResult
			require.NoError(t, json.Unmarshal([]byte(out), &res))
			require.Len(t, res.Releases, 1)
			assert.Equal(t, releasedOne{Tag: "v1.3.0", Commit: merged, Release: "https://forge.example/releases/v1.3.0", PR: 14}, res.Releases[0])
			require.Len(t, fake.releases, 1)
			assert.Contains(t, fake.releases[0].Notes, "pay by invoice", "the notes of a finished release are its changes")
			assert.NotContains(t, fake.releases[0].Notes, "first", "and only its changes")
			assert.Equal(t, map[int][]string{14: {"autorelease: tagged"}}, fake.labels)
			assert.Equal(t, g.RevParse("v1.3.0"), remote.RevParse("v1.3.0"), "the signed tag is pushed")
		})
	}
}

// With trust.tags configured, an existing release tag is verified
// against those keys, as relctl verify does, and not against the bot's
// key: a tag signed by a trusted release manager is finished, one signed
// by the bot's key alone (not in trust.tags) is refused.
func TestReleaseVerifiesAnExistingTagWithTrustTags(t *testing.T) {
	manager := func(t *testing.T) (key, allowed string) {
		key = keytest.SSHKey(t, "ed25519")
		pub, err := os.ReadFile(key + ".pub")
		require.NoError(t, err)
		allowed = filepath.Join(t.TempDir(), "allowed_signers")
		require.NoError(t, os.WriteFile(allowed, []byte("manager@shop.example namespaces=\"git\" "+string(pub)), 0o644))
		return key, allowed
	}
	configure := func(t *testing.T, g *gittest.Repo, allowed string) {
		cfg, err := os.ReadFile(filepath.Join(g.Dir, ".releasekit.yaml"))
		require.NoError(t, err)
		cfg = append(cfg, fmt.Sprintf("trust:\n  tags:\n    allowed_signers: %q\n", allowed)...)
		require.NoError(t, os.WriteFile(filepath.Join(g.Dir, ".releasekit.yaml"), cfg, 0o644))
	}
	t.Run("signed by a trusted key", func(t *testing.T) {
		g, remote, fake, merged, bot := releaseSetup(t)
		mkey, allowed := manager(t)
		configure(t, g, allowed)
		signedTag(t, g, merged, mkey)
		_, errOut, code := relctl(t, "", "release", "--repo", g.Dir, "--sign", "ssh", "--key", bot, "--no-record")
		require.Equal(t, 0, code, errOut)
		assert.Len(t, fake.releases, 1)
		assert.Equal(t, g.RevParse("v1.3.0"), remote.RevParse("v1.3.0"))
	})
	t.Run("signed by the bot, not trusted", func(t *testing.T) {
		g, remote, fake, merged, bot := releaseSetup(t)
		_, allowed := manager(t)
		configure(t, g, allowed)
		signedTag(t, g, merged, bot)
		_, errOut, code := relctl(t, "", "release", "--repo", g.Dir, "--sign", "ssh", "--key", bot, "--no-record")
		assert.Equal(t, 1, code, errOut)
		assert.Contains(t, errOut, "release tag v1.3.0 at "+merged+": signed by a key not trusted for release tags (verified against trust.tags")
		assert.Empty(t, fake.releases)
		assert.Empty(t, remote.Git("tag", "--list"))
	})
	// The tag relctl release makes itself is held to trust.tags too: a
	// bot whose key trust.tags does not name publishes nothing, and the
	// tag it made is not left behind.
	t.Run("made by a bot not trusted", func(t *testing.T) {
		g, remote, fake, merged, bot := releaseSetup(t)
		_, allowed := manager(t)
		configure(t, g, allowed)
		_, errOut, code := relctl(t, "", "release", "--repo", g.Dir, "--sign", "ssh", "--key", bot, "--no-record")
		assert.Equal(t, 1, code, errOut)
		assert.Contains(t, errOut, "release tag v1.3.0 at "+merged+": signed by a key not trusted for release tags")
		assert.Empty(t, fake.releases)
		assert.Empty(t, remote.Git("tag", "--list"), "nothing pushed")
		assert.Empty(t, g.Git("tag", "--list", "v1.3.0"), "the untrusted tag is removed")
	})
	t.Run("made by a trusted bot", func(t *testing.T) {
		g, remote, fake, _, bot := releaseSetup(t)
		pub, err := os.ReadFile(bot + ".pub")
		require.NoError(t, err)
		allowed := filepath.Join(t.TempDir(), "allowed_signers")
		require.NoError(t, os.WriteFile(allowed, []byte("bot@shop.example namespaces=\"git\" "+string(pub)), 0o644))
		configure(t, g, allowed)
		_, errOut, code := relctl(t, "", "release", "--repo", g.Dir, "--sign", "ssh", "--key", bot, "--no-record")
		require.Equal(t, 0, code, errOut)
		assert.Len(t, fake.releases, 1)
		assert.Equal(t, g.RevParse("v1.3.0"), remote.RevParse("v1.3.0"))
	})
}

// The "(#N)" of a release commit's subject is only a claim: the PR is
// labelled and commented on only when the forge reports it merged into
// the base from the release branch, with the release commit as its merge
// commit. Otherwise the release is still made and the PR left alone,
// with a line on stderr.
func TestReleaseLabelsOnlyTheReleasePR(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(pr *forge.PullRequest)
		why  string
	}{
		{"the release PR", func(*forge.PullRequest) {}, ""},
		{"open", func(pr *forge.PullRequest) { pr.State, pr.MergeSHA = forge.StateOpen, "" }, `it is not merged (state "open")`},
		{"another merge commit", func(pr *forge.PullRequest) { pr.MergeSHA = strings.Repeat("ab", 20) }, "is not the release commit"},
		{"another head branch", func(pr *forge.PullRequest) { pr.Head = "feature/invoice" }, `its head branch "feature/invoice" is not the release branch`},
		{"another base", func(pr *forge.PullRequest) { pr.Base = "develop" }, `its base branch "develop" is not main`},
		{"from a fork", func(pr *forge.PullRequest) { pr.HeadRepository = "mallory/app" }, "it is from another repository (mallory/app)"},
		{"from an unknown repository", func(pr *forge.PullRequest) { pr.HeadRepository = "" }, "it is from another repository (unknown)"},
		{"no such PR", nil, "the forge has no pull request of that number"},
	} {
		t.Run(c.name, func(t *testing.T) {
			g, _, fake, _, key := releaseSetup(t)
			orig := fake.pr
			fake.pr = func(n int) (forge.PullRequest, error) {
				pr, err := orig(n)
				if c.edit == nil {
					return forge.PullRequest{}, &forge.APIError{Forge: "gitea", Status: 404, Err: forge.ErrNotFound}
				}
				c.edit(&pr)
				return pr, err
			}
			out, errOut, code := relctl(t, "", "release", "--repo", g.Dir, "--sign", "ssh", "--key", key, "--no-record", "--json")
			require.Equal(t, 0, code, errOut)
			var res releaseResult
			require.NoError(t, json.Unmarshal([]byte(out), &res))
			require.Len(t, res.Releases, 1)
			assert.True(t, res.Releases[0].TagCreated)
			assert.Len(t, fake.releases, 1, "the release is made")
			if c.why == "" {
				assert.Equal(t, 14, res.Releases[0].PR)
				assert.Equal(t, map[int][]string{14: {"autorelease: tagged"}}, fake.labels)
				assert.Len(t, fake.comments[14], 1)
				return
			}
			assert.Zero(t, res.Releases[0].PR)
			assert.Empty(t, fake.labels)
			assert.Empty(t, fake.comments)
			assert.Contains(t, errOut, "relctl: v1.3.0: #14 not labelled or commented on: ")
			assert.Contains(t, errOut, c.why)
		})
	}
}

// A key rotation does not stop later releases: the last release, tagged
// with the old key and pushed, no longer verifies with the new key, but
// the remote has that very tag, so it is left as it is (and said so) and
// the next release goes out. The same untrusted tag not on the remote is
// still refused (TestReleaseVerifiesAnExistingTag).
func TestReleaseAfterKeyRotation(t *testing.T) {
	g, remote, fake, merged, oldKey := releaseSetup(t)
	_, errOut, code := relctl(t, "", "release", "--repo", g.Dir, "--sign", "ssh", "--key", oldKey, "--no-record")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, g.RevParse("v1.3.0"), remote.RevParse("v1.3.0"))

	next := g.CommitFiles("chore(release): v1.3.1 (#16)", map[string]string{
		"composer.json": "{\n    \"name\": \"shop/app\",\n    \"version\": \"1.3.1\"\n}\n",
		"package.json":  "{\"name\": \"theme\", \"version\": \"1.3.1\"}\n",
		"CHANGELOG.md":  "# Changelog\n\n## v1.3.1\n\n- fix\n\n## v1.3.0\n\n- pay by invoice\n\n## v1.2.0\n",
	})
	fake.pr = func(n int) (forge.PullRequest, error) {
		sha := map[int]string{14: merged, 16: next}[n]
		if sha == "" {
			return forge.PullRequest{}, &forge.APIError{Forge: "gitea", Status: 404, Err: forge.ErrNotFound}
		}
		return forge.PullRequest{Number: n, State: forge.StateMerged, Head: "releasekit/release/main", Base: "main",
			HeadRepository: "shop/app", BaseRepository: "shop/app", MergeSHA: sha}, nil
	}
	newKey := keytest.SSHKey(t, "ed25519")
	out, errOut, code := relctl(t, "", "release", "--repo", g.Dir, "--sign", "ssh", "--key", newKey, "--no-record", "--json")
	require.Equal(t, 0, code, errOut)
	var res releaseResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.Len(t, res.Releases, 1)
	assert.Equal(t, "v1.3.1", res.Releases[0].Tag)
	assert.True(t, res.Releases[0].TagCreated)
	assert.Equal(t, []notFinished{{Tag: "v1.3.0", Commit: merged, Reason: "signed by a key not trusted for release tags"}}, res.NotFinished)
	assert.Contains(t, errOut, "v1.3.0 is on origin already and is not finished again")
	assert.Equal(t, g.RevParse("v1.3.1"), remote.RevParse("v1.3.1"))
	assert.Len(t, fake.releases, 2)
}

// pr facts --commit reads the request a merge commit's message names in
// each forge's words — GitLab's "See merge request group/project!N",
// GitHub's "Merge pull request #N" — and gives its facts only when the
// forge reports it merged as that very commit.
func TestPRFactsByCommitMessage(t *testing.T) {
	g, _, fake, _, _ := releaseSetup(t)
	for _, c := range []struct{ name, message string }{
		{"GitLab merge commit", "Merge branch 'feature/ABC-7-orders' into 'main'\n\nfeat(api): orders\n\nSee merge request shop/app!14"},
		{"GitHub merge commit", "Merge pull request #14 from ada/feature/ABC-7-orders\n\nfeat(api): orders"},
	} {
		t.Run(c.name, func(t *testing.T) {
			merge := g.CommitFiles(c.message, map[string]string{"orders.go": c.name})
			fake.pr = func(n int) (forge.PullRequest, error) {
				require.Equal(t, 14, n)
				return forge.PullRequest{Number: 14, State: forge.StateMerged, Author: "ada", Head: "feature/ABC-7-orders", Base: "main",
					HeadRepository: "shop/app", BaseRepository: "shop/app", HeadSHA: "abc", MergeSHA: merge}, nil
			}
			out, errOut, code := relctl(t, "", "pr", "facts", "--repo", g.Dir, "--commit", merge)
			require.Equal(t, 0, code, errOut)
			assert.Contains(t, out, `"head": "feature/ABC-7-orders"`)
			// The same number claimed by another commit is refused.
			claim := g.CommitFiles(c.message, map[string]string{"claim.txt": c.name})
			_, errOut, code = relctl(t, "", "pr", "facts", "--repo", g.Dir, "--commit", claim)
			assert.Equal(t, 1, code, errOut)
			assert.Contains(t, errOut, "names pull request #14, which the forge reports merged")
		})
	}
}

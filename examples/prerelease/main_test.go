package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/examples/internal/demotest"
	"github.com/releasekit/releasekit/internal/testkit/giteatest"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/releasepr"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// TestRun plays the flow against a Gitea server the test keeps after the
// run, compares the printed steps with testdata/want.txt (after
// demotest.Normalize: the server's SHAs and port), and then checks what
// the forge holds through Gitea's API and git, independently of what the
// example printed: the three releases and their notes, the release PRs
// (by the bot, approved and merged by ben, their commits signed), the
// status comments, the deployment status issue and statuses, and the
// signed tags with the version each release commit carries. Last, the bot
// runs again, as a later CI job would: it releases nothing twice.
func TestRun(t *testing.T) {
	bin := giteatest.Binary(t)
	dir := t.TempDir()
	keyPath, key := demotest.SSHKeyFile(t, t.TempDir(), "bot_key")
	var s *giteatest.Server
	start := func(ctx context.Context, bin, serverDir string) (*giteatest.Server, func() error, error) {
		srv, err := giteatest.Run(ctx, bin, giteatest.WithDir(serverDir))
		if err != nil {
			return nil, nil, err
		}
		t.Cleanup(func() { srv.Close() })
		s = srv
		return srv, func() error { return nil }, nil // kept for the checks below
	}
	var out, errOut bytes.Buffer
	if err := runWith(t.Context(), []string{"-dir", dir, "-gitea-bin", bin, "-ssh-key", keyPath}, &out, &errOut, start); err != nil {
		t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s\ngitea:\n%s", err, out.String(), errOut.String(), s.Logs())
	}
	demotest.Golden(t, demotest.Normalize(out.Bytes()))
	assert.Equal(t, filepath.Join(dir, "gitea"), s.Dir(), "-dir keeps the server's directory")

	want := []struct {
		tag        string
		prerelease bool
		env        string
		changes    []string // in the release notes and the CHANGELOG.md at the tag
	}{
		{"v1.3.0-beta.1", true, "staging", []string{"sell product bundles (#1)", "keep the cart across logins (#2)"}},
		{"v1.3.0-beta.2", true, "staging", []string{"round totals to the currency's precision (#5)", "price bundles after discounts (#6)"}},
		{"v1.3.0", false, "production", []string{"sell product bundles (#1)", "keep the cart across logins (#2)", "round totals to the currency's precision (#5)", "price bundles after discounts (#6)"}},
	}
	check := func(t *testing.T) {
		// The releases: three, each of its tag, a pre-release for a beta,
		// with notes that name its changes.
		var rels []struct {
			TagName    string `json:"tag_name"`
			Body       string `json:"body"`
			Prerelease bool   `json:"prerelease"`
			Draft      bool   `json:"draft"`
			Author     struct {
				Login string `json:"login"`
			} `json:"author"`
		}
		s.API(t, s.Admin, "GET", "/repos/shop/magento/releases?limit=50", nil, &rels)
		require.Len(t, rels, len(want))
		for _, w := range want {
			i := indexOf(len(rels), func(i int) bool { return rels[i].TagName == w.tag })
			require.GreaterOrEqual(t, i, 0, "release %s", w.tag)
			r := rels[i]
			assert.Equal(t, w.prerelease, r.Prerelease, w.tag)
			assert.False(t, r.Draft, w.tag)
			assert.Equal(t, "release-bot", r.Author.Login, w.tag)
			assert.Contains(t, r.Body, "## "+w.tag+" (", w.tag)
			for _, c := range w.changes {
				assert.Contains(t, r.Body, c, w.tag)
			}
		}

		// The release PRs: opened by the bot from its branch, merged by
		// ben, approved by ben at their own head, their commit signed by the
		// bot's key (git verify-commit), each with one status comment.
		type pull struct {
			Number int    `json:"number"`
			Title  string `json:"title"`
			Merged bool   `json:"merged"`
			User   struct {
				Login string `json:"login"`
			} `json:"user"`
			MergedBy struct {
				Login string `json:"login"`
			} `json:"merged_by"`
			Head struct {
				Ref string `json:"ref"`
			} `json:"head"`
		}
		var pulls []pull
		s.API(t, s.Admin, "GET", "/repos/shop/magento/pulls?state=all&limit=50", nil, &pulls)
		require.Len(t, pulls, 7, "4 changes and 3 release PRs")
		g := gittest.New(t)
		allowed := filepath.Join(dir, "allowed_signers")
		verify := []string{"-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile=" + allowed}
		var releasePRs []pull
		for i := range pulls {
			s.API(t, s.Admin, "GET", fmt.Sprintf("/repos/shop/magento/pulls/%d", pulls[i].Number), nil, &pulls[i])
		}
		for _, p := range pulls {
			assert.True(t, p.Merged, "#%d", p.Number)
			assert.Equal(t, "ben", p.MergedBy.Login, "#%d", p.Number)
			if strings.HasPrefix(p.Title, releasepr.TitlePrefix) {
				releasePRs = append(releasePRs, p)
			} else {
				assert.Equal(t, "ada", p.User.Login, "#%d", p.Number)
			}
		}
		require.Len(t, releasePRs, len(want))
		for _, p := range releasePRs {
			w := want[indexOf(len(want), func(i int) bool { return p.Title == releasepr.TitlePrefix+want[i].tag })]
			assert.Equal(t, "release-bot", p.User.Login, w.tag)
			assert.Equal(t, releasepr.BranchPrefix+"main", p.Head.Ref, w.tag)
			var commits []struct {
				SHA string `json:"sha"`
			}
			s.API(t, s.Admin, "GET", fmt.Sprintf("/repos/shop/magento/pulls/%d/commits", p.Number), nil, &commits)
			require.Len(t, commits, 1, w.tag)
			head := commits[0].SHA
			var reviews []struct {
				State    string `json:"state"`
				CommitID string `json:"commit_id"`
				User     struct {
					Login string `json:"login"`
				} `json:"user"`
			}
			s.API(t, s.Admin, "GET", fmt.Sprintf("/repos/shop/magento/pulls/%d/reviews", p.Number), nil, &reviews)
			require.Len(t, reviews, 1, w.tag)
			assert.Equal(t, "ben", reviews[0].User.Login, w.tag)
			assert.Equal(t, "APPROVED", reviews[0].State, w.tag)
			assert.Equal(t, head, reviews[0].CommitID, "%s: approved at the head", w.tag)
			g.Git("fetch", "-q", s.URL+"/shop/magento.git", fmt.Sprintf("+refs/pull/%d/head:refs/pr/%d", p.Number, p.Number))
			g.Git(append(verify, "verify-commit", head)...)
			var comments []struct {
				Body string `json:"body"`
				User struct {
					Login string `json:"login"`
				} `json:"user"`
			}
			s.API(t, s.Admin, "GET", fmt.Sprintf("/repos/shop/magento/issues/%d/comments", p.Number), nil, &comments)
			require.Len(t, comments, 1, w.tag)
			assert.Equal(t, "release-bot", comments[0].User.Login)
			assert.Contains(t, comments[0].Body, "**Deployment status** for "+w.tag+": :white_check_mark: success")
			assert.Contains(t, comments[0].Body, "| environment | "+w.env+" |")
		}

		// The deployment status issue, and the statuses of each tag: one
		// of each, no run made them twice.
		var issues []struct {
			Title string `json:"title"`
			Body  string `json:"body"`
			State string `json:"state"`
			User  struct {
				Login string `json:"login"`
			} `json:"user"`
		}
		s.API(t, s.Admin, "GET", "/repos/shop/magento/issues?type=issues&state=all", nil, &issues)
		require.Len(t, issues, 1)
		assert.Equal(t, "Deployment status", issues[0].Title)
		assert.Equal(t, "open", issues[0].State)
		assert.Equal(t, "release-bot", issues[0].User.Login)
		assert.Regexp(t, `\| production \| v1\.3\.0 \| [0-9a-f]{40} \|`, issues[0].Body)
		assert.Regexp(t, `\| staging \| v1\.3\.0-beta\.2 \| [0-9a-f]{40} \|`, issues[0].Body)
		for _, w := range want {
			var statuses []struct {
				Context string `json:"context"`
				Status  string `json:"status"`
			}
			s.API(t, s.Admin, "GET", "/repos/shop/magento/commits/"+w.tag+"/statuses", nil, &statuses)
			var got []string
			for _, st := range statuses {
				got = append(got, st.Context+" "+st.Status)
			}
			assert.ElementsMatch(t, []string{"release success", "deploy/" + w.env + " success"}, got, w.tag)
		}

		// The tags: signed, verified by git against allowed_signers; the
		// release commit carries the version in composer.json and its
		// section in CHANGELOG.md.
		g.Git("fetch", "-q", "--tags", s.URL+"/shop/magento.git")
		assert.ElementsMatch(t, []string{"v1.2.0", "v1.3.0-beta.1", "v1.3.0-beta.2", "v1.3.0"}, strings.Fields(g.Git("tag", "--list")))
		for _, w := range append([]struct {
			tag        string
			prerelease bool
			env        string
			changes    []string
		}{{tag: "v1.2.0"}}, want...) {
			g.Git(append(verify, "verify-tag", w.tag)...)
			assert.Contains(t, g.Git("show", w.tag+":composer.json"), `"version": "`+strings.TrimPrefix(w.tag, "v")+`",`)
			cl := g.Git("show", w.tag+":CHANGELOG.md")
			assert.Contains(t, cl, "## "+w.tag+" (")
			for _, c := range w.changes {
				assert.Contains(t, cl, c, w.tag)
			}
		}
		// The check can fail: a key allowed_signers does not hold is refused.
		other := filepath.Join(t.TempDir(), "allowed_signers")
		_, otherKey := demotest.SSHKeyFile(t, t.TempDir(), "other")
		require.NoError(t, os.WriteFile(other, demo.AllowedSigners("release-bot@shop.example", "git", otherKey.PublicKey()), 0o644))
		_, err := g.GitErr("-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile="+other, "verify-tag", "v1.3.0")
		assert.Error(t, err)
	}
	t.Run("forge", check)

	// The bot runs again, as the next CI job would, from a new clone:
	// releasepr.Released says v1.3.0 is released; nothing is tagged,
	// published, commented or reported twice.
	t.Run("again", func(t *testing.T) {
		b := testBot(t, s, key, dir)
		for _, ch := range []semver.Channel{"", semver.Beta} {
			rep, err := b.run(t.Context(), ch)
			require.NoError(t, err)
			assert.Nil(t, rep.opened, "channel %q: no release PR", ch)
			assert.Empty(t, rep.released, "channel %q", ch)
			require.Len(t, rep.done, 1)
			assert.Equal(t, "v1.3.0", rep.done[0].Tag)
		}
		done, err := releasepr.Released(t.Context(), b.git.repo, "main", components(""))
		require.NoError(t, err)
		require.Len(t, done, 1)
		assert.Equal(t, "v1.3.0", done[0].Tag)
		pending, err := releasepr.Find(t.Context(), b.git.repo, "main", components(""))
		require.NoError(t, err)
		assert.Empty(t, pending)
		check(t)
	})
}

// testBot is a new run of the release bot, with the key the example's bot
// signed with, in a new clone.
func testBot(t *testing.T, s *giteatest.Server, key ssh.Signer, dir string) *bot {
	t.Helper()
	sign, err := signature.NewSSHSigner(key, tagging.GitNamespace)
	require.NoError(t, err)
	allowed := demotest.AllowedSigners(t, dir)
	b, err := newBot(botConfig{
		dir: filepath.Join(t.TempDir(), "bot"), url: s.URL, owner: s.Owner, repo: s.Repo,
		login: s.Bot.Name, token: s.Bot.Token, identity: object.Signature{Name: "Release Bot", Email: s.Bot.Email},
		signer: sign, verifier: signature.NewSSHVerifier(allowed, tagging.GitNamespace), clock: &demo.Clock{},
		awaitBranch: s.AwaitBranch,
	})
	require.NoError(t, err)
	return b
}

// TestRunRefuses: without a Gitea binary the example says how to get one;
// it takes no arguments; a server that does not start is reported.
func TestRunRefuses(t *testing.T) {
	t.Setenv(giteatest.EnvBinary, "")
	var out, errOut bytes.Buffer
	err := run(t.Context(), nil, &out, &errOut)
	require.ErrorIs(t, err, giteatest.ErrNoBinary)
	assert.Contains(t, err.Error(), "scripts/build-gitea")
	assert.Contains(t, err.Error(), giteatest.EnvBinary)
	assert.Empty(t, out.String())

	err = run(t.Context(), []string{"-gitea-bin", filepath.Join(t.TempDir(), "gitea")}, &out, &errOut)
	assert.ErrorIs(t, err, giteatest.ErrNoBinary)

	fake := filepath.Join(t.TempDir(), "gitea")
	require.NoError(t, os.WriteFile(fake, []byte("#!/bin/sh\nexit 1\n"), 0o755))
	assert.ErrorContains(t, run(t.Context(), []string{"-gitea-bin", fake, "extra"}, &out, &errOut), "unexpected arguments")

	boom := errors.New("boom")
	dir := filepath.Join(t.TempDir(), "work")
	err = runWith(t.Context(), []string{"-gitea-bin", fake, "-dir", dir}, &out, &errOut,
		func(context.Context, string, string) (*giteatest.Server, func() error, error) { return nil, nil, boom })
	assert.ErrorIs(t, err, boom)
	assert.Empty(t, out.String())
}

func indexOf(n int, ok func(int) bool) int {
	for i := range n {
		if ok(i) {
			return i
		}
	}
	return -1
}

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/forge"
	"github.com/releasekit/releasekit/forge/gitea"
	"github.com/releasekit/releasekit/internal/testkit/giteatest"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// flow is the state the steps share: the server, the people's clones and
// forge clients, the bot, and the fixed clock of every commit and tag.
type flow struct {
	ctx  context.Context
	srv  *giteatest.Server
	work string
	out  io.Writer
	step int
	clk  *demo.Clock

	verifier *signature.SSHVerifier // trusts the bot's key, in the git namespace
	dev      *clone                 // ada's clone
	asDev    *gitea.Forge           // the forge as ada
	ci       *gitea.Forge           // the forge as the CI that reports ci/test
	bot      *bot

	features   []int // ada's pull requests, in order
	releasePRs []int // the bot's
}

// names of the people, as their git identities show them.
var names = map[string]string{"ada": "Ada Developer", "ben": "Ben Reviewer", "release-bot": "Release Bot"}

// signer returns u's git identity at a time of the flow's clock.
func (f *flow) signer(u giteatest.User) object.Signature {
	return object.Signature{Name: names[u.Name], Email: u.Email, When: f.tick()}
}

func newFlow(ctx context.Context, srv *giteatest.Server, work, keyPath string, out io.Writer) (*flow, error) {
	f := &flow{ctx: ctx, srv: srv, work: work, out: out, clk: &demo.Clock{}}
	// The bot's key signs its release commits and tags, in git's
	// namespace; allowed_signers trusts it for the bot's e-mail address.
	key, err := demo.SSHKey(keyPath)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	sign, err := signature.NewSSHSigner(key, tagging.GitNamespace)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	allowed, err := writeAllowedSigners(filepath.Join(work, "allowed_signers"), srv.Bot.Email, key.PublicKey())
	if err != nil {
		return nil, err
	}
	f.verifier = signature.NewSSHVerifier(allowed, tagging.GitNamespace)
	repoURL := srv.URL + "/" + srv.Owner + "/" + srv.Repo + ".git"
	if f.dev, err = newClone(filepath.Join(work, "ada"), false, repoURL, srv.Developer.Name, srv.Developer.Token); err != nil {
		return nil, err
	}
	if f.asDev, err = gitea.New(srv.URL, srv.Owner, srv.Repo, srv.Developer.Token); err != nil {
		return nil, err
	}
	if f.ci, err = gitea.New(srv.URL, srv.Owner, srv.Repo, srv.Bot.Token); err != nil {
		return nil, err
	}
	f.bot, err = newBot(botConfig{
		dir: filepath.Join(work, "bot"), url: srv.URL, owner: srv.Owner, repo: srv.Repo,
		login: srv.Bot.Name, token: srv.Bot.Token, // in CI: forge.Token("gitea")
		identity: object.Signature{Name: names[srv.Bot.Name], Email: srv.Bot.Email},
		signer:   sign, verifier: f.verifier, clock: f.clk,
		awaitBranch: srv.AwaitBranch,
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

func writeAllowedSigners(path, principal string, key ssh.PublicKey) ([]signature.AllowedSigner, error) {
	data := demo.AllowedSigners(principal, tagging.GitNamespace, key)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return nil, fmt.Errorf("allowed_signers: %w", err)
	}
	return signature.ParseAllowedSigners(data)
}

func (f *flow) next() { f.step++ }

func (f *flow) say(format string, a ...any) {
	if f.step == 0 {
		f.step = 1
	}
	fmt.Fprintf(f.out, "%2d. %s\n", f.step, fmt.Sprintf(format, a...))
}

// initial pushes the repository as it was at v1.2.0, has the bot tag that
// release, and protects main as seed 000 asks.
func (f *flow) initial() error {
	ctx, s := f.ctx, f.srv
	f.next()
	wt, err := f.dev.repo.Worktree()
	if err != nil {
		return err
	}
	files := map[string]string{
		"composer.json":      "{\n    \"name\": \"shop/magento\",\n    \"type\": \"project\",\n    \"version\": \"1.2.0\",\n    \"require\": {\n        \"magento/product-community-edition\": \"2.4.7\"\n    }\n}\n",
		"CHANGELOG.md":       "# Changelog\n\n## v1.2.0 (2026-01-02)\n\n### Features\n\n* **catalog:** list products, refs MAG-1\n",
		"app/etc/config.php": "<?php\nreturn [];\n",
	}
	first, err := commitFiles(wt, files, "feat(catalog): list products\n\nRefs: MAG-1", f.signer(s.Developer))
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if err := f.dev.push(ctx, "refs/heads/main:refs/heads/main"); err != nil {
		return err
	}
	if err := s.AwaitBranch(ctx, "main", first.String()); err != nil {
		return err
	}
	ver, err := f.bot.tagInitial(ctx, "v1.2.0")
	if err != nil {
		return err
	}
	// Seed 000's "SOC 2 requirements": squash merges only, titled after
	// the pull request; main takes pull requests only, with one approval
	// at the head, ci/test passing and the branch up to date.
	if err := s.Do(ctx, s.Admin, "PATCH", "/repos/"+s.Owner+"/"+s.Repo, map[string]any{
		"allow_merge_commits": false, "allow_rebase": false, "allow_rebase_explicit": false,
		"allow_squash_merge": true, "default_merge_style": "squash",
	}, nil); err != nil {
		return err
	}
	if err := s.Do(ctx, s.Admin, "POST", "/repos/"+s.Owner+"/"+s.Repo+"/branch_protections", map[string]any{
		"rule_name": "main", "enable_push": false, "required_approvals": 1, "dismiss_stale_approvals": true,
		"block_on_rejected_reviews": true, "block_on_outdated_branch": true,
		"enable_status_check": true, "status_check_contexts": []string{"ci/test"},
	}, nil); err != nil {
		return err
	}
	f.say("main at %s: composer.json 1.2.0, tag v1.2.0 by %s (%s signature good: %s); main protected: pull requests only, 1 approval at the head, ci/test required, up to date, squash merges only",
		first, f.srv.Bot.Name, ver.Signer.Format, ver.Signer.Identity)
	return nil
}

// A change is one of ada's pull requests: a branch with one file.
type change struct {
	branch, title, body, file, content string
}

// changes has ada open a pull request for each change, CI pass it, ben
// approve and squash-merge it: one step each.
func (f *flow) changes(cs ...change) error {
	for _, c := range cs {
		f.next()
		if err := f.change(c); err != nil {
			return fmt.Errorf("%d. %s: %w", f.step, c.branch, err)
		}
	}
	return nil
}

func (f *flow) change(c change) error {
	ctx, s := f.ctx, f.srv
	if err := f.dev.fetch(ctx, "+refs/heads/main:refs/remotes/origin/main"); err != nil {
		return err
	}
	base, err := f.dev.repo.Reference(plumbing.NewRemoteReferenceName("origin", "main"), true)
	if err != nil {
		return err
	}
	wt, err := f.dev.repo.Worktree()
	if err != nil {
		return err
	}
	if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(c.branch), Hash: base.Hash(), Create: true, Force: true}); err != nil {
		return fmt.Errorf("checkout: %w", err)
	}
	head, err := commitFiles(wt, map[string]string{c.file: c.content}, c.title+"\n\n"+c.body, f.signer(s.Developer))
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if err := f.dev.push(ctx, "refs/heads/"+c.branch+":refs/heads/"+c.branch); err != nil {
		return err
	}
	if err := s.AwaitBranch(ctx, c.branch, head.String()); err != nil {
		return err
	}
	pr, err := f.asDev.OpenPullRequest(ctx, forge.NewPullRequest{Head: c.branch, Base: "main", Title: c.title, Body: c.body})
	if err != nil {
		return err
	}
	merged, err := f.pass(pr, c.body)
	if err != nil {
		return err
	}
	f.features = append(f.features, pr.Number)
	f.say("PR #%d %q by %s from %s: ci/test success, approved by %s, squash-merged as %s",
		pr.Number, pr.Title, merged.Author, merged.Head, strings.Join(merged.Facts().Approvers, ", "), merged.MergeSHA)
	return nil
}

// pass is what a pull request goes through on the protected main: CI
// reports ci/test on its head, ben approves the head and squash-merges it,
// titled "title (#N)" with message as the body. It returns the facts of the
// merged pull request, from the forge.
func (f *flow) pass(pr forge.PullRequest, message string) (forge.PullRequest, error) {
	ctx, s := f.ctx, f.srv
	if err := s.AwaitPull(ctx, pr.Number, pr.HeadSHA); err != nil {
		return forge.PullRequest{}, err
	}
	if err := f.ci.SetCommitStatus(ctx, pr.HeadSHA, forge.CommitStatus{Context: "ci/test", State: forge.CheckSuccess, Description: "unit and integration tests passed"}); err != nil {
		return forge.PullRequest{}, err
	}
	path := "/repos/" + s.Owner + "/" + s.Repo + "/pulls/" + strconv.Itoa(pr.Number)
	if err := s.Do(ctx, s.Reviewer, "POST", path+"/reviews", map[string]any{"event": "APPROVED", "body": "LGTM", "commit_id": pr.HeadSHA}, nil); err != nil {
		return forge.PullRequest{}, fmt.Errorf("approve: %w", err)
	}
	if err := s.MergePull(ctx, s.Reviewer, pr.Number, map[string]any{
		"Do": "squash", "MergeTitleField": pr.Title + " (#" + strconv.Itoa(pr.Number) + ")", "MergeMessageField": message,
		"head_commit_id": pr.HeadSHA,
	}); err != nil {
		return forge.PullRequest{}, fmt.Errorf("merge: %w", err)
	}
	merged, err := f.asDev.PullRequest(ctx, pr.Number)
	if err != nil {
		return forge.PullRequest{}, err
	}
	if merged.State != forge.StateMerged || merged.MergeSHA == "" {
		return forge.PullRequest{}, fmt.Errorf("PR #%d is %s after the merge", pr.Number, merged.State)
	}
	return merged, s.AwaitBranch(ctx, "main", merged.MergeSHA)
}

// cycle is one release, in three steps: the bot opens the release PR
// (a pre-release PR on channel ch, the release PR when ch is empty), ben
// merges it, and the bot's next run releases it.
func (f *flow) cycle(ch semver.Channel) error {
	ctx := f.ctx
	f.next()
	rep, err := f.bot.run(ctx, ch)
	if err != nil {
		return fmt.Errorf("%d. the bot: %w", f.step, err)
	}
	if rep.opened == nil || len(rep.released) > 0 {
		return fmt.Errorf("%d. the bot opened no release PR (released %d)", f.step, len(rep.released))
	}
	o := rep.opened
	kind := "release PR"
	if ch != "" {
		kind = "pre-release PR"
	}
	f.say("%s opens the %s #%d %q from %s: commit %s signed (%s signature good: %s), edits %s; body:",
		o.pr.Author, kind, o.pr.Number, o.pr.Title, o.pr.Head, o.commit, o.signer.Format, o.signer.Identity, strings.Join(o.files, ", "))
	demo.Quote(f.out, o.pr.Body)

	f.next()
	merged, err := f.pass(o.pr, "")
	if err != nil {
		return fmt.Errorf("%d. PR #%d: %w", f.step, o.pr.Number, err)
	}
	f.releasePRs = append(f.releasePRs, o.pr.Number)
	f.say("PR #%d: ci/test success, approved by %s, squash-merged as %s", merged.Number, strings.Join(merged.Facts().Approvers, ", "), merged.MergeSHA)

	f.next()
	rep, err = f.bot.run(ctx, ch)
	if err != nil {
		return fmt.Errorf("%d. the bot: %w", f.step, err)
	}
	if len(rep.released) != 1 || rep.opened != nil {
		return fmt.Errorf("%d. the bot released %d, opened %v", f.step, len(rep.released), rep.opened != nil)
	}
	r := rep.released[0]
	kind = "release"
	if r.prerelease {
		kind = "pre-release"
	}
	f.say("the bot releases %s from PR #%d: tag at %s signed (%s signature good: %s) and pushed; %s published (%s) with notes and composer.json; label %q; commit status release success; deployed to %s (deployment status success); issue #%d %s; comment on PR #%d:",
		r.tag, r.pr, r.commit, r.signer.Format, r.signer.Identity, kind, r.url, releaseLabel, r.env, r.issue.Number, createdOr(r.issue.Created), r.pr)
	demo.Quote(f.out, r.comment)
	return nil
}

func createdOr(created bool) string {
	if created {
		return "opened"
	}
	return "updated"
}

// commitFiles writes files in wt, stages them and commits them as who.
func commitFiles(wt *git.Worktree, files map[string]string, msg string, who object.Signature) (plumbing.Hash, error) {
	for name, content := range files {
		if err := wt.Filesystem.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return plumbing.ZeroHash, err
		}
		fh, err := wt.Filesystem.Create(name)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		_, err = fh.Write([]byte(content))
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if _, err := wt.Add(name); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	return wt.Commit(msg, &git.CommitOptions{Author: &who, Committer: &who})
}

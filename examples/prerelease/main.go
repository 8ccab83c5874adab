// Command prerelease plays the pre-release → release flow of seed
// 000_0ae270b4bf3520f5 ("SOC 2 compliant release workflow"): merged
// Conventional Commits open a pre-release PR (version bump and changelog on a
// branch); merging it publishes v1.3.0-beta.1 to staging; more fixes give
// -beta.2; a release PR finalises the changelog, and merging it publishes
// v1.3.0. Every PR body and the deployment-status comment a bot would post
// are printed, so the audit trail lives in the pull requests.
//
// With no arguments it builds a throwaway repository and keys:
//
//	go run ./examples/prerelease
//
// -dir keeps the workspace (repository, allowed_signers) in a directory.
// With -repo PATH it plays the same flow on the main branch of an existing
// repository whose last stable release is tagged vX.Y.Z: it adds the release
// commits and tags there (the demonstration fixes of steps 5 are skipped).
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "prerelease:", err)
		os.Exit(1)
	}
}

const (
	developer = "Ada Developer"
	reviewer  = "Ben Reviewer"
	releaser  = "Release Bot"
)

// flow is the state the steps share.
type flow struct {
	ctx    context.Context
	repo   *git.Repository
	clk    *demo.Clock
	signer *signature.SSHSigner
	verify *signature.SSHVerifier
	out    io.Writer
	step   int
	nextPR int
	real   bool // working on a repository given with -repo
}

func (f *flow) say(format string, a ...any) {
	fmt.Fprintf(f.out, "%2d. %s\n", f.step, fmt.Sprintf(format, a...))
}

// run is the whole example. main_test.go calls it, so it writes to stdout and
// stderr and returns an error instead of exiting.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("prerelease", flag.ContinueOnError)
	fs.SetOutput(stderr)
	repoPath := fs.String("repo", "", "use this repository (its main branch) instead of a temporary one")
	keyPath := fs.String("ssh-key", "", "SSH private key that signs the tags (default: a new Ed25519 key)")
	keep := fs.String("dir", "", "keep the workspace in this directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	work, cleanup, err := demo.Workspace(*keep, "prerelease-")
	if err != nil {
		return err
	}
	defer cleanup()
	f := &flow{ctx: ctx, clk: &demo.Clock{}, out: stdout, nextPR: 270, real: *repoPath != ""}
	if *repoPath != "" {
		f.clk.T = time.Now().UTC().Truncate(time.Minute)
	}

	// 1. Keys and the repository, with v1.2.0 released and two changes
	// squash-merged since.
	f.step = 1
	keys, err := demo.SetupSigning(work, *keyPath)
	if err != nil {
		return fmt.Errorf("1. %w", err)
	}
	f.signer, f.verify = keys.Tag, keys.Verifier(tagging.GitNamespace)
	if *repoPath != "" {
		if f.repo, err = git.PlainOpen(*repoPath); err != nil {
			return fmt.Errorf("1. open repository: %w", err)
		}
		if err := demo.Checkout(f.repo, "main", false); err != nil {
			return fmt.Errorf("1. checkout main: %w", err)
		}
		f.say("repository %s, branch main", *repoPath)
	} else {
		if f.repo, err = demo.Init(filepath.Join(work, "repo")); err != nil {
			return fmt.Errorf("1. init: %w", err)
		}
		first, err := demo.Commit(f.repo, map[string]string{"VERSION": "1.2.0\n", "catalog.go": "package shop\n"},
			"feat(catalog): list products (#200)\n\nRefs: MAG-1", developer, f.clk.Next())
		if err != nil {
			return fmt.Errorf("1. commit: %w", err)
		}
		if err := f.tag("v1.2.0", first); err != nil {
			return fmt.Errorf("1. %w", err)
		}
		for _, c := range []struct{ file, msg string }{
			{"bundle.go", "feat(catalog): sell product bundles (#261)\n\nRefs: MAG-12"},
			{"cart.go", "fix(cart): keep the cart across logins (#262)\n\nRefs: MAG-15"},
		} {
			if _, err := demo.Commit(f.repo, map[string]string{c.file: "package shop\n"}, c.msg, developer, f.clk.Next()); err != nil {
				return fmt.Errorf("1. commit: %w", err)
			}
		}
		f.say("repository with v1.2.0 and PRs #261 (feat) and #262 (fix) merged on main")
	}

	// 2–4. The first pre-release: PR, merge, tag, staging.
	if err := f.release(2, semver.Beta); err != nil {
		return err
	}

	// 5. Staging testing finds two bugs; their fixes are squash-merged.
	f.step = 5
	if *repoPath == "" {
		for _, c := range []struct{ file, content, msg string }{
			{"cart.go", "package shop\n\n// Totals are rounded.\n", "fix(cart): round totals to the currency's precision (#273)\n\nRefs: MAG-21"},
			{"bundle.go", "package shop\n\n// Bundles are discounted.\n", "fix(catalog): price bundles after discounts (#274)\n\nRefs: MAG-22"},
		} {
			if _, err := demo.Commit(f.repo, map[string]string{c.file: c.content}, c.msg, developer, f.clk.Next()); err != nil {
				return fmt.Errorf("5. commit: %w", err)
			}
		}
		f.say("fixes #273 and #274 merged on main after testing v1.3.0-beta.1 on staging")
	} else {
		f.say("skipped: no demonstration fixes on a real repository")
	}

	// 6–8. The second pre-release.
	if err := f.release(6, semver.Beta); err != nil {
		return err
	}

	// 9–11. The release PR graduates the pre-releases to v1.3.0 with the
	// whole changelog since v1.2.0, and production gets it.
	return f.release(9, "")
}

// release plays one pre-release (channel set) or release (channel empty):
// the PR with the version bump and changelog, its squash merge, the signed
// tag, and the deployment status comment. It uses three step numbers.
func (f *flow) release(step int, ch semver.Channel) error {
	ctx, repo := f.ctx, f.repo
	f.step = step
	kind := "pre-release"
	if ch == "" {
		kind = "release"
	}
	scheme := semver.Scheme{Prefix: "v"}
	tip, err := demo.Head(repo, "main")
	if err != nil {
		return fmt.Errorf("%d. %s PR: %w", step, kind, err)
	}
	var popts []commits.PlanOption
	if ch != "" {
		popts = append(popts, commits.WithChannel(ch))
	}
	plan, err := commits.Next(ctx, repo, tip, scheme, popts...)
	if err != nil {
		return fmt.Errorf("%d. %s PR: next version: %w", step, kind, err)
	}
	if !plan.Releasable && ch != "" && f.real {
		f.say("skipped: no change since %s for another pre-release", plan.Previous.Latest.Tag)
		return nil
	}
	if !plan.Releasable {
		return fmt.Errorf("%d. %s PR: nothing to release since %s", step, kind, plan.Base)
	}
	// A pre-release documents what changed since the previous tag, pre-release
	// included; the release documents everything since the last stable one.
	rel := changelog.Release{Version: plan.Tag, Previous: plan.Base, Date: f.clk.Next(), Commits: plan.Commits}
	if ch != "" && plan.Previous.HasLatest {
		from, err := commits.Resolve(repo, plan.Previous.Latest.Tag)
		if err != nil {
			return fmt.Errorf("%d. %s PR: %w", step, kind, err)
		}
		if rel.Commits, err = changelog.Commits(ctx, repo, commits.Range{From: []plumbing.Hash{from}, To: tip}); err != nil {
			return fmt.Errorf("%d. %s PR: %w", step, kind, err)
		}
		rel.Previous = plan.Previous.Latest.Tag
	}
	notes := changelog.Build(rel)

	// The PR branch: the version bump and the changelog, one commit by the
	// release bot (nobody pushes to main directly).
	pr := f.nextPR
	f.nextPR++
	branch := "release-bot/" + plan.Tag
	if err := demo.Checkout(repo, branch, true); err != nil {
		return fmt.Errorf("%d. %s PR: %w", step, kind, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return fmt.Errorf("%d. %s PR: %w", step, kind, err)
	}
	root := wt.Filesystem.Root()
	if err := changelog.UpdateFile(root, "CHANGELOG.md", []changelog.Notes{notes}); err != nil {
		return fmt.Errorf("%d. %s PR: changelog: %w", step, kind, err)
	}
	title := fmt.Sprintf("chore(release): %s %s", kind, plan.Tag)
	if _, err := demo.Commit(repo, map[string]string{
		"VERSION":      strings.TrimPrefix(plan.Tag, "v") + "\n",
		"CHANGELOG.md": mustRead(filepath.Join(root, "CHANGELOG.md")),
	}, title, releaser, f.clk.Next()); err != nil {
		return fmt.Errorf("%d. %s PR: %w", step, kind, err)
	}
	var body bytes.Buffer
	fmt.Fprintf(&body, ":robot: I have created a %s *beep* *boop*\n\n", kind)
	if err := changelog.Write(&body, notes, changelog.Markdown); err != nil {
		return fmt.Errorf("%d. %s PR: %w", step, kind, err)
	}
	fmt.Fprintf(&body, "\nVersion bump: VERSION = %s. Merging this PR tags %s and deploys it to %s.", strings.TrimPrefix(plan.Tag, "v"), plan.Tag, envOf(ch))
	f.say("%s PR #%d %q from %s, %d change(s); body:", kind, pr, title, branch, entries(notes))
	demo.Quote(f.out, body.String())

	// The squash merge, approved by a reviewer: main gets the PR title.
	f.step++
	merged, err := demo.SquashMerge(repo, "main", branch, fmt.Sprintf("%s (#%d)", title, pr), reviewer, f.clk.Next())
	if err != nil {
		return fmt.Errorf("%d. merge PR #%d: %w", f.step, pr, err)
	}
	// The version is recomputed on the merged commit: it must be the one the
	// PR announced, or a change slipped in between.
	again, err := commits.Next(ctx, repo, merged, scheme, popts...)
	if err != nil || again.Tag != plan.Tag {
		return fmt.Errorf("%d. merge PR #%d: main now calls for %s, the PR announced %s (%v)", f.step, pr, again.Tag, plan.Tag, err)
	}
	if err := f.tag(plan.Tag, merged); err != nil {
		return fmt.Errorf("%d. %w", f.step, err)
	}
	ver, err := tagging.Verify(ctx, repo, plan.Tag, f.verify, f.clk.Next())
	if err != nil {
		return fmt.Errorf("%d. verify %s: %w", f.step, plan.Tag, err)
	}
	f.say("merged PR #%d by %s as %s; tag %s signed, %s signature good (%s)",
		pr, reviewer, merged.String()[:12], ver.Tag, ver.Signer.Format, ver.Signer.Identity)

	// The deployment and the status comment the bot posts on the PR.
	f.step++
	sum := sha256.Sum256([]byte("shop " + plan.Tag + " " + merged.String()))
	comment := fmt.Sprintf("**Deployment status** for %s: :white_check_mark: success\n\n"+
		"| | |\n|---|---|\n| environment | %s |\n| commit | %s |\n| artifact | sha256:%s |\n| tag signature | %s, %s |\n| run | https://ci.example.com/shop/runs/%d |",
		plan.Tag, envOf(ch), merged, hex.EncodeToString(sum[:]), ver.Signer.Format, ver.Signer.Identity, 9000+pr)
	f.say("deployed %s to %s; comment on PR #%d:", plan.Tag, envOf(ch), pr)
	demo.Quote(f.out, comment)
	return nil
}

// tag creates the signed release tag name at target.
func (f *flow) tag(name string, target plumbing.Hash) error {
	_, err := tagging.Create(f.ctx, f.repo, tagging.Request{
		Name: name, Target: target, Message: "Release " + name,
		Tagger: tagging.Identity{Name: releaser, Email: demo.Email(releaser), When: f.clk.Next()},
	}, f.signer)
	if err != nil {
		return fmt.Errorf("tag %s: %w", name, err)
	}
	return nil
}

func envOf(ch semver.Channel) string {
	if ch == "" {
		return "production"
	}
	return "staging"
}

func entries(n changelog.Notes) int {
	k := 0
	for _, s := range n.Sections {
		k += len(s.Entries)
	}
	return k
}

func mustRead(name string) string {
	data, err := os.ReadFile(name)
	if err != nil {
		return ""
	}
	return string(data)
}

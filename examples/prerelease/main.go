// Command prerelease plays the pre-release → release flow of seed
// 000_0ae270b4bf3520f5 ("SOC 2 compliant release workflow") against a real
// forge: a Gitea server it starts on 127.0.0.1, with the people of the seed
// as its users — ada writes the changes, ben reviews and merges them, and
// release-bot plans, signs and publishes the releases.
//
//  1. The repository shop/magento, a Magento 2 application whose
//     composer.json carries the version, is released as v1.2.0 (a signed
//     annotated tag); main is protected: pull requests only, one approval,
//     the ci/test check, stale approvals dismissed, squash merges only.
//  2. ada's feature and fix pull requests, with Conventional Commit titles,
//     pass ci/test, ben approves them and squash-merges them.
//  3. The release bot plans the pre-release PR from git (releasepr.Plan):
//     composer.json and CHANGELOG.md edited, a commit it signs itself
//     (releasepr.Commit), pushed to its branch, the PR opened with the body
//     releasepr writes (forge.Forge.OpenPullRequest).
//  4. ben approves and merges it. On its next run the bot recognises the
//     merged release commit on main (releasepr.Find), tags it (signed),
//     pushes the tag, publishes the forge release (a pre-release for a beta)
//     with its notes, labels the PR, sets the commit status and the
//     deployment status, posts the deployment status comment on the PR and
//     opens or updates the deployment status issue (forge.Forge.UpsertIssue).
//  5. More fixes give v1.3.0-beta.2 the same way; then the release PR
//     v1.3.0, whose release is final and goes to production.
//  6. The bot runs once more: it releases nothing twice (releasepr.Released
//     says v1.3.0 is done; the forge release exists).
//  7. Everything is read back through the forge's API — the releases, the
//     pull requests with their authors, approvers and checks, the comments,
//     the issue, the commit statuses — and the tags are fetched and their
//     signatures verified (tagging.List, tagging.Verify).
//
// It needs the Gitea binary that scripts/build-gitea builds:
//
//	export RELEASEKIT_GITEA_BIN=$(./scripts/build-gitea)
//	go run ./examples/prerelease
//
// or -gitea-bin PATH. The developers' and the bot's git traffic goes over
// HTTP with go-git (no git binary needed); the bot's API calls go through the
// forge/gitea client with the bot's token. In a CI job the bot reads its
// token from the environment (forge.Token("gitea"): RELEASEKIT_GITEA_TOKEN
// or GITEA_TOKEN); here it is the token the server gave its account.
//
// -dir keeps the workspace: the clones (ada/, bot/, audit/), the
// allowed_signers file and the Gitea server's directory (gitea/: its
// app.ini, SQLite database and repositories). -ssh-key signs with that
// OpenSSH private key instead of a new Ed25519 key. There is no -repo: the
// flow needs a forge whose people, protection rules and pull requests it
// controls, so it plays on the repository it creates on its own server.
//
// The output is the same on every run but for what the server or the keys
// make: commit SHAs (Gitea makes the squash commits, at its clock; the
// release commits carry a signature by a new key) and the server's port.
// The test compares it with testdata/want.txt after demotest.Normalize,
// which names each SHA by its order of appearance (<commit-1>, ...) and
// replaces the port.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/internal/testkit/giteatest"
	"github.com/releasekit/releasekit/semver"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "prerelease:", err)
		os.Exit(1)
	}
}

// A starter starts the Gitea server from the binary bin, its work
// directory in dir ("" for a temporary one), and returns it with the
// function that stops it.
type starter func(ctx context.Context, bin, dir string) (*giteatest.Server, func() error, error)

// startGitea starts the server with giteatest.Run.
func startGitea(ctx context.Context, bin, dir string) (*giteatest.Server, func() error, error) {
	var opts []giteatest.Option
	if dir != "" {
		opts = append(opts, giteatest.WithDir(dir))
	}
	s, err := giteatest.Run(ctx, bin, opts...)
	if err != nil {
		return nil, nil, err
	}
	return s, s.Close, nil
}

// run is the whole example. main_test.go calls it (through runWith), so it
// writes to stdout and stderr and returns an error instead of exiting.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runWith(ctx, args, stdout, stderr, startGitea)
}

// runWith is run with the server started by start.
func runWith(ctx context.Context, args []string, stdout, stderr io.Writer, start starter) (err error) {
	fs := flag.NewFlagSet("prerelease", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("gitea-bin", os.Getenv(giteatest.EnvBinary), "the Gitea `binary` (default $"+giteatest.EnvBinary+", built by scripts/build-gitea)")
	keyPath := fs.String("ssh-key", "", "SSH private key that signs the release commits and tags (default: a new Ed25519 key)")
	keep := fs.String("dir", "", "keep the workspace (clones, allowed_signers, the Gitea server's directory) in this directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if err := giteatest.CheckBinary(*bin); err != nil {
		return fmt.Errorf("the Gitea server: %w", err)
	}
	work, cleanup, err := demo.Workspace(*keep, "prerelease-")
	if err != nil {
		return err
	}
	defer cleanup()
	serverDir := ""
	if *keep != "" {
		serverDir = filepath.Join(work, "gitea")
	}
	srv, stop, err := start(ctx, *bin, serverDir)
	if err != nil {
		return fmt.Errorf("the Gitea server: %w", err)
	}
	defer func() { err = errors.Join(err, stop()) }()
	f, err := newFlow(ctx, srv, work, *keyPath, stdout)
	if err != nil {
		return err
	}
	return f.play()
}

// play is the flow, step by step.
func (f *flow) play() error {
	// 1. The server and its people.
	f.say("Gitea on %s: repository %s/%s; %s writes changes, %s reviews and merges, %s releases",
		f.srv.URL, f.srv.Owner, f.srv.Repo, f.srv.Developer.Name, f.srv.Reviewer.Name, f.srv.Bot.Name)

	// 2. v1.2.0, released before the flow starts, and main protected.
	if err := f.initial(); err != nil {
		return fmt.Errorf("%d. %w", f.step, err)
	}

	// 3–4. ada's changes since v1.2.0.
	if err := f.changes(
		change{"feature/MAG-12-bundles", "feat(catalog): sell product bundles", "Refs: MAG-12", "app/code/Shop/Catalog/Bundle.php", "<?php\n// Bundles of products.\n"},
		change{"fix/MAG-15-cart", "fix(cart): keep the cart across logins", "Refs: MAG-15", "app/code/Shop/Cart/Session.php", "<?php\n// The cart outlives the session.\n"},
	); err != nil {
		return err
	}

	// 5–7. The first pre-release: PR, merge, release to staging.
	if err := f.cycle(semver.Beta); err != nil {
		return err
	}

	// 8–9. Testing on staging finds two bugs; their fixes are merged.
	if err := f.changes(
		change{"fix/MAG-21-totals", "fix(cart): round totals to the currency's precision", "Refs: MAG-21", "app/code/Shop/Cart/Totals.php", "<?php\n// Totals are rounded.\n"},
		change{"fix/MAG-22-bundle-price", "fix(catalog): price bundles after discounts", "Refs: MAG-22", "app/code/Shop/Catalog/Bundle.php", "<?php\n// Bundles of products, discounted.\n"},
	); err != nil {
		return err
	}

	// 10–12. The second pre-release.
	if err := f.cycle(semver.Beta); err != nil {
		return err
	}

	// 13–15. The release PR graduates the pre-releases to v1.3.0, with the
	// whole changelog since v1.2.0, and production gets it.
	if err := f.cycle(""); err != nil {
		return err
	}

	// 16. The bot runs again: nothing is released twice.
	f.next()
	rep, err := f.bot.run(f.ctx, "")
	if err != nil {
		return fmt.Errorf("%d. the bot: %w", f.step, err)
	}
	if len(rep.released) > 0 || rep.opened != nil {
		return fmt.Errorf("%d. the bot acted again: %d release(s), PR %v", f.step, len(rep.released), rep.opened)
	}
	for _, d := range rep.done {
		f.say("the bot runs again: nothing to do — %s is released (releasepr.Released: its tag is at %s; the forge release exists)", d.Tag, d.Commit)
	}
	if len(rep.done) == 0 {
		return fmt.Errorf("%d. releasepr.Released found no release on main", f.step)
	}

	// 17. Read it all back through the forge's API.
	f.next()
	return f.readBack()
}

// tick is one minute later than the last fixed time the flow used.
func (f *flow) tick() time.Time { return f.clk.Next() }

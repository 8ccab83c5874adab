// Command revert plays the revert of the release policy (§1.28, "Revert a
// change (safe rollback via Git)"): a change that broke staging is removed
// with `git revert` through a reviewed PR, never by rewriting history. In
// the next release's changelog the change and its revert cancel out, while
// the revert of a change an earlier release shipped is listed as such; the
// release record keeps the incident and the prior artifact's digest as the
// rollback target, and the release is promoted as usual.
//
// With no arguments it builds a throwaway repository, keys and artifacts:
//
//	go run ./examples/revert
//
// -dir keeps the workspace (repository, store, allowed_signers,
// .releasekit.yaml). With -repo PATH and -commit SHA it reverts that commit
// on the main branch of an existing repository and releases the result.
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

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/tagging"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "revert:", err)
		os.Exit(1)
	}
}

const (
	developer = "Ada Developer"
	reviewer  = "Ben Reviewer"
	releaser  = "Release Bot"
	approver  = "Cleo Approver" // approves production changes (separation of duties)
)

// run is the whole example. main_test.go calls it, so it writes to stdout and
// stderr and returns an error instead of exiting.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("revert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	repoPath := fs.String("repo", "", "use this repository (its main branch) instead of a temporary one")
	commitRev := fs.String("commit", "", "with -repo: the commit to revert")
	keyPath := fs.String("ssh-key", "", "SSH private key that signs the tag (default: a new Ed25519 key)")
	keep := fs.String("dir", "", "keep the workspace in this directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if *repoPath != "" && *commitRev == "" {
		return errors.New("-repo needs -commit")
	}
	work, cleanup, err := demo.Workspace(*keep, "revert-")
	if err != nil {
		return err
	}
	defer cleanup()
	say := func(step int, format string, a ...any) {
		fmt.Fprintf(stdout, "%2d. %s\n", step, fmt.Sprintf(format, a...))
	}
	clk := &demo.Clock{}
	if *repoPath != "" {
		clk.T = time.Now().UTC().Truncate(time.Minute)
	}
	scheme := semver.Scheme{Prefix: "v"}

	// 1. Keys, store and repository.
	keys, err := demo.SetupSigning(work, *keyPath)
	if err != nil {
		return fmt.Errorf("1. %w", err)
	}
	tagSigner, tagVerifier := keys.Tag, keys.Verifier(tagging.GitNamespace)
	store, err := manifest.NewDirStore(filepath.Join(work, "store"))
	if err != nil {
		return fmt.Errorf("1. store: %w", err)
	}
	// The release configuration: the order, and who may approve and
	// deploy to prod. Production promotions fail closed without it.
	cfg, err := demo.WriteConfig(work, demo.Team{Approvers: []string{demo.Email(approver)}, Releaser: demo.Email(releaser)})
	if err != nil {
		return fmt.Errorf("1. release configuration: %w", err)
	}
	say(1, "release configuration %s: %s", config.FileName, demo.DescribeConfig(cfg))
	var repo *git.Repository
	now := clk.T
	// promote takes a release dev → staging → prod through the release
	// policy: production inside the change window (REL-WINDOW-001), approved
	// by someone independent of the pull request's author and reviewer
	// (REL-SOD-001), of the complete record (REL-RECORD-001) and of the
	// digest dev and staging ran (REL-DIGEST-001).
	promote := func(rec manifest.Record, digest string, pr int) error {
		gate := policy.Gate{
			Policy: policy.Policy{Controls: []policy.Control{
				policy.ChangeWindow{Windows: []policy.Window{demo.WeeklyWindow(rec.Window)}},
				policy.SeparationOfDuties{},
				policy.RecordComplete{},
				policy.SameDigest{},
			}},
			Facts: policy.Facts{
				PullRequest: &policy.PullRequest{Number: pr, Author: demo.Email(developer), Approvers: []string{demo.Email(reviewer)}},
				Deployment:  &policy.Deployment{Releaser: demo.Email(releaser)},
				Record:      &rec,
			},
		}
		opts := []manifest.Option{
			manifest.WithOrder(cfg.Order()...),
			manifest.WithAuthorizer(cfg),
			manifest.WithClock(func() time.Time { return now }),
			manifest.WithGate(gate),
			manifest.WithTagVerifier(tagging.NewRepoVerifier(repo, tagVerifier)),
		}
		now = clk.T
		for _, env := range cfg.Order() {
			now = now.Add(10 * time.Minute)
			req := manifest.PromoteRequest{Release: rec.Tag, Env: env, Digest: digest, Releaser: demo.Email(releaser)}
			if env == "prod" {
				now = rec.Window.Start.Add(5 * time.Minute)
				req.Approver, req.Reason = demo.Email(approver), "release "+rec.Tag+" approved"
			}
			if _, err := manifest.Promote(ctx, store, req, opts...); err != nil {
				return fmt.Errorf("promote %s to %s: %w", rec.Tag, env, err)
			}
		}
		clk.T = now
		return nil
	}
	release := func(tag string, target plumbing.Hash) error {
		if _, err := tagging.Create(ctx, repo, tagging.Request{
			Name: tag, Target: target, Message: "Release " + tag,
			Tagger: tagging.Identity{Name: releaser, Email: demo.Email(releaser), When: clk.Next()},
		}, tagSigner); err != nil {
			return err
		}
		_, err := tagging.Verify(ctx, repo, tag, tagVerifier, clk.Next())
		return err
	}

	var bad plumbing.Hash
	if *repoPath != "" {
		if repo, err = git.PlainOpen(*repoPath); err != nil {
			return fmt.Errorf("1. open repository: %w", err)
		}
		if err := demo.Checkout(repo, "main", false); err != nil {
			return fmt.Errorf("1. checkout main: %w", err)
		}
		if bad, err = commits.Resolve(repo, *commitRev); err != nil {
			return fmt.Errorf("1. -commit: %w", err)
		}
		say(1, "repository %s: reverting %s on main", *repoPath, bad.String()[:12])
	} else {
		// v2.0.0 shipped a promo banner and runs in production; since then
		// main got dynamic pricing (#501) and save-for-later (#502).
		if repo, err = demo.Init(filepath.Join(work, "repo")); err != nil {
			return fmt.Errorf("1. init: %w", err)
		}
		if _, err := demo.Commit(repo, map[string]string{"pricing.go": "package shop\n\nfunc Price(p int) int { return p }\n"},
			"feat(pricing)!: prices in cents (#480)\n\nRefs: PRC-1", developer, clk.Next()); err != nil {
			return fmt.Errorf("1. commit: %w", err)
		}
		v200, err := demo.Commit(repo, map[string]string{"banner.go": "package shop\n\nconst Banner = \"SALE\"\n"},
			"feat(promo): show a sale banner (#488)\n\nRefs: MKT-3", developer, clk.Next())
		if err != nil {
			return fmt.Errorf("1. commit: %w", err)
		}
		if err := release("v2.0.0", v200); err != nil {
			return fmt.Errorf("1. tag v2.0.0: %w", err)
		}
		rec, digest, err := demo.BuildAndRecord(ctx, work, "shop", "v2.0.0", "v1.9.0", v200, nil, clk)
		if err != nil {
			return fmt.Errorf("1. build v2.0.0: %w", err)
		}
		rec.Tickets, rec.PRs = []string{"PRC-1", "MKT-3"}, []manifest.PR{{Ref: "#480"}, {Ref: "#488"}}
		if err := store.PutRecord(ctx, rec); err != nil {
			return fmt.Errorf("1. record v2.0.0: %w", err)
		}
		if err := promote(rec, digest, 488); err != nil {
			return fmt.Errorf("1. %w", err)
		}
		if bad, err = demo.Commit(repo, map[string]string{
			"pricing.go": "package shop\n\nfunc Price(p int) int { return p * surge() }\n\nfunc surge() int { return 2 }\n",
		}, "feat(pricing): dynamic pricing (#501)\n\nRefs: PRC-9", developer, clk.Next()); err != nil {
			return fmt.Errorf("1. commit: %w", err)
		}
		if _, err := demo.Commit(repo, map[string]string{"later.go": "package shop\n"},
			"feat(cart): save items for later (#502)\n\nRefs: CART-4", developer, clk.Next()); err != nil {
			return fmt.Errorf("1. commit: %w", err)
		}
		say(1, "repository: v2.0.0 (with the sale banner #488) in prod; main has #501 dynamic pricing and #502 save for later")
	}

	// 2. The revert goes through a PR like any change: a branch, `git
	// revert`, review, merge. The incident is noted in the audit log.
	revBranch := "feature/INC-77-revert-dynamic-pricing"
	mainTip, err := demo.Head(repo, "main")
	if err != nil {
		return fmt.Errorf("2. revert: %w", err)
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(revBranch), mainTip)); err != nil {
		return fmt.Errorf("2. revert branch: %w", err)
	}
	reverted, err := demo.Revert(repo, bad, revBranch, developer, clk.Next())
	if err != nil {
		return fmt.Errorf("2. git revert %s: %w", bad.String()[:12], err)
	}
	if err := demo.FastForward(repo, "main", mainTip, reverted); err != nil {
		return fmt.Errorf("2. merge revert PR: %w", err)
	}
	note, err := store.Append(ctx, manifest.Entry{Kind: manifest.KindNote,
		Note: fmt.Sprintf("INC-77: staging checkout errors; reverted %s by %s (PR #503, approved by %s)", bad, reverted, reviewer)})
	if err != nil {
		return fmt.Errorf("2. incident note: %w", err)
	}
	say(2, "reverted %s as %s on %s; PR #503 merged; incident noted as log entry %d", bad.String()[:12], reverted.String()[:12], revBranch, note.Seq)

	if *repoPath == "" {
		// 3. Marketing asks for the sale banner of v2.0.0 to go too: a revert
		// of a change that an earlier release shipped.
		tip := reverted
		banner, err := findPR(ctx, repo, tip, 488)
		if err != nil {
			return fmt.Errorf("3. %w", err)
		}
		if err := demo.Checkout(repo, "main", false); err != nil {
			return fmt.Errorf("3. %w", err)
		}
		rb, err := demo.Revert(repo, banner, "main", developer, clk.Next())
		if err != nil {
			return fmt.Errorf("3. git revert %s: %w", banner.String()[:12], err)
		}
		say(3, "reverted the v2.0.0 banner %s as %s (PR #504)", banner.String()[:12], rb.String()[:12])
	}

	// 4. The next release: the changelog cancels #501 against its revert
	// (both are in this release) and lists the banner's revert, whose target
	// shipped in v2.0.0.
	tip, err := demo.Head(repo, "main")
	if err != nil {
		return fmt.Errorf("4. %w", err)
	}
	plan, err := commits.Next(ctx, repo, tip, scheme)
	if err != nil || !plan.Releasable {
		return fmt.Errorf("4. next version: %v", err)
	}
	notes := changelog.Build(changelog.Release{Version: plan.Tag, Previous: plan.Base, Date: clk.Next(), Commits: plan.Commits})
	var shown []string
	for _, s := range notes.Sections {
		for _, e := range s.Entries {
			shown = append(shown, fmt.Sprintf("%s: %s", s.Title, e.Description))
		}
	}
	if err := demo.Checkout(repo, "main", false); err != nil {
		return fmt.Errorf("4. %w", err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return fmt.Errorf("4. changelog: %w", err)
	}
	if err := changelog.UpdateFile(wt.Filesystem.Root(), "CHANGELOG.md", []changelog.Notes{notes}); err != nil {
		return fmt.Errorf("4. changelog: %w", err)
	}
	if _, err := wt.Add("CHANGELOG.md"); err != nil {
		return fmt.Errorf("4. changelog: %w", err)
	}
	rs := demo.Identity(releaser, clk.Next())
	relCommit, err := wt.Commit("chore(release): "+plan.Tag, &git.CommitOptions{Author: rs, Committer: rs})
	if err != nil {
		return fmt.Errorf("4. changelog: %w", err)
	}
	say(4, "%s from %d commits; changelog shows %q", plan.Tag, len(plan.Commits), shown)

	// 5. The signed tag.
	if err := release(plan.Tag, relCommit); err != nil {
		return fmt.Errorf("5. tag %s: %w", plan.Tag, err)
	}
	say(5, "tag %s at %s signed and verified", plan.Tag, relCommit.String()[:12])

	// 6. The record: the prior release's digest is the rollback target, and
	// the incident is a known issue with its mitigation.
	rec, digest, err := demo.BuildAndRecord(ctx, work, "shop", plan.Tag, plan.Base, relCommit, plan.Commits, clk)
	if err != nil {
		return fmt.Errorf("6. build: %w", err)
	}
	if prev, err := store.Record(ctx, plan.Base); err == nil && len(prev.Artifacts) > 0 {
		rec.Rollback.Digest = prev.Artifacts[0].Digest
	}
	rec.KnownIssues = []string{"INC-77: dynamic pricing (#501) reverted before release; re-land behind a flag"}
	if err := manifest.Check(rec).Err(); err != nil {
		return fmt.Errorf("6. release record: %w", err)
	}
	if err := store.PutRecord(ctx, rec); err != nil {
		return fmt.Errorf("6. release record: %w", err)
	}
	say(6, "release record %s complete; rollback to %s %s", rec.Tag, rec.Rollback.Version, orNone(rec.Rollback.Digest))

	// 7. Promotion, and the log's evidence.
	if err := promote(rec, digest, 503); err != nil { // the revert PR
		return fmt.Errorf("7. %w", err)
	}
	entries, err := manifest.VerifyStore(ctx, store, nil)
	if err != nil {
		return fmt.Errorf("7. verify log: %w", err)
	}
	prod, _ := manifest.Current(entries, "prod")
	say(7, "promoted %s dev → staging → prod (approved by %s inside the window %s); log of %d entries verifies", prod.Release, prod.Approver, prod.Window, len(entries))
	return nil
}

// findPR returns the commit of PR n in the history of tip.
func findPR(ctx context.Context, repo *git.Repository, tip plumbing.Hash, n int) (plumbing.Hash, error) {
	for c, err := range commits.Log(ctx, repo, commits.Range{To: tip}) {
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if c.PR == n && c.Revert == nil {
			return plumbing.NewHash(c.Hash), nil
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("PR #%d not found", n)
}

func orNone(s string) string {
	if s == "" {
		return "(no digest)"
	}
	return s
}

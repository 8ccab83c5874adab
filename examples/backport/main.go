// Command backport plays the backport of the release policy (§1.27,
// "Backport a fix (main → release branch)"): a fix lands on main first; a
// backport/<ticket>-to-X.Y branch off release/X.Y takes it with `git
// cherry-pick -x`; the backport PR links the original PR and commit; the
// release line gets a patch release whose changelog entry is marked with the
// original commit, a signed tag, a release record that names the original,
// and a promotion to production.
//
// With no arguments it builds a throwaway repository, keys and artifacts:
//
//	go run ./examples/backport
//
// -dir keeps the workspace (repository, store, allowed_signers,
// .releasekit.yaml). With -repo PATH and -commit SHA it backports that
// commit of an existing repository to -line X.Y (release/X.Y must exist and
// be tagged).
package main

import (
	"bytes"
	"context"
	"errors"
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
	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/tagging"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "backport:", err)
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
	fs := flag.NewFlagSet("backport", flag.ContinueOnError)
	fs.SetOutput(stderr)
	repoPath := fs.String("repo", "", "use this repository instead of a temporary one")
	commitRev := fs.String("commit", "", "with -repo: the commit on main to backport")
	lineFlag := fs.String("line", "", "with -repo: the release line X.Y to backport to")
	ticket := fs.String("ticket", "SEC-40", "the ticket the backport branch is named after")
	keyPath := fs.String("ssh-key", "", "SSH private key that signs the tag (default: a new Ed25519 key)")
	keep := fs.String("dir", "", "keep the workspace in this directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if *repoPath != "" && (*commitRev == "" || *lineFlag == "") {
		return errors.New("-repo needs -commit and -line")
	}
	work, cleanup, err := demo.Workspace(*keep, "backport-")
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

	// 1. Keys, store and repository: v1.4.0 is released from release/1.4
	// and still supported; main has moved on to v1.5.0.
	keys, err := demo.SetupSigning(work, *keyPath)
	if err != nil {
		return fmt.Errorf("1. %w", err)
	}
	tagSigner, tagVerifier := keys.Tag, keys.Verifier(tagging.GitNamespace)
	store, err := manifest.NewDirStore(filepath.Join(work, "store"))
	if err != nil {
		return fmt.Errorf("1. store: %w", err)
	}
	tag := func(name string, target plumbing.Hash, repo *git.Repository) error {
		_, err := tagging.Create(ctx, repo, tagging.Request{
			Name: name, Target: target, Message: "Release " + name,
			Tagger: tagging.Identity{Name: releaser, Email: demo.Email(releaser), When: clk.Next()},
		}, tagSigner)
		return err
	}

	var repo *git.Repository
	var line semver.Line
	var fix plumbing.Hash
	originalPR := ""
	if *repoPath != "" {
		if repo, err = git.PlainOpen(*repoPath); err != nil {
			return fmt.Errorf("1. open repository: %w", err)
		}
		var ok bool
		if line, ok = semver.LineFromBranch("release/" + *lineFlag); !ok {
			return fmt.Errorf("1. -line %q is not X.Y", *lineFlag)
		}
		if fix, err = commits.Resolve(repo, *commitRev); err != nil {
			return fmt.Errorf("1. -commit: %w", err)
		}
		say(1, "repository %s: backporting %s to release/%s", *repoPath, fix.String()[:12], line)
	} else {
		line = semver.Line{Major: 1, Minor: 4}
		if repo, err = demo.Init(filepath.Join(work, "repo")); err != nil {
			return fmt.Errorf("1. init: %w", err)
		}
		v140, err := demo.Commit(repo, map[string]string{
			"auth.go": "package auth\n\nfunc Valid(expired bool) bool { return true }\n",
		}, "feat(auth): token authentication (#390)\n\nRefs: SEC-1", developer, clk.Next())
		if err != nil {
			return fmt.Errorf("1. commit: %w", err)
		}
		if err := tag("v1.4.0", v140, repo); err != nil {
			return fmt.Errorf("1. tag: %w", err)
		}
		if err := repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName("release/1.4"), v140)); err != nil {
			return fmt.Errorf("1. release branch: %w", err)
		}
		v150, err := demo.Commit(repo, map[string]string{"sessions.go": "package auth\n"},
			"feat(auth): sessions (#405)\n\nRefs: SEC-30", developer, clk.Next())
		if err != nil {
			return fmt.Errorf("1. commit: %w", err)
		}
		if err := tag("v1.5.0", v150, repo); err != nil {
			return fmt.Errorf("1. tag: %w", err)
		}
		say(1, "repository: v1.4.0 on release/1.4 (supported), v1.5.0 on main")

		// 2. The fix lands on main first, through its own PR.
		if fix, err = demo.Commit(repo, map[string]string{
			"auth.go": "package auth\n\nfunc Valid(expired bool) bool { return !expired }\n",
		}, "fix(auth): reject expired tokens (#410)\n\nRefs: SEC-40", developer, clk.Next()); err != nil {
			return fmt.Errorf("2. fix on main: %w", err)
		}
		originalPR = "#410"
		say(2, "fix merged on main first: PR #410 as %s", fix.String()[:12])
	}
	releaseBranch := "release/" + line.String()

	// 3. The backport branch off the release branch, the cherry-pick with
	// provenance, and the PR that links the original.
	bpBranch := fmt.Sprintf("backport/%s-to-%s", *ticket, line)
	base, err := demo.Head(repo, releaseBranch)
	if err != nil {
		return fmt.Errorf("3. backport: %w", err)
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(bpBranch), base)); err != nil {
		return fmt.Errorf("3. backport branch: %w", err)
	}
	picked, err := demo.CherryPick(repo, fix, bpBranch, true, developer, clk.Next())
	if err != nil {
		return fmt.Errorf("3. cherry-pick -x: %w", err)
	}
	fc, err := repo.CommitObject(fix)
	if err != nil {
		return fmt.Errorf("3. backport: %w", err)
	}
	subject, _, _ := strings.Cut(fc.Message, "\n")
	body := fmt.Sprintf("Backport of %s (%s) to %s.\n\nOriginal commit: %s\nCherry-picked with -x; tests: go test ./... passed on %s.\nLabels: backport, backport-%s",
		orDash(originalPR), subject, releaseBranch, fix, bpBranch, line)
	say(3, "%s: cherry-pick -x of %s as %s; PR #411 → %s, body:", bpBranch, fix.String()[:12], picked.String()[:12], releaseBranch)
	demo.Quote(stdout, body)

	// 4. The PR is approved and merged (fast-forward: the backport commit,
	// with its provenance line, is what lands on the release branch).
	if err := repo.Storer.CheckAndSetReference(
		plumbing.NewHashReference(plumbing.NewBranchReferenceName(releaseBranch), picked),
		plumbing.NewHashReference(plumbing.NewBranchReferenceName(releaseBranch), base)); err != nil {
		return fmt.Errorf("4. merge PR #411: %w", err)
	}
	if err := demo.Checkout(repo, releaseBranch, false); err != nil {
		return fmt.Errorf("4. merge PR #411: %w", err)
	}
	say(4, "PR #411 approved by %s and merged into %s", reviewer, releaseBranch)

	// 5. The patch release: the line allows only a patch; the changelog entry
	// is marked with the original commit.
	plan, err := commits.Next(ctx, repo, picked, scheme, commits.WithLine(line))
	if err != nil || !plan.Releasable {
		return fmt.Errorf("5. next version on %s: %v", line, err)
	}
	notes := changelog.Build(changelog.Release{Version: plan.Tag, Previous: plan.Base, Date: clk.Next(), Commits: plan.Commits})
	wt, err := repo.Worktree()
	if err != nil {
		return fmt.Errorf("5. changelog: %w", err)
	}
	if err := changelog.UpdateFile(wt.Filesystem.Root(), "CHANGELOG.md", []changelog.Notes{notes}); err != nil {
		return fmt.Errorf("5. changelog: %w", err)
	}
	if _, err := wt.Add("CHANGELOG.md"); err != nil {
		return fmt.Errorf("5. changelog: %w", err)
	}
	rs := demo.Identity(releaser, clk.Next())
	relCommit, err := wt.Commit("chore(release): "+plan.Tag, &git.CommitOptions{Author: rs, Committer: rs})
	if err != nil {
		return fmt.Errorf("5. changelog: %w", err)
	}
	var md bytes.Buffer
	if err := changelog.Write(&md, notes, changelog.Markdown); err != nil {
		return fmt.Errorf("5. changelog: %w", err)
	}
	say(5, "%s on %s (patch over %s); CHANGELOG.md entry:", plan.Tag, releaseBranch, plan.Base)
	for _, l := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(l, "* ") {
			demo.Quote(stdout, l)
		}
	}

	// 6. The signed tag.
	if _, err := tagging.Create(ctx, repo, tagging.Request{
		Name: plan.Tag, Target: relCommit, Message: "Release " + plan.Tag,
		Tagger: tagging.Identity{Name: releaser, Email: demo.Email(releaser), When: clk.Next()},
	}, tagSigner, tagging.WithRequiredRef(plumbing.NewBranchReferenceName(releaseBranch))); err != nil {
		return fmt.Errorf("6. tag: %w", err)
	}
	ver, err := tagging.Verify(ctx, repo, plan.Tag, tagVerifier, clk.Next())
	if err != nil {
		return fmt.Errorf("6. verify tag: %w", err)
	}
	say(6, "tag %s at %s: %s signature good (%s)", ver.Tag, ver.Commit.String()[:12], ver.Signer.Format, ver.Signer.Identity)

	// 7. The release record links the backport PR to the original PR and
	// commit (§1.27: "link the backport PR to the original PR/commit SHAs").
	rec, digest, err := demo.BuildAndRecord(ctx, work, "auth-service", plan.Tag, plan.Base, relCommit, plan.Commits, clk)
	if err != nil {
		return fmt.Errorf("7. build: %w", err)
	}
	rec.PRs = []manifest.PR{{Ref: "#411", OriginalPR: originalPR, OriginalSHA: fix.String()}}
	rec.Extra = manifest.Extras{"backport_branch": bpBranch, "label": "backport"}
	if err := manifest.Check(rec).Err(); err != nil {
		return fmt.Errorf("7. release record: %w", err)
	}
	if err := store.PutRecord(ctx, rec); err != nil {
		return fmt.Errorf("7. release record: %w", err)
	}
	say(7, "release record %s complete: PR #411 backports %s (%s), artifact %s", rec.Tag, orDash(originalPR), fix.String()[:12], digest)

	// 8. Promotion dev → staging → prod through the release policy:
	// production inside the change window (REL-WINDOW-001), approved by
	// someone independent of the backport PR's author and reviewer
	// (REL-SOD-001), of the complete record (REL-RECORD-001) and of the
	// digest dev and staging ran (REL-DIGEST-001).
	now := clk.T
	gate := policy.Gate{
		Policy: policy.Policy{Controls: []policy.Control{
			policy.ChangeWindow{Windows: []policy.Window{demo.WeeklyWindow(rec.Window)}},
			policy.SeparationOfDuties{},
			policy.RecordComplete{},
			policy.SameDigest{},
		}},
		Facts: policy.Facts{
			PullRequest: &policy.PullRequest{Number: 411, Author: demo.Email(developer), Approvers: []string{demo.Email(reviewer)}, Labels: []string{"backport"}, Head: bpBranch, Base: releaseBranch},
			Deployment:  &policy.Deployment{Releaser: demo.Email(releaser)},
			Record:      &rec,
		},
	}
	// The release configuration: the order, and who may approve and
	// deploy to prod. Production promotions fail closed without it.
	cfg, err := demo.WriteConfig(work, demo.Team{Approvers: []string{demo.Email(approver)}, Releaser: demo.Email(releaser)})
	if err != nil {
		return fmt.Errorf("8. release configuration: %w", err)
	}
	say(8, "release configuration %s: %s", config.FileName, demo.DescribeConfig(cfg))
	opts := []manifest.Option{
		manifest.WithOrder(cfg.Order()...),
		manifest.WithAuthorizer(cfg),
		manifest.WithClock(func() time.Time { return now }),
		manifest.WithGate(gate),
		manifest.WithTagVerifier(tagging.NewRepoVerifier(repo, tagVerifier)),
	}
	for _, env := range cfg.Order() {
		now = now.Add(10 * time.Minute)
		req := manifest.PromoteRequest{Release: rec.Tag, Env: env, Digest: digest, Releaser: demo.Email(releaser)}
		if env == "prod" {
			now = rec.Window.Start.Add(5 * time.Minute)
			req.Approver, req.Reason = demo.Email(approver), "security fix SEC-40 for 1.4 customers"
		}
		if _, err := manifest.Promote(ctx, store, req, opts...); err != nil {
			return fmt.Errorf("8. promote to %s: %w", env, err)
		}
	}
	entries, err := manifest.VerifyStore(ctx, store, nil)
	if err != nil {
		return fmt.Errorf("8. verify log: %w", err)
	}
	prod, _ := manifest.Current(entries, "prod")
	say(8, "promoted %s dev → staging → prod (approved by %s inside the window %s); log of %d entries verifies",
		rec.Tag, prod.Approver, prod.Window, len(entries))
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "the commit"
	}
	return s
}

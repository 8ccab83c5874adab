// Command release-branch plays the standard release of the release policy
// (§1.25, "Cut release branch → stabilize → tag → promote"): release/1.4 is
// cut from main at a recorded cutoff; main moves on; a bug is fixed on main
// first and backported with `git cherry-pick -x` provenance; a feature aimed
// at the release branch is refused (only PATCH moves on a release line); CI
// tags v1.4.0 with an SSH signature, records the release and promotes the
// artifact dev → staging → prod inside the change window, with the release
// policy (policy.Gate) as the promotion gate.
//
// With no arguments it builds a throwaway repository, keys and artifacts:
//
//	go run ./examples/release-branch
//
// -dir keeps the workspace (repository, store, allowed_signers,
// .releasekit.yaml). With -repo PATH it cuts, tags and promotes release/X.Y
// from the main branch of an existing repository (the demonstration commits
// of steps 3–5 are skipped).
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
		fmt.Fprintln(os.Stderr, "release-branch:", err)
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
	fs := flag.NewFlagSet("release-branch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	repoPath := fs.String("repo", "", "use this repository (its main branch) instead of a temporary one")
	keyPath := fs.String("ssh-key", "", "SSH private key that signs the tag (default: a new Ed25519 key)")
	keep := fs.String("dir", "", "keep the workspace in this directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	work, cleanup, err := demo.Workspace(*keep, "release-branch-")
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

	// 1. Keys, the repository and its store. v1.3.0 is released and main has
	// two changes since.
	keys, err := demo.SetupSigning(work, *keyPath)
	if err != nil {
		return fmt.Errorf("1. %w", err)
	}
	tagSigner, tagVerifier := keys.Tag, keys.Verifier(tagging.GitNamespace)
	store, err := manifest.NewDirStore(filepath.Join(work, "store"))
	if err != nil {
		return fmt.Errorf("1. store: %w", err)
	}
	var repo *git.Repository
	if *repoPath != "" {
		if repo, err = git.PlainOpen(*repoPath); err != nil {
			return fmt.Errorf("1. open repository: %w", err)
		}
		if err := demo.Checkout(repo, "main", false); err != nil {
			return fmt.Errorf("1. checkout main: %w", err)
		}
		say(1, "repository %s, branch main", *repoPath)
	} else {
		if repo, err = demo.Init(filepath.Join(work, "repo")); err != nil {
			return fmt.Errorf("1. init: %w", err)
		}
		first, err := demo.Commit(repo, map[string]string{"api.go": "package api\n"},
			"feat(api): orders API (#290)\n\nRefs: API-1", developer, clk.Next())
		if err != nil {
			return fmt.Errorf("1. commit: %w", err)
		}
		if _, err := tagging.Create(ctx, repo, tagging.Request{
			Name: "v1.3.0", Target: first, Message: "Release v1.3.0",
			Tagger: tagging.Identity{Name: releaser, Email: demo.Email(releaser), When: clk.Next()},
		}, tagSigner); err != nil {
			return fmt.Errorf("1. tag v1.3.0: %w", err)
		}
		if _, err := demo.Commit(repo, map[string]string{"export.go": "package api\n\nfunc Export(s string) string { return s }\n"},
			"feat(export): export orders as CSV (#301)\n\nRefs: API-7", developer, clk.Next()); err != nil {
			return fmt.Errorf("1. commit: %w", err)
		}
		if _, err := demo.Commit(repo, map[string]string{"api.go": "package api\n\n// Orders are paged.\n"},
			"fix(api): page past the last order (#302)\n\nRefs: API-8", developer, clk.Next()); err != nil {
			return fmt.Errorf("1. commit: %w", err)
		}
		say(1, "repository with v1.3.0 and PRs #301 (feat), #302 (fix) on main")
	}

	// 2. The cutoff: release/X.Y is cut from main's tip, and the cutoff
	// (commit and time) is recorded in the audit log.
	cutoff, err := demo.Head(repo, "main")
	if err != nil {
		return fmt.Errorf("2. cutoff: %w", err)
	}
	plan, err := commits.Next(ctx, repo, cutoff, scheme)
	if err != nil || !plan.Releasable {
		return fmt.Errorf("2. cutoff: nothing to release on main (%v)", err)
	}
	line := semver.Line{Major: plan.Next.Major(), Minor: plan.Next.Minor()}
	branch := "release/" + line.String()
	if err := repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(branch), cutoff)); err != nil {
		return fmt.Errorf("2. cut %s: %w", branch, err)
	}
	cutAt := clk.Next()
	note, err := store.Append(ctx, manifest.Entry{Kind: manifest.KindNote,
		Note: fmt.Sprintf("cutoff %s at %s (%s) by %s", branch, cutoff, cutAt.Format(time.RFC3339), releaser)})
	if err != nil {
		return fmt.Errorf("2. record cutoff: %w", err)
	}
	say(2, "cut %s at %s; cutoff recorded as log entry %d", branch, cutoff.String()[:12], note.Seq)

	lineOpt := commits.WithLine(line)
	if *repoPath == "" {
		// 3. Main moves on with a feature that is not part of the release.
		if _, err := demo.Commit(repo, map[string]string{"search.go": "package api\n"},
			"feat(search): search orders (#305)\n\nRefs: API-11", developer, clk.Next()); err != nil {
			return fmt.Errorf("3. commit: %w", err)
		}
		say(3, "main gets PR #305 (feat) after the cutoff; %s does not", branch)

		// 4. A bug in the release is fixed on main first, then backported
		// with cherry-pick -x, so the release branch names its origin.
		fix, err := demo.Commit(repo, map[string]string{"export.go": "package api\n\nimport \"strings\"\n\nfunc Export(s string) string { return strings.ReplaceAll(s, \",\", \"\\\\,\") }\n"},
			"fix(export): escape commas in CSV fields (#306)\n\nRefs: API-12", developer, clk.Next())
		if err != nil {
			return fmt.Errorf("4. fix on main: %w", err)
		}
		picked, err := demo.CherryPick(repo, fix, branch, true, reviewer, clk.Next())
		if err != nil {
			return fmt.Errorf("4. backport: %w", err)
		}
		pc, err := repo.CommitObject(picked)
		if err != nil {
			return fmt.Errorf("4. backport: %w", err)
		}
		msg, _ := commits.Parse(pc.Message)
		say(4, "fix #306 on main as %s, backported to %s as %s (cherry picked from %s)",
			fix.String()[:12], branch, picked.String()[:12], msg.CherryPickedFrom[0][:12])

	}

	// 5. The release: the next version on the line, its notes, and the
	// signed tag on the release branch's tip.
	tip, err := demo.Head(repo, branch)
	if err != nil {
		return fmt.Errorf("5. release: %w", err)
	}
	rplan, err := commits.Next(ctx, repo, tip, scheme, lineOpt)
	if err != nil {
		return fmt.Errorf("5. release: %w", err)
	}
	notes := changelog.Build(changelog.Release{Version: rplan.Tag, Previous: rplan.Base, Date: clk.Next(), Commits: rplan.Commits})
	var backports []string
	for _, s := range notes.Sections {
		for _, e := range s.Entries {
			if e.BackportOf != "" {
				backports = append(backports, fmt.Sprintf("%s ← %s", e.Hash[:7], e.BackportOf[:7]))
			}
		}
	}
	if _, err := tagging.Create(ctx, repo, tagging.Request{
		Name: rplan.Tag, Target: tip, Message: "Release " + rplan.Tag,
		Tagger: tagging.Identity{Name: releaser, Email: demo.Email(releaser), When: clk.Next()},
	}, tagSigner, tagging.WithRequiredRef(plumbing.NewBranchReferenceName(branch))); err != nil {
		return fmt.Errorf("5. tag: %w", err)
	}
	ver, err := tagging.Verify(ctx, repo, rplan.Tag, tagVerifier, clk.Next())
	if err != nil {
		return fmt.Errorf("5. verify tag: %w", err)
	}
	say(5, "tag %s on %s at %s: %s signature good (%s); %d commit(s), backports %v",
		ver.Tag, branch, ver.Commit.String()[:12], ver.Signer.Format, ver.Signer.Identity, len(rplan.Commits), backports)

	// 6. The artifact, its SBOM and signed provenance, and the complete
	// release record, with the cutoff and backports in its annotations.
	rec, digest, err := demo.BuildAndRecord(ctx, work, "orders-api", rplan.Tag, rplan.Base, tip, rplan.Commits, clk)
	if err != nil {
		return fmt.Errorf("6. build: %w", err)
	}
	rec.Extra = manifest.Extras{"cutoff": cutoff.String(), "branch": branch}
	if err := manifest.Check(rec).Err(); err != nil {
		return fmt.Errorf("6. release record: %w", err)
	}
	if err := store.PutRecord(ctx, rec); err != nil {
		return fmt.Errorf("6. release record: %w", err)
	}
	say(6, "release record %s complete: artifact %s, SBOM and provenance attached", rec.Tag, digest)

	// 7. Promotion dev → staging → prod of the same digest through the
	// release policy: production inside the change window (REL-WINDOW-001),
	// approved by someone independent of the last pull request's author
	// and reviewer (REL-SOD-001), of the complete record (REL-RECORD-001)
	// and of the digest dev and staging ran (REL-DIGEST-001).
	now := clk.T
	pr := demo.PullRequest(rplan.Commits, demo.Email(reviewer))
	gate := policy.Gate{
		Policy: policy.Policy{Controls: []policy.Control{
			policy.ChangeWindow{Windows: []policy.Window{demo.WeeklyWindow(rec.Window)}},
			policy.SeparationOfDuties{},
			policy.RecordComplete{},
			policy.SameDigest{},
		}},
		Facts: policy.Facts{
			PullRequest: &pr,
			Deployment:  &policy.Deployment{Releaser: demo.Email(releaser)},
			Record:      &rec,
		},
	}
	// The release configuration: the order, and who may approve and
	// deploy to prod. Production promotions fail closed without it.
	cfg, err := demo.WriteConfig(work, demo.Team{Approvers: []string{demo.Email(approver)}, Releaser: demo.Email(releaser)})
	if err != nil {
		return fmt.Errorf("7. release configuration: %w", err)
	}
	say(7, "release configuration %s: %s", config.FileName, demo.DescribeConfig(cfg))
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
			req.Approver, req.Reason = demo.Email(approver), "go/no-go approved, CHG-14"
		}
		e, err := manifest.Promote(ctx, store, req, opts...)
		if err != nil {
			return fmt.Errorf("7. promote to %s: %w", env, err)
		}
		say(7, "promoted %s to %s (log entry %d%s)", rec.Tag, env, e.Seq, approval(e.Promotion))
	}
	entries, err := manifest.VerifyStore(ctx, store, nil)
	if err != nil {
		return fmt.Errorf("7. verify log: %w", err)
	}
	say(7, "log of %d entries (cutoff note and promotions) verifies", len(entries))
	if *repoPath == "" {
		// 8. After v1.4.0 only PATCH moves on the line: a feature proposed
		// for the release branch (PR #308) is refused by the version rule of
		// the line, so it is never merged.
		if err := demo.Checkout(repo, branch, false); err != nil {
			return fmt.Errorf("8. %w", err)
		}
		if err := demo.Checkout(repo, "pr/308", true); err != nil {
			return fmt.Errorf("8. %w", err)
		}
		feat, err := demo.Commit(repo, map[string]string{"bulk.go": "package api\n"},
			"feat(export): bulk export (#308)\n\nRefs: API-13", developer, clk.Next())
		if err != nil {
			return fmt.Errorf("8. commit: %w", err)
		}
		_, err = commits.Next(ctx, repo, feat, scheme, lineOpt)
		if !errors.Is(err, semver.ErrNotPatch) {
			return fmt.Errorf("8. feature on %s: want semver.ErrNotPatch, got %v", branch, err)
		}
		say(8, "PR #308 (feat) into %s refused: %v", branch, err)
	}
	return nil
}

func approval(p *manifest.Promotion) string {
	if p.Approver == "" {
		return ""
	}
	return fmt.Sprintf(", approved by %s inside the window %s", p.Approver, p.Window)
}

// Command hotfix plays the hotfix of the release policy (§1.26, "Hotfix from
// production → deploy → forward-port"): production runs v1.4.2, as the
// promotion log says; main has moved on since. A hotfix/1.4.3-INC123 branch
// is cut from the production tag, not from main; the fix is released as the
// next patch of the line, v1.4.3, with a signed tag, an SBOM, signed
// provenance and a release record that names the incident and the release
// it repairs. It goes to production at night, outside the change window,
// as an emergency change (§1.13.3.3, Exception): the release policy refuses
// it without a complete emergency-change record. Last, the fix is
// forward-ported to main with `git cherry-pick -x`; the policy's
// forward-port control (REL-HOTFIX-002) fails before and passes after.
//
// With no arguments it builds a throwaway repository, keys and artifacts:
//
//	go run ./examples/hotfix
//
// -dir keeps the workspace (repository, store, policy reports, artifacts,
// allowed_signers, .releasekit.yaml). With -repo PATH and -branch
// hotfix/X.Y.Z-TICKET it releases that hotfix branch of an existing
// repository (cut from the release tag it repairs) and forward-ports its
// commits to main; the demonstration commits of steps 1 and 3 are skipped,
// and the new store first promotes the release the branch repairs to
// production. -ssh-key names the tag signing key (a new key is generated
// otherwise); with -repo, it must be the key that signed the release the
// branch repairs, since a production promotion whose tag does not verify
// is refused.
//
// Every promotion reads the team's release configuration (.releasekit.yaml,
// package config): the promotion order, who may approve prod and who may
// deploy there. Production fails closed without it.
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
	"regexp"
	"slices"
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
		fmt.Fprintln(os.Stderr, "hotfix:", err)
		os.Exit(1)
	}
}

// The people of the example. Separation of duties (§1.13.3.3): the fix's
// author, its code reviewer and the releaser never approve production; the
// change approver does, and approves the emergency change too.
const (
	developer = "Ada Developer"
	reviewer  = "Ben Reviewer"
	releaser  = "Release Bot"
	approver  = "Cleo Approver"
)

// The keys of manifest.Record.Extra that the audit package reads
// (audit.ExtraIncident, audit.ExtraHotfixFor): the incident a release
// responds to, and the production release a hotfix repairs.
const (
	extraIncident  = "incident"
	extraHotfixFor = "hotfix_for"
)

// run is the whole example. main_test.go calls it, so it writes to stdout and
// stderr and returns an error instead of exiting.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hotfix", flag.ContinueOnError)
	fs.SetOutput(stderr)
	repoPath := fs.String("repo", "", "use this repository instead of a temporary one")
	branchFlag := fs.String("branch", "", "with -repo: the hotfix branch to release, hotfix/X.Y.Z-TICKET")
	keyPath := fs.String("ssh-key", "", "SSH private key that signs the tag (default: a new Ed25519 key)")
	keep := fs.String("dir", "", "keep the workspace in this directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if *repoPath != "" && *branchFlag == "" {
		return errors.New("-repo needs -branch hotfix/X.Y.Z-TICKET")
	}
	work, cleanup, err := demo.Workspace(*keep, "hotfix-")
	if err != nil {
		return err
	}
	defer cleanup()
	if err := os.MkdirAll(filepath.Join(work, "policy"), 0o755); err != nil {
		return err
	}
	say := func(step int, format string, a ...any) {
		fmt.Fprintf(stdout, "%2d. %s\n", step, fmt.Sprintf(format, a...))
	}
	clk := &demo.Clock{}
	if *repoPath != "" {
		clk.T = time.Now().UTC().Truncate(time.Minute)
	}
	scheme := semver.Scheme{Prefix: "v"}

	// 1. Keys, store and repository: v1.4.2 is released (signed tag) and
	// main has moved on with a feature that is not released yet.
	keys, err := demo.SetupSigning(work, *keyPath)
	if err != nil {
		return fmt.Errorf("1. %w", err)
	}
	tagSigner, tagVerifier := keys.Tag, keys.Verifier(tagging.GitNamespace)
	store, err := manifest.NewDirStore(filepath.Join(work, "store"))
	if err != nil {
		return fmt.Errorf("1. store: %w", err)
	}
	tag := func(repo *git.Repository, name, message string, target plumbing.Hash, opts ...tagging.Option) error {
		_, err := tagging.Create(ctx, repo, tagging.Request{
			Name: name, Target: target, Message: message,
			Tagger: tagging.Identity{Name: releaser, Email: demo.Email(releaser), When: clk.Next()},
		}, tagSigner, opts...)
		return err
	}

	var repo *git.Repository
	branch := *branchFlag
	if *repoPath != "" {
		if repo, err = git.PlainOpen(*repoPath); err != nil {
			return fmt.Errorf("1. open repository: %w", err)
		}
		say(1, "repository %s: releasing %s", *repoPath, branch)
	} else {
		branch = "hotfix/1.4.3-INC123"
		if repo, err = demo.Init(filepath.Join(work, "repo")); err != nil {
			return fmt.Errorf("1. init: %w", err)
		}
		v141, err := demo.Commit(repo, map[string]string{
			"charge.go": "package payments\n\n// Charge charges card once.\nfunc Charge(card string) error { return charge(card) }\n\nfunc charge(string) error { return nil }\n",
		}, "fix(payments): round amounts to cents (#112)\n\nRefs: PAY-12", developer, clk.Next())
		if err != nil {
			return fmt.Errorf("1. commit: %w", err)
		}
		if err := tag(repo, "v1.4.1", "Release v1.4.1", v141); err != nil {
			return fmt.Errorf("1. tag v1.4.1: %w", err)
		}
		v142, err := demo.Commit(repo, map[string]string{
			"charge.go": "package payments\n\n// Charge charges card; a declined card is retried once.\nfunc Charge(card string) error {\n\tcharge(card)\n\treturn charge(card)\n}\n\nfunc charge(string) error { return nil }\n",
		}, "fix(payments): retry declined cards once (#117)\n\nRefs: PAY-17", developer, clk.Next())
		if err != nil {
			return fmt.Errorf("1. commit: %w", err)
		}
		if err := tag(repo, "v1.4.2", "Release v1.4.2", v142); err != nil {
			return fmt.Errorf("1. tag v1.4.2: %w", err)
		}
		if _, err := demo.Commit(repo, map[string]string{"wallet.go": "package payments\n\n// PayWithWallet charges a wallet.\nfunc PayWithWallet(id string) error { return nil }\n"},
			"feat(payments): pay with a wallet (#130)\n\nRefs: PAY-30", developer, clk.Next()); err != nil {
			return fmt.Errorf("1. commit: %w", err)
		}
		say(1, "repository: v1.4.2 signed at %s; main has moved on with PR #130 (feat, unreleased)", v142.String()[:12])
	}

	// The hotfix branch names its line, its version and its ticket:
	// hotfix/<major>.<minor>.<patch>-<ticket> (§1.26.2).
	line, ok := semver.LineFromBranch(branch)
	version, ticket, _ := strings.Cut(strings.TrimPrefix(branch, "hotfix/"), "-")
	want, err := semver.Parse(version)
	if !ok || !strings.HasPrefix(branch, "hotfix/") || err != nil || ticket == "" {
		return fmt.Errorf("%q is not a hotfix branch hotfix/X.Y.Z-TICKET", branch)
	}
	prodTag, product := "v1.4.2", "payments"
	if *repoPath != "" {
		product = filepath.Base(filepath.Clean(*repoPath))
		// The release the branch repairs: the latest release of its line
		// that the branch holds.
		tip, err := demo.Head(repo, branch)
		if err != nil {
			return fmt.Errorf("1. %w", err)
		}
		plan, err := commits.Next(ctx, repo, tip, scheme, commits.WithLine(line))
		if err != nil {
			return fmt.Errorf("1. release of %s: %w", branch, err)
		}
		if plan.Base == "" {
			return fmt.Errorf("1. %s holds no release of line %s to repair", branch, line)
		}
		prodTag = plan.Base
	}

	// 2. Production runs v1.4.2: its record, and its promotion dev →
	// staging → prod through the release policy, inside the change window.
	// Then the release to repair is read from the log, not from memory.
	prodCommit, err := commits.Resolve(repo, prodTag)
	if err != nil {
		return fmt.Errorf("2. %w", err)
	}
	pc, err := repo.CommitObject(prodCommit)
	if err != nil {
		return fmt.Errorf("2. %w", err)
	}
	pmsg, _ := commits.Parse(pc.Message)
	previous := "none"
	if pc.NumParents() > 0 {
		pp, err := commits.Next(ctx, repo, pc.ParentHashes[0], scheme)
		if err != nil {
			return fmt.Errorf("2. %w", err)
		}
		if pp.Base != "" {
			previous = pp.Base
		}
	}
	prodBuild, err := demo.BuildRelease(ctx, work, product, prodTag, previous, prodCommit,
		[]commits.Commit{{Hash: prodCommit.String(), Message: pmsg}}, clk)
	if err != nil {
		return fmt.Errorf("2. build %s: %w", prodTag, err)
	}
	if len(prodBuild.Record.Tickets) == 0 {
		// With -repo, a release made before this store existed may name no
		// ticket; its record says where it was reconstructed from.
		prodBuild.Record.Tickets = []string{"recorded from tag " + prodTag}
	}
	if err := store.PutRecord(ctx, prodBuild.Record); err != nil {
		return fmt.Errorf("2. record %s: %w", prodTag, err)
	}
	// The release configuration: the order, and who may approve and
	// deploy to prod. Production promotions fail closed without it.
	cfg, err := demo.WriteConfig(work, demo.Team{Approvers: []string{demo.Email(approver)}, Releaser: demo.Email(releaser)})
	if err != nil {
		return fmt.Errorf("2. release configuration: %w", err)
	}
	say(2, "release configuration %s: %s", config.FileName, demo.DescribeConfig(cfg))
	now := clk.T
	// opts are the promotion options: the configuration's order and access
	// policy, the clock, the gate, and the check of the release tag's
	// signature against allowed_signers (with -repo too: a production
	// release whose tag does not verify is refused).
	opts := func(gate policy.Gate) []manifest.Option {
		return []manifest.Option{
			manifest.WithOrder(cfg.Order()...),
			manifest.WithAuthorizer(cfg),
			manifest.WithClock(func() time.Time { return now }),
			manifest.WithGate(gate),
			manifest.WithTagVerifier(tagging.NewRepoVerifier(repo, tagVerifier)),
		}
	}
	prodRec := prodBuild.Record
	prodGate := releaseGate(prodRec, policy.PullRequest{Number: pmsg.PR, Author: pc.Author.Email, Approvers: []string{demo.Email(reviewer)}}, nil)
	for _, env := range cfg.Order() {
		now = now.Add(10 * time.Minute)
		req := manifest.PromoteRequest{Release: prodTag, Env: env, Digest: prodBuild.Digest, Releaser: demo.Email(releaser)}
		if env == "prod" {
			now = prodRec.Window.Start.Add(5 * time.Minute)
			req.Approver, req.Reason = demo.Email(approver), "release "+prodTag+" approved, CHG-21"
		}
		if _, err := manifest.Promote(ctx, store, req, opts(prodGate)...); err != nil {
			return fmt.Errorf("2. promote %s to %s: %w", prodTag, env, err)
		}
	}
	entries, err := manifest.VerifyStore(ctx, store, nil)
	if err != nil {
		return fmt.Errorf("2. verify log: %w", err)
	}
	cur, ok := manifest.Current(entries, "prod")
	if !ok {
		return errors.New("2. nothing runs in prod")
	}
	running, err := store.Record(ctx, cur.Release)
	if err != nil {
		return fmt.Errorf("2. record of %s: %w", cur.Release, err)
	}
	if running.Commit != prodCommit.String() || cur.Release != prodTag {
		return fmt.Errorf("2. prod runs %s at %s, not %s at %s", cur.Release, running.Commit, prodTag, prodCommit)
	}
	say(2, "%s promoted dev → staging → prod (approved by %s inside the window %s)", prodTag, cur.Approver, cur.Window)
	if *repoPath != "" {
		say(2, "prod runs %s %s per the log; tag %s → %s", cur.Release, cur.Digest, prodTag, prodCommit.String()[:12])
	} else {
		pver, err := tagging.Verify(ctx, repo, cur.Release, tagVerifier, now)
		if err != nil {
			return fmt.Errorf("2. verify %s: %w", cur.Release, err)
		}
		say(2, "prod runs %s %s per the log; tag %s → %s, %s signature good (%s)",
			cur.Release, cur.Digest, pver.Tag, pver.Commit.String()[:12], pver.Signer.Format, pver.Signer.Identity)
	}

	// 3. The incident, at night: the hotfix branch is cut from the
	// production tag (git checkout -b hotfix/1.4.3-INC123 v1.4.2), never from
	// main, and gets the minimal fix through a reviewed PR.
	incident := prodRec.Window.Start.Truncate(24 * time.Hour).Add(24*time.Hour + 2*time.Hour) // the next night, 02:00
	if *repoPath != "" {
		tip, err := demo.Head(repo, branch)
		if err != nil {
			return fmt.Errorf("3. %w", err)
		}
		say(3, "%s at %s", branch, tip.String()[:12])
	} else {
		clk.T = incident
		if err := repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(branch), prodCommit)); err != nil {
			return fmt.Errorf("3. cut %s: %w", branch, err)
		}
		if err := demo.Checkout(repo, branch, false); err != nil {
			return fmt.Errorf("3. cut %s: %w", branch, err)
		}
		fix, err := demo.Commit(repo, map[string]string{
			"charge.go": "package payments\n\n// Charge charges card; a declined card is retried once, an accepted one\n// never.\nfunc Charge(card string) error {\n\tif err := charge(card); err == nil {\n\t\treturn nil\n\t}\n\treturn charge(card)\n}\n\nfunc charge(string) error { return nil }\n",
		}, "fix(payments): charge a retried card only once (#131)\n\nA card was charged again even when the first attempt went through.\n\nRefs: INC123", developer, clk.Next())
		if err != nil {
			return fmt.Errorf("3. fix: %w", err)
		}
		say(3, "%s at %s: %s cut from %s (%s); fix %s by %s, PR #131 approved by %s",
			ticket, incident.Format("Mon 15:04"), branch, prodTag, prodCommit.String()[:12], fix.String()[:12], developer, reviewer)
	}

	// 4. The next version: a hotfix branch is a patch line, so only a patch
	// may follow, and it must be the version the branch is named after.
	tip, err := demo.Head(repo, branch)
	if err != nil {
		return fmt.Errorf("4. %w", err)
	}
	plan, err := commits.Next(ctx, repo, tip, scheme, commits.WithLine(line))
	if err != nil {
		return fmt.Errorf("4. next version on %s: %w", branch, err)
	}
	if !plan.Releasable || plan.Tag != scheme.Format(want) || plan.Base != prodTag {
		return fmt.Errorf("4. %s names %s over %s, the commits call for %s over %s", branch, scheme.Format(want), prodTag, plan.Tag, plan.Base)
	}
	notes := changelog.Build(changelog.Release{Version: plan.Tag, Previous: plan.Base, Date: clk.Next(), Commits: plan.Commits})
	var md bytes.Buffer
	if err := changelog.Write(&md, notes, changelog.Markdown); err != nil {
		return fmt.Errorf("4. release notes: %w", err)
	}
	say(4, "next version %s on line %s (patch over %s, %d commit(s)), as %s says; release notes:",
		plan.Tag, line, plan.Base, len(plan.Commits), branch)
	for _, l := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(l, "* ") {
			demo.Quote(stdout, l)
		}
	}

	// 5. The signed tag, on the hotfix branch's tip and nowhere else.
	if err := tag(repo, plan.Tag, "Hotfix "+plan.Tag+" ("+ticket+")", tip,
		tagging.WithRequiredRef(plumbing.NewBranchReferenceName(branch))); err != nil {
		return fmt.Errorf("5. tag: %w", err)
	}
	ver, err := tagging.Verify(ctx, repo, plan.Tag, tagVerifier, clk.Next())
	if err != nil {
		return fmt.Errorf("5. verify tag: %w", err)
	}
	say(5, "tag %s → %s on %s: %s signature good (%s)", ver.Tag, ver.Commit.String()[:12], branch, ver.Signer.Format, ver.Signer.Identity)

	// 6. One artifact, its SBOM and signed provenance, and the release
	// record: the incident, the release it repairs, and that release's
	// artifact as the rollback target.
	b, err := demo.BuildRelease(ctx, work, product, plan.Tag, plan.Base, tip, plan.Commits, clk)
	if err != nil {
		return fmt.Errorf("6. build: %w", err)
	}
	rec := b.Record
	if !slices.Contains(rec.Tickets, ticket) {
		rec.Tickets = append(rec.Tickets, ticket)
	}
	rec.Rollback = manifest.RollbackPlan{Method: "redeploy the production artifact of " + prodTag, Version: prodTag, Digest: cur.Digest}
	rec.Extra = manifest.Extras{extraIncident: ticket, extraHotfixFor: prodTag}
	if err := manifest.Check(rec).Err(); err != nil {
		return fmt.Errorf("6. release record: %w", err)
	}
	if err := store.PutRecord(ctx, rec); err != nil {
		return fmt.Errorf("6. release record: %w", err)
	}
	say(6, "artifact %s %s; SBOM and provenance signed and verified (builder %s)", rec.Artifacts[0].Name, b.Digest, b.Builder)
	say(6, "release record %s complete: %s %s, %s %s, tickets %v, rollback to %s",
		rec.Tag, extraIncident, rec.Extra[extraIncident], extraHotfixFor, rec.Extra[extraHotfixFor], rec.Tickets, rec.Rollback.Version)

	// 7. Promotion dev → staging → prod, at night. The release policy
	// refuses production outside the window (REL-WINDOW-001) unless the
	// request carries an emergency-change record, which manifest requires
	// complete: reason, scope, approver, rollback plan and follow-up
	// (§1.13.3.3, Exception). The gate also checks that the hotfix was cut
	// from the production tag (REL-HOTFIX-001).
	hf, err := hotfixFacts(ctx, repo, branch, prodTag)
	if err != nil {
		return fmt.Errorf("7. %w", err)
	}
	hotfixGate := releaseGate(rec, demo.PullRequest(plan.Commits, demo.Email(reviewer)), hf)
	now = incident.Add(20 * time.Minute)
	for _, env := range []string{"dev", "staging"} {
		now = now.Add(10 * time.Minute)
		e, err := manifest.Promote(ctx, store, manifest.PromoteRequest{Release: rec.Tag, Env: env, Digest: b.Digest, Releaser: demo.Email(releaser)}, opts(hotfixGate)...)
		if err != nil {
			return fmt.Errorf("7. promote to %s: %w", env, err)
		}
		say(7, "promoted %s to %s (log entry %d)", rec.Tag, env, e.Seq)
	}
	req := manifest.PromoteRequest{Release: rec.Tag, Env: "prod", Digest: b.Digest, Approver: demo.Email(approver), Reason: ticket + ": stop double charges", Releaser: demo.Email(releaser)}
	now = now.Add(10 * time.Minute)
	_, err = manifest.Promote(ctx, store, req, opts(hotfixGate)...)
	var denied *policy.DeniedError
	if !errors.As(err, &denied) {
		return fmt.Errorf("7. prod outside the window: want a policy refusal, got %v", err)
	}
	say(7, "prod at %s without an emergency-change record refused by %s", now.Format("15:04"), demo.Refusal(denied))
	emergency := &manifest.EmergencyChange{
		ID:           "CHG-E-" + ticket,
		Reason:       ticket + ": customers charged twice when a declined card is retried; " + prodTag + " is in production",
		Scope:        product + " " + rec.Tag + ": the fix of " + branch + " only, to prod",
		Approver:     demo.Email(approver),
		RollbackPlan: "redeploy " + prodTag + " " + cur.Digest + " (no rebuild)",
	}
	if *repoPath != "" {
		emergency.Reason = ticket + ": " + plan.Commits[0].Description + "; " + prodTag + " is in production"
	}
	req.Emergency = emergency
	now = now.Add(2 * time.Minute)
	if _, err = manifest.Promote(ctx, store, req, opts(hotfixGate)...); !errors.Is(err, manifest.ErrApprovalRequired) {
		return fmt.Errorf("7. prod with an incomplete emergency record: want manifest.ErrApprovalRequired, got %v", err)
	}
	say(7, "prod with an emergency-change record lacking the follow-up refused: %v", err)
	emergency.FollowUp = "forward-port the fix to main the same day; post-incident review of " + ticket
	now = now.Add(3 * time.Minute)
	e, err := manifest.Promote(ctx, store, req, opts(hotfixGate)...)
	if err != nil {
		return fmt.Errorf("7. promote to prod: %w", err)
	}
	em := e.Promotion.Emergency
	say(7, "promoted %s to prod at %s as emergency change %s approved by %s, outside every window (log entry %d):",
		rec.Tag, e.Promotion.RequestedAt.Format("15:04"), em.ID, em.Approver, e.Seq)
	demo.Quote(stdout, "reason: "+em.Reason+"\nscope: "+em.Scope+"\nrollback plan: "+em.RollbackPlan+"\nfollow-up: "+em.FollowUp)

	// 8. The policy on the hotfix before the forward-port: cut from the
	// production tag (REL-HOTFIX-001) but not on main (REL-HOTFIX-002).
	hotfixPolicy := policy.Policy{Controls: []policy.Control{policy.HotfixFromTag{}, policy.ForwardPort{}}}
	report := policy.Evaluate(ctx, hotfixPolicy, policy.Facts{Now: now, Range: prodTag + ".." + branch, Hotfix: hf})
	if err := writeReport(filepath.Join(work, "policy", "before-forward-port.json"), report); err != nil {
		return fmt.Errorf("8. %w", err)
	}
	if report.Err() == nil {
		return errors.New("8. the forward-port control passes before the forward-port")
	}
	say(8, "policy before the forward-port (policy/before-forward-port.json):")
	printReport(stdout, report)

	// 9. The forward-port: each hotfix commit, oldest first, is
	// cherry-picked with -x onto a branch off main, and the PR that takes
	// it to main is reviewed and merged.
	fpBranch := "forwardport/" + ticket + "-to-main"
	mainTip, err := demo.Head(repo, "main")
	if err != nil {
		return fmt.Errorf("9. %w", err)
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(fpBranch), mainTip)); err != nil {
		return fmt.Errorf("9. %s: %w", fpBranch, err)
	}
	var picks []string
	var last plumbing.Hash
	for _, c := range slices.Backward(hf.Commits) {
		if len(c.Parents) > 1 {
			continue
		}
		if last, err = demo.CherryPick(repo, plumbing.NewHash(c.Hash), fpBranch, true, developer, clk.Next()); err != nil {
			return fmt.Errorf("9. cherry-pick -x %s: %w", c.Hash[:12], err)
		}
		picks = append(picks, c.Hash[:12]+" as "+last.String()[:12])
	}
	if err := demo.FastForward(repo, "main", mainTip, last); err != nil {
		return fmt.Errorf("9. merge the forward-port PR: %w", err)
	}
	lc, err := repo.CommitObject(last)
	if err != nil {
		return fmt.Errorf("9. %w", err)
	}
	msgLines := strings.Split(strings.TrimRight(lc.Message, "\n"), "\n")
	say(9, "%s: cherry-pick -x of %s; PR approved by %s and merged into main, which now ends with:",
		fpBranch, strings.Join(picks, ", "), reviewer)
	demo.Quote(stdout, msgLines[len(msgLines)-1])

	// 10. The policy after the forward-port: both hotfix controls pass.
	hf, err = hotfixFacts(ctx, repo, branch, prodTag)
	if err != nil {
		return fmt.Errorf("10. %w", err)
	}
	report = policy.Evaluate(ctx, hotfixPolicy, policy.Facts{Now: now, Range: prodTag + ".." + branch, Hotfix: hf})
	if err := writeReport(filepath.Join(work, "policy", "after-forward-port.json"), report); err != nil {
		return fmt.Errorf("10. %w", err)
	}
	if err := report.Err(); err != nil {
		return fmt.Errorf("10. policy after the forward-port: %w", err)
	}
	say(10, "policy after the forward-port (policy/after-forward-port.json):")
	printReport(stdout, report)

	// 11. The evidence: the log's hash chain verifies and prod runs the
	// hotfix's digest, under its emergency-change record.
	entries, err = manifest.VerifyStore(ctx, store, nil)
	if err != nil {
		return fmt.Errorf("11. verify log: %w", err)
	}
	cur, ok = manifest.Current(entries, "prod")
	if !ok || cur.Release != rec.Tag || cur.Digest != b.Digest || cur.Emergency == nil {
		return fmt.Errorf("11. prod does not run %s under an emergency change", rec.Tag)
	}
	say(11, "log of %d entries verifies; prod runs %s %s under %s", len(entries), cur.Release, cur.Digest, cur.Emergency.ID)
	return nil
}

// releaseGate is the release policy as the promotion gate of rec: the
// change window (the weekly window that holds the record's planned one,
// REL-WINDOW-001), separation of duties between the pull request and the
// production approver (REL-SOD-001), a complete record (REL-RECORD-001),
// the same digest in every environment (REL-DIGEST-001) and, for a hotfix,
// a branch cut from the production tag (REL-HOTFIX-001). The decision is
// bound to rec (REL-GATE-001).
func releaseGate(rec manifest.Record, pr policy.PullRequest, hf *policy.Hotfix) policy.Gate {
	controls := []policy.Control{
		policy.ChangeWindow{Windows: []policy.Window{demo.WeeklyWindow(rec.Window)}},
		policy.SeparationOfDuties{},
		policy.RecordComplete{},
		policy.SameDigest{},
	}
	if hf != nil {
		controls = append(controls, policy.HotfixFromTag{})
	}
	return policy.Gate{
		Policy: policy.Policy{Controls: controls},
		Facts: policy.Facts{
			PullRequest: &pr,
			Deployment:  &policy.Deployment{Releaser: demo.Email(releaser)},
			Record:      &rec,
			Hotfix:      hf,
		},
	}
}

// hotfixFacts gathers what the hotfix controls read (policy.Hotfix): the
// production tag's commit, where branch forks from main, the hotfix commits
// since the tag, and main's commits since the fork point.
func hotfixFacts(ctx context.Context, repo *git.Repository, branch, prodTag string) (*policy.Hotfix, error) {
	prod, err := commits.Resolve(repo, prodTag)
	if err != nil {
		return nil, err
	}
	tip, err := demo.Head(repo, branch)
	if err != nil {
		return nil, err
	}
	mainTip, err := demo.Head(repo, "main")
	if err != nil {
		return nil, err
	}
	tc, err := repo.CommitObject(tip)
	if err != nil {
		return nil, err
	}
	mc, err := repo.CommitObject(mainTip)
	if err != nil {
		return nil, err
	}
	bases, err := tc.MergeBase(mc)
	if err != nil {
		return nil, err
	}
	if len(bases) == 0 {
		return nil, fmt.Errorf("%s and main have no common commit", branch)
	}
	h := &policy.Hotfix{
		Branch: branch, ProductionTag: prodTag, ProductionCommit: prod.String(), ForkPoint: bases[0].Hash.String(),
		Commits: []commits.Commit{}, Main: []commits.Commit{},
	}
	for c, err := range commits.Log(ctx, repo, commits.Range{From: []plumbing.Hash{prod}, To: tip}) {
		if err != nil {
			return nil, err
		}
		h.Commits = append(h.Commits, c)
	}
	for c, err := range commits.Log(ctx, repo, commits.Range{From: []plumbing.Hash{bases[0].Hash}, To: mainTip}) {
		if err != nil {
			return nil, err
		}
		h.Main = append(h.Main, c)
	}
	return h, nil
}

// writeReport keeps a policy report as JSON evidence.
func writeReport(path string, r policy.Report) error {
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

var fullSHA = regexp.MustCompile(`\b[0-9a-f]{40}\b`)

// printReport prints one line per control: its ID, status and reason, and
// what it found about each commit, with commit names shortened.
func printReport(w io.Writer, r policy.Report) {
	var b strings.Builder
	for _, res := range r.Results {
		fmt.Fprintf(&b, "%s %s: %s\n", res.Control.ID, res.Status, res.Reason)
		for _, e := range res.Evidence {
			if e.Kind == "commit" && e.Note != "" {
				fmt.Fprintf(&b, "  commit %s: %s\n", e.Value, e.Note)
			}
		}
	}
	demo.Quote(w, fullSHA.ReplaceAllStringFunc(b.String(), func(s string) string { return s[:12] }))
}

// Command normal-change plays the normal change of the release policy
// (§1.24, "Feature → PR → merge → deploy"): a feature branch is squash-merged
// into main, the next version is computed from the Conventional Commits since
// the last release, the changelog is updated, CI tags the release with an SSH
// signature, builds one artifact with its SBOM and signed provenance, records
// the release, and promotes that same artifact dev → staging → prod through
// the release policy as the promotion gate (policy.Gate): the change window
// and separation of duties refuse a production promotion, naming the control.
//
// With no arguments it builds a throwaway repository, keys and artifacts:
//
//	go run ./examples/normal-change
//
// With -repo PATH it releases the HEAD of an existing repository instead
// (steps 1–3, which fake the pull request, are skipped); -ssh-key names the
// tag signing key (a new key is generated otherwise) and -dir keeps the
// evidence (store, artifacts, allowed_signers, .releasekit.yaml) in a
// directory of your choice.
//
// The promotions read the team's release configuration (.releasekit.yaml,
// package config): the promotion order, who may approve prod and who may
// deploy there, and the CI system whose OIDC ID tokens say who acts.
// Production fails closed: without it, with an approver it does not list,
// or with an identity typed rather than verified from a CI token, prod is
// refused.
//
// Every attempt is evidence: each refusal is logged as a denied entry,
// beside the promotions, in the same hash chain; the deploy job reports the
// outcome of the production deployment (started, succeeded) with its
// targets and the manifest of files changed since v1.2.0; and the example
// ends by printing the log as `relctl log show` does.
package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/idtoken"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "normal-change:", err)
		os.Exit(1)
	}
}

// The people of the example. Separation of duties (§1.13.3.3, §1.21.3.2):
// neither the author of a change, nor its code reviewer, nor the releaser
// approves its production promotion; the change approver does.
const (
	developer = "Ada Developer"
	reviewer  = "Ben Reviewer"
	releaser  = "Release Bot"
	approver  = "Cleo Approver"
)

// run is the whole example. main_test.go calls it, so it writes to stdout and
// stderr and returns an error instead of exiting.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("normal-change", flag.ContinueOnError)
	fs.SetOutput(stderr)
	repoPath := fs.String("repo", "", "release the HEAD of this repository instead of a temporary one")
	keyPath := fs.String("ssh-key", "", "SSH private key that signs the tag (default: a new Ed25519 key)")
	keep := fs.String("dir", "", "keep the workspace (repository, store, artifacts) in this directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}

	work, cleanup, err := demo.Workspace(*keep, "normal-change-")
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
	} else {
		// v1.2.0 was released and deployed a week before the change.
		clk.T = demo.Epoch().AddDate(0, 0, -7)
	}
	scheme := semver.Scheme{Prefix: "v"}

	// 1. The keys, the evidence store, and the release configuration the
	// team keeps beside allowed_signers: the promotion order, who may do
	// what in prod, and the CI system whose OIDC ID tokens say who acts
	// (its issuer, its keys pinned in ci-jwks.json, tokens of
	// shop/checkout's jobs only). Being a listed approver is not enough to
	// approve a change: REL-SOD-001 still refuses its author and its
	// reviewer. Production fails closed without it.
	keys, err := demo.SetupSigning(work, *keyPath)
	if err != nil {
		return fmt.Errorf("1. %w", err)
	}
	tagSigner, tagVerifier := keys.Tag, keys.Verifier(tagging.GitNamespace)
	store, err := manifest.NewDirStore(filepath.Join(work, "store"))
	if err != nil {
		return fmt.Errorf("1. store: %w", err)
	}
	ci := demo.NewCI()
	cfg, err := demo.WriteConfig(work, demo.Team{
		Approvers: []string{demo.Email(developer), demo.Email(reviewer), demo.Email(approver)},
		Releaser:  demo.Email(releaser),
		CI:        ci, Repository: repository,
	})
	if err != nil {
		return fmt.Errorf("1. release configuration: %w", err)
	}
	say(1, "release configuration %s: %s", config.FileName, demo.DescribeConfig(cfg))

	// now is the time of the promotions; verified is who acts at that
	// time: the identity in the ID token the CI gives the job that deploys
	// commit to env, verified against the configuration (the pinned keys,
	// the issuer, the audience, the expiry, the repository claim) at now.
	now := clk.T
	branch := "main"
	verified := func(env, commit, run string) (*manifest.Actor, error) {
		raw, err := ci.Token(demo.CIJob{
			Repository: repository, Ref: "refs/heads/" + branch, Commit: commit,
			Workflow: repository + "/.ci/release.yml@refs/heads/" + branch, Run: run,
			Environment: env, Actor: demo.Email(releaser), At: now,
		})
		if err != nil {
			return nil, err
		}
		a, err := cfg.VerifyToken(ctx, raw, idtoken.WithClock(func() time.Time { return now }))
		if err != nil {
			return nil, err
		}
		return &a, nil
	}
	// opts are the promotion options: the configuration's order, access
	// policy and the environments that need a verified identity (prod),
	// the clock, the release policy as the gate, and the check of the
	// release tag's signature.
	var repo *git.Repository
	opts := func(gate policy.Gate) []manifest.Option {
		return []manifest.Option{
			manifest.WithOrder(cfg.Order()...),
			manifest.WithAuthorizer(cfg),
			manifest.WithVerifiedIdentity(cfg.VerifiedIdentityEnvs()...),
			manifest.WithClock(func() time.Time { return now }),
			manifest.WithGate(gate),
			manifest.WithTagVerifier(tagging.NewRepoVerifier(repo, tagVerifier)),
		}
	}

	// The repository: a service already released as v1.2.0 (signed tag)
	// and running in prod.
	if *repoPath != "" {
		repo, err = git.PlainOpen(*repoPath)
		if err != nil {
			return fmt.Errorf("1. open repository: %w", err)
		}
		ref, err := repo.Head()
		if err != nil {
			return fmt.Errorf("1. open repository: %w", err)
		}
		branch = ref.Name().Short()
		say(1, "repository %s at %s on %s", *repoPath, ref.Hash().String()[:12], branch)
	} else {
		repo, err = demo.Init(filepath.Join(work, "repo"))
		if err != nil {
			return fmt.Errorf("1. init: %w", err)
		}
		const msg = "feat(checkout): pay by card (#1)\n\nRefs: SHOP-1"
		first, err := demo.Commit(repo, map[string]string{
			"checkout.go": "package checkout\n\n// Pay charges a card.\nfunc Pay() {}\n",
		}, msg, developer, clk.Next())
		if err != nil {
			return fmt.Errorf("1. first commit: %w", err)
		}
		if _, err := tagging.Create(ctx, repo, tagging.Request{
			Name: "v1.2.0", Target: first, Message: "Release v1.2.0",
			Tagger: tagging.Identity{Name: releaser, Email: demo.Email(releaser), When: clk.Next()},
		}, tagSigner); err != nil {
			return fmt.Errorf("1. tag v1.2.0: %w", err)
		}
		say(1, "repository with main at %s, released as v1.2.0 on %s", first.String()[:12], clk.T.Format("Mon 2006-01-02"))

		// v1.2.0 went dev → staging → prod through the same gate, each
		// promotion by the pipeline's job with its ID token.
		parsed, err := commits.Parse(msg)
		if err != nil {
			return fmt.Errorf("1. v1.2.0: %w", err)
		}
		b, err := demo.BuildRelease(ctx, work, product, "v1.2.0", "none", first, []commits.Commit{{Hash: first.String(), Message: parsed}}, clk)
		if err != nil {
			return fmt.Errorf("1. build v1.2.0: %w", err)
		}
		if err := store.PutRecord(ctx, b.Record); err != nil {
			return fmt.Errorf("1. record v1.2.0: %w", err)
		}
		gate := releaseGate(b.Record, policy.PullRequest{Number: 1, Author: demo.Email(developer), Approvers: []string{demo.Email(reviewer)}})
		var last manifest.Entry
		for _, env := range cfg.Order() {
			now = now.Add(10 * time.Minute)
			req := manifest.PromoteRequest{Release: "v1.2.0", Env: env, Digest: b.Digest}
			if env == "prod" {
				now = b.Record.Window.Start.Add(5 * time.Minute)
				req.Approver, req.Reason = demo.Email(approver), "CHG-3 approved"
			}
			if req.Actor, err = verified(env, first.String(), "1017"); err != nil {
				return fmt.Errorf("1. identity for %s: %w", env, err)
			}
			if last, err = manifest.Promote(ctx, store, req, opts(gate)...); err != nil {
				return fmt.Errorf("1. promote v1.2.0 to %s: %w", env, err)
			}
		}
		say(1, "v1.2.0 promoted dev → staging → prod by %s (log entries 1–%d); prod approved by %s on %s inside the window %s",
			whoActed(last.Promotion.Actor, false), last.Seq, last.Promotion.Approver, now.Format("Mon 2006-01-02 15:04"), last.Promotion.Window)
		clk.T = demo.Epoch() // a week later

		// 2. A feature branch named after its ticket, with work-in-progress
		// commits that only the pull request sees.
		if err := demo.Checkout(repo, "feature/SHOP-42-gift-cards", true); err != nil {
			return fmt.Errorf("2. branch: %w", err)
		}
		if _, err := demo.Commit(repo, map[string]string{
			"giftcard.go": "package checkout\n\n// GiftCard is a prepaid card.\ntype GiftCard struct{}\n",
		}, "wip: gift cards", developer, clk.Next()); err != nil {
			return fmt.Errorf("2. commit: %w", err)
		}
		if _, err := demo.Commit(repo, map[string]string{
			"giftcard.go": "package checkout\n\n// GiftCard is a prepaid card.\ntype GiftCard struct{ Balance int }\n\n// PayWithGiftCard charges a gift card.\nfunc PayWithGiftCard(GiftCard) {}\n",
			"checkout.go": "package checkout\n\n// Pay charges a card; PayWithGiftCard charges a gift card.\nfunc Pay() {}\n",
		}, "address review comments", developer, clk.Next()); err != nil {
			return fmt.Errorf("2. commit: %w", err)
		}
		say(2, "feature/SHOP-42-gift-cards: 2 commits by %s, PR #42 approved by %s", developer, reviewer)

		// 3. Squash and merge: main gets one Conventional Commit carrying the
		// PR number, the ticket and the risk note.
		merged, err := demo.SquashMerge(repo, "main", "feature/SHOP-42-gift-cards",
			"feat(checkout): accept gift cards (#42)\n\nCustomers can pay with a prepaid gift card.\n\nRefs: SHOP-42\nRisk: low",
			reviewer, clk.Next())
		if err != nil {
			return fmt.Errorf("3. squash merge: %w", err)
		}
		say(3, "squash-merged PR #42 into main as %s", merged.String()[:12])
	}

	// 4. The next version, from the commits since the last release.
	tip, err := demo.Head(repo, branch)
	if err != nil {
		return fmt.Errorf("4. next version: %w", err)
	}
	plan, err := commits.Next(ctx, repo, tip, scheme)
	if err != nil {
		return fmt.Errorf("4. next version: %w", err)
	}
	if !plan.Releasable {
		return fmt.Errorf("4. next version: nothing to release since %s", plan.Base)
	}
	say(4, "next version %s (%s bump over %s, %d commit(s))", plan.Tag, plan.Level, plan.Base, len(plan.Commits))

	// 5. The changelog: the release's notes go on top of CHANGELOG.md in a
	// release commit, which is what the tag will point at.
	releaseDate := clk.Next()
	notes := changelog.Build(changelog.Release{
		Version: plan.Tag, Previous: plan.Base, Date: releaseDate, Commits: plan.Commits,
	})
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
	s := demo.Identity(releaser, releaseDate)
	releaseCommit, err := wt.Commit("chore(release): "+plan.Tag, &git.CommitOptions{Author: s, Committer: s})
	if err != nil {
		return fmt.Errorf("5. changelog: %w", err)
	}
	entries := 0
	for _, sec := range notes.Sections {
		entries += len(sec.Entries)
	}
	say(5, "CHANGELOG.md: %s with %d entr(ies), committed as %s", plan.Tag, entries, releaseCommit.String()[:12])

	// 6. The signed annotated tag, made by CI, verified as `git verify-tag`
	// would with gpg.ssh.allowedSignersFile.
	if _, err := tagging.Create(ctx, repo, tagging.Request{
		Name: plan.Tag, Target: releaseCommit, Message: "Release " + plan.Tag,
		Tagger: tagging.Identity{Name: releaser, Email: demo.Email(releaser), When: clk.Next()},
	}, tagSigner); err != nil {
		return fmt.Errorf("6. tag: %w", err)
	}
	verifyAt := clk.Next()
	ver, err := tagging.Verify(ctx, repo, plan.Tag, tagVerifier, verifyAt)
	if err != nil {
		return fmt.Errorf("6. verify tag: %w", err)
	}
	say(6, "tag %s → %s: %s signature good, signer %s", ver.Tag, ver.Commit.String()[:12], ver.Signer.Format, ver.Signer.Identity)

	// 7. One immutable artifact, its SBOM, and signed build provenance. The
	// same digest is promoted everywhere afterwards (no rebuilds).
	dist := filepath.Join(work, "dist")
	if err := os.MkdirAll(dist, 0o755); err != nil {
		return fmt.Errorf("7. artifact: %w", err)
	}
	artName := "checkout-" + strings.TrimPrefix(plan.Tag, "v") + ".tar.gz"
	artBytes := []byte("checkout service " + plan.Tag + " built from " + releaseCommit.String() + "\n")
	if err := os.WriteFile(filepath.Join(dist, artName), artBytes, 0o644); err != nil {
		return fmt.Errorf("7. artifact: %w", err)
	}
	subject, err := sbom.SubjectOf(artName, bytes.NewReader(artBytes))
	if err != nil {
		return fmt.Errorf("7. artifact: %w", err)
	}
	doc, err := sbom.ForArtifact(subject, sbom.WithSerialNumber("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"))
	if err != nil {
		return fmt.Errorf("7. sbom: %w", err)
	}
	sbomBytes, err := doc.Bytes(sbom.JSON)
	if err != nil {
		return fmt.Errorf("7. sbom: %w", err)
	}
	sbomName := artName + ".cdx.json"
	if err := os.WriteFile(filepath.Join(dist, sbomName), sbomBytes, 0o644); err != nil {
		return fmt.Errorf("7. sbom: %w", err)
	}
	sbomRef := sbom.Attach("dist/"+sbomName, sbomBytes, sbom.JSON, doc.SpecVersion())

	_, buildKey, err := ed25519.GenerateKey(nil)
	if err != nil {
		return fmt.Errorf("7. provenance: %w", err)
	}
	buildSigner, err := signature.NewKeySigner(buildKey)
	if err != nil {
		return fmt.Errorf("7. provenance: %w", err)
	}
	buildID := "https://ci.example.com/shop/checkout/runs/1042"
	envelope, err := sbom.SignProvenance(ctx, []sbom.Subject{subject}, sbom.Provenance{
		BuildType:          "https://ci.example.com/buildtypes/release/v1",
		BuilderID:          "https://ci.example.com/builders/release",
		ExternalParameters: map[string]any{"repository": "shop/checkout", "ref": "refs/tags/" + plan.Tag},
		ResolvedDependencies: []sbom.ResourceDescriptor{{
			URI: "git+https://git.example.com/shop/checkout@refs/tags/" + plan.Tag, Digest: map[string]string{"gitCommit": releaseCommit.String()},
		}},
		InvocationID: buildID,
	}, buildSigner)
	if err != nil {
		return fmt.Errorf("7. provenance: %w", err)
	}
	provName := artName + ".intoto.jsonl"
	if err := os.WriteFile(filepath.Join(dist, provName), envelope, 0o644); err != nil {
		return fmt.Errorf("7. provenance: %w", err)
	}
	buildVerifier, err := signature.NewKeyVerifier(buildKey.Public())
	if err != nil {
		return fmt.Errorf("7. provenance: %w", err)
	}
	prov, err := sbom.VerifyProvenance(ctx, envelope, subject, clk.T, buildVerifier)
	if err != nil {
		return fmt.Errorf("7. verify provenance: %w", err)
	}
	say(7, "artifact %s %s; SBOM %s (CycloneDX %s); provenance signed and verified, builder %s",
		artName, subject.Digest(), sbomName, doc.SpecVersion(), prov.BuilderID)

	// 8. The release record (§1.20.3.1): everything an auditor asks for,
	// checked complete before anything is promoted.
	var tickets []string
	var prs []manifest.PR
	for _, c := range plan.Commits {
		tickets = append(tickets, c.Tickets...)
		if c.PR != 0 {
			prs = append(prs, manifest.PR{Ref: fmt.Sprintf("#%d", c.PR)})
		}
	}
	windowStart := clk.T.Truncate(24 * time.Hour).Add(24*time.Hour + 10*time.Hour) // tomorrow 10:00
	window := manifest.Window{Start: windowStart, End: windowStart.Add(2 * time.Hour)}
	rec := manifest.Record{
		Version: manifest.RecordVersion,
		Tag:     plan.Tag,
		Commit:  releaseCommit.String(),
		Tickets: tickets,
		PRs:     prs,
		Artifacts: []manifest.Artifact{{
			Name: artName, URI: "dist/" + artName, Digest: subject.Digest(),
			SHA512: "sha512:" + subject.SHA512, SBOM: "sha256:" + sbomRef.SHA256,
		}},
		Provenance:  manifest.Provenance{BuildID: buildID, Ref: "dist/" + provName},
		SBOM:        manifest.SBOMRef{Ref: sbomRef.Location, Digest: "sha256:" + sbomRef.SHA256},
		Checks:      []manifest.CheckResult{{Name: "test", Passed: true}, {Name: "codeowners-review", Passed: true}},
		Rollback:    manifest.RollbackPlan{Method: "redeploy the previous artifact", Version: plan.Base},
		KnownIssues: []string{},
		Window:      window,
	}
	if err := manifest.Check(rec).Err(); err != nil {
		return fmt.Errorf("8. release record: %w", err)
	}
	if err := store.PutRecord(ctx, rec); err != nil {
		return fmt.Errorf("8. release record: %w", err)
	}
	say(8, "release record %s complete: tickets %v, PRs %d, checks %d passed, rollback to %s",
		rec.Tag, rec.Tickets, len(rec.PRs), len(rec.Checks), rec.Rollback.Version)

	// 9. Promotion dev → staging → prod of the same digest. The tag's
	// signature is checked on every promotion, and the release policy is
	// the gate: production only inside the change window (REL-WINDOW-001,
	// the weekly window holding the record's planned one), approved by
	// someone independent of the pull request's author, its reviewers and
	// the releaser (REL-SOD-001), of a complete record (REL-RECORD-001) and
	// of the digest the earlier environments ran (REL-DIGEST-001). The
	// decision is bound to this record (REL-GATE-001). Each promotion is
	// made by the pipeline's job for that environment, with its ID token.
	now = clk.T
	pr := demo.PullRequest(plan.Commits, demo.Email(reviewer))
	gate := releaseGate(rec, pr)
	const run = "1042" // the CI run that built the release, buildID
	for _, env := range []string{"dev", "staging"} {
		now = now.Add(10 * time.Minute)
		actor, err := verified(env, rec.Commit, run)
		if err != nil {
			return fmt.Errorf("9. identity for %s: %w", env, err)
		}
		e, err := manifest.Promote(ctx, store, manifest.PromoteRequest{Release: rec.Tag, Env: env, Digest: subject.Digest(), Actor: actor}, opts(gate)...)
		if err != nil {
			return fmt.Errorf("9. promote to %s: %w", env, err)
		}
		say(9, "promoted %s to %s by %s (log entry %d)", rec.Tag, env, whoActed(e.Promotion.Actor, false), e.Seq)
	}
	// Refused, each refusal logged as a denied entry with the controls
	// that refused it: a request before the window opens, the change's
	// own author approving it, and its code reviewer as the only
	// production approver.
	prodReq := func(approverEmail string) (manifest.PromoteRequest, error) {
		actor, err := verified("prod", rec.Commit, run)
		return manifest.PromoteRequest{
			Release: rec.Tag, Env: "prod", Digest: subject.Digest(), Approver: approverEmail, Reason: "CHG-7 approved", Actor: actor,
		}, err
	}
	for _, try := range []struct {
		what, approver string
		at             time.Time
	}{
		{"before the window", demo.Email(approver), window.Start.Add(-time.Hour)},
		{"approved by the author", pr.Author, window.Start.Add(5 * time.Minute)},
		{"approved by the code reviewer", demo.Email(reviewer), window.Start.Add(10 * time.Minute)},
	} {
		now = try.at
		req, err := prodReq(try.approver)
		if err != nil {
			return fmt.Errorf("9. identity for prod: %w", err)
		}
		d, err := manifest.Promote(ctx, store, req, opts(gate)...)
		var denied *policy.DeniedError
		if !errors.Is(err, manifest.ErrGateRefused) || !errors.As(err, &denied) {
			return fmt.Errorf("9. promote to prod %s: want a policy refusal, got %v", try.what, err)
		}
		say(9, "prod %s refused (log entry %d) by %s", try.what, d.Seq, demo.Refusal(denied))
	}
	// Someone the configuration does not list may not approve prod at all.
	now = now.Add(time.Minute)
	req, err := prodReq(demo.Email("Dan Outsider"))
	if err != nil {
		return fmt.Errorf("9. identity for prod: %w", err)
	}
	d, err := manifest.Promote(ctx, store, req, opts(gate)...)
	var notListed *config.AuthError
	if !errors.Is(err, config.ErrNotAuthorized) || !errors.As(err, &notListed) {
		return fmt.Errorf("9. promote to prod approved by someone unlisted: want config.ErrNotAuthorized, got %v", err)
	}
	say(9, "prod approved by %s refused (log entry %d) by the configuration: %s", notListed.Identity, d.Seq, notListed.Reason)
	// Nor may anyone promote to prod under a name typed on a laptop
	// (relctl promote --releaser ...) rather than the identity of a CI
	// job's token: prod requires a verified identity.
	now = now.Add(time.Minute)
	d, err = manifest.Promote(ctx, store, manifest.PromoteRequest{
		Release: rec.Tag, Env: "prod", Digest: subject.Digest(), Approver: demo.Email(approver), Reason: "CHG-7 approved", Releaser: demo.Email(releaser),
	}, opts(gate)...)
	var unverified *manifest.RefusalError
	if !errors.As(err, &unverified) || unverified.Reason != "verified identity required" {
		return fmt.Errorf("9. promote to prod with a typed identity: want a refusal \"verified identity required\", got %v", err)
	}
	say(9, "prod promoted by %s as a typed name, without a CI token, refused (log entry %d) by %s: %s",
		demo.Email(releaser), d.Seq, strings.Join(manifest.Controls(err), ", "), unverified.Reason)
	now = window.Start.Add(15 * time.Minute)
	if req, err = prodReq(demo.Email(approver)); err != nil {
		return fmt.Errorf("9. identity for prod: %w", err)
	}
	e, err := manifest.Promote(ctx, store, req, opts(gate)...)
	if err != nil {
		return fmt.Errorf("9. promote to prod: %w", err)
	}
	say(9, "promoted %s to prod by %s, approved by %s inside the window %s (log entry %d)",
		rec.Tag, whoActed(e.Promotion.Actor, true), e.Promotion.Approver, e.Promotion.Window, e.Seq)

	// 10. The deploy job rolls the release out and reports the outcome,
	// with its own ID token: started, then succeeded, on its targets, with
	// the branch, and the manifest of the files that changed since what
	// prod ran before (path and sha256 of each, from the git trees of the
	// two release tags), kept as evidence in the store, its digest in the
	// entry.
	history, err := manifest.VerifyStore(ctx, store, nil)
	if err != nil {
		return fmt.Errorf("10. verify log: %w", err)
	}
	prev, _ := manifest.PreviousRelease(history, "prod", rec.Tag) // "" on a first deployment: every file is added
	changes, err := manifest.TreeChanges(ctx, repo, prev, rec.Tag)
	if err != nil {
		return fmt.Errorf("10. changed files: %w", err)
	}
	var reported []uint64
	for _, result := range []string{manifest.ResultStarted, manifest.ResultSucceeded} {
		now = now.Add(2 * time.Minute)
		actor, err := verified("prod", rec.Commit, run)
		if err != nil {
			return fmt.Errorf("10. identity for prod: %w", err)
		}
		d, err := manifest.ReportDeployment(ctx, store, manifest.DeploymentReport{
			Release: rec.Tag, Env: "prod", Result: result, Targets: []string{"k8s/prod-eu-1"},
			Branch: branch, Actor: actor, Changes: changes,
		}, opts(gate)...)
		if err != nil {
			return fmt.Errorf("10. report deployment %s: %w", result, err)
		}
		reported = append(reported, d.Seq)
	}
	since := "(first deployment)"
	if prev != "" {
		since = "since " + prev + ", which prod ran before"
	}
	say(10, "deployment of %s (from %s) to prod, targets k8s/prod-eu-1, reported by the deploy job with its ID token: started (log entry %d), succeeded (log entry %d); files changed %s: %d",
		rec.Tag, branch, reported[0], reported[1], since, changes.Total)
	for i, f := range changes.Files {
		if i == maxFilesShown {
			fmt.Fprintf(stdout, "    | … and %d more\n", changes.Total-maxFilesShown)
			break
		}
		sum := f.SHA256
		if f.Change == manifest.ChangeDeleted {
			sum = f.Previous
		}
		fmt.Fprintf(stdout, "    | %-8s %s sha256:%s…\n", f.Change, f.Path, sum[:12])
	}

	// 11. The evidence: the log's hash chain verifies, prod runs the
	// digest that was built, signed and recorded, and the log holds every
	// attempt — the promotions, the refusals with the controls that
	// refused them, and the deployment's outcome — each with who acted.
	logEntries, err := manifest.VerifyStore(ctx, store, nil)
	if err != nil {
		return fmt.Errorf("11. verify log: %w", err)
	}
	cur, ok := manifest.Current(logEntries, "prod")
	if !ok || cur.Digest != subject.Digest() {
		return fmt.Errorf("11. prod does not run %s", subject.Digest())
	}
	say(11, "log of %d entries verifies; prod runs %s %s; the log as `relctl log show` prints it:", len(logEntries), cur.Release, cur.Digest)
	return demo.ShowLog(stdout, logEntries)
}

// repository is the repository on the CI, the only one whose jobs' ID
// tokens the release configuration accepts; product is the artifact's
// name.
const (
	repository = "shop/checkout"
	product    = "checkout"
)

// maxFilesShown bounds the changed files step 10 lists.
const maxFilesShown = 10

// releaseGate is the release policy as the promotion gate of rec: the
// change window (the weekly window that holds the record's planned one,
// REL-WINDOW-001), separation of duties between the pull request and the
// production approver (REL-SOD-001), a complete record (REL-RECORD-001)
// and the same digest in every environment (REL-DIGEST-001). The decision
// is bound to rec (REL-GATE-001).
func releaseGate(rec manifest.Record, pr policy.PullRequest) policy.Gate {
	return policy.Gate{
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
}

// whoActed says who acted and how it is known: verified from a CI job's
// ID token (with its subject when long), or typed.
func whoActed(a *manifest.Actor, long bool) string {
	switch {
	case a == nil:
		return "nobody recorded"
	case a.Verified && long:
		return fmt.Sprintf("%s, verified from the job's ID token (issuer %s, subject %s)", a.Name, a.Issuer, a.Subject)
	case a.Verified:
		return a.Name + ", verified from the job's ID token"
	}
	return a.Name + " (typed)"
}

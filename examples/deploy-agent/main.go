// Command deploy-agent plays the event-driven deployment of seed
// 000_0ae270b4bf3520f5 ("A Better Deployments Pattern"): a promotion does
// not push to servers; it writes a minimal, signed, expiring deployment event
// to a storage directory. An agent next to each environment picks events up,
// verifies the signature, the expiry, the environment and the artifact's
// digest, deploys (copies the artifact from storage into the environment's
// directory its hosts serve from), health-checks the release on each host
// and records the outcome in the promotion log: started, then succeeded, or
// failed with the error, on the agent's targets. A stale event, a tampered
// one, one replayed into the wrong environment and one whose artifact in
// storage was swapped are refused and recorded as such; a deployment whose
// health check fails on one host is recorded as failed, and deployed again
// from a new event once the host is fixed.
//
// With no arguments it builds a throwaway repository, keys, storage and
// environments:
//
//	go run ./examples/deploy-agent
//
// -dir keeps the workspace (repository, store, storage, events, envs, the
// allowed_signers files and .releasekit.yaml). With -repo PATH the release
// is the HEAD of that repository, which the example tags with the next
// version.
//
// The promoter reads the team's release configuration (.releasekit.yaml,
// package config): the environments staging and prod, who may approve prod
// and who may deploy there. Production promotions fail closed without it.
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

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "deploy-agent:", err)
		os.Exit(1)
	}
}

const (
	developer = "Ada Developer"
	reviewer  = "Ben Reviewer"
	releaser  = "Release Bot"
)

// run is the whole example. main_test.go calls it, so it writes to stdout and
// stderr and returns an error instead of exiting.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("deploy-agent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	repoPath := fs.String("repo", "", "release the HEAD of this repository instead of a temporary one")
	keyPath := fs.String("ssh-key", "", "SSH private key of the promoter (default: a new Ed25519 key)")
	keep := fs.String("dir", "", "keep the workspace in this directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	work, cleanup, err := demo.Workspace(*keep, "deploy-agent-")
	if err != nil {
		return err
	}
	defer cleanup()
	say := func(step int, format string, a ...any) {
		fmt.Fprintf(stdout, "%2d. %s\n", step, fmt.Sprintf(format, a...))
	}
	clk := &demo.Clock{}

	// 1. The promoter's key signs tags (namespace "git") and deployment
	// events (manifest.Namespace); the agents trust its public half for
	// events only.
	key, err := demo.SSHKey(*keyPath)
	if err != nil {
		return fmt.Errorf("1. key: %w", err)
	}
	tagSigner, err := signature.NewSSHSigner(key, tagging.GitNamespace)
	if err != nil {
		return fmt.Errorf("1. key: %w", err)
	}
	eventSigner, err := signature.NewSSHSigner(key, manifest.Namespace)
	if err != nil {
		return fmt.Errorf("1. key: %w", err)
	}
	signersFile := demo.AllowedSigners(demo.Email(releaser), manifest.Namespace, key.PublicKey())
	if err := os.WriteFile(filepath.Join(work, "allowed_signers"), signersFile, 0o644); err != nil {
		return fmt.Errorf("1. allowed_signers: %w", err)
	}
	allowed, err := signature.ParseAllowedSigners(signersFile)
	if err != nil {
		return fmt.Errorf("1. allowed_signers: %w", err)
	}
	eventVerifier := signature.NewSSHVerifier(allowed, manifest.Namespace)
	// The promoter trusts the same key for release tags, in their own
	// allowed_signers file, which the release configuration names.
	tagSigners := demo.AllowedSigners(demo.Email(releaser), tagging.GitNamespace, key.PublicKey())
	if err := os.WriteFile(filepath.Join(work, "tag_allowed_signers"), tagSigners, 0o644); err != nil {
		return fmt.Errorf("1. tag_allowed_signers: %w", err)
	}
	tagAllowed, err := signature.ParseAllowedSigners(tagSigners)
	if err != nil {
		return fmt.Errorf("1. tag_allowed_signers: %w", err)
	}
	cfg, err := demo.WriteConfig(work, demo.Team{
		Order: []string{"staging", "prod"}, AllowedSigners: "tag_allowed_signers",
		Approvers: []string{demo.Email(reviewer)}, Releaser: demo.Email(releaser),
		Deployers: []string{"prod-agent-1"}, // reports the deployments it makes to prod
	})
	if err != nil {
		return fmt.Errorf("1. release configuration: %w", err)
	}
	store, err := manifest.NewDirStore(filepath.Join(work, "store"))
	if err != nil {
		return fmt.Errorf("1. store: %w", err)
	}
	say(1, "promoter key trusted by the agents for namespace %q only", manifest.Namespace)
	say(1, "release configuration %s: %s", config.FileName, demo.DescribeConfig(cfg))

	// 2. The release: a signed tag, its artifact uploaded to storage by
	// digest, and a complete release record.
	var repo *git.Repository
	if *repoPath != "" {
		if repo, err = git.PlainOpen(*repoPath); err != nil {
			return fmt.Errorf("2. open repository: %w", err)
		}
	} else {
		if repo, err = demo.Init(filepath.Join(work, "repo")); err != nil {
			return fmt.Errorf("2. init: %w", err)
		}
		c, err := demo.Commit(repo, map[string]string{"web.go": "package web\n"}, "feat(web): storefront (#1)\n\nRefs: WEB-1", developer, clk.Next())
		if err != nil {
			return fmt.Errorf("2. commit: %w", err)
		}
		if _, err := tagging.Create(ctx, repo, tagging.Request{Name: "v0.9.0", Target: c, Message: "Release v0.9.0",
			Tagger: tagging.Identity{Name: releaser, Email: demo.Email(releaser), When: clk.Next()}}, tagSigner); err != nil {
			return fmt.Errorf("2. tag: %w", err)
		}
		if _, err := demo.Commit(repo, map[string]string{"cart.go": "package web\n"}, "feat(web): cart page (#2)\n\nRefs: WEB-2", developer, clk.Next()); err != nil {
			return fmt.Errorf("2. commit: %w", err)
		}
	}
	ref, err := repo.Head()
	if err != nil {
		return fmt.Errorf("2. %w", err)
	}
	plan, err := commits.Next(ctx, repo, ref.Hash(), semver.Scheme{Prefix: "v"})
	if err != nil || !plan.Releasable {
		return fmt.Errorf("2. next version: %v", err)
	}
	if _, err := tagging.Create(ctx, repo, tagging.Request{Name: plan.Tag, Target: ref.Hash(), Message: "Release " + plan.Tag,
		Tagger: tagging.Identity{Name: releaser, Email: demo.Email(releaser), When: clk.Next()}}, tagSigner); err != nil {
		return fmt.Errorf("2. tag: %w", err)
	}
	storage := filepath.Join(work, "storage")
	artName := "web-" + plan.Tag + ".tar.gz"
	art := []byte("web " + plan.Tag + " " + ref.Hash().String() + "\n")
	subject, err := sbom.SubjectOf(artName, bytes.NewReader(art))
	if err != nil {
		return fmt.Errorf("2. artifact: %w", err)
	}
	artDir := filepath.Join(storage, strings.Replace(subject.Digest(), ":", "-", 1))
	if err := os.MkdirAll(artDir, 0o755); err != nil {
		return fmt.Errorf("2. upload: %w", err)
	}
	if err := os.WriteFile(filepath.Join(artDir, artName), art, 0o444); err != nil {
		return fmt.Errorf("2. upload: %w", err)
	}
	doc, err := sbom.ForArtifact(subject)
	if err != nil {
		return fmt.Errorf("2. sbom: %w", err)
	}
	sb, err := doc.Bytes(sbom.JSON)
	if err != nil {
		return fmt.Errorf("2. sbom: %w", err)
	}
	if err := os.WriteFile(filepath.Join(artDir, "..", "sbom-"+artName+".cdx.json"), sb, 0o444); err != nil {
		return fmt.Errorf("2. sbom: %w", err)
	}
	windowStart := clk.T.Add(3 * time.Hour)
	rec := manifest.Record{
		Version: manifest.RecordVersion, Tag: plan.Tag, Commit: ref.Hash().String(),
		Tickets: []string{"WEB-2"}, PRs: []manifest.PR{{Ref: "#2"}},
		Artifacts:   []manifest.Artifact{{Name: artName, URI: "storage/" + filepath.Base(artDir) + "/" + artName, Digest: subject.Digest()}},
		Provenance:  manifest.Provenance{BuildID: "https://ci.example.com/web/runs/77", Ref: "storage/" + artName + ".intoto.jsonl"},
		SBOM:        manifest.SBOMRef{Ref: "storage/sbom-" + artName + ".cdx.json", Digest: manifest.Digest(sb)},
		Checks:      []manifest.CheckResult{{Name: "test", Passed: true}},
		Rollback:    manifest.RollbackPlan{Method: "redeploy the previous artifact", Version: plan.Base},
		KnownIssues: []string{},
		Window:      manifest.Window{Start: windowStart, End: windowStart.Add(2 * time.Hour)},
	}
	if err := store.PutRecord(ctx, rec); err != nil {
		return fmt.Errorf("2. record: %w", err)
	}
	say(2, "release %s: tag signed, artifact %s uploaded to storage, record complete", plan.Tag, subject.Digest())

	// The queues and agents, one per environment, each deploying to its
	// hosts. A host answers its health check unless it is down.
	down := map[string]bool{}
	health := func(target, release string) error {
		if down[target] {
			return fmt.Errorf("GET https://%s/healthz answered 503 Service Unavailable", target)
		}
		return nil
	}
	hosts := map[string][]string{"staging": {"web-staging-1"}, "prod": {"web-prod-1", "web-prod-2"}}
	queues := map[string]*manifest.DirTransport{}
	agents := map[string]*agent{}
	for _, env := range cfg.Order() {
		q, err := manifest.NewDirTransport(filepath.Join(work, "events", env))
		if err != nil {
			return fmt.Errorf("queue %s: %w", env, err)
		}
		queues[env] = q
		agents[env] = &agent{name: env + "-agent-1", env: env, targets: hosts[env], order: cfg.Order(), auth: cfg, queue: q, verifier: eventVerifier,
			storage: storage, envDir: filepath.Join(work, "envs", env), store: store, health: health}
	}
	now := clk.T
	opts := []manifest.Option{
		manifest.WithOrder(cfg.Order()...),
		manifest.WithAuthorizer(cfg),
		manifest.WithClock(func() time.Time { return now }),
		manifest.WithTagVerifier(tagging.NewRepoVerifier(repo, signature.NewSSHVerifier(tagAllowed, tagging.GitNamespace))),
	}
	// publish signs the event of a logged promotion, valid until expires,
	// and puts it on the queue of the promotion's environment.
	publish := func(e manifest.Entry, expires time.Time) (manifest.SignedEvent, error) {
		evt, err := manifest.NewEvent(e, rec, expires)
		if err != nil {
			return manifest.SignedEvent{}, err
		}
		se, err := manifest.SignEvent(ctx, evt, eventSigner)
		if err != nil {
			return manifest.SignedEvent{}, err
		}
		return se, queues[e.Promotion.Env].Publish(ctx, se)
	}
	report := func(step int, outs []outcome) {
		for _, o := range outs {
			switch o.result {
			case resultRefused:
				say(step, "%s: REFUSED %s — %s (log entry %d)", o.agent, orDash(o.release), o.detail, o.seqs[0])
			case manifest.ResultSucceeded:
				say(step, "%s: OK %s on %s — %s; started (log entry %d), succeeded (log entry %d)",
					o.agent, o.release, strings.Join(o.targets, ", "), o.detail, o.seqs[0], o.seqs[1])
			default:
				say(step, "%s: FAILED %s on %s — %s; started (log entry %d), failed (log entry %d)",
					o.agent, o.release, strings.Join(o.targets, ", "), o.detail, o.seqs[0], o.seqs[1])
			}
		}
	}

	// 3. Promotion to staging writes a signed event valid for 15 minutes.
	// The staging agent is down for an hour, so the event goes stale and
	// is refused; the promoter re-issues it and the agent deploys.
	now = now.Add(10 * time.Minute)
	stagingEntry, err := manifest.Promote(ctx, store, manifest.PromoteRequest{Release: rec.Tag, Env: "staging", Digest: subject.Digest(), Releaser: demo.Email(releaser)}, opts...)
	if err != nil {
		return fmt.Errorf("3. promote to staging: %w", err)
	}
	if _, err := publish(stagingEntry, now.Add(15*time.Minute)); err != nil {
		return fmt.Errorf("3. publish: %w", err)
	}
	say(3, "promoted %s to staging (log entry %d); signed event published, expires in 15m", rec.Tag, stagingEntry.Seq)
	rs, err := agents["staging"].run(ctx, now.Add(time.Hour))
	if err != nil {
		return fmt.Errorf("3. staging agent: %w", err)
	}
	report(3, rs)
	now = now.Add(time.Hour)
	reissued, err := publish(stagingEntry, now.Add(15*time.Minute))
	if err != nil {
		return fmt.Errorf("3. re-issue: %w", err)
	}
	rs, err = agents["staging"].run(ctx, now.Add(time.Minute))
	if err != nil {
		return fmt.Errorf("3. staging agent: %w", err)
	}
	report(3, rs)

	// 4. An attacker with write access to the prod queue, but not the
	// promoter's key, copies the valid staging event there with its
	// environment edited, then unchanged (a replay). The prod agent refuses
	// both: the first fails its signature, the second names staging.
	tampered := manifest.SignedEvent{
		Payload:   bytes.Replace(reissued.Payload, []byte(`"env":"staging"`), []byte(`"env":"prod"`), 1),
		Signature: reissued.Signature,
	}
	if bytes.Equal(tampered.Payload, reissued.Payload) {
		return errors.New("4. tamper: the payload did not change")
	}
	for i, se := range []manifest.SignedEvent{tampered, reissued} {
		if err := queues["prod"].Publish(ctx, se); err != nil {
			return fmt.Errorf("4. publish: %w", err)
		}
		rs, err = agents["prod"].run(ctx, now.Add(time.Duration(5+i)*time.Minute))
		if err != nil {
			return fmt.Errorf("4. prod agent: %w", err)
		}
		report(4, rs)
	}

	// 5. The real production promotion, approved inside the window, and the
	// prod agent deploys it.
	now = rec.Window.Start.Add(5 * time.Minute)
	prodEntry, err := manifest.Promote(ctx, store, manifest.PromoteRequest{Release: rec.Tag, Env: "prod", Digest: subject.Digest(),
		Approver: demo.Email(reviewer), Reason: "CHG-31 approved", Releaser: demo.Email(releaser)}, opts...)
	if err != nil {
		return fmt.Errorf("5. promote to prod: %w", err)
	}
	if _, err := publish(prodEntry, now.Add(15*time.Minute)); err != nil {
		return fmt.Errorf("5. publish: %w", err)
	}
	say(5, "promoted %s to prod, approved by %s (log entry %d); signed event published", rec.Tag, prodEntry.Promotion.Approver, prodEntry.Seq)

	// 6. Before the prod agent runs, the artifact in storage is replaced
	// (same name, other bytes): the agent checks the digest of what it
	// fetched and refuses. CI re-uploads the recorded artifact and the
	// promoter re-issues the event; the agent deploys, but web-prod-2 is
	// down for maintenance and fails its health check: the deployment is
	// reported failed, with the error, and prod is not switched.
	stored := filepath.Join(artDir, artName)
	swap := func(data []byte) error {
		if err := os.Remove(stored); err != nil {
			return err
		}
		return os.WriteFile(stored, data, 0o444)
	}
	if err := swap([]byte("web " + plan.Tag + " with a backdoor\n")); err != nil {
		return fmt.Errorf("6. swap: %w", err)
	}
	rs, err = agents["prod"].run(ctx, now.Add(time.Minute))
	if err != nil {
		return fmt.Errorf("6. prod agent: %w", err)
	}
	report(6, rs)
	if err := swap(art); err != nil {
		return fmt.Errorf("6. re-upload: %w", err)
	}
	down["web-prod-2"] = true
	now = now.Add(5 * time.Minute)
	if _, err := publish(prodEntry, now.Add(15*time.Minute)); err != nil {
		return fmt.Errorf("6. re-issue: %w", err)
	}
	rs, err = agents["prod"].run(ctx, now.Add(time.Minute))
	if err != nil {
		return fmt.Errorf("6. prod agent: %w", err)
	}
	report(6, rs)

	// 7. web-prod-2 is back; the promoter re-issues the event and the
	// agent deploys.
	delete(down, "web-prod-2")
	now = now.Add(10 * time.Minute)
	if _, err := publish(prodEntry, now.Add(15*time.Minute)); err != nil {
		return fmt.Errorf("7. re-issue: %w", err)
	}
	rs, err = agents["prod"].run(ctx, now.Add(time.Minute))
	if err != nil {
		return fmt.Errorf("7. prod agent: %w", err)
	}
	report(7, rs)

	// 8. The evidence: the log verifies and holds every outcome — each
	// refused event, and each deployment started, failed with its error or
	// succeeded, on the agent's targets.
	entries, err := manifest.VerifyStore(ctx, store, nil)
	if err != nil {
		return fmt.Errorf("8. verify log: %w", err)
	}
	promotions, refused := 0, 0
	results := map[string]int{}
	var prodDeploys []manifest.Entry
	for _, e := range entries {
		switch {
		case e.Promotion != nil:
			promotions++
		case e.Result != nil && !e.Result.Succeeded:
			refused++
		case e.Deploy != nil:
			results[e.Deploy.Result]++
			if e.Deploy.Env == "prod" {
				prodDeploys = append(prodDeploys, e)
			}
		}
	}
	say(8, "log of %d entries verifies: %d promotions, %d refused events, %d deployments started, %d succeeded, %d failed; prod's, as `relctl log show` prints them:",
		len(entries), promotions, refused, results[manifest.ResultStarted], results[manifest.ResultSucceeded], results[manifest.ResultFailed])
	return demo.ShowLog(stdout, prodDeploys)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

package manifest_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
)

func exampleRecord(tag, artifact string) manifest.Record {
	return manifest.Record{
		Version:     manifest.RecordVersion,
		Tag:         tag,
		Commit:      strings.Repeat("1", 40),
		Tickets:     []string{"CHG-1234"},
		PRs:         []manifest.PR{{Ref: "#42"}},
		Artifacts:   []manifest.Artifact{{Name: "app", URI: "registry.example.com/app", Digest: manifest.Digest([]byte(artifact))}},
		Provenance:  manifest.Provenance{BuildID: "run-7", Ref: "att://run-7"},
		SBOM:        manifest.SBOMRef{Ref: "sbom.cdx.json", Digest: manifest.Digest([]byte("sbom"))},
		Checks:      []manifest.CheckResult{{Name: "unit", Passed: true}},
		Rollback:    manifest.RollbackPlan{Method: "redeploy previous digest", Version: "none"},
		KnownIssues: []string{},
		Window: manifest.Window{
			Start: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC),
			End:   time.Date(2026, 1, 5, 11, 0, 0, 0, time.UTC),
		},
	}
}

// fixedClock is a clock that advances one minute per reading.
// exampleTags stands for tagging.NewRepoVerifier(repo, keys), which
// verifies a release tag's signature in the repository and says which
// commit it points to: here every tag is signed by the release key and
// points to exampleRecord's commit.
type exampleTags struct{}

func (exampleTags) VerifyTag(_ context.Context, tag string, _ time.Time) (signature.Identity, error) {
	return signature.Identity{Format: signature.SSH, Identity: "release@example.com"}, nil
}

func (exampleTags) TagCommit(context.Context, string) (string, error) {
	return strings.Repeat("1", 40), nil
}

// team stands for the release configuration (config.Config), which says
// who may do what in each environment: identities per action.
type team map[manifest.Action][]string

func (t team) Authorize(env string, a manifest.Action, who string) error {
	for _, id := range t[a] {
		if id == who {
			return nil
		}
	}
	return fmt.Errorf("%q may not %s in %s", who, a, env)
}

// exampleTeam: ci-bot deploys, alice and bob approve and roll back.
var exampleTeam = team{
	manifest.ActionDeploy:   {"ci-bot"},
	manifest.ActionRollback: {"ci-bot"},
	manifest.ActionApprove:  {"alice@example.com", "bob@example.com"},
}

func fixedClock() func() time.Time {
	t := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Minute); return t }
}

func ExampleCheck() {
	rec := manifest.Record{Version: manifest.RecordVersion, Tag: "v1.4.2", Commit: "HEAD"}
	rep := manifest.Check(rec)
	for _, p := range rep.Problems[:4] {
		fmt.Printf("%s: %s\n", p.Field, p.Message)
	}
	fmt.Println(errors.Is(rep.Err(), &manifest.FormatError{Reason: "release record incomplete"}))

	rec = exampleRecord("v1.4.2", "app-1.4.2")
	fmt.Println(manifest.Check(rec).Err())
	// Output:
	// commit: "HEAD" is not a full lowercase commit SHA
	// tickets: missing: link the authoritative change record
	// prs: missing: link the pull requests included
	// artifacts: missing: at least one immutable artifact digest
	// true
	// <nil>
}

func ExamplePromote() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "manifest-example")
	defer os.RemoveAll(dir)
	st, _ := manifest.NewDirStore(dir)

	rec := exampleRecord("v1.4.2", "app-1.4.2")
	if err := st.PutRecord(ctx, rec); err != nil {
		fmt.Println(err)
		return
	}
	digest := rec.Artifacts[0].Digest
	// Production (the last environment) fails closed: its promotions need
	// the release tag verified and the releaser and approver authorised.
	opts := []manifest.Option{
		manifest.WithClock(fixedClock()),
		manifest.WithTagVerifier(exampleTags{}),
		manifest.WithAuthorizer(exampleTeam),
	}
	for _, env := range []string{"dev", "staging", "prod"} {
		e, err := manifest.Promote(ctx, st, manifest.PromoteRequest{
			Release: "v1.4.2", Env: env, Digest: digest, Releaser: "ci-bot",
			Approver: "alice@example.com", Reason: "CHG-1234 approved",
		}, opts...)
		if err != nil {
			fmt.Println(err)
			return
		}
		p := e.Promotion
		fmt.Printf("#%d %s %s at %s, production %t, tag signed by %s\n", e.Seq, p.Release, p.Env, p.PromotedAt.Format(time.Kitchen), p.Production, p.TagSigner.Identity)
	}

	// A rebuilt artifact cannot reach production under the same version.
	_, err := manifest.Promote(ctx, st, manifest.PromoteRequest{
		Release: "v1.4.2", Env: "prod", Digest: manifest.Digest([]byte("rebuilt")), Releaser: "ci-bot",
		Approver: "alice@example.com", Reason: "again",
	}, opts...)
	fmt.Println(errors.Is(err, &manifest.RefusalError{Reason: "digest not in the release record"}))

	// Nor can an approver the configuration does not list approve it.
	_, err = manifest.Promote(ctx, st, manifest.PromoteRequest{
		Release: "v1.4.2", Env: "prod", Digest: digest, Releaser: "ci-bot",
		Approver: "mallory@example.com", Reason: "looks fine",
	}, opts...)
	fmt.Println(errors.Is(err, &manifest.RefusalError{Reason: "approver not authorized"}))

	_, err = manifest.VerifyStore(ctx, st, nil)
	fmt.Println("log verifies:", err == nil)
	// Output:
	// #1 v1.4.2 dev at 9:02AM, production false, tag signed by release@example.com
	// #2 v1.4.2 staging at 9:04AM, production false, tag signed by release@example.com
	// #3 v1.4.2 prod at 9:06AM, production true, tag signed by release@example.com
	// true
	// true
	// log verifies: true
}

// Without a tag verifier and an authorizer, a promotion into production
// is refused: nothing reaches it on defaults.
func ExampleWithProduction() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "manifest-example")
	defer os.RemoveAll(dir)
	st, _ := manifest.NewDirStore(dir)
	rec := exampleRecord("v1.4.2", "app-1.4.2")
	_ = st.PutRecord(ctx, rec)

	// Here "live" is production; "dev" and "canary" are not.
	order := []manifest.Option{manifest.WithOrder("dev", "canary", "live"), manifest.WithProduction("live")}
	for _, env := range []string{"dev", "canary", "live"} {
		_, err := manifest.Promote(ctx, st, manifest.PromoteRequest{
			Release: "v1.4.2", Env: env, Digest: rec.Artifacts[0].Digest, Releaser: "ci-bot",
			Approver: "alice@example.com", Reason: "CHG-1234 approved",
		}, order...)
		fmt.Printf("%s: %v\n", env, err)
	}
	// Output:
	// dev: <nil>
	// canary: <nil>
	// live: manifest: no authorization for production: live is a production environment: configure who may deploy and approve there (an Authorizer, such as the release configuration)
}

func ExampleRollback() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "manifest-example")
	defer os.RemoveAll(dir)
	st, _ := manifest.NewDirStore(dir)
	clock := manifest.WithClock(fixedClock())

	trust := []manifest.Option{clock, manifest.WithTagVerifier(exampleTags{}), manifest.WithAuthorizer(exampleTeam)}

	prev := manifest.RollbackPlan{Method: "none: first release", Version: manifest.RollbackNone}
	for _, tag := range []string{"v1.4.2", "v1.5.0"} {
		rec := exampleRecord(tag, "app-"+tag)
		rec.Rollback = prev // the release production ran before, with its digest
		_ = st.PutRecord(ctx, rec)
		prev = manifest.RollbackPlan{Method: "redeploy", Version: tag, Digest: rec.Artifacts[0].Digest}
		for _, env := range []string{"dev", "staging", "prod"} {
			_, err := manifest.Promote(ctx, st, manifest.PromoteRequest{
				Release: tag, Env: env, Digest: rec.Artifacts[0].Digest, Releaser: "ci-bot",
				Approver: "alice@example.com", Reason: "approved",
			}, trust...)
			if err != nil {
				fmt.Println(err)
				return
			}
		}
	}

	e, err := manifest.Rollback(ctx, st, manifest.RollbackRequest{Env: "prod", Releaser: "ci-bot", Approver: "bob@example.com", Reason: "error rate above SLO"}, trust...)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := e.Promotion
	fmt.Printf("prod: %s -> %s\n", p.RollbackFrom, p.Release)
	fmt.Println("same published digest:", p.Digest == manifest.Digest([]byte("app-v1.4.2")))
	// Output:
	// prod: v1.5.0 -> v1.4.2
	// same published digest: true
}

func ExampleDiff() {
	old := manifest.Manifest{Name: "2026.01", Repos: []manifest.Repo{
		{Name: "api", Tag: "v1.4.2", Artifacts: []manifest.Artifact{{Name: "api", Digest: manifest.Digest([]byte("api-1.4.2"))}}},
		{Name: "web", Tag: "v2.0.0"},
	}}
	nw := manifest.Manifest{Name: "2026.01", Repos: []manifest.Repo{
		{Name: "api", Tag: "v1.4.3", Artifacts: []manifest.Artifact{{Name: "api", Digest: manifest.Digest([]byte("api-1.4.3"))}}},
		{Name: "worker", Tag: "v0.1.0"},
	}}
	d := manifest.Diff(old, nw)
	fmt.Println("added:", d.Added, "removed:", d.Removed)
	for _, c := range d.Changed {
		fmt.Println("changed:", c.Name, c.Fields)
	}
	a, _ := old.Digest()
	b, _ := nw.Digest()
	fmt.Println("new candidate:", a != b)
	// Output:
	// added: [worker] removed: [web]
	// changed: api [tag artifacts]
	// new candidate: true
}

// exampleSSHKeys returns an SSH signer and verifier for the manifest
// namespace, from a fixed seed (examples use no randomness).
func exampleSSHKeys() (signature.Signer, signature.Verifier) {
	sk, _ := ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)))
	signer, _ := signature.NewSSHSigner(sk, manifest.Namespace)
	allowed, _ := signature.ParseAllowedSigners(append([]byte("deploy@example.com "), ssh.MarshalAuthorizedKey(sk.PublicKey())...))
	v := signature.NewSSHVerifier(allowed, manifest.Namespace)
	return signer, v
}

func ExampleOpenEvent() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "manifest-example")
	defer os.RemoveAll(dir)
	st, _ := manifest.NewDirStore(filepath.Join(dir, "store"))
	rec := exampleRecord("v1.4.2", "app-1.4.2")
	_ = st.PutRecord(ctx, rec)
	e, err := manifest.Promote(ctx, st, manifest.PromoteRequest{Release: "v1.4.2", Env: "dev", Digest: rec.Artifacts[0].Digest},
		manifest.WithClock(fixedClock()))
	if err != nil {
		fmt.Println(err)
		return
	}

	// The promotion job signs a short-lived event and publishes it.
	signer, verifier := exampleSSHKeys()
	now := e.Promotion.PromotedAt
	ev, _ := manifest.NewEvent(e, rec, now.Add(15*time.Minute))
	se, _ := manifest.SignEvent(ctx, ev, signer)
	events, _ := manifest.NewDirTransport(filepath.Join(dir, "events"))
	_ = events.Publish(ctx, se)

	// The deploy agent verifies each event offline before acting.
	pending, _ := events.Pending(ctx)
	for _, se := range pending {
		ev, err := manifest.OpenEvent(ctx, se, verifier, now.Add(time.Minute))
		if err != nil {
			fmt.Println("refused:", err)
			continue
		}
		fmt.Printf("deploy %s %s to %s\n", ev.Release, ev.Digest[:15], ev.Env)
		res, _ := manifest.RecordResult(ctx, st, manifest.DeployResult{
			Event: manifest.Digest(se.Payload), Release: ev.Release, Env: ev.Env, Digest: ev.Digest,
			Agent: "agent-1", Succeeded: true, Changed: "3 pods replaced", At: now.Add(2 * time.Minute),
		})
		fmt.Printf("logged result as entry #%d\n", res.Seq)
		_ = events.Ack(ctx, se)

		_, err = manifest.OpenEvent(ctx, se, verifier, now.Add(time.Hour))
		fmt.Println("an hour later:", errors.Is(err, manifest.ErrEventExpired))
	}
	// Output:
	// deploy v1.4.2 sha256:60c5764e to dev
	// logged result as entry #2
	// an hour later: true
}

func ExamplePromoteManifest() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "manifest-example")
	defer os.RemoveAll(dir)
	st, _ := manifest.NewDirStore(dir)
	signer, verifier := exampleSSHKeys()
	opts := []manifest.Option{manifest.WithClock(fixedClock()), manifest.WithManifestVerifier(verifier), manifest.WithAuthorizer(exampleTeam)}

	pin := func(name, api string) manifest.Manifest {
		return manifest.Manifest{Name: name, Repos: []manifest.Repo{
			{Name: "api", Tag: api, Commit: strings.Repeat("a", 40),
				Artifacts: []manifest.Artifact{{Name: "api", Digest: manifest.Digest([]byte("api-" + api))}}},
			{Name: "web", Tag: "v2.0.0", Commit: strings.Repeat("b", 40),
				Artifacts: []manifest.Artifact{{Name: "web", Digest: manifest.Digest([]byte("web-v2.0.0"))}}},
		}}
	}
	for _, m := range []manifest.Manifest{pin("2026.01", "v1.4.2"), pin("2026.02", "v1.5.0")} {
		digest, _ := m.Digest()
		sig, _ := manifest.Sign(ctx, m, signer)
		for _, env := range []string{"dev", "staging", "prod"} {
			e, err := manifest.PromoteManifest(ctx, st, manifest.ManifestRequest{
				Manifest: m, Digest: digest, Signature: sig, Env: env, Releaser: "ci-bot",
				Approver: "alice@example.com", Reason: "CHG-1300 approved",
			}, opts...)
			if err != nil {
				fmt.Println(err)
				return
			}
			fmt.Printf("#%d %s %s to %s\n", e.Seq, e.Promotion.Release, e.Promotion.Digest[:15], env)
		}
	}

	// Rebuilding api changes the manifest, so it is a new candidate: it
	// cannot skip dev, even under the same name.
	rebuilt := pin("2026.02", "v1.5.0")
	rebuilt.Repos[0].Artifacts[0].Digest = manifest.Digest([]byte("api-v1.5.0 rebuilt"))
	digest, _ := rebuilt.Digest()
	sig, _ := manifest.Sign(ctx, rebuilt, signer)
	_, err := manifest.PromoteManifest(ctx, st, manifest.ManifestRequest{
		Manifest: rebuilt, Digest: digest, Signature: sig, Env: "staging", Releaser: "ci-bot",
	}, opts...)
	fmt.Println("rebuilt to staging:", errors.Is(err, &manifest.DriftError{}))

	e, err := manifest.RollbackManifest(ctx, st, manifest.RollbackRequest{Env: "prod", Releaser: "ci-bot", Approver: "bob@example.com", Reason: "error rate above SLO"}, opts...)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := e.Promotion
	fmt.Printf("prod: %s -> %s %s\n", p.RollbackFrom[:15], p.Release, p.Digest[:15])
	for _, r := range p.Manifest.Repos {
		fmt.Println(" ", r.Name, r.Tag, r.Artifacts[0].Digest[:15])
	}
	_, err = manifest.VerifyStore(ctx, st, nil)
	fmt.Println("log verifies:", err == nil)
	// Output:
	// #1 2026.01 sha256:b66e2384 to dev
	// #2 2026.01 sha256:b66e2384 to staging
	// #3 2026.01 sha256:b66e2384 to prod
	// #4 2026.02 sha256:28499a47 to dev
	// #5 2026.02 sha256:28499a47 to staging
	// #6 2026.02 sha256:28499a47 to prod
	// rebuilt to staging: true
	// prod: sha256:28499a47 -> 2026.01 sha256:b66e2384
	//   api v1.4.2 sha256:3ddb5cad
	//   web v2.0.0 sha256:08b96fd2
	// log verifies: true
}

// Every refused attempt is evidence: Promote logs its refusals as denied
// entries, with who asked and the controls that refused, in the same chain
// as the promotions; Deny logs a refusal of the caller's own.
func ExampleDeny() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "manifest-example")
	defer os.RemoveAll(dir)
	st, _ := manifest.NewDirStore(dir)
	rec := exampleRecord("v1.4.2", "app-1.4.2")
	_ = st.PutRecord(ctx, rec)
	opts := []manifest.Option{manifest.WithClock(fixedClock()), manifest.WithTagVerifier(exampleTags{}), manifest.WithAuthorizer(exampleTeam)}
	promote := func(env, approver string) error {
		_, err := manifest.Promote(ctx, st, manifest.PromoteRequest{
			Release: "v1.4.2", Env: env, Digest: rec.Artifacts[0].Digest, Releaser: "ci-bot",
			Approver: approver, Reason: "CHG-1234 approved",
		}, opts...)
		return err
	}
	_ = promote("dev", "alice@example.com")
	_ = promote("prod", "alice@example.com") // staging skipped
	_ = promote("staging", "alice@example.com")
	err := promote("prod", "mallory@example.com") // not an approver of prod
	fmt.Println("controls:", manifest.Controls(err))

	// A refusal of the caller's own, such as a CI token that did not
	// verify (relctl logs those).
	_, _ = manifest.Deny(ctx, st, manifest.Denial{
		Action: manifest.AttemptPromote, Release: "v1.4.2", Env: "prod",
		Actor: &manifest.Actor{Name: "ci-bot"}, Refusal: "idtoken: token expired",
		At: time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC),
	})

	entries, err := manifest.VerifyStore(ctx, st, nil)
	for _, e := range entries {
		switch e.Kind {
		case manifest.KindPromotion:
			fmt.Printf("#%d promoted %s to %s\n", e.Seq, e.Promotion.Release, e.Promotion.Env)
		case manifest.KindDenied:
			d := e.Denial
			fmt.Printf("#%d denied %s %s to %s at %s, asked by %s (verified %t), controls %v\n    %s\n",
				e.Seq, d.Action, d.Release, d.Env, d.At.Format(time.Kitchen), d.Actor.Name, d.Actor.Verified, d.Controls, d.Refusal)
		}
	}
	fmt.Println("log verifies:", err == nil)
	// Output:
	// controls: [REL-ENV-001]
	// #1 promoted v1.4.2 to dev
	// #2 denied promote v1.4.2 to prod at 9:03AM, asked by ci-bot (verified false), controls []
	//     manifest: previous environment skipped: v1.4.2 never reached staging before prod
	// #3 promoted v1.4.2 to staging
	// #4 denied promote v1.4.2 to prod at 9:06AM, asked by ci-bot (verified false), controls [REL-ENV-001]
	//     manifest: approver not authorized: approve in prod: "mallory@example.com" may not approve in prod
	// #5 denied promote v1.4.2 to prod at 9:30AM, asked by ci-bot (verified false), controls []
	//     idtoken: token expired
	// log verifies: true
}

// A deployment job reports what happened to the release it deployed:
// started, then succeeded or failed, and where. A report of a release the
// environment was not promoted to is refused, and that is logged too.
func ExampleReportDeployment() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "manifest-example")
	defer os.RemoveAll(dir)
	st, _ := manifest.NewDirStore(dir)
	rec := exampleRecord("v1.4.2", "app-1.4.2")
	_ = st.PutRecord(ctx, rec)
	clock := manifest.WithClock(fixedClock())
	_, err := manifest.Promote(ctx, st, manifest.PromoteRequest{
		Release: "v1.4.2", Env: "dev", Digest: rec.Artifacts[0].Digest, Releaser: "ci-bot",
	}, clock)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The reporter: a typed identity here; a CI job passes the one
	// config.VerifyToken verified from its OIDC token.
	bot := &manifest.Actor{Name: "deploy-bot"}
	for _, r := range []manifest.DeploymentReport{
		{Release: "v1.4.2", Env: "dev", Result: manifest.ResultStarted, Targets: []string{"k8s/dev-eu"}, Branch: "main", Actor: bot},
		{Release: "v1.4.2", Env: "dev", Result: manifest.ResultFailed, Error: "readiness probe failed on 2 of 3 pods", Targets: []string{"k8s/dev-eu"}, Branch: "main", Actor: bot},
		{Release: "v1.4.2", Env: "staging", Result: manifest.ResultSucceeded, Actor: bot},
		{Release: "v1.4.2", Env: "dev", Result: "done", Actor: bot},
	} {
		e, err := manifest.ReportDeployment(ctx, st, r, clock)
		var fe *manifest.FieldError
		switch {
		case errors.As(err, &fe):
			fmt.Printf("bad report: %s: %s\n", fe.Field, fe.Reason)
		case err != nil:
			fmt.Printf("#%d %s\n", e.Seq, err)
		default:
			d := e.Deploy
			fmt.Printf("#%d %s %s in %s on %v from %s (promotion #%d, commit %s…): %s\n",
				e.Seq, d.Release, d.Digest[:15], d.Env, d.Targets, d.Branch, d.Promotion, d.Commit[:7], d.Result)
			if d.Error != "" {
				fmt.Println("    error:", d.Error)
			}
		}
	}
	_, err = manifest.VerifyStore(ctx, st, nil)
	fmt.Println("log verifies:", err == nil)
	// Output:
	// #2 v1.4.2 sha256:60c5764e in dev on [k8s/dev-eu] from main (promotion #1, commit 1111111…): started
	// #3 v1.4.2 sha256:60c5764e in dev on [k8s/dev-eu] from main (promotion #1, commit 1111111…): failed
	//     error: readiness probe failed on 2 of 3 pods
	// #4 manifest: release not promoted to the environment: v1.4.2 was not promoted to staging: nothing was promoted to staging
	// bad report: result: unknown result
	// log verifies: true
}

// Command multi-repo plays a coordinated multi-repository release of the
// release policy (§1.18.3.3–§1.18.3.4): a shared library makes a breaking
// release first, two services upgrade to it and release, a version-pinned
// manifest of the three (tags, commits, artifact digests, SBOM and
// provenance references) is signed and promoted dev → staging → prod behind
// an integration-test gate, and production is then rolled back to the prior
// known-good manifest, by digest, without rebuilding anything.
//
// With no arguments it builds three throwaway repositories and keys:
//
//	go run ./examples/multi-repo
//
// -dir keeps the workspace (repositories, store, manifests, allowed_signers,
// .releasekit.yaml). With -repo PATH the library is that repository (its
// HEAD must call for a release); the two services are still built in the
// workspace.
//
// The promotions and the rollback read the team's release configuration
// (.releasekit.yaml, package config): the promotion order, who may approve
// prod and who may deploy to and roll back prod. Production fails closed
// without it.
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

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "multi-repo:", err)
		os.Exit(1)
	}
}

const (
	developer = "Ada Developer"
	reviewer  = "Ben Reviewer"
	releaser  = "Release Bot"
	approver  = "Cleo Approver" // approves production changes
)

// component is one repository of the coordinated release.
type component struct {
	name string
	repo *git.Repository
}

// run is the whole example. main_test.go calls it, so it writes to stdout and
// stderr and returns an error instead of exiting.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("multi-repo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	repoPath := fs.String("repo", "", "use this repository as the library instead of a temporary one")
	keyPath := fs.String("ssh-key", "", "SSH private key that signs tags and manifests (default: a new Ed25519 key)")
	keep := fs.String("dir", "", "keep the workspace in this directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	work, cleanup, err := demo.Workspace(*keep, "multi-repo-")
	if err != nil {
		return err
	}
	defer cleanup()
	if err := os.MkdirAll(filepath.Join(work, "manifests"), 0o755); err != nil {
		return err
	}
	say := func(step int, format string, a ...any) {
		fmt.Fprintf(stdout, "%2d. %s\n", step, fmt.Sprintf(format, a...))
	}
	clk := &demo.Clock{}
	scheme := semver.Scheme{Prefix: "v"}

	// 1. One release key, used in two namespaces: "git" for tags and
	// manifest.Namespace for manifests, so neither signature can pass for
	// the other. allowed_signers trusts it for both.
	keys, err := demo.SetupSigning(work, *keyPath, tagging.GitNamespace, manifest.Namespace)
	if err != nil {
		return fmt.Errorf("1. %w", err)
	}
	manifestSigner, err := signature.NewSSHSigner(keys.Key, manifest.Namespace)
	if err != nil {
		return fmt.Errorf("1. signing key: %w", err)
	}
	tagSigner, tagVerifier := keys.Tag, keys.Verifier(tagging.GitNamespace)
	mv := keys.Verifier(manifest.Namespace)
	manifestVerifier := mv
	store, err := manifest.NewDirStore(filepath.Join(work, "store"))
	if err != nil {
		return fmt.Errorf("1. store: %w", err)
	}
	say(1, "release key trusted by allowed_signers for namespaces %q and %q", tagging.GitNamespace, manifest.Namespace)
	// The release configuration: the order, who may approve prod and who
	// may deploy to and roll back prod, and the keys trusted for tags and
	// manifests. Production promotions fail closed without it.
	cfg, err := demo.WriteConfig(work, demo.Team{Approvers: []string{demo.Email(approver)}, Releaser: demo.Email(releaser), Manifests: true})
	if err != nil {
		return fmt.Errorf("1. release configuration: %w", err)
	}
	say(1, "release configuration %s: %s", config.FileName, demo.DescribeConfig(cfg))

	// tagRelease computes the next version of c's HEAD, tags it, and
	// returns the verified tag and the pinned repository entry.
	tagRelease := func(c component) (manifest.Repo, error) {
		ref, err := c.repo.Head()
		if err != nil {
			return manifest.Repo{}, err
		}
		plan, err := commits.Next(ctx, c.repo, ref.Hash(), scheme)
		if err != nil {
			return manifest.Repo{}, err
		}
		if !plan.Releasable {
			return manifest.Repo{}, fmt.Errorf("%s: nothing to release", c.name)
		}
		if _, err := tagging.Create(ctx, c.repo, tagging.Request{
			Name: plan.Tag, Target: ref.Hash(), Message: "Release " + c.name + " " + plan.Tag,
			Tagger: tagging.Identity{Name: releaser, Email: demo.Email(releaser), When: clk.Next()},
		}, tagSigner); err != nil {
			return manifest.Repo{}, err
		}
		if _, err := tagging.Verify(ctx, c.repo, plan.Tag, tagVerifier, clk.Next()); err != nil {
			return manifest.Repo{}, err
		}
		return pin(c.name, plan.Tag, ref.Hash(), work)
	}

	// 2. Three repositories and the known-good manifest 2026.01 they made,
	// already promoted to every environment.
	names := []string{"pricing-lib", "checkout", "invoicing"}
	repos := map[string]component{}
	for _, n := range names {
		var r *git.Repository
		if n == "pricing-lib" && *repoPath != "" {
			if r, err = git.PlainOpen(*repoPath); err != nil {
				return fmt.Errorf("2. open %s: %w", *repoPath, err)
			}
			repos[n] = component{n, r}
			continue
		}
		if r, err = demo.Init(filepath.Join(work, n)); err != nil {
			return fmt.Errorf("2. init %s: %w", n, err)
		}
		files := map[string]string{"main.go": "package " + strings.ReplaceAll(n, "-", "") + "\n"}
		if n != "pricing-lib" {
			files["deps.txt"] = "pricing-lib v1.4.0\n"
			if *repoPath != "" {
				files["deps.txt"] = "pricing-lib (not yet pinned)\n"
			}
		}
		if _, err := demo.Commit(r, files, "feat: "+n+" (#1)\n\nRefs: REL-1", developer, clk.Next()); err != nil {
			return fmt.Errorf("2. commit %s: %w", n, err)
		}
		repos[n] = component{n, r}
	}
	old := manifest.Manifest{Version: manifest.ManifestVersion, Name: "2026.01"}
	if *repoPath == "" {
		for _, n := range names {
			c := repos[n]
			ref, err := c.repo.Head()
			if err != nil {
				return fmt.Errorf("2. %s: %w", n, err)
			}
			tag := map[string]string{"pricing-lib": "v1.4.0", "checkout": "v2.3.0", "invoicing": "v1.1.0"}[n]
			if _, err := tagging.Create(ctx, c.repo, tagging.Request{
				Name: tag, Target: ref.Hash(), Message: "Release " + n + " " + tag,
				Tagger: tagging.Identity{Name: releaser, Email: demo.Email(releaser), When: clk.Next()},
			}, tagSigner); err != nil {
				return fmt.Errorf("2. tag %s: %w", n, err)
			}
			p, err := pin(n, tag, ref.Hash(), work)
			if err != nil {
				return fmt.Errorf("2. build %s: %w", n, err)
			}
			old.Repos = append(old.Repos, p)
		}
	}

	// The gate is the release policy, with the controls that fit a
	// manifest: production only inside the weekday change window, 10:00 to
	// 12:00 UTC (REL-WINDOW-001); each environment runs a manifest digest
	// the one before it ran (REL-DIGEST-001); and a control of this
	// example's own, SHOP-INT-001: staging and prod need the integration
	// suite to have passed on this exact manifest digest. Each decision is
	// bound to the manifest promoted (REL-GATE-001). window is the day's
	// change window, when production promotions are scheduled.
	integrationPassed := map[string]bool{}
	var window manifest.Window
	changeWindow := func(day time.Time) manifest.Window {
		start := day.Truncate(24 * time.Hour).Add(10 * time.Hour)
		return manifest.Window{Start: start, End: start.Add(2 * time.Hour)}
	}
	gate := policy.Gate{Policy: policy.Policy{Controls: []policy.Control{
		policy.ChangeWindow{Windows: []policy.Window{{
			Days:  []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
			Start: "10:00", End: "12:00", Zone: "UTC",
		}}},
		policy.SameDigest{},
		integrationTests{passed: integrationPassed},
	}}}
	now := demo.Epoch()
	opts := []manifest.Option{
		manifest.WithOrder(cfg.Order()...),
		manifest.WithAuthorizer(cfg),
		manifest.WithClock(func() time.Time { return now }),
		manifest.WithGate(gate),
		manifest.WithManifestVerifier(manifestVerifier),
	}
	// promote signs m, checks the signature as a deployer would, and takes
	// it through every environment.
	promote := func(m manifest.Manifest, start time.Time) (string, error) {
		sig, err := manifest.Sign(ctx, m, manifestSigner)
		if err != nil {
			return "", err
		}
		data, err := manifest.Marshal(m)
		if err != nil {
			return "", err
		}
		if _, err := manifest.Open(ctx, data, sig, manifestVerifier, start); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(work, "manifests", m.Name+".json"), data, 0o644); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(work, "manifests", m.Name+".json.sig"), sig, 0o644); err != nil {
			return "", err
		}
		d, err := m.Digest()
		if err != nil {
			return "", err
		}
		integrationPassed[d] = true // the suite ran against exactly this set
		now = start
		for _, env := range cfg.Order() {
			req := manifest.ManifestRequest{Manifest: m, Digest: d, Signature: sig, Env: env, Releaser: demo.Email(releaser)}
			now = now.Add(10 * time.Minute)
			if env == "prod" {
				now = window.Start.Add(5 * time.Minute)
				req.Approver, req.Reason = demo.Email(approver), "go/no-go for "+m.Name
			}
			if _, err := manifest.PromoteManifest(ctx, store, req, opts...); err != nil {
				return "", fmt.Errorf("promote %s to %s: %w", m.Name, env, err)
			}
		}
		return d, nil
	}
	var oldDigest string
	if *repoPath == "" {
		window = changeWindow(clk.T)
		if oldDigest, err = promote(old, clk.T); err != nil {
			return fmt.Errorf("2. %w", err)
		}
		say(2, "pricing-lib v1.4.0, checkout v2.3.0, invoicing v1.1.0 run everywhere as manifest 2026.01 %s", oldDigest)
	} else {
		say(2, "library %s; services created in %s", *repoPath, work)
	}
	clk.T = clk.T.Add(24 * time.Hour)
	window = changeWindow(clk.T)

	// 3. The library's breaking release comes first (§1.18.3.4).
	lib := repos["pricing-lib"]
	if *repoPath == "" {
		if _, err := demo.Commit(lib.repo, map[string]string{"round.go": "package pricinglib\n\n// Round uses banker's rounding.\n"},
			"feat(round)!: banker's rounding\n\nBREAKING CHANGE: Round(2.5) is now 2; callers that need half-up call RoundHalfUp.\n\nRefs: PRC-20", developer, clk.Next()); err != nil {
			return fmt.Errorf("3. library change: %w", err)
		}
	}
	libPin, err := tagRelease(lib)
	if err != nil {
		return fmt.Errorf("3. library release: %w", err)
	}
	say(3, "pricing-lib released first: %s at %s, tag signed", libPin.Tag, libPin.Commit[:12])

	// 4. Each service upgrades to the library's new version and releases.
	pins := []manifest.Repo{libPin}
	for _, n := range names[1:] {
		c := repos[n]
		if _, err := demo.Commit(c.repo, map[string]string{"deps.txt": "pricing-lib " + libPin.Tag + "\n"},
			fmt.Sprintf("fix(deps): upgrade pricing-lib to %s\n\nRefs: PRC-21", libPin.Tag), developer, clk.Next()); err != nil {
			return fmt.Errorf("4. upgrade %s: %w", n, err)
		}
		p, err := tagRelease(c)
		if err != nil {
			return fmt.Errorf("4. release %s: %w", n, err)
		}
		pins = append(pins, p)
		say(4, "%s upgraded to pricing-lib %s and released as %s", n, libPin.Tag, p.Tag)
	}

	// 5. The manifest pins the set; every service pins the library version
	// the manifest carries (checked in each service's tagged tree).
	next := manifest.Manifest{Version: manifest.ManifestVersion, Name: "2026.02", Repos: pins}
	for _, p := range pins[1:] {
		got, err := fileAtTag(repos[p.Name].repo, p.Tag, "deps.txt")
		if err != nil {
			return fmt.Errorf("5. %s: %w", p.Name, err)
		}
		if strings.TrimSpace(got) != "pricing-lib "+libPin.Tag {
			return fmt.Errorf("5. %s %s pins %q, the manifest has pricing-lib %s", p.Name, p.Tag, got, libPin.Tag)
		}
	}
	if *repoPath == "" {
		ch := manifest.Diff(old, next)
		var changed []string
		for _, c := range ch.Changed {
			changed = append(changed, c.Name)
		}
		say(5, "manifest 2026.02 pins %d repositories; changed since 2026.01: %s", len(next.Repos), strings.Join(changed, ", "))
	} else {
		say(5, "manifest 2026.02 pins %d repositories", len(next.Repos))
	}

	// 6. A manifest altered after signing is refused: any change is a new
	// candidate that must be signed and tested again.
	sig, err := manifest.Sign(ctx, next, manifestSigner)
	if err != nil {
		return fmt.Errorf("6. sign: %w", err)
	}
	altered := next
	altered.Repos = append([]manifest.Repo(nil), next.Repos...)
	altered.Repos[1].Artifacts = []manifest.Artifact{{Name: "checkout.tar.gz", Digest: manifest.Digest([]byte("rebuilt"))}}
	ad, err := altered.Digest()
	if err != nil {
		return fmt.Errorf("6. %w", err)
	}
	now = clk.Next()
	_, err = manifest.PromoteManifest(ctx, store, manifest.ManifestRequest{Manifest: altered, Digest: ad, Signature: sig, Env: "dev", Releaser: demo.Email(releaser)}, opts...)
	if !errors.Is(err, signature.ErrBadSignature) {
		return fmt.Errorf("6. altered manifest: want ErrBadSignature, got %v", err)
	}
	say(6, "manifest 2026.02 with checkout's artifact swapped after signing refused: %v", signature.ErrBadSignature)

	// 7. The signed manifest goes dev → staging → prod behind the gate.
	newDigest, err := promote(next, clk.Next())
	if err != nil {
		return fmt.Errorf("7. %w", err)
	}
	say(7, "manifest 2026.02 %s signed, integration-tested and promoted dev → staging → prod", newDigest)

	// 8. Production breaks: roll back to the prior known-good manifest, by
	// its published digest, with an approval. Nothing is rebuilt.
	if *repoPath == "" {
		now = window.Start.Add(time.Hour)
		e, err := manifest.RollbackManifest(ctx, store, manifest.RollbackRequest{Env: "prod", Approver: demo.Email(approver), Reason: "INC-88: invoice totals off by a cent", Releaser: demo.Email(releaser)}, opts...)
		if err != nil {
			return fmt.Errorf("8. rollback: %w", err)
		}
		say(8, "prod rolled back from %s to manifest %s %s (log entry %d)", e.Promotion.RollbackFrom, e.Promotion.Release, e.Promotion.Digest, e.Seq)
	}

	// 9. The evidence: the log verifies and says what each environment runs.
	entries, err := manifest.VerifyStore(ctx, store, nil)
	if err != nil {
		return fmt.Errorf("9. verify log: %w", err)
	}
	var runs []string
	for _, env := range []string{"dev", "staging", "prod"} {
		if p, ok := manifest.Current(entries, env); ok {
			runs = append(runs, env+"="+p.Release)
		}
	}
	say(9, "log of %d entries verifies; %s", len(entries), strings.Join(runs, " "))
	return nil
}

// integrationTests is a control of this example's own: users add controls
// to a policy by implementing policy.Control. Staging and prod need the
// integration suite to have passed on the exact manifest digest promoted; a
// rollback to a known-good manifest does not. passed is filled by the test
// run before the gate is consulted (one goroutine).
type integrationTests struct{ passed map[string]bool }

// Meta describes the control.
func (integrationTests) Meta() policy.Meta {
	return policy.Meta{ID: "SHOP-INT-001", Title: "Integration tests passed on the manifest promoted",
		Section: "§1.13.3.1, §1.18.3.3", Criteria: []string{"CC8.1"}, Severity: policy.High}
}

// Evaluate checks the requested promotion of f.Manifest.
func (c integrationTests) Evaluate(_ context.Context, f policy.Facts) policy.Result {
	p := f.Promotion
	if p == nil || f.Manifest == nil || p.Env == "dev" || p.RollbackFrom != "" {
		return policy.Result{Status: policy.NotApplicable, Reason: "not a manifest promotion past dev"}
	}
	ev := []policy.Evidence{{Kind: "digest", Value: p.Digest, Note: "manifest " + f.Manifest.Name}}
	if !c.passed[p.Digest] {
		return policy.Result{Status: policy.Fail, Evidence: ev,
			Reason: fmt.Sprintf("integration tests have not passed on manifest %s; run the suite on this exact set", f.Manifest.Name)}
	}
	return policy.Result{Status: policy.Pass, Evidence: ev, Reason: "integration tests passed on manifest " + f.Manifest.Name}
}

// pin builds name's artifact for tag (a file in work/dist, with its SBOM),
// and returns the manifest entry that pins it.
func pin(name, tag string, commit plumbing.Hash, work string) (manifest.Repo, error) {
	dist := filepath.Join(work, "dist")
	if err := os.MkdirAll(dist, 0o755); err != nil {
		return manifest.Repo{}, err
	}
	file := name + "-" + tag + ".tar.gz"
	data := []byte(name + " " + tag + " " + commit.String() + "\n")
	if err := os.WriteFile(filepath.Join(dist, file), data, 0o644); err != nil {
		return manifest.Repo{}, err
	}
	subject, err := sbom.SubjectOf(file, bytes.NewReader(data))
	if err != nil {
		return manifest.Repo{}, err
	}
	doc, err := sbom.ForArtifact(subject)
	if err != nil {
		return manifest.Repo{}, err
	}
	sb, err := doc.Bytes(sbom.JSON)
	if err != nil {
		return manifest.Repo{}, err
	}
	if err := os.WriteFile(filepath.Join(dist, file+".cdx.json"), sb, 0o644); err != nil {
		return manifest.Repo{}, err
	}
	return manifest.Repo{
		Name: name, Tag: tag, Commit: commit.String(),
		Artifacts:  []manifest.Artifact{{Name: file, URI: "dist/" + file, Digest: subject.Digest()}},
		SBOM:       manifest.Digest(sb), // the SBOM document's digest; it is published next to the artifact
		Provenance: "https://ci.example.com/" + name + "/runs/" + tag,
	}, nil
}

// fileAtTag reads name in the tree of the commit tag points at.
func fileAtTag(repo *git.Repository, tag, name string) (string, error) {
	h, err := commits.Resolve(repo, tag)
	if err != nil {
		return "", err
	}
	c, err := repo.CommitObject(h)
	if err != nil {
		return "", err
	}
	f, err := c.File(name)
	if err != nil {
		return "", err
	}
	return f.Contents()
}

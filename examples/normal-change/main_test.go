package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/examples/internal/demotest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// TestRun plays the workflow in a kept workspace and checks what it left in
// the repository and the store, not only what it printed.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"-dir", dir}, &out, &errOut); err != nil {
		t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	demotest.Golden(t, out.Bytes())

	repo, err := git.PlainOpen(filepath.Join(dir, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	v := demotest.TagVerifier(t, dir)
	at := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)

	v120Hash, err := repo.ResolveRevision("v1.2.0^{commit}")
	if err != nil {
		t.Fatal(err)
	}
	v120 := *v120Hash
	// Both releases are signed tags that verify through allowed_signers.
	for _, name := range []string{"v1.2.0", "v1.3.0"} {
		ver, err := tagging.Verify(t.Context(), repo, name, v, at)
		if err != nil {
			t.Fatalf("verify %s: %v", name, err)
		}
		if ver.Signer.Identity != "release-bot@example.com" || ver.Signer.Format != signature.SSH {
			t.Errorf("%s signer = %+v", name, ver.Signer)
		}
	}
	ver, err := tagging.Verify(t.Context(), repo, "v1.3.0", v, at)
	if err != nil {
		t.Fatal(err)
	}
	// The squash merge left one commit for the feature on main, and the tag
	// points at the release commit on top of it.
	main, err := repo.Reference(plumbing.NewBranchReferenceName("main"), true)
	if err != nil {
		t.Fatal(err)
	}
	if main.Hash() != ver.Commit {
		t.Errorf("v1.3.0 at %s, main at %s", ver.Commit, main.Hash())
	}
	rc, err := repo.CommitObject(ver.Commit)
	if err != nil {
		t.Fatal(err)
	}
	squash, err := rc.Parent(0)
	if err != nil {
		t.Fatal(err)
	}
	if squash.NumParents() != 1 || !strings.HasPrefix(squash.Message, "feat(checkout): accept gift cards (#42)") {
		t.Errorf("squash commit: %d parents, message %q", squash.NumParents(), squash.Message)
	}
	// The changelog in the tagged tree documents the release.
	cl := demotest.FileAt(t, rc, "CHANGELOG.md")
	for _, want := range []string{"v1.3.0", "accept gift cards", "SHOP-42"} {
		if !strings.Contains(cl, want) {
			t.Errorf("CHANGELOG.md lacks %q:\n%s", want, cl)
		}
	}

	// The record is complete and names the artifact on disk.
	store, err := manifest.NewDirStore(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := store.Record(t.Context(), "v1.3.0")
	if err != nil {
		t.Fatal(err)
	}
	if err := manifest.Check(rec).Err(); err != nil {
		t.Errorf("record incomplete: %v", err)
	}
	if rec.Commit != ver.Commit.String() {
		t.Errorf("record commit %s, tag commit %s", rec.Commit, ver.Commit)
	}
	art, err := os.Open(filepath.Join(dir, "dist", "checkout-1.3.0.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer art.Close()
	subject, err := sbom.SubjectOf("checkout-1.3.0.tar.gz", art)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.HasDigest(subject.Digest()) {
		t.Errorf("record lacks the artifact digest %s", subject.Digest())
	}

	// The refusals came from the release policy, the configuration and
	// the requirement of a verified identity, and name their controls.
	for _, want := range []string{
		"prod before the window refused (log entry 6) by REL-WINDOW-001",
		"prod approved by the author refused (log entry 7) by REL-SOD-001",
		"prod approved by the code reviewer refused (log entry 8) by REL-SOD-001",
		"prod approved by someone@example.com refused (log entry 9) by the configuration",
		"prod promoted by release-bot@example.com as a typed name, without a CI token, refused (log entry 10) by REL-ENV-001: verified identity required",
		"log of 13 entries verifies",
		"    | #10 2026-01-06T10:12:00Z denied    promote v1.3.0 → prod\n    |     by release-bot@example.com (unverified: typed)\n",
		"    | #13 2026-01-06T10:19:00Z succeeded deploy v1.3.0 → prod\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}

	// The release configuration the run left beside allowed_signers trusts
	// the demonstration CI, with its keys pinned, for shop/checkout's jobs,
	// and requires a verified identity in prod only.
	cfg := demotest.Config(t, dir)
	if len(cfg.Identity.Issuers) != 1 {
		t.Fatalf("issuers %+v", cfg.Identity.Issuers)
	}
	is := cfg.Identity.Issuers[0]
	if is.Issuer != demo.CIIssuer || is.JWKS != filepath.Join(dir, demo.JWKSFile) || !slices.Equal(is.Claims["repository"], []string{"shop/checkout"}) {
		t.Errorf("issuer %+v", is)
	}
	if got := cfg.VerifiedIdentityEnvs(); !slices.Equal(got, []string{"prod"}) {
		t.Errorf("verified identity required in %v, want [prod]", got)
	}

	// The log verifies and holds, in order: v1.2.0 dev, staging, prod;
	// v1.3.0 dev, staging, all of the same digest; the five refused
	// attempts at prod, each with who tried (verified from the CI token,
	// but for the typed one) and the controls that refused it; v1.3.0's
	// prod promotion; and the deployment's outcome, started then
	// succeeded. prod's approval is by the change approver (neither the
	// author nor the code reviewer) inside the policy's window.
	entries, err := manifest.VerifyStore(t.Context(), store, nil)
	if err != nil {
		t.Fatalf("log: %v", err)
	}
	var kinds, envs, denied, deployed []string
	for _, e := range entries {
		kinds = append(kinds, e.Kind)
		switch {
		case e.Kind == manifest.KindDenied && e.Denial != nil:
			d := e.Denial
			if d.Action != manifest.AttemptPromote || d.Release != rec.Tag || d.Env != "prod" || d.Digest != subject.Digest() ||
				d.Actor == nil || d.Actor.Name != "release-bot@example.com" {
				t.Errorf("entry %d: %+v", e.Seq, d)
			}
			how := "typed"
			if d.Actor != nil && d.Actor.Verified {
				how = "verified"
				checkCIActor(t, e.Seq, d.Actor, "prod", rec.Commit)
			}
			denied = append(denied, d.Approver+" "+how+" "+strings.Join(d.Controls, ","))
		case e.Kind == manifest.KindDeployment && e.Deploy != nil:
			d := e.Deploy
			if d.Release != rec.Tag || d.Env != "prod" || !slices.Equal(d.Targets, []string{"k8s/prod-eu-1"}) || d.Branch != "main" ||
				d.Commit != rec.Commit || d.Digest != subject.Digest() || d.Promotion != 11 || d.Error != "" {
				t.Errorf("entry %d: %+v", e.Seq, d)
			}
			checkCIActor(t, e.Seq, d.Actor, "prod", rec.Commit)
			if c := d.Changes; c == nil || c.From != "v1.2.0" || c.Files != 3 || c.Added != 2 || c.Modified != 1 || c.Deleted != 0 || c.Truncated {
				t.Errorf("entry %d changes %+v", e.Seq, d.Changes)
			}
			deployed = append(deployed, d.Result)
		case e.Promotion != nil:
			p := e.Promotion
			if p.Release == rec.Tag && p.Digest != subject.Digest() {
				t.Errorf("entry %d: %+v", e.Seq, p)
			}
			commit := rec.Commit
			if p.Release == "v1.2.0" {
				commit = v120.String()
			}
			checkCIActor(t, e.Seq, p.Actor, p.Env, commit)
			envs = append(envs, p.Release+" "+p.Env)
		default:
			t.Errorf("entry %d: %+v", e.Seq, e)
		}
	}
	if want := []string{"v1.2.0 dev", "v1.2.0 staging", "v1.2.0 prod", "v1.3.0 dev", "v1.3.0 staging", "v1.3.0 prod"}; !slices.Equal(envs, want) {
		t.Errorf("promotions %q, want %q", envs, want)
	}
	if want := []string{
		"cleo@example.com verified REL-WINDOW-001", "ada@example.com verified REL-SOD-001", "ben@example.com verified REL-SOD-001",
		"someone@example.com verified REL-ENV-001", "cleo@example.com typed REL-ENV-001",
	}; !slices.Equal(denied, want) {
		t.Errorf("denied attempts %q, want %q", denied, want)
	}
	if want := []string{manifest.ResultStarted, manifest.ResultSucceeded}; !slices.Equal(deployed, want) {
		t.Errorf("deployment results %q, want %q", deployed, want)
	}
	if len(kinds) != 13 || kinds[10] != manifest.KindPromotion || kinds[11] != manifest.KindDeployment {
		t.Errorf("kinds %q", kinds)
	}
	prod, ok := manifest.Current(entries, "prod")
	if !ok || prod.Approver != "cleo@example.com" || prod.Window != "Tue 10:00-12:00 UTC" {
		t.Errorf("prod = %+v", prod)
	}
	// It was decided under the release configuration the run left beside
	// allowed_signers: its order, its production environment, its releaser,
	// with no check skipped.
	if !slices.Equal(prod.Order, cfg.Order()) || !prod.Production || prod.Releaser != "release-bot@example.com" || len(prod.Unsafe) != 0 {
		t.Errorf("prod decided under order %v, production %v, releaser %q, unsafe %v", prod.Order, prod.Production, prod.Releaser, prod.Unsafe)
	}

	// The changed files are evidence in the store, under the digest the
	// entry names: each file's sha256 is that of its content in the tags'
	// trees.
	last := entries[len(entries)-1].Deploy
	data, err := store.Evidence(t.Context(), last.Changes.Digest)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := manifest.ParseChangedFiles(data)
	if err != nil {
		t.Fatal(err)
	}
	if cf.From != "v1.2.0" || cf.To != "v1.3.0" {
		t.Errorf("changes from %q to %q", cf.From, cf.To)
	}
	old, err := repo.CommitObject(v120)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range cf.Files {
		files = append(files, f.Change+" "+f.Path)
		if sum := sha256.Sum256([]byte(demotest.FileAt(t, rc, f.Path))); f.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: sha256 %s, the tree of v1.3.0 has %x", f.Path, f.SHA256, sum)
		}
		if f.Change == manifest.ChangeModified {
			if sum := sha256.Sum256([]byte(demotest.FileAt(t, old, f.Path))); f.Previous != hex.EncodeToString(sum[:]) {
				t.Errorf("%s: previous sha256 %s, the tree of v1.2.0 has %x", f.Path, f.Previous, sum)
			}
		}
	}
	if want := []string{"added CHANGELOG.md", "modified checkout.go", "added giftcard.go"}; !slices.Equal(files, want) {
		t.Errorf("changed files %q, want %q", files, want)
	}
}

// checkCIActor checks that the actor of entry seq was verified from the
// demonstration CI's token of shop/checkout's job deploying commit to env.
func checkCIActor(t *testing.T, seq uint64, a *manifest.Actor, env, commit string) {
	t.Helper()
	if a == nil || !a.Verified || a.Name != "release-bot@example.com" || a.Issuer != demo.CIIssuer ||
		a.Subject != "repo:shop/checkout:environment:"+env || a.Claims == nil || a.Token == nil {
		t.Errorf("entry %d: actor %+v", seq, a)
		return
	}
	if c := a.Claims; c.Repository != "shop/checkout" || c.Ref != "refs/heads/main" || c.Commit != commit || c.Environment != env {
		t.Errorf("entry %d: claims %+v", seq, c)
	}
	if !strings.HasPrefix(a.Token.Digest, "sha256:") || !slices.Equal(a.Token.Audience, []string{demo.CIAudience}) {
		t.Errorf("entry %d: token %+v", seq, a.Token)
	}
}

// TestRunRepo releases the HEAD of an existing repository with -repo.
func TestRunRepo(t *testing.T) {
	dir := t.TempDir()
	repo, err := demo.Init(filepath.Join(dir, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := demo.Commit(repo, map[string]string{"a.txt": "a\n"}, "feat: first (#1)\n\nRefs: OPS-1", developer, demo.Epoch())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.CreateTag("v1.0.0", h, &git.CreateTagOptions{Tagger: demo.Identity(releaser, demo.Epoch()), Message: "Release v1.0.0"}); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Commit(repo, map[string]string{"b.txt": "b\n"}, "fix: second (#2)\n\nRefs: OPS-2", developer, demo.Epoch().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"-repo", filepath.Join(dir, "repo"), "-dir", filepath.Join(dir, "work")}, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s%s", err, out.String(), errOut.String())
	}
	if _, err := tagging.Verify(t.Context(), repo, "v1.0.1", demotest.TagVerifier(t, filepath.Join(dir, "work")), time.Now()); err != nil {
		t.Errorf("v1.0.1: %v", err)
	}
	// The log never saw what prod ran before: the deployment is prod's
	// first, and every file of v1.0.1 is listed as added.
	if !strings.Contains(out.String(), "files changed (first deployment): 3\n") {
		t.Errorf("output lacks the first deployment's files:\n%s", out.String())
	}
	store, err := manifest.NewDirStore(filepath.Join(dir, "work", "store"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := manifest.VerifyStore(t.Context(), store, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := entries[len(entries)-1].Deploy
	if d == nil || d.Result != manifest.ResultSucceeded || d.Branch != "main" || d.Changes == nil ||
		d.Changes.From != "" || d.Changes.Files != 3 || d.Changes.Added != 3 {
		t.Errorf("last entry %+v", entries[len(entries)-1])
	}
}

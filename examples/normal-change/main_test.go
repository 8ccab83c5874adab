package main

import (
	"bytes"
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

	// The refusals came from the release policy and name its controls.
	for _, want := range []string{
		"prod before the window refused by REL-WINDOW-001",
		"prod approved by the author refused by REL-SOD-001",
		"prod approved by the code reviewer refused by REL-SOD-001",
		"prod approved by someone@example.com refused by the configuration",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}

	// The log verifies, holds dev, staging, prod, all of the same digest,
	// and between them the four refused attempts at prod, each with the
	// controls that refused it; prod's approval is by the change approver
	// (neither the author nor the code reviewer) inside the policy's window.
	entries, err := manifest.VerifyStore(t.Context(), store, nil)
	if err != nil {
		t.Fatalf("log: %v", err)
	}
	var envs, denied []string
	for _, e := range entries {
		if d := e.Denial; e.Kind == manifest.KindDenied && d != nil {
			if d.Action != manifest.AttemptPromote || d.Release != rec.Tag || d.Env != "prod" || d.Digest != subject.Digest() ||
				d.Actor == nil || d.Actor.Name != "release-bot@example.com" {
				t.Errorf("entry %d: %+v", e.Seq, d)
			}
			denied = append(denied, d.Approver+" "+strings.Join(d.Controls, ","))
			continue
		}
		if e.Promotion == nil || e.Promotion.Digest != subject.Digest() {
			t.Errorf("entry %d: %+v", e.Seq, e)
			continue
		}
		envs = append(envs, e.Promotion.Env)
	}
	if got := strings.Join(envs, ","); got != "dev,staging,prod" {
		t.Errorf("promotions %s, want dev,staging,prod", got)
	}
	if want := []string{"cleo@example.com REL-WINDOW-001", "ada@example.com REL-SOD-001", "ben@example.com REL-SOD-001", "someone@example.com REL-ENV-001"}; !slices.Equal(denied, want) {
		t.Errorf("denied attempts %q, want %q", denied, want)
	}
	prod, ok := manifest.Current(entries, "prod")
	if !ok || prod.Approver != "cleo@example.com" || prod.Window != "Tue 10:00-12:00 UTC" {
		t.Errorf("prod = %+v", prod)
	}
	// It was decided under the release configuration the run left beside
	// allowed_signers: its order, its production environment, its releaser,
	// with no check skipped.
	cfg := demotest.Config(t, dir)
	if !slices.Equal(prod.Order, cfg.Order()) || !prod.Production || prod.Releaser != "release-bot@example.com" || len(prod.Unsafe) != 0 {
		t.Errorf("prod decided under order %v, production %v, releaser %q, unsafe %v", prod.Order, prod.Production, prod.Releaser, prod.Unsafe)
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
}

package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/examples/internal/demotest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/tagging"
)

// TestRun plays the revert in a kept workspace and checks the repository
// (the revert commits, the code at v2.1.0, its changelog) and the store (the
// incident note, the record's rollback target, the promotions).
func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"-dir", dir}, &out, &errOut); err != nil {
		t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	demotest.Golden(t, out.Bytes())
	ctx := t.Context()

	repo, err := git.PlainOpen(filepath.Join(dir, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	v := demotest.TagVerifier(t, dir)
	at := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	old, err := tagging.Verify(ctx, repo, "v2.0.0", v, at)
	if err != nil {
		t.Fatalf("v2.0.0: %v", err)
	}
	ver, err := tagging.Verify(ctx, repo, "v2.1.0", v, at)
	if err != nil {
		t.Fatalf("v2.1.0: %v", err)
	}

	// The history keeps both the change and its revert (nothing rewritten),
	// and the revert names the commit it reverts.
	var pricing plumbing.Hash
	reverts := map[string]bool{}
	for c, err := range commits.Log(ctx, repo, commits.Range{To: ver.Commit}) {
		if err != nil {
			t.Fatal(err)
		}
		if c.PR == 501 && c.Revert == nil {
			pricing = plumbing.NewHash(c.Hash)
		}
		if c.Revert != nil {
			reverts[c.Revert.Hash] = true
		}
	}
	if pricing.IsZero() || !reverts[pricing.String()] {
		t.Fatalf("#501 (%s) and its revert are not both in the history (reverts %v)", pricing, reverts)
	}

	// The code at v2.1.0: pricing as in v2.0.0, no banner, the kept feature.
	oc, err := repo.CommitObject(old.Commit)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := repo.CommitObject(ver.Commit)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := demotest.FileAt(t, oc, "pricing.go"), demotest.FileAt(t, nc, "pricing.go"); a != b {
		t.Errorf("pricing.go at v2.1.0 is not v2.0.0's:\n%s\n%s", a, b)
	}
	if _, err := nc.File("banner.go"); err == nil {
		t.Errorf("banner.go is still in v2.1.0")
	}
	if _, err := nc.File("later.go"); err != nil {
		t.Errorf("later.go: %v", err)
	}

	// The changelog: #501 and its revert cancel; the banner's revert shows.
	cl := demotest.FileAt(t, nc, "CHANGELOG.md")
	for _, want := range []string{"## v2.1.0", "save items for later", "show a sale banner"} {
		if !strings.Contains(cl, want) {
			t.Errorf("CHANGELOG.md lacks %q:\n%s", want, cl)
		}
	}
	if strings.Contains(cl, "dynamic pricing") {
		t.Errorf("CHANGELOG.md lists the reverted dynamic pricing:\n%s", cl)
	}

	// The store: incident note, rollback target, promotions.
	store, err := manifest.NewDirStore(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := manifest.VerifyStore(ctx, store, nil)
	if err != nil {
		t.Fatalf("log: %v", err)
	}
	var noted bool
	for _, e := range entries {
		noted = noted || (e.Kind == manifest.KindNote && strings.Contains(e.Note, "INC-77") && strings.Contains(e.Note, pricing.String()))
	}
	if !noted {
		t.Errorf("no incident note names %s", pricing)
	}
	prev, err := store.Record(ctx, "v2.0.0")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := store.Record(ctx, "v2.1.0")
	if err != nil {
		t.Fatal(err)
	}
	if err := manifest.Check(rec).Err(); err != nil {
		t.Errorf("record: %v", err)
	}
	if rec.Rollback.Version != "v2.0.0" || rec.Rollback.Digest != prev.Artifacts[0].Digest {
		t.Errorf("rollback plan %+v, want v2.0.0 %s", rec.Rollback, prev.Artifacts[0].Digest)
	}
	prod, ok := manifest.Current(entries, "prod")
	if !ok || prod.Release != "v2.1.0" || !rec.HasDigest(prod.Digest) {
		t.Errorf("prod = %+v", prod)
	}
	// Both releases reached prod under the release configuration the run
	// kept: its approver, its releaser, no check skipped.
	cfg := demotest.Config(t, dir)
	for _, e := range entries {
		if p := e.Promotion; p != nil && p.Env == "prod" {
			if cfg.Authorize("prod", manifest.ActionApprove, p.Approver) != nil || cfg.Authorize("prod", manifest.ActionDeploy, p.Releaser) != nil || len(p.Unsafe) != 0 {
				t.Errorf("%s in prod: approver %q, releaser %q, unsafe %v", p.Release, p.Approver, p.Releaser, p.Unsafe)
			}
		}
	}
}

// TestRunRepo reverts a commit of an existing repository with -repo and
// -commit, and checks that the release no longer has the change.
func TestRunRepo(t *testing.T) {
	dir := t.TempDir()
	repo, _ := demotest.ReleasedRepo(t, filepath.Join(dir, "repo"), "v1.0.0")
	bad, err := demo.Commit(repo, map[string]string{"b.go": "package a\n"}, "fix: b (#2)\n\nRefs: OPS-2", developer, demo.Epoch().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Commit(repo, map[string]string{"c.go": "package a\n"}, "fix: c (#3)\n\nRefs: OPS-3", developer, demo.Epoch().Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	args := []string{"-repo", filepath.Join(dir, "repo"), "-commit", bad.String(), "-dir", filepath.Join(dir, "work")}
	if err := run(t.Context(), args, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s%s", err, out.String(), errOut.String())
	}
	h, err := commits.Resolve(repo, "v1.0.1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := repo.CommitObject(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.File("b.go"); err == nil {
		t.Error("b.go is still in v1.0.1")
	}
	if _, err := c.File("c.go"); err != nil {
		t.Errorf("c.go: %v", err)
	}
}

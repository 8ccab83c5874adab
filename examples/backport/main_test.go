package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/examples/internal/demotest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/tagging"
)

// TestRun plays the backport in a kept workspace and checks the repository
// and the store: the fix is on main and, as a cherry-pick -x, on the release
// line only through the backport; v1.4.1 is signed; its changelog marks the
// original; the record links PR #411 to #410 and its commit; prod runs it.
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
	ver, err := tagging.Verify(ctx, repo, "v1.4.1", v, at)
	if err != nil {
		t.Fatalf("verify v1.4.1: %v", err)
	}
	if _, err := tagging.Verify(ctx, repo, "v1.5.0", v, at); err != nil {
		t.Errorf("v1.5.0: %v", err)
	}
	relRef, err := repo.Reference(plumbing.NewBranchReferenceName("release/1.4"), true)
	if err != nil {
		t.Fatal(err)
	}
	if relRef.Hash() != ver.Commit {
		t.Errorf("v1.4.1 at %s, release/1.4 at %s", ver.Commit, relRef.Hash())
	}
	mainRef, err := repo.Reference(plumbing.NewBranchReferenceName("main"), true)
	if err != nil {
		t.Fatal(err)
	}

	// The release's commits since v1.4.0: the release commit and the
	// backport, whose -x line names the fix on main.
	from, err := commits.Resolve(repo, "v1.4.0")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := changelog.Commits(ctx, repo, commits.Range{From: []plumbing.Hash{from}, To: ver.Commit})
	if err != nil {
		t.Fatal(err)
	}
	notes := changelog.Build(changelog.Release{Version: "v1.4.1", Previous: "v1.4.0", Commits: cs})
	var entries []changelog.Entry
	for _, s := range notes.Sections {
		entries = append(entries, s.Entries...)
	}
	if len(entries) != 1 || entries[0].BackportOf == "" || entries[0].PR != 410 {
		t.Fatalf("v1.4.1 entries = %+v, want the one backport of #410", entries)
	}
	orig := plumbing.NewHash(entries[0].BackportOf)
	oc, err := repo.CommitObject(orig)
	if err != nil {
		t.Fatalf("original %s: %v", orig, err)
	}
	mc, err := repo.CommitObject(mainRef.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := oc.IsAncestor(mc); !ok && oc.Hash != mc.Hash {
		t.Errorf("the original %s is not on main", orig)
	}
	for _, c := range cs {
		if c.Hash == orig.String() {
			t.Errorf("the original %s itself is on release/1.4", orig)
		}
	}

	// CHANGELOG.md at the tag shows the mark.
	rc, err := repo.CommitObject(ver.Commit)
	if err != nil {
		t.Fatal(err)
	}
	f, err := rc.File("CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	cl, err := f.Contents()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cl, "## v1.4.1") || !strings.Contains(cl, "backport of "+orig.String()[:7]) {
		t.Errorf("CHANGELOG.md does not mark the backport of %s:\n%s", orig, cl)
	}

	// The record and the log.
	store, err := manifest.NewDirStore(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := store.Record(ctx, "v1.4.1")
	if err != nil {
		t.Fatal(err)
	}
	if err := manifest.Check(rec).Err(); err != nil {
		t.Errorf("record: %v", err)
	}
	if len(rec.PRs) != 1 || rec.PRs[0].OriginalPR != "#410" || rec.PRs[0].OriginalSHA != orig.String() || rec.Commit != ver.Commit.String() {
		t.Errorf("record PRs %+v commit %s", rec.PRs, rec.Commit)
	}
	log, err := manifest.VerifyStore(ctx, store, nil)
	if err != nil {
		t.Fatalf("log: %v", err)
	}
	prod, ok := manifest.Current(log, "prod")
	if !ok || prod.Release != "v1.4.1" || !rec.HasDigest(prod.Digest) || prod.Approver != "cleo@example.com" || prod.Window != "Tue 10:00-12:00 UTC" {
		t.Errorf("prod = %+v", prod)
	}
	// Decided under the release configuration the run kept, by its releaser.
	if err := demotest.Config(t, dir).Authorize("prod", manifest.ActionDeploy, prod.Releaser); err != nil || !prod.Production || len(prod.Unsafe) != 0 {
		t.Errorf("prod releaser %q (%v), production %v, unsafe %v", prod.Releaser, err, prod.Production, prod.Unsafe)
	}
}

// TestRunRepo backports a fix of an existing repository with -repo,
// -commit and -line, and checks the patch release's provenance.
func TestRunRepo(t *testing.T) {
	dir := t.TempDir()
	repo, base := demotest.ReleasedRepo(t, filepath.Join(dir, "repo"), "v2.0.0")
	if err := repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName("release/2.0"), base)); err != nil {
		t.Fatal(err)
	}
	fix, err := demo.Commit(repo, map[string]string{"a.go": "package a\n\n// fixed\n"}, "fix: a leaks (#2)\n\nRefs: OPS-2", developer, demo.Epoch().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	args := []string{"-repo", filepath.Join(dir, "repo"), "-commit", fix.String(), "-line", "2.0", "-dir", filepath.Join(dir, "work")}
	if err := run(t.Context(), args, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s%s", err, out.String(), errOut.String())
	}
	store, err := manifest.NewDirStore(filepath.Join(dir, "work", "store"))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := store.Record(t.Context(), "v2.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if rec.PRs[0].OriginalSHA != fix.String() {
		t.Errorf("record names %s, want the fix %s", rec.PRs[0].OriginalSHA, fix)
	}
	h, err := commits.Resolve(repo, "v2.0.1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := repo.CommitObject(h)
	if err != nil {
		t.Fatal(err)
	}
	pick, err := c.Parent(0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(pick.Message, "(cherry picked from commit "+fix.String()+")") {
		t.Errorf("backport message %q lacks the -x line", pick.Message)
	}
}

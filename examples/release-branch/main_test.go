package main

import (
	"bytes"
	"errors"
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
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/tagging"
)

// TestRun plays the workflow in a kept workspace and checks the repository
// and the store: the branch, the backport's provenance, what the release
// contains and does not, the signed tag, the refused feature, the record and
// the log.
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
	ver, err := tagging.Verify(ctx, repo, "v1.4.0", demotest.TagVerifier(t, dir), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("verify v1.4.0: %v", err)
	}
	rel := branchTip(t, repo, "release/1.4")
	if ver.Commit != rel {
		t.Errorf("v1.4.0 at %s, release/1.4 at %s", ver.Commit, rel)
	}

	// The release's tip is a cherry-pick -x of a fix that is on main, and
	// the original is not itself in the release.
	c, err := repo.CommitObject(rel)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := commits.Parse(c.Message)
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.CherryPickedFrom) != 1 {
		t.Fatalf("backport message %q names no origin", c.Message)
	}
	orig := plumbing.NewHash(msg.CherryPickedFrom[0])
	mainTip := branchTip(t, repo, "main")
	if !reachable(t, repo, mainTip, orig) || reachable(t, repo, rel, orig) {
		t.Errorf("origin %s: on main %v, on release/1.4 %v", orig, reachable(t, repo, mainTip, orig), reachable(t, repo, rel, orig))
	}
	oc, err := repo.CommitObject(orig)
	if err != nil {
		t.Fatal(err)
	}
	if oc.Author.Name != c.Author.Name || !strings.HasPrefix(c.Message, strings.TrimRight(oc.Message, "\n")) {
		t.Errorf("backport does not keep the original author and message:\n%q\n%q", oc.Message, c.Message)
	}

	// The feature merged on main after the cutoff is not in v1.4.0.
	for cm, err := range commits.Log(ctx, repo, commits.Range{To: mainTip}) {
		if err != nil {
			t.Fatal(err)
		}
		if cm.PR == 305 && reachable(t, repo, rel, plumbing.NewHash(cm.Hash)) {
			t.Errorf("PR #305, merged after the cutoff, is in release/1.4")
		}
	}

	// The refused feature PR still fails the line rule and is not merged.
	pr := branchTip(t, repo, "pr/308")
	if _, err := commits.Next(ctx, repo, pr, semver.Scheme{Prefix: "v"}, commits.WithLine(semver.Line{Major: 1, Minor: 4})); !errors.Is(err, semver.ErrNotPatch) {
		t.Errorf("pr/308: err = %v, want ErrNotPatch", err)
	}
	if reachable(t, repo, rel, pr) {
		t.Errorf("pr/308 was merged into release/1.4")
	}

	// The store: the cutoff note names the branch's base, the record is
	// complete, and prod runs v1.4.0 with an approval.
	store, err := manifest.NewDirStore(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := manifest.VerifyStore(ctx, store, nil)
	if err != nil {
		t.Fatalf("log: %v", err)
	}
	rec, err := store.Record(ctx, "v1.4.0")
	if err != nil {
		t.Fatal(err)
	}
	if err := manifest.Check(rec).Err(); err != nil {
		t.Errorf("record: %v", err)
	}
	if entries[0].Kind != manifest.KindNote || !strings.Contains(entries[0].Note, "cutoff release/1.4 at "+rec.Extra["cutoff"]) {
		t.Errorf("first entry %+v does not record the cutoff %s", entries[0], rec.Extra["cutoff"])
	}
	if !reachable(t, repo, rel, plumbing.NewHash(rec.Extra["cutoff"])) {
		t.Errorf("cutoff %s is not the base of release/1.4", rec.Extra["cutoff"])
	}
	var backport bool
	for _, p := range rec.PRs {
		backport = backport || p.OriginalSHA == orig.String()
	}
	if !backport {
		t.Errorf("record PRs %+v do not name the backport's original %s", rec.PRs, orig)
	}
	prod, ok := manifest.Current(entries, "prod")
	if !ok || prod.Release != "v1.4.0" || prod.Approver == "" || !rec.HasDigest(prod.Digest) {
		t.Errorf("prod = %+v", prod)
	}
	// Decided under the release configuration the run kept: its approver,
	// its releaser, no check skipped.
	cfg := demotest.Config(t, dir)
	if cfg.Authorize("prod", manifest.ActionApprove, prod.Approver) != nil || cfg.Authorize("prod", manifest.ActionDeploy, prod.Releaser) != nil || len(prod.Unsafe) != 0 {
		t.Errorf("prod approver %q, releaser %q, unsafe %v: not what %s allows", prod.Approver, prod.Releaser, prod.Unsafe, cfg.File)
	}
}

func branchTip(t *testing.T, repo *git.Repository, name string) plumbing.Hash {
	t.Helper()
	ref, err := repo.Reference(plumbing.NewBranchReferenceName(name), true)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ref.Hash()
}

// reachable reports whether h is tip or one of its ancestors.
func reachable(t *testing.T, repo *git.Repository, tip, h plumbing.Hash) bool {
	t.Helper()
	if tip == h {
		return true
	}
	c, err := repo.CommitObject(h)
	if err != nil {
		t.Fatal(err)
	}
	tc, err := repo.CommitObject(tip)
	if err != nil {
		t.Fatal(err)
	}
	ok, err := c.IsAncestor(tc)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestRunRepo cuts, tags and promotes a release branch of an existing
// repository with -repo.
func TestRunRepo(t *testing.T) {
	dir := t.TempDir()
	repo, _ := demotest.ReleasedRepo(t, filepath.Join(dir, "repo"), "v3.1.0")
	tip, err := demo.Commit(repo, map[string]string{"b.go": "package a\n"}, "feat: b (#2)\n\nRefs: OPS-2", developer, demo.Epoch().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"-repo", filepath.Join(dir, "repo"), "-dir", filepath.Join(dir, "work")}, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s%s", err, out.String(), errOut.String())
	}
	if got := branchTip(t, repo, "release/3.2"); got != tip {
		t.Errorf("release/3.2 at %s, want the cutoff %s", got, tip)
	}
	h, err := commits.Resolve(repo, "v3.2.0")
	if err != nil || h != tip {
		t.Errorf("v3.2.0 at %s (%v), want %s", h, err, tip)
	}
	store, err := manifest.NewDirStore(filepath.Join(dir, "work", "store"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := manifest.VerifyStore(t.Context(), store, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := manifest.Current(entries, "prod"); !ok || p.Release != "v3.2.0" {
		t.Errorf("prod = %+v", p)
	}
}

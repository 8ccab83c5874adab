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
	"github.com/releasekit/releasekit/examples/internal/demotest"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/tagging"
)

// TestRun plays the flow in a kept workspace and checks the repository: the
// three signed tags, the VERSION and CHANGELOG.md each tag carries, and that
// every release is a squash-merged PR on a linear main.
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

	want := []struct {
		tag, pr string
		has     []string // in CHANGELOG.md at the tag
	}{
		{"v1.3.0-beta.1", "(#270)", []string{"## v1.3.0-beta.1", "sell product bundles (#261)", "keep the cart across logins (#262)"}},
		{"v1.3.0-beta.2", "(#271)", []string{"## v1.3.0-beta.2", "round totals", "price bundles after discounts (#274)"}},
		{"v1.3.0", "(#272)", []string{"## v1.3.0 ", "sell product bundles", "keep the cart", "round totals", "price bundles"}},
	}
	for _, w := range want {
		ver, err := tagging.Verify(t.Context(), repo, w.tag, v, at)
		if err != nil {
			t.Fatalf("verify %s: %v", w.tag, err)
		}
		c, err := repo.CommitObject(ver.Commit)
		if err != nil {
			t.Fatal(err)
		}
		if c.NumParents() != 1 || !strings.HasPrefix(c.Message, "chore(release): ") || !strings.HasSuffix(c.Message, w.pr) {
			t.Errorf("%s: commit %q with %d parents, want a squash merge of PR %s", w.tag, c.Message, c.NumParents(), w.pr)
		}
		if got := fileAt(t, repo, ver.Commit, "VERSION"); got != strings.TrimPrefix(w.tag, "v")+"\n" {
			t.Errorf("%s: VERSION = %q", w.tag, got)
		}
		cl := fileAt(t, repo, ver.Commit, "CHANGELOG.md")
		for _, s := range w.has {
			if !strings.Contains(cl, s) {
				t.Errorf("%s: CHANGELOG.md lacks %q:\n%s", w.tag, s, cl)
			}
		}
	}

	// v1.3.0 is the latest release on main, both as the latest tag and as
	// the latest stable one, and nothing is left to release.
	mainRef, err := repo.Reference(plumbing.NewBranchReferenceName("main"), true)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := commits.Next(t.Context(), repo, mainRef.Hash(), semver.Scheme{Prefix: "v"})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Releasable || plan.Previous.Latest.Tag != "v1.3.0" || plan.Previous.Stable.Tag != "v1.3.0" {
		t.Errorf("after the release: releasable %v, latest %s, stable %s", plan.Releasable, plan.Previous.Latest.Tag, plan.Previous.Stable.Tag)
	}
}

func fileAt(t *testing.T, repo *git.Repository, h plumbing.Hash, name string) string {
	t.Helper()
	c, err := repo.CommitObject(h)
	if err != nil {
		t.Fatal(err)
	}
	return demotest.FileAt(t, c, name)
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/examples/internal/demotest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// TestRun plays the coordinated release in a kept workspace and checks the
// three repositories (signed tags, the library released before the services
// that pin it), the signed manifest file against the repositories, and the
// log (promotions of 2026.02 everywhere, then prod rolled back to 2026.01).
func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"-dir", dir}, &out, &errOut); err != nil {
		t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	demotest.Golden(t, out.Bytes())
	ctx := t.Context()
	at := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)

	allowed := demotest.AllowedSigners(t, dir)
	tv := signature.NewSSHVerifier(allowed, tagging.GitNamespace)
	mv := signature.NewSSHVerifier(allowed, manifest.Namespace)

	// The signed manifest on disk opens, and pins what the repositories hold.
	data, err := os.ReadFile(filepath.Join(dir, "manifests", "2026.02.json"))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := os.ReadFile(filepath.Join(dir, "manifests", "2026.02.json.sig"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Open(ctx, data, sig, mv, at)
	if err != nil {
		t.Fatalf("open manifest: %v", err)
	}
	// A manifest signature is not a tag signature (namespaces differ).
	if _, err := tv.Verify(ctx, data, sig, at); err == nil {
		t.Errorf("the manifest signature verifies in the git namespace")
	}
	want := map[string]string{"pricing-lib": "v2.0.0", "checkout": "v2.3.1", "invoicing": "v1.1.1"}
	var libTagged time.Time
	for _, r := range m.Repos {
		if want[r.Name] != r.Tag {
			t.Errorf("manifest pins %s %s, want %s", r.Name, r.Tag, want[r.Name])
		}
		repo, err := git.PlainOpen(filepath.Join(dir, r.Name))
		if err != nil {
			t.Fatal(err)
		}
		ver, err := tagging.Verify(ctx, repo, r.Tag, tv, at)
		if err != nil {
			t.Fatalf("%s %s: %v", r.Name, r.Tag, err)
		}
		if ver.Commit.String() != r.Commit {
			t.Errorf("%s: manifest commit %s, tag commit %s", r.Name, r.Commit, ver.Commit)
		}
		if r.Name == "pricing-lib" {
			libTagged = ver.Tagger.When
			continue
		}
		deps, err := fileAtTag(repo, r.Tag, "deps.txt")
		if err != nil || strings.TrimSpace(deps) != "pricing-lib v2.0.0" {
			t.Errorf("%s %s deps.txt = %q, %v", r.Name, r.Tag, deps, err)
		}
		// The upgrade commit came after the library's release.
		h, err := commits.Resolve(repo, r.Tag)
		if err != nil {
			t.Fatal(err)
		}
		c, err := repo.CommitObject(h)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Committer.When.After(libTagged) {
			t.Errorf("%s upgraded at %s, before pricing-lib was tagged at %s", r.Name, c.Committer.When, libTagged)
		}
	}

	// The log: 2026.01 and 2026.02 through every environment, then prod
	// rolled back to 2026.01's digest.
	store, err := manifest.NewDirStore(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := manifest.VerifyStore(ctx, store, nil)
	if err != nil {
		t.Fatalf("log: %v", err)
	}
	newDigest, err := m.Digest()
	if err != nil {
		t.Fatal(err)
	}
	var seq []string
	var promotions []manifest.Entry
	for _, e := range entries {
		if d := e.Denial; e.Kind == manifest.KindDenied && d != nil {
			// The manifest swapped after signing, refused and logged.
			if d.Action != manifest.AttemptPromoteManifest || d.Release != "2026.02" || d.Env != "dev" || d.Digest == newDigest ||
				!strings.Contains(d.Refusal, "bad signature") || len(d.Controls) != 0 {
				t.Errorf("entry %d: %+v", e.Seq, d)
			}
			seq = append(seq, "denied:"+d.Release+"@"+d.Env)
			continue
		}
		if e.Promotion == nil || e.Promotion.Manifest == nil {
			t.Fatalf("entry %d is not a manifest promotion: %+v", e.Seq, e)
		}
		seq = append(seq, e.Promotion.Release+"@"+e.Promotion.Env)
		promotions = append(promotions, e)
	}
	if got := strings.Join(seq, " "); got != "2026.01@dev 2026.01@staging 2026.01@prod denied:2026.02@dev 2026.02@dev 2026.02@staging 2026.02@prod 2026.01@prod" {
		t.Errorf("log = %s", got)
	}
	last := entries[len(entries)-1].Promotion
	if last.RollbackFrom != newDigest || last.Approver == "" || last.Reason == "" {
		t.Errorf("rollback entry = %+v", last)
	}
	// Every promotion and the rollback are what the release configuration
	// the run kept allows, with no check skipped.
	cfg := demotest.Config(t, dir)
	for _, e := range promotions {
		p, action := e.Promotion, manifest.ActionDeploy
		if p.RollbackFrom != "" {
			action = manifest.ActionRollback
		}
		if err := cfg.Authorize(p.Env, action, p.Releaser); err != nil || len(p.Unsafe) != 0 {
			t.Errorf("entry %d: releaser %q (%v), unsafe %v", e.Seq, p.Releaser, err, p.Unsafe)
		}
		if p.Env == "prod" && cfg.Authorize("prod", manifest.ActionApprove, p.Approver) != nil {
			t.Errorf("entry %d: prod approved by %q", e.Seq, p.Approver)
		}
	}
	first := entries[0].Promotion
	prod, _ := manifest.Current(entries, "prod")
	staging, _ := manifest.Current(entries, "staging")
	if prod.Digest != first.Digest || staging.Digest != newDigest {
		t.Errorf("prod runs %s (want 2026.01 %s), staging %s (want %s)", prod.Digest, first.Digest, staging.Digest, newDigest)
	}
}

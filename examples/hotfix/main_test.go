package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/examples/internal/demotest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// TestRun plays the hotfix in a kept workspace and checks the repository,
// the store and the policy reports: both tags are signed; the hotfix branch
// starts at the production tag's commit, not at main; v1.4.3 is the fix on
// that branch; the record names the incident and the release it repairs;
// prod ran v1.4.2 inside its window and runs v1.4.3 as an emergency change
// without one; main holds a cherry-pick -x of the fix; the forward-port
// control failed before it and passes after.
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
	tags := map[string]plumbing.Hash{}
	for _, name := range []string{"v1.4.2", "v1.4.3"} {
		ver, err := tagging.Verify(ctx, repo, name, v, at)
		if err != nil {
			t.Fatalf("verify %s: %v", name, err)
		}
		if ver.Signer.Identity != "release-bot@example.com" || ver.Signer.Format != signature.SSH {
			t.Errorf("%s signer = %+v", name, ver.Signer)
		}
		tags[name] = ver.Commit
	}

	// The hotfix branch is the fix on top of the production tag's commit,
	// and v1.4.3 tags its tip.
	branch, err := repo.Reference(plumbing.NewBranchReferenceName("hotfix/1.4.3-INC123"), true)
	if err != nil {
		t.Fatal(err)
	}
	if branch.Hash() != tags["v1.4.3"] {
		t.Errorf("v1.4.3 at %s, hotfix branch at %s", tags["v1.4.3"], branch.Hash())
	}
	fix, err := repo.CommitObject(tags["v1.4.3"])
	if err != nil {
		t.Fatal(err)
	}
	if fix.NumParents() != 1 || fix.ParentHashes[0] != tags["v1.4.2"] {
		t.Errorf("hotfix commit parents %v, want the v1.4.2 commit %s", fix.ParentHashes, tags["v1.4.2"])
	}
	msg, err := commits.Parse(fix.Message)
	if err != nil || msg.Type != "fix" || !strings.Contains(fix.Message, "\nRefs: INC123") {
		t.Errorf("hotfix commit message %q (%v)", fix.Message, err)
	}

	// main moved on, does not hold v1.4.3 itself, and ends with the
	// cherry-pick -x of the fix on top of its own feature.
	mainRef, err := repo.Reference(plumbing.NewBranchReferenceName("main"), true)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := repo.CommitObject(mainRef.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(strings.TrimRight(fp.Message, "\n"), "(cherry picked from commit "+fix.Hash.String()+")") {
		t.Errorf("main's tip %q does not name the hotfix commit %s", fp.Message, fix.Hash)
	}
	if ok, _ := fix.IsAncestor(fp); ok {
		t.Errorf("the hotfix commit itself is on main")
	}
	parent, err := fp.Parent(0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(parent.Message, "feat(payments): pay with a wallet (#130)") {
		t.Errorf("forward-port parent %q, want main's feature", parent.Message)
	}
	bases, err := fix.MergeBase(fp)
	if err != nil || len(bases) != 1 || bases[0].Hash != tags["v1.4.2"] {
		t.Errorf("fork point of the hotfix %v (%v), want v1.4.2's commit", bases, err)
	}

	// The record: complete, tied to the tag, the artifact on disk, the
	// incident and the release it repairs, and v1.4.2's artifact as the
	// rollback target.
	store, err := manifest.NewDirStore(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := store.Record(ctx, "v1.4.3")
	if err != nil {
		t.Fatal(err)
	}
	if err := manifest.Check(rec).Err(); err != nil {
		t.Errorf("record incomplete: %v", err)
	}
	if rec.Commit != fix.Hash.String() || rec.Extra["incident"] != "INC123" || rec.Extra["hotfix_for"] != "v1.4.2" {
		t.Errorf("record commit %s, extra %v", rec.Commit, rec.Extra)
	}
	art, err := os.Open(filepath.Join(dir, "dist", "payments-v1.4.3.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer art.Close()
	subject, err := sbom.SubjectOf("payments-v1.4.3.tar.gz", art)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.HasDigest(subject.Digest()) {
		t.Errorf("record lacks the artifact digest %s", subject.Digest())
	}
	prev, err := store.Record(ctx, "v1.4.2")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Rollback.Version != "v1.4.2" || !prev.HasDigest(rec.Rollback.Digest) {
		t.Errorf("rollback %+v, want v1.4.2's artifact", rec.Rollback)
	}

	// The log: v1.4.2 went dev → staging → prod inside its window; v1.4.3
	// went dev → staging → prod with a complete emergency record and no
	// window. The two refusals at prod are logged between, each with the
	// control that refused it.
	entries, err := manifest.VerifyStore(ctx, store, nil)
	if err != nil {
		t.Fatalf("log: %v", err)
	}
	var got, denied []string
	for _, e := range entries {
		if d := e.Denial; e.Kind == manifest.KindDenied && d != nil {
			if d.Release != "v1.4.3" || d.Env != "prod" || d.Digest != subject.Digest() || d.Actor == nil || d.Actor.Name != demo.Email(releaser) {
				t.Errorf("entry %d: %+v", e.Seq, d)
			}
			denied = append(denied, strings.Join(d.Controls, ","))
			continue
		}
		p := e.Promotion
		if p == nil {
			t.Fatalf("entry %d is not a promotion", e.Seq)
		}
		got = append(got, p.Release+" "+p.Env)
		if p.Releaser != demo.Email(releaser) || len(p.Unsafe) != 0 {
			t.Errorf("%s %s: releaser %q, unsafe %v", p.Release, p.Env, p.Releaser, p.Unsafe)
		}
		if p.Env != "prod" {
			continue
		}
		switch p.Release {
		case "v1.4.2":
			if p.Emergency != nil || p.Window == "" || p.Approver != demo.Email(approver) {
				t.Errorf("v1.4.2 prod = %+v", p)
			}
		case "v1.4.3":
			em := p.Emergency
			if p.Window != "" || em == nil || em.Reason == "" || em.Scope == "" || em.Approver != demo.Email(approver) || em.RollbackPlan == "" || em.FollowUp == "" {
				t.Errorf("v1.4.3 prod = %+v, emergency %+v", p, em)
			}
			if p.Digest != subject.Digest() {
				t.Errorf("prod runs %s, want %s", p.Digest, subject.Digest())
			}
		}
	}
	if s := strings.Join(got, ", "); s != "v1.4.2 dev, v1.4.2 staging, v1.4.2 prod, v1.4.3 dev, v1.4.3 staging, v1.4.3 prod" {
		t.Errorf("promotions: %s", s)
	}
	if s := strings.Join(denied, "; "); s != "REL-WINDOW-001; REL-WINDOW-001" {
		t.Errorf("denied attempts' controls: %s", s)
	}
	if !strings.Contains(out.String(), "without an emergency-change record refused by REL-WINDOW-001") {
		t.Errorf("output lacks the REL-WINDOW-001 refusal")
	}

	// The policy reports kept as evidence: the forward-port control failed
	// before the forward-port and passes after; the branch was cut from the
	// production tag throughout.
	for file, want := range map[string]map[string]policy.Status{
		"before-forward-port.json": {"REL-HOTFIX-001": policy.Pass, "REL-HOTFIX-002": policy.Fail},
		"after-forward-port.json":  {"REL-HOTFIX-001": policy.Pass, "REL-HOTFIX-002": policy.Pass},
	} {
		if got := reportStatuses(t, filepath.Join(dir, "policy", file)); !equal(got, want) {
			t.Errorf("%s: %v, want %v", file, got, want)
		}
	}

	// The same control on the repository itself: it passes now, and fails
	// once main no longer holds the forward-port.
	hotfixPolicy := policy.Policy{Controls: []policy.Control{policy.ForwardPort{}}}
	hf, err := hotfixFacts(ctx, repo, "hotfix/1.4.3-INC123", "v1.4.2")
	if err != nil {
		t.Fatal(err)
	}
	if err := policy.Evaluate(ctx, hotfixPolicy, policy.Facts{Hotfix: hf}).Err(); err != nil {
		t.Errorf("ForwardPort on the result: %v", err)
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName("main"), parent.Hash)); err != nil {
		t.Fatal(err)
	}
	if hf, err = hotfixFacts(ctx, repo, "hotfix/1.4.3-INC123", "v1.4.2"); err != nil {
		t.Fatal(err)
	}
	r := policy.Evaluate(ctx, hotfixPolicy, policy.Facts{Hotfix: hf})
	if r.Err() == nil || r.Results[0].Control.ID != "REL-HOTFIX-002" || r.Results[0].Status != policy.Fail {
		t.Errorf("ForwardPort without the forward-port: %+v", r.Results)
	}
}

// TestRunRepo releases the hotfix branch of an existing repository with
// -repo and -branch; the release it repairs was signed by the key -ssh-key
// names.
func TestRunRepo(t *testing.T) {
	dir := t.TempDir()
	repo, base := demotest.ReleasedRepo(t, filepath.Join(dir, "repo"), "v2.0.0")
	keyFile, key := demotest.SSHKeyFile(t, dir, "release_key")
	signTag(t, repo, "v2.0.0", base, key)
	if _, err := demo.Commit(repo, map[string]string{"b.go": "package a\n\n// B is new.\n"}, "feat: b (#2)\n\nRefs: OPS-2", developer, demo.Epoch().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName("hotfix/2.0.1-OPS-9"), base)); err != nil {
		t.Fatal(err)
	}
	if err := demo.Checkout(repo, "hotfix/2.0.1-OPS-9", false); err != nil {
		t.Fatal(err)
	}
	fix, err := demo.Commit(repo, map[string]string{"a.go": "package a\n\n// fixed\n"}, "fix: a leaks (#3)\n\nRefs: OPS-9", developer, demo.Epoch().Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	args := []string{"-repo", filepath.Join(dir, "repo"), "-branch", "hotfix/2.0.1-OPS-9", "-dir", filepath.Join(dir, "work"), "-ssh-key", keyFile}
	if err := run(t.Context(), args, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s%s", err, out.String(), errOut.String())
	}
	ver, err := tagging.Verify(t.Context(), repo, "v2.0.1", demotest.TagVerifier(t, filepath.Join(dir, "work")), time.Now().Add(72*time.Hour))
	if err != nil {
		t.Fatalf("v2.0.1: %v", err)
	}
	if ver.Commit != fix {
		t.Errorf("v2.0.1 at %s, want the fix %s", ver.Commit, fix)
	}
	store, err := manifest.NewDirStore(filepath.Join(dir, "work", "store"))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := store.Record(t.Context(), "v2.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Extra["incident"] != "OPS-9" || rec.Extra["hotfix_for"] != "v2.0.0" {
		t.Errorf("record extra %v", rec.Extra)
	}
	h, err := commits.Resolve(repo, "main")
	if err != nil {
		t.Fatal(err)
	}
	c, err := repo.CommitObject(h)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.Message, "(cherry picked from commit "+fix.String()+")") {
		t.Errorf("main's tip %q is not the forward-port of %s", c.Message, fix)
	}
}

// TestRunRepoUnsignedProduction: with -repo, a release in production whose
// tag does not verify against allowed_signers is not promoted to prod, so
// the hotfix of it is not released either. Production fails closed.
func TestRunRepoUnsignedProduction(t *testing.T) {
	dir := t.TempDir()
	repo, base := demotest.ReleasedRepo(t, filepath.Join(dir, "repo"), "v2.0.0")
	if err := repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName("hotfix/2.0.1-OPS-9"), base)); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	args := []string{"-repo", filepath.Join(dir, "repo"), "-branch", "hotfix/2.0.1-OPS-9", "-dir", filepath.Join(dir, "work")}
	err := run(t.Context(), args, &out, &errOut)
	if !errors.Is(err, &manifest.RefusalError{Reason: "release tag signature does not verify"}) || !errors.Is(err, tagging.ErrUnsigned) {
		t.Fatalf("run on an unsigned production tag: %v, want a refusal of the unsigned tag", err)
	}
	if _, err := repo.Tag("v2.0.1"); err == nil {
		t.Errorf("v2.0.1 was tagged although its production release does not verify")
	}
}

// signTag replaces the tag name with an annotated tag of target signed by
// key, as the release's pipeline made it.
func signTag(t *testing.T, repo *git.Repository, name string, target plumbing.Hash, key ssh.Signer) {
	t.Helper()
	if err := repo.DeleteTag(name); err != nil {
		t.Fatal(err)
	}
	signer, err := signature.NewSSHSigner(key, tagging.GitNamespace)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tagging.Create(t.Context(), repo, tagging.Request{
		Name: name, Target: target, Message: "Release " + name,
		Tagger: tagging.Identity{Name: releaser, Email: demo.Email(releaser), When: demo.Epoch()},
	}, signer); err != nil {
		t.Fatal(err)
	}
}

// reportStatuses reads a policy report written with Report.WriteJSON.
func reportStatuses(t *testing.T, path string) map[string]policy.Status {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Results []struct {
			Control struct {
				ID string `json:"id"`
			} `json:"control"`
			Status policy.Status `json:"status"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	got := map[string]policy.Status{}
	for _, res := range r.Results {
		got[res.Control.ID] = res.Status
	}
	return got
}

func equal(a, b map[string]policy.Status) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

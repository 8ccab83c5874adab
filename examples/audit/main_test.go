package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/bundle"
	"github.com/releasekit/releasekit/examples/internal/demotest"
	"github.com/releasekit/releasekit/internal/demohistory"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// The workspace paths demohistory.Build gives the history under history/.
const (
	repoDir     = "history/001/repo"
	evidenceDir = "history/002/evidence"
	storeDir    = "history/003/store"
)

// TestRun audits the history in a kept workspace and checks what it left
// there: the bundle of v1.2.2 verifies with the fixture's keys (derived
// here, not read from the workspace) and its tampered copy fails on the
// edited file and the broken hash chain; the report files exist and the
// HTML has its charts and every release; the trail of v1.2.2, read again
// from the workspace, has no gap and an emergency promotion to prod; the
// evidence without the SBOM gives a gap. Then it runs -repo on the same
// workspace, as an auditor would on a real setup.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"-dir", dir}, &out, &errOut); err != nil {
		t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	demotest.Golden(t, out.Bytes())
	ctx := t.Context()
	keys := fixtureKeys(t)

	// The bundle: a tar.gz that verifies offline with the fixture's keys.
	data, err := os.ReadFile(filepath.Join(dir, "bundle", "v1.2.2.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := bundle.Verify(ctx, b, keys)
	if err != nil || rep.Status() != audit.Verified {
		t.Fatalf("bundle v1.2.2: %v, %v", rep.Status(), err)
	}
	if rep.Release != "v1.2.2" || rep.Checkpoint == nil || rep.Checkpoint.Count != 37 {
		t.Errorf("bundle of %s, checkpoint %+v", rep.Release, rep.Checkpoint)
	}

	// The tampered copy: the edited log entry no longer matches the index
	// and breaks the hash chain.
	root, err := os.OpenRoot(filepath.Join(dir, "bundle", "v1.2.2-tampered"))
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	tb, err := bundle.ReadDir(root.FS())
	if err != nil {
		t.Fatal(err)
	}
	_, err = bundle.Verify(ctx, tb, keys)
	if !errors.Is(err, bundle.ErrDigest) || !errors.Is(err, bundle.ErrLog) || !errors.Is(err, manifest.ErrTampered) {
		t.Errorf("tampered bundle: %v, want bundle.ErrDigest, bundle.ErrLog and manifest.ErrTampered", err)
	}
	var de *bundle.DigestError
	if !errors.As(err, &de) || de.Name != "log/entries/00000000000000000029.json" {
		t.Errorf("tampered bundle: digest error %+v, want the prod promotion's entry", de)
	}
	edited, ok := tb.File(de.Name)
	if !ok || !bytes.Contains(edited, []byte(`"mallory@example.com"`)) {
		t.Errorf("the tampered entry does not name the new approver")
	}

	// The report: HTML with SVG charts and every release, Markdown, JSON.
	report := filepath.Join(dir, "report", "release-health-2026-01")
	html, err := os.ReadFile(report + ".html")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "v1.0.0", "v1.1.0", "v1.2.0", "v1.2.1", "v1.2.2", "v1.3.0", "INC123"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	md, err := os.ReadFile(report + ".md")
	if err != nil || !bytes.Contains(md, []byte("| v1.2.2 |")) {
		t.Errorf("Markdown report: %v, lacks v1.2.2", err)
	}
	js, err := os.ReadFile(report + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var health struct {
		Releases []struct {
			Tag     string
			Changes []struct {
				From  string
				Files int
			}
		} `json:"releases"`
		Emergencies []struct{ Release string }
		Rollbacks   []struct{ From, To string }
		Refusals    []struct {
			Release  string
			Controls []string
			Actor    struct{ Verified bool }
		}
		FailedDeployments []struct {
			Release   string
			Error     string
			Succeeded uint64
		} `json:"failed_deployments"`
		Gaps []json.RawMessage `json:"gaps"`
	}
	if err := json.Unmarshal(js, &health); err != nil {
		t.Fatal(err)
	}
	if len(health.Releases) != 6 || len(health.Emergencies) != 1 || health.Emergencies[0].Release != "v1.2.2" ||
		len(health.Rollbacks) != 1 || health.Rollbacks[0].From != "v1.2.0" || len(health.Gaps) != 0 {
		t.Errorf("JSON report: %+v", health)
	}
	// The refused attempts (the window's refusal by a verified identity, the
	// author's by a typed one), the failed deployment that was run again,
	// and what each production release changed.
	if len(health.Refusals) != 2 || health.Refusals[0].Release != "v1.2.2" || len(health.Refusals[0].Controls) != 1 ||
		health.Refusals[0].Controls[0] != "REL-WINDOW-001" || !health.Refusals[0].Actor.Verified || health.Refusals[1].Actor.Verified {
		t.Errorf("JSON report refusals: %+v", health.Refusals)
	}
	if len(health.FailedDeployments) != 1 || health.FailedDeployments[0].Release != "v1.2.1" || health.FailedDeployments[0].Succeeded == 0 {
		t.Errorf("JSON report failed deployments: %+v", health.FailedDeployments)
	}
	for _, r := range health.Releases {
		want := 1
		if r.Tag == "v1.1.0" {
			want = 2 // deployed, and deployed again by the rollback of v1.2.0
		}
		if len(r.Changes) != want || r.Changes[0].Files == 0 || (r.Tag == "v1.2.2" && r.Changes[0].From != "v1.2.1") {
			t.Errorf("JSON report: changed files of %s: %+v", r.Tag, r.Changes)
		}
	}

	// The trail of v1.2.2, from the workspace: no gap, and prod reached by
	// an emergency change outside the window.
	src := sources(t, dir, keys)
	tr, err := audit.Trail(ctx, src, audit.Query{Release: "v1.2.2"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Err(); err != nil {
		t.Errorf("trail of v1.2.2: %v", err)
	}
	prod, ok := tr.Releases[0].Find(audit.StepPromotion, "prod")
	if !ok || prod.Status != audit.Verified || prod.Promotion.Emergency == nil ||
		prod.Promotion.Emergency.ID != demohistory.Incident || prod.Promotion.Window != "" || prod.Promotion.Approver != demohistory.IncidentCommander {
		t.Errorf("prod promotion of v1.2.2: %+v", prod)
	}
	if tr.Releases[0].HotfixFor != "v1.2.1" || tr.Releases[0].Incident != demohistory.Incident {
		t.Errorf("v1.2.2 hotfix for %q, incident %q", tr.Releases[0].HotfixFor, tr.Releases[0].Incident)
	}
	// Before it, the same promotion without the emergency record, refused
	// by the change window; after it, the deployment's outcome and the
	// verified manifest of the files it changed.
	denied, ok := tr.Releases[0].Find(audit.StepDenied, "prod")
	if !ok || denied.Status != audit.Verified || len(denied.Denial.Controls) != 1 || denied.Denial.Controls[0] != "REL-WINDOW-001" ||
		denied.Denial.Actor == nil || !denied.Denial.Actor.Verified || denied.Denial.Seq >= prod.Promotion.Seq {
		t.Errorf("refused attempt of v1.2.2: %+v", denied)
	}
	deps := tr.Releases[0].Steps(audit.StepDeployment)
	if len(deps) != 2 || deps[0].Deployment.Result != manifest.ResultStarted || deps[1].Deployment.Result != manifest.ResultSucceeded ||
		deps[0].Deployment.Outcome != deps[1].Deployment.Seq || strings.Join(deps[1].Deployment.Targets, " ") != strings.Join(demohistory.ProdTargets, " ") {
		t.Errorf("deployment outcomes of v1.2.2: %+v", deps)
	}
	if ch, ok := tr.Releases[0].Find(audit.StepChanges, "prod"); !ok || ch.Status != audit.Verified || ch.Changes.From != "v1.2.1" || ch.Changes.Added != 1 {
		t.Errorf("changed files of v1.2.2: %+v", ch)
	}

	// The gap: the same trail on the evidence without the SBOM.
	src.Evidence = os.DirFS(filepath.Join(dir, "evidence-gap"))
	tr, err = audit.Trail(ctx, src, audit.Query{Release: "v1.2.2"})
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := tr.Releases[0].Find(audit.StepSBOM, "sbom/v1.2.2/shop.cdx.json"); !ok || l.Status != audit.Gap {
		t.Errorf("SBOM link without the SBOM: %+v", l)
	}
	if !errors.Is(tr.Err(), audit.ErrMissingEvidence) {
		t.Errorf("trail without the SBOM: %v, want ErrMissingEvidence", tr.Err())
	}

	// -repo on the workspace: the trail, the bundle and the report of a
	// real setup, from the files an auditor is given.
	out.Reset()
	errOut.Reset()
	work := filepath.Join(t.TempDir(), "audit")
	args := []string{
		"-repo", filepath.Join(dir, repoDir), "-store", filepath.Join(dir, storeDir), "-evidence", filepath.Join(dir, evidenceDir),
		"-allowed-signers", filepath.Join(dir, "keys", "allowed_signers"), "-provenance-key", filepath.Join(dir, "keys", "provenance.pub"),
		"-checkpoint", filepath.Join(dir, "keys", "checkpoint.json"),
		"-release", "v1.2.2", "-since", "2026-01-01", "-until", "2026-02-01", "-dir", work,
	}
	if err := run(ctx, args, &out, &errOut); err != nil {
		t.Fatalf("run -repo: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	for _, want := range []string{
		" 2. Who deployed v1.2.2 and why? trail v1.2.1..v1.2.2",
		" 5. verified offline with the auditor's keys (" + filepath.Join(dir, "keys", "allowed_signers"),
		"): pass (37 log entries, checkpoint of 37)",
		"report/release-health-2026-01.html",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("run -repo output lacks %q:\n%s", want, out.String())
		}
	}
	again, err := os.ReadFile(filepath.Join(work, "bundle", "v1.2.2.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := bundle.Read(bytes.NewReader(again)); err != nil {
		t.Error(err)
	} else if _, err := bundle.Verify(ctx, b, keys); err != nil {
		t.Errorf("bundle of -repo: %v", err)
	}
	if _, err := os.Stat(filepath.Join(work, "report", "release-health-2026-01.html")); err != nil {
		t.Error(err)
	}
}

// TestRunFlags: -repo needs the rest of the real setup, and -dir a new
// workspace.
func TestRunFlags(t *testing.T) {
	for name, args := range map[string][]string{
		"repo alone": {"-repo", t.TempDir()},
		"bad date": {"-repo", "r", "-store", "s", "-evidence", "e", "-allowed-signers", "a", "-provenance-key", "p",
			"-release", "v1.0.0", "-since", "January", "-until", "2026-02-01"},
		"argument": {"extra"},
	} {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := run(t.Context(), append(args, "-dir", t.TempDir()), &out, &errOut); err == nil {
				t.Errorf("run %q succeeded", args)
			}
		})
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "history"), 0o755); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"-dir", dir}, &out, &errOut); err == nil {
		t.Error("run in a used workspace succeeded")
	}
}

// fixtureKeys are the keys of the history, derived from audittest's seed
// as the fixture derives them: the auditor's trust, independent of the
// files the example wrote.
func fixtureKeys(t *testing.T) bundle.Keys {
	t.Helper()
	tagKey, err := ssh.NewSignerFromKey(demohistory.DeriveKey(demohistory.DefaultSeed, "tag"))
	if err != nil {
		t.Fatal(err)
	}
	logKey, err := ssh.NewSignerFromKey(demohistory.DeriveKey(demohistory.DefaultSeed, "log"))
	if err != nil {
		t.Fatal(err)
	}
	prov, err := signature.NewKeyVerifier(demohistory.DeriveKey(demohistory.DefaultSeed, "provenance").Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	logV := signature.NewSSHVerifier([]signature.AllowedSigner{{Principals: []string{demohistory.Releaser}, Key: logKey.PublicKey()}}, manifest.Namespace)
	return bundle.Keys{
		Tag:        signature.NewSSHVerifier([]signature.AllowedSigner{{Principals: []string{demohistory.Releaser}, Key: tagKey.PublicKey()}}, tagging.GitNamespace),
		Provenance: []signature.Verifier{prov},
		Checkpoint: logV,
		At:         time.Date(2026, time.February, 2, 12, 0, 0, 0, time.UTC),
	}
}

// sources are the audit's sources in the workspace dir, with keys.
func sources(t *testing.T, dir string, keys bundle.Keys) audit.Sources {
	t.Helper()
	repo, err := git.PlainOpen(filepath.Join(dir, repoDir))
	if err != nil {
		t.Fatal(err)
	}
	st, err := manifest.NewDirStore(filepath.Join(dir, storeDir))
	if err != nil {
		t.Fatal(err)
	}
	cp, err := os.ReadFile(filepath.Join(dir, "keys", "checkpoint.json"))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := os.ReadFile(filepath.Join(dir, "keys", "checkpoint.json.sig"))
	if err != nil {
		t.Fatal(err)
	}
	return audit.Sources{
		Repo: repo, Store: st, Evidence: os.DirFS(filepath.Join(dir, evidenceDir)),
		Checkpoint: cp, CheckpointSig: sig, CheckpointVerifier: keys.Checkpoint,
		TagVerifier: keys.Tag, ProvenanceVerifiers: keys.Provenance, At: keys.At,
	}
}

package bundle_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing/fstest"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/bundle"
	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// ExampleBuild records a release (signed tag, SBOM, signed
// provenance, record, gated promotions to production, the production
// deployment's outcome with the files it changed, signed checkpoint of the
// log), builds its evidence bundle, writes it as a tar.gz, reads it back
// and verifies it offline with the auditor's keys.
func ExampleBuild() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "bundle-example")
	bundleMust(err)
	defer os.RemoveAll(dir)
	when := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

	// The code: one commit, tagged v1.0.0 by the release key.
	repo, err := git.PlainInit(filepath.Join(dir, "repo"), false)
	bundleMust(err)
	wt, err := repo.Worktree()
	bundleMust(err)
	bundleMust(os.WriteFile(filepath.Join(dir, "repo", "main.go"), []byte("package main\n"), 0o644))
	_, err = wt.Add("main.go")
	bundleMust(err)
	commit, err := wt.Commit("feat: first", &git.CommitOptions{
		Author: &object.Signature{Name: "Dev", Email: "dev@example.com", When: when},
	})
	bundleMust(err)
	releaseKey, err := ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32)))
	bundleMust(err)
	tagSigner, err := signature.NewSSHSigner(releaseKey, tagging.GitNamespace)
	bundleMust(err)
	_, err = tagging.Create(ctx, repo, tagging.Request{
		Name: "v1.0.0", Target: commit, Message: "Release v1.0.0",
		Tagger: tagging.Identity{Name: "Release Bot", Email: "bot@example.com", When: when},
	}, tagSigner)
	bundleMust(err)

	// The artifact's SBOM and signed provenance.
	sum := sha256.Sum256([]byte("the app binary"))
	app := sbom.Subject{Name: "app", SHA256: hex.EncodeToString(sum[:])}
	doc, err := sbom.ForArtifact(app)
	bundleMust(err)
	sbomJSON, err := doc.Bytes(sbom.JSON)
	bundleMust(err)
	buildKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, 32))
	buildSigner, err := signature.NewKeySigner(buildKey)
	bundleMust(err)
	envelope, err := sbom.SignProvenance(ctx, []sbom.Subject{app}, sbom.Provenance{
		BuildType: "https://example.com/build/v1", BuilderID: "https://example.com/ci",
	}, buildSigner)
	bundleMust(err)
	evidence := fstest.MapFS{"app.cdx.json": {Data: sbomJSON}, "app.intoto.json": {Data: envelope}}

	// The record and its gated promotions, then a signed checkpoint.
	st, err := manifest.NewDirStore(filepath.Join(dir, "evidence"))
	bundleMust(err)
	bundleMust(st.PutRecord(ctx, manifest.Record{
		Version: manifest.RecordVersion, Tag: "v1.0.0", Commit: commit.String(),
		Tickets: []string{"CHG-1"}, PRs: []manifest.PR{{Ref: "#1"}},
		Artifacts:   []manifest.Artifact{{Name: "app", Digest: app.Digest()}},
		Provenance:  manifest.Provenance{BuildID: "run-1", Ref: "app.intoto.json"},
		SBOM:        manifest.SBOMRef{Ref: "app.cdx.json", Digest: manifest.Digest(sbomJSON)},
		Checks:      []manifest.CheckResult{{Name: "test", Passed: true}},
		Rollback:    manifest.RollbackPlan{Method: "redeploy", Version: "v0.9.0"},
		KnownIssues: []string{},
		Window:      manifest.Window{Start: when, End: when.Add(2 * time.Hour)},
	}))
	gate := policy.Gate{Policy: policy.Policy{Controls: []policy.Control{policy.RecordComplete{}}}}
	// Production needs the tag verified and the releaser and approver
	// authorised by the release configuration.
	cfg, err := config.Parse([]byte(`version: 1
environments:
  - {name: dev}
  - {name: staging}
  - {name: prod, production: true, approvers: [alice@example.com], permissions: {deploy: [bot@example.com]}}
`), "")
	bundleMust(err)
	releaseSigners, err := signature.ParseAllowedSigners(append([]byte("bot@example.com "), ssh.MarshalAuthorizedKey(releaseKey.PublicKey())...))
	bundleMust(err)
	tags := tagging.NewRepoVerifier(repo, signature.NewSSHVerifier(releaseSigners, tagging.GitNamespace))
	for _, env := range []string{"dev", "staging", "prod"} {
		_, err := manifest.Promote(ctx, st, manifest.PromoteRequest{
			Release: "v1.0.0", Env: env, Digest: app.Digest(), Releaser: "bot@example.com", Approver: "alice@example.com", Reason: "CHG-1",
		}, manifest.WithGate(gate), manifest.WithClock(func() time.Time { return when.Add(time.Hour) }),
			manifest.WithOrder(cfg.Order()...), manifest.WithAuthorizer(cfg), manifest.WithTagVerifier(tags))
		bundleMust(err)
	}
	// The production deployment succeeded on web-1. It was the first, so
	// every file was added; the manifest of the changed files is evidence
	// in the store, and the log entry names it by its digest.
	mainSum := sha256.Sum256([]byte("package main\n"))
	changed, err := json.Marshal(manifest.ChangedFiles{To: "v1.0.0", ToTree: commit.String(), Total: 1, Files: []manifest.FileChange{
		{Path: "main.go", Change: "added", SHA256: hex.EncodeToString(mainSum[:])},
	}})
	bundleMust(err)
	changedDigest, err := st.PutEvidence(ctx, changed)
	bundleMust(err)
	_, err = st.Append(ctx, manifest.Entry{Kind: manifest.KindDeployment, Deploy: &manifest.Deployment{
		Release: "v1.0.0", Env: "prod", Result: manifest.ResultSucceeded, Targets: []string{"web-1"},
		Digest: app.Digest(), Commit: commit.String(), Actor: &manifest.Actor{Name: "bot@example.com"},
		Changes: &manifest.ChangedFilesSummary{Digest: changedDigest, Files: 1, Added: 1}, At: when.Add(time.Hour + 5*time.Minute),
	}})
	bundleMust(err)
	entries, err := st.Entries(ctx)
	bundleMust(err)
	cp, err := manifest.NewCheckpoint(entries)
	bundleMust(err)
	logKey, err := ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32)))
	bundleMust(err)
	cpSigner, err := signature.NewSSHSigner(logKey, manifest.Namespace)
	bundleMust(err)
	cpData, cpSig, err := manifest.SignCheckpoint(ctx, cp, cpSigner)
	bundleMust(err)

	// Build the bundle, as a release job or an auditor would.
	b, err := bundle.Build(ctx, audit.Sources{
		Repo: repo, Store: st, Evidence: evidence,
		Checkpoint: cpData, CheckpointSig: cpSig,
		At: when.Add(24 * time.Hour),
	}, "v1.0.0")
	bundleMust(err)
	var archive bytes.Buffer
	bundleMust(b.WriteTarGz(&archive))
	for _, name := range b.Names() {
		if dir, _, ok := strings.Cut(name, "/"); ok && (dir == "policy" || dir == "changes") {
			name = dir + "/HEX.json" // HEX: the SHA-256 of the report (the promotions' Gate digest) or of the changed files
		}
		fmt.Println(name)
	}

	// The auditor reads the archive and verifies it with the keys they
	// trust, never keys from the bundle.
	read, err := bundle.Read(&archive)
	bundleMust(err)
	buildVerifier, err := signature.NewKeyVerifier(buildKey.Public())
	bundleMust(err)
	logVerifier := signature.NewSSHVerifier([]signature.AllowedSigner{{Principals: []string{"log"}, Key: logKey.PublicKey()}}, manifest.Namespace)
	rep, err := bundle.Verify(ctx, read, bundle.Keys{
		Tag:        signature.NewSSHVerifier([]signature.AllowedSigner{{Principals: []string{"bot@example.com"}, Key: releaseKey.PublicKey()}}, tagging.GitNamespace),
		Provenance: []signature.Verifier{buildVerifier},
		Checkpoint: logVerifier,
	})
	fmt.Println()
	for _, c := range rep.Checks {
		fmt.Printf("%-13s %s\n", c.Name, bundle.StatusText(c.Status))
	}
	fmt.Println("verdict:", bundle.StatusText(rep.Status()), err)
	// Output:
	// changes/HEX.json
	// evidence/app.cdx.json
	// evidence/app.intoto.json
	// index.json
	// log/checkpoint.json
	// log/checkpoint.sig
	// log/entries/00000000000000000001.json
	// log/entries/00000000000000000002.json
	// log/entries/00000000000000000003.json
	// log/entries/00000000000000000004.json
	// policy/HEX.json
	// record.json
	// tag/object
	// tag/verification.json
	//
	// index         pass
	// files         pass
	// record        pass
	// tag           pass
	// tag-signature pass
	// sbom          pass
	// provenance    pass
	// log           pass
	// checkpoint    pass
	// promotions    pass
	// policy        pass
	// changes       pass
	// verdict: pass <nil>
}

func bundleMust(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

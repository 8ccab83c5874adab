package audit_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// ExampleTrail reconstructs the audit trail of a release made in a fresh
// repository: one commit, a signed tag, an artifact with its SBOM, and
// promotions through a policy gate. The provenance envelope the record
// names was never stored, so its link is a gap, and without a signed
// checkpoint the log and promotions are recorded rather than verified.
func ExampleTrail() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "audit-trail")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	must := func(err error) {
		if err != nil {
			log.Fatal(err)
		}
	}

	// A repository with one commit and a signed release tag.
	repo, err := git.PlainInit(filepath.Join(dir, "repo"), false)
	must(err)
	wt, err := repo.Worktree()
	must(err)
	must(os.WriteFile(filepath.Join(dir, "repo", "README.md"), []byte("# Shop\n"), 0o644))
	_, err = wt.Add("README.md")
	must(err)
	monday := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	who := &object.Signature{Name: "Alice", Email: "alice@example.com", When: monday}
	commit, err := wt.Commit("feat(cart): add a cart (#1)\n\nRefs: SHOP-1\n", &git.CommitOptions{Author: who, Committer: who})
	must(err)
	key, err := ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)))
	must(err)
	signer, err := signature.NewSSHSigner(key, tagging.GitNamespace)
	must(err)
	_, err = tagging.Create(ctx, repo, tagging.Request{
		Name: "v1.0.0", Target: commit, Message: "Release v1.0.0",
		Tagger: tagging.Identity{Name: "Release Bot", Email: "bot@example.com", When: monday.Add(time.Hour)},
	}, signer)
	must(err)
	signers, err := signature.ParseAllowedSigners(append([]byte("bot@example.com "), ssh.MarshalAuthorizedKey(key.PublicKey())...))
	must(err)

	// The artifact's SBOM in the evidence directory, the record in a store.
	evidence := filepath.Join(dir, "evidence")
	must(os.MkdirAll(evidence, 0o755))
	app, err := sbom.SubjectOf("app", bytes.NewReader([]byte("the app binary")))
	must(err)
	doc, err := sbom.ForArtifact(app)
	must(err)
	bom, err := doc.Bytes(sbom.JSON)
	must(err)
	must(os.WriteFile(filepath.Join(evidence, "app.cdx.json"), bom, 0o644))
	st, err := manifest.NewDirStore(filepath.Join(dir, "store"))
	must(err)
	must(st.PutRecord(ctx, manifest.Record{
		Version: manifest.RecordVersion, Tag: "v1.0.0", Commit: commit.String(),
		Tickets: []string{"SHOP-1"}, PRs: []manifest.PR{{Ref: "#1"}},
		Artifacts:   []manifest.Artifact{{Name: "app", Digest: app.Digest()}},
		Provenance:  manifest.Provenance{BuildID: "run-1", Ref: "app.intoto.json"},
		SBOM:        manifest.SBOMRef{Ref: "app.cdx.json", Digest: manifest.Digest(bom)},
		Checks:      []manifest.CheckResult{{Name: "unit", Passed: true}},
		Rollback:    manifest.RollbackPlan{Method: "redeploy", Version: "none"},
		KnownIssues: []string{},
		Window:      manifest.Window{Start: monday, End: monday.Add(8 * time.Hour)},
	}))

	// Promotions through a gate that keeps its policy report.
	gate := policy.Gate{Policy: policy.Policy{Controls: []policy.Control{
		policy.ChangeWindow{Windows: []policy.Window{{Days: []time.Weekday{time.Monday}, Start: "09:00", End: "16:00"}}},
		policy.RecordComplete{},
	}}}
	// Production needs the tag verified against the trusted keys and the
	// releaser and approver authorised by the release configuration.
	cfg, err := config.Parse([]byte(`version: 1
environments:
  - {name: dev}
  - {name: staging}
  - {name: prod, production: true, approvers: [carol@example.com], permissions: {deploy: [bot@example.com]}}
`), "")
	must(err)
	tags := tagging.NewRepoVerifier(repo, signature.NewSSHVerifier(signers, tagging.GitNamespace))
	for i, env := range []string{"dev", "staging", "prod"} {
		at := monday.Add(time.Duration(2+i) * time.Hour)
		_, err := manifest.Promote(ctx, st, manifest.PromoteRequest{
			Release: "v1.0.0", Env: env, Digest: app.Digest(), Releaser: "bot@example.com", Approver: "carol@example.com", Reason: "CHG-1 approved",
		}, manifest.WithGate(gate), manifest.WithClock(func() time.Time { return at }),
			manifest.WithOrder(cfg.Order()...), manifest.WithAuthorizer(cfg), manifest.WithTagVerifier(tags))
		must(err)
	}

	rep, err := audit.Trail(ctx, audit.Sources{
		Repo: repo, Store: st, Evidence: os.DirFS(evidence),
		TagVerifier: signature.NewSSHVerifier(signers, tagging.GitNamespace),
		At:          monday.Add(24 * time.Hour),
	}, audit.Query{Release: "v1.0.0"})
	must(err)
	for _, l := range rep.Releases[0].Links {
		id := l.ID
		if l.Step == audit.StepCommit {
			id = l.Commit.Subject
		}
		fmt.Println(l.Status, l.Step, id)
	}
	fmt.Println("gaps:", errors.Is(rep.Err(), audit.ErrMissingEvidence))
	// Output:
	// verified ticket SHOP-1
	// verified pull_request #1
	// verified commit feat(cart): add a cart (#1)
	// verified tag v1.0.0
	// recorded artifact app
	// verified sbom app.cdx.json
	// gap provenance app
	// recorded log promotions
	// recorded promotion dev
	// verified gate dev
	// recorded promotion staging
	// verified gate staging
	// recorded promotion prod
	// verified gate prod
	// gaps: true
}

// ExampleVerifyChangedFiles checks a changed-files manifest against the
// summary a deployment outcome's log entry keeps of it: the bytes must hash
// to its digest, and their content agree with its counts.
func ExampleVerifyChangedFiles() {
	data := []byte(`{"from":"v1.1.0","to":"v1.2.0","to_tree":"4b825dc642cb6eb9a060e54bf8d69288fbee4904","total":2,` +
		`"files":[{"path":"app/search.go","change":"added","sha256":"8e01f8e1e4b5"},` +
		`{"path":"app/config.yaml","change":"deleted","previous":"eb9387a01456"}]}`)
	sum := manifest.ChangedFilesSummary{Digest: manifest.Digest(data), From: "v1.1.0", Files: 2, Added: 1, Deleted: 1}

	cf, err := audit.VerifyChangedFiles(data, sum)
	fmt.Println(cf.To, cf.Total, err)

	// The same summary over edited bytes.
	_, err = audit.VerifyChangedFiles(bytes.Replace(data, []byte("search.go"), []byte("secret.go"), 1), sum)
	var te *audit.TrailError
	fmt.Println(errors.As(err, &te) && te.Reason == audit.ReasonChangedFiles, errors.Is(err, manifest.ErrEvidenceDigest))
	// Output:
	// v1.2.0 2 <nil>
	// true true
}

// ExampleViewEntry prints a refused promotion as relctl log show does.
func ExampleViewEntry() {
	e := manifest.Entry{Seq: 7, Kind: manifest.KindDenied, Denial: &manifest.Denial{
		Action: manifest.AttemptPromote, Release: "v1.3.0", Env: "prod", Approver: "ben",
		Actor:    &manifest.Actor{Name: "octocat", Verified: true, Issuer: "https://token.actions.githubusercontent.com", Subject: "repo:acme/shop:environment:prod"},
		Refusal:  "the code reviewer may not approve production",
		Controls: []string{"REL-SOD-001"},
		At:       time.Date(2026, 1, 6, 10, 10, 0, 0, time.UTC),
	}}
	v, err := audit.ViewEntry(e)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Result, v.Actor.Verified, v.Controls)
	if err := v.WriteText(os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// denied true [REL-SOD-001]
	// #7 2026-01-06T10:10:00Z denied    promote v1.3.0 → prod
	//     by octocat (verified: https://token.actions.githubusercontent.com, subject repo:acme/shop:environment:prod)
	//     approved by ben (typed)
	//     refused: the code reviewer may not approve production
	//     controls: REL-SOD-001
}

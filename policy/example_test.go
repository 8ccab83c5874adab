package policy_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/signature"
)

// Example loads a policy, gathers the facts of a repository (its commits,
// branches and files) and evaluates the policy on them.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "policy-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// A repository with two commits, one of them without a ticket.
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		log.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		log.Fatal(err)
	}
	sig := &object.Signature{Name: "Dev", Email: "dev@example.com", When: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
	for _, c := range []struct{ file, msg string }{
		{".github/workflows/ci.yml", "ci: build ABC-1\n"},
		{"app.txt", "feat: greet users\n"},
	} {
		content := "steps:\n  - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11\n"
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, c.file)), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, c.file), []byte(content), 0o644); err != nil {
			log.Fatal(err)
		}
		if _, err := wt.Add(c.file); err != nil {
			log.Fatal(err)
		}
		if _, err := wt.Commit(c.msg, &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
			log.Fatal(err)
		}
		sig.When = sig.When.Add(time.Minute)
	}

	// The policy, as a release repository keeps it in a file.
	p, err := policy.ReadConfig(strings.NewReader(`
controls:
  REL-COMMIT-001: {}
  REL-HISTORY-001: {}
  REL-PIPE-001: {}
  REL-HOTFIX-002: {}
`))
	if err != nil {
		log.Fatal(err)
	}

	// The facts: the caller reads the repository; policy reads only facts.
	head, err := commits.ResolveRange(repo, "HEAD")
	if err != nil {
		log.Fatal(err)
	}
	f := policy.Facts{Now: time.Date(2026, 1, 6, 0, 0, 0, 0, time.UTC), Range: "HEAD"}
	for c, err := range commits.Log(ctx, repo, head) {
		if err != nil {
			log.Fatal(err)
		}
		f.Commits = append(f.Commits, c)
	}
	if f.Files, err = policy.ReadFiles(os.DirFS(dir)); err != nil {
		log.Fatal(err)
	}

	report := policy.Evaluate(ctx, p, f)
	for _, res := range report.Results {
		fmt.Println(res.Status, res.Control.ID)
	}
	fmt.Println(report.Err() != nil)
	// Output:
	// fail REL-COMMIT-001
	// pass REL-HISTORY-001
	// pass REL-PIPE-001
	// not-applicable REL-HOTFIX-002
	// true
}

// exampleTags stands for tagging.NewRepoVerifier(repo, keys), which
// verifies a release tag's signature and says which commit it names: here
// every tag is signed and names the examples' record commit.
type exampleTags struct{}

func (exampleTags) VerifyTag(context.Context, string, time.Time) (signature.Identity, error) {
	return signature.Identity{Format: signature.SSH, Identity: "release-bot@example.com"}, nil
}

func (exampleTags) TagCommit(context.Context, string) (string, error) {
	return strings.Repeat("1", 40), nil
}

// ExampleGate enforces a change window on manifest's promotions: a
// production promotion on a Friday night is refused, on a Monday morning it
// is allowed and logged with the window used.
func ExampleGate() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "policy-gate")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	st, err := manifest.NewDirStore(dir)
	if err != nil {
		log.Fatal(err)
	}
	app := manifest.Digest([]byte("app build run-1"))
	rec := manifest.Record{
		Version: manifest.RecordVersion, Tag: "v1.4.2", Commit: strings.Repeat("1", 40),
		Tickets: []string{"CHG-1234"}, PRs: []manifest.PR{{Ref: "#42"}},
		Artifacts:   []manifest.Artifact{{Name: "app", Digest: app}},
		Provenance:  manifest.Provenance{BuildID: "run-1", Ref: "att://run-1"},
		SBOM:        manifest.SBOMRef{Ref: "sbom.cdx.json", Digest: manifest.Digest([]byte("sbom"))},
		Checks:      []manifest.CheckResult{{Name: "unit", Passed: true}},
		Rollback:    manifest.RollbackPlan{Method: "redeploy previous digest", Version: "v1.4.1"},
		KnownIssues: []string{},
		Window:      manifest.Window{Start: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC)},
	}
	if err := st.PutRecord(ctx, rec); err != nil {
		log.Fatal(err)
	}

	p, err := policy.ReadConfig(strings.NewReader(`
controls:
  REL-WINDOW-001:
    windows: [{days: [mon, tue, wed, thu], start: "09:00", end: "16:00", zone: Europe/Berlin}]
  REL-SOD-001: {}
  REL-RECORD-001: {}
  REL-DIGEST-001: {}
`))
	if err != nil {
		log.Fatal(err)
	}
	gate := policy.Gate{Policy: p, Facts: policy.Facts{
		PullRequest: &policy.PullRequest{Number: 42, Author: "alice", Approvers: []string{"bob"}},
	}}
	// Production also needs the release tag verified and the releaser and
	// approver authorised: the release configuration says who may.
	cfg, err := config.Parse([]byte(`version: 1
environments:
  - name: dev
  - name: staging
  - name: prod
    production: true
    approvers: [carol]
    permissions: {deploy: [release-bot]}
`), "")
	if err != nil {
		log.Fatal(err)
	}
	promote := func(env string, at time.Time) {
		req := manifest.PromoteRequest{Release: "v1.4.2", Env: env, Digest: app, Releaser: "release-bot", Approver: "carol", Reason: "CHG-1234 approved"}
		e, err := manifest.Promote(ctx, st, req, manifest.WithGate(gate), manifest.WithClock(func() time.Time { return at }),
			manifest.WithOrder(cfg.Order()...), manifest.WithAuthorizer(cfg), manifest.WithTagVerifier(exampleTags{}))
		var denied *policy.DeniedError
		switch {
		case errors.As(err, &denied):
			for _, res := range denied.Report.Results {
				if res.Status == policy.Fail {
					fmt.Println(env, "refused by", res.Control.ID)
				}
			}
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Printf("%s promoted (window %q)\n", env, e.Promotion.Window)
		}
	}
	friday := time.Date(2026, 3, 6, 21, 0, 0, 0, time.UTC)
	promote("dev", friday)
	promote("staging", friday)
	promote("prod", friday)
	promote("prod", time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC))
	// Output:
	// dev promoted (window "")
	// staging promoted (window "")
	// prod refused by REL-WINDOW-001
	// prod promoted (window "Mon,Tue,Wed,Thu 09:00-16:00 Europe/Berlin")
}

// ExampleReadReport promotes through a [policy.Gate] into a
// manifest.DirStore, which keeps the report the gate decided on; the log
// names it by digest, and ReadReport reads it back for an audit.
func ExampleReadReport() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "policy-evidence")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	st, err := manifest.NewDirStore(dir)
	if err != nil {
		log.Fatal(err)
	}
	app := manifest.Digest([]byte("app build run-1"))
	rec := manifest.Record{
		Version: manifest.RecordVersion, Tag: "v1.4.2", Commit: strings.Repeat("1", 40),
		Tickets: []string{"CHG-1234"}, PRs: []manifest.PR{{Ref: "#42"}},
		Artifacts:   []manifest.Artifact{{Name: "app", Digest: app}},
		Provenance:  manifest.Provenance{BuildID: "run-1", Ref: "att://run-1"},
		SBOM:        manifest.SBOMRef{Ref: "sbom.cdx.json", Digest: manifest.Digest([]byte("sbom"))},
		Checks:      []manifest.CheckResult{{Name: "unit", Passed: true}},
		Rollback:    manifest.RollbackPlan{Method: "redeploy previous digest", Version: "v1.4.1"},
		KnownIssues: []string{},
		Window:      manifest.Window{Start: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC)},
	}
	if err := st.PutRecord(ctx, rec); err != nil {
		log.Fatal(err)
	}
	gate := policy.Gate{Policy: policy.Policy{Controls: []policy.Control{policy.RecordComplete{}, policy.SameDigest{}}}}
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	e, err := manifest.Promote(ctx, st, manifest.PromoteRequest{Release: "v1.4.2", Env: "dev", Digest: app},
		manifest.WithGate(gate), manifest.WithClock(func() time.Time { return at }))
	if err != nil {
		log.Fatal(err)
	}

	// An audit reads the log, then the report each promotion names.
	entries, err := manifest.VerifyStore(ctx, st, nil)
	if err != nil {
		log.Fatal(err)
	}
	p := entries[len(entries)-1].Promotion
	data, err := st.Evidence(ctx, p.Gate)
	if err != nil {
		log.Fatal(err)
	}
	rep, err := policy.ReadReport(bytes.NewReader(data))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Env, "gated by", p.Gate[:len("sha256:")]+"…", "same as returned:", p.Gate == e.Promotion.Gate)
	for _, res := range rep.Results {
		fmt.Println(res.Control.ID, res.Status)
	}
	fmt.Println("allowed:", rep.Err() == nil)
	// Output:
	// dev gated by sha256:… same as returned: true
	// REL-GATE-001 pass
	// REL-RECORD-001 pass
	// REL-DIGEST-001 pass
	// allowed: true
}

// ExampleTraceability looks up how one MUST sentence of the release
// policy is met, and counts the sentences of each status.
func ExampleTraceability() {
	m, err := policy.Traceability()
	if err != nil {
		log.Fatal(err)
	}
	t, _ := m.Lookup("§1.21.3.2/2")
	fmt.Println(t.Text)
	fmt.Println(t.Status, t.Controls)
	c := m.Counts()
	fmt.Println(c.Total == c.Automated+c.Automatable+c.Organisational)
	// Output:
	// A PR approver (code review) MUST NOT be the sole approver for the production deployment gate.
	// automated [REL-SOD-001]
	// true
}

// ExampleParseRequirements extracts the MUST sentences of a policy with
// their IDs.
func ExampleParseRequirements() {
	text := "## 1.4 Tags\n\nTags **MUST** be signed. Tags SHOULD be short.\n\n- Tags **MUST NOT** move.\n"
	reqs, err := policy.ParseRequirements([]byte(text))
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range reqs {
		fmt.Println(r.ID, r.Text)
	}
	// Output:
	// §1.4/1 Tags MUST be signed.
	// §1.4/2 Tags MUST NOT move.
}

package policy_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/policy"
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
	p, err := policy.Load(strings.NewReader(`
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

package commits_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/semver"
)

// exampleRepo builds a small repository with go-git: v1.2.0 released, then
// a feature and a fix.
func exampleRepo() (*git.Repository, func()) {
	dir, err := os.MkdirTemp("", "commits-example-")
	if err != nil {
		panic(err)
	}
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		panic(err)
	}
	wt, _ := repo.Worktree()
	when := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for i, msg := range []string{
		"feat: first release",
		"fix: a bug (#2)",
		"feat(api): paginate (#3)\n\nRefs: PROJ-3",
		"docs: explain pagination",
	} {
		if err := os.WriteFile(dir+"/f.txt", []byte(msg), 0o644); err != nil {
			panic(err)
		}
		_, _ = wt.Add("f.txt")
		sig := &object.Signature{Name: "Dev", Email: "dev@example.com", When: when.Add(time.Duration(i) * time.Minute)}
		h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig})
		if err != nil {
			panic(err)
		}
		if i == 1 {
			_, _ = repo.CreateTag("v1.2.0", h, &git.CreateTagOptions{Tagger: sig, Message: "v1.2.0"})
		}
	}
	return repo, func() { os.RemoveAll(dir) }
}

func ExampleNext() {
	repo, cleanup := exampleRepo()
	defer cleanup()
	ctx := context.Background()
	head, err := commits.Resolve(repo, "HEAD")
	if err != nil {
		panic(err)
	}
	plan, err := commits.Next(ctx, repo, head, semver.Scheme{Prefix: "v"})
	if err != nil {
		panic(err)
	}
	fmt.Println("previous:", plan.Previous.Latest.Tag)
	fmt.Println("commits:", len(plan.Commits), "bump:", plan.Level)
	fmt.Println("next:", plan.Tag)

	rc, _ := commits.Next(ctx, repo, head, semver.Scheme{Prefix: "v"}, commits.WithChannel(semver.RC))
	fmt.Println("next rc:", rc.Tag)
	// Output:
	// previous: v1.2.0
	// commits: 2 bump: minor
	// next: v1.3.0
	// next rc: v1.3.0-rc.1
}

func ExampleLog() {
	repo, cleanup := exampleRepo()
	defer cleanup()
	from, _ := commits.Resolve(repo, "v1.2.0")
	to, _ := commits.Resolve(repo, "HEAD")
	r := commits.Range{From: []plumbing.Hash{from}, To: to}
	for c, err := range commits.Log(context.Background(), repo, r) {
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s(%s) %q tickets=%v\n", c.Type, c.Scope, c.Description, c.Tickets)
	}
	// Output:
	// docs() "explain pagination" tickets=[]
	// feat(api) "paginate (#3)" tickets=[PROJ-3]
}

func ExampleParse() {
	msg := "feat(api)!: remove the v1 endpoints (#42)\r\n\r\nClients must move to /v2.\r\n\r\nBREAKING CHANGE: /v1 is gone\r\nRefs: PROJ-7\r\n"
	m, err := commits.Parse(msg)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Type, m.Scope, m.Breaking, m.Description)
	fmt.Println("notes:", m.BreakingNotes)
	fmt.Println("tickets:", m.Tickets, "pr:", m.PR)
	for _, f := range m.Footers {
		fmt.Printf("footer %s=%s\n", f.Key, f.Value)
	}

	_, err = commits.Parse("fix(): empty scope")
	var pe *commits.ParseError
	fmt.Println(errors.As(err, &pe) && pe.Reason == "empty scope", errors.Is(err, commits.ErrNotConventional))
	// Output:
	// feat api true remove the v1 endpoints (#42)
	// notes: [/v1 is gone]
	// tickets: [PROJ-7] pr: 42
	// footer BREAKING CHANGE=/v1 is gone
	// footer Refs=PROJ-7
	// true true
}

func ExampleLint() {
	report := commits.Lint("Feat(db): Add a very long subject line that goes on", commits.Rules{
		Types:            []string{"feat", "fix"},
		Scopes:           []string{"api", "ui"},
		RequireTicket:    true,
		MaxSubjectLength: 40,
	})
	for _, v := range report.Violations {
		fmt.Println(v.Rule)
	}
	fmt.Println(report.Err() != nil)
	// Output:
	// scope-enum
	// ticket
	// subject-max-length
	// true
}

// ExampleParse_squash: a squash commit yields the change of its title; the
// pull request's intermediate commits, listed as bullets, are not changes.
// A BREAKING CHANGE footer runs until the next footer token, so the list
// after it is part of the migration note.
func ExampleParse_squash() {
	m, err := commits.Parse("feat(cli): rename flags (#88)\n\n" +
		"* feat(cli): rename flags\n\n" +
		"* feat!: wip, drop the config file\n\n" +
		"* chore: fix lint\n\n" +
		"BREAKING CHANGE: two flags are renamed:\n\n" +
		"- --out is now --output\n" +
		"- --dry is now --dry-run\n\n" +
		"Refs: #80")
	if err != nil {
		panic(err)
	}
	for _, c := range m.Changes() {
		fmt.Printf("%s(%s) breaking=%v from the %s, breaking from a %s\n", c.Type, c.Scope, c.Breaking, m.Origin, m.BreakingFrom)
	}
	fmt.Println(m.BreakingNotes[0])
	fmt.Println(m.Refs)
	// Output:
	// feat(cli) breaking=true from the header, breaking from a footer
	// two flags are renamed:
	//
	// - --out is now --output
	// - --dry is now --dry-run
	// [#80]
}

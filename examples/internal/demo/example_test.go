package demo_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/idtoken"
)

// A pull request squash-merged into main, then a fix cherry-picked with -x
// onto a release branch: the commits and their messages are the same on
// every run.
func Example() {
	dir, err := os.MkdirTemp("", "demo-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	var clk demo.Clock
	repo, err := demo.Init(dir)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := demo.Commit(repo, map[string]string{"a.go": "package a\n"}, "feat: a (#1)\n\nRefs: OPS-1\n", "Ada Developer", clk.Next()); err != nil {
		log.Fatal(err)
	}
	if err := demo.Checkout(repo, "release/1.0", true); err != nil {
		log.Fatal(err)
	}
	if err := demo.Checkout(repo, "feature/b", true); err != nil {
		log.Fatal(err)
	}
	if _, err := demo.Commit(repo, map[string]string{"a.go": "package a\n\n// fixed\n"}, "wip", "Ada Developer", clk.Next()); err != nil {
		log.Fatal(err)
	}
	merged, err := demo.SquashMerge(repo, "main", "feature/b", "fix: a (#2)\n\nRefs: OPS-2\n", "Ben Reviewer", clk.Next())
	if err != nil {
		log.Fatal(err)
	}
	picked, err := demo.CherryPick(repo, merged, "release/1.0", true, "Release Bot", clk.Next())
	if err != nil {
		log.Fatal(err)
	}
	c, err := repo.CommitObject(picked)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("squash merge %s by %s, committed by %s\n", merged, c.Author.Name, c.Committer.Email)
	fmt.Print(c.Message)
	// Output:
	// squash merge 9b6fbbde87c00aa40b5db79708d343e9a5104299 by Ada Developer, committed by release-bot@example.com
	// fix: a (#2)
	//
	// Refs: OPS-2
	// (cherry picked from commit 9b6fbbde87c00aa40b5db79708d343e9a5104299)
}

// A team whose CI's ID tokens say who acts: the configuration pins the
// demonstration CI's keys, and the deploy job's token verifies into the
// identity that promotes to prod.
func ExampleCI() {
	dir, err := os.MkdirTemp("", "demo-ci-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if _, err := demo.SetupSigning(dir, ""); err != nil {
		log.Fatal(err)
	}
	ci := demo.NewCI()
	cfg, err := demo.WriteConfig(dir, demo.Team{
		Approvers: []string{"cleo@example.com"}, Releaser: "release-bot@example.com",
		CI: ci, Repository: "shop/checkout",
	})
	if err != nil {
		log.Fatal(err)
	}
	at := demo.Epoch()
	raw, err := ci.Token(demo.CIJob{
		Repository: "shop/checkout", Ref: "refs/heads/main", Commit: "0e69c53bc995460f7b86b05dc701164f780440a9",
		Run: "1042", Environment: "prod", Actor: "release-bot@example.com", At: at,
	})
	if err != nil {
		log.Fatal(err)
	}
	actor, err := cfg.VerifyToken(context.Background(), raw, idtoken.WithClock(func() time.Time { return at }))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(actor.Name, actor.Verified, actor.Subject)
	fmt.Println("verified identity required in", cfg.VerifiedIdentityEnvs())
	// Output:
	// release-bot@example.com true repo:shop/checkout:environment:prod
	// verified identity required in [prod]
}

package demo_test

import (
	"fmt"
	"log"
	"os"

	"github.com/releasekit/releasekit/examples/internal/demo"
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

package gittest_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

func ExampleCommitTime() {
	fmt.Println(gittest.CommitTime(0))
	fmt.Println(gittest.CommitTime(1))
	// Output:
	// 2026-01-05 09:00:00 +0000 UTC
	// 2026-01-05 09:01:00 +0000 UTC
}

func ExampleGenerate() {
	base, err := os.MkdirTemp("", "gittest-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(base)
	dir := filepath.Join(base, "repo")

	// 100 commits, a release every 25 with 10 commits after the last one.
	spec := gittest.Spec{Commits: 100, TagEvery: 25, Unreleased: 10, Paths: []string{"api/", "web/"}, Seed: 1}
	if err := gittest.Generate(context.Background(), dir, spec); err != nil {
		log.Fatal(err)
	}

	repo, err := git.PlainOpen(dir)
	if err != nil {
		log.Fatal(err)
	}
	head, err := repo.Head()
	if err != nil {
		log.Fatal(err)
	}
	commits, err := repo.Log(&git.LogOptions{From: head.Hash()})
	if err != nil {
		log.Fatal(err)
	}
	n := 0
	var first *object.Commit
	commits.ForEach(func(c *object.Commit) error {
		n++
		first = c
		return nil
	})
	fmt.Println(head.Name(), n, "commits")
	fmt.Printf("first: %q at %s by %s\n", first.Message, first.Committer.When.UTC(), first.Author.Email)

	tags, err := repo.Tags()
	if err != nil {
		log.Fatal(err)
	}
	tags.ForEach(func(ref *plumbing.Reference) error {
		fmt.Print(ref.Name().Short(), " ")
		return nil
	})
	fmt.Println()
	// Output:
	// refs/heads/main 100 commits
	// first: "Initial commit\n" at 2026-01-05 09:00:00 +0000 UTC by author@example.com
	// v1.0.0 v1.0.1 v1.1.0 v1.2.0
}

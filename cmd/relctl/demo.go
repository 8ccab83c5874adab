package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// demoHistory is the demo repository's history: a released v1.2.0, then
// unreleased work that calls for a minor release.
var demoHistory = []struct {
	msg string
	tag string
}{
	{msg: "feat: first public API\n\nRefs: DEMO-1"},
	{msg: "fix(api): reject empty names (#2)\n\nRefs: DEMO-2", tag: "v1.0.0"},
	{msg: "feat(api): paginate listings (#3)\n\nRefs: DEMO-3", tag: "v1.1.0"},
	{msg: "fix: close the file on error (#4)\n\nCloses: DEMO-4", tag: "v1.2.0"},
	{msg: "docs: explain pagination"},
	{msg: "feat(cli): add --json output (#7)\n\nAdds machine-readable output.\n\nRefs: DEMO-7\nRisk: low"},
	{msg: "fix(api): handle a nil cursor (#8)\n\nRefs: DEMO-8"},
	{msg: "update readme"},
}

// makeDemo creates the demo repository in a new temporary directory and
// returns its path. It uses go-git only, so it needs no git binary.
func makeDemo() (string, error) {
	dir, err := os.MkdirTemp("", "relctl-demo-")
	if err != nil {
		return "", err
	}
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	if err != nil {
		return "", err
	}
	wt, err := repo.Worktree()
	if err != nil {
		return "", err
	}
	when := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	sig := &object.Signature{Name: "Demo Developer", Email: "dev@example.com"}
	for i, step := range demoHistory {
		name := filepath.Join(dir, "CHANGES.txt")
		f, err := os.OpenFile(name, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return "", err
		}
		if _, err := fmt.Fprintf(f, "%d %s\n", i, firstLine(step.msg)); err != nil {
			f.Close()
			return "", err
		}
		if err := f.Close(); err != nil {
			return "", err
		}
		if _, err := wt.Add("CHANGES.txt"); err != nil {
			return "", err
		}
		sig.When = when.Add(time.Duration(i) * time.Hour)
		h, err := wt.Commit(step.msg, &git.CommitOptions{Author: sig, Committer: sig})
		if err != nil {
			return "", err
		}
		if step.tag != "" {
			if _, err := repo.CreateTag(step.tag, h, &git.CreateTagOptions{Tagger: sig, Message: "Release " + step.tag}); err != nil {
				return "", err
			}
		}
	}
	return dir, nil
}

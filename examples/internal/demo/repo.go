package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// Init creates a repository with a worktree in dir, whose default branch is
// main.
func Init(dir string) (*git.Repository, error) {
	return git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
}

// Commit writes files (slash-separated path → content) into the worktree of
// repo, on the checked-out branch, and commits them with message, with
// author as both author and committer ([Identity]) at when. With no files it
// makes an empty commit. Commit does not keep files.
func Commit(repo *git.Repository, files map[string]string, message, author string, when time.Time) (plumbing.Hash, error) {
	wt, err := repo.Worktree()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	for name, content := range files {
		if err := writeFile(wt, name, content); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	s := Identity(author, when)
	return wt.Commit(message, &git.CommitOptions{Author: s, Committer: s, AllowEmptyCommits: len(files) == 0})
}

// Checkout switches the worktree of repo to branch, discarding local
// changes; with create it first creates branch at the current HEAD.
func Checkout(repo *git.Repository, branch string, create bool) error {
	wt, err := repo.Worktree()
	if err != nil {
		return err
	}
	return wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(branch), Create: create, Force: true})
}

// Head returns the commit branch points at. The error names the branch and
// wraps go-git's (plumbing.ErrReferenceNotFound when there is no such
// branch).
func Head(repo *git.Repository, branch string) (plumbing.Hash, error) {
	ref, err := repo.Reference(plumbing.NewBranchReferenceName(branch), true)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("branch %s: %w", branch, err)
	}
	return ref.Hash(), nil
}

// writeFile writes content to name (slash-separated) in the worktree wt,
// creating its directories, and stages it.
func writeFile(wt *git.Worktree, name, content string) error {
	p := filepath.Join(wt.Filesystem.Root(), filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		return err
	}
	_, err := wt.Add(name)
	return err
}

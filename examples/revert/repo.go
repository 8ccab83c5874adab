package main

// Repository scaffolding for the example. It is repeated in every example
// folder on purpose: examples are meant to be copied one at a time.

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/tagging"
)

// epoch is the time of the first commit; every later step is a fixed offset
// from it, so commit SHAs and printed output are the same on every run.
var epoch = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// clock hands out fixed, increasing times: one minute per call.
type clock struct{ t time.Time }

func (c *clock) next() time.Time {
	if c.t.IsZero() {
		c.t = epoch
	}
	c.t = c.t.Add(time.Minute)
	return c.t
}

// sig is a fixed author or committer at time when.
func sig(name string, when time.Time) *object.Signature {
	return &object.Signature{Name: name, Email: emailOf(name), When: when}
}

func emailOf(name string) string {
	switch name {
	case "Ada Developer":
		return "ada@example.com"
	case "Ben Reviewer":
		return "ben@example.com"
	case "Release Bot":
		return "release-bot@example.com"
	case "Cleo Approver":
		return "cleo@example.com"
	}
	return "someone@example.com"
}

// initRepo creates a repository in dir with a main branch.
func initRepo(dir string) (*git.Repository, error) {
	return git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
}

// commitFiles writes files into the worktree of repo (on the checked-out
// branch) and commits them with message as author at when.
func commitFiles(repo *git.Repository, files map[string]string, message, author string, when time.Time) (plumbing.Hash, error) {
	wt, err := repo.Worktree()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	root := wt.Filesystem.Root()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return plumbing.ZeroHash, err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return plumbing.ZeroHash, err
		}
		if _, err := wt.Add(name); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	s := sig(author, when)
	return wt.Commit(message, &git.CommitOptions{Author: s, Committer: s, AllowEmptyCommits: len(files) == 0})
}

// checkout switches the worktree to branch, creating it at the current HEAD
// when create is set.
func checkout(repo *git.Repository, branch string, create bool) error {
	wt, err := repo.Worktree()
	if err != nil {
		return err
	}
	return wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(branch), Create: create, Force: true})
}

// head returns the commit branch points at.
func head(repo *git.Repository, branch string) (plumbing.Hash, error) {
	ref, err := repo.Reference(plumbing.NewBranchReferenceName(branch), true)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("branch %s: %w", branch, err)
	}
	return ref.Hash(), nil
}

// sshKey returns an SSH signing key: the private key file at path, or a new
// Ed25519 key when path is empty.
func sshKey(path string) (ssh.Signer, error) {
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		return tagging.ParseSSHPrivateKey(data, nil)
	}
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	return ssh.NewSignerFromKey(priv)
}

// allowedSigners is the allowed_signers file that trusts key for principal
// in namespace, as `git config gpg.ssh.allowedSignersFile` reads it.
func allowedSigners(principal, namespace string, key ssh.PublicKey) []byte {
	return fmt.Appendf(nil, "%s namespaces=%q %s", principal, namespace, ssh.MarshalAuthorizedKey(key))
}

// revert commits the inverse of the change commit h made, as `git revert`
// does, with git's message.
func revert(repo *git.Repository, h plumbing.Hash, branch, author string, when time.Time) (plumbing.Hash, error) {
	c, err := repo.CommitObject(h)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	subject, _, _ := strings.Cut(c.Message, "\n")
	msg := fmt.Sprintf("Revert \"%s\"\n\nThis reverts commit %s.\n", subject, h)
	return applyChange(repo, c, branch, true, msg, *sig(author, when), author, when)
}

// applyChange writes the change of c (or its inverse) into branch's worktree
// and commits it.
func applyChange(repo *git.Repository, c *object.Commit, branch string, inverse bool, msg string, author object.Signature, committer string, when time.Time) (plumbing.Hash, error) {
	parent, err := c.Parent(0)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	from, err := parent.Tree()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	to, err := c.Tree()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if inverse {
		from, to = to, from
	}
	changes, err := object.DiffTree(from, to)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if err := checkout(repo, branch, false); err != nil {
		return plumbing.ZeroHash, err
	}
	wt, err := repo.Worktree()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	root := wt.Filesystem.Root()
	for _, ch := range changes {
		before, after, err := ch.Files()
		if err != nil {
			return plumbing.ZeroHash, err
		}
		name := ch.From.Name
		if name == "" {
			name = ch.To.Name
		}
		p := filepath.Join(root, filepath.FromSlash(name))
		have, err := os.ReadFile(p)
		switch {
		case before == nil && err == nil:
			return plumbing.ZeroHash, fmt.Errorf("conflict: %s already exists on %s", name, branch)
		case before != nil:
			want, cerr := before.Contents()
			if cerr != nil {
				return plumbing.ZeroHash, cerr
			}
			if err != nil || string(have) != want {
				return plumbing.ZeroHash, fmt.Errorf("conflict: %s on %s differs from the change's base", name, branch)
			}
		}
		if after == nil {
			if _, err := wt.Remove(name); err != nil {
				return plumbing.ZeroHash, err
			}
			continue
		}
		content, err := after.Contents()
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return plumbing.ZeroHash, err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return plumbing.ZeroHash, err
		}
		if _, err := wt.Add(name); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	author.When = author.When.In(time.UTC)
	return wt.Commit(msg, &git.CommitOptions{Author: &author, Committer: sig(committer, when)})
}

package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// SquashMerge does what a forge's "Squash and merge" does: one new commit on
// base whose tree is the feature branch's tip and whose only parent is
// base's tip, with message, the author of feature's tip (at when) and
// committer (an [Identity]) at when. base must not have moved since feature
// was cut, as in a fast-forwardable pull request; feature's own commits do
// not reach base. SquashMerge leaves base checked out.
func SquashMerge(repo *git.Repository, base, feature, message, committer string, when time.Time) (plumbing.Hash, error) {
	baseTip, err := Head(repo, base)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	featTip, err := Head(repo, feature)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	fc, err := repo.CommitObject(featTip)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	author := fc.Author // the PR author keeps authorship
	author.When = when
	c := &object.Commit{
		Author:       author,
		Committer:    *Identity(committer, when),
		Message:      message,
		TreeHash:     fc.TreeHash,
		ParentHashes: []plumbing.Hash{baseTip},
	}
	obj := repo.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	h, err := repo.Storer.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	ref := plumbing.NewHashReference(plumbing.NewBranchReferenceName(base), h)
	if err := repo.Storer.CheckAndSetReference(ref, plumbing.NewHashReference(ref.Name(), baseTip)); err != nil {
		return plumbing.ZeroHash, err
	}
	return h, Checkout(repo, base, false)
}

// CherryPick applies the change commit h made (against its first parent) on
// top of branch and commits it with h's author and message and committer
// (an [Identity]) at when, as `git cherry-pick` does. With x it appends
// "(cherry picked from commit SHA)" as `git cherry-pick -x` does: to the
// message's trailer block when it ends in one, else as a paragraph of its
// own. A file whose content on branch is not what h changed is a conflict:
// CherryPick returns an error and commits nothing. It leaves branch checked
// out.
func CherryPick(repo *git.Repository, h plumbing.Hash, branch string, x bool, committer string, when time.Time) (plumbing.Hash, error) {
	c, err := repo.CommitObject(h)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	msg := strings.TrimRight(c.Message, "\n")
	if x {
		msg += "\n(cherry picked from commit " + h.String() + ")"
		if !hasTrailers(msg) {
			msg = strings.TrimRight(c.Message, "\n") + "\n\n(cherry picked from commit " + h.String() + ")"
		}
	}
	return applyChange(repo, c, branch, false, msg+"\n", c.Author, committer, when)
}

// Revert commits on branch the inverse of the change commit h made (against
// its first parent), as `git revert` does, with git's message
// (Revert "subject" … This reverts commit SHA.) and author as author and
// committer at when. Conflicts are found as by [CherryPick]. It leaves
// branch checked out.
func Revert(repo *git.Repository, h plumbing.Hash, branch, author string, when time.Time) (plumbing.Hash, error) {
	c, err := repo.CommitObject(h)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	subject, _, _ := strings.Cut(c.Message, "\n")
	msg := fmt.Sprintf("Revert \"%s\"\n\nThis reverts commit %s.\n", subject, h)
	return applyChange(repo, c, branch, true, msg, *Identity(author, when), author, when)
}

// hasTrailers reports whether the last paragraph of msg (the line just
// appended included) looks like a trailer block, "Key: value" lines.
func hasTrailers(msg string) bool {
	paras := strings.Split(msg, "\n\n")
	if len(paras) < 2 {
		return false
	}
	for _, line := range strings.Split(paras[len(paras)-1], "\n") {
		if strings.HasPrefix(line, "(cherry picked from commit ") {
			continue
		}
		k, _, ok := strings.Cut(line, ": ")
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return false
		}
	}
	return true
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
	if err := Checkout(repo, branch, false); err != nil {
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
		if err := writeFile(wt, name, content); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	author.When = author.When.In(time.UTC)
	return wt.Commit(msg, &git.CommitOptions{Author: &author, Committer: Identity(committer, when)})
}

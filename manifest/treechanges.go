package manifest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/utils/merkletrie"
)

// A RevisionError is a revision [TreeChanges] cannot resolve to a commit:
// no such tag, branch or commit, or one that names no commit. It wraps
// [ErrNotFound] and the cause.
type RevisionError struct {
	Revision string
	Err      error // what resolving it returned, or nil
}

// Error names the revision and the cause.
func (e *RevisionError) Error() string {
	return reasonText("unknown revision", fmt.Sprintf("%q", e.Revision), e.Err)
}

// Unwrap returns [ErrNotFound] and the cause.
func (e *RevisionError) Unwrap() []error { return []error{ErrNotFound, e.Err} }

// TreeChanges returns the manifest of the files that differ between the
// trees of the commits from and to name (release tags, annotated or not, or
// any revision go-git resolves), for [ReportDeployment]: each file added,
// modified or deleted, sorted by path, with the SHA-256 of its content
// (SHA256: the new content, Previous: the old one), read from the blobs as
// streams. A from of "" is an environment's first deployment: every file of
// to is added. A renamed file is the old path deleted and the new one
// added; a file whose mode only changed is modified with the same digests.
// Submodules (gitlinks) are skipped: their content is another repository's
// commit, not a file of this one, and they are neither listed nor counted.
//
// At most [MaxChangedFiles] files are listed (the first by path, and only
// their contents are read); Total counts every changed file and Truncated
// says whether some were left out. From, To, FromTree and ToTree are the
// revisions as given and the hashes of the trees compared. A revision that
// does not resolve to a commit is a *[RevisionError] ([ErrNotFound]).
func TreeChanges(ctx context.Context, repo *git.Repository, from, to string) (*ChangedFiles, error) {
	return treeChanges(ctx, repo, from, to, MaxChangedFiles)
}

// treeChanges is TreeChanges listing at most max files.
func treeChanges(ctx context.Context, repo *git.Repository, from, to string, max int) (*ChangedFiles, error) {
	if repo == nil {
		return nil, errors.New("manifest: tree changes: no repository")
	}
	toTree, err := revisionTree(repo, to)
	if err != nil {
		return nil, err
	}
	var fromTree *object.Tree
	if from != "" {
		if fromTree, err = revisionTree(repo, from); err != nil {
			return nil, err
		}
	}
	changes, err := object.DiffTreeContext(ctx, fromTree, toTree)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("tree changes %s..%s: %w", from, to, err)
	}
	type change struct {
		path     string
		kind     string
		old, new plumbing.Hash
	}
	var all []change
	for _, c := range changes {
		// A side is a file when it names a blob: regular, executable or a
		// symbolic link. A gitlink (submodule) side is skipped.
		oldFile := c.From.Name != "" && c.From.TreeEntry.Mode.IsFile()
		newFile := c.To.Name != "" && c.To.TreeEntry.Mode.IsFile()
		action, err := c.Action()
		if err != nil {
			return nil, fmt.Errorf("tree changes %s..%s: %w", from, to, err)
		}
		switch {
		case oldFile && newFile && action == merkletrie.Modify:
			all = append(all, change{path: c.To.Name, kind: ChangeModified, old: c.From.TreeEntry.Hash, new: c.To.TreeEntry.Hash})
		case newFile: // inserted, or a gitlink that became a file
			all = append(all, change{path: c.To.Name, kind: ChangeAdded, new: c.To.TreeEntry.Hash})
		case oldFile: // deleted, or a file that became a gitlink
			all = append(all, change{path: c.From.Name, kind: ChangeDeleted, old: c.From.TreeEntry.Hash})
		}
	}
	slices.SortFunc(all, func(a, b change) int { return strings.Compare(a.path, b.path) })
	cf := &ChangedFiles{From: from, To: to, ToTree: toTree.Hash.String(), Total: len(all), Files: []FileChange{}}
	if fromTree != nil {
		cf.FromTree = fromTree.Hash.String()
	}
	if len(all) > max {
		all, cf.Truncated = all[:max], true
	}
	sums := map[plumbing.Hash]string{}
	sum := func(h plumbing.Hash) (string, error) {
		if s, ok := sums[h]; ok {
			return s, nil
		}
		s, err := blobSHA256(ctx, repo, h)
		if err != nil {
			return "", err
		}
		sums[h] = s
		return s, nil
	}
	for _, c := range all {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fc := FileChange{Path: c.path, Change: c.kind}
		if c.kind != ChangeDeleted {
			if fc.SHA256, err = sum(c.new); err != nil {
				return nil, fmt.Errorf("tree changes %s..%s: %s: %w", from, to, c.path, err)
			}
		}
		if c.kind != ChangeAdded {
			if fc.Previous, err = sum(c.old); err != nil {
				return nil, fmt.Errorf("tree changes %s..%s: %s: %w", from, to, c.path, err)
			}
		}
		cf.Files = append(cf.Files, fc)
	}
	return cf, nil
}

// revisionTree returns the tree of the commit rev names; an annotated tag
// is followed to its commit.
func revisionTree(repo *git.Repository, rev string) (*object.Tree, error) {
	if rev == "" {
		return nil, &RevisionError{Revision: rev, Err: errors.New("no revision given")}
	}
	h, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, &RevisionError{Revision: rev, Err: err}
	}
	obj, err := repo.Object(plumbing.AnyObject, *h)
	if err != nil {
		return nil, &RevisionError{Revision: rev, Err: err}
	}
	for range 10 { // a tag of a tag of ...: git allows a few levels
		t, ok := obj.(*object.Tag)
		if !ok {
			break
		}
		if obj, err = t.Object(); err != nil {
			return nil, &RevisionError{Revision: rev, Err: err}
		}
	}
	c, ok := obj.(*object.Commit)
	if !ok {
		return nil, &RevisionError{Revision: rev, Err: fmt.Errorf("%s is a %s, not a commit", obj.ID(), obj.Type())}
	}
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("tree of %s: %w", rev, err)
	}
	return t, nil
}

// blobSHA256 returns the SHA-256 of blob h's content, read as a stream.
func blobSHA256(ctx context.Context, repo *git.Repository, h plumbing.Hash) (string, error) {
	b, err := repo.BlobObject(h)
	if err != nil {
		return "", err
	}
	r, err := b.Reader()
	if err != nil {
		return "", err
	}
	defer r.Close()
	sh := sha256.New()
	if _, err := io.Copy(sh, ctxReader{ctx, r}); err != nil {
		return "", err
	}
	return hex.EncodeToString(sh.Sum(nil)), nil
}

// ctxReader stops reading when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

package releasepr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/releasekit/releasekit/signature"
)

// ErrUnsigned is returned by [Commit] without a signer: a release commit
// is signed, so that a branch protected by "require signed commits"
// accepts the release PR (policy §1.11.3.2).
var ErrUnsigned = errors.New("releasepr: release commits are signed: no signer")

// A CommitRequest is a release commit to make: the Edits applied to
// Parent's tree, with Message, by Author (also the committer), signed by
// Signer, and the branch refs/heads/Branch pointed at it.
type CommitRequest struct {
	Parent  plumbing.Hash
	Edits   []Edit
	Message string
	Author  object.Signature
	Signer  signature.Signer // an SSH signer in namespace "git", or an OpenPGP signer
	// Branch is the release branch to point at the commit ("" for none).
	// It is the bot's own branch, rebuilt from the base on every run, so
	// it is moved to the new commit — with compare-and-swap, so that two
	// runs never overwrite each other unseen.
	Branch string
}

// Commit writes a signed release commit into repo and returns it. The
// signature is made as git makes it (the commit without its gpgsig header
// is signed; the armored signature becomes the header), so `git
// verify-commit` accepts it, and a forge verifies it the same way.
//
// A request without a signer is ErrUnsigned; an edit of a path outside
// the repository, of a path git refuses (".git" in any case or spelling,
// "git~1", a name ending in a dot or a space, a backslash or a colon), of
// a symbolic link, an empty message or a parent that is not a commit is
// ErrConfig; a branch that moved during the call is an error wrapping
// storage.ErrReferenceHasChanged. Nothing is written to a branch unless
// the whole commit was made and checked.
func Commit(ctx context.Context, repo *git.Repository, req CommitRequest) (plumbing.Hash, error) {
	if req.Signer == nil {
		return plumbing.ZeroHash, ErrUnsigned
	}
	if strings.TrimSpace(req.Message) == "" {
		return plumbing.ZeroHash, fmt.Errorf("%w: empty commit message", ErrConfig)
	}
	if req.Author.Name == "" || req.Author.Email == "" || req.Author.When.IsZero() {
		return plumbing.ZeroHash, fmt.Errorf("%w: the author needs a name, an e-mail address and a time", ErrConfig)
	}
	parent, err := repo.CommitObject(req.Parent)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("%w: parent %s: %v", ErrConfig, req.Parent, err)
	}
	files := map[string][]byte{}
	for _, e := range req.Edits {
		p := path.Clean(e.Path)
		if p == "." || p == ".." || strings.HasPrefix(p, "../") || path.IsAbs(p) || strings.Contains(p, "\x00") || slices.ContainsFunc(strings.Split(p, "/"), gitRefuses) {
			return plumbing.ZeroHash, fmt.Errorf("%w: edit of %q is not a file of the repository", ErrConfig, e.Path)
		}
		files[p] = e.After
	}
	root, err := parent.Tree()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	treeHash, err := writeTree(repo.Storer, root, files)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	msg := req.Message
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	c := &object.Commit{Author: req.Author, Committer: req.Author, Message: msg, TreeHash: treeHash, ParentHashes: []plumbing.Hash{parent.Hash}}
	payload, err := encodeUnsigned(repo.Storer, c)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	sig, err := req.Signer.Sign(ctx, bytes.NewReader(payload))
	if err != nil {
		if errors.Is(err, signature.ErrSign) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return plumbing.ZeroHash, err
		}
		return plumbing.ZeroHash, fmt.Errorf("%w: %v", signature.ErrSign, err)
	}
	if !bytes.HasPrefix(sig, []byte("-----BEGIN ")) || bytes.Count(sig, []byte("-----BEGIN ")) != 1 {
		return plumbing.ZeroHash, fmt.Errorf("%w: the signer did not return one armored signature block", signature.ErrSign)
	}
	c.PGPSignature = string(sig)
	obj := repo.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	// The commit as stored must carry exactly the payload signed.
	var back object.Commit
	if err := back.Decode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	again, err := encodeUnsigned(repo.Storer, &back)
	if err != nil || !bytes.Equal(again, payload) || back.PGPSignature != string(sig) {
		return plumbing.ZeroHash, fmt.Errorf("%w: the signed commit does not round-trip", signature.ErrSign)
	}
	if err := ctx.Err(); err != nil {
		return plumbing.ZeroHash, err
	}
	h, err := repo.Storer.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if req.Branch != "" {
		name := plumbing.NewBranchReferenceName(req.Branch)
		if err := name.Validate(); err != nil || strings.HasPrefix(req.Branch, "-") {
			return plumbing.ZeroHash, fmt.Errorf("%w: branch %q", ErrConfig, req.Branch)
		}
		old, err := repo.Storer.Reference(name)
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			old = nil
		} else if err != nil {
			return plumbing.ZeroHash, err
		}
		if err := repo.Storer.CheckAndSetReference(plumbing.NewHashReference(name, h), old); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("releasepr: set %s: %w", name, err)
		}
	}
	return h, nil
}

// gitRefuses reports whether git refuses a path component in a tree
// (verify_path with core.protectNTFS and core.protectHFS, as fsck's
// hasDotgit): ".git" in any case, also with trailing dots or spaces, its
// NTFS short name "git~1", ".git" with HFS+-ignored code points; and
// what NTFS cannot name faithfully: a backslash or a colon (alternate
// data streams), a trailing dot or space (Windows drops them).
func gitRefuses(name string) bool {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "\\:") || strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") {
		return true
	}
	folded := strings.ToLower(strings.Map(func(r rune) rune {
		if hfsIgnored(r) {
			return -1
		}
		return r
	}, name))
	return folded == ".git" || folded == "git~1"
}

// hfsIgnored are the code points HFS+ ignores in names (git's
// is_hfs_dotgit).
func hfsIgnored(r rune) bool {
	return (r >= 0x200c && r <= 0x200f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x206a && r <= 0x206f) || r == 0xfeff
}

func encodeUnsigned(s storer.EncodedObjectStorer, c *object.Commit) ([]byte, error) {
	obj := s.NewEncodedObject()
	if err := c.EncodeWithoutSignature(obj); err != nil {
		return nil, err
	}
	r, err := obj.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// writeTree writes the tree of t (nil: an empty directory) with files
// (slash-separated paths relative to t) replaced or added, and returns
// its hash. An existing file keeps its mode (an executable stays one).
func writeTree(s storer.EncodedObjectStorer, t *object.Tree, files map[string][]byte) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	if t != nil {
		entries = slices.Clone(t.Entries)
	}
	sub := map[string]map[string][]byte{}
	for p, data := range files {
		dir, rest, nested := strings.Cut(p, "/")
		if nested {
			if sub[dir] == nil {
				sub[dir] = map[string][]byte{}
			}
			sub[dir][rest] = data
			continue
		}
		blob := s.NewEncodedObject()
		blob.SetType(plumbing.BlobObject)
		w, err := blob.Writer()
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if _, err := w.Write(data); err != nil {
			return plumbing.ZeroHash, err
		}
		if err := w.Close(); err != nil {
			return plumbing.ZeroHash, err
		}
		h, err := s.SetEncodedObject(blob)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		i := slices.IndexFunc(entries, func(e object.TreeEntry) bool { return e.Name == p })
		switch {
		case i < 0:
			entries = append(entries, object.TreeEntry{Name: p, Mode: filemode.Regular, Hash: h})
		case entries[i].Mode == filemode.Dir || entries[i].Mode == filemode.Submodule:
			return plumbing.ZeroHash, fmt.Errorf("%w: %q is a directory in the repository", ErrConfig, p)
		case entries[i].Mode == filemode.Symlink:
			// Writing the edit would replace the link with a file
			// holding the edit of the link's target path.
			return plumbing.ZeroHash, fmt.Errorf("%w: %q is a symbolic link in the repository: name the file it links to", ErrConfig, p)
		default:
			entries[i].Hash = h
		}
	}
	for dir, fs := range sub {
		i := slices.IndexFunc(entries, func(e object.TreeEntry) bool { return e.Name == dir })
		var child *object.Tree
		if i >= 0 {
			if entries[i].Mode != filemode.Dir {
				return plumbing.ZeroHash, fmt.Errorf("%w: %q is not a directory in the repository", ErrConfig, dir)
			}
			var err error
			if child, err = object.GetTree(s, entries[i].Hash); err != nil {
				return plumbing.ZeroHash, err
			}
		}
		h, err := writeTree(s, child, fs)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if i < 0 {
			entries = append(entries, object.TreeEntry{Name: dir, Mode: filemode.Dir, Hash: h})
		} else {
			entries[i].Hash = h
		}
	}
	// git orders entries by name, a directory's name as if it ended in "/".
	key := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	slices.SortFunc(entries, func(a, b object.TreeEntry) int { return strings.Compare(key(a), key(b)) })
	tree := &object.Tree{Entries: entries}
	obj := s.NewEncodedObject()
	if err := tree.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}

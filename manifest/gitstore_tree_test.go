package manifest_test

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
)

// legacyRef writes n chained notes under LogRef in the layout of the
// GitStore before the tree (log/SEQ.json, flat, no tree/), one commit.
func legacyRef(t *testing.T, repo *git.Repository, n int) []manifest.Entry {
	t.Helper()
	put := func(typ plumbing.ObjectType, enc func(plumbing.EncodedObject) error) plumbing.Hash {
		o := repo.Storer.NewEncodedObject()
		o.SetType(typ)
		require.NoError(t, enc(o))
		h, err := repo.Storer.SetEncodedObject(o)
		require.NoError(t, err)
		return h
	}
	blob := func(data []byte) plumbing.Hash {
		return put(plumbing.BlobObject, func(o plumbing.EncodedObject) error {
			w, _ := o.Writer()
			w.Write(data)
			return w.Close()
		})
	}
	var entries []manifest.Entry
	var es []object.TreeEntry
	prev := ""
	for i := range n {
		e := note(i)
		e.Seq, e.Prev = uint64(i+1), prev
		b, err := manifest.MarshalEntry(e)
		require.NoError(t, err)
		prev = manifest.Digest(b)
		es = append(es, object.TreeEntry{Name: fmt.Sprintf("%020d.json", i+1), Mode: filemode.Regular, Hash: blob(b)})
		entries = append(entries, e)
	}
	logTree := put(plumbing.TreeObject, (&object.Tree{Entries: es}).Encode)
	root := put(plumbing.TreeObject, (&object.Tree{Entries: []object.TreeEntry{{Name: "log", Mode: filemode.Dir, Hash: logTree}}}).Encode)
	sig := object.Signature{Name: "old", Email: "old@localhost", When: time.Unix(0, 0).UTC()}
	c := put(plumbing.CommitObject, (&object.Commit{Author: sig, Committer: sig, Message: "old\n", TreeHash: root}).Encode)
	require.NoError(t, repo.Storer.SetReference(plumbing.NewHashReference(manifest.LogRef, c)))
	return entries
}

// TestGitStoreLegacyRef: a ref written before the tree and the sharded
// layout (log/SEQ.json, flat) still reads, gains its tree on first use
// (after its chain is checked), and grows in the sharded layout.
func TestGitStoreLegacyRef(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	require.NoError(t, err)
	old := legacyRef(t, repo, 12)
	st, err := manifest.NewGitStore(repo)
	require.NoError(t, err)
	got, err := manifest.VerifyStore(ctx, st, nil)
	require.NoError(t, err)
	assert.Equal(t, old, got)
	want, _ := memTree(t, old)
	tr, err := st.Tree(ctx)
	require.NoError(t, err)
	assert.Equal(t, want, tr)

	appendNotes(t, st, 12, 15)
	tr, err = manifest.VerifyTree(ctx, st)
	require.NoError(t, err)
	assert.Equal(t, uint64(15), tr.Size)
	entries, err := manifest.VerifyStore(ctx, st, nil)
	require.NoError(t, err)
	assert.Len(t, entries, 15)
	e, err := st.Entry(ctx, 3)
	require.NoError(t, err)
	assert.Equal(t, old[2], e)

	ref, err := repo.Reference(manifest.LogRef, true)
	require.NoError(t, err)
	c, err := repo.CommitObject(ref.Hash())
	require.NoError(t, err)
	root, err := c.Tree()
	require.NoError(t, err)
	_, err = root.File("log/00000000000000000003.json")
	require.NoError(t, err, "old entries stay where they are")
	_, err = root.File("log/0/000/00000000000000000014.json")
	require.NoError(t, err, "new entries are sharded")
}

// TestGitStoreLegacyBrokenChain: a ref whose entries do not chain never
// gains a tree, and nothing is appended to it.
func TestGitStoreLegacyBrokenChain(t *testing.T) {
	ctx := t.Context()
	repo, err := git.PlainInit(t.TempDir(), false)
	require.NoError(t, err)
	legacyRef(t, repo, 4)
	before, err := repo.Reference(manifest.LogRef, true)
	require.NoError(t, err)
	// Rewrite entry 2 in place (same name, new content).
	st, err := manifest.NewGitStore(repo)
	require.NoError(t, err)
	tamperGit(t, repo, 2, func(e *manifest.Entry) { e.Note = "rewritten" })
	tampered, err := repo.Reference(manifest.LogRef, true)
	require.NoError(t, err)
	require.NotEqual(t, before.Hash(), tampered.Hash())
	_, err = st.Tree(ctx)
	assert.ErrorIs(t, err, manifest.ErrTampered)
	_, err = st.Append(ctx, note(9))
	assert.ErrorIs(t, err, manifest.ErrTampered)
	after, err := repo.Reference(manifest.LogRef, true)
	require.NoError(t, err)
	assert.Equal(t, tampered.Hash(), after.Hash())
}

// tamperGit rewrites entry seq of LogRef's head in place with edit
// applied (its blob replaced, whatever the layout), as a new commit.
func tamperGit(t *testing.T, repo *git.Repository, seq uint64, edit func(*manifest.Entry)) {
	t.Helper()
	ref, err := repo.Reference(manifest.LogRef, true)
	require.NoError(t, err)
	c, err := repo.CommitObject(ref.Hash())
	require.NoError(t, err)
	root, err := c.Tree()
	require.NoError(t, err)
	name := fmt.Sprintf("%020d.json", seq)
	var path string
	require.NoError(t, root.Files().ForEach(func(f *object.File) error {
		if strings.HasPrefix(f.Name, "log/") && filepath.Base(f.Name) == name {
			path = f.Name
		}
		return nil
	}))
	require.NotEmpty(t, path)
	f, err := root.File(path)
	require.NoError(t, err)
	text, err := f.Contents()
	require.NoError(t, err)
	e, err := manifest.ParseEntry([]byte(text))
	require.NoError(t, err)
	edit(&e)
	b, err := manifest.MarshalEntry(e)
	require.NoError(t, err)
	o := repo.Storer.NewEncodedObject()
	o.SetType(plumbing.BlobObject)
	w, _ := o.Writer()
	w.Write(b)
	w.Close()
	bh, err := repo.Storer.SetEncodedObject(o)
	require.NoError(t, err)
	newRoot := replaceBlob(t, repo, root, strings.Split(path, "/"), bh)
	nc := *c
	nc.Hash = plumbing.ZeroHash
	nc.TreeHash = newRoot
	nc.ParentHashes = []plumbing.Hash{c.Hash}
	co := repo.Storer.NewEncodedObject()
	require.NoError(t, nc.Encode(co))
	ch, err := repo.Storer.SetEncodedObject(co)
	require.NoError(t, err)
	require.NoError(t, repo.Storer.SetReference(plumbing.NewHashReference(manifest.LogRef, ch)))
}

func replaceBlob(t *testing.T, repo *git.Repository, tr *object.Tree, path []string, blob plumbing.Hash) plumbing.Hash {
	es := append([]object.TreeEntry(nil), tr.Entries...)
	for i := range es {
		if es[i].Name != path[0] {
			continue
		}
		if len(path) == 1 {
			es[i].Hash = blob
		} else {
			sub, err := tr.Tree(path[0])
			require.NoError(t, err)
			es[i].Hash = replaceBlob(t, repo, sub, path[1:], blob)
		}
	}
	o := repo.Storer.NewEncodedObject()
	require.NoError(t, (&object.Tree{Entries: es}).Encode(o))
	h, err := repo.Storer.SetEncodedObject(o)
	require.NoError(t, err)
	return h
}

// looseObjects counts the loose objects of the repository at dir and
// their bytes.
func looseObjects(t *testing.T, dir string) (n int, size int64) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(filepath.Join(dir, ".git", "objects"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		n++
		size += fi.Size()
		return nil
	}))
	return n, size
}

// TestGitStoreAppendObjects: an append writes the same number of git
// objects, of bounded size, whether the log holds 20 entries or 1,020:
// no tree object listing every entry is rewritten.
func TestGitStoreAppendObjects(t *testing.T) {
	if testing.Short() {
		t.Skip("appends 1,020 entries")
	}
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	require.NoError(t, err)
	st, err := manifest.NewGitStore(repo)
	require.NoError(t, err)
	measure := func() (int, int64) {
		// Entries whose Seq ends in the same digits complete the same
		// nodes: compare like with like.
		n0, s0 := looseObjects(t, dir)
		appendNotes(t, st, 0, 1)
		n1, s1 := looseObjects(t, dir)
		return n1 - n0, s1 - s0
	}
	appendNotes(t, st, 0, 19)
	objSmall, bytesSmall := measure() // entry 20
	appendNotes(t, st, 0, 999)
	objLarge, bytesLarge := measure() // entry 1020
	t.Logf("append at 20: %d objects, %d bytes; at 1,020: %d objects, %d bytes", objSmall, bytesSmall, objLarge, bytesLarge)
	assert.Equal(t, objSmall, objLarge) // 20 and 1020 complete the same levels
	// The largest objects rewritten are a shard of at most 1,000 entries
	// and chunks of 64 hashes: compressed, a few kilobytes, whatever N.
	assert.Less(t, bytesLarge, int64(32<<10))
}

package manifest_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/storetest"
	"github.com/releasekit/releasekit/manifest"
)

// TestDirStoreSuite runs the store suite (concurrency, SIGKILL, tamper,
// truncate) on a DirStore. It must call storetest.Run first: the suite
// runs it again in child processes.
func TestDirStoreSuite(t *testing.T) {
	storetest.Run(t, storetest.Store{
		New:  func(t *testing.T) string { return t.TempDir() },
		Open: func(loc string) (manifest.Store, error) { return manifest.NewDirStore(loc) },
		Tamper: func(t *testing.T, loc string, e manifest.Entry) {
			b, err := manifest.MarshalEntry(e)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(entryFile(loc, int(e.Seq)), b, 0o644))
		},
		// An older copy of the directory restored: the entries after size
		// gone, and the tree with them (the store builds it again from
		// the entries it holds).
		Truncate: func(t *testing.T, loc string, size uint64) {
			for seq := size + 1; ; seq++ {
				if err := os.Remove(entryFile(loc, int(seq))); os.IsNotExist(err) {
					break
				} else {
					require.NoError(t, err)
				}
			}
			require.NoError(t, os.RemoveAll(filepath.Join(loc, "tree")))
		},
		Retree: func(t *testing.T, loc string) {
			require.NoError(t, os.RemoveAll(filepath.Join(loc, "tree")))
		},
		PlantRecord: func(t *testing.T, loc, name string, data []byte) {
			require.NoError(t, os.WriteFile(filepath.Join(loc, "records", name+".json"), data, 0o644))
		},
	})
}

// TestGitStoreSuite runs the store suite on a GitStore.
func TestGitStoreSuite(t *testing.T) {
	openRepo := func(t *testing.T, loc string) *git.Repository {
		repo, err := git.PlainOpen(loc)
		require.NoError(t, err)
		return repo
	}
	storetest.Run(t, storetest.Store{
		New: func(t *testing.T) string {
			dir := t.TempDir()
			_, err := git.PlainInit(dir, false)
			require.NoError(t, err)
			return dir
		},
		Open: func(loc string) (manifest.Store, error) {
			repo, err := git.PlainOpen(loc)
			if err != nil {
				return nil, err
			}
			return manifest.NewGitStore(repo)
		},
		Tamper: func(t *testing.T, loc string, e manifest.Entry) {
			tamperGit(t, openRepo(t, loc), e.Seq, func(x *manifest.Entry) { *x = e })
		},
		// The ref reset to the commit of entry size (each append is one
		// commit), as a push --force of an older state would.
		Truncate: func(t *testing.T, loc string, size uint64) {
			repo := openRepo(t, loc)
			st, err := manifest.NewGitStore(repo)
			require.NoError(t, err)
			tr, err := st.Tree(t.Context())
			require.NoError(t, err)
			ref, err := repo.Reference(manifest.LogRef, true)
			require.NoError(t, err)
			c, err := repo.CommitObject(ref.Hash())
			require.NoError(t, err)
			for range tr.Size - size {
				require.Equal(t, "releasekit: log\n", c.Message)
				c, err = c.Parent(0)
				require.NoError(t, err)
			}
			require.NoError(t, repo.Storer.SetReference(plumbing.NewHashReference(manifest.LogRef, c.Hash)))
		},
		// A commit of the head's tree without tree/.
		Retree: func(t *testing.T, loc string) {
			repo := openRepo(t, loc)
			ref, err := repo.Reference(manifest.LogRef, true)
			require.NoError(t, err)
			c, err := repo.CommitObject(ref.Hash())
			require.NoError(t, err)
			root, err := c.Tree()
			require.NoError(t, err)
			var es []object.TreeEntry
			for _, e := range root.Entries {
				if e.Name != "tree" {
					es = append(es, e)
				}
			}
			put := func(enc func(plumbing.EncodedObject) error) plumbing.Hash {
				o := repo.Storer.NewEncodedObject()
				require.NoError(t, enc(o))
				h, err := repo.Storer.SetEncodedObject(o)
				require.NoError(t, err)
				return h
			}
			nc := &object.Commit{Author: c.Author, Committer: c.Committer, Message: "forged\n",
				TreeHash: put((&object.Tree{Entries: es}).Encode), ParentHashes: []plumbing.Hash{c.Hash}}
			require.NoError(t, repo.Storer.SetReference(plumbing.NewHashReference(manifest.LogRef, put(nc.Encode))))
		},
		// A commit adding records/NAME.json to the head's tree.
		PlantRecord: func(t *testing.T, loc, name string, data []byte) {
			plantGitRecord(t, openRepo(t, loc), name, data)
		},
		// A writer killed while holding the ref lock leaves it, as git
		// does; the operator removes it once no writer runs.
		AfterKill: func(t *testing.T, loc string) {
			err := os.Remove(filepath.Join(loc, ".git", "refs", "releasekit", "log.lock"))
			if err != nil && !os.IsNotExist(err) {
				require.NoError(t, err)
			}
		},
	})
}

// plantGitRecord commits data as records/NAME.json on the store's ref,
// behind the store's back.
func plantGitRecord(t *testing.T, repo *git.Repository, name string, data []byte) {
	t.Helper()
	put := func(enc func(plumbing.EncodedObject) error) plumbing.Hash {
		o := repo.Storer.NewEncodedObject()
		require.NoError(t, enc(o))
		h, err := repo.Storer.SetEncodedObject(o)
		require.NoError(t, err)
		return h
	}
	blob := put(func(o plumbing.EncodedObject) error {
		o.SetType(plumbing.BlobObject)
		w, err := o.Writer()
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		return w.Close()
	})
	ref, err := repo.Reference(manifest.LogRef, true)
	require.NoError(t, err)
	c, err := repo.CommitObject(ref.Hash())
	require.NoError(t, err)
	root, err := c.Tree()
	require.NoError(t, err)
	records, err := root.Tree("records")
	require.NoError(t, err)
	es := append([]object.TreeEntry(nil), records.Entries...)
	es = append(es, object.TreeEntry{Name: name + ".json", Mode: filemode.Regular, Hash: blob})
	slices.SortFunc(es, func(a, b object.TreeEntry) int { return strings.Compare(a.Name, b.Name) })
	sub := put((&object.Tree{Entries: es}).Encode)
	top := append([]object.TreeEntry(nil), root.Entries...)
	for i := range top {
		if top[i].Name == "records" {
			top[i].Hash = sub
		}
	}
	nc := &object.Commit{Author: c.Author, Committer: c.Committer, Message: "planted\n",
		TreeHash: put((&object.Tree{Entries: top}).Encode), ParentHashes: []plumbing.Hash{c.Hash}}
	require.NoError(t, repo.Storer.SetReference(plumbing.NewHashReference(manifest.LogRef, put(nc.Encode))))
}

package manifest_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/tlog"
)

// A DirStore keeps the Merkle tree of its log: one entry is proved in a
// checkpointed tree with a few hashes, and a later tree is proved to
// extend an earlier one.
func ExampleProveEntry() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "store")
	defer os.RemoveAll(dir)
	st, _ := manifest.NewDirStore(dir)
	for _, n := range []string{"first", "second", "third", "fourth", "fifth"} {
		st.Append(ctx, manifest.Entry{Kind: manifest.KindNote, Note: n})
	}
	// A checkpoint of the tree as it is now: its size and root.
	cp, _ := st.Tree(ctx)
	root, _ := cp.Root()

	p, err := manifest.ProveEntry(ctx, st, 2, cp.Size)
	if err != nil {
		fmt.Println(err)
		return
	}
	e, _ := st.Entry(ctx, 2)
	leaf, _ := manifest.EntryLeafHash(e)
	fmt.Println("entry", p.LeafIndex+1, "of", p.TreeSize, "hashes:", len(p.Hashes))
	fmt.Println("leaf is the entry:", p.LeafHash == leaf.String())
	fmt.Println("verifies:", p.Verify(root) == nil)

	// The log grows; the new tree extends the checkpointed one.
	st.Append(ctx, manifest.Entry{Kind: manifest.KindNote, Note: "sixth"})
	now, _ := manifest.VerifyExtends(ctx, st, cp.Size, root)
	proof, _ := manifest.ProveConsistency(ctx, st, cp.Size, now.Size)
	nowRoot, _ := now.Root()
	fmt.Println("consistent:", tlog.VerifyConsistency(cp.Size, now.Size, proof, root, nowRoot) == nil)
	// Output:
	// entry 2 of 5 hashes: 3
	// leaf is the entry: true
	// verifies: true
	// consistent: true
}

// VerifyTree reads every entry once, checks the hash chain and that the
// entries rebuild the stored tree.
func ExampleVerifyTree() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "store")
	defer os.RemoveAll(dir)
	st, _ := manifest.NewDirStore(dir)
	for i := range 3 {
		st.Append(ctx, manifest.Entry{Kind: manifest.KindNote, Note: fmt.Sprint("note ", i)})
	}
	tr, err := manifest.VerifyTree(ctx, st)
	fmt.Println(tr.Size, err)
	// Output:
	// 3 <nil>
}

// A log cut back to fewer entries than a checkpoint saw, or cut back and
// grown again, is caught by comparing the checkpoint with the store's
// tree: O(log N) hashes, no entry read.
func ExampleVerifyExtends() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "store")
	defer os.RemoveAll(dir)
	backup, _ := os.MkdirTemp("", "backup")
	defer os.RemoveAll(backup)
	st, _ := manifest.NewDirStore(dir)
	for i := range 3 {
		st.Append(ctx, manifest.Entry{Kind: manifest.KindNote, Note: fmt.Sprint("note ", i)})
	}
	os.CopyFS(backup, os.DirFS(dir)) // a copy of the store at 3 entries
	for i := 3; i < 6; i++ {
		st.Append(ctx, manifest.Entry{Kind: manifest.KindNote, Note: fmt.Sprint("note ", i)})
	}
	cp, _ := st.Tree(ctx) // the checkpoint: 6 entries
	root, _ := cp.Root()

	old, _ := manifest.NewDirStore(backup) // the older copy, restored
	_, err := manifest.VerifyExtends(ctx, old, cp.Size, root)
	fmt.Println(errors.Is(err, manifest.ErrTruncated))
	for i := range 4 {
		old.Append(ctx, manifest.Entry{Kind: manifest.KindNote, Note: fmt.Sprint("other ", i)})
	}
	_, err = manifest.VerifyExtends(ctx, old, cp.Size, root)
	fmt.Println(errors.Is(err, tlog.ErrProof))
	// Output:
	// true
	// true
}

// A store with a tree indexes its promotion entries: Promote reads them,
// not the whole log.
func ExampleDirStore_Promotions() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "store")
	defer os.RemoveAll(dir)
	st, _ := manifest.NewDirStore(dir)
	st.Append(ctx, manifest.Entry{Kind: manifest.KindNote, Note: "freeze lifted"})
	st.Append(ctx, manifest.Entry{Kind: manifest.KindPromotion, Promotion: &manifest.Promotion{
		Release: "v1.4.2", Env: "dev", Digest: manifest.Digest([]byte("app")),
	}})
	size, promotions, err := st.Promotions(ctx)
	fmt.Println(size, len(promotions), promotions[0].Seq, promotions[0].Promotion.Env, err)
	// Output:
	// 2 1 2 dev <nil>
}

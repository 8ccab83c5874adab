package manifest_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
)

// TestPromoteReadsPromotionsOnly: on a store with a tree, a promotion
// reads the promotions it decides on (the index names them) and trusts
// the committed, chain-checked tree for the rest: with a note of the tree
// gone from log/, promoting still works, while the whole-log verifiers
// report the gap. The gate sees the same history as before.
func TestPromoteReadsPromotionsOnly(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	st, err := manifest.NewDirStore(dir)
	require.NoError(t, err)
	require.NoError(t, st.PutRecord(ctx, completeRecord("v1.0.0", "app")))
	_, err = promote(ctx, st, req("v1.0.0", "dev", "app"))
	require.NoError(t, err)
	appendNotes(t, st, 0, 5) // entries 2 to 6
	_, err = promote(ctx, st, req("v1.0.0", "staging", "app"))
	require.NoError(t, err)
	require.NoError(t, os.Remove(entryFile(dir, 3)))

	var history []manifest.Promotion
	gate := manifest.GateFunc(func(_ context.Context, in manifest.GateInput) (string, error) {
		history = in.History
		return "w", nil
	})
	e, err := promote(ctx, st, req("v1.0.0", "prod", "app"), manifest.WithGate(gate))
	require.NoError(t, err)
	assert.Equal(t, uint64(8), e.Seq)
	require.Len(t, history, 2)
	assert.Equal(t, []string{"dev", "staging"}, []string{history[0].Env, history[1].Env})

	_, err = manifest.VerifyTree(ctx, st)
	assert.ErrorIs(t, err, manifest.ErrTruncated)
	_, err = manifest.VerifyStore(ctx, st, nil)
	assert.ErrorIs(t, err, manifest.ErrTampered)
}

// TestPromotionIndexTampered: an index whose records are not the tree's
// entries (an entry's bytes edited in the index, a record cut short, an
// entry that is not a promotion) is refused: the index is bound to the
// tree by the leaf hashes.
func TestPromotionIndexTampered(t *testing.T) {
	ctx := t.Context()
	for name, edit := range map[string]func([]byte) []byte{
		"edited":    func(b []byte) []byte { return bytes.Replace(b, []byte("alice"), []byte("malic"), 1) },
		"cut short": func(b []byte) []byte { return b[:len(b)-10] },
		"garbage":   func(b []byte) []byte { return bytes.Repeat([]byte{7}, len(b)) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			st, err := manifest.NewDirStore(dir)
			require.NoError(t, err)
			require.NoError(t, st.PutRecord(ctx, completeRecord("v1.0.0", "app")))
			appendNotes(t, st, 0, 2)
			_, err = promote(ctx, st, req("v1.0.0", "dev", "app")) // entry 3
			require.NoError(t, err)
			idx := filepath.Join(dir, "tree", "promotions")
			b, err := os.ReadFile(idx)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(idx, edit(b), 0o644))
			_, err = promote(ctx, st, req("v1.0.0", "staging", "app"))
			assert.ErrorIs(t, err, manifest.ErrTampered)
		})
	}
}

// TestPromotionsCopiedStore: a store copied without its files' times
// (cp without -p) reads every promotion's file once more, and still
// promotes; a promotion entry rewritten in place is caught either way.
func TestPromotionsCopiedStore(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	st, err := manifest.NewDirStore(dir)
	require.NoError(t, err)
	require.NoError(t, st.PutRecord(ctx, completeRecord("v1.0.0", "app")))
	_, err = promote(ctx, st, req("v1.0.0", "dev", "app"))
	require.NoError(t, err)
	past := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, os.Chtimes(entryFile(dir, 1), past, past))
	_, err = promote(ctx, st, req("v1.0.0", "staging", "app"))
	require.NoError(t, err)

	b, err := os.ReadFile(entryFile(dir, 2))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(entryFile(dir, 2), bytes.Replace(b, []byte("alice"), []byte("mallory"), 1), 0o644))
	_, err = promote(ctx, st, req("v1.0.0", "prod", "app"))
	assert.ErrorIs(t, err, manifest.ErrTampered)
}

// TestPromoteOnStoreWithoutTree: a store written before the tree (log/
// only) is promoted on as before; its first promotion builds the tree and
// the promotion index from its entries.
func TestPromoteOnStoreWithoutTree(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	st, err := manifest.NewDirStore(dir)
	require.NoError(t, err)
	require.NoError(t, st.PutRecord(ctx, completeRecord("v1.0.0", "app")))
	_, err = promote(ctx, st, req("v1.0.0", "dev", "app"))
	require.NoError(t, err)
	appendNotes(t, st, 0, 3)
	require.NoError(t, os.RemoveAll(filepath.Join(dir, "tree")))
	st, err = manifest.NewDirStore(dir)
	require.NoError(t, err)
	_, err = promote(ctx, st, req("v1.0.0", "staging", "app"))
	require.NoError(t, err)
	_, err = promote(ctx, st, req("v1.0.0", "prod", "app"))
	require.NoError(t, err)
	_, es, err := st.Promotions(ctx)
	require.NoError(t, err)
	require.Len(t, es, 3)
	assert.Equal(t, []uint64{1, 5, 6}, []uint64{es[0].Seq, es[1].Seq, es[2].Seq})
	_, err = manifest.VerifyTree(ctx, st)
	require.NoError(t, err)
}

// TestGitStorePromoteRefusesTamperedLog: on a GitStore too, a promotion
// entry rewritten in log/ (a new commit with another blob) is refused by
// the next promotion, whose history comes from the index.
func TestGitStorePromoteRefusesTamperedLog(t *testing.T) {
	ctx := t.Context()
	repo, err := git.PlainInit(t.TempDir(), false)
	require.NoError(t, err)
	st, err := manifest.NewGitStore(repo)
	require.NoError(t, err)
	require.NoError(t, st.PutRecord(ctx, completeRecord("v1.0.0", "app")))
	for range 2 {
		_, err := promote(ctx, st, req("v1.0.0", "dev", "app"))
		require.NoError(t, err)
	}
	appendNotes(t, st, 0, 20)
	_, es, err := st.Promotions(ctx)
	require.NoError(t, err)
	require.Len(t, es, 2)
	tamperGit(t, repo, 1, func(e *manifest.Entry) { e.Promotion.Approver = "mallory" })
	_, err = promote(ctx, st, req("v1.0.0", "staging", "app"))
	assert.ErrorIs(t, err, manifest.ErrTampered)
	_, err = rollback(ctx, st, manifest.RollbackRequest{Env: "dev", Approver: "alice", Reason: "r"})
	assert.ErrorIs(t, err, manifest.ErrTampered)
}

// TestGitStorePromotionIndexChunks: the index of a GitStore spans several
// blobs (16 promotions each) and reads back whole, in order.
func TestGitStorePromotionIndexChunks(t *testing.T) {
	ctx := t.Context()
	repo, err := git.PlainInit(t.TempDir(), false)
	require.NoError(t, err)
	st, err := manifest.NewGitStore(repo)
	require.NoError(t, err)
	var want []uint64
	for i := range 40 {
		if i%3 == 0 {
			appendNotes(t, st, i, i+1)
			continue
		}
		e, err := st.Append(ctx, manifest.Entry{Kind: manifest.KindPromotion, Promotion: &manifest.Promotion{Release: "v1", Env: "dev", Digest: digestOf("a")}})
		require.NoError(t, err)
		want = append(want, e.Seq)
	}
	size, es, err := st.Promotions(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(40), size)
	var got []uint64
	for _, e := range es {
		got = append(got, e.Seq)
	}
	assert.Equal(t, want, got)
}

package manifest_test

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

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

// TestPromotionIndexTampered: an index that names an entry that is not a
// promotion, or beyond the tree, is refused.
func TestPromotionIndexTampered(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	st, err := manifest.NewDirStore(dir)
	require.NoError(t, err)
	require.NoError(t, st.PutRecord(ctx, completeRecord("v1.0.0", "app")))
	appendNotes(t, st, 0, 2)
	_, err = promote(ctx, st, req("v1.0.0", "dev", "app")) // entry 3
	require.NoError(t, err)
	idx := filepath.Join(dir, "tree", "promotions")
	for _, seq := range []uint64{2, 9} {
		require.NoError(t, os.WriteFile(idx, binary.BigEndian.AppendUint64(nil, seq), 0o644))
		_, err = promote(ctx, st, req("v1.0.0", "staging", "app"))
		assert.ErrorIs(t, err, manifest.ErrTampered, "seq %d", seq)
	}
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

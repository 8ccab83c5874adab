package manifest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/tlog"
)

func note(i int) manifest.Entry {
	return manifest.Entry{Kind: manifest.KindNote, Note: fmt.Sprintf("note %d", i)}
}

// memTree rebuilds the tree of entries in memory, as an auditor would.
func memTree(t *testing.T, entries []manifest.Entry) (tlog.Tree, *tlog.MemNodes) {
	t.Helper()
	var tr tlog.Tree
	nodes := new(tlog.MemNodes)
	for _, e := range entries {
		leaf, err := manifest.EntryLeafHash(e)
		require.NoError(t, err)
		require.NoError(t, tr.Append(leaf, nodes.Put))
	}
	return tr, nodes
}

func appendNotes(t *testing.T, st manifest.Log, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		_, err := st.Append(t.Context(), note(i))
		require.NoError(t, err)
	}
}

// TestStoreTree: the tree a DirStore or a GitStore keeps is the RFC 6962
// tree of its entries; every inclusion proof verifies with
// transparency-dev/merkle's verifier alone, and every consistency proof
// with tlog's.
func TestStoreTree(t *testing.T) {
	eachStore(t, func(t *testing.T, dir string, open func(string) (manifest.Store, error)) {
		s, err := open(dir)
		require.NoError(t, err)
		testTree(t, s.(manifest.TreeLog))
	})
}

func testTree(t *testing.T, st manifest.TreeLog) {
	ctx := t.Context()
	tr, err := st.Tree(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(0), tr.Size)

	const n = 37
	roots := []tlog.Hash{tlog.EmptyRoot}
	for i := range n {
		e, err := st.Append(ctx, note(i))
		require.NoError(t, err)
		assert.Equal(t, uint64(i+1), e.Seq)
		tr, err := st.Tree(ctx)
		require.NoError(t, err)
		r, err := tr.Root()
		require.NoError(t, err)
		roots = append(roots, r)
	}
	entries, err := manifest.VerifyStore(ctx, st, nil)
	require.NoError(t, err)
	want, _ := memTree(t, entries)
	got, err := manifest.VerifyTree(ctx, st)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	for size := uint64(1); size <= n; size++ {
		for seq := uint64(1); seq <= size; seq++ {
			p, err := manifest.ProveEntry(ctx, st, seq, size)
			require.NoError(t, err)
			require.NoError(t, p.Verify(roots[size]))
			// The JSON form, decoded by hand, verifies with the merkle
			// package alone.
			b, err := json.Marshal(p)
			require.NoError(t, err)
			var raw struct {
				LeafIndex uint64   `json:"leaf_index"`
				TreeSize  uint64   `json:"tree_size"`
				Leaf      string   `json:"leaf_hash"`
				Hashes    []string `json:"hashes"`
			}
			require.NoError(t, json.Unmarshal(b, &raw))
			leaf, _ := tlog.ParseHash(raw.Leaf)
			var path [][]byte
			for _, h := range raw.Hashes {
				hh, err := tlog.ParseHash(h)
				require.NoError(t, err)
				path = append(path, hh[:])
			}
			require.NoError(t, proof.VerifyInclusion(rfc6962.DefaultHasher, raw.LeafIndex, raw.TreeSize, leaf[:], path, roots[size][:]))
			el, _ := manifest.EntryLeafHash(entries[seq-1])
			assert.Equal(t, el.String(), p.LeafHash)
		}
		for old := uint64(1); old <= size; old++ {
			p, err := manifest.ProveConsistency(ctx, st, old, size)
			require.NoError(t, err)
			require.NoError(t, tlog.VerifyConsistency(old, size, p, roots[old], roots[size]))
		}
	}

	_, err = manifest.ProveEntry(ctx, st, n+1, 0)
	assert.ErrorIs(t, err, manifest.ErrNotFound)
	_, err = manifest.ProveEntry(ctx, st, 1, n+1)
	assert.ErrorIs(t, err, manifest.ErrNotFound)
	_, err = manifest.ProveConsistency(ctx, st, 3, n+1)
	assert.ErrorIs(t, err, manifest.ErrNotFound)
	_, err = st.ReadNodes(ctx, []tlog.NodeID{{Level: 0, Index: n}})
	assert.ErrorIs(t, err, tlog.ErrMissingNode)
	_, err = st.ReadNodes(ctx, []tlog.NodeID{{Level: 6, Index: 0}}) // 64 leaves: not complete
	assert.ErrorIs(t, err, tlog.ErrMissingNode)
	_, err = st.Entry(ctx, n+1)
	assert.ErrorIs(t, err, manifest.ErrNotFound)

	// VerifyExtends: every earlier tree is extended by the current one.
	for size := uint64(0); size <= n; size++ {
		_, err := manifest.VerifyExtends(ctx, st, size, roots[size])
		require.NoError(t, err, size)
	}
	_, err = manifest.VerifyExtends(ctx, st, 5, roots[6])
	assert.ErrorIs(t, err, tlog.ErrProof)
	_, err = manifest.VerifyExtends(ctx, st, n+1, roots[n])
	assert.ErrorIs(t, err, manifest.ErrTruncated)
}

// TestDirStoreAppendReadsNoEntry: Append needs no entry already in the
// tree (it reads the committed state, not the log): with every entry
// file but the tree's gone, appends still succeed, and the verifier then
// reports the entries gone.
func TestDirStoreAppendReadsNoEntry(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	st, err := manifest.NewDirStore(dir)
	require.NoError(t, err)
	appendNotes(t, st, 0, 20)
	for seq := 1; seq <= 20; seq++ {
		require.NoError(t, os.Remove(entryFile(dir, seq)))
	}
	appendNotes(t, st, 20, 25)
	tr, err := st.Tree(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(25), tr.Size)
	_, err = manifest.VerifyTree(ctx, st)
	assert.ErrorIs(t, err, manifest.ErrTruncated)
	e, err := st.Entry(ctx, 21)
	require.NoError(t, err)
	assert.Equal(t, "note 20", e.Note)
}

func entryFile(dir string, seq int) string {
	return filepath.Join(dir, "log", fmt.Sprintf("%020d.json", seq))
}

// TestDirStoreGainsTree: a store written before the tree existed (log/
// only) gains its tree on first use, the same tree as one built append by
// append; a writer killed after linking its entry leaves the tree behind,
// and the next use catches up.
func TestDirStoreGainsTree(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	st, err := manifest.NewDirStore(dir)
	require.NoError(t, err)
	appendNotes(t, st, 0, 10)
	want, err := st.Tree(ctx)
	require.NoError(t, err)

	for _, read := range []struct {
		name string
		f    func(*manifest.DirStore) (tlog.Tree, error)
	}{
		{"Tree", func(st *manifest.DirStore) (tlog.Tree, error) { return st.Tree(ctx) }},
		{"VerifyTree", func(st *manifest.DirStore) (tlog.Tree, error) { return manifest.VerifyTree(ctx, st) }},
		{"Append", func(st *manifest.DirStore) (tlog.Tree, error) {
			e, err := st.Append(ctx, manifest.Entry{Kind: manifest.KindNote, Note: "after"})
			if err != nil {
				return tlog.Tree{}, err
			}
			if e.Seq != 11 {
				return tlog.Tree{}, fmt.Errorf("appended as %d", e.Seq)
			}
			return tlog.TreeAt(ctx, st, 10)
		}},
	} {
		t.Run(read.name, func(t *testing.T) {
			old := t.TempDir()
			require.NoError(t, os.CopyFS(filepath.Join(old, "log"), os.DirFS(filepath.Join(dir, "log"))))
			st, err := manifest.NewDirStore(old)
			require.NoError(t, err)
			got, err := read.f(st)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}

	// A writer killed between the link and the commit of the tree.
	dir2 := t.TempDir()
	st2, err := manifest.NewDirStore(dir2)
	require.NoError(t, err)
	appendNotes(t, st2, 0, 9)
	e10, err := manifest.VerifyStore(ctx, st, nil)
	require.NoError(t, err)
	b, err := manifest.MarshalEntry(e10[9])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(entryFile(dir2, 10), b, 0o644))
	got, err := st2.Tree(ctx)
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

// TestDirStoreBrokenChainRefused: an entry linked beyond the tree whose
// Prev is not the hash of the entry before is never built into the tree:
// Tree and Append return a *ChainError and Append writes nothing.
func TestDirStoreBrokenChainRefused(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	st, err := manifest.NewDirStore(dir)
	require.NoError(t, err)
	appendNotes(t, st, 0, 5)
	bad := manifest.Entry{Seq: 6, Prev: digestOf("not entry 5"), Kind: manifest.KindNote, Note: "forged"}
	b, err := manifest.MarshalEntry(bad)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(entryFile(dir, 6), b, 0o644))
	_, err = st.Tree(ctx)
	var ce *manifest.ChainError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, uint64(6), ce.Seq)
	_, err = st.Append(ctx, note(99))
	assert.ErrorIs(t, err, manifest.ErrTampered)
	_, err = os.Stat(entryFile(dir, 7))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// TestDirStoreEntryTampered: an entry rewritten after it joined the tree
// is refused by Entry, VerifyTree and ProveEntry with a *ChainError.
func TestDirStoreEntryTampered(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	st, err := manifest.NewDirStore(dir)
	require.NoError(t, err)
	appendNotes(t, st, 0, 8)
	e, err := st.Entry(ctx, 4)
	require.NoError(t, err)
	e.Note = "rewritten"
	b, err := manifest.MarshalEntry(e)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(entryFile(dir, 4), b, 0o644))
	var ce *manifest.ChainError
	_, err = st.Entry(ctx, 4)
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, uint64(4), ce.Seq)
	_, err = manifest.VerifyTree(ctx, st)
	assert.ErrorIs(t, err, manifest.ErrTampered)
	_, err = manifest.ProveEntry(ctx, st, 4, 0)
	assert.ErrorIs(t, err, manifest.ErrTampered)
	_, err = manifest.ProveEntry(ctx, st, 3, 0)
	assert.NoError(t, err)
}

// TestDirStoreTreeStateCorrupt: a state file that is not one, or whose
// tree is not its nodes', is refused, never used.
func TestDirStoreTreeStateCorrupt(t *testing.T) {
	ctx := t.Context()
	for name, edit := range map[string]func(b []byte) []byte{
		"truncated": func(b []byte) []byte { return b[:len(b)-3] },
		"magic":     func(b []byte) []byte { b[0] ^= 1; return b },
		"range":     func(b []byte) []byte { b[20] ^= 1; return b },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			st, err := manifest.NewDirStore(dir)
			require.NoError(t, err)
			appendNotes(t, st, 0, 3)
			p := filepath.Join(dir, "tree", "state")
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(p, edit(b), 0o644))
			_, err = st.Append(ctx, note(3))
			assert.ErrorIs(t, err, manifest.ErrTampered)
		})
	}
}

// TestDirStoreAppendCanceled: a done context appends nothing.
func TestDirStoreAppendCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	st, err := manifest.NewDirStore(t.TempDir())
	require.NoError(t, err)
	_, err = st.Append(ctx, note(0))
	assert.ErrorIs(t, err, context.Canceled)
	tr, err := st.Tree(t.Context())
	require.NoError(t, err)
	assert.Equal(t, uint64(0), tr.Size)
}

func TestParseInclusionProof(t *testing.T) {
	ctx := t.Context()
	st, err := manifest.NewDirStore(t.TempDir())
	require.NoError(t, err)
	appendNotes(t, st, 0, 5)
	p, err := manifest.ProveEntry(ctx, st, 2, 0)
	require.NoError(t, err)
	b, err := json.Marshal(p)
	require.NoError(t, err)
	back, err := manifest.ParseInclusionProof(b)
	require.NoError(t, err)
	assert.Equal(t, p, back)
	tr, _ := st.Tree(ctx)
	root, _ := tr.Root()
	require.NoError(t, back.Verify(root))
	other := root
	other[0] ^= 1
	assert.ErrorIs(t, back.Verify(other), tlog.ErrProof)
	back.RootHash = ""
	assert.ErrorIs(t, back.Verify(other), tlog.ErrProof)
	back.Hashes[0] = back.Hashes[1]
	assert.ErrorIs(t, back.Verify(root), tlog.ErrProof)

	for _, bad := range []string{
		`{"leaf_index":1,"tree_size":5,"leaf_hash":"00","hashes":[]}`,
		`{"leaf_index":1,"tree_size":5,"leaf_hash":"` + p.LeafHash + `","hashes":["zz"]}`,
		`{"leaf_index":1,"tree_size":5,"leaf_hash":"` + p.LeafHash + `","hashes":[],"extra":1}`,
		`{"leaf_index":1,"leaf_index":2,"tree_size":5,"leaf_hash":"` + p.LeafHash + `","hashes":[]}`,
		`{"leaf_index":1,"tree_size":5,"leaf_hash":"` + p.LeafHash + `","hashes":[]} x`,
	} {
		_, err := manifest.ParseInclusionProof([]byte(bad))
		assert.ErrorIs(t, err, tlog.ErrFormat, bad)
	}
}

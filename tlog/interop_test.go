package tlog_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/golden"
	"github.com/releasekit/releasekit/tlog"
)

// The interop files in testdata/interop are written by this package, with
// the fixed key testKey(1) named interopOrigin, over a log of 13 entries
// "entry 0" … "entry 12": the signed checkpoint, and the inclusion proof
// of entry 6. interop_note_test.go checks the checkpoint with
// golang.org/x/mod/sumdb/note alone, interop_merkle_test.go the proof with
// transparency-dev/merkle alone. go test -update rewrites them.
const interopOrigin = "example.com/releasekit/interop"

// interopProof is testdata/interop/inclusion.json.
type interopProof struct {
	LeafIndex uint64   `json:"leaf_index"`
	TreeSize  uint64   `json:"tree_size"`
	Leaf      []byte   `json:"leaf"`  // the leaf's data, base64
	Proof     [][]byte `json:"proof"` // base64 hashes
	Root      []byte   `json:"root"`  // base64, the checkpoint's root
}

func TestInteropFiles(t *testing.T) {
	ctx := context.Background()
	var tree tlog.Tree
	nodes := new(tlog.MemNodes)
	var leaves [][]byte
	for i := range 13 {
		leaves = append(leaves, fmt.Appendf(nil, "entry %d", i))
		require.NoError(t, tree.Append(tlog.LeafHash(leaves[i]), nodes.Put))
	}
	root, err := tree.Root()
	require.NoError(t, err)
	s, err := tlog.NewSigner(interopOrigin, testKey(1))
	require.NoError(t, err)
	msg, err := tlog.SignCheckpoint(tlog.Checkpoint{Origin: interopOrigin, Size: tree.Size, Root: root}, s)
	require.NoError(t, err)
	golden.Check(t, filepath.Join("testdata", "interop", "checkpoint.note"), msg)

	vkey, err := tlog.VerifierKey(interopOrigin, testKey(1).Public().(ed25519.PublicKey))
	require.NoError(t, err)
	require.Equal(t, interopVKey, vkey, "interop_note_test.go's key")

	p, err := tlog.InclusionProof(ctx, nodes, 6, tree.Size)
	require.NoError(t, err)
	ip := interopProof{LeafIndex: 6, TreeSize: tree.Size, Leaf: leaves[6], Root: root[:]}
	for _, h := range p {
		ip.Proof = append(ip.Proof, h[:])
	}
	out, err := json.MarshalIndent(ip, "", "  ")
	require.NoError(t, err)
	golden.Check(t, filepath.Join("testdata", "interop", "inclusion.json"), append(out, '\n'))
}

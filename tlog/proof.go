package tlog

import (
	"context"
	"errors"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
)

// ErrProof is returned (wrapped) when an inclusion or consistency proof
// does not verify: the leaf is not in the tree, or the newer tree does not
// extend the older one.
var ErrProof = errors.New("tlog: proof does not verify")

// A NodeReader returns the stored hashes of perfect subtrees, those a
// [Tree.Append] reported, in the order asked. A node it does not have is
// an error.
type NodeReader interface {
	ReadNodes(ctx context.Context, ids []NodeID) ([]Hash, error)
}

// InclusionProof returns the proof that leaf index is in the tree of the
// first size leaves (RFC 9162 §2.1.3.1): at most ⌈log2 size⌉ hashes, read
// from r.
func InclusionProof(ctx context.Context, r NodeReader, index, size uint64) ([]Hash, error) {
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, fmt.Errorf("tlog: inclusion proof: %w", err)
	}
	return fetch(ctx, r, nodes)
}

// ConsistencyProof returns the proof that the tree of size2 leaves extends
// the tree of its first size1 leaves (RFC 9162 §2.1.4.1): at most
// ⌈log2 size2⌉+1 hashes, read from r.
func ConsistencyProof(ctx context.Context, r NodeReader, size1, size2 uint64) ([]Hash, error) {
	nodes, err := proof.Consistency(size1, size2)
	if err != nil {
		return nil, fmt.Errorf("tlog: consistency proof: %w", err)
	}
	return fetch(ctx, r, nodes)
}

func fetch(ctx context.Context, r NodeReader, nodes proof.Nodes) ([]Hash, error) {
	ids := make([]NodeID, len(nodes.IDs))
	for i, id := range nodes.IDs {
		ids[i] = NodeID{Level: uint8(id.Level), Index: id.Index}
	}
	hs, err := r.ReadNodes(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("tlog: read proof nodes: %w", err)
	}
	if len(hs) != len(ids) {
		return nil, fmt.Errorf("tlog: read proof nodes: %d hashes for %d nodes", len(hs), len(ids))
	}
	raw := make([][]byte, len(hs))
	for i := range hs {
		raw[i] = hs[i][:]
	}
	raw, err = nodes.Rehash(raw, hasher.HashChildren)
	if err != nil {
		return nil, fmt.Errorf("tlog: proof: %w", err)
	}
	return toHashes(raw), nil
}

func toHashes(raw [][]byte) []Hash {
	out := make([]Hash, len(raw))
	for i := range raw {
		out[i] = Hash(raw[i])
	}
	return out
}

func toRaw(hs []Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}

// VerifyInclusion checks that the leaf whose hash is leaf is at index in
// the tree of size leaves whose root is root, given proof. It returns an
// error wrapping [ErrProof] if not.
func VerifyInclusion(index, size uint64, leaf Hash, p []Hash, root Hash) error {
	if err := proof.VerifyInclusion(hasher, index, size, leaf[:], toRaw(p), root[:]); err != nil {
		return fmt.Errorf("%w: leaf %d in tree of size %d: %v", ErrProof, index, size, err)
	}
	return nil
}

// VerifyConsistency checks that the tree of size2 leaves whose root is
// root2 extends the tree of size1 leaves whose root is root1, given proof.
// It returns an error wrapping [ErrProof] if not: the older tree was
// rewritten, or the newer one is not a continuation of it (a log cut back
// and grown again).
func VerifyConsistency(size1, size2 uint64, p []Hash, root1, root2 Hash) error {
	if err := proof.VerifyConsistency(hasher, size1, size2, toRaw(p), root1[:], root2[:]); err != nil {
		return fmt.Errorf("%w: tree of size %d does not extend tree of size %d: %v", ErrProof, size2, size1, err)
	}
	return nil
}

// RangeNodes returns the nodes whose hashes make up the compact range of
// the first size leaves, left to right: the [Tree] of that size is those
// hashes, read from a [NodeReader].
func RangeNodes(size uint64) []NodeID {
	var out []NodeID
	for _, id := range compact.RangeNodes(0, size, nil) {
		out = append(out, NodeID{Level: uint8(id.Level), Index: id.Index})
	}
	return out
}

// TreeAt returns the [Tree] of the first size leaves of the log whose
// nodes r holds: O(log size) hashes read.
func TreeAt(ctx context.Context, r NodeReader, size uint64) (Tree, error) {
	ids := RangeNodes(size)
	if len(ids) == 0 {
		return Tree{}, nil
	}
	hs, err := r.ReadNodes(ctx, ids)
	if err != nil {
		return Tree{}, fmt.Errorf("tlog: read tree of size %d: %w", size, err)
	}
	return Tree{Size: size, Range: hs}, nil
}

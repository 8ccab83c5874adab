package manifest

import (
	"context"

	"github.com/releasekit/releasekit/tlog"
)

// A TreeLog is a [Log] that keeps the RFC 6962 Merkle tree of its entries
// (package tlog): leaf i is [LeafData] of the entry whose Seq is i+1. With
// it, appending never reads the whole log (O(log N) hashes written), one
// entry is proved in a checkpointed log with O(log N) hashes
// ([tlog.InclusionProof]), and a newer checkpoint is proved to extend an
// older one ([tlog.ConsistencyProof]), so a log cut back or rewritten
// between two checkpoints is caught without reading its entries.
//
// The entries keep their hash chain (Prev), so a log written before the
// tree existed still verifies with [VerifyLog], and a store that gains a
// tree builds it from the entries it holds.
type TreeLog interface {
	Log
	// ReadNodes returns the hashes of perfect subtrees of the committed
	// tree (tlog.NodeReader).
	tlog.NodeReader
	// Tree returns the committed tree: its Size is the number of entries.
	Tree(ctx context.Context) (tlog.Tree, error)
	// Entry returns the entry whose Seq is seq, or an error wrapping
	// ErrNotFound.
	Entry(ctx context.Context, seq uint64) (Entry, error)
}

// LeafData returns the bytes of e that are its leaf in the tree: its
// canonical JSON ([MarshalEntry]), the bytes stores write.
func LeafData(e Entry) ([]byte, error) { return MarshalEntry(e) }

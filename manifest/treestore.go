package manifest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/releasekit/releasekit/internal/strictjson"
	"github.com/releasekit/releasekit/tlog"
)

// EntryLeafHash returns the hash of e's leaf in the tree of a [TreeLog]:
// tlog.LeafHash of [LeafData](e).
func EntryLeafHash(e Entry) (tlog.Hash, error) {
	data, err := LeafData(e)
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("hash log entry %d: %w", e.Seq, err)
	}
	return tlog.LeafHash(data), nil
}

// VerifyTree reads every entry of tl's committed tree once, in Seq order,
// and checks that they form one unbroken hash chain (as [VerifyLog] does)
// and that their leaves rebuild the tree tl stores (the same root). It
// returns that tree, which a checkpoint can then commit to.
//
// It streams: it holds one entry at a time and the tree's compact range,
// whatever the length of the log. It returns a *[ChainError] (wrapping
// [ErrTampered]) for an entry edited, reordered or inserted, or whose leaf
// is not the stored tree's, an error wrapping [ErrTruncated] for an entry
// of the tree that is gone, and ctx's error when ctx is done.
func VerifyTree(ctx context.Context, tl TreeLog) (tlog.Tree, error) {
	want, err := tl.Tree(ctx)
	if err != nil {
		return tlog.Tree{}, err
	}
	var got tlog.Tree
	prev := ""
	seq := uint64(0)
	check := func(e Entry) error {
		seq++
		i := int(seq - 1)
		if e.Seq != seq {
			return &ChainError{Index: i, Seq: e.Seq, Reason: fmt.Sprintf("seq %d, want %d (entry removed, reordered or inserted)", e.Seq, seq)}
		}
		if e.Prev != prev {
			return &ChainError{Index: i, Seq: seq, Reason: "prev does not match the hash of the entry before (entry edited, removed, reordered or inserted)"}
		}
		data, err := LeafData(e)
		if err != nil {
			return &ChainError{Index: i, Seq: seq, Reason: err.Error()}
		}
		if err := got.Append(tlog.LeafHash(data), nil); err != nil {
			return err
		}
		prev = Digest(data)
		return nil
	}
	if sc, ok := tl.(entryScanner); ok {
		if err := sc.scanEntries(ctx, want.Size, check); err != nil {
			return tlog.Tree{}, err
		}
	} else {
		for s := uint64(1); s <= want.Size; s++ {
			if err := ctx.Err(); err != nil {
				return tlog.Tree{}, err
			}
			e, err := tl.Entry(ctx, s)
			if errors.Is(err, ErrNotFound) && !errors.Is(err, ErrTruncated) {
				err = fmt.Errorf("%w: %w", ErrTruncated, err)
			}
			if err != nil {
				return tlog.Tree{}, err
			}
			if err := check(e); err != nil {
				return tlog.Tree{}, err
			}
		}
	}
	if seq != want.Size {
		return tlog.Tree{}, fmt.Errorf("%w: read %d entries of a tree of %d", ErrTruncated, seq, want.Size)
	}
	gotRoot, err := got.Root()
	if err != nil {
		return tlog.Tree{}, err
	}
	wantRoot, err := want.Root()
	if err != nil {
		return tlog.Tree{}, fmt.Errorf("%w: stored tree: %w", ErrTampered, err)
	}
	if gotRoot != wantRoot {
		return tlog.Tree{}, &ChainError{Index: int(want.Size) - 1, Seq: want.Size, Reason: fmt.Sprintf("the entries' tree has root %s, the stored tree %s", gotRoot, wantRoot)}
	}
	return want, nil
}

// An InclusionProof shows that one entry is in a log's tree of TreeSize
// entries (RFC 9162 §2.1.3): LeafIndex is the entry's Seq−1, LeafHash its
// leaf hash ([EntryLeafHash]) and Hashes the audit path, at most
// ⌈log2 TreeSize⌉ hashes. Hashes are lower-case hexadecimal, so the JSON
// form reads as it is and github.com/transparency-dev/merkle's
// proof.VerifyInclusion (with rfc6962.DefaultHasher) verifies it alone
// against the root hash of a checkpoint of TreeSize entries. RootHash is
// that root as the store computed it, for information: a verifier takes
// the root from a checkpoint it trusts, never from the proof.
type InclusionProof struct {
	LeafIndex uint64   `json:"leaf_index"`
	TreeSize  uint64   `json:"tree_size"`
	LeafHash  string   `json:"leaf_hash"`
	RootHash  string   `json:"root_hash,omitempty"`
	Hashes    []string `json:"hashes"`
}

// ProveEntry returns the proof that the entry whose Seq is seq is in the
// tree of tl's first size entries (the whole committed tree when size is
// 0). It reads that entry and O(log size) hashes. It returns an error
// wrapping [ErrNotFound] when seq is 0 or beyond size, or size beyond the
// committed tree, and the errors of tl.Entry (a *[ChainError] for an entry
// that is not the tree's leaf).
func ProveEntry(ctx context.Context, tl TreeLog, seq, size uint64) (InclusionProof, error) {
	tr, err := tl.Tree(ctx)
	if err != nil {
		return InclusionProof{}, err
	}
	if size == 0 {
		size = tr.Size
	}
	if size > tr.Size {
		return InclusionProof{}, fmt.Errorf("%w: tree of %d entries: the log has %d", ErrNotFound, size, tr.Size)
	}
	if seq == 0 || seq > size {
		return InclusionProof{}, fmt.Errorf("%w: entry %d in a tree of %d entries", ErrNotFound, seq, size)
	}
	e, err := tl.Entry(ctx, seq)
	if err != nil {
		return InclusionProof{}, err
	}
	if e.Seq != seq {
		return InclusionProof{}, &ChainError{Index: int(seq - 1), Seq: e.Seq, Reason: fmt.Sprintf("seq %d, want %d", e.Seq, seq)}
	}
	leaf, err := EntryLeafHash(e)
	if err != nil {
		return InclusionProof{}, err
	}
	hs, err := tlog.InclusionProof(ctx, tl, seq-1, size)
	if err != nil {
		return InclusionProof{}, err
	}
	at, err := tlog.TreeAt(ctx, tl, size)
	if err != nil {
		return InclusionProof{}, err
	}
	root, err := at.Root()
	if err != nil {
		return InclusionProof{}, err
	}
	if err := tlog.VerifyInclusion(seq-1, size, leaf, hs, root); err != nil {
		// The leaf read is not the one the nodes were built from.
		return InclusionProof{}, &ChainError{Index: int(seq - 1), Seq: seq, Reason: "does not match the tree: " + err.Error()}
	}
	p := InclusionProof{LeafIndex: seq - 1, TreeSize: size, LeafHash: leaf.String(), RootHash: root.String(), Hashes: make([]string, len(hs))}
	for i, h := range hs {
		p.Hashes[i] = h.String()
	}
	return p, nil
}

// ParseInclusionProof decodes the JSON form of an [InclusionProof]
// strictly (unknown fields, duplicate keys and trailing data are errors,
// and so is a hash that is not 64 hexadecimal digits); its errors wrap
// tlog.ErrFormat.
func ParseInclusionProof(data []byte) (InclusionProof, error) {
	var p InclusionProof
	if err := strictjson.Unmarshal(data, &p, strictjson.Options{}); err != nil {
		return InclusionProof{}, fmt.Errorf("%w: inclusion proof: %v", tlog.ErrFormat, err)
	}
	if _, _, err := p.hashes(); err != nil {
		return InclusionProof{}, err
	}
	if p.RootHash != "" {
		if _, err := tlog.ParseHash(p.RootHash); err != nil {
			return InclusionProof{}, fmt.Errorf("inclusion proof: root: %w", err)
		}
	}
	return p, nil
}

func (p InclusionProof) hashes() (tlog.Hash, []tlog.Hash, error) {
	leaf, err := tlog.ParseHash(p.LeafHash)
	if err != nil {
		return tlog.Hash{}, nil, fmt.Errorf("inclusion proof: leaf: %w", err)
	}
	hs := make([]tlog.Hash, len(p.Hashes))
	for i, s := range p.Hashes {
		if hs[i], err = tlog.ParseHash(s); err != nil {
			return tlog.Hash{}, nil, fmt.Errorf("inclusion proof: hash %d: %w", i, err)
		}
	}
	return leaf, hs, nil
}

// Verify checks that p proves its leaf in the tree of p.TreeSize entries
// whose root is root (from a checkpoint the caller trusts). It returns an
// error wrapping tlog.ErrProof when it does not (and when p.RootHash is
// set and is not root), or tlog.ErrFormat for a malformed hash. To tie
// the proof to an entry, compare p.LeafHash with [EntryLeafHash] of it.
func (p InclusionProof) Verify(root tlog.Hash) error {
	leaf, hs, err := p.hashes()
	if err != nil {
		return err
	}
	if p.RootHash != "" && p.RootHash != root.String() {
		return fmt.Errorf("%w: the proof is for root %s, not %s", tlog.ErrProof, p.RootHash, root)
	}
	return tlog.VerifyInclusion(p.LeafIndex, p.TreeSize, leaf, hs, root)
}

// ProveConsistency returns the proof that the tree of tl's first size2
// entries extends the tree of its first size1 (RFC 9162 §2.1.4): at most
// ⌈log2 size2⌉+1 hashes, read from tl. Verify it with
// tlog.VerifyConsistency and the roots of two checkpoints. It returns an
// error wrapping [ErrNotFound] when size2 is beyond tl's committed tree or
// size1 beyond size2.
func ProveConsistency(ctx context.Context, tl TreeLog, size1, size2 uint64) ([]tlog.Hash, error) {
	tr, err := tl.Tree(ctx)
	if err != nil {
		return nil, err
	}
	if size2 > tr.Size || size1 > size2 {
		return nil, fmt.Errorf("%w: consistency of %d and %d entries: the log has %d", ErrNotFound, size1, size2, tr.Size)
	}
	return tlog.ConsistencyProof(ctx, tl, size1, size2)
}

// VerifyExtends checks that tl's committed tree extends the tree of size
// entries whose root is root (an older checkpoint's): reading O(log N)
// hashes, it catches a log cut back to fewer entries (an error wrapping
// [ErrTruncated]) and one rewritten since, or cut back and grown again (an
// error wrapping tlog.ErrProof). It returns tl's tree.
func VerifyExtends(ctx context.Context, tl TreeLog, size uint64, root tlog.Hash) (tlog.Tree, error) {
	tr, err := tl.Tree(ctx)
	if err != nil {
		return tlog.Tree{}, err
	}
	if tr.Size < size {
		return tlog.Tree{}, fmt.Errorf("%w: the log has %d entries, the checkpoint %d", ErrTruncated, tr.Size, size)
	}
	cur, err := tr.Root()
	if err != nil {
		return tlog.Tree{}, err
	}
	if size == 0 {
		if root != tlog.EmptyRoot {
			return tlog.Tree{}, fmt.Errorf("%w: an empty tree has root %s, not %s", tlog.ErrProof, tlog.EmptyRoot, root)
		}
		return tr, nil
	}
	p, err := tlog.ConsistencyProof(ctx, tl, size, tr.Size)
	if err != nil {
		return tlog.Tree{}, err
	}
	if err := tlog.VerifyConsistency(size, tr.Size, p, root, cur); err != nil {
		return tlog.Tree{}, err
	}
	return tr, nil
}

// An entryScanner reads entries 1 to size of its committed tree in
// order, each checked against its leaf, faster than Entry one by one
// ([GitStore]).
type entryScanner interface {
	scanEntries(ctx context.Context, size uint64, fn func(Entry) error) error
}

// committedEntry decodes raw, read as entry seq, and checks that it is the
// tree's leaf seq-1, whose hash is leaf. Bytes that are the leaf itself
// (what Append wrote: canonical JSON) were checked when they joined the
// tree and are bound to it by their hash, so they are decoded without
// strictjson's checks and without re-encoding, which a promotion reads
// for every earlier promotion; other bytes (an entry a foreign writer
// linked in another form) are parsed strictly and their canonical form
// compared with the leaf. It returns a *ChainError (ErrTampered) for an
// entry that is not the leaf.
func committedEntry(raw []byte, seq uint64, leaf tlog.Hash) (Entry, error) {
	if tlog.LeafHash(raw) == leaf {
		return leafEntry(raw, seq)
	}
	e, err := ParseEntry(raw)
	if err != nil {
		return Entry{}, fmt.Errorf("read log entry %d: %w", seq, err)
	}
	if got, err := EntryLeafHash(e); err != nil || got != leaf {
		return Entry{}, &ChainError{Index: int(seq - 1), Seq: seq, Reason: "does not match the tree (entry edited since it was added)"}
	}
	if e.Seq != seq {
		return Entry{}, &ChainError{Index: int(seq - 1), Seq: e.Seq, Reason: fmt.Sprintf("stored as entry %d (entry renamed)", seq)}
	}
	return e, nil
}

// leafEntry decodes the bytes of leaf seq-1, which the caller checked
// against the tree (see committedEntry).
func leafEntry(leaf []byte, seq uint64) (Entry, error) {
	var e Entry
	if err := json.Unmarshal(leaf, &e); err != nil {
		return Entry{}, malformed("invalid log entry", err, "entry %d", seq)
	}
	e, err := checkEntry(e)
	if err != nil {
		return Entry{}, err
	}
	if e.Seq != seq {
		return Entry{}, &ChainError{Index: int(seq - 1), Seq: e.Seq, Reason: fmt.Sprintf("stored as entry %d (entry renamed)", seq)}
	}
	return e, nil
}

// leafOf reads the hash of leaf seq-1 from nodes.
func leafOf(ctx context.Context, nodes tlog.NodeReader, seq uint64) (tlog.Hash, error) {
	hs, err := nodes.ReadNodes(ctx, []tlog.NodeID{{Level: 0, Index: seq - 1}})
	if err != nil {
		return tlog.Hash{}, err
	}
	return hs[0], nil
}

// indexed reports whether e goes in a store's promotion index: the
// entries Promote's history is made of.
func indexed(e Entry) bool { return e.Kind == KindPromotion && e.Promotion != nil }

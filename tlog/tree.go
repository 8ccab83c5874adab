package tlog

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

// HashSize is the size of a [Hash]: SHA-256.
const HashSize = sha256.Size

// A Hash is the SHA-256 hash of a leaf or of an interior node of the tree
// (RFC 6962 §2.1, RFC 9162 §2.1.1).
type Hash [HashSize]byte

// String returns h in lower-case hexadecimal.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseHash parses the 64 lower-case hexadecimal digits of a Hash, the
// one spelling [Hash.String] writes: upper-case digits are an error, so
// that two strings never name one hash.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*HashSize {
		return h, fmt.Errorf("%w: hash %q: want %d hexadecimal digits", ErrFormat, bound(s), 2*HashSize)
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil || hex.EncodeToString(h[:]) != s {
		return Hash{}, fmt.Errorf("%w: hash %q: not lower-case hexadecimal", ErrFormat, bound(s))
	}
	return h, nil
}

// hasher is RFC 6962's: SHA-256, leaves prefixed 0x00, nodes 0x01.
var hasher = rfc6962.DefaultHasher

// LeafHash returns the hash of a leaf whose data is data: SHA-256(0x00 ||
// data).
func LeafHash(data []byte) Hash { return Hash(hasher.HashLeaf(data)) }

// NodeHash returns the hash of the interior node whose children hash to
// left and right: SHA-256(0x01 || left || right).
func NodeHash(left, right Hash) Hash { return Hash(hasher.HashChildren(left[:], right[:])) }

// EmptyRoot is the root hash of the tree of no leaves: SHA-256 of the
// empty string.
var EmptyRoot = Hash(hasher.EmptyRoot())

// A NodeID names a node of the tree that roots a perfect subtree: the
// leaves Index<<Level up to (Index+1)<<Level. Leaf i is {0, i}.
type NodeID struct {
	Level uint8
	Index uint64
}

// ErrFormat is returned (wrapped) for a hash, a tree state, a proof or a
// checkpoint that is not well formed.
var ErrFormat = errors.New("tlog: malformed")

// A Tree is what appending to a log needs to know of its Merkle tree: its
// size and the hashes of the perfect subtrees that cover its leaves, left
// to right (the compact range [0, Size); one hash per bit set in Size, so
// at most 64). The zero Tree is the empty tree.
//
// A Tree is a value: Append changes the one it is called on and nothing
// else. It is not safe for concurrent use.
type Tree struct {
	Size  uint64
	Range []Hash
}

var factory = &compact.RangeFactory{Hash: hasher.HashChildren}

func (t Tree) compact() (*compact.Range, error) {
	hs := make([][]byte, len(t.Range))
	for i := range t.Range {
		hs[i] = t.Range[i][:]
	}
	r, err := factory.NewRange(0, t.Size, hs)
	if err != nil {
		return nil, fmt.Errorf("%w: tree of size %d: %v", ErrFormat, t.Size, err)
	}
	return r, nil
}

// Append adds the leaf whose hash is leaf at index t.Size, and calls put
// (when not nil) for every node whose subtree the new leaf completes: the
// leaf itself, then each new interior node, lowest first. These are
// exactly the nodes a [NodeReader] must later return for proofs; there is
// at most one per level, so an append costs O(log Size).
func (t *Tree) Append(leaf Hash, put func(NodeID, Hash)) error {
	r, err := t.compact()
	if err != nil {
		return err
	}
	var visit compact.VisitFn
	if put != nil {
		visit = func(id compact.NodeID, h []byte) { put(NodeID{Level: uint8(id.Level), Index: id.Index}, Hash(h)) }
	}
	if err := r.Append(leaf[:], visit); err != nil {
		return fmt.Errorf("%w: %v", ErrFormat, err)
	}
	t.Size = r.End()
	t.Range = t.Range[:0]
	for _, h := range r.Hashes() {
		t.Range = append(t.Range, Hash(h))
	}
	return nil
}

// Root returns the tree's root hash ([EmptyRoot] for the empty tree).
func (t Tree) Root() (Hash, error) {
	if t.Size == 0 {
		return EmptyRoot, nil
	}
	r, err := t.compact()
	if err != nil {
		return Hash{}, err
	}
	root, err := r.GetRootHash(nil)
	if err != nil {
		return Hash{}, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return Hash(root), nil
}

// Clone returns a copy of t that shares nothing with it.
func (t Tree) Clone() Tree {
	return Tree{Size: t.Size, Range: append([]Hash(nil), t.Range...)}
}

// MarshalBinary returns t as 8 bytes of big-endian size followed by its
// range hashes: the form a store keeps it in.
func (t Tree) MarshalBinary() ([]byte, error) {
	b := make([]byte, 8, 8+len(t.Range)*HashSize)
	binary.BigEndian.PutUint64(b, t.Size)
	for _, h := range t.Range {
		b = append(b, h[:]...)
	}
	return b, nil
}

// UnmarshalBinary reads what MarshalBinary wrote, refusing (ErrFormat) a
// size whose range needs another number of hashes.
func (t *Tree) UnmarshalBinary(b []byte) error {
	if len(b) < 8 || (len(b)-8)%HashSize != 0 {
		return fmt.Errorf("%w: tree state of %d bytes", ErrFormat, len(b))
	}
	size := binary.BigEndian.Uint64(b)
	n := (len(b) - 8) / HashSize
	if n != compact.RangeSize(0, size) {
		return fmt.Errorf("%w: tree state: size %d needs %d hashes, has %d", ErrFormat, size, compact.RangeSize(0, size), n)
	}
	rg := make([]Hash, n)
	for i := range rg {
		copy(rg[i][:], b[8+i*HashSize:])
	}
	t.Size, t.Range = size, rg
	return nil
}

func bound(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

package tlog_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/releasekit/releasekit/tlog"
)

// refRoot is RFC 6962 §2.1's MTH, computed recursively from the leaves.
func refRoot(leaves []tlog.Hash) tlog.Hash {
	switch len(leaves) {
	case 0:
		return tlog.EmptyRoot
	case 1:
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	return tlog.NodeHash(refRoot(leaves[:k]), refRoot(leaves[k:]))
}

func build(t *testing.T, n int) ([]tlog.Hash, *tlog.MemNodes, []tlog.Hash) {
	t.Helper()
	var tr tlog.Tree
	nodes := new(tlog.MemNodes)
	var leaves, roots []tlog.Hash
	roots = append(roots, tlog.EmptyRoot)
	for i := range n {
		l := tlog.LeafHash(fmt.Appendf(nil, "entry %d", i))
		leaves = append(leaves, l)
		if err := tr.Append(l, nodes.Put); err != nil {
			t.Fatal(err)
		}
		r, err := tr.Root()
		if err != nil {
			t.Fatal(err)
		}
		if want := refRoot(leaves); r != want {
			t.Fatalf("size %d: root %s, want %s", i+1, r, want)
		}
		roots = append(roots, r)
	}
	return leaves, nodes, roots
}

func TestTreeProofs(t *testing.T) {
	ctx := context.Background()
	const n = 70
	leaves, nodes, roots := build(t, n)
	for size := uint64(1); size <= n; size++ {
		tr, err := tlog.TreeAt(ctx, nodes, size)
		if err != nil {
			t.Fatal(err)
		}
		if r, _ := tr.Root(); r != roots[size] {
			t.Fatalf("TreeAt(%d) root %s, want %s", size, r, roots[size])
		}
		for i := uint64(0); i < size; i++ {
			p, err := tlog.InclusionProof(ctx, nodes, i, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := tlog.VerifyInclusion(i, size, leaves[i], p, roots[size]); err != nil {
				t.Fatalf("inclusion %d/%d: %v", i, size, err)
			}
			// The upstream verifier alone accepts it.
			raw := make([][]byte, len(p))
			for k := range p {
				raw[k] = p[k][:]
			}
			if err := proof.VerifyInclusion(rfc6962.DefaultHasher, i, size, leaves[i][:], raw, roots[size][:]); err != nil {
				t.Fatalf("merkle verifier, inclusion %d/%d: %v", i, size, err)
			}
			other := tlog.LeafHash([]byte("not in the log"))
			if err := tlog.VerifyInclusion(i, size, other, p, roots[size]); !errors.Is(err, tlog.ErrProof) {
				t.Fatalf("inclusion of another leaf: %v, want ErrProof", err)
			}
		}
		for old := uint64(1); old <= size; old++ {
			p, err := tlog.ConsistencyProof(ctx, nodes, old, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := tlog.VerifyConsistency(old, size, p, roots[old], roots[size]); err != nil {
				t.Fatalf("consistency %d→%d: %v", old, size, err)
			}
		}
	}
}

func TestConsistencyCatchesRewrite(t *testing.T) {
	ctx := context.Background()
	leaves, _, roots := build(t, 20)
	// The same log with entry 5 rewritten, grown to 20.
	var tr tlog.Tree
	nodes := new(tlog.MemNodes)
	for i, l := range leaves {
		if i == 5 {
			l = tlog.LeafHash([]byte("rewritten"))
		}
		if err := tr.Append(l, nodes.Put); err != nil {
			t.Fatal(err)
		}
	}
	forged, _ := tr.Root()
	p, err := tlog.ConsistencyProof(ctx, nodes, 10, 20)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.VerifyConsistency(10, 20, p, roots[10], forged); !errors.Is(err, tlog.ErrProof) {
		t.Fatalf("rewritten log: %v, want ErrProof", err)
	}
}

func TestTreeBinary(t *testing.T) {
	_, nodes, _ := build(t, 13)
	tr, err := tlog.TreeAt(context.Background(), nodes, 13)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := tr.MarshalBinary()
	var back tlog.Tree
	if err := back.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if back.Size != 13 || len(back.Range) != 3 {
		t.Fatalf("back %+v", back)
	}
	if err := back.UnmarshalBinary(b[:len(b)-32]); !errors.Is(err, tlog.ErrFormat) {
		t.Fatalf("short state: %v, want ErrFormat", err)
	}
}

func TestFileNodes(t *testing.T) {
	ctx := context.Background()
	fn, err := tlog.OpenFileNodes(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer fn.Close()
	var tr tlog.Tree
	var leaves []tlog.Hash
	for i := range 33 {
		l := tlog.LeafHash(fmt.Appendf(nil, "%d", i))
		leaves = append(leaves, l)
		var werr error
		if err := tr.Append(l, func(id tlog.NodeID, h tlog.Hash) {
			if werr == nil {
				werr = fn.WriteNode(id, h)
			}
		}); err != nil || werr != nil {
			t.Fatal(err, werr)
		}
	}
	root, _ := tr.Root()
	p, err := tlog.InclusionProof(ctx, fn, 17, 33)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.VerifyInclusion(17, 33, leaves[17], p, root); err != nil {
		t.Fatal(err)
	}
	if _, err := fn.ReadNodes(ctx, []tlog.NodeID{{Level: 0, Index: 40}}); !errors.Is(err, tlog.ErrMissingNode) {
		t.Fatalf("node beyond the log: %v, want ErrMissingNode", err)
	}
	if _, err := fn.ReadNodes(ctx, []tlog.NodeID{{Level: 9, Index: 0}}); !errors.Is(err, tlog.ErrMissingNode) {
		t.Fatalf("level never written: %v, want ErrMissingNode", err)
	}
}

// TestParseHashCanonical: a hash has one spelling, lower-case hexadecimal
// as Hash.String writes it; an upper-case spelling of the same bytes is
// refused, so that two strings never name one hash.
func TestParseHashCanonical(t *testing.T) {
	h := tlog.LeafHash([]byte("x"))
	if got, err := tlog.ParseHash(h.String()); err != nil || got != h {
		t.Fatalf("ParseHash(%s) = %s, %v", h, got, err)
	}
	for _, bad := range []string{strings.ToUpper(h.String()), "A" + h.String()[1:], h.String()[:63] + "F"} {
		if _, err := tlog.ParseHash(bad); !errors.Is(err, tlog.ErrFormat) {
			t.Errorf("ParseHash(%s): %v, want ErrFormat", bad, err)
		}
	}
}

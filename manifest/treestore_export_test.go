package manifest

import (
	"context"
	"fmt"
	"os"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// FillLog is the benchmarks' way to a long log: it writes n entries, made
// by mk (Seq and Prev are set), after the last entry of st's committed
// tree, in st's own layout, without syncing and without adding them to
// the tree. The store adds them on first use, checking their chain, as it
// does for a log written before the tree existed. st must be caught up
// (call Tree first). Only benchmarks use it: the appends they measure are
// Append's.
func FillLog(ctx context.Context, st TreeLog, n int, mk func(seq uint64) Entry) error {
	tr, err := st.Tree(ctx)
	if err != nil {
		return err
	}
	prev := ""
	if tr.Size > 0 {
		e, err := st.Entry(ctx, tr.Size)
		if err != nil {
			return err
		}
		if prev, err = e.Hash(); err != nil {
			return err
		}
	}
	next := func(seq uint64) ([]byte, error) {
		e := mk(seq)
		e.Seq, e.Prev = seq, prev
		data, err := MarshalEntry(e)
		prev = Digest(data)
		return data, err
	}
	switch s := st.(type) {
	case *DirStore:
		for seq := tr.Size + 1; seq <= tr.Size+uint64(n); seq++ {
			data, err := next(seq)
			if err != nil {
				return err
			}
			if err := os.WriteFile(s.entryPath(seq), data, 0o644); err != nil {
				return err
			}
		}
		return nil
	case *GitStore:
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.updateTree(ctx, "fill", func(*object.Tree) (map[string]plumbing.Hash, error) {
			edits := map[string]plumbing.Hash{}
			for seq := tr.Size + 1; seq <= tr.Size+uint64(n); seq++ {
				data, err := next(seq)
				if err != nil {
					return nil, err
				}
				if edits[shardPath("log", seq)], err = s.writeBlob(data); err != nil {
					return nil, err
				}
			}
			return edits, nil
		})
	}
	return fmt.Errorf("FillLog: %T", st)
}

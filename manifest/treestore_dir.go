package manifest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/bits"
	"os"
	"path/filepath"
	"slices"

	"github.com/releasekit/releasekit/internal/boundedfile"
	"github.com/releasekit/releasekit/tlog"
)

// The tree of a DirStore lives in tree/ beside log/:
//
//	tree/state       the committed tree (dirState), replaced by rename
//	tree/nodes/LL    tlog.FileNodes: the hash of node {LL, i} at 32·i
//	tree/promotions  the promotion index: for each promotion entry of the
//	                 committed tree, in order, a record (indexRecord) of
//	                 its Seq, the size and modification time its file had
//	                 when it joined the tree, and its bytes
//	tree/lock        flock(2)ed while the tree changes
//
// state is the commit point: nodes and promotions are written (and
// synced) first, at places past what the committed state names, so a
// writer killed at any point leaves the tree at its old or its new size,
// and the next writer, under the lock, catches up over the entries linked
// in log/ but not yet in the tree.

// stateMagic begins tree/state (version 1 of its format).
const stateMagic = "rktree1\n"

// catchUpBatch is how many entries a catch-up adds between two commits of
// the state, so that a long catch-up (a store written before the tree
// existed) keeps its progress when it is interrupted.
const catchUpBatch = 4096

// A dirState is what tree/state holds: the committed tree, the hash of its
// last entry (Entry.Hash, for the next entry's Prev) and the committed
// length of tree/promotions.
type dirState struct {
	tree  tlog.Tree
	head  [sha256.Size]byte // zero when the tree is empty
	index int64
}

// marshal returns the state file: stateMagic, tlog.Tree.MarshalBinary,
// the head hash and the index length (8 bytes, big-endian).
func (st dirState) marshal() []byte {
	t, _ := st.tree.MarshalBinary()
	b := append([]byte(stateMagic), t...)
	b = append(b, st.head[:]...)
	return binary.BigEndian.AppendUint64(b, uint64(st.index))
}

func parseDirState(b []byte) (dirState, error) {
	var st dirState
	m := len(stateMagic)
	if len(b) < m+8 || string(b[:m]) != stateMagic {
		return st, fmt.Errorf("%w: tree state: not a version 1 state", ErrTampered)
	}
	size := binary.BigEndian.Uint64(b[m:])
	n := m + 8 + tlog.HashSize*bits.OnesCount64(size)
	if len(b) != n+sha256.Size+8 {
		return st, fmt.Errorf("%w: tree state of %d bytes for a tree of %d entries", ErrTampered, len(b), size)
	}
	if err := st.tree.UnmarshalBinary(b[m:n]); err != nil {
		return st, fmt.Errorf("%w: tree state: %w", ErrTampered, err)
	}
	copy(st.head[:], b[n:])
	idx := binary.BigEndian.Uint64(b[n+sha256.Size:])
	if idx > 1<<62 {
		return st, fmt.Errorf("%w: tree state: index of %d bytes", ErrTampered, idx)
	}
	st.index = int64(idx)
	return st, nil
}

// headDigest is the Prev of the entry after the tree.
func (st dirState) headDigest() string {
	if st.tree.Size == 0 {
		return ""
	}
	return "sha256:" + hex.EncodeToString(st.head[:])
}

func (s *DirStore) treeDir() string { return filepath.Join(s.dir, "tree") }

// readState reads the committed state; a store without one (written before
// the tree existed, or new) has the empty tree.
func (s *DirStore) readState() (dirState, error) {
	b, err := readStored(filepath.Join(s.treeDir(), "state"))
	if errors.Is(err, fs.ErrNotExist) {
		return dirState{}, nil
	}
	if err != nil {
		return dirState{}, fmt.Errorf("read tree state: %w", err)
	}
	return parseDirState(b)
}

// writeState commits st: a synced temporary file renamed over tree/state,
// then the directory synced.
func (s *DirStore) writeState(st dirState) error {
	f, err := os.CreateTemp(s.treeDir(), ".state-*")
	if err != nil {
		return fmt.Errorf("commit tree: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after the rename, a no-op
	if _, err := f.Write(st.marshal()); err != nil {
		f.Close()
		return fmt.Errorf("commit tree: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("commit tree: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("commit tree: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(s.treeDir(), "state")); err != nil {
		return fmt.Errorf("commit tree: %w", err)
	}
	return syncDir(s.treeDir())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// A treeWriter adds entries to a DirStore's tree under its lock.
type treeWriter struct {
	s     *DirStore
	nodes *tlog.FileNodes
	index *os.File // tree/promotions, opened when first written
	st    dirState
	dirty bool // st holds entries not yet committed
}

// withTree runs fn under the store's lock, with the committed state
// checked against its nodes and caught up over every entry linked in log/
// beyond it.
func (s *DirStore) withTree(ctx context.Context, fn func(w *treeWriter) error) error {
	unlock, err := lockFile(ctx, filepath.Join(s.treeDir(), lockName))
	if err != nil {
		return err
	}
	defer unlock()
	nodes, err := tlog.OpenFileNodes(filepath.Join(s.treeDir(), "nodes"))
	if err != nil {
		return err
	}
	w := &treeWriter{s: s, nodes: nodes}
	defer w.close()
	if w.st, err = s.readState(); err != nil {
		return err
	}
	if w.st.tree.Size > 0 {
		at, err := tlog.TreeAt(ctx, nodes, w.st.tree.Size)
		if err != nil || !slices.Equal(at.Range, w.st.tree.Range) {
			return fmt.Errorf("%w: the tree's nodes do not match its state of %d entries (%v)", ErrTampered, w.st.tree.Size, err)
		}
	}
	if err := w.catchUp(ctx); err != nil {
		return err
	}
	return fn(w)
}

func (w *treeWriter) close() {
	w.nodes.Close()
	if w.index != nil {
		w.index.Close()
	}
}

// catchUp adds to the tree, in Seq order, every entry linked after it,
// checking each one's Seq and Prev: the tree is never built over a broken
// chain. It commits every catchUpBatch entries and at the end, also when
// it fails (the entries added before the failure were checked).
func (w *treeWriter) catchUp(ctx context.Context) (err error) {
	defer func() {
		if cerr := w.commit(); err == nil {
			err = cerr
		}
	}()
	for seq := w.st.tree.Size + 1; ; seq++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := readStored(w.s.entryPath(seq))
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read log entry %d: %w", seq, err)
		}
		e, err := ParseEntry(b)
		if err != nil {
			return fmt.Errorf("read log entry %d: %w", seq, err)
		}
		if e.Seq != seq {
			return &ChainError{Index: int(seq - 1), Seq: e.Seq, Reason: fmt.Sprintf("stored as entry %d (entry renamed)", seq)}
		}
		if e.Prev != w.st.headDigest() {
			return &ChainError{Index: int(seq - 1), Seq: seq, Reason: "prev does not match the hash of the entry before (entry edited, removed, reordered or inserted)"}
		}
		data, err := LeafData(e)
		if err != nil {
			return &ChainError{Index: int(seq - 1), Seq: seq, Reason: err.Error()}
		}
		if err := w.add(data, indexed(e)); err != nil {
			return err
		}
		if w.st.tree.Size%catchUpBatch == 0 {
			if err := w.commit(); err != nil {
				return err
			}
		}
	}
}

// add appends the entry whose canonical JSON is data as the tree's next
// leaf: its nodes are written, and a promotion is added to the index. The
// state is not committed.
func (w *treeWriter) add(data []byte, promotion bool) error {
	seq := w.st.tree.Size + 1
	var werr error
	err := w.st.tree.Append(tlog.LeafHash(data), func(id tlog.NodeID, h tlog.Hash) {
		if werr == nil {
			werr = w.nodes.WriteNode(id, h)
		}
	})
	if err == nil {
		err = werr
	}
	if err != nil {
		return fmt.Errorf("add entry %d to the tree: %w", seq, err)
	}
	if promotion {
		if w.index == nil {
			if w.index, err = os.OpenFile(filepath.Join(w.s.treeDir(), "promotions"), os.O_RDWR|os.O_CREATE, 0o644); err != nil {
				return fmt.Errorf("add entry %d to the tree: %w", seq, err)
			}
		}
		fi, err := os.Lstat(w.s.entryPath(seq))
		if err != nil {
			return fmt.Errorf("add entry %d to the tree: %w", seq, err)
		}
		rec := appendIndexRecord(nil, seq, fi, data)
		if _, err := w.index.WriteAt(rec, w.st.index); err != nil {
			return fmt.Errorf("add entry %d to the tree: %w", seq, err)
		}
		w.st.index += int64(len(rec))
	}
	w.st.head = sha256.Sum256(data)
	w.dirty = true
	return nil
}

// commit syncs the nodes and the index and commits the state.
func (w *treeWriter) commit() error {
	if !w.dirty {
		return nil
	}
	if err := w.nodes.Sync(); err != nil {
		return err
	}
	if w.index != nil {
		if err := w.index.Sync(); err != nil {
			return fmt.Errorf("commit tree: %w", err)
		}
	}
	if err := w.s.writeState(w.st); err != nil {
		return err
	}
	w.dirty = false
	return nil
}

// committed returns the committed state, caught up first when an entry
// is linked beyond it (a writer died before adding it, or the store was
// written before the tree existed).
func (s *DirStore) committed(ctx context.Context) (dirState, error) {
	if err := ctx.Err(); err != nil {
		return dirState{}, err
	}
	st, err := s.readState()
	if err != nil {
		return dirState{}, err
	}
	if _, err := os.Lstat(s.entryPath(st.tree.Size + 1)); err != nil {
		return st, nil
	}
	err = s.withTree(ctx, func(w *treeWriter) error {
		st = w.st
		return nil
	})
	return st, err
}

// Tree implements [TreeLog]: the committed tree, caught up first over
// entries linked beyond it. It reads the state file and probes one entry
// name (and catches up under the lock when that entry exists).
func (s *DirStore) Tree(ctx context.Context) (tlog.Tree, error) {
	st, err := s.committed(ctx)
	if err != nil {
		return tlog.Tree{}, err
	}
	return st.tree.Clone(), nil
}

// Entry implements [TreeLog]. It returns an entry of the committed tree
// only, after checking its leaf against the tree's: a *[ChainError]
// (ErrTampered) for an entry rewritten since, an error wrapping
// [ErrNotFound] and [ErrTruncated] for one that is gone.
func (s *DirStore) Entry(ctx context.Context, seq uint64) (Entry, error) {
	st, err := s.readState()
	if err != nil {
		return Entry{}, err
	}
	if seq > st.tree.Size {
		if st, err = s.committed(ctx); err != nil {
			return Entry{}, err
		}
	}
	if seq == 0 || seq > st.tree.Size {
		return Entry{}, fmt.Errorf("%w: log entry %d (the log has %d)", ErrNotFound, seq, st.tree.Size)
	}
	if err := ctx.Err(); err != nil {
		return Entry{}, err
	}
	b, err := readStored(s.entryPath(seq))
	if errors.Is(err, fs.ErrNotExist) {
		return Entry{}, fmt.Errorf("%w: %w: log entry %d of the tree of %d is gone", ErrNotFound, ErrTruncated, seq, st.tree.Size)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("read log entry %d: %w", seq, err)
	}
	leaf, err := leafOf(ctx, dirNodes{s}, seq)
	if err != nil {
		return Entry{}, err
	}
	return committedEntry(b, seq, leaf)
}

// dirNodes reads a DirStore's node files, committed or not.
type dirNodes struct{ s *DirStore }

func (n dirNodes) ReadNodes(ctx context.Context, ids []tlog.NodeID) ([]tlog.Hash, error) {
	return n.s.readNodes(ctx, ids)
}

// ReadNodes implements [TreeLog] (tlog.NodeReader): it returns nodes of
// the committed tree only, and an error wrapping tlog.ErrMissingNode for
// any other.
func (s *DirStore) ReadNodes(ctx context.Context, ids []tlog.NodeID) ([]tlog.Hash, error) {
	st, err := s.readState()
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if id.Level >= 64 || id.Index >= st.tree.Size>>id.Level {
			return nil, fmt.Errorf("%w: level %d index %d is not in the tree of %d entries", tlog.ErrMissingNode, id.Level, id.Index, st.tree.Size)
		}
	}
	return s.readNodes(ctx, ids)
}

func (s *DirStore) readNodes(ctx context.Context, ids []tlog.NodeID) ([]tlog.Hash, error) {
	nodes, err := tlog.OpenFileNodes(filepath.Join(s.treeDir(), "nodes"))
	if err != nil {
		return nil, err
	}
	defer nodes.Close()
	return nodes.ReadNodes(ctx, ids)
}

// An index record is one promotion entry in tree/promotions: its Seq, the
// size and modification time (ns) its file had when it joined the tree
// (8 bytes each, big-endian), the length of its bytes (4) and its bytes,
// which are the tree's leaf: the index is bound to the tree by the leaf
// hash, whatever else may have changed it.
const indexHeader = 8 + 8 + 8 + 4

func appendIndexRecord(b []byte, seq uint64, fi os.FileInfo, data []byte) []byte {
	b = binary.BigEndian.AppendUint64(b, seq)
	b = binary.BigEndian.AppendUint64(b, uint64(fi.Size()))
	b = binary.BigEndian.AppendUint64(b, uint64(fi.ModTime().UnixNano()))
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	return append(b, data...)
}

// Promotions returns the committed tree's size and its promotion entries
// in Seq order, from the promotion index (tree/promotions), which holds
// their bytes: each is checked against the tree's leaf (its hash), and its
// file in log/ is stat'ed, and read and checked too only when its size or
// modification time is not the one it had when it joined the tree (a
// rewritten entry is a *[ChainError], ErrTampered; a missing one
// ErrTruncated; a copied store whose times changed reads every file once
// more). A promotion thus reads the index, one hash and one stat per
// promotion, and nothing else of the log. Promote, Rollback,
// PromoteManifest and RollbackManifest decide on it.
func (s *DirStore) Promotions(ctx context.Context) (uint64, []Entry, error) {
	st, err := s.committed(ctx)
	if err != nil {
		return 0, nil, err
	}
	if st.index == 0 {
		return st.tree.Size, nil, nil
	}
	f, err := boundedfile.Open(filepath.Join(s.treeDir(), "promotions"))
	if err != nil {
		return 0, nil, fmt.Errorf("read promotion index: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || fi.Size() < st.index {
		return 0, nil, fmt.Errorf("%w: promotion index shorter than its %d committed bytes", ErrTampered, st.index)
	}
	nodes, err := tlog.OpenFileNodes(filepath.Join(s.treeDir(), "nodes"))
	if err != nil {
		return 0, nil, err
	}
	defer nodes.Close()
	r := bufio.NewReaderSize(io.NewSectionReader(f, 0, st.index), 1<<16)
	var out []Entry
	var hdr [indexHeader]byte
	for last := uint64(0); ; {
		if err := ctx.Err(); err != nil {
			return 0, nil, err
		}
		if _, err := io.ReadFull(r, hdr[:]); err == io.EOF {
			break
		} else if err != nil {
			return 0, nil, fmt.Errorf("%w: promotion index: record cut short after entry %d", ErrTampered, last)
		}
		seq := binary.BigEndian.Uint64(hdr[:])
		size, mtime := binary.BigEndian.Uint64(hdr[8:]), binary.BigEndian.Uint64(hdr[16:])
		n := binary.BigEndian.Uint32(hdr[24:])
		if seq <= last || seq > st.tree.Size || n > MaxStoredFile {
			return 0, nil, fmt.Errorf("%w: promotion index names entry %d (of %d bytes) after entry %d in a tree of %d", ErrTampered, seq, n, last, st.tree.Size)
		}
		last = seq
		data := make([]byte, n)
		if _, err := io.ReadFull(r, data); err != nil {
			return 0, nil, fmt.Errorf("%w: promotion index: entry %d cut short", ErrTampered, seq)
		}
		leaf, err := leafOf(ctx, nodes, seq)
		if err != nil {
			return 0, nil, err
		}
		// The index holds the leaves' bytes themselves.
		if tlog.LeafHash(data) != leaf {
			return 0, nil, &ChainError{Index: int(seq - 1), Seq: seq, Reason: "the promotion index does not hold the tree's entry"}
		}
		e, err := leafEntry(data, seq)
		if err != nil {
			return 0, nil, fmt.Errorf("promotion index: %w", err)
		}
		if !indexed(e) {
			return 0, nil, fmt.Errorf("%w: promotion index names entry %d of kind %q", ErrTampered, seq, e.Kind)
		}
		if err := s.checkFile(seq, size, mtime, leaf); err != nil {
			return 0, nil, err
		}
		out = append(out, e)
	}
	return st.tree.Size, out, nil
}

// checkFile checks that the file of entry seq is still the tree's leaf:
// by its size and modification time when they are those it had when it
// joined the tree, by reading and hashing it when not.
func (s *DirStore) checkFile(seq, size, mtime uint64, leaf tlog.Hash) error {
	fi, err := os.Lstat(s.entryPath(seq))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: log entry %d of the tree is gone", ErrTruncated, seq)
	}
	if err != nil {
		return fmt.Errorf("read log entry %d: %w", seq, err)
	}
	if fi.Mode().IsRegular() && uint64(fi.Size()) == size && uint64(fi.ModTime().UnixNano()) == mtime {
		return nil
	}
	b, err := readStored(s.entryPath(seq))
	if err != nil {
		return fmt.Errorf("read log entry %d: %w", seq, err)
	}
	_, err = committedEntry(b, seq, leaf)
	return err
}

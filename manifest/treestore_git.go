package manifest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/releasekit/releasekit/internal/boundedfile"
	"github.com/releasekit/releasekit/tlog"
)

// The tree of a GitStore lives in each commit of LogRef, beside log/:
//
//	log/M/KKK/SEQ.json             entry SEQ (20 digits), M = SEQ/10⁶ and
//	                               KKK = SEQ/10³ mod 10³: no tree object
//	                               lists more than 1,000 names, so an
//	                               append rewrites O(1) of them per level
//	log/SEQ.json                   entries of a ref written before the
//	                               sharded layout (read, never written)
//	tree/state                     the committed tree (dirState; its index
//	                               length is the number of promotions)
//	tree/nodes/LL/C/CCC            chunk C·1000+CCC of level LL: the
//	                               hashes of nodes {LL, 64·chunk} to
//	                               {LL, 64·chunk+63}, 32 bytes each
//	tree/promotions/C/CCC          the promotion index: chunk C·1000+CCC
//	                               holds the records (promoHeader) of
//	                               promotions 16·chunk to 16·chunk+15; the
//	                               state's index length is their number
//
// An append commits the entry, the nodes it completes (at most one chunk
// per level), the index and the state in one commit, which the ref's
// compare-and-swap publishes whole: O(log N) small objects, whatever the
// length of the log.

// chunkHashes is the number of node hashes in one chunk blob.
const chunkHashes = 64

func shardPath(prefix string, seq uint64) string {
	return fmt.Sprintf("%s/%d/%03d/%0*d.json", prefix, seq/1_000_000, seq/1000%1000, seqWidth, seq)
}

func flatLogPath(seq uint64) string { return fmt.Sprintf("log/%0*d.json", seqWidth, seq) }

type chunkKey struct {
	level uint8
	chunk uint64
}

func (k chunkKey) path() string {
	return fmt.Sprintf("tree/nodes/%02d/%d/%03d", k.level, k.chunk/1000, k.chunk%1000)
}

// gitTrees reads one commit's tree by path, keeping the subtrees it
// decodes.
type gitTrees struct {
	s    *GitStore
	dirs map[string]*object.Tree // by path, "" for the root; nil: missing
}

func (s *GitStore) trees(root *object.Tree) *gitTrees {
	return &gitTrees{s: s, dirs: map[string]*object.Tree{"": root}}
}

// dir returns the tree at path, or nil when there is none.
func (g *gitTrees) dir(path string) (*object.Tree, error) {
	if t, ok := g.dirs[path]; ok {
		return t, nil
	}
	parent, name := "", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		parent, name = path[:i], path[i+1:]
	}
	pt, err := g.dir(parent)
	if err != nil || pt == nil {
		return nil, err
	}
	var t *object.Tree
	if e, err := pt.FindEntry(name); err == nil {
		if e.Mode != filemode.Dir {
			return nil, fmt.Errorf("%w: %s is not a directory", ErrTampered, path)
		}
		if t, err = object.GetTree(g.s.repo.Storer, e.Hash); err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
	}
	g.dirs[path] = t
	return t, nil
}

// file returns the blob hash at path, or false when there is none.
func (g *gitTrees) file(path string) (plumbing.Hash, bool, error) {
	dir, name := "", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		dir, name = path[:i], path[i+1:]
	}
	t, err := g.dir(dir)
	if err != nil || t == nil {
		return plumbing.ZeroHash, false, err
	}
	e, err := t.FindEntry(name)
	if err != nil {
		return plumbing.ZeroHash, false, nil
	}
	if !e.Mode.IsFile() {
		return plumbing.ZeroHash, false, fmt.Errorf("%w: %s is not a file", ErrTampered, path)
	}
	return e.Hash, true, nil
}

// readGitBlob reads blob h (named path in errors) of at most MaxStoredFile
// bytes.
func (s *GitStore) readGitBlob(h plumbing.Hash, path string) ([]byte, error) {
	b, err := object.GetBlob(s.repo.Storer, h)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if b.Size > MaxStoredFile {
		return nil, &boundedfile.Error{Path: path, Reason: fmt.Sprintf("larger than %d bytes", MaxStoredFile), Err: boundedfile.ErrTooLarge}
	}
	r, err := b.Reader()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, MaxStoredFile))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return data, nil
}

// entryBlob finds entry seq, in the sharded layout or the flat one.
func (g *gitTrees) entryBlob(seq uint64) (plumbing.Hash, string, bool, error) {
	for _, p := range []string{shardPath("log", seq), flatLogPath(seq)} {
		h, ok, err := g.file(p)
		if err != nil || ok {
			return h, p, ok, err
		}
	}
	return plumbing.ZeroHash, "", false, nil
}

// state reads the committed tree/state; a tree without one has the empty
// tree.
func (g *gitTrees) state() (dirState, error) {
	h, ok, err := g.file("tree/state")
	if err != nil || !ok {
		return dirState{}, err
	}
	b, err := g.s.readGitBlob(h, "tree/state")
	if err != nil {
		return dirState{}, err
	}
	return parseDirState(b)
}

// chunk returns the hashes of chunk k (nil when it does not exist).
func (g *gitTrees) chunk(k chunkKey) ([]byte, error) {
	h, ok, err := g.file(k.path())
	if err != nil || !ok {
		return nil, err
	}
	b, err := g.s.readGitBlob(h, k.path())
	if err != nil {
		return nil, err
	}
	if len(b)%tlog.HashSize != 0 || len(b) > chunkHashes*tlog.HashSize {
		return nil, fmt.Errorf("%w: %s holds %d bytes", ErrTampered, k.path(), len(b))
	}
	return b, nil
}

// nodes reads node hashes from the chunks, keeping the chunks read.
type gitNodes struct {
	g      *gitTrees
	chunks map[chunkKey][]byte
}

func (n *gitNodes) ReadNodes(ctx context.Context, ids []tlog.NodeID) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(ids))
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		k := chunkKey{id.Level, id.Index / chunkHashes}
		c, ok := n.chunks[k]
		if !ok {
			var err error
			if c, err = n.g.chunk(k); err != nil {
				return nil, err
			}
			n.chunks[k] = c
		}
		off := int(id.Index%chunkHashes) * tlog.HashSize
		if off+tlog.HashSize > len(c) {
			return nil, fmt.Errorf("%w: level %d index %d", tlog.ErrMissingNode, id.Level, id.Index)
		}
		copy(out[i][:], c[off:])
	}
	return out, nil
}

// A gitTree adds entries to the tree of one commit, collecting the edits
// of the next commit.
type gitTree struct {
	g     *gitTrees
	nodes *gitNodes
	st    dirState
	dirty map[chunkKey]bool
	promo map[uint64][]byte        // index chunks changed
	edits map[string]plumbing.Hash // path → blob
	added int
}

// openTree reads the tree of root's commit and catches it up over the
// entries root holds beyond it (a ref written before the tree existed).
func (s *GitStore) openTree(ctx context.Context, root *object.Tree) (*gitTree, error) {
	g := s.trees(root)
	st, err := g.state()
	if err != nil {
		return nil, err
	}
	w := &gitTree{g: g, nodes: &gitNodes{g: g, chunks: map[chunkKey][]byte{}}, st: st, dirty: map[chunkKey]bool{}, promo: map[uint64][]byte{}, edits: map[string]plumbing.Hash{}}
	for seq := st.tree.Size + 1; ; seq++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, path, ok, err := g.entryBlob(seq)
		if err != nil {
			return nil, err
		}
		if !ok {
			return w, nil
		}
		b, err := s.readGitBlob(h, path)
		if err != nil {
			return nil, fmt.Errorf("read log entry %d: %w", seq, err)
		}
		e, err := ParseEntry(b)
		if err != nil {
			return nil, fmt.Errorf("read log entry %d: %w", seq, err)
		}
		if e.Seq != seq {
			return nil, &ChainError{Index: int(seq - 1), Seq: e.Seq, Reason: fmt.Sprintf("stored as entry %d (entry renamed)", seq)}
		}
		if e.Prev != w.st.headDigest() {
			return nil, &ChainError{Index: int(seq - 1), Seq: seq, Reason: "prev does not match the hash of the entry before (entry edited, removed, reordered or inserted)"}
		}
		data, err := LeafData(e)
		if err != nil {
			return nil, &ChainError{Index: int(seq - 1), Seq: seq, Reason: err.Error()}
		}
		if err := w.add(data, h, indexed(e)); err != nil {
			return nil, err
		}
	}
}

// add appends the entry whose canonical JSON is data, stored as blob, as
// the tree's next leaf.
func (w *gitTree) add(data []byte, blob plumbing.Hash, promotion bool) error {
	seq := w.st.tree.Size + 1
	var werr error
	err := w.st.tree.Append(tlog.LeafHash(data), func(id tlog.NodeID, h tlog.Hash) {
		if werr == nil {
			werr = w.putNode(id, h)
		}
	})
	if err == nil {
		err = werr
	}
	if err != nil {
		return fmt.Errorf("add entry %d to the tree: %w", seq, err)
	}
	if promotion {
		if err := w.addPromotion(seq, blob, data); err != nil {
			return fmt.Errorf("add entry %d to the tree: %w", seq, err)
		}
	}
	w.st.head = sha256.Sum256(data)
	w.added++
	return nil
}

func (w *gitTree) putNode(id tlog.NodeID, h tlog.Hash) error {
	k := chunkKey{id.Level, id.Index / chunkHashes}
	c, ok := w.nodes.chunks[k]
	if !ok {
		var err error
		if c, err = w.g.chunk(k); err != nil {
			return err
		}
	}
	off := int(id.Index%chunkHashes) * tlog.HashSize
	if len(c) < off {
		return fmt.Errorf("%w: %s holds %d bytes, node %d is at %d", ErrTampered, k.path(), len(c), id.Index, off)
	}
	c = append(c[:off:off], h[:]...) // a copy: chunks read may be shared
	w.nodes.chunks[k] = c
	w.dirty[k] = true
	return nil
}

// finish writes the chunks changed and the state, and returns every edit
// of the commit (nil when nothing was added).
func (w *gitTree) finish() (map[string]plumbing.Hash, error) {
	if w.added == 0 {
		return nil, nil
	}
	for k := range w.dirty {
		h, err := w.g.s.writeBlob(w.nodes.chunks[k])
		if err != nil {
			return nil, err
		}
		w.edits[k.path()] = h
	}
	for k, c := range w.promo {
		h, err := w.g.s.writeBlob(c)
		if err != nil {
			return nil, err
		}
		w.edits[promoChunkPath(k)] = h
	}
	h, err := w.g.s.writeBlob(w.st.marshal())
	if err != nil {
		return nil, err
	}
	w.edits["tree/state"] = h
	return w.edits, nil
}

// commitTree returns the head's tree caught up over the entries it holds
// beyond its committed tree, committing the catch-up when there was one.
func (s *GitStore) commitTree(ctx context.Context) (*gitTree, error) {
	for {
		_, t, err := s.head()
		if err != nil {
			return nil, err
		}
		w, err := s.openTree(ctx, t)
		if err != nil {
			return nil, err
		}
		if w.added == 0 {
			return w, nil
		}
		err = s.updateTree(ctx, "tree", func(t *object.Tree) (map[string]plumbing.Hash, error) {
			w, err := s.openTree(ctx, t)
			if err != nil {
				return nil, err
			}
			return w.finish()
		})
		if err != nil {
			return nil, err
		}
	}
}

// Tree implements [TreeLog]: the tree of LogRef's head. A ref written
// before the tree existed gains it here (one commit, after checking the
// chain of the entries it holds).
func (s *GitStore) Tree(ctx context.Context) (tlog.Tree, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, err := s.commitTree(ctx)
	if err != nil {
		return tlog.Tree{}, err
	}
	if w.st.tree.Size > 0 {
		at, err := tlog.TreeAt(ctx, w.nodes, w.st.tree.Size)
		if err != nil || !slices.Equal(at.Range, w.st.tree.Range) {
			return tlog.Tree{}, fmt.Errorf("%w: the tree's nodes do not match its state of %d entries (%v)", ErrTampered, w.st.tree.Size, err)
		}
	}
	return w.st.tree.Clone(), nil
}

// headTree returns the trees of LogRef's head and its committed state.
func (s *GitStore) headTree() (*gitTrees, dirState, error) {
	_, t, err := s.head()
	if err != nil {
		return nil, dirState{}, err
	}
	g := s.trees(t)
	st, err := g.state()
	return g, st, err
}

// Entry implements [TreeLog]. It returns an entry of the committed tree
// only, after checking its leaf against the tree's: a *[ChainError]
// (ErrTampered) for an entry rewritten since, an error wrapping
// [ErrNotFound] and [ErrTruncated] for one that is gone.
func (s *GitStore) Entry(ctx context.Context, seq uint64) (Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return Entry{}, err
	}
	g, st, err := s.headTree()
	if err != nil {
		return Entry{}, err
	}
	if seq == 0 || seq > st.tree.Size {
		return Entry{}, fmt.Errorf("%w: log entry %d (the log has %d)", ErrNotFound, seq, st.tree.Size)
	}
	h, path, ok, err := g.entryBlob(seq)
	if err != nil {
		return Entry{}, err
	}
	if !ok {
		return Entry{}, fmt.Errorf("%w: %w: log entry %d of the tree of %d is gone", ErrNotFound, ErrTruncated, seq, st.tree.Size)
	}
	b, err := s.readGitBlob(h, path)
	if err != nil {
		return Entry{}, fmt.Errorf("read log entry %d: %w", seq, err)
	}
	leaf, err := leafOf(ctx, &gitNodes{g: g, chunks: map[chunkKey][]byte{}}, seq)
	if err != nil {
		return Entry{}, err
	}
	return committedEntry(b, seq, leaf)
}

// ReadNodes implements [TreeLog] (tlog.NodeReader): it returns nodes of
// the head's committed tree only, and an error wrapping
// tlog.ErrMissingNode for any other.
func (s *GitStore) ReadNodes(ctx context.Context, ids []tlog.NodeID) ([]tlog.Hash, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, st, err := s.headTree()
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if id.Level >= 64 || id.Index >= st.tree.Size>>id.Level {
			return nil, fmt.Errorf("%w: level %d index %d is not in the tree of %d entries", tlog.ErrMissingNode, id.Level, id.Index, st.tree.Size)
		}
	}
	return (&gitNodes{g: g, chunks: map[chunkKey][]byte{}}).ReadNodes(ctx, ids)
}

// A seqBlob is one log entry's blob, found by its name.
type seqBlob struct {
	seq  uint64
	hash plumbing.Hash
	path string
}

// walkSeqs lists the SEQ.json files under dir (both layouts), in Seq
// order. Any other file there is an error.
func (g *gitTrees) walkSeqs(ctx context.Context, dir string) ([]seqBlob, error) {
	var out []seqBlob
	var walk func(path string, depth int) error
	walk = func(path string, depth int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		t, err := g.dir(path)
		if err != nil || t == nil {
			return err
		}
		for _, e := range t.Entries {
			p := path + "/" + e.Name
			if e.Mode == filemode.Dir && depth < 2 {
				if err := walk(p, depth+1); err != nil {
					return err
				}
				delete(g.dirs, p) // read once
				continue
			}
			name, ok := strings.CutSuffix(e.Name, ".json")
			seq, err := strconv.ParseUint(name, 10, 64)
			if !ok || err != nil || len(name) != seqWidth || !e.Mode.IsFile() || seq == 0 {
				return fmt.Errorf("read %s: %w: unexpected %s", dir, ErrTampered, p)
			}
			out = append(out, seqBlob{seq, e.Hash, p})
		}
		return nil
	}
	if err := walk(dir, 0); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b seqBlob) int { return cmpUint(a.seq, b.seq) })
	return out, nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// logEntries lists the log of tree t in Seq order.
func (s *GitStore) logEntries(ctx context.Context, t *object.Tree) ([]Entry, error) {
	if t == nil {
		return nil, nil
	}
	blobs, err := s.trees(t).walkSeqs(ctx, "log")
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(blobs))
	for _, sb := range blobs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := s.readGitBlob(sb.hash, sb.path)
		if err != nil {
			return nil, fmt.Errorf("read log entry %d: %w", sb.seq, err)
		}
		e, err := ParseEntry(b)
		if err != nil {
			return nil, fmt.Errorf("read log entry %d: %w", sb.seq, err)
		}
		out = append(out, e)
	}
	return out, nil
}

func (s *GitStore) writeBlob(data []byte) (plumbing.Hash, error) {
	return s.writeObject(plumbing.BlobObject, func(o plumbing.EncodedObject) error {
		w, err := o.Writer()
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		return w.Close()
	})
}

// writeEdited writes the tree t (nil for none) with the files at the paths
// of edits set to their blobs, rewriting only the trees on those paths,
// and returns its hash.
func (s *GitStore) writeEdited(t *object.Tree, edits map[string]plumbing.Hash) (plumbing.Hash, error) {
	set := map[string]object.TreeEntry{}
	subs := map[string]map[string]plumbing.Hash{}
	for p, h := range edits {
		dir, rest, ok := strings.Cut(p, "/")
		if !ok {
			set[dir] = object.TreeEntry{Name: dir, Mode: filemode.Regular, Hash: h}
			continue
		}
		if subs[dir] == nil {
			subs[dir] = map[string]plumbing.Hash{}
		}
		subs[dir][rest] = h
	}
	for dir, sub := range subs {
		if _, ok := set[dir]; ok {
			return plumbing.ZeroHash, fmt.Errorf("write tree: %s is both a file and a directory", dir)
		}
		var st *object.Tree
		if t != nil {
			if e, err := t.FindEntry(dir); err == nil {
				if e.Mode != filemode.Dir {
					return plumbing.ZeroHash, fmt.Errorf("write tree: %w: %s is not a directory", ErrTampered, dir)
				}
				if st, err = object.GetTree(s.repo.Storer, e.Hash); err != nil {
					return plumbing.ZeroHash, fmt.Errorf("write tree: %w", err)
				}
			}
		}
		h, err := s.writeEdited(st, sub)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		set[dir] = object.TreeEntry{Name: dir, Mode: filemode.Dir, Hash: h}
	}
	var es []object.TreeEntry
	if t != nil {
		for _, e := range t.Entries {
			if _, ok := set[e.Name]; !ok {
				es = append(es, e)
			}
		}
	}
	for _, e := range set {
		es = append(es, e)
	}
	key := func(x object.TreeEntry) string {
		if x.Mode == filemode.Dir {
			return x.Name + "/"
		}
		return x.Name
	}
	slices.SortFunc(es, func(a, b object.TreeEntry) int { return strings.Compare(key(a), key(b)) })
	return s.writeTree(es)
}

// The promotion index of a GitStore: records of promoChunk promotions
// per blob, each its Seq (8 bytes, big-endian), the hash of its blob in
// log/ (20), the length of its bytes (4) and its bytes, the tree's leaf
// (none, length 0, for an entry over promoInline bytes, which is read
// from log/). An append rewrites the last chunk only: at most
// promoChunk·promoInline bytes.
const (
	promoChunk   = 16
	promoInline  = 64 << 10
	promoHeader  = 8 + 20 + 4
	maxPromoBlob = promoChunk * (promoHeader + promoInline)
)

func promoChunkPath(k uint64) string {
	return fmt.Sprintf("tree/promotions/%d/%03d", k/1000, k%1000)
}

// addPromotion adds entry seq, stored as blob, to the promotion index.
func (w *gitTree) addPromotion(seq uint64, blob plumbing.Hash, data []byte) error {
	n := uint64(w.st.index)
	k := n / promoChunk
	c, ok := w.promo[k]
	if !ok && n%promoChunk != 0 {
		h, found, err := w.g.file(promoChunkPath(k))
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("%w: promotion index chunk %d is gone", ErrTampered, k)
		}
		if c, err = w.g.s.readGitBlob(h, promoChunkPath(k)); err != nil {
			return err
		}
	}
	if len(data) > promoInline {
		data = nil
	}
	c = binary.BigEndian.AppendUint64(c[:len(c):len(c)], seq)
	c = append(c, blob[:]...)
	c = binary.BigEndian.AppendUint32(c, uint32(len(data)))
	w.promo[k] = append(c, data...)
	w.st.index++
	return nil
}

// Promotions returns the committed tree's size and its promotion entries
// in Seq order, from the promotion index (tree/promotions), which holds
// their bytes: each is checked against the tree's leaf (its hash), and
// the blob of its entry in log/ is looked up, and read and checked too
// only when it is not the blob the entry was stored as (a rewritten
// entry is a *[ChainError], ErrTampered; a missing one ErrTruncated). A
// promotion thus reads one index blob per 16 promotions and the log/
// trees that name them, not the log. Promote, Rollback, PromoteManifest
// and RollbackManifest decide on it.
func (s *GitStore) Promotions(ctx context.Context) (uint64, []Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, err := s.commitTree(ctx)
	if err != nil {
		return 0, nil, err
	}
	count := uint64(w.st.index)
	out := make([]Entry, 0, min(count, 1<<20))
	last := uint64(0)
	for k := uint64(0); k*promoChunk < count; k++ {
		if err := ctx.Err(); err != nil {
			return 0, nil, err
		}
		h, ok, err := w.g.file(promoChunkPath(k))
		if err != nil {
			return 0, nil, err
		}
		if !ok {
			return 0, nil, fmt.Errorf("%w: promotion index chunk %d is gone", ErrTampered, k)
		}
		c, err := s.readGitBlob(h, promoChunkPath(k))
		if err != nil {
			return 0, nil, err
		}
		if len(c) > maxPromoBlob {
			return 0, nil, fmt.Errorf("%w: promotion index chunk %d of %d bytes", ErrTampered, k, len(c))
		}
		want := min(promoChunk, count-k*promoChunk)
		for range want {
			if len(c) < promoHeader {
				return 0, nil, fmt.Errorf("%w: promotion index chunk %d cut short", ErrTampered, k)
			}
			seq := binary.BigEndian.Uint64(c)
			blob := plumbing.Hash(c[8:28])
			n := int(binary.BigEndian.Uint32(c[28:]))
			c = c[promoHeader:]
			if seq <= last || seq > w.st.tree.Size || n > len(c) {
				return 0, nil, fmt.Errorf("%w: promotion index names entry %d after entry %d in a tree of %d", ErrTampered, seq, last, w.st.tree.Size)
			}
			last = seq
			data := c[:n]
			c = c[n:]
			e, err := s.indexedEntry(ctx, w, seq, blob, data)
			if err != nil {
				return 0, nil, err
			}
			out = append(out, e)
		}
		if len(c) != 0 {
			return 0, nil, fmt.Errorf("%w: promotion index chunk %d holds more than its records", ErrTampered, k)
		}
	}
	return w.st.tree.Size, out, nil
}

// indexedEntry returns promotion entry seq of the index: data (the leaf,
// or nil when not inlined), stored in log/ as blob.
func (s *GitStore) indexedEntry(ctx context.Context, w *gitTree, seq uint64, blob plumbing.Hash, data []byte) (Entry, error) {
	leaf, err := leafOf(ctx, w.nodes, seq)
	if err != nil {
		return Entry{}, err
	}
	h, name, ok, err := w.g.entryBlob(seq)
	if err != nil {
		return Entry{}, err
	}
	if !ok {
		return Entry{}, fmt.Errorf("%w: log entry %d of the tree of %d is gone", ErrTruncated, seq, w.st.tree.Size)
	}
	var e Entry
	if data != nil && h == blob {
		// The index holds the leaf's bytes themselves.
		if tlog.LeafHash(data) != leaf {
			return Entry{}, &ChainError{Index: int(seq - 1), Seq: seq, Reason: "the promotion index does not hold the tree's entry"}
		}
		if e, err = leafEntry(data, seq); err != nil {
			return Entry{}, fmt.Errorf("promotion index: %w", err)
		}
	} else {
		b, err := s.readGitBlob(h, name)
		if err != nil {
			return Entry{}, fmt.Errorf("read log entry %d: %w", seq, err)
		}
		if e, err = committedEntry(b, seq, leaf); err != nil {
			return Entry{}, err
		}
	}
	if !indexed(e) {
		return Entry{}, fmt.Errorf("%w: promotion index names entry %d of kind %q", ErrTampered, seq, e.Kind)
	}
	return e, nil
}

// scanEntries reads entries 1 to size of LogRef's head, in order, each
// checked against its leaf, from one snapshot and keeping the trees and
// chunks it walks through until it is past them: [VerifyTree] reads a
// long log this way instead of looking each entry up from the ref.
func (s *GitStore) scanEntries(ctx context.Context, size uint64, fn func(Entry) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, st, err := s.headTree()
	if err != nil {
		return err
	}
	if size > st.tree.Size {
		return fmt.Errorf("%w: %w: the log has %d entries, %d were asked for", ErrNotFound, ErrTruncated, st.tree.Size, size)
	}
	nodes := &gitNodes{g: g, chunks: map[chunkKey][]byte{}}
	for seq := uint64(1); seq <= size; seq++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if seq%1000 == 0 { // the shard of seq-1 is read through
			delete(g.dirs, path.Dir(shardPath("log", seq-1)))
		}
		if seq > 1 && (seq-1)%chunkHashes == 0 {
			delete(nodes.chunks, chunkKey{0, (seq - 2) / chunkHashes})
		}
		h, name, ok, err := g.entryBlob(seq)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %w: log entry %d of the tree of %d is gone", ErrNotFound, ErrTruncated, seq, st.tree.Size)
		}
		b, err := s.readGitBlob(h, name)
		if err != nil {
			return fmt.Errorf("read log entry %d: %w", seq, err)
		}
		leaf, err := leafOf(ctx, nodes, seq)
		if err != nil {
			return err
		}
		e, err := committedEntry(b, seq, leaf)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

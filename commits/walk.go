package commits

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

var (
	errMalformedCommit = errors.New("commits: malformed commit object")
	errNotCommit       = errors.New("commits: object is not a commit")
)

// Walk flags, as in git's revision.c.
const (
	flagSeen uint8 = 1 << iota
	flagUninteresting
	flagTreesame
	flagParsed
	flagBottom // given as an exclusion ("^A"): still relevant for simplification
)

// wnode is one commit the walk has met.
type wnode struct {
	hash    plumbing.Hash
	parents []plumbing.Hash
	tree    plumbing.Hash
	time    int64
	seq     uint64
	flags   uint8
	dec     decoded
	paths   []plumbing.Hash // ids at the walker's paths in tree, once known
}

// walker implements git rev-list's commit selection for "B ^A -- paths":
// a commit-date priority queue (ties in insertion order), uninteresting
// propagation with git's SLOP rule, --first-parent, and git's default
// history simplification for paths.
type walker struct {
	ctx         context.Context
	reader      *commitReader
	store       *objectStore
	nodes       map[plumbing.Hash]*wnode
	queue       nodeQueue
	seq         uint64
	firstParent bool
	paths       [][]string
	trees       *treeIndex
	shallow     map[plumbing.Hash]bool
	limited     bool // there are uninteresting commits: buffer until final
	incomplete  error
	// prepare, when set, is called once with the commits a limited walk
	// selected, before they are emitted.
	prepare func([]*wnode)
	// done holds the commits a streaming walk has finished with, one bit
	// per packed object, so their nodes can be dropped.
	done *objectSet
}

type treeKey struct {
	tree plumbing.Hash
	name string
}

func newWalker(ctx context.Context, store *objectStore, reader *commitReader, shallow map[plumbing.Hash]bool) *walker {
	return &walker{ctx: ctx, store: store, reader: reader, nodes: make(map[plumbing.Hash]*wnode), shallow: shallow}
}

func (w *walker) setPaths(paths []string, trees *treeIndex) {
	w.paths = splitPaths(paths)
	if w.paths != nil {
		w.trees = trees
		if w.trees == nil {
			w.trees = newTreeIndex(w.store)
		}
	}
}

// splitPaths turns path filters into components; nil means no filter.
func splitPaths(paths []string) [][]string {
	var out [][]string
	for _, p := range paths {
		p = strings.Trim(p, "/")
		if p == "" || p == "." {
			return nil // the whole tree: no filtering
		}
		out = append(out, strings.Split(p, "/"))
	}
	return out
}

// node returns the node for h, loading the commit when needed.
func (w *walker) node(h plumbing.Hash) (*wnode, error) {
	n := w.nodes[h]
	if n == nil {
		n = &wnode{hash: h}
		w.nodes[h] = n
	}
	if n.flags&flagParsed != 0 {
		return n, nil
	}
	d, err := w.reader.get(h)
	if err != nil {
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return nil, fmt.Errorf("%w: commit %s is missing: %v", ErrIncompleteHistory, h, err)
		}
		return nil, fmt.Errorf("read commit %s: %w", h, err)
	}
	n.dec = d
	if pb, ok := d.built.(interface{ pathIDs() []plumbing.Hash }); ok {
		n.paths = pb.pathIDs()
	}
	n.tree = d.rc.tree
	n.time = d.rc.time
	n.parents = d.rc.parents
	if w.shallow[h] {
		n.parents = nil
		if w.incomplete == nil {
			w.incomplete = fmt.Errorf("%w: history is shallow at %s", ErrIncompleteHistory, h)
		}
	}
	n.flags |= flagParsed
	return n, nil
}

func (w *walker) push(n *wnode) {
	w.seq++
	n.seq = w.seq
	heap.Push(&w.queue, n)
}

// add queues a starting point.
func (w *walker) add(h plumbing.Hash, uninteresting bool) error {
	n, err := w.node(h)
	if err != nil {
		return err
	}
	if uninteresting {
		n.flags |= flagUninteresting | flagBottom
		w.limited = true
	}
	if n.flags&flagSeen != 0 {
		return nil
	}
	n.flags |= flagSeen
	w.push(n)
	return nil
}

// processParents queues the parents of n, as git's process_parents does.
func (w *walker) processParents(n *wnode) error {
	if n.flags&flagUninteresting != 0 {
		for _, ph := range n.parents {
			p, err := w.node(ph)
			if err != nil {
				if errors.Is(err, ErrIncompleteHistory) {
					// An uninteresting commit's missing ancestry cannot add
					// commits to the result.
					continue
				}
				return err
			}
			p.flags |= flagUninteresting
			if p.parents != nil {
				w.markParentsUninteresting(p)
			}
			if p.flags&flagSeen != 0 {
				continue
			}
			p.flags |= flagSeen
			w.push(p)
		}
		return nil
	}
	if w.paths != nil {
		if err := w.simplify(n); err != nil {
			return err
		}
	}
	for i, ph := range n.parents {
		if w.firstParent && i > 0 {
			break
		}
		if w.done != nil && w.done.has(ph) {
			w.forget(ph)
			continue
		}
		p, err := w.node(ph)
		if err != nil {
			return err
		}
		if p.flags&flagSeen != 0 {
			continue
		}
		p.flags |= flagSeen
		w.push(p)
	}
	return nil
}

// forget drops the node of a commit a streaming walk is done with, when it
// was loaded again (for a tree comparison) after the walk finished it.
func (w *walker) forget(h plumbing.Hash) {
	if n := w.nodes[h]; n != nil && n.flags&flagSeen == 0 {
		delete(w.nodes, h)
	}
}

// markParentsUninteresting propagates the flag through ancestors already
// loaded (git's mark_parents_uninteresting).
func (w *walker) markParentsUninteresting(n *wnode) {
	stack := []*wnode{n}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, ph := range c.parents {
			p := w.nodes[ph]
			if p == nil {
				p = &wnode{hash: ph}
				w.nodes[ph] = p
			}
			if p.flags&flagUninteresting != 0 {
				continue
			}
			p.flags |= flagUninteresting
			if p.flags&flagParsed != 0 {
				stack = append(stack, p)
			}
		}
	}
}

// simplify applies git's default history simplification for paths
// (try_to_simplify_commit with simplify_history).
func (w *walker) simplify(n *wnode) error {
	if len(n.parents) == 0 {
		empty, err := w.pathsEmpty(n)
		if err != nil {
			return err
		}
		if empty {
			n.flags |= flagTreesame
		}
		return nil
	}
	relevant, relevantChange, irrelevantChange := 0, 0, 0
	for i, ph := range n.parents {
		p, err := w.node(ph)
		if err != nil {
			return err
		}
		isRelevant := p.flags&flagUninteresting == 0 || p.flags&flagBottom != 0
		if isRelevant {
			relevant++
		}
		if i == 1 && w.firstParent {
			break
		}
		same, err := w.sameAt(p, n)
		if err != nil {
			return err
		}
		if same {
			if !isRelevant {
				continue
			}
			n.parents = []plumbing.Hash{ph}
			n.flags |= flagTreesame
			return nil
		}
		if isRelevant {
			relevantChange++
		} else {
			irrelevantChange++
		}
	}
	if relevant > 0 {
		if relevantChange == 0 {
			n.flags |= flagTreesame
		}
	} else if irrelevantChange == 0 {
		n.flags |= flagTreesame
	}
	return nil
}

func (w *walker) sameAt(a, b *wnode) (bool, error) {
	if a.tree == b.tree {
		return true, nil
	}
	ia, err := w.pathsOf(a)
	if err != nil {
		return false, err
	}
	ib, err := w.pathsOf(b)
	if err != nil {
		return false, err
	}
	for i := range ia {
		if ia[i] != ib[i] {
			return false, nil
		}
	}
	return true, nil
}

func (w *walker) pathsEmpty(n *wnode) (bool, error) {
	ids, err := w.pathsOf(n)
	if err != nil {
		return false, err
	}
	for _, h := range ids {
		if !h.IsZero() {
			return false, nil
		}
	}
	return true, nil
}

// pathsOf returns the ids at the walker's paths in n's tree, computed by
// the read-ahead workers when they decoded n, else here.
func (w *walker) pathsOf(n *wnode) ([]plumbing.Hash, error) {
	if n.paths == nil {
		ids, err := w.trees.ids(n.tree, w.paths)
		if err != nil {
			return nil, err
		}
		n.paths = ids
	}
	return n.paths, nil
}

// treeIndex looks up paths in trees, caching (tree, name) steps. It is
// safe for concurrent use: the read-ahead workers and the walker share it.
type treeIndex struct {
	store *objectStore
	mu    sync.Mutex
	cache map[treeKey]plumbing.Hash
}

func newTreeIndex(store *objectStore) *treeIndex {
	return &treeIndex{store: store, cache: make(map[treeKey]plumbing.Hash)}
}

// ids returns the id of each path in tree (zero where absent).
func (t *treeIndex) ids(tree plumbing.Hash, paths [][]string) ([]plumbing.Hash, error) {
	out := make([]plumbing.Hash, len(paths))
	for i, p := range paths {
		h, err := t.lookup(tree, p)
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}

// lookup returns the id of the entry at path in tree, or the zero hash.
func (t *treeIndex) lookup(tree plumbing.Hash, path []string) (plumbing.Hash, error) {
	cur := tree
	for _, name := range path {
		if cur.IsZero() {
			return cur, nil
		}
		k := treeKey{cur, name}
		t.mu.Lock()
		h, ok := t.cache[k]
		t.mu.Unlock()
		if ok {
			cur = h
			continue
		}
		typ, data, err := t.store.read(cur)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("read tree %s: %w", cur, err)
		}
		var next plumbing.Hash
		if typ == plumbing.TreeObject {
			next = treeEntry(data, name)
		}
		t.mu.Lock()
		if len(t.cache) > 1<<20 {
			clear(t.cache)
		}
		t.cache[k] = next
		t.mu.Unlock()
		cur = next
	}
	return cur, nil
}

// treeEntry finds name in a raw tree object.
func treeEntry(data []byte, name string) plumbing.Hash {
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp < 0 {
			break
		}
		nul := bytes.IndexByte(data[sp:], 0)
		if nul < 0 {
			break
		}
		nul += sp
		if nul+21 > len(data) {
			break
		}
		if string(data[sp+1:nul]) == name {
			var h plumbing.Hash
			copy(h[:], data[nul+1:nul+21])
			return h
		}
		data = data[nul+21:]
	}
	return plumbing.ZeroHash
}

// slop is git's SLOP: how many more commits to read once everything left
// looks uninteresting, to absorb clock skew.
const slop = 5

// run walks and calls emit for every selected commit, in git rev-list's
// order. emit returning false stops the walk.
func (w *walker) run(emit func(n *wnode) bool) error {
	if !w.limited {
		return w.stream(emit)
	}
	var out []*wnode
	date := int64(1<<63 - 1)
	s := slop
	for w.queue.Len() > 0 {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		n := heap.Pop(&w.queue).(*wnode)
		if err := w.processParents(n); err != nil {
			return err
		}
		if n.flags&flagUninteresting != 0 {
			s = w.stillInteresting(date, s)
			if s > 0 {
				continue
			}
			break
		}
		date = n.time
		out = append(out, n)
	}
	if w.incomplete != nil {
		for _, n := range out {
			if n.flags&flagUninteresting == 0 && w.shallow[n.hash] {
				return w.incomplete
			}
		}
	}
	sel := out[:0]
	for _, n := range out {
		if n.flags&(flagUninteresting|flagTreesame) == 0 {
			sel = append(sel, n)
		}
	}
	if w.prepare != nil {
		w.prepare(sel)
	}
	for _, n := range sel {
		if !emit(n) {
			return nil
		}
		n.dec = decoded{}
	}
	return nil
}

func (w *walker) stillInteresting(date int64, s int) int {
	if w.queue.Len() == 0 {
		return 0
	}
	if date <= w.queue[0].time {
		return slop
	}
	for _, q := range w.queue {
		if q.flags&flagUninteresting == 0 {
			return slop
		}
	}
	return s - 1
}

// stream walks without uninteresting commits, emitting as it goes and
// forgetting each commit once its parents are queued.
func (w *walker) stream(emit func(n *wnode) bool) error {
	for w.queue.Len() > 0 {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		n := heap.Pop(&w.queue).(*wnode)
		if err := w.processParents(n); err != nil {
			return err
		}
		if n.flags&flagTreesame == 0 {
			if !emit(n) {
				return nil
			}
		}
		// Only "seen" matters from here on: keep one bit, drop the node.
		if w.done == nil {
			w.done = newObjectSet(w.store)
		}
		w.done.add(n.hash)
		delete(w.nodes, n.hash)
	}
	return w.incomplete
}

// nodeQueue orders by committer date, newest first, then insertion order.
type nodeQueue []*wnode

func (q nodeQueue) Len() int { return len(q) }
func (q nodeQueue) Less(i, j int) bool {
	if q[i].time != q[j].time {
		return q[i].time > q[j].time
	}
	return q[i].seq < q[j].seq
}
func (q nodeQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *nodeQueue) Push(x any)   { *q = append(*q, x.(*wnode)) }
func (q *nodeQueue) Pop() any {
	old := *q
	n := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return n
}

package commits

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"
)

// reachVisits counts the commits [reachable] has taken from its queue, for
// the tests that show the work does not grow with the number of candidates
// or with the history behind them.
var reachVisits atomic.Int64

// rnode is a commit met by [reachable].
type rnode struct {
	hash    plumbing.Hash
	parents []plumbing.Hash
	gen     uint64 // commit-graph generation, infiniteGeneration without one
	time    int64
	seq     uint64
	tips    bool     // reachable from the tips
	cands   []uint64 // bit i: an ancestor of (or equal to) candidate i
	queued  bool
	cand    []int // the candidates this commit is
}

// reachable reports, for each candidate, whether it is reachable from any
// of tips, with one walk for all candidates (git's paint_down_to_common,
// with one colour per candidate).
//
// Commits are painted from the tips and from every candidate, in
// generation order when the repository has a commit-graph and in
// commit-date order otherwise. A candidate is reachable once the tips'
// paint reaches it. It is decided unreachable when the tips' paint can no
// longer reach it:
//   - every queued commit painted by the tips is an ancestor of the
//     candidate (it carries the candidate's colour), so none of their
//     ancestors is the candidate; or
//   - with generation numbers (then the colours are not painted, see
//     [reachWalk]), every queued commit painted by the tips has a lower
//     generation than the candidate.
//
// The walk stops when every candidate is decided, so its cost follows the
// commits between the tips and the candidates' common history, never the
// whole history. The answers never depend on commit dates being right;
// only the amount of work does.
func reachable(ctx context.Context, store *objectStore, shallow map[plumbing.Hash]bool, tips, candidates []plumbing.Hash) ([]bool, error) {
	if len(candidates) == 0 || len(tips) == 0 {
		return make([]bool, len(candidates)), nil
	}
	var graph *commitGraph
	if len(shallow) == 0 {
		graph = store.commitGraph() // shallow boundaries are not in the graph's parents
	}
	if graph != nil {
		out, err := reachWalk(ctx, store, shallow, graph, tips, candidates)
		if !errors.Is(err, errNoGeneration) {
			return out, err
		}
		// A graph layer without generation numbers: walk by date instead.
	}
	return reachWalk(ctx, store, shallow, nil, tips, candidates)
}

// reachWalk is [reachable] in generation order with graph, else in
// commit-date order.
//
// With generation numbers the candidates' colours are not painted: a
// commit that is an ancestor of every open candidate has a lower generation
// than all of them, so the generation cut-off always stops the tips' paint
// at least as early as the colours would, and painting them would only add
// work.
func reachWalk(ctx context.Context, store *objectStore, shallow map[plumbing.Hash]bool, graph *commitGraph, tips, candidates []plumbing.Hash) ([]bool, error) {
	out := make([]bool, len(candidates))
	reader := newCommitReader(store, nil)
	reader.aheadAfter = 8192 // see commitReader.aheadAfter
	defer reader.close()

	words := (len(candidates) + 63) / 64
	open := make([]uint64, words) // candidates not decided yet
	nopen := 0
	nodes := make(map[plumbing.Hash]*rnode)
	var candNodes []*rnode
	var queue reachQueue
	var seq uint64
	visits := int64(0)
	defer func() { reachVisits.Add(visits) }()

	load := func(h plumbing.Hash) (*rnode, error) {
		if n := nodes[h]; n != nil {
			return n, nil
		}
		n := &rnode{hash: h, gen: infiniteGeneration, cands: make([]uint64, words)}
		inGraph := false
		if graph != nil {
			parents, gen, ok, err := graph.lookup(h)
			switch {
			case errors.Is(err, errNoGeneration):
				return nil, err
			case err != nil:
				return nil, fmt.Errorf("read commit-graph: %w", err)
			case ok:
				n.parents, n.gen, inGraph = parents, gen, true
			}
		}
		if !inGraph {
			d, err := reader.get(h)
			if err != nil {
				if errors.Is(err, plumbing.ErrObjectNotFound) {
					return nil, nil // missing history: nothing to paint through
				}
				return nil, fmt.Errorf("read commit %s: %w", h, err)
			}
			n.parents, n.time = d.rc.parents, d.rc.time
			if shallow[h] {
				n.parents = nil
			}
		}
		nodes[h] = n
		return n, nil
	}
	decide := func(n *rnode, reached bool) {
		for _, i := range n.cand {
			if open[i/64]&(1<<(i%64)) != 0 {
				open[i/64] &^= 1 << (i % 64)
				nopen--
				out[i] = reached
			}
		}
	}
	// paint ors the tips' paint and the candidate colours into n and queues
	// it when that adds anything.
	paint := func(n *rnode, tipsPaint bool, cands []uint64) {
		changed := false
		if tipsPaint && !n.tips {
			n.tips, changed = true, true
			decide(n, true)
		}
		for i, w := range cands {
			if n.cands[i]|w != n.cands[i] {
				n.cands[i] |= w
				changed = true
			}
		}
		if changed && !n.queued {
			seq++
			n.seq, n.queued = seq, true
			heap.Push(&queue, n)
		}
	}

	for i, c := range candidates {
		n, err := load(c)
		if err != nil {
			return nil, err
		}
		if n == nil {
			continue // missing: not reachable
		}
		if len(n.cand) == 0 {
			candNodes = append(candNodes, n)
		}
		n.cand = append(n.cand, i)
		open[i/64] |= 1 << (i % 64)
		nopen++
	}
	for _, c := range candidates {
		if n := nodes[c]; n != nil && graph == nil {
			colour := make([]uint64, words)
			for _, i := range n.cand {
				colour[i/64] |= 1 << (i % 64)
			}
			paint(n, false, colour)
		}
	}
	for _, t := range tips {
		n, err := load(t)
		if err != nil {
			return nil, err
		}
		if n != nil {
			paint(n, true, nil)
		}
	}

	for nopen > 0 && queue.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Is any commit painted by the tips still able to reach an open
		// candidate? Decide by generation the candidates above them all.
		live := false
		maxGen := uint64(0)
		for _, q := range queue {
			if !q.tips {
				continue
			}
			maxGen = max(maxGen, q.gen)
			if !live {
				for i, w := range open {
					if w&^q.cands[i] != 0 {
						live = true
						break
					}
				}
			}
		}
		if !live {
			break
		}
		if maxGen != infiniteGeneration {
			for _, n := range candNodes {
				if n.gen > maxGen {
					decide(n, false)
				}
			}
			if nopen == 0 {
				break
			}
		}
		n := heap.Pop(&queue).(*rnode)
		n.queued = false
		visits++
		for _, ph := range n.parents {
			p, err := load(ph)
			if err != nil {
				return nil, err
			}
			if p != nil {
				paint(p, n.tips, n.cands)
			}
		}
	}
	// Whatever is still open was not reached by the tips' paint.
	return out, nil
}

// reachQueue orders by generation, then committer date, newest first, then
// insertion order.
type reachQueue []*rnode

func (q reachQueue) Len() int { return len(q) }
func (q reachQueue) Less(i, j int) bool {
	if q[i].gen != q[j].gen {
		return q[i].gen > q[j].gen
	}
	if q[i].time != q[j].time {
		return q[i].time > q[j].time
	}
	return q[i].seq < q[j].seq
}
func (q reachQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *reachQueue) Push(x any)   { *q = append(*q, x.(*rnode)) }
func (q *reachQueue) Pop() any {
	old := *q
	n := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return n
}

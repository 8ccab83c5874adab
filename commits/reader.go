package commits

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"
)

// commitReader hands the walker decoded commits. Once a walk has read more
// than a few dozen commits it starts reading ahead: git writes commits into
// packfiles in traversal order (and fast-import in the reverse order), so
// the commits the walker will ask for next usually sit next to the one it
// asked for last. Workers on every core inflate and decode those ahead of
// time, and when build is set they also parse the message, so the walker
// itself only follows parents.
type commitReader struct {
	store *objectStore
	build func(h plumbing.Hash, rc rawCommit) any // optional per-commit work done on the workers
	// syncBuild is the work done for a commit read by the walker itself
	// (newCommitReader sets it to build); a walk that buffers its result
	// sets a lighter one and builds what it selects in parallel later.
	syncBuild func(h plumbing.Hash, rc rawCommit) any

	reads int // synchronous reads so far
	// aheadAfter overrides readAheadAfter when set: walks that usually
	// read a few thousand commits scattered over the pack (the candidate
	// tags' reachability) are cheaper read one by one than paying for the
	// offset table, which scans every entry of the pack.
	aheadAfter int

	// read-ahead state, used by the walker goroutine only (slots is shared
	// with the workers through each slot's done channel).
	ahead    bool
	tried    bool // read-ahead was considered (and maybe refused)
	pack     int
	order    *packOrder // the pack's entries in pack order
	sched    []uint64   // bitset over order positions: scheduled or consumed
	slots    map[uint64]*slot
	lastPos  int
	frontier int // furthest scheduled position in the current direction
	evictAt  int // slots above which evict makes its next pass
	dir      int
	jobs     chan job
	wg       sync.WaitGroup
}

type job struct {
	offset uint64
	s      *slot
}

type slot struct {
	pos   int
	done  chan struct{}
	hash  plumbing.Hash
	rc    rawCommit
	built any
	err   error
}

// readAheadAfter is the number of commits read one by one before read-ahead
// starts, so that short walks (the commits since the last release) never
// pay for starting the workers.
const readAheadAfter = 64

// readAheadAfterRange is readAheadAfter for a range walk (Log with From):
// a release's commits are read one by one, as git does.
const readAheadAfterRange = 4096

// readAheadAmortize bounds the cost of the pack order of a pack without a
// reverse index: read-ahead starts only once the walk has read one commit
// for every readAheadAmortize entries of the pack, so sorting the pack's
// offsets never costs more than a fixed share of the walk itself, and a
// short range of a large history (one release) reads only its own commits,
// as `git log A..B` does.
const readAheadAmortize = 16

// objectReads counts the commits decoded (by the walker or the read-ahead
// workers) and the pack index entries read to order a pack, for the tests
// that show a range costs work in proportion to its size, not to the
// history behind it.
var objectReads atomic.Int64

// readAheadWindow is how many commits ahead of the walker are scheduled.
const readAheadWindow = 512

// readAheadSpread is how many pack entries per commit the scheduling window
// spans, for packs that interleave commits with their trees and blobs.
const readAheadSpread = 4

// decoded is one commit handed to the walker.
type decoded struct {
	rc    rawCommit
	built any // result of build, when it ran
}

func newCommitReader(store *objectStore, build func(plumbing.Hash, rawCommit) any) *commitReader {
	return &commitReader{store: store, build: build, syncBuild: build}
}

func (r *commitReader) close() {
	if r.jobs != nil {
		close(r.jobs)
		r.wg.Wait()
		r.jobs = nil
	}
}

// get returns commit h.
func (r *commitReader) get(h plumbing.Hash) (decoded, error) {
	pi, off, inPack := r.store.location(h)
	if r.ahead && inPack && pi == r.pack {
		if s, ok := r.slots[off]; ok {
			<-s.done
			delete(r.slots, off)
			r.schedule(s.pos)
			if s.err == nil && s.hash == h {
				return decoded{rc: s.rc, built: s.built}, nil
			}
		} else if pos, ok := r.order.search(off); ok {
			r.schedule(pos)
		}
	}
	var typ plumbing.ObjectType
	var data []byte
	var err error
	if inPack {
		typ, data, err = r.store.readAt(pi, off)
		if err != nil {
			typ, data, err = r.store.readFallback(h)
		}
	} else {
		typ, data, err = r.store.readFallback(h)
	}
	if err != nil {
		return decoded{}, err
	}
	if typ != plumbing.CommitObject {
		return decoded{}, errNotCommit
	}
	rc, err := parseRawCommit(data)
	if err != nil {
		return decoded{}, err
	}
	var built any
	if r.syncBuild != nil {
		built = r.syncBuild(h, rc)
	}
	r.reads++
	objectReads.Add(1)
	if !r.ahead && !r.tried && inPack && r.reads >= r.threshold(pi) {
		r.startReadAhead(pi, off)
	}
	return decoded{rc: rc, built: built}, nil
}

// threshold is the number of synchronous reads after which read-ahead in
// pack pi starts: readAheadAfter (or aheadAfter), and for a pack without a
// reverse index at least one read per readAheadAmortize entries.
func (r *commitReader) threshold(pi int) int {
	after := readAheadAfter
	if r.aheadAfter > 0 {
		after = r.aheadAfter
	}
	if p := r.store.packs[pi]; !p.hasReverseIndex() {
		after = max(after, p.count/readAheadAmortize)
	}
	return after
}

func (r *commitReader) startReadAhead(pi int, off uint64) {
	r.tried = true
	p := r.store.packs[pi]
	if p.count < 2*readAheadAfter {
		return
	}
	r.order = p.order()
	pos, ok := r.order.search(off)
	if !ok {
		r.order = nil
		return
	}
	r.ahead = true
	r.pack = pi
	r.sched = make([]uint64, (r.order.len()+63)/64)
	r.slots = make(map[uint64]*slot)
	r.lastPos = pos
	r.frontier = pos
	r.dir = 0
	workers := runtime.GOMAXPROCS(0)
	r.jobs = make(chan job, readAheadWindow)
	for range workers {
		r.wg.Add(1)
		go r.work(pi)
	}
	r.schedule(pos)
}

func (r *commitReader) work(pi int) {
	defer r.wg.Done()
	for j := range r.jobs {
		s := j.s
		{
			var data []byte
			var typ plumbing.ObjectType
			typ, data, s.err = r.store.readAt(pi, j.offset)
			if s.err == nil && typ != plumbing.CommitObject {
				s.err = errNotCommit
			}
			if s.err == nil {
				s.rc, s.err = parseRawCommit(data)
			}
			if s.err == nil && r.build != nil {
				s.built = r.build(s.hash, s.rc)
			}
			objectReads.Add(1)
		}
		close(s.done)
	}
}

// schedule queues read-ahead around position pos, in the direction the
// walker is moving.
func (r *commitReader) schedule(pos int) {
	r.setBit(pos)
	d := 1
	if pos < r.lastPos {
		d = -1
	}
	if d != r.dir {
		r.dir = d
		r.frontier = pos
	}
	r.lastPos = pos
	if d > 0 && r.frontier < pos {
		r.frontier = pos
	}
	if d < 0 && r.frontier > pos {
		r.frontier = pos
	}
	// The window counts pack entries: trees and blobs between the commits
	// (fast-import interleaves them) are skipped from their header byte and
	// the channel's capacity bounds the commits in flight.
	p := r.store.packs[r.pack]
	limit := pos + d*readAheadWindow*readAheadSpread
	for i := r.frontier + d; i >= 0 && i < r.order.len() && (d > 0 && i <= limit || d < 0 && i >= limit); i += d {
		r.frontier = i
		if r.bit(i) {
			continue
		}
		off, ip := r.order.at(i)
		if !p.isCommit(off) {
			r.setBit(i)
			continue
		}
		r.setBit(i)
		s := &slot{pos: i, done: make(chan struct{}), hash: p.hashAt(ip)}
		r.slots[off] = s
		select {
		case r.jobs <- job{offset: off, s: s}:
		default:
			// The workers are a full window behind: stop here and let the
			// walker catch up; unscheduled positions are picked up later.
			r.clearBit(i)
			delete(r.slots, off)
			r.frontier = i - d
			r.evict(pos)
			return
		}
	}
	r.evict(pos)
}

// evict drops finished read-ahead results far behind the walker (commits on
// branches the walk never reached), keeping memory bounded.
//
// A pass looks at every slot, so it runs only once the slots have doubled
// since the last pass left them: its cost is amortized over the slots
// scheduled, however many stay near the walker.
func (r *commitReader) evict(pos int) {
	if len(r.slots) <= max(4*readAheadWindow, r.evictAt) {
		return
	}
	defer func() { r.evictAt = 2 * len(r.slots) }()
	for off, s := range r.slots {
		if s.pos-pos > 2*readAheadWindow*readAheadSpread || pos-s.pos > 2*readAheadWindow*readAheadSpread {
			select {
			case <-s.done:
				delete(r.slots, off)
			default:
			}
		}
	}
}

func (r *commitReader) bit(i int) bool { return r.sched[i/64]&(1<<(uint(i)%64)) != 0 }
func (r *commitReader) setBit(i int)   { r.sched[i/64] |= 1 << (uint(i) % 64) }
func (r *commitReader) clearBit(i int) { r.sched[i/64] &^= 1 << (uint(i) % 64) }

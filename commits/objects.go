package commits

import (
	"bytes"
	"cmp"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// objectStore reads raw git objects for the history walker.
//
// go-git's object storage decodes every object into a MemoryObject, hashes
// it, and (unless the repository was opened with KeepDescriptors) opens and
// closes the packfile for each lookup. For a history walk that reads every
// commit once, that costs several times what git itself spends. objectStore
// maps the packfiles and their version 2 indexes read-only and inflates
// objects straight from the mapping; anything it cannot serve (loose objects,
// alternates, repositories not on disk) goes to the repository's own storer,
// so results never depend on which path served them.
//
// objectStore is safe for concurrent use.
type objectStore struct {
	packs    []*mappedPack
	fallback storer.EncodedObjectStorer

	baseMu    sync.Mutex
	baseCache map[baseKey][]byte // delta bases, bounded by baseBudget
	baseBytes int

	repo      *git.Repository
	graphOnce sync.Once
	graph     *commitGraph // nil when the repository has no usable commit-graph
}

type baseKey struct {
	pack   int
	offset uint64
}

const baseBudget = 32 << 20

// Object types as stored in a packfile header.
const (
	packCommit   = 1
	packTree     = 2
	packBlob     = 3
	packTag      = 4
	packOfsDelta = 6
	packRefDelta = 7
)

// errCorruptPack is returned when a packfile or its index does not have the
// documented layout; the walk then stops with this error rather than guess.
var errCorruptPack = errors.New("commits: corrupt packfile")

func newObjectStore(repo *git.Repository) *objectStore {
	s := &objectStore{fallback: repo.Storer, baseCache: make(map[baseKey][]byte), repo: repo}
	fsStorage, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return s
	}
	root := fsStorage.Filesystem().Root()
	packDir := filepath.Join(root, "objects", "pack")
	entries, err := os.ReadDir(packDir)
	if err != nil {
		return s
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".idx") {
			continue
		}
		base := strings.TrimSuffix(name, ".idx")
		p, err := openMappedPack(filepath.Join(packDir, base+".idx"), filepath.Join(packDir, base+".pack"))
		if err != nil {
			continue // the fallback storer still serves its objects
		}
		s.packs = append(s.packs, p)
	}
	// Larger packs first: most lookups hit the main pack.
	sort.SliceStable(s.packs, func(i, j int) bool { return s.packs[i].count > s.packs[j].count })
	return s
}

// commitGraph returns the repository's commit-graph, opened on first use,
// or nil when there is none.
func (s *objectStore) commitGraph() *commitGraph {
	s.graphOnce.Do(func() {
		if s.repo != nil {
			s.graph = openCommitGraph(s.repo)
		}
	})
	return s.graph
}

func (s *objectStore) close() {
	s.graphOnce.Do(func() {}) // no graph opened after close
	s.graph.close()
	s.graph = nil
	for _, p := range s.packs {
		p.close()
	}
	s.packs = nil
}

// location returns the pack and offset holding h, or ok=false.
func (s *objectStore) location(h plumbing.Hash) (pack int, offset uint64, ok bool) {
	for i, p := range s.packs {
		if off, found := p.find(h); found {
			return i, off, true
		}
	}
	return 0, 0, false
}

// objectSet is a set of object ids that costs one bit per packed object
// (plus a map entry for objects outside the packs), so that marking every
// commit of a long history as seen stays small.
type objectSet struct {
	store *objectStore
	bits  [][]uint64
	other map[plumbing.Hash]struct{}
}

func newObjectSet(store *objectStore) *objectSet {
	s := &objectSet{store: store, bits: make([][]uint64, len(store.packs)), other: make(map[plumbing.Hash]struct{})}
	for i, p := range store.packs {
		s.bits[i] = make([]uint64, (p.count+63)/64)
	}
	return s
}

func (s *objectSet) slot(h plumbing.Hash) (pack, pos int, ok bool) {
	for i, p := range s.store.packs {
		if pos, _, found := p.findPos(h); found {
			return i, pos, true
		}
	}
	return 0, 0, false
}

// add inserts h and reports whether it was already there.
func (s *objectSet) add(h plumbing.Hash) bool {
	if pi, pos, ok := s.slot(h); ok {
		w, b := pos/64, uint64(1)<<(uint(pos)%64)
		had := s.bits[pi][w]&b != 0
		s.bits[pi][w] |= b
		return had
	}
	_, had := s.other[h]
	s.other[h] = struct{}{}
	return had
}

func (s *objectSet) has(h plumbing.Hash) bool {
	if pi, pos, ok := s.slot(h); ok {
		return s.bits[pi][pos/64]&(uint64(1)<<(uint(pos)%64)) != 0
	}
	_, had := s.other[h]
	return had
}

// packedType returns the type of h from its pack entry header when h is
// packed whole (not as a delta), without inflating it.
func (s *objectStore) packedType(h plumbing.Hash) (plumbing.ObjectType, bool) {
	pi, off, ok := s.location(h)
	if !ok {
		return plumbing.InvalidObject, false
	}
	t, _, _, err := s.packs[pi].header(off)
	if err != nil || t < packCommit || t > packTag {
		return plumbing.InvalidObject, false
	}
	return plumbing.ObjectType(t), true
}

// read returns the type and content of the object h. The returned slice is
// owned by the caller.
func (s *objectStore) read(h plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	if pi, off, ok := s.location(h); ok {
		t, data, err := s.readAt(pi, off)
		if err == nil {
			return t, data, nil
		}
		// A damaged or unusual pack entry: let go-git try before failing.
	}
	return s.readFallback(h)
}

func (s *objectStore) readFallback(h plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	obj, err := s.fallback.EncodedObject(plumbing.AnyObject, h)
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	r, err := obj.Reader()
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	defer r.Close()
	data := make([]byte, 0, obj.Size())
	buf := bytes.NewBuffer(data)
	if _, err := io.Copy(buf, r); err != nil {
		return plumbing.InvalidObject, nil, err
	}
	return obj.Type(), buf.Bytes(), nil
}

// readAt decodes the object at offset in pack pi, resolving deltas.
func (s *objectStore) readAt(pi int, offset uint64) (plumbing.ObjectType, []byte, error) {
	return s.readAtDepth(pi, offset, 0)
}

const maxDeltaDepth = 4096

func (s *objectStore) readAtDepth(pi int, offset uint64, depth int) (plumbing.ObjectType, []byte, error) {
	if depth > maxDeltaDepth {
		return plumbing.InvalidObject, nil, errCorruptPack
	}
	p := s.packs[pi]
	typ, size, hdr, err := p.header(offset)
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	switch typ {
	case packCommit, packTree, packBlob, packTag:
		data, err := p.inflate(offset+uint64(hdr), size)
		if err != nil {
			return plumbing.InvalidObject, nil, err
		}
		return plumbing.ObjectType(typ), data, nil
	case packOfsDelta, packRefDelta:
		pos := offset + uint64(hdr)
		var baseType plumbing.ObjectType
		var base []byte
		if typ == packOfsDelta {
			rel, n, err := p.ofsDelta(pos)
			if err != nil {
				return plumbing.InvalidObject, nil, err
			}
			if rel > offset {
				return plumbing.InvalidObject, nil, errCorruptPack
			}
			pos += uint64(n)
			baseType, base, err = s.base(pi, offset-rel, depth)
			if err != nil {
				return plumbing.InvalidObject, nil, err
			}
		} else {
			if pos+20 > uint64(len(p.data)) {
				return plumbing.InvalidObject, nil, errCorruptPack
			}
			var bh plumbing.Hash
			copy(bh[:], p.data[pos:pos+20])
			pos += 20
			bpi, boff, ok := s.location(bh)
			if ok {
				baseType, base, err = s.base(bpi, boff, depth)
			} else {
				baseType, base, err = s.readFallback(bh)
			}
			if err != nil {
				return plumbing.InvalidObject, nil, err
			}
		}
		delta, err := p.inflate(pos, size)
		if err != nil {
			return plumbing.InvalidObject, nil, err
		}
		out, err := packfile.PatchDelta(base, delta)
		if err != nil {
			return plumbing.InvalidObject, nil, fmt.Errorf("%w: %v", errCorruptPack, err)
		}
		return baseType, out, nil
	default:
		return plumbing.InvalidObject, nil, errCorruptPack
	}
}

// base returns a delta base, from the cache when possible. The returned
// slice must not be modified.
func (s *objectStore) base(pi int, offset uint64, depth int) (plumbing.ObjectType, []byte, error) {
	key := baseKey{pi, offset}
	s.baseMu.Lock()
	data, ok := s.baseCache[key]
	s.baseMu.Unlock()
	if ok {
		t, _, _, err := s.packs[pi].header(offset)
		if err == nil && t >= packCommit && t <= packTag {
			return plumbing.ObjectType(t), data, nil
		}
	}
	t, data, err := s.readAtDepth(pi, offset, depth+1)
	if err != nil {
		return t, nil, err
	}
	if t >= plumbing.CommitObject && t <= plumbing.TagObject {
		// Only cache bases whose own header says what they are, so the
		// type check above stays valid; resolved deltas are recomputed.
		if raw, _, _, herr := s.packs[pi].header(offset); herr == nil && raw >= packCommit && raw <= packTag {
			s.baseMu.Lock()
			if s.baseBytes+len(data) > baseBudget {
				clear(s.baseCache)
				s.baseBytes = 0
			}
			s.baseCache[key] = data
			s.baseBytes += len(data)
			s.baseMu.Unlock()
		}
	}
	return t, data, nil
}

// mappedPack is one packfile with its version 2 index, both mapped.
type mappedPack struct {
	data    []byte // the .pack file
	idx     []byte // the .idx file
	count   int
	fanout  []byte
	names   []byte
	offsets []byte
	large   []byte
	rev     []byte // the .rev table (index positions in pack order), or nil
	unmap   func()
}

func openMappedPack(idxPath, packPath string) (*mappedPack, error) {
	idx, unmapIdx, err := mapFile(idxPath)
	if err != nil {
		return nil, err
	}
	data, unmapPack, err := mapFile(packPath)
	if err != nil {
		unmapIdx()
		return nil, err
	}
	p := &mappedPack{data: data, idx: idx, unmap: func() { unmapIdx(); unmapPack() }}
	if err := p.parseIndex(); err != nil {
		p.close()
		return nil, err
	}
	if len(data) < 12 || !bytes.Equal(data[:4], []byte("PACK")) {
		p.close()
		return nil, errCorruptPack
	}
	p.openReverseIndex(strings.TrimSuffix(packPath, ".pack") + ".rev")
	return p, nil
}

func (p *mappedPack) close() {
	if p.unmap != nil {
		p.unmap()
		p.unmap = nil
	}
}

func (p *mappedPack) parseIndex() error {
	b := p.idx
	if len(b) < 8+256*4 || !bytes.Equal(b[:4], []byte{0xff, 't', 'O', 'c'}) || binary.BigEndian.Uint32(b[4:8]) != 2 {
		return errCorruptPack
	}
	p.fanout = b[8 : 8+256*4]
	n := int(binary.BigEndian.Uint32(p.fanout[255*4:]))
	pos := 8 + 256*4
	need := pos + n*20 + n*4 + n*4
	if n < 0 || len(b) < need+40 {
		return errCorruptPack
	}
	p.count = n
	p.names = b[pos : pos+n*20]
	pos += n * 20
	pos += n * 4 // CRC32s
	p.offsets = b[pos : pos+n*4]
	pos += n * 4
	p.large = b[pos : len(b)-40]
	return nil
}

// find returns the pack offset of h.
func (p *mappedPack) find(h plumbing.Hash) (uint64, bool) {
	_, off, ok := p.findPos(h)
	return off, ok
}

// findPos returns the index position and pack offset of h.
func (p *mappedPack) findPos(h plumbing.Hash) (int, uint64, bool) {
	first := int(h[0])
	lo := 0
	if first > 0 {
		lo = int(binary.BigEndian.Uint32(p.fanout[(first-1)*4:]))
	}
	hi := int(binary.BigEndian.Uint32(p.fanout[first*4:]))
	if hi > p.count || lo > hi {
		return 0, 0, false
	}
	// Object ids are uniformly distributed: guess the position from the
	// next bytes of h (interpolation) and bisect from a bracket of a few
	// standard deviations around the guess when h lies in it, so that a
	// lookup in a large index reads one or two pages of it instead of a
	// dozen (what a lookup costs when the index is not in cache).
	if n := hi - lo; n > 64 {
		k := uint64(binary.BigEndian.Uint32(h[1:]))
		guess := lo + int(k*uint64(n)>>32)
		d := 2*isqrt(n) + 2
		bl, bh := max(lo, guess-d), min(hi, guess+d)
		if bl > lo && bytes.Compare(p.names[bl*20:bl*20+20], h[:]) > 0 {
			hi = bl
		} else if bh < hi && bytes.Compare(p.names[(bh-1)*20:bh*20], h[:]) < 0 {
			lo = bh
		} else {
			lo, hi = bl, bh
		}
	}
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		c := bytes.Compare(p.names[mid*20:mid*20+20], h[:])
		switch {
		case c == 0:
			off, ok := p.offsetAt(mid)
			return mid, off, ok
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, 0, false
}

// isqrt returns the integer square root of n >= 0.
func isqrt(n int) int {
	r := 0
	for b := 1 << 15; b > 0; b >>= 1 {
		if (r+b)*(r+b) <= n {
			r += b
		}
	}
	return r
}

// hashAt returns the object id at index position i.
func (p *mappedPack) hashAt(i int) plumbing.Hash {
	var h plumbing.Hash
	copy(h[:], p.names[i*20:i*20+20])
	return h
}

func (p *mappedPack) offsetAt(i int) (uint64, bool) {
	o := binary.BigEndian.Uint32(p.offsets[i*4:])
	if o&0x80000000 == 0 {
		return uint64(o), true
	}
	li := int(o & 0x7fffffff)
	if (li+1)*8 > len(p.large) {
		return 0, false
	}
	return binary.BigEndian.Uint64(p.large[li*8:]), true
}

// header decodes the type and size at offset; hdr is the header length.
func (p *mappedPack) header(offset uint64) (typ int, size uint64, hdr int, err error) {
	if offset >= uint64(len(p.data)) {
		return 0, 0, 0, errCorruptPack
	}
	b := p.data[offset:]
	c := b[0]
	typ = int(c>>4) & 7
	size = uint64(c & 0x0f)
	shift := uint(4)
	i := 1
	for c&0x80 != 0 {
		if i >= len(b) || shift > 57 {
			return 0, 0, 0, errCorruptPack
		}
		c = b[i]
		i++
		size |= uint64(c&0x7f) << shift
		shift += 7
	}
	return typ, size, i, nil
}

func (p *mappedPack) ofsDelta(pos uint64) (uint64, int, error) {
	b := p.data[pos:]
	if len(b) == 0 {
		return 0, 0, errCorruptPack
	}
	c := b[0]
	off := uint64(c & 0x7f)
	i := 1
	for c&0x80 != 0 {
		if i >= len(b) || i > 9 {
			return 0, 0, errCorruptPack
		}
		c = b[i]
		i++
		off = ((off + 1) << 7) | uint64(c&0x7f)
	}
	return off, i, nil
}

// maxObjectSize bounds what a single pack entry may claim to inflate to, so a
// corrupt size field cannot make the reader allocate without limit.
const maxObjectSize = 1 << 30

var inflaters = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}

// inflate decompresses the zlib stream at pos into exactly size bytes.
func (p *mappedPack) inflate(pos uint64, size uint64) ([]byte, error) {
	if size > maxObjectSize || pos+2 > uint64(len(p.data)) {
		return nil, errCorruptPack
	}
	// Skip the two-byte zlib header; the pack's own checksum covers integrity.
	src := p.data[pos+2:]
	out := make([]byte, size)
	fr := inflaters.Get().(io.ReadCloser)
	defer inflaters.Put(fr)
	br := bytes.NewReader(src)
	if err := fr.(flate.Resetter).Reset(br, nil); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(fr, out); err != nil {
		return nil, fmt.Errorf("%w: %v", errCorruptPack, err)
	}
	return out, nil
}

// packOrder is a pack's entries in pack (offset) order, for read-ahead:
// position i holds the entry at the i-th smallest offset. It comes from the
// pack's reverse index (pack-*.rev, written by git since 2.31 and by
// default since 2.41) when there is one, at no cost, else from sorting the
// offsets of the .idx, which costs a pass over every entry of the pack (but
// reads only the index, never the pack data).
type packOrder struct {
	p   *mappedPack
	rev []byte   // the .rev's table: big-endian index positions in pack order
	off []uint64 // without a .rev: the offsets, ascending
	pos []int32  // without a .rev: the index position of each
}

func (o *packOrder) len() int {
	if o.rev != nil {
		return o.p.count
	}
	return len(o.off)
}

// at returns the offset and index position of the i-th entry.
func (o *packOrder) at(i int) (uint64, int) {
	if o.rev != nil {
		ip := int(binary.BigEndian.Uint32(o.rev[i*4:]))
		off, _ := o.p.offsetAt(ip)
		return off, ip
	}
	return o.off[i], int(o.pos[i])
}

// search returns the position of the entry at offset off.
func (o *packOrder) search(off uint64) (int, bool) {
	n := o.len()
	i := sort.Search(n, func(i int) bool { x, _ := o.at(i); return x >= off })
	if i < n {
		if x, _ := o.at(i); x == off {
			return i, true
		}
	}
	return 0, false
}

// isCommit reports whether the entry at off is a whole (undeltified)
// commit, from the first byte of its header.
func (p *mappedPack) isCommit(off uint64) bool {
	return off < uint64(len(p.data)) && int(p.data[off]>>4)&7 == packCommit
}

// hasReverseIndex reports whether the pack order is free (a .rev file).
func (p *mappedPack) hasReverseIndex() bool { return p.rev != nil }

// order returns the pack order; see [packOrder] for its cost. It counts
// the index entries it reads in [objectReads] when it sorts.
func (p *mappedPack) order() *packOrder {
	if p.rev != nil {
		return &packOrder{p: p, rev: p.rev}
	}
	type entry struct {
		off uint64
		i   int32
	}
	es := make([]entry, 0, p.count)
	for i := 0; i < p.count; i++ {
		off, ok := p.offsetAt(i)
		if !ok || off >= uint64(len(p.data)) {
			continue
		}
		es = append(es, entry{off, int32(i)})
	}
	objectReads.Add(int64(p.count))
	slices.SortFunc(es, func(a, b entry) int { return cmp.Compare(a.off, b.off) })
	o := &packOrder{p: p, off: make([]uint64, len(es)), pos: make([]int32, len(es))}
	for k, e := range es {
		o.off[k], o.pos[k] = e.off, e.i
	}
	return o
}

// openReverseIndex maps the pack's .rev file when it exists and has the
// documented layout (version 1, SHA-1, one position per object); p.rev is
// then its table. Any other file is ignored: the order is sorted instead.
func (p *mappedPack) openReverseIndex(revPath string) {
	data, unmap, err := mapFile(revPath)
	if err != nil {
		return
	}
	const hdr = 12
	if len(data) != hdr+4*p.count+2*20 || !bytes.Equal(data[:4], []byte("RIDX")) ||
		binary.BigEndian.Uint32(data[4:8]) != 1 || binary.BigEndian.Uint32(data[8:12]) != 1 {
		unmap()
		return
	}
	p.rev = data[hdr : hdr+4*p.count]
	prev := p.unmap
	p.unmap = func() { unmap(); prev() }
}

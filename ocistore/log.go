package ocistore

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/tlog"
)

// LogTag is the tag of the log's head manifest in the store's repository.
// It only ever moves by compare-and-swap.
const LogTag = "releasekit-log"

// pageWidth is the number of items in a full page.
const pageWidth = 32

// Item sizes: an entry is its blob's raw SHA-256 and its size (8 bytes,
// big-endian); a node and a page reference are a raw SHA-256.
const (
	entryItemSize = 32 + 8
	hashItemSize  = 32
)

// Annotations of the log's manifests.
const (
	annotationTree = "org.releasekit.log.tree" // the tlog.Tree, hex of MarshalBinary
	annotationPage = "org.releasekit.log.page" // "VECTOR/LEVEL" (head) or "VECTOR/LEVEL/INDEX" (seal)
	annotationSeq  = "org.releasekit.log.seq"  // a pending entry's Seq
)

// A vec is an append-only sequence of fixed-size items kept in pages of
// pageWidth items: level 0 holds the items, level k+1 the digests of the
// full pages of level k. A full page is immutable; the head names the
// partial page of each level.
type vec struct {
	name     string
	itemSize int // of level 0
	n        uint64
	partial  []ocispec.Descriptor // per level; zero Digest when the level has no partial page
}

func (v *vec) count(k int) uint64 {
	n := v.n
	for range k {
		n /= pageWidth
	}
	return n
}

func (v *vec) levels() int {
	k := 0
	for n := v.n; n > 0; n /= pageWidth {
		k++
	}
	return k
}

func (v *vec) isize(k int) int {
	if k == 0 {
		return v.itemSize
	}
	return hashItemSize
}

func (v *vec) clone() *vec {
	c := *v
	c.partial = slices.Clone(v.partial)
	return &c
}

// A head is the state the log's head manifest holds.
type head struct {
	desc    ocispec.Descriptor // zero Digest when the log is empty (no tag)
	tree    tlog.Tree
	vecs    map[string]*vec
	pending []ocispec.Descriptor // entries after the last full page of entries
}

func nodesName(level int) string { return "nodes." + strconv.Itoa(level) }

// newHead returns the empty state of size 0 with its vectors.
func newHead() *head {
	h := &head{vecs: map[string]*vec{"entries": {name: "entries", itemSize: entryItemSize}}}
	for l := range 64 {
		h.vecs[nodesName(l)] = &vec{name: nodesName(l), itemSize: hashItemSize}
	}
	return h
}

func (h *head) clone() *head {
	c := &head{desc: h.desc, tree: h.tree.Clone(), vecs: map[string]*vec{}, pending: slices.Clone(h.pending)}
	for k, v := range h.vecs {
		c.vecs[k] = v.clone()
	}
	return c
}

// vecNames lists the vectors in the order the head lists their pages.
func vecNames() []string {
	out := []string{"entries"}
	for l := range 64 {
		out = append(out, nodesName(l))
	}
	return out
}

// readHead reads the head manifest and checks that it is well formed: its
// tree, its partial pages and its pending entries agree on the log's size.
func (s *Store) readHead(ctx context.Context) (*head, error) {
	d, data, err := s.fetchManifest(ctx, LogTag, "log head")
	if errors.Is(err, manifest.ErrNotFound) {
		return newHead(), nil
	}
	if err != nil {
		return nil, err
	}
	var m ocispec.Manifest
	if err := parseJSON(data, &m); err != nil || m.ArtifactType != ArtifactTypeLog {
		return nil, &TamperError{Object: "log head " + d.Digest.String(), Reason: fmt.Sprintf("not a releasekit log head (artifact type %q, %v)", m.ArtifactType, err)}
	}
	h := newHead()
	h.desc = d
	bad := func(format string, args ...any) error {
		return &TamperError{Object: "log head " + d.Digest.String(), Reason: fmt.Sprintf(format, args...)}
	}
	tb, err := hex.DecodeString(m.Annotations[annotationTree])
	if err != nil {
		return nil, bad("tree state: %v", err)
	}
	if err := h.tree.UnmarshalBinary(tb); err != nil {
		return nil, bad("tree state: %v", err)
	}
	n := h.tree.Size
	h.vecs["entries"].n = n
	for l := range 64 {
		h.vecs[nodesName(l)].n = n >> l
	}
	for _, v := range h.vecs {
		v.partial = make([]ocispec.Descriptor, v.levels())
	}
	for _, l := range m.Layers {
		if l.MediaType == MediaTypeLogEntry {
			h.pending = append(h.pending, l)
			continue
		}
		name, level, ok := strings.Cut(l.Annotations[annotationPage], "/")
		v := h.vecs[name]
		k, err := strconv.Atoi(level)
		if l.MediaType != MediaTypeLogPage || !ok || v == nil || err != nil || k < 0 || k >= len(v.partial) {
			return nil, bad("unexpected layer %s (%s)", l.Digest, l.Annotations[annotationPage])
		}
		want := int64(v.count(k)%pageWidth) * int64(v.isize(k))
		if v.partial[k].Digest != "" || want == 0 || l.Size != want {
			return nil, bad("page %s/%d: %d bytes, want %d", name, k, l.Size, want)
		}
		v.partial[k] = l
	}
	for _, v := range h.vecs {
		for k := range v.partial {
			if v.count(k)%pageWidth != 0 && v.partial[k].Digest == "" {
				return nil, bad("page %s/%d missing", v.name, k)
			}
		}
	}
	if uint64(len(h.pending)) != n%pageWidth {
		return nil, bad("%d pending entries for a log of %d", len(h.pending), n)
	}
	for i, p := range h.pending {
		if want := strconv.FormatUint(n-n%pageWidth+uint64(i)+1, 10); p.Annotations[annotationSeq] != want {
			return nil, bad("pending entry %d has seq %q, want %s", i, p.Annotations[annotationSeq], want)
		}
	}
	return h, nil
}

// page returns the content of a page, read once and then cached (a page
// is named by its digest).
func (s *Store) page(ctx context.Context, d ocispec.Descriptor, what string) ([]byte, error) {
	if b, ok := s.cache.get(d.Digest); ok && int64(len(b)) == d.Size {
		return b, nil
	}
	d.MediaType = MediaTypeLogPage
	b, err := s.fetchBlob(ctx, d, pageWidth*entryItemSize, what)
	if err != nil {
		return nil, err
	}
	s.cache.put(d.Digest, b)
	return b, nil
}

// levelItem returns item i of level k of v.
func (s *Store) levelItem(ctx context.Context, v *vec, k int, i uint64) ([]byte, error) {
	nk := v.count(k)
	if i >= nk {
		return nil, fmt.Errorf("ocistore: %s level %d item %d of %d: %w", v.name, k, i, nk, tlog.ErrMissingNode)
	}
	isz := v.isize(k)
	p := i / pageWidth
	what := fmt.Sprintf("page %s/%d/%d", v.name, k, p)
	var d ocispec.Descriptor
	if p == nk/pageWidth {
		d = v.partial[k]
	} else {
		ref, err := s.levelItem(ctx, v, k+1, p)
		if err != nil {
			return nil, err
		}
		d = ocispec.Descriptor{Digest: digestOfRaw(ref), Size: int64(pageWidth * isz)}
	}
	b, err := s.page(ctx, d, what)
	if err != nil {
		return nil, err
	}
	off := int(i%pageWidth) * isz
	if len(b) < off+isz {
		return nil, &TamperError{Object: what, Reason: fmt.Sprintf("%d bytes, item %d missing", len(b), i%pageWidth)}
	}
	return b[off : off+isz], nil
}

// levelPage returns the whole page p of level 0 of v.
func (s *Store) levelPage(ctx context.Context, v *vec, p uint64) ([]byte, error) {
	n := v.count(0)
	what := fmt.Sprintf("page %s/0/%d", v.name, p)
	if p == n/pageWidth {
		return s.page(ctx, v.partial[0], what)
	}
	ref, err := s.levelItem(ctx, v, 1, p)
	if err != nil {
		return nil, err
	}
	return s.page(ctx, ocispec.Descriptor{Digest: digestOfRaw(ref), Size: int64(pageWidth * v.itemSize)}, what)
}

// appendItem appends item to v, pushing the pages it changes. A page that
// fills is sealed: pushed as a blob, kept from garbage collection by a
// manifest that names it (and, for the first page level of the entries,
// the entries it lists, given by sealed), and its digest appended to the
// level above.
func (s *Store) appendItem(ctx context.Context, v *vec, item []byte, sealed []ocispec.Descriptor) error {
	for k := 0; ; k++ {
		if k >= len(v.partial) {
			v.partial = append(v.partial, ocispec.Descriptor{})
		}
		nk := v.count(k)
		var content []byte
		if nk%pageWidth != 0 {
			old, err := s.page(ctx, v.partial[k], fmt.Sprintf("page %s/%d/%d", v.name, k, nk/pageWidth))
			if err != nil {
				return err
			}
			content = slices.Clone(old)
		}
		content = append(content, item...)
		d, err := s.pushBlob(ctx, MediaTypeLogPage, content)
		if err != nil {
			return err
		}
		s.cache.put(d.Digest, content)
		if len(content) < pageWidth*v.isize(k) {
			v.partial[k] = d
			break
		}
		layers := []ocispec.Descriptor{d}
		if k == 0 {
			layers = append(layers, sealed...)
		}
		if err := s.seal(ctx, fmt.Sprintf("%s/%d/%d", v.name, k, nk/pageWidth), layers); err != nil {
			return err
		}
		v.partial[k] = ocispec.Descriptor{}
		raw, err := rawOf(d.Digest)
		if err != nil {
			return err
		}
		item = raw
	}
	v.n++
	return nil
}

// seal pushes the manifest that keeps a full page (and the blobs it
// names) in the repository.
func (s *Store) seal(ctx context.Context, page string, layers []ocispec.Descriptor) error {
	layers[0].Annotations = map[string]string{annotationPage: page}
	data, err := s.artifactManifest(ctx, ArtifactTypeLogSeal, layers, nil, map[string]string{annotationPage: page})
	if err != nil {
		return err
	}
	_, _, err = s.pushManifest(ctx, ocispec.MediaTypeImageManifest, data)
	return err
}

// encodeHead returns the head manifest of h.
func (s *Store) encodeHead(ctx context.Context, h *head) ([]byte, error) {
	tb, err := h.tree.MarshalBinary()
	if err != nil {
		return nil, err
	}
	var layers []ocispec.Descriptor
	for _, name := range vecNames() {
		v := h.vecs[name]
		for k, p := range v.partial {
			if p.Digest == "" {
				continue
			}
			p.MediaType = MediaTypeLogPage
			p.Annotations = map[string]string{annotationPage: fmt.Sprintf("%s/%d", name, k)}
			layers = append(layers, p)
		}
	}
	layers = append(layers, h.pending...)
	return s.artifactManifest(ctx, ArtifactTypeLog, layers, nil, s.writerAnnotations(map[string]string{annotationTree: hex.EncodeToString(tb)}))
}

// entryItem returns the item of the entries vector for blob d.
func entryItem(d ocispec.Descriptor) ([]byte, error) {
	raw, err := rawOf(d.Digest)
	if err != nil {
		return nil, err
	}
	return binary.BigEndian.AppendUint64(raw, uint64(d.Size)), nil
}

// entryDesc returns the descriptor of the blob of entry Seq seq named by
// the entries vector's item.
func entryDesc(item []byte, seq uint64) ocispec.Descriptor {
	return ocispec.Descriptor{
		MediaType:   MediaTypeLogEntry,
		Digest:      digestOfRaw(item[:32]),
		Size:        int64(binary.BigEndian.Uint64(item[32:])),
		Annotations: map[string]string{annotationSeq: strconv.FormatUint(seq, 10)},
	}
}

// maxCASAttempts bounds the retries of one append when other writers keep
// winning.
func (s *Store) attempts() int { return s.cfg.maxCASAttempts }

// Append implements [manifest.Log]. It writes the entry as a blob named by
// its digest (its [manifest.Entry.Hash]), the pages of the tree and of the
// entry index that the entry changes (O(log N) blobs of at most
// 32×40 bytes; on average two), and moves the head only by
// compare-and-swap: the head tag's update carries If-Match: "<old head
// digest>" (If-None-Match: * for the first entry), and when another
// writer moved it first the append starts again on the new head, so that
// of any number of concurrent appenders, goroutines or processes on other
// machines, every entry lands exactly once. When e.Seq is set and is not
// the next Seq it returns an error wrapping manifest.ErrConflict.
//
// A head whose tree state does not match its stored nodes is a
// *TamperError, as for [Store.Tree]: it is not grown.
//
// On a registry that does not enforce the preconditions it returns an
// *UnsupportedError, unless the store was opened with
// [WithSingleWriterUnsafe]. When the head update got no answer it returns
// an error wrapping [ErrOutcomeUnknown]; it returns a *manifest.RefusalError
// "log entry too large" for an entry of more than [MaxBlob] bytes.
func (s *Store) Append(ctx context.Context, e manifest.Entry) (manifest.Entry, error) {
	if err := s.canWrite(ctx); err != nil {
		return manifest.Entry{}, err
	}
	cas := e.Seq != 0
	for range s.attempts() {
		if err := ctx.Err(); err != nil {
			return manifest.Entry{}, err
		}
		h, err := s.readHead(ctx)
		if err != nil {
			return manifest.Entry{}, err
		}
		// The append grows the head's tree state and stores the nodes it
		// computes: a state that is not its nodes' would be built on, and
		// hidden once a subtree closes over it.
		if err := s.checkRange(ctx, h); err != nil {
			return manifest.Entry{}, err
		}
		n := h.tree.Size
		if cas && e.Seq != n+1 {
			return manifest.Entry{}, fmt.Errorf("%w: seq %d, log is at %d", manifest.ErrConflict, e.Seq, n)
		}
		e.Seq, e.Prev = n+1, ""
		if n > 0 {
			last, err := s.levelItem(ctx, h.vecs["entries"], 0, n-1)
			if err != nil {
				return manifest.Entry{}, err
			}
			e.Prev = digestOfRaw(last[:32]).String()
		}
		nh, err := s.grow(ctx, h, e)
		if err != nil {
			return manifest.Entry{}, err
		}
		data, err := s.encodeHead(ctx, nh)
		if err != nil {
			return manifest.Entry{}, err
		}
		_, err = s.putTag(ctx, LogTag, h.desc.Digest, ocispec.MediaTypeImageManifest, data)
		if errors.Is(err, errPrecondition) {
			if cas {
				return manifest.Entry{}, fmt.Errorf("%w: seq %d taken", manifest.ErrConflict, e.Seq)
			}
			continue
		}
		if err != nil {
			return manifest.Entry{}, err
		}
		return e, nil
	}
	return manifest.Entry{}, fmt.Errorf("%w: gave up after %d attempts", manifest.ErrConflict, s.attempts())
}

// grow pushes e and the pages it changes and returns the head after it.
func (s *Store) grow(ctx context.Context, h *head, e manifest.Entry) (*head, error) {
	data, err := manifest.MarshalEntry(e)
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBlob {
		return nil, &manifest.RefusalError{Reason: "log entry too large", Detail: fmt.Sprintf("entry %d (%s): %d bytes, at most %d", e.Seq, bound(e.Kind), len(data), MaxBlob)}
	}
	ed, err := s.pushBlob(ctx, MediaTypeLogEntry, data)
	if err != nil {
		return nil, err
	}
	ed.Annotations = map[string]string{annotationSeq: strconv.FormatUint(e.Seq, 10)}
	nh := h.clone()
	type put struct {
		id   tlog.NodeID
		hash tlog.Hash
	}
	var puts []put
	if err := nh.tree.Append(tlog.LeafHash(data), func(id tlog.NodeID, hash tlog.Hash) { puts = append(puts, put{id, hash}) }); err != nil {
		return nil, &TamperError{Object: "log head", Reason: err.Error()}
	}
	item, err := entryItem(ed)
	if err != nil {
		return nil, err
	}
	sealed := append(slices.Clone(h.pending), ed)
	if err := s.appendItem(ctx, nh.vecs["entries"], item, sealed); err != nil {
		return nil, err
	}
	if nh.vecs["entries"].n%pageWidth == 0 {
		nh.pending = nil
	} else {
		nh.pending = sealed
	}
	for _, p := range puts {
		v := nh.vecs[nodesName(int(p.id.Level))]
		if v == nil || p.id.Index != v.n {
			return nil, &TamperError{Object: "log head", Reason: fmt.Sprintf("node %d/%d does not follow the %d stored", p.id.Level, p.id.Index, v.n)}
		}
		if err := s.appendItem(ctx, v, p.hash[:], nil); err != nil {
			return nil, err
		}
	}
	return nh, nil
}

func bound(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// Tree implements [manifest.TreeLog]: it returns the committed tree, after
// checking that the head's compact range is the one its stored nodes give
// (O(log N) hashes read); a head that disagrees is a *TamperError.
func (s *Store) Tree(ctx context.Context) (tlog.Tree, error) {
	h, err := s.readHead(ctx)
	if err != nil {
		return tlog.Tree{}, err
	}
	if err := s.checkRange(ctx, h); err != nil {
		return tlog.Tree{}, err
	}
	return h.tree, nil
}

func (s *Store) checkRange(ctx context.Context, h *head) error {
	got, err := tlog.TreeAt(ctx, headNodes{s, h}, h.tree.Size)
	if err != nil {
		if errors.Is(err, manifest.ErrTampered) {
			return err
		}
		return &TamperError{Object: "log head " + h.desc.Digest.String(), Reason: err.Error()}
	}
	if !slices.Equal(got.Range, h.tree.Range) {
		return &TamperError{Object: "log head " + h.desc.Digest.String(), Reason: "tree state does not match the stored nodes"}
	}
	return nil
}

// headNodes reads nodes as of one head.
type headNodes struct {
	s *Store
	h *head
}

func (r headNodes) ReadNodes(ctx context.Context, ids []tlog.NodeID) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(ids))
	for i, id := range ids {
		if id.Level >= 64 {
			return nil, fmt.Errorf("%w: level %d", tlog.ErrMissingNode, id.Level)
		}
		b, err := r.s.levelItem(ctx, r.h.vecs[nodesName(int(id.Level))], 0, id.Index)
		if err != nil {
			return nil, err
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// ReadNodes implements [tlog.NodeReader] for the committed tree: a node
// of a subtree not yet complete is an error wrapping tlog.ErrMissingNode.
func (s *Store) ReadNodes(ctx context.Context, ids []tlog.NodeID) ([]tlog.Hash, error) {
	h, err := s.readHead(ctx)
	if err != nil {
		return nil, err
	}
	return headNodes{s, h}.ReadNodes(ctx, ids)
}

// Entry implements [manifest.TreeLog]: it returns the entry whose Seq is
// seq (an error wrapping manifest.ErrNotFound past the end), read by the
// digest the index gives and checked against it (a *TamperError if it does
// not hash to it, or holds another Seq).
func (s *Store) Entry(ctx context.Context, seq uint64) (manifest.Entry, error) {
	h, err := s.readHead(ctx)
	if err != nil {
		return manifest.Entry{}, err
	}
	if seq == 0 || seq > h.tree.Size {
		return manifest.Entry{}, fmt.Errorf("ocistore: log entry %d of %d: %w", seq, h.tree.Size, manifest.ErrNotFound)
	}
	item, err := s.levelItem(ctx, h.vecs["entries"], 0, seq-1)
	if err != nil {
		return manifest.Entry{}, err
	}
	return s.readEntry(ctx, entryDesc(item, seq), seq)
}

func (s *Store) readEntry(ctx context.Context, d ocispec.Descriptor, seq uint64) (manifest.Entry, error) {
	what := fmt.Sprintf("log entry %d", seq)
	b, err := s.fetchBlob(ctx, d, MaxBlob, what)
	if err != nil {
		return manifest.Entry{}, err
	}
	e, err := manifest.ParseEntry(b)
	if err != nil {
		return manifest.Entry{}, &TamperError{Object: what, Reason: err.Error()}
	}
	if e.Seq != seq {
		return manifest.Entry{}, &TamperError{Object: what, Reason: fmt.Sprintf("holds seq %d", e.Seq)}
	}
	return e, nil
}

// fetchWorkers bounds the entries Entries reads at once.
const fetchWorkers = 8

// Entries implements [manifest.Log]: the whole log in Seq order, each
// entry checked against the digest the index gives (use
// [manifest.VerifyLog] to check the chain and the tree). It reads one
// page per 32 entries and the entries themselves, a few at a time.
func (s *Store) Entries(ctx context.Context) ([]manifest.Entry, error) {
	h, err := s.readHead(ctx)
	if err != nil {
		return nil, err
	}
	n := h.tree.Size
	v := h.vecs["entries"]
	descs := make([]ocispec.Descriptor, 0, n)
	for p := uint64(0); p*pageWidth < n; p++ {
		b, err := s.levelPage(ctx, v, p)
		if err != nil {
			return nil, err
		}
		for off := 0; off+entryItemSize <= len(b); off += entryItemSize {
			descs = append(descs, entryDesc(b[off:off+entryItemSize], uint64(len(descs))+1))
		}
	}
	if uint64(len(descs)) != n {
		return nil, &TamperError{Object: "log index", Reason: fmt.Sprintf("%d entries indexed, head says %d", len(descs), n)}
	}
	out := make([]manifest.Entry, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	next := make(chan uint64)
	for range min(fetchWorkers, len(descs)) {
		wg.Go(func() {
			for i := range next {
				out[i], errs[i] = s.readEntry(ctx, descs[i], i+1)
			}
		})
	}
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Checkpoint names a stored checkpoint: the tree size it is of.
func checkpointTag(size uint64) string {
	return "releasekit-checkpoint-" + strconv.FormatUint(size, 10)
}

// PutCheckpoint stores note, a signed checkpoint of the log at size
// entries (a C2SP tlog-checkpoint signed note, or any signed form), as an
// artifact of the log repository tagged for its size. A checkpoint is
// written once: storing other bytes for a size already checkpointed is an
// error wrapping manifest.ErrConflict; storing the same bytes again is
// not an error. It returns the digest of the checkpoint's manifest.
func (s *Store) PutCheckpoint(ctx context.Context, size uint64, note []byte) (string, error) {
	if len(note) > MaxManifest {
		return "", fmt.Errorf("ocistore: checkpoint: %w: %d bytes", ErrTooLarge, len(note))
	}
	if err := s.canWrite(ctx); err != nil {
		return "", err
	}
	nd, err := s.pushBlob(ctx, MediaTypeCheckpoint, note)
	if err != nil {
		return "", err
	}
	data, err := s.artifactManifest(ctx, ArtifactTypeCheckpoint, []ocispec.Descriptor{nd}, nil, map[string]string{annotationTreeSize: strconv.FormatUint(size, 10)})
	if err != nil {
		return "", err
	}
	tag := checkpointTag(size)
	d, err := s.putTag(ctx, tag, "", ocispec.MediaTypeImageManifest, data)
	if errors.Is(err, errPrecondition) {
		old, _, rerr := s.fetchManifest(ctx, tag, "checkpoint "+strconv.FormatUint(size, 10))
		if rerr != nil {
			return "", rerr
		}
		if old.Digest == d.Digest {
			return d.Digest.String(), nil
		}
		return "", fmt.Errorf("ocistore: checkpoint of size %d: %w: another checkpoint is stored (%s)", size, manifest.ErrConflict, old.Digest)
	}
	if err != nil {
		return "", err
	}
	return d.Digest.String(), nil
}

// annotationTreeSize is the tree size a checkpoint is of.
const annotationTreeSize = "org.releasekit.log.size"

// Checkpoint returns the checkpoint stored for size entries, or an error
// wrapping manifest.ErrNotFound.
func (s *Store) Checkpoint(ctx context.Context, size uint64) ([]byte, error) {
	what := "checkpoint " + strconv.FormatUint(size, 10)
	_, data, err := s.fetchManifest(ctx, checkpointTag(size), what)
	if err != nil {
		return nil, err
	}
	var m ocispec.Manifest
	if err := parseJSON(data, &m); err != nil || m.ArtifactType != ArtifactTypeCheckpoint || len(m.Layers) != 1 || m.Annotations[annotationTreeSize] != strconv.FormatUint(size, 10) {
		return nil, &TamperError{Object: what, Reason: "not a checkpoint of that size"}
	}
	return s.fetchBlob(ctx, m.Layers[0], MaxManifest, what)
}

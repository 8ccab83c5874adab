package manifest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/releasekit/releasekit/internal/atomicfile"
	"github.com/releasekit/releasekit/internal/boundedfile"
)

// Errors returned by stores.
var (
	// ErrNotFound is returned (wrapped) when a record does not exist.
	ErrNotFound = errors.New("manifest: not found")
	// ErrConflict is returned (wrapped) by Append when the entry's Seq is
	// set and another writer appended that Seq first.
	ErrConflict = errors.New("manifest: concurrent append")
	// ErrInvalidName is returned (wrapped) for a release tag that cannot be
	// a store key.
	ErrInvalidName = errors.New("manifest: invalid release name")
)

// A Store keeps release records and the append-only log. [DirStore] and
// [GitStore] implement it; other stores (object storage, a database) can too.
type Store interface {
	Records
	Log
}

// Records holds release records by tag.
type Records interface {
	// Record returns the record for tag, or an error wrapping ErrNotFound.
	Record(ctx context.Context, tag string) (Record, error)
	// PutRecord writes r atomically, refusing (a *RefusalError "artifact digest changed for a published version": the same version is never republished, §1.20.3.1) to change or
	// drop an artifact digest already recorded for r.Tag.
	PutRecord(ctx context.Context, r Record) error
}

// Log is the append-only promotion and audit log.
type Log interface {
	// Entries returns the whole log in Seq order.
	Entries(ctx context.Context) ([]Entry, error)
	// Append adds e at the end of the log, filling Prev (and Seq when zero)
	// and returning the entry as stored. When e.Seq is set and is not the
	// next Seq it returns an error wrapping ErrConflict (compare-and-swap).
	// A store that reads entries back with a bound refuses to write a
	// larger one ([DirStore] and [GitStore]: a *RefusalError "log entry
	// too large" for one whose canonical JSON is over [MaxStoredFile]
	// bytes), so that no entry makes the log unreadable.
	Append(ctx context.Context, e Entry) (Entry, error)
}

// A DirStore keeps records and the log as files in a directory:
//
//	records/TAG.json      one release record, replaced atomically
//	log/00000000000000000001.json  one log entry per file, never rewritten
//	evidence/HEX          gate evidence ([EvidenceStore]) named by the 64 hex
//	                      digits of its SHA-256 digest, written atomically
//	tree/                 the log's Merkle tree ([TreeLog]): state (the
//	                      committed tree), nodes/ (its node hashes, one file
//	                      per level), promotions (the promotion entries, an
//	                      index), lock
//
// A log entry is written to a temporary file, synced, and then hard-linked to
// its sequence name, which fails if another writer took that name: of
// concurrent appenders (goroutines or processes) exactly one wins each Seq,
// so no entry is lost and no file is ever seen half-written. Appenders take
// an exclusive lock on tree/lock (flock(2) on unix, which the kernel
// releases when a writer dies) and, holding it, add the entry to the tree
// and commit the tree by renaming tree/state: the next Seq is the committed
// tree's size plus one, so an append reads no directory and costs the same
// at a million entries as at ten. A writer killed mid-append leaves at most
// a temporary file, which readers ignore, and an entry linked but not yet
// in the tree, which the next writer adds after checking its place in the
// hash chain (a store written before the tree existed gains its tree the
// same way, on first use). The tree is never built over a broken chain:
// Append then returns a *[ChainError] and writes nothing.
//
// Every file is read as a regular file of at most MaxStoredFile bytes: a
// FIFO, a device or a directory planted in the store, or a larger file, is
// an error, never a hang. Append therefore writes no larger entry (a
// *[RefusalError] "log entry too large"; nothing is written).
//
// A DirStore is a [TreeLog] and is safe for concurrent use by goroutines
// and processes.
type DirStore struct {
	dir string
}

var _ TreeLog = (*DirStore)(nil)

// NewDirStore returns a store in dir, creating its subdirectories.
func NewDirStore(dir string) (*DirStore, error) {
	for _, sub := range []string{"records", "log", "evidence", "tree"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("open store %s: %w", dir, err)
		}
	}
	return &DirStore{dir: dir}, nil
}

func validName(tag string) error {
	if tag == "" || !utf8.ValidString(tag) || strings.HasPrefix(tag, ".") || strings.ContainsAny(tag, "/\\\x00") || len(tag) > 200 {
		return fmt.Errorf("%w: %q", ErrInvalidName, tag)
	}
	return nil
}

// Record implements [Store].
func (s *DirStore) Record(ctx context.Context, tag string) (Record, error) {
	if err := validName(tag); err != nil {
		return Record{}, err
	}
	b, err := readStored(filepath.Join(s.dir, "records", tag+".json"))
	if errors.Is(err, os.ErrNotExist) {
		return Record{}, fmt.Errorf("%w: record %s", ErrNotFound, tag)
	}
	if err != nil {
		return Record{}, fmt.Errorf("read record %s: %w", tag, err)
	}
	return parseStoredRecord(b, tag)
}

// parseStoredRecord parses the record stored under tag and refuses one whose
// own tag is another: a record copied or renamed under another release's
// name must not stand in for it (its tag signature, rollback target and
// artifacts are another release's).
func parseStoredRecord(b []byte, tag string) (Record, error) {
	r, err := ParseRecord(b)
	if err != nil {
		return Record{}, fmt.Errorf("read record %s: %w", tag, err)
	}
	if err := CheckRecordTag(tag, r); err != nil {
		return Record{}, err
	}
	return r, nil
}

// CheckRecordTag returns nil when r is the record of release: its Tag is
// release, exactly. Otherwise it returns a *[RefusalError] "record tag is
// not the release" that wraps [ErrInvalidRecord]: a record stored, fetched
// or promoted under another release's name (a record of v2.0.1-rc.1 filed
// as v2.0.0) must not stand in for that release (§1.20.5.1, §1.20.3.1),
// since its tag signature, commit, rollback target and artifacts are
// another release's. Every [Store] of this module refuses such a record
// when reading it, and [Promote], [Rollback], [ReportDeployment] and
// [RecordVerification] refuse one a store returns.
func CheckRecordTag(release string, r Record) error {
	if r.Tag == release {
		return nil
	}
	return refused(reasonRecordTag, ErrInvalidRecord, "record stored as %q has tag %q", release, r.Tag)
}

// reasonRecordTag is the Reason of [CheckRecordTag]'s refusal.
const reasonRecordTag = "record tag is not the release"

// PutRecord implements [Store].
func (s *DirStore) PutRecord(ctx context.Context, r Record) error {
	if err := validName(r.Tag); err != nil {
		return err
	}
	data, err := MarshalRecord(r)
	if err != nil {
		return err
	}
	err = atomicfile.Update(filepath.Join(s.dir, "records"), r.Tag+".json", func(old []byte, exists bool) ([]byte, error) {
		if exists {
			prev, err := ParseRecord(old)
			if err != nil {
				return nil, err
			}
			if err := checkRepublish(prev, r); err != nil {
				return nil, err
			}
		}
		return data, nil
	})
	if err != nil {
		return fmt.Errorf("write record %s: %w", r.Tag, err)
	}
	return nil
}

func checkRepublish(old, new Record) error {
	for _, a := range old.Artifacts {
		found := false
		for _, b := range new.Artifacts {
			if strings.EqualFold(a.Name, b.Name) {
				found = true
				if a.Digest != b.Digest {
					return refused("artifact digest changed for a published version", nil, "%s %s: %s → %s", old.Tag, a.Name, a.Digest, b.Digest)
				}
			}
		}
		// Dropping a published artifact would let a later write add it
		// back with another digest.
		if !found {
			return refused("artifact digest changed for a published version", nil, "%s %s (%s) removed", old.Tag, a.Name, a.Digest)
		}
	}
	return nil
}

const seqWidth = 20

func (s *DirStore) logDir() string { return filepath.Join(s.dir, "log") }

// seqs returns the sequence numbers present, sorted.
func (s *DirStore) seqs() ([]uint64, error) {
	des, err := os.ReadDir(s.logDir())
	if err != nil {
		return nil, fmt.Errorf("read log: %w", err)
	}
	var out []uint64
	for _, de := range des {
		name, ok := strings.CutSuffix(de.Name(), ".json")
		if !ok || len(name) != seqWidth {
			continue // temporary files of interrupted writers
		}
		n, err := strconv.ParseUint(name, 10, 64)
		if err != nil {
			continue
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out, nil
}

func (s *DirStore) entryPath(seq uint64) string {
	return filepath.Join(s.logDir(), fmt.Sprintf("%0*d.json", seqWidth, seq))
}

func (s *DirStore) readEntry(seq uint64) (Entry, error) {
	b, err := readStored(s.entryPath(seq))
	if err != nil {
		return Entry{}, fmt.Errorf("read log entry %d: %w", seq, err)
	}
	e, err := ParseEntry(b)
	if err != nil {
		return Entry{}, fmt.Errorf("read log entry %d: %w", seq, err)
	}
	return e, nil
}

// Entries implements [Store]. It returns the entries as they are on disk; use
// [VerifyLog] to check the chain.
func (s *DirStore) Entries(ctx context.Context) ([]Entry, error) {
	seqs, err := s.seqs()
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(seqs))
	for _, n := range seqs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e, err := s.readEntry(n)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Append implements [Store]. Under the store's lock (tree/lock) it
// catches the tree up over entries linked but not yet in it (each checked
// against the chain), links e at the tree's next Seq and adds it to the
// tree: it reads the state file and stats one name, never the log, so its
// cost does not grow with the log's length (the O(log N) node writes
// aside). It returns a *[ChainError] (ErrTampered), and appends nothing,
// when an entry it catches up over breaks the chain.
func (s *DirStore) Append(ctx context.Context, e Entry) (Entry, error) {
	if err := ctx.Err(); err != nil {
		return Entry{}, err
	}
	want := e.Seq
	err := s.withTree(ctx, func(w *treeWriter) error {
		for {
			next := w.st.tree.Size + 1
			if want != 0 && want != next {
				return fmt.Errorf("%w: seq %d, log is at %d", ErrConflict, want, next-1)
			}
			e.Seq, e.Prev = next, w.st.headDigest()
			data, err := marshalStored(e)
			if err != nil {
				return err
			}
			ok, err := s.link(next, data)
			if err != nil {
				return err
			}
			if !ok {
				// A writer that does not take the lock (an older
				// releasekit) linked it first: add its entry and retry.
				if err := w.catchUp(ctx); err != nil {
					return err
				}
				if w.st.tree.Size < next {
					return fmt.Errorf("append log: entry %d exists but cannot be read", next)
				}
				continue
			}
			if err := w.add(data, indexed(e)); err != nil {
				return err
			}
			return w.commit()
		}
	})
	if err != nil {
		return Entry{}, err
	}
	return e, nil
}

// link writes data to a synced temporary file and links it to the name of
// entry seq. It returns false if another writer holds that name.
func (s *DirStore) link(seq uint64, data []byte) (bool, error) {
	f, err := os.CreateTemp(s.logDir(), ".tmp-*")
	if err != nil {
		return false, fmt.Errorf("append log: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return false, fmt.Errorf("append log: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return false, fmt.Errorf("append log: %w", err)
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("append log: %w", err)
	}
	if err := os.Link(tmp, s.entryPath(seq)); err != nil {
		if errors.Is(err, os.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("append log: %w", err)
	}
	if err := syncDir(s.logDir()); err != nil {
		return false, fmt.Errorf("append log: %w", err)
	}
	return true, nil
}

// VerifyStore reads st's log and checks it with [VerifyLog]. It returns the
// entries read even when they do not verify.
func VerifyStore(ctx context.Context, st Log, cp *Checkpoint) ([]Entry, error) {
	entries, err := st.Entries(ctx)
	if err != nil {
		return nil, err
	}
	return entries, VerifyLog(entries, cp)
}

// MaxStoredFile bounds each file a [DirStore] or an event directory reads:
// a record, a log entry, a piece of evidence, an event. [DirStore] and
// [GitStore] refuse to append a larger log entry.
const MaxStoredFile = 64 << 20

// marshalStored returns e's canonical JSON, the bytes a store writes, and
// refuses an entry of more than MaxStoredFile bytes, which a DirStore
// could not read back: written, it would make the log unreadable.
func marshalStored(e Entry) ([]byte, error) {
	data, err := MarshalEntry(e)
	if err != nil {
		return nil, err
	}
	if len(data) > MaxStoredFile {
		return nil, refused("log entry too large", nil, "entry %d (%s): %d bytes, at most %d", e.Seq, bound(e.Kind, 64), len(data), MaxStoredFile)
	}
	return data, nil
}

// readStored reads the regular file path of a store, of at most
// MaxStoredFile bytes; a missing file is reported as os.ReadFile does.
func readStored(path string) ([]byte, error) {
	return boundedfile.ReadFile(path, MaxStoredFile)
}

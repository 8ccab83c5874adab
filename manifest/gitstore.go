package manifest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/releasekit/releasekit/internal/boundedfile"
)

// LogRef is the reference under which a [GitStore] keeps records and the log.
const LogRef = "refs/releasekit/log"

// lockTimeout bounds how long a GitStore waits for the reference lock.
const lockTimeout = 30 * time.Second

// A GitStore keeps records and the log in the repository itself, as a
// history of commits under [LogRef] (so the evidence travels with the code
// when that ref is pushed and fetched). Each commit's tree holds
// records/TAG.json, evidence/HEX and the log, which is a [TreeLog]:
//
//	log/M/KKK/SEQ.json      entry SEQ (20 digits; M = SEQ/10⁶, KKK =
//	                        SEQ/10³ mod 10³), so that no tree object lists
//	                        more than a thousand entries
//	log/SEQ.json            entries of a ref written before that layout,
//	                        read as they are
//	tree/state              the committed Merkle tree of the log
//	tree/nodes/LL/C/CCC     its node hashes, 64 per blob and level
//	tree/promotions/C/CCC   the promotion entries, 16 per blob: an index
//
// An append commits the entry with the tree nodes it completes and the
// new state: O(log N) small blobs and trees, never a tree object listing
// every entry, so its cost does not grow with the log. A ref written
// before the tree gains it on first use (one commit, after checking the
// hash chain of the entries it holds).
//
// Every change is a new commit whose parent is the current head, and the
// reference moves by compare-and-swap, the way git itself updates a ref:
// LogRef.lock is created with O_EXCL, the ref is checked under the lock,
// and the new value is written to the lock file, synced and renamed over
// the ref. Of concurrent writers (goroutines with their own repository
// handle, or processes) one wins and the others retry on the new head, so
// no entry is lost; a writer killed at any point leaves the ref at the old
// or the new commit, never half-written.
//
// Append refuses an entry whose canonical JSON is over [MaxStoredFile]
// bytes (a *[RefusalError] "log entry too large"; nothing is committed),
// as a DirStore does, so that its log can always be read by either.
//
// A GitStore is safe for concurrent use: it serializes its own use of the
// repository handle, which go-git does not make safe for concurrent use, so
// do not use that *git.Repository elsewhere at the same time (open another
// one instead; any number of stores and processes may share the directory).
type GitStore struct {
	mu     sync.Mutex
	repo   *git.Repository
	refDir string // the git directory holding refs/
}

var _ TreeLog = (*GitStore)(nil)

// NewGitStore returns the store kept in repo, which must be on disk.
func NewGitStore(repo *git.Repository) (*GitStore, error) {
	fsStore, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return nil, errors.New("manifest: git store needs a repository on disk")
	}
	return &GitStore{repo: repo, refDir: fsStore.Filesystem().Root()}, nil
}

// head returns the current commit of LogRef (zero hash when there is none)
// and its tree (nil when there is none).
func (s *GitStore) head() (plumbing.Hash, *object.Tree, error) {
	ref, err := s.repo.Storer.Reference(plumbing.ReferenceName(LogRef))
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, nil, nil
	}
	if err != nil {
		return plumbing.ZeroHash, nil, fmt.Errorf("read %s: %w", LogRef, err)
	}
	c, err := object.GetCommit(s.repo.Storer, ref.Hash())
	if err != nil {
		return plumbing.ZeroHash, nil, fmt.Errorf("read %s: %w", LogRef, err)
	}
	t, err := c.Tree()
	if err != nil {
		return plumbing.ZeroHash, nil, fmt.Errorf("read %s: %w", LogRef, err)
	}
	return ref.Hash(), t, nil
}

// readBlob reads the file at path of t, of at most MaxStoredFile bytes as
// a DirStore reads its files: a larger blob (planted in the ref by hand) is
// a *boundedfile.Error (boundedfile.ErrTooLarge), never read into memory.
func readBlob(t *object.Tree, path string) ([]byte, error) {
	f, err := t.File(path)
	if err != nil {
		return nil, err
	}
	if f.Size > MaxStoredFile {
		return nil, &boundedfile.Error{Path: path, Reason: fmt.Sprintf("larger than %d bytes", MaxStoredFile), Err: boundedfile.ErrTooLarge}
	}
	r, err := f.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, MaxStoredFile))
}

// Record implements [Store].
func (s *GitStore) Record(ctx context.Context, tag string) (Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := validName(tag); err != nil {
		return Record{}, err
	}
	_, t, err := s.head()
	if err != nil {
		return Record{}, err
	}
	if t == nil {
		return Record{}, fmt.Errorf("%w: record %s", ErrNotFound, tag)
	}
	b, err := readBlob(t, "records/"+tag+".json")
	if errors.Is(err, object.ErrFileNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return Record{}, fmt.Errorf("%w: record %s", ErrNotFound, tag)
	}
	if err != nil {
		return Record{}, fmt.Errorf("read record %s: %w", tag, err)
	}
	return parseStoredRecord(b, tag)
}

// PutRecord implements [Store].
func (s *GitStore) PutRecord(ctx context.Context, r Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := validName(r.Tag); err != nil {
		return err
	}
	data, err := MarshalRecord(r)
	if err != nil {
		return err
	}
	return s.update(ctx, "record "+r.Tag, func(t *object.Tree) (string, []byte, error) {
		if t != nil {
			if old, err := readBlob(t, "records/"+r.Tag+".json"); err == nil {
				prev, err := ParseRecord(old)
				if err != nil {
					return "", nil, err
				}
				if err := checkRepublish(prev, r); err != nil {
					return "", nil, err
				}
			}
		}
		return "records/" + r.Tag + ".json", data, nil
	})
}

// Entries implements [Store]: every entry under log/, in both layouts, in
// Seq order.
func (s *GitStore) Entries(ctx context.Context) ([]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, t, err := s.head()
	if err != nil {
		return nil, err
	}
	return s.logEntries(ctx, t)
}

// Append implements [Store]. It commits the entry, the tree nodes it
// completes, the promotion index and the tree's state in one commit
// (O(log N) small objects; it reads no other entry), after catching the
// tree up over entries a ref written before the tree holds (each checked
// against the chain: a *[ChainError], and nothing committed, when one
// breaks it).
func (s *GitStore) Append(ctx context.Context, e Entry) (Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	want := e.Seq
	var out Entry
	err := s.updateTree(ctx, "log", func(t *object.Tree) (map[string]plumbing.Hash, error) {
		w, err := s.openTree(ctx, t)
		if err != nil {
			return nil, err
		}
		next := w.st.tree.Size + 1
		if want != 0 && want != next {
			return nil, fmt.Errorf("%w: seq %d, log is at %d", ErrConflict, want, next-1)
		}
		out = e
		out.Seq, out.Prev = next, w.st.headDigest()
		data, err := marshalStored(out)
		if err != nil {
			return nil, err
		}
		blob, err := s.writeBlob(data)
		if err != nil {
			return nil, fmt.Errorf("append log: %w", err)
		}
		if err := w.add(data, blob, indexed(out)); err != nil {
			return nil, err
		}
		edits, err := w.finish()
		if err != nil {
			return nil, err
		}
		edits[shardPath("log", next)] = blob
		return edits, nil
	})
	if err != nil {
		return Entry{}, err
	}
	return out, nil
}

// update adds one file to the tree of LogRef's head, commits, and moves the
// ref by compare-and-swap, retrying on a lost race. An edit that returns an
// empty path changes nothing.
func (s *GitStore) update(ctx context.Context, what string, edit func(*object.Tree) (string, []byte, error)) error {
	return s.updateTree(ctx, what, func(t *object.Tree) (map[string]plumbing.Hash, error) {
		path, data, err := edit(t)
		if err != nil || path == "" {
			return nil, err
		}
		h, err := s.writeBlob(data)
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", what, err)
		}
		return map[string]plumbing.Hash{path: h}, nil
	})
}

// updateTree sets the files edit returns (path → blob) in the tree of
// LogRef's head, commits, and moves the ref by compare-and-swap, retrying
// on a lost race. An edit that returns nothing changes nothing.
func (s *GitStore) updateTree(ctx context.Context, what string, edit func(*object.Tree) (map[string]plumbing.Hash, error)) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		old, t, err := s.head()
		if err != nil {
			return err
		}
		edits, err := edit(t)
		if err != nil {
			return err
		}
		if len(edits) == 0 {
			return nil
		}
		c, err := s.commit(old, t, edits, what)
		if err != nil {
			return fmt.Errorf("write %s: %w", what, err)
		}
		err = s.casRef(ctx, old, c)
		if errors.Is(err, errRefMoved) {
			continue
		}
		return err
	}
}

func (s *GitStore) writeObject(typ plumbing.ObjectType, enc func(plumbing.EncodedObject) error) (plumbing.Hash, error) {
	obj := s.repo.Storer.NewEncodedObject()
	obj.SetType(typ)
	if err := enc(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.repo.Storer.SetEncodedObject(obj)
}

// commit writes a commit on parent whose tree is t with edits.
func (s *GitStore) commit(parent plumbing.Hash, t *object.Tree, edits map[string]plumbing.Hash, what string) (plumbing.Hash, error) {
	rootHash, err := s.writeEdited(t, edits)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	sig := object.Signature{Name: "releasekit", Email: "releasekit@localhost", When: time.Unix(0, 0).UTC()}
	c := &object.Commit{Author: sig, Committer: sig, Message: "releasekit: " + what + "\n", TreeHash: rootHash}
	if !parent.IsZero() {
		c.ParentHashes = []plumbing.Hash{parent}
	}
	return s.writeObject(plumbing.CommitObject, c.Encode)
}

func (s *GitStore) writeTree(es []object.TreeEntry) (plumbing.Hash, error) {
	t := &object.Tree{Entries: es}
	return s.writeObject(plumbing.TreeObject, t.Encode)
}

var errRefMoved = errors.New("manifest: ref moved")

// casRef moves LogRef from old to new as git does: take LogRef.lock with
// O_EXCL, check the current value under the lock, write and sync the lock
// file and rename it over the ref.
func (s *GitStore) casRef(ctx context.Context, old, new plumbing.Hash) error {
	path := filepath.Join(s.refDir, filepath.FromSlash(LogRef))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("update %s: %w", LogRef, err)
	}
	lock := path + ".lock"
	deadline := time.Now().Add(lockTimeout)
	var f *os.File
	for {
		var err error
		f, err = os.OpenFile(lock, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("update %s: %w", LogRef, err)
		}
		if time.Now().After(deadline) {
			return refused("store reference is locked", nil, "%s exists", lock)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		time.Sleep(time.Millisecond) // another writer holds the lock for a few syscalls
	}
	committed := false
	defer func() {
		if !committed {
			f.Close()
			os.Remove(lock)
		}
	}()
	cur := plumbing.ZeroHash
	if b, err := os.ReadFile(path); err == nil {
		cur = plumbing.NewHash(strings.TrimSpace(string(b)))
	} else if ref, err := s.repo.Storer.Reference(plumbing.ReferenceName(LogRef)); err == nil {
		cur = ref.Hash() // packed by git gc
	}
	if cur != old {
		return errRefMoved
	}
	if _, err := io.Copy(f, bytes.NewReader([]byte(new.String()+"\n"))); err != nil {
		return fmt.Errorf("update %s: %w", LogRef, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("update %s: %w", LogRef, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("update %s: %w", LogRef, err)
	}
	if err := os.Rename(lock, path); err != nil {
		return fmt.Errorf("update %s: %w", LogRef, err)
	}
	committed = true
	return nil
}

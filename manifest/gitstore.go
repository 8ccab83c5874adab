package manifest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
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
// records/TAG.json, log/SEQ.json and evidence/HEX, laid out as in a
// [DirStore].
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

// logEntries lists the log of tree t in Seq order.
func logEntries(t *object.Tree) ([]Entry, error) {
	if t == nil {
		return nil, nil
	}
	lt, err := t.Tree("log")
	if errors.Is(err, object.ErrDirectoryNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read log: %w", err)
	}
	var out []Entry
	for _, te := range lt.Entries {
		b, err := readBlob(lt, te.Name)
		if err != nil {
			return nil, fmt.Errorf("read log entry %s: %w", te.Name, err)
		}
		e, err := ParseEntry(b)
		if err != nil {
			return nil, fmt.Errorf("read log entry %s: %w", te.Name, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// Entries implements [Store].
func (s *GitStore) Entries(ctx context.Context) ([]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, t, err := s.head()
	if err != nil {
		return nil, err
	}
	return logEntries(t)
}

// Append implements [Store].
func (s *GitStore) Append(ctx context.Context, e Entry) (Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cas := e.Seq != 0
	var out Entry
	err := s.update(ctx, "log", func(t *object.Tree) (string, []byte, error) {
		entries, err := logEntries(t)
		if err != nil {
			return "", nil, err
		}
		next, prev := uint64(1), ""
		if n := len(entries); n > 0 {
			next = entries[n-1].Seq + 1
			if prev, err = entries[n-1].Hash(); err != nil {
				return "", nil, err
			}
		}
		if cas && e.Seq != next {
			return "", nil, fmt.Errorf("%w: seq %d, log is at %d", ErrConflict, e.Seq, next-1)
		}
		out = e
		out.Seq, out.Prev = next, prev
		data, err := marshalStored(out)
		if err != nil {
			return "", nil, err
		}
		return fmt.Sprintf("log/%0*d.json", seqWidth, next), data, nil
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
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		old, t, err := s.head()
		if err != nil {
			return err
		}
		path, data, err := edit(t)
		if err != nil {
			return err
		}
		if path == "" {
			return nil
		}
		c, err := s.commit(old, t, path, data, what)
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

// commit writes a commit on parent whose tree is t plus path = data.
func (s *GitStore) commit(parent plumbing.Hash, t *object.Tree, path string, data []byte, what string) (plumbing.Hash, error) {
	blob, err := s.writeObject(plumbing.BlobObject, func(o plumbing.EncodedObject) error {
		w, err := o.Writer()
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		return w.Close()
	})
	if err != nil {
		return plumbing.ZeroHash, err
	}
	dir, name, _ := strings.Cut(path, "/")
	var root, sub []object.TreeEntry
	if t != nil {
		root = slices.Clone(t.Entries)
		if st, err := t.Tree(dir); err == nil {
			sub = slices.Clone(st.Entries)
		}
	}
	sub = setEntry(sub, object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: blob})
	subHash, err := s.writeTree(sub)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	root = setEntry(root, object.TreeEntry{Name: dir, Mode: filemode.Dir, Hash: subHash})
	rootHash, err := s.writeTree(root)
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

// setEntry replaces or inserts e, keeping git's tree order (names of
// regular files sort plainly; a directory sorts as if named "dir/").
func setEntry(es []object.TreeEntry, e object.TreeEntry) []object.TreeEntry {
	es = slices.DeleteFunc(es, func(x object.TreeEntry) bool { return x.Name == e.Name })
	es = append(es, e)
	key := func(x object.TreeEntry) string {
		if x.Mode == filemode.Dir {
			return x.Name + "/"
		}
		return x.Name
	}
	slices.SortFunc(es, func(a, b object.TreeEntry) int { return strings.Compare(key(a), key(b)) })
	return es
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

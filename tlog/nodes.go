package tlog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// ErrMissingNode is returned (wrapped) by a [NodeReader] asked for a node
// it does not hold.
var ErrMissingNode = errors.New("tlog: node not stored")

// MemNodes holds node hashes in memory. The zero MemNodes is ready to use;
// it is safe for concurrent use.
type MemNodes struct {
	mu sync.RWMutex
	m  map[NodeID]Hash
}

// Put stores h as the hash of id; Put is a [Tree.Append] put function.
func (m *MemNodes) Put(id NodeID, h Hash) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = make(map[NodeID]Hash)
	}
	m.m[id] = h
}

// ReadNodes implements [NodeReader].
func (m *MemNodes) ReadNodes(ctx context.Context, ids []NodeID) ([]Hash, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Hash, len(ids))
	for i, id := range ids {
		h, ok := m.m[id]
		if !ok {
			return nil, fmt.Errorf("%w: level %d index %d", ErrMissingNode, id.Level, id.Index)
		}
		out[i] = h
	}
	return out, nil
}

// FileNodes keeps node hashes in a directory, one file per level
// (`00`, `01`, … `63`), the hash of node {L, i} at offset 32·i of file L.
// A node is written in place (WriteAt) and never changes once its subtree
// is complete, so appending a leaf writes at most one hash per level and a
// proof reads one hash per node it needs: O(log N) either way, whatever
// the size of the log.
//
// A FileNodes does not know which nodes are committed: the tree size a
// caller has committed (and a node it has not yet written reads as
// missing, never as zeros, only when it lies beyond the end of its file).
// It is safe for concurrent use; writers are the caller's to serialise.
type FileNodes struct {
	dir string
	mu  sync.Mutex
	fs  [64]*os.File
}

// OpenFileNodes opens (creating when needed) the node files in dir.
func OpenFileNodes(dir string) (*FileNodes, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("tlog: open nodes: %w", err)
	}
	return &FileNodes{dir: dir}, nil
}

func (f *FileNodes) file(level uint8, create bool) (*os.File, error) {
	if level >= 64 {
		return nil, fmt.Errorf("%w: level %d", ErrFormat, level)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if fh := f.fs[level]; fh != nil {
		return fh, nil
	}
	flag := os.O_RDWR
	if create {
		flag |= os.O_CREATE
	}
	fh, err := os.OpenFile(filepath.Join(f.dir, fmt.Sprintf("%02d", level)), flag, 0o644)
	if err != nil {
		if !create && errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: level %d", ErrMissingNode, level)
		}
		return nil, fmt.Errorf("tlog: open nodes: %w", err)
	}
	if fi, err := fh.Stat(); err != nil || !fi.Mode().IsRegular() {
		fh.Close()
		return nil, fmt.Errorf("tlog: open nodes: level %d is not a regular file", level)
	}
	f.fs[level] = fh
	return fh, nil
}

// WriteNode stores h as the hash of id.
func (f *FileNodes) WriteNode(id NodeID, h Hash) error {
	fh, err := f.file(id.Level, true)
	if err != nil {
		return err
	}
	if id.Index > (1<<63-1)/HashSize {
		return fmt.Errorf("%w: node index %d", ErrFormat, id.Index)
	}
	if _, err := fh.WriteAt(h[:], int64(id.Index)*HashSize); err != nil {
		return fmt.Errorf("tlog: write node: %w", err)
	}
	return nil
}

// ReadNodes implements [NodeReader].
func (f *FileNodes) ReadNodes(ctx context.Context, ids []NodeID) ([]Hash, error) {
	out := make([]Hash, len(ids))
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fh, err := f.file(id.Level, false)
		if err != nil {
			return nil, err
		}
		if id.Index > (1<<63-1)/HashSize {
			return nil, fmt.Errorf("%w: node index %d", ErrFormat, id.Index)
		}
		if _, err := fh.ReadAt(out[i][:], int64(id.Index)*HashSize); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%w: level %d index %d", ErrMissingNode, id.Level, id.Index)
			}
			return nil, fmt.Errorf("tlog: read node: %w", err)
		}
	}
	return out, nil
}

// Sync flushes every node file written to stable storage.
func (f *FileNodes) Sync() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, fh := range f.fs {
		if fh != nil {
			if err := fh.Sync(); err != nil {
				return fmt.Errorf("tlog: sync nodes: %w", err)
			}
		}
	}
	return nil
}

// Close closes the node files.
func (f *FileNodes) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var first error
	for i, fh := range f.fs {
		if fh != nil {
			if err := fh.Close(); err != nil && first == nil {
				first = err
			}
			f.fs[i] = nil
		}
	}
	return first
}

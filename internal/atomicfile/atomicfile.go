// Package atomicfile replaces files so that a reader, a crash or a full disk
// never sees half a file: the new content goes to a temporary file in the
// same directory, which is synced, renamed over the old file, and the
// directory is synced. It serves policy §1.20.3.1 (release documentation must
// stay intact) and STYLE rule 6 (file writes are separate, atomic wrappers).
//
// # Safety
//
// Every path is resolved inside a root directory with [os.Root]: a name that
// is absolute outside the root, holds "..", or whose last element is a
// symbolic link is refused with [ErrUnsafePath]. [Update] hashes the file
// when it reads it and again just before the rename, and returns
// [ErrConcurrentModification] when another writer changed it in between.
// On any failure the temporary file is removed and the original is left
// exactly as it was.
//
// # Concurrency
//
// The functions are safe for concurrent use; two concurrent Updates of the
// same file either both succeed in turn or one fails with
// ErrConcurrentModification, but neither loses the other's write silently
// except in the short window between the final hash and the rename.
package atomicfile

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

var (
	// ErrUnsafePath means that the path escapes the root directory or
	// names a symbolic link.
	ErrUnsafePath = errors.New("atomicfile: unsafe path")
	// ErrConcurrentModification means that the file changed between the
	// moment it was read and the moment it was to be replaced.
	ErrConcurrentModification = errors.New("atomicfile: file modified concurrently")
)

// EditFunc computes the new content of a file from its current content.
// exists is false when the file does not exist yet (old is then nil).
// Returning an error aborts the update and leaves the file untouched.
type EditFunc func(old []byte, exists bool) ([]byte, error)

// Update reads the file name inside the directory root, passes its content
// to edit, and atomically replaces the file with the result. A file that
// does not exist is created with permission 0o644; an existing file keeps
// its permission bits.
//
// It returns an error matching [ErrUnsafePath] when name escapes root or
// is a symbolic link, [ErrConcurrentModification] when the file changed
// while edit ran, and the error of edit unchanged (wrapped) when edit fails.
// On every error the original file is unchanged and no temporary file is
// left behind.
func Update(root, name string, edit EditFunc) error {
	return update(root, name, edit, nil)
}

// Write atomically replaces (or creates) the file name inside root with
// data. Its errors are those of [Update].
func Write(root, name string, data []byte) error {
	return update(root, name, func([]byte, bool) ([]byte, error) { return data, nil }, nil)
}

// hooks lets the package's own tests inject faults between the steps.
type hooks struct {
	wrap         func(io.Writer) io.Writer // wraps the temporary file's writer
	beforeRename func() error
}

func update(root, name string, edit EditFunc, h *hooks) (err error) {
	rel, err := localName(root, name)
	if err != nil {
		return err
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return fmt.Errorf("atomicfile: open root %s: %w", root, err)
	}
	defer r.Close()

	old, exists, mode, err := read(r, rel)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(old)
	data, err := edit(old, exists)
	if err != nil {
		return fmt.Errorf("atomicfile: edit %s: %w", name, err)
	}

	tmp, f, err := createTemp(r, rel, mode)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = r.Remove(tmp)
		}
	}()
	var w io.Writer = f
	if h != nil && h.wrap != nil {
		w = h.wrap(f)
	}
	if _, err = w.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("atomicfile: write %s: %w", tmp, err)
	}
	if err = f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("atomicfile: sync %s: %w", tmp, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("atomicfile: close %s: %w", tmp, err)
	}
	if h != nil && h.beforeRename != nil {
		if err = h.beforeRename(); err != nil {
			return err
		}
	}
	now, nowExists, _, err := read(r, rel)
	if err != nil {
		return err
	}
	if nowExists != exists || sha256.Sum256(now) != sum {
		err = fmt.Errorf("%w: %s", ErrConcurrentModification, name)
		return err
	}
	if err = r.Rename(tmp, rel); err != nil {
		return fmt.Errorf("atomicfile: rename %s: %w", name, err)
	}
	if d, derr := r.Open(filepath.Dir(rel)); derr == nil {
		serr := d.Sync()
		d.Close()
		if serr != nil && !errors.Is(serr, fs.ErrInvalid) {
			// The rename is done; report the sync failure but do not remove
			// anything (tmp no longer exists).
			return fmt.Errorf("atomicfile: sync directory of %s: %w", name, serr)
		}
	}
	return nil
}

// localName turns name into a path relative to root, refusing anything
// that leaves it.
func localName(root, name string) (string, error) {
	if filepath.IsAbs(name) {
		absRoot, err := filepath.Abs(root)
		if err != nil {
			return "", fmt.Errorf("atomicfile: root %s: %w", root, err)
		}
		rel, err := filepath.Rel(absRoot, name)
		if err != nil {
			return "", fmt.Errorf("%w: %s is outside %s", ErrUnsafePath, name, root)
		}
		name = rel
	}
	if !filepath.IsLocal(name) {
		return "", fmt.Errorf("%w: %s is outside %s", ErrUnsafePath, name, root)
	}
	return filepath.Clean(name), nil
}

// read returns the content of rel, refusing symbolic links and anything
// but a regular file.
func read(r *os.Root, rel string) (data []byte, exists bool, mode fs.FileMode, err error) {
	fi, err := r.Lstat(rel)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, 0o644, nil
	}
	if err != nil {
		if isEscape(err) {
			return nil, false, 0, fmt.Errorf("%w: %s: %v", ErrUnsafePath, rel, err)
		}
		return nil, false, 0, fmt.Errorf("atomicfile: stat %s: %w", rel, err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return nil, false, 0, fmt.Errorf("%w: %s is a symbolic link", ErrUnsafePath, rel)
	}
	if !fi.Mode().IsRegular() {
		return nil, false, 0, fmt.Errorf("%w: %s is not a regular file", ErrUnsafePath, rel)
	}
	data, err = r.ReadFile(rel)
	if err != nil {
		return nil, false, 0, fmt.Errorf("atomicfile: read %s: %w", rel, err)
	}
	return data, true, fi.Mode().Perm(), nil
}

// isEscape reports whether err comes from os.Root refusing a path.
func isEscape(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && bytes.Contains([]byte(pe.Err.Error()), []byte("escapes"))
}

func createTemp(r *os.Root, rel string, mode fs.FileMode) (string, *os.File, error) {
	dir, base := filepath.Split(rel)
	for range 10 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		tmp := filepath.Join(dir, "."+base+".tmp-"+hex.EncodeToString(b[:]))
		f, err := r.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			if isEscape(err) {
				return "", nil, fmt.Errorf("%w: %s: %v", ErrUnsafePath, rel, err)
			}
			return "", nil, fmt.Errorf("atomicfile: create temporary file for %s: %w", rel, err)
		}
		if err := f.Chmod(mode); err != nil {
			f.Close()
			_ = r.Remove(tmp)
			return "", nil, fmt.Errorf("atomicfile: chmod %s: %w", tmp, err)
		}
		return tmp, f, nil
	}
	return "", nil, fmt.Errorf("atomicfile: create temporary file for %s: too many collisions", rel)
}

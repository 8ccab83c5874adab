// Package boundedfile opens and reads the files a user names (keys,
// allowed_signers, manifests, envelopes, policies, templates, SBOMs) the
// one safe way: as regular files only, and read up to a stated bound.
//
// A path naming a FIFO, a device (/dev/zero, a terminal), a socket or a
// directory is refused with an [*Error] wrapping [ErrNotRegular] instead of
// hanging or reading forever: the file is opened with O_NONBLOCK (so that
// opening a FIFO with no writer returns at once; the flag has no effect on
// a regular file) and O_NOCTTY, and its type is checked with fstat on the
// opened descriptor, so that nothing can be swapped in between a check and
// the open. A file larger than the bound is refused with an [*Error]
// wrapping [ErrTooLarge], without being read past the bound.
package boundedfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Errors an [*Error] wraps.
var (
	ErrNotRegular = errors.New("boundedfile: not a regular file")
	ErrTooLarge   = errors.New("boundedfile: file too large")
)

// An Error is a file refused for what it is: not a regular file, or larger
// than the bound. Missing and unreadable files are reported as the os
// package reports them (*fs.PathError).
type Error struct {
	Path   string
	Reason string // "not a regular file (named pipe)", "larger than 1048576 bytes"
	Err    error  // ErrNotRegular or ErrTooLarge
}

func (e *Error) Error() string { return e.Path + ": " + e.Reason }

// Unwrap returns ErrNotRegular or ErrTooLarge.
func (e *Error) Unwrap() error { return e.Err }

// Open opens path for reading, refusing anything but a regular file with an
// [*Error] wrapping [ErrNotRegular]. It does not block on a FIFO.
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &Error{Path: path, Reason: "not a regular file (" + kind(fi.Mode()) + ")", Err: ErrNotRegular}
	}
	return f, nil
}

// ReadFile returns the content of the regular file at path, which must
// hold at most max bytes: an [*Error] wrapping [ErrNotRegular] or
// [ErrTooLarge] otherwise. It reads at most max+1 bytes whatever the file
// claims to hold.
func ReadFile(path string, max int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return read(f, path, max)
}

func read(f *os.File, path string, max int64) ([]byte, error) {
	tooLarge := &Error{Path: path, Reason: fmt.Sprintf("larger than %d bytes", max), Err: ErrTooLarge}
	if fi, err := f.Stat(); err == nil && fi.Size() > max {
		return nil, tooLarge
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, tooLarge
	}
	return b, nil
}

// kind names the type of a file that is not regular.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m.IsDir():
		return "directory"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	}
	return "irregular file"
}

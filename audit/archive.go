package audit

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"unicode/utf8"
)

// Errors of ListArchive. Each is returned inside an *ArchiveError.
// The reasons of an [ArchiveError].
const (
	// ReasonArchiveFormat: input that is not a tar, tar.gz or zip archive,
	// or one that does not parse (truncated, corrupt, an unsupported
	// compression method).
	ReasonArchiveFormat = "not a readable archive"
	// ReasonArchiveLimit: an archive over a limit of ArchiveLimits.
	ReasonArchiveLimit = "archive over its limits"
	// ReasonArchiveEntry: an entry ListArchive refuses: a symbolic or hard
	// link, a device, a FIFO, a sparse file, an absolute path, a path that
	// climbs out of the archive, a path that is not valid UTF-8 or holds a
	// backslash or control character, a path given twice, a path that is
	// both a file and a directory ("a" and "a/b"), or a zip directory entry
	// that holds data or whose name does not end in "/".
	ReasonArchiveEntry = "unsafe archive entry"
)

// Default limits of ListArchive.
const (
	DefaultArchiveMaxEntries   = 10000
	DefaultArchiveMaxFileSize  = 256 << 20 // bytes
	DefaultArchiveMaxTotalSize = 1 << 30   // bytes
)

// ArchiveLimits bound what ListArchive reads. A zero field takes its
// default (DefaultArchiveMaxEntries, ...).
type ArchiveLimits struct {
	MaxEntries   int   // entries of any kind, directories included
	MaxFileSize  int64 // uncompressed bytes of one file
	MaxTotalSize int64 // uncompressed bytes of all files together
}

func (l ArchiveLimits) withDefaults() ArchiveLimits {
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultArchiveMaxEntries
	}
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = DefaultArchiveMaxFileSize
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = DefaultArchiveMaxTotalSize
	}
	// Bounds that keep the arithmetic on them from overflowing.
	l.MaxEntries = min(l.MaxEntries, 1<<30)
	l.MaxFileSize = min(l.MaxFileSize, 1<<60)
	l.MaxTotalSize = min(l.MaxTotalSize, 1<<60)
	return l
}

// An ArchiveFile is one regular file of an archive.
type ArchiveFile struct {
	Path   string `json:"path"` // cleaned, slash-separated, relative
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // lower-case hex of the content
}

// An ArchiveError is a refusal of ListArchive: Entry is the entry's name as
// written in the archive ("" for the archive as a whole).
type ArchiveError struct {
	Entry string
	// Reason is ReasonArchiveFormat, ReasonArchiveLimit or
	// ReasonArchiveEntry.
	Reason string
	// Detail says what exactly was refused.
	Detail string
}

// Error names the entry, the reason and the detail.
func (e *ArchiveError) Error() string {
	if e.Entry == "" {
		return fmt.Sprintf("audit: %s: %s", e.Reason, e.Detail)
	}
	return fmt.Sprintf("audit: %s: %q: %s", e.Reason, e.Entry, e.Detail)
}

// ListArchive lists the regular files of the archive in r (size bytes):
// a tar, a gzip-compressed tar or a zip archive, recognised by its content.
// Directories are skipped. The files are returned sorted by path, each
// with its size and SHA-256. It reads within lim (entries, bytes of one
// file, bytes in all), cleans each path and refuses, with an *ArchiveError,
// any entry that is not a directory or a regular file and any path that is
// absolute, climbs out of the archive, appears twice or is both a file and
// a directory, rather than skipping them: an audit must not silently lose
// a file. ListArchive does not panic on any input and never writes
// anything.
func ListArchive(r io.ReaderAt, size int64, lim ArchiveLimits) ([]ArchiveFile, error) {
	lim = lim.withDefaults()
	if size < 0 {
		return nil, &ArchiveError{Detail: "negative size", Reason: ReasonArchiveFormat}
	}
	head := make([]byte, 512)
	n, err := r.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, &ArchiveError{Detail: "read: " + err.Error(), Reason: ReasonArchiveFormat}
	}
	head = head[:n]
	l := &lister{lim: lim, seen: map[string]string{}, dirs: map[string]string{}}
	switch sniffKind(head) {
	case "tar.gz":
		zr, err := gzip.NewReader(io.NewSectionReader(r, 0, size))
		if err != nil {
			return nil, &ArchiveError{Detail: "gzip: " + err.Error(), Reason: ReasonArchiveFormat}
		}
		// The decompressed stream is bounded too: headers and skipped
		// data count, not only the files' bytes.
		left := lim.MaxTotalSize + int64(lim.MaxEntries+2)*headerAllowance
		if err := l.tar(&capReader{r: zr, left: left}); err != nil {
			return nil, err
		}
	case "zip":
		if err := l.zip(r, size); err != nil {
			return nil, err
		}
	case "tar":
		if err := l.tar(io.NewSectionReader(r, 0, size)); err != nil {
			return nil, err
		}
	default:
		return nil, &ArchiveError{Detail: "not a tar, tar.gz or zip archive", Reason: ReasonArchiveFormat}
	}
	if err := l.conflicts(); err != nil {
		return nil, err
	}
	slices.SortFunc(l.files, func(a, b ArchiveFile) int { return strings.Compare(a.Path, b.Path) })
	return l.files, nil
}

// conflicts refuses a path that is both a file and a directory: a file
// that is also a directory entry, or a file inside another file.
func (l *lister) conflicts() error {
	for _, f := range l.files {
		name := l.seen[f.Path]
		if _, ok := l.dirs[f.Path]; ok {
			return &ArchiveError{Entry: name, Detail: "path is both a file and a directory", Reason: ReasonArchiveEntry}
		}
		for d := path.Dir(f.Path); d != "."; d = path.Dir(d) {
			if _, ok := l.seen[d]; ok {
				return &ArchiveError{Entry: name, Detail: fmt.Sprintf("path is inside the file %q", d), Reason: ReasonArchiveEntry}
			}
		}
	}
	return nil
}

// headerAllowance is the decompressed bytes allowed per tar entry
// beyond its content (header blocks, padding, PAX records).
const headerAllowance = 8 << 10

// errArchiveCap is the cause when a decompressed stream exceeds its cap.
var errArchiveCap = errors.New("decompressed stream over its limit")

// capReader fails once more than left bytes were read. A stream that
// ends exactly at the cap reads to its end (io.EOF), as the bundle
// reader's limit does.
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// Tell a stream that ended exactly at the cap from a longer one.
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			return 0, errArchiveCap
		}
		if err == nil {
			return 0, nil
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// lister collects files within limits.
type lister struct {
	lim     ArchiveLimits
	entries int
	total   int64
	seen    map[string]string // clean path of each file -> its name
	dirs    map[string]string // clean path of each directory entry -> its name
	files   []ArchiveFile
}

// entryErr turns a reader's error into an *ArchiveError.
func entryErr(entry string, err error) error {
	var ae *ArchiveError
	switch {
	case errors.As(err, &ae):
		return err
	case errors.Is(err, errArchiveCap):
		return &ArchiveError{Entry: entry, Detail: err.Error(), Reason: ReasonArchiveLimit}
	case errors.Is(err, tar.ErrInsecurePath), errors.Is(err, zip.ErrInsecurePath):
		return &ArchiveError{Entry: entry, Detail: err.Error(), Reason: ReasonArchiveEntry}
	default:
		return &ArchiveError{Entry: entry, Detail: err.Error(), Reason: ReasonArchiveFormat}
	}
}

// entry counts one entry against the limit.
func (l *lister) entry(name string) error {
	l.entries++
	if l.entries > l.lim.MaxEntries {
		return &ArchiveError{Entry: name, Detail: fmt.Sprintf("more than %d entries", l.lim.MaxEntries), Reason: ReasonArchiveLimit}
	}
	return nil
}

// cleanPath returns name as a clean relative slash path, or an error.
func (l *lister) cleanPath(name string, dir bool) (string, error) {
	bad := func(reason string) error {
		return &ArchiveError{Entry: name, Detail: reason, Reason: ReasonArchiveEntry}
	}
	switch {
	case name == "":
		return "", bad("empty path")
	case !utf8.ValidString(name):
		return "", bad("path is not valid UTF-8")
	case strings.ContainsAny(name, "\\"):
		return "", bad("path holds a backslash")
	case strings.HasPrefix(name, "/"):
		return "", bad("absolute path")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return "", bad("path holds a control character")
		}
	}
	p := path.Clean(name)
	if p == "." && dir {
		return p, nil
	}
	if p == "." || !fs.ValidPath(p) {
		return "", bad("path climbs out of the archive")
	}
	if dir {
		l.dirs[p] = name
	} else {
		if _, ok := l.seen[p]; ok {
			return "", bad("path appears twice")
		}
		l.seen[p] = name
	}
	return p, nil
}

// file hashes one file's content, read from r, declared size bytes.
func (l *lister) file(name, p string, declared int64, r io.Reader) error {
	if declared > l.lim.MaxFileSize {
		return &ArchiveError{Entry: name, Detail: fmt.Sprintf("file of %d bytes, over %d", declared, l.lim.MaxFileSize), Reason: ReasonArchiveLimit}
	}
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(r, l.lim.MaxFileSize+1))
	if err != nil {
		return entryErr(name, err)
	}
	if n > l.lim.MaxFileSize {
		return &ArchiveError{Entry: name, Detail: fmt.Sprintf("file over %d bytes", l.lim.MaxFileSize), Reason: ReasonArchiveLimit}
	}
	l.total += n
	if l.total > l.lim.MaxTotalSize {
		return &ArchiveError{Entry: name, Detail: fmt.Sprintf("files over %d bytes in all", l.lim.MaxTotalSize), Reason: ReasonArchiveLimit}
	}
	l.files = append(l.files, ArchiveFile{Path: p, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
	return nil
}

// tar lists a tar stream.
func (l *lister) tar(r io.Reader) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return entryErr("", err)
		}
		if err := l.entry(hdr.Name); err != nil {
			return err
		}
		switch hdr.Typeflag {
		case tar.TypeXGlobalHeader:
			continue
		case tar.TypeDir:
			if _, err := l.cleanPath(hdr.Name, true); err != nil {
				return err
			}
		case tar.TypeReg, tar.TypeRegA: //nolint:staticcheck // TypeRegA is how old tars mark files
			p, err := l.cleanPath(hdr.Name, false)
			if err != nil {
				return err
			}
			if hdr.Size < 0 {
				return &ArchiveError{Entry: hdr.Name, Detail: "negative size", Reason: ReasonArchiveFormat}
			}
			if err := l.file(hdr.Name, p, hdr.Size, tr); err != nil {
				return err
			}
		default:
			return &ArchiveError{Entry: hdr.Name, Detail: tarKind(hdr.Typeflag) + " entries are refused", Reason: ReasonArchiveEntry}
		}
	}
}

func tarKind(t byte) string {
	switch t {
	case tar.TypeSymlink:
		return "symbolic link"
	case tar.TypeLink:
		return "hard link"
	case tar.TypeChar, tar.TypeBlock:
		return "device"
	case tar.TypeFifo:
		return "FIFO"
	case tar.TypeGNUSparse:
		return "sparse file"
	default:
		return fmt.Sprintf("type %q", t)
	}
}

// zip lists a zip archive.
func (l *lister) zip(r io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return entryErr("", err)
	}
	if zr == nil {
		return entryErr("", err)
	}
	if len(zr.File) > l.lim.MaxEntries {
		return &ArchiveError{Detail: fmt.Sprintf("%d entries, more than %d", len(zr.File), l.lim.MaxEntries), Reason: ReasonArchiveLimit}
	}
	for _, f := range zr.File {
		if err := l.entry(f.Name); err != nil {
			return err
		}
		mode := f.Mode()
		switch {
		case mode.IsDir():
			// unzip and most tools take an entry for a directory by its
			// trailing slash: one without it is a file that skipping would
			// lose, and one declaring data would hide that data.
			if !strings.HasSuffix(f.Name, "/") || f.UncompressedSize64 != 0 {
				return &ArchiveError{Entry: f.Name, Detail: "directory entry that is not an empty directory by its name and size", Reason: ReasonArchiveEntry}
			}
			if _, err := l.cleanPath(f.Name, true); err != nil {
				return err
			}
			continue
		case mode&fs.ModeSymlink != 0:
			return &ArchiveError{Entry: f.Name, Detail: "symbolic link entries are refused", Reason: ReasonArchiveEntry}
		case !mode.IsRegular():
			return &ArchiveError{Entry: f.Name, Detail: "special file entries are refused", Reason: ReasonArchiveEntry}
		}
		p, err := l.cleanPath(f.Name, false)
		if err != nil {
			return err
		}
		if f.UncompressedSize64 > uint64(l.lim.MaxFileSize) {
			return &ArchiveError{Entry: f.Name, Detail: fmt.Sprintf("file of %d bytes, over %d", f.UncompressedSize64, l.lim.MaxFileSize), Reason: ReasonArchiveLimit}
		}
		rc, err := f.Open()
		if err != nil {
			return entryErr(f.Name, err)
		}
		err = l.file(f.Name, p, int64(f.UncompressedSize64), rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

package tagging

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// Creating or verifying one tag reads two or three objects. go-git's
// object storage answers its first lookup in a packfile by loading every
// pack index into memory and mapping every offset to its id: on a large
// repository (300,000 commits) that is a second and 100 MB before the first
// object, where git reads a few pages of the index. packedObject reads one
// object the way git does: a bisection in the version 2 .idx on disk, then
// the entry's header and, for an entry stored whole, its zlib stream. Deltas,
// loose objects, alternates and anything unusual are left to go-git, so
// results never depend on which path served them.

// errNotPacked means packedObject cannot serve the object: the caller asks
// go-git.
var errNotPacked = errors.New("tagging: object not served from a pack index")

// maxPackedObject bounds what packedObject inflates: tags and commits are
// small; anything larger is left to go-git.
const maxPackedObject = 16 << 20

// packedObject returns the type of object h and, when content is true, its
// bytes, read from the packs of objects directory objDir. It returns
// errNotPacked when h is not found whole in a pack there.
func packedObject(objDir string, h plumbing.Hash, content bool) (plumbing.ObjectType, []byte, error) {
	idxs, err := filepath.Glob(filepath.Join(objDir, "pack", "pack-*.idx"))
	if err != nil {
		return 0, nil, errNotPacked
	}
	for _, idx := range idxs {
		off, ok := idxFind(idx, h)
		if !ok {
			continue
		}
		return packEntry(strings.TrimSuffix(idx, ".idx")+".pack", off, content)
	}
	return 0, nil, errNotPacked
}

// idxFind returns the offset of h in the version 2 pack index at path.
func idxFind(path string, h plumbing.Hash) (uint64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	hdr := make([]byte, 8+256*4)
	if _, err := io.ReadFull(f, hdr); err != nil || !bytes.Equal(hdr[:4], []byte{0xff, 't', 'O', 'c'}) || binary.BigEndian.Uint32(hdr[4:8]) != 2 {
		return 0, false
	}
	fanout := hdr[8:]
	n := int64(binary.BigEndian.Uint32(fanout[255*4:]))
	lo := int64(0)
	if h[0] > 0 {
		lo = int64(binary.BigEndian.Uint32(fanout[(int(h[0])-1)*4:]))
	}
	hi := int64(binary.BigEndian.Uint32(fanout[int(h[0])*4:]))
	if hi > n || lo > hi {
		return 0, false
	}
	names := int64(8 + 256*4)
	var name [20]byte
	for lo < hi {
		mid := (lo + hi) / 2
		if _, err := f.ReadAt(name[:], names+mid*20); err != nil {
			return 0, false
		}
		switch c := bytes.Compare(name[:], h[:]); {
		case c < 0:
			lo = mid + 1
		case c > 0:
			hi = mid
		default:
			var b [8]byte
			offsets := names + n*20 + n*4 // after the names and the CRC32s
			if _, err := f.ReadAt(b[:4], offsets+mid*4); err != nil {
				return 0, false
			}
			o := binary.BigEndian.Uint32(b[:4])
			if o&0x80000000 == 0 {
				return uint64(o), true
			}
			if _, err := f.ReadAt(b[:], offsets+n*4+int64(o&0x7fffffff)*8); err != nil {
				return 0, false
			}
			return binary.BigEndian.Uint64(b[:]), true
		}
	}
	return 0, false
}

// packEntry reads the entry at off of the pack at path when it is stored
// whole (commit, tree, blob or tag); a delta returns errNotPacked.
func packEntry(path string, off uint64, content bool) (plumbing.ObjectType, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, nil, errNotPacked
	}
	defer f.Close()
	var b [16]byte
	n, err := f.ReadAt(b[:], int64(off))
	if n == 0 || err != nil && !errors.Is(err, io.EOF) {
		return 0, nil, errNotPacked
	}
	c := b[0]
	typ := plumbing.ObjectType(c >> 4 & 7)
	size := uint64(c & 0x0f)
	shift, i := uint(4), 1
	for c&0x80 != 0 {
		if i >= n || shift > 57 {
			return 0, nil, errNotPacked
		}
		c = b[i]
		i++
		size |= uint64(c&0x7f) << shift
		shift += 7
	}
	if typ < plumbing.CommitObject || typ > plumbing.TagObject {
		return 0, nil, errNotPacked
	}
	if !content {
		return typ, nil, nil
	}
	if size > maxPackedObject {
		return 0, nil, errNotPacked
	}
	zr, err := zlib.NewReader(io.NewSectionReader(f, int64(off)+int64(i), 1<<62))
	if err != nil {
		return 0, nil, errNotPacked
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(zr, data); err != nil {
		return 0, nil, errNotPacked
	}
	return typ, data, nil
}

// objectsDir returns the objects directory of repo's git directory, or ""
// when repo is not stored in one.
func objectsDir(repo *git.Repository) string {
	dir, err := gitDirOf(repo)
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "objects")
}

// isLoose reports whether h is stored as a loose object under objDir, which
// go-git reads without loading the pack indexes.
func isLoose(objDir string, h plumbing.Hash) bool {
	s := h.String()
	_, err := os.Stat(filepath.Join(objDir, s[:2], s[2:]))
	return err == nil
}

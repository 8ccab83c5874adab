package audit_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/internal/testkit/audittest"
)

// archiveEntry is one entry of a hand-built archive.
type archiveEntry struct {
	name     string
	typeflag byte // tar type; for zip, tar.TypeSymlink or tar.TypeDir change the mode
	content  string
}

func archiveTar(t testing.TB, entries []archiveEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typeflag, Mode: 0o644, ModTime: time.Unix(1767603600, 0)}
		switch e.typeflag {
		case tar.TypeReg:
			h.Size = int64(len(e.content))
		case tar.TypeSymlink, tar.TypeLink:
			h.Linkname = e.content
		}
		require.NoError(t, tw.WriteHeader(h))
		if e.typeflag == tar.TypeReg {
			_, err := tw.Write([]byte(e.content))
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	return buf.Bytes()
}

func archiveGzip(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func archiveZip(t testing.TB, entries []archiveEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		switch e.typeflag {
		case tar.TypeSymlink:
			h.SetMode(fs.ModeSymlink | 0o777)
		case tar.TypeDir:
			h.SetMode(fs.ModeDir | 0o755)
		case tar.TypeFifo:
			h.SetMode(fs.ModeNamedPipe | 0o644)
		default:
			h.SetMode(0o644)
		}
		w, err := zw.CreateHeader(h)
		require.NoError(t, err)
		_, err = w.Write([]byte(e.content))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// compareZip builds a zip of files for the compare tests.
func compareZip(t testing.TB, files map[string]string) []byte {
	var entries []archiveEntry
	for _, name := range slices.Sorted(maps.Keys(files)) {
		entries = append(entries, archiveEntry{name, tar.TypeReg, files[name]})
	}
	return archiveZip(t, entries)
}

func archiveList(data []byte, lim audit.ArchiveLimits) ([]audit.ArchiveFile, error) {
	return audit.ListArchive(bytes.NewReader(data), int64(len(data)), lim)
}

var archiveGood = []archiveEntry{
	{"pkg/", tar.TypeDir, ""},
	{"./pkg/b.txt", tar.TypeReg, "bee\n"},
	{"pkg/a.txt", tar.TypeReg, "a\n"},
	{"pkg/sub/../c.txt", tar.TypeReg, ""},
}

func TestListArchive(t *testing.T) {
	want := []audit.ArchiveFile{
		{Path: "pkg/a.txt", Size: 2, SHA256: compareSum("a\n")},
		{Path: "pkg/b.txt", Size: 4, SHA256: compareSum("bee\n")},
		{Path: "pkg/c.txt", Size: 0, SHA256: compareSum("")},
	}
	tarball := archiveTar(t, archiveGood)
	for name, data := range map[string][]byte{
		"tar":    tarball,
		"tar.gz": archiveGzip(t, tarball),
		"zip":    archiveZip(t, archiveGood),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := archiveList(data, audit.ArchiveLimits{})
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}

	// The fixture's artifacts are real tar.gz archives.
	files := map[string]string{"shop/a.go": "package shop\n", "shop/b/c.txt": "c"}
	got, err := archiveList(audittest.TarGz(files, time.Unix(0, 0)), audit.ArchiveLimits{})
	require.NoError(t, err)
	assert.Equal(t, []audit.ArchiveFile{
		{Path: "shop/a.go", Size: 13, SHA256: compareSum("package shop\n")},
		{Path: "shop/b/c.txt", Size: 1, SHA256: compareSum("c")},
	}, got)

	got, err = archiveList(archiveZip(t, nil), audit.ArchiveLimits{})
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestListArchiveRefuses(t *testing.T) {
	reg := func(name string) archiveEntry { return archiveEntry{name, tar.TypeReg, "x"} }
	big := archiveEntry{"big.bin", tar.TypeReg, strings.Repeat("z", 5000)}
	many := make([]archiveEntry, 0, 11)
	for i := range 11 {
		many = append(many, reg(string(rune('a'+i))))
	}
	small := audit.ArchiveLimits{MaxEntries: 10, MaxFileSize: 4096, MaxTotalSize: 8192}
	for _, tc := range []struct {
		name  string
		data  func(t testing.TB) []byte
		lim   audit.ArchiveLimits
		want  string
		entry string
	}{
		{"tar symlink", func(t testing.TB) []byte { return archiveTar(t, []archiveEntry{{"l", tar.TypeSymlink, "/etc/passwd"}}) }, small, audit.ReasonArchiveEntry, "l"},
		{"tar hard link", func(t testing.TB) []byte { return archiveTar(t, []archiveEntry{reg("a"), {"b", tar.TypeLink, "a"}}) }, small, audit.ReasonArchiveEntry, "b"},
		{"tar fifo", func(t testing.TB) []byte { return archiveTar(t, []archiveEntry{{"p", tar.TypeFifo, ""}}) }, small, audit.ReasonArchiveEntry, "p"},
		{"tar device", func(t testing.TB) []byte { return archiveTar(t, []archiveEntry{{"d", tar.TypeChar, ""}}) }, small, audit.ReasonArchiveEntry, "d"},
		{"tar absolute", func(t testing.TB) []byte { return archiveTar(t, []archiveEntry{reg("/etc/passwd")}) }, small, audit.ReasonArchiveEntry, "/etc/passwd"},
		{"tar dot-dot", func(t testing.TB) []byte { return archiveTar(t, []archiveEntry{reg("a/../../x")}) }, small, audit.ReasonArchiveEntry, "a/../../x"},
		{"tar backslash", func(t testing.TB) []byte { return archiveTar(t, []archiveEntry{reg(`..\x`)}) }, small, audit.ReasonArchiveEntry, `..\x`},
		{"tar control", func(t testing.TB) []byte { return archiveTar(t, []archiveEntry{reg("a\nb")}) }, small, audit.ReasonArchiveEntry, "a\nb"},
		{"tar duplicate", func(t testing.TB) []byte { return archiveTar(t, []archiveEntry{reg("a"), reg("./a")}) }, small, audit.ReasonArchiveEntry, "./a"},
		{"tar too many", func(t testing.TB) []byte { return archiveTar(t, many) }, small, audit.ReasonArchiveLimit, "k"},
		{"tar file too big", func(t testing.TB) []byte { return archiveTar(t, []archiveEntry{big}) }, small, audit.ReasonArchiveLimit, "big.bin"},
		{"tar total too big", func(t testing.TB) []byte {
			return archiveTar(t, []archiveEntry{{"a", tar.TypeReg, strings.Repeat("a", 4000)}, {"b", tar.TypeReg, strings.Repeat("b", 4000)}, {"c", tar.TypeReg, strings.Repeat("c", 4000)}})
		}, small, audit.ReasonArchiveLimit, "c"},
		{"gzip bomb", func(t testing.TB) []byte {
			return archiveGzip(t, archiveTar(t, []archiveEntry{{"zeros", tar.TypeReg, strings.Repeat("\x00", 1<<20)}}))
		}, small, audit.ReasonArchiveLimit, "zeros"},
		{"gzip of junk", func(t testing.TB) []byte { return archiveGzip(t, []byte("not a tar at all")) }, small, audit.ReasonArchiveFormat, ""},
		{"truncated gzip", func(t testing.TB) []byte {
			d := archiveGzip(t, archiveTar(t, archiveGood))
			return d[:len(d)/2]
		}, small, audit.ReasonArchiveFormat, ""},
		{"truncated tar", func(t testing.TB) []byte {
			d := archiveTar(t, []archiveEntry{{"a", tar.TypeReg, strings.Repeat("a", 2000)}})
			return d[:1000]
		}, small, audit.ReasonArchiveFormat, "a"},
		{"zip symlink", func(t testing.TB) []byte { return archiveZip(t, []archiveEntry{{"l", tar.TypeSymlink, "/etc"}}) }, small, audit.ReasonArchiveEntry, "l"},
		{"zip fifo", func(t testing.TB) []byte { return archiveZip(t, []archiveEntry{{"p", tar.TypeFifo, ""}}) }, small, audit.ReasonArchiveEntry, "p"},
		{"zip dot-dot", func(t testing.TB) []byte { return archiveZip(t, []archiveEntry{reg("../x")}) }, small, audit.ReasonArchiveEntry, "../x"},
		{"zip too many", func(t testing.TB) []byte { return archiveZip(t, many) }, small, audit.ReasonArchiveLimit, ""},
		{"zip file too big", func(t testing.TB) []byte { return archiveZip(t, []archiveEntry{big}) }, small, audit.ReasonArchiveLimit, "big.bin"},
		{"zip truncated", func(t testing.TB) []byte {
			d := archiveZip(t, archiveGood)
			return d[:len(d)-30]
		}, small, audit.ReasonArchiveFormat, ""},
		{"not an archive", func(t testing.TB) []byte { return []byte("#!/bin/sh\necho hello\n") }, small, audit.ReasonArchiveFormat, ""},
		{"empty", func(t testing.TB) []byte { return nil }, small, audit.ReasonArchiveFormat, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := archiveList(tc.data(t), tc.lim)
			assert.Nil(t, got)
			var ae *audit.ArchiveError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.want, ae.Reason)
			assert.Equal(t, tc.entry, ae.Entry)
			assert.NotEmpty(t, ae.Detail)
		})
	}
}

// FuzzArchive checks that ListArchive never panics and that what it
// accepts is within its limits: clean, unique, sorted paths, sizes within
// bounds, well-formed hashes.
func FuzzArchive(f *testing.F) {
	tarball := archiveTar(f, archiveGood)
	f.Add(tarball)
	f.Add(archiveGzip(f, tarball))
	f.Add(archiveZip(f, archiveGood))
	f.Add(archiveTar(f, []archiveEntry{{"l", tar.TypeSymlink, "x"}, {"../a", tar.TypeReg, "a"}}))
	f.Add(archiveZip(f, []archiveEntry{{"d/", tar.TypeDir, ""}, {"d/f", tar.TypeReg, "f"}}))
	f.Add(audittest.TarGz(map[string]string{"shop/a.go": "package shop\n"}, time.Unix(0, 0)))
	f.Add([]byte("PK\x05\x06"))
	f.Add([]byte{0x1f, 0x8b})
	lim := audit.ArchiveLimits{MaxEntries: 50, MaxFileSize: 1 << 16, MaxTotalSize: 1 << 18}
	f.Fuzz(func(t *testing.T, data []byte) {
		files, err := archiveList(data, lim)
		if err != nil {
			var ae *audit.ArchiveError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v is not an *ArchiveError", err)
			}
			if ae.Reason != audit.ReasonArchiveFormat && ae.Reason != audit.ReasonArchiveLimit && ae.Reason != audit.ReasonArchiveEntry {
				t.Fatalf("error %v has no known reason", err)
			}
			return
		}
		if len(files) > lim.MaxEntries {
			t.Fatalf("%d files over the limit", len(files))
		}
		var total int64
		for i, fl := range files {
			if !fs.ValidPath(fl.Path) || fl.Path == "." || strings.Contains(fl.Path, `\`) {
				t.Fatalf("unclean path %q", fl.Path)
			}
			if i > 0 && files[i-1].Path >= fl.Path {
				t.Fatalf("paths not sorted and unique: %q, %q", files[i-1].Path, fl.Path)
			}
			if fl.Size < 0 || fl.Size > lim.MaxFileSize || len(fl.SHA256) != 64 {
				t.Fatalf("bad file %+v", fl)
			}
			total += fl.Size
		}
		if total > lim.MaxTotalSize {
			t.Fatalf("total %d over the limit", total)
		}
	})
}

// archiveReason returns the Reason of err's *audit.ArchiveError, "" when
// it has none.
func archiveReason(err error) string {
	var ae *audit.ArchiveError
	if errors.As(err, &ae) {
		return ae.Reason
	}
	return ""
}

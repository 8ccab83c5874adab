package atomicfile_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/atomicfile"
)

const original = "original\r\ncontent"

func setup(t *testing.T) (dir, path string) {
	dir = t.TempDir()
	path = filepath.Join(dir, "f.md")
	require.NoError(t, os.WriteFile(path, []byte(original), 0o600))
	return dir, path
}

func assertIntact(t *testing.T, dir, path string) {
	t.Helper()
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, original, string(got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.Contains(e.Name(), ".tmp-"), "temporary file %s left behind", e.Name())
	}
}

func TestUpdate(t *testing.T) {
	dir, path := setup(t)
	require.NoError(t, atomicfile.Update(dir, "f.md", func(old []byte, exists bool) ([]byte, error) {
		assert.True(t, exists)
		return append([]byte("new "), old...), nil
	}))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "new "+original, string(got))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	require.NoError(t, atomicfile.Write(dir, filepath.Join(dir, "sub.md"), []byte("x")))
	got, err = os.ReadFile(filepath.Join(dir, "sub.md"))
	require.NoError(t, err)
	assert.Equal(t, "x", string(got))
}

func TestFaults(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name         string
		edit         atomicfile.EditFunc
		wrap         func(io.Writer) io.Writer
		beforeRename func(path string) error
		want         error
	}{
		{name: "edit fails", edit: func([]byte, bool) ([]byte, error) { return nil, boom }, want: boom},
		{name: "write fails (ENOSPC)", wrap: func(io.Writer) io.Writer { return failWriter{boom} }, want: boom},
		{name: "fail after temp write, before rename", beforeRename: func(string) error { return boom }, want: boom},
		{name: "concurrent modification", beforeRename: func(p string) error { return os.WriteFile(p, []byte("other"), 0o600) }, want: atomicfile.ErrConcurrentModification},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, path := setup(t)
			edit := tc.edit
			if edit == nil {
				edit = func(old []byte, _ bool) ([]byte, error) { return []byte("changed"), nil }
			}
			var before func() error
			if tc.beforeRename != nil {
				before = func() error { return tc.beforeRename(path) }
			}
			err := atomicfile.UpdateWithFaults(dir, "f.md", edit, tc.wrap, before)
			require.ErrorIs(t, err, tc.want)
			if errors.Is(tc.want, atomicfile.ErrConcurrentModification) {
				got, _ := os.ReadFile(path)
				assert.Equal(t, "other", string(got), "the other writer's content is kept")
				return
			}
			assertIntact(t, dir, path)
		})
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestUnsafePath(t *testing.T) {
	dir, path := setup(t)
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "o.md"), []byte(original), 0o644))
	require.NoError(t, os.Symlink(filepath.Join(outside, "o.md"), filepath.Join(dir, "link.md")))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "linkdir")))
	for _, name := range []string{"link.md", "../o.md", "linkdir/o.md", filepath.Join(outside, "o.md"), "", "."} {
		err := atomicfile.Write(dir, name, []byte("x"))
		assert.ErrorIs(t, err, atomicfile.ErrUnsafePath, "%q", name)
	}
	got, _ := os.ReadFile(filepath.Join(outside, "o.md"))
	assert.Equal(t, original, string(got))
	assertIntact(t, dir, path)
}

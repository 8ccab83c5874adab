package atomicfile_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/atomicfile"
)

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// A parent directory that is a symbolic link out of the root is refused,
// nothing is written outside, and no temporary file is left.
func TestParentSymlinkOutsideRoot(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	require.NoError(t, os.Symlink(outside, filepath.Join(root, "docs")))
	err := atomicfile.Write(root, "docs/CHANGELOG.md", []byte("x"))
	assert.ErrorIs(t, err, atomicfile.ErrUnsafePath)
	assert.Empty(t, entries(t, outside))
	for _, name := range []string{"../x", "/etc/passwd", filepath.Join(outside, "x")} {
		assert.ErrorIs(t, atomicfile.Write(root, name, []byte("x")), atomicfile.ErrUnsafePath, name)
	}
	assert.Empty(t, entries(t, outside))
}

// Every failure after the temporary file exists removes it, and the
// original keeps its bytes and permissions.
func TestFailuresLeaveNoTemp(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "C.md")
	require.NoError(t, os.WriteFile(p, []byte("old"), 0o600))
	require.NoError(t, os.Chmod(p, 0o640))
	boom := errors.New("boom")
	edit := func([]byte, bool) ([]byte, error) { return []byte("new"), nil }
	errW := func(io.Writer) io.Writer { return reviewFailWriter{boom} }
	assert.ErrorIs(t, atomicfile.UpdateWithFaults(root, "C.md", edit, errW, nil), boom)
	assert.ErrorIs(t, atomicfile.UpdateWithFaults(root, "C.md", edit, nil, func() error { return boom }), boom)
	assert.ErrorIs(t, atomicfile.UpdateWithFaults(root, "C.md", edit, nil, func() error { return os.WriteFile(p, []byte("other"), 0o640) }), atomicfile.ErrConcurrentModification)
	assert.Equal(t, []string{"C.md"}, entries(t, root))
	require.NoError(t, os.WriteFile(p, []byte("old"), 0o640))
	require.NoError(t, atomicfile.Update(root, "C.md", edit))
	fi, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), fi.Mode().Perm())
	assert.Equal(t, []string{"C.md"}, entries(t, root))
}

type reviewFailWriter struct{ err error }

func (f reviewFailWriter) Write([]byte) (int, error) { return 0, f.err }

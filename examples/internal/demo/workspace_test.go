package demo_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/examples/internal/demo"
)

func TestWorkspaceKept(t *testing.T) {
	keep := filepath.Join(t.TempDir(), "a", "b")
	dir, cleanup, err := demo.Workspace(keep, "demo-test-")
	require.NoError(t, err)
	assert.Equal(t, keep, dir)
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.True(t, fi.IsDir())
	cleanup()
	_, err = os.Stat(dir)
	assert.NoError(t, err, "cleanup removed a kept workspace")
}

func TestWorkspaceTemporary(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	dir, cleanup, err := demo.Workspace("", "demo-test-")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(filepath.Base(dir), "demo-test-"), dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644))
	cleanup()
	_, err = os.Stat(dir)
	assert.ErrorIs(t, err, os.ErrNotExist, "cleanup left the temporary workspace")
}

func TestWorkspaceError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, cleanup, err := demo.Workspace(filepath.Join(file, "work"), "demo-test-")
	assert.Error(t, err)
	assert.Nil(t, cleanup)
}

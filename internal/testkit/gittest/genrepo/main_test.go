package main

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

func TestRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "r")
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"-commits", "300", "-tag-every", "50", "-merge-every", "0", "-unreleased", "20",
		"-paths", "api/,web/", "-commit-graph=false", dir}, &out, &errOut)
	require.NoError(t, err, errOut.String())
	assert.Regexp(t, regexp.MustCompile(`^.*/r: 300 commits, 6 tags, HEAD [0-9a-f]{40}, \.git [0-9.]+ MiB, [0-9.]+s\n$`), out.String())
	assert.Empty(t, errOut.String())

	r := gittest.Open(t, dir)
	assert.Equal(t, "300", r.Git("rev-list", "--count", "HEAD"))
	assert.Equal(t, "20", r.Git("rev-list", "--count", r.Git("describe", "--tags", "--abbrev=0")+"..HEAD"))
	assert.Equal(t, "api\nweb", r.Git("ls-tree", "--name-only", "HEAD"))
	assert.NoFileExists(t, filepath.Join(dir, ".git", "objects", "info", "commit-graph"))

	// Same flags, same hashes.
	dir2 := filepath.Join(t.TempDir(), "r")
	require.NoError(t, run(t.Context(), []string{"-commits", "300", "-tag-every", "50", "-unreleased", "20",
		"-paths", "api/,web/", dir2}, &out, &errOut))
	head2, err := exec.Command("git", "-C", dir2, "rev-parse", "HEAD").Output()
	require.NoError(t, err)
	assert.Equal(t, r.Head(), strings.TrimSpace(string(head2)))
}

func TestRunCommitGraph(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "r")
	var out, errOut bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"-commits", "50", "-merge-every", "5", "-commit-graph", dir}, &out, &errOut))
	assert.FileExists(t, filepath.Join(dir, ".git", "objects", "info", "commit-graph"))
}

func TestRunErrors(t *testing.T) {
	nonEmpty := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(nonEmpty, "keep"), []byte("x"), 0o644))
	tests := []struct {
		name string
		args []string
		is   error
	}{
		{"no dir", []string{"-commits", "10"}, nil},
		{"two dirs", []string{"a", "b"}, nil},
		{"bad flag", []string{"-nope", "x"}, nil},
		{"help", []string{"-h"}, flag.ErrHelp},
		{"not empty", []string{"-commits", "10", nonEmpty}, gittest.ErrNotEmpty},
		{"bad spec", []string{"-commits", "10", "-tag-every", "0", "-unreleased", "3", filepath.Join(t.TempDir(), "r")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(t.Context(), tt.args, &out, &errOut)
			require.Error(t, err)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			assert.Empty(t, out.String())
		})
	}
	entries, err := os.ReadDir(nonEmpty)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "a non-empty directory is left alone")
}

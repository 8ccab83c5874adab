package giteatest_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/giteatest"
)

func TestCheckBinary(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "gitea")
	require.NoError(t, os.WriteFile(file, []byte("#!/bin/sh\n"), 0o755))
	for _, tt := range []struct {
		name, path string
		ok         bool
	}{
		{"unset", "", false},
		{"missing", filepath.Join(dir, "nothing"), false},
		{"directory", dir, false},
		{"file", file, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := giteatest.CheckBinary(tt.path)
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, giteatest.ErrNoBinary)
			assert.Contains(t, err.Error(), "scripts/build-gitea")
			assert.Contains(t, err.Error(), giteatest.EnvBinary)
		})
	}
}

// TestRunRefuses: Run refuses before it runs anything — no binary, a
// test's setup without a test, a directory with files in it.
func TestRunRefuses(t *testing.T) {
	ctx := t.Context()
	_, err := giteatest.Run(ctx, "")
	assert.ErrorIs(t, err, giteatest.ErrNoBinary)

	// Any regular file passes CheckBinary; these refusals come before it runs.
	fake := filepath.Join(t.TempDir(), "gitea")
	require.NoError(t, os.WriteFile(fake, []byte("#!/bin/sh\nexit 1\n"), 0o755))
	called := false
	dir := filepath.Join(t.TempDir(), "srv")
	_, err = giteatest.Run(ctx, fake, giteatest.WithDir(dir), giteatest.WithSetup(func(giteatest.TB, string) { called = true }))
	assert.ErrorIs(t, err, giteatest.ErrNeedsTest)
	assert.False(t, called)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.ini"), []byte("x"), 0o600))
	_, err = giteatest.Run(ctx, fake, giteatest.WithDir(dir))
	assert.ErrorIs(t, err, giteatest.ErrDirNotEmpty)

	// WithPrepare's error stops Run and is returned.
	boom := errors.New("boom")
	_, err = giteatest.Run(ctx, fake, giteatest.WithDir(t.TempDir()), giteatest.WithPrepare(func(string) error { return boom }))
	assert.ErrorIs(t, err, boom)

	// A binary that is not Gitea: the failing command, with its output.
	_, err = giteatest.Run(ctx, fake)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "gitea migrate: exit status 1"), "%v", err)
}

// TestRun: the error-returning API on a real server — what Start builds
// on — and Close, which stops it and removes the directory it made.
func TestRun(t *testing.T) {
	bin := giteatest.Binary(t)
	ctx := t.Context()
	var prepared string
	s, err := giteatest.Run(ctx, bin, giteatest.WithPrepare(func(dir string) error { prepared = dir; return nil }))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	assert.Equal(t, s.Dir(), prepared)
	assert.True(t, strings.HasPrefix(s.URL, "http://127.0.0.1:"), s.URL)

	var repo struct {
		FullName      string `json:"full_name"`
		DefaultBranch string `json:"default_branch"`
		Empty         bool   `json:"empty"`
	}
	require.NoError(t, s.Do(ctx, s.Bot, "GET", "/repos/shop/magento", nil, &repo))
	assert.Equal(t, "shop/magento", repo.FullName)
	assert.Equal(t, "main", repo.DefaultBranch)
	assert.True(t, repo.Empty)
	for _, u := range []giteatest.User{s.Developer, s.Reviewer, s.Reviewer2, s.Bot} {
		var me struct {
			Login string `json:"login"`
		}
		require.NoError(t, s.Do(ctx, u, "GET", "/user", nil, &me))
		assert.Equal(t, u.Name, me.Login)
		code, err := s.StatusCode(ctx, u, "GET", "/repos/shop/magento/collaborators/"+u.Name, nil)
		require.NoError(t, err)
		assert.Equal(t, http.StatusNoContent, code, "%s is a collaborator", u.Name)
	}

	err = s.Do(ctx, s.Bot, "GET", "/repos/shop/nothing", nil, nil)
	var ae *giteatest.APIError
	require.True(t, errors.As(err, &ae), "%v", err)
	assert.Equal(t, http.StatusNotFound, ae.Status)
	assert.Equal(t, "GET", ae.Method)

	// A wait for a state that never comes ends with the context.
	wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	err = s.AwaitBranch(wctx, "nothing", strings.Repeat("0", 40))
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close is idempotent")
	_, err = os.Stat(s.Dir())
	assert.ErrorIs(t, err, os.ErrNotExist, "Close removes the directory Run made")
	_, err = s.StatusCode(ctx, s.Bot, "GET", "/version", nil)
	assert.Error(t, err, "the server is stopped")
}

package tagging_test

import (
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/tagging"
)

// bareRemote creates an empty bare repository and returns its directory.
func bareRemote(t *testing.T, f *fixture) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "remote.git")
	f.must(t, nil, "git", "init", "--bare", "-q", dir)
	return dir
}

// gitDaemon serves base on a free loopback port with receive-pack enabled
// and returns the git:// URL of base/remote.git. It stops in t.Cleanup.
func gitDaemon(t *testing.T, f *fixture, base string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	cmd := exec.Command("git", "daemon", "--verbose", "--reuseaddr", "--export-all", "--enable=receive-pack",
		"--listen=127.0.0.1", fmt.Sprintf("--port=%d", port), "--base-path="+base, base)
	cmd.Env = f.g.Env()
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	ready := false
	for sc.Scan() {
		if strings.Contains(sc.Text(), "Ready to rumble") {
			ready = true
			break
		}
	}
	require.True(t, ready, "git daemon did not start")
	go func() {
		for sc.Scan() {
		}
	}()
	return fmt.Sprintf("git://127.0.0.1:%d/remote.git", port)
}

func TestPush(t *testing.T) {
	need(t, "git")
	remotes := map[string]func(t *testing.T, f *fixture) (url, dir string){
		"file": func(t *testing.T, f *fixture) (string, string) {
			dir := bareRemote(t, f)
			return "file://" + dir, dir
		},
		"git-daemon": func(t *testing.T, f *fixture) (string, string) {
			dir := bareRemote(t, f)
			return gitDaemon(t, f, filepath.Dir(dir)), dir
		},
	}
	for name, mk := range remotes {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			url, dir := mk(t, f)
			f.must(t, nil, "git", "remote", "add", "origin", url)
			tag, err := tagging.Create(t.Context(), f.repo, f.req("v1.0.0"), sshSigner(t, sshKey(t, "ed25519"), tagging.GitNamespace))
			require.NoError(t, err)

			require.NoError(t, tagging.Push(t.Context(), f.repo, "origin", "v1.0.0"))
			remoteHas := func() string {
				out, err := exec.Command("git", "--git-dir", dir, "rev-parse", "refs/tags/v1.0.0").CombinedOutput()
				require.NoError(t, err, string(out))
				return strings.TrimSpace(string(out))
			}
			assert.Equal(t, tag.Hash.String(), remoteHas())

			// The same object again is a no-op, by name or by URL.
			require.NoError(t, tagging.Push(t.Context(), f.repo, "origin", "v1.0.0"))
			require.NoError(t, tagging.Push(t.Context(), f.repo, url, "v1.0.0"))

			// Another repository with v1.0.0 at another commit is refused.
			g2 := newFixture(t)
			req := g2.req("v1.0.0")
			req.Target = g2.other
			req.Message = "Another release\n"
			other, err := tagging.CreateUnsigned(t.Context(), g2.repo, req)
			require.NoError(t, err)
			err = tagging.Push(t.Context(), g2.repo, url, "v1.0.0")
			var re *tagging.RemoteExistsError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tag.Hash, re.Existing)
			assert.Equal(t, other.Hash, re.Requested)
			assert.Equal(t, tag.Hash.String(), remoteHas(), "the remote tag did not move")

			err = tagging.Push(t.Context(), f.repo, "origin", "v9.9.9")
			require.ErrorIs(t, err, tagging.ErrNotFound)
		})
	}
}

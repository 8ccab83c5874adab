// Package giteatest starts a real Gitea server on 127.0.0.1 for tests and
// for the examples: code.gitea.io/gitea v1.27.3, built from source by
// scripts/build-gitea (inside its own module, with the pure-Go SQLite
// driver Gitea uses by default) and cached under
// ${XDG_CACHE_HOME:-$HOME/.cache}/releasekit.
//
// Each server is its own process: a temporary app.ini with SQLite in its
// work directory, INSTALL_LOCK, offline mode, no mailer, no SSH, no LFS,
// no Actions, anonymous reads allowed. It creates an administrator (with
// `gitea admin user create --admin --access-token`), then through the API
// the users of seed 000 — a developer, a reviewer, a second reviewer and
// a release bot, each with a token — and the organisation "shop" with
// its repository "magento", empty, the users collaborators with write
// access.
//
// # Two APIs
//
// A test calls [Start], which stops the server when the test ends, and
// the methods that take a TB ([Server.API], [Server.WaitBranch],
// ...), which fail the test on an error. A program, such as
// examples/prerelease, calls [Run] and [Server.Close], and the methods
// that take a context and return an error ([Server.Do],
// [Server.AwaitBranch], ...): the test API is built on them.
//
// The binary is $RELEASEKIT_GITEA_BIN (scripts/test and .ci/run set it).
// When the variable is unset a test is skipped ([Binary]), with the
// command that builds it; under CI=true it fails: CI never skips the Gitea
// tests. A program reports it with [CheckBinary].
package giteatest

import (
	"context"
	"errors"
	"os"
)

// TB is the part of testing.TB the test API uses: a *testing.T or
// *testing.B is one. The package does not import testing, so that a
// program (examples/prerelease) that starts a server with [Run] does not
// link it.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Fatal(args ...any)
	Skip(args ...any)
	Cleanup(func())
	TempDir() string
}

// Binary returns the path of the Gitea binary, skipping t when
// RELEASEKIT_GITEA_BIN is unset (failing it under CI=true) and failing it
// when the variable names no file.
func Binary(t TB) string {
	t.Helper()
	p := os.Getenv(EnvBinary)
	if p == "" {
		why := EnvBinary + " is unset: " + buildHint
		if os.Getenv("CI") == "true" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("%s=%s: %v (build it with scripts/build-gitea)", EnvBinary, p, err)
	}
	return p
}

// Start starts a server with a new database in t.TempDir() ([Run]),
// creates the users and the repository, and stops the server when t
// ends. It skips t as [Binary] does, and fails it when the server does
// not start.
func Start(t TB, opts ...Option) *Server {
	t.Helper()
	bin := Binary(t)
	s, err := run(context.Background(), t, bin, append([]Option{WithDir(t.TempDir())}, opts...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Eventually calls done until it reports true, for a minute at most,
// then fails t with what. Gitea finishes a push in a queue (the
// repository stops being empty, a branch and the heads of its pull
// requests move a moment after git push returns): a test waits for the
// state it needs before the next call.
func (s *Server) Eventually(t TB, what string, done func() bool) {
	t.Helper()
	s.fatal(t, s.Poll(context.Background(), what, func(context.Context) (bool, error) { return done(), nil }))
}

// WaitBranch waits until the API shows branch of the repository at sha.
func (s *Server) WaitBranch(t TB, branch, sha string) {
	t.Helper()
	s.fatal(t, s.AwaitBranch(context.Background(), branch, sha))
}

// WaitPull waits until the API shows pull request number with head sha.
func (s *Server) WaitPull(t TB, number int, sha string) {
	t.Helper()
	s.fatal(t, s.AwaitPull(context.Background(), number, sha))
}

// WaitMergeable waits until Gitea has checked that pull request number
// merges cleanly (it does so in a queue after each push; a merge asked
// before is refused with "Please try again later").
func (s *Server) WaitMergeable(t TB, number int) {
	t.Helper()
	s.fatal(t, s.AwaitMergeable(context.Background(), number))
}

// Merge merges pull request number as as ([Server.MergePull]), failing t
// when Gitea refuses it.
func (s *Server) Merge(t TB, as User, number int, body map[string]any) {
	t.Helper()
	s.fatal(t, s.MergePull(context.Background(), as, number, body))
}

// fatal fails t with err: a wait that timed out with the server's log.
func (s *Server) fatal(t TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if errors.Is(err, ErrTimeout) {
		t.Fatalf("%v\n%s", err, s.logs)
	}
	t.Fatal(err)
}

// CreateUser creates user name (email name@shop.example) as the
// administrator, with a token of every scope.
func (s *Server) CreateUser(t TB, name string) User {
	t.Helper()
	u, err := s.AddUser(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// API calls the API as as (with its token): path is under /api/v1; body,
// when not nil, is sent as JSON; the answer is decoded into out when not
// nil. A status other than 2xx fails t.
func (s *Server) API(t TB, as User, method, path string, body, out any) {
	t.Helper()
	if err := s.Do(context.Background(), as, method, path, body, out); err != nil {
		t.Fatal(err)
	}
}

// Status calls the API as as and returns the status, without failing.
func (s *Server) Status(t TB, as User, method, path string, body any) int {
	t.Helper()
	code, err := s.StatusCode(context.Background(), as, method, path, body)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

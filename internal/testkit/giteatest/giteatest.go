// Package giteatest starts a real Gitea server on 127.0.0.1 for tests:
// code.gitea.io/gitea v1.27.3, built from source by scripts/build-gitea
// (inside its own module, with the pure-Go SQLite driver Gitea uses by
// default) and cached under ${XDG_CACHE_HOME:-$HOME/.cache}/releasekit.
//
// Each [Start] runs its own server: a temporary app.ini with SQLite in
// t.TempDir(), INSTALL_LOCK, offline mode, no mailer, no SSH, no LFS, no
// Actions, anonymous reads allowed. It creates an administrator (with
// `gitea admin user create --admin --access-token`), then through the API
// the users of seed 000 — a developer, a reviewer, a second reviewer and
// a release bot, each with a token — and the organisation "shop" with
// its repository "magento", empty, the users collaborators with write
// access.
//
// The binary is $RELEASEKIT_GITEA_BIN (scripts/test and .ci/run set it).
// When the variable is unset a test is skipped, with the command that
// builds it; under CI=true it fails: CI never skips the Gitea tests.
package giteatest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// EnvBinary names the Gitea binary.
const EnvBinary = "RELEASEKIT_GITEA_BIN"

// A User is an account on the server with its password (for git over
// HTTP) and an API token with every scope.
type User struct {
	Name, Password, Email, Token string
}

// A Server is a Gitea process listening on 127.0.0.1.
type Server struct {
	// URL is "http://127.0.0.1:PORT" (the API is under /api/v1).
	URL string
	// Admin is the site administrator; Developer ("ada"), Reviewer
	// ("ben"), Reviewer2 ("cleo") and Bot ("release-bot") are
	// collaborators of the repository with write access.
	Admin, Developer, Reviewer, Reviewer2, Bot User
	// Owner and Repo name the repository: "shop", "magento".
	Owner, Repo string

	bin, dir, conf string
	env            []string
	cmd            *exec.Cmd
	logs           *tail
	exited         chan struct{}
}

// Binary returns the path of the Gitea binary, skipping t when
// RELEASEKIT_GITEA_BIN is unset (failing it under CI=true) and failing it
// when the variable names no file.
func Binary(t testing.TB) string {
	t.Helper()
	p := os.Getenv(EnvBinary)
	if p == "" {
		why := EnvBinary + " is unset: build Gitea with `export " + EnvBinary + "=$(./scripts/build-gitea)` (or run ./scripts/test)"
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

const appIni = `APP_NAME = releasekit test
RUN_MODE = prod
WORK_PATH = {{dir}}
I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true

[server]
PROTOCOL = http
HTTP_ADDR = 127.0.0.1
HTTP_PORT = {{port}}
ROOT_URL = http://127.0.0.1:{{port}}/
DOMAIN = 127.0.0.1
DISABLE_SSH = true
START_SSH_SERVER = false
OFFLINE_MODE = true
LFS_START_SERVER = false
STATIC_ROOT_PATH = {{static}}
APP_DATA_PATH = {{dir}}/data

[database]
DB_TYPE = sqlite3
PATH = {{dir}}/data/gitea.db
SQLITE_JOURNAL_MODE = WAL

[repository]
ROOT = {{dir}}/repos
DEFAULT_BRANCH = main

[security]
INSTALL_LOCK = true
SECRET_KEY = releasekit-giteatest-secret-key
INTERNAL_TOKEN = eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJuYmYiOjE3MDAwMDAwMDB9.releasekit-giteatest-internal
PASSWORD_HASH_ALGO = pbkdf2_hi
MIN_PASSWORD_LENGTH = 8
PASSWORD_COMPLEXITY = off

[service]
DISABLE_REGISTRATION = true
REQUIRE_SIGNIN_VIEW = false
ENABLE_NOTIFY_MAIL = false
DEFAULT_KEEP_EMAIL_PRIVATE = true

[mailer]
ENABLED = false

[oauth2]
ENABLED = false

[session]
PROVIDER = memory

[cache]
ADAPTER = memory

[indexer]
ISSUE_INDEXER_TYPE = db
REPO_INDEXER_ENABLED = false

[cron]
ENABLED = false

[cron.update_checker]
ENABLED = false

[actions]
ENABLED = false

[packages]
ENABLED = false

[lfs]
PATH = {{dir}}/data/lfs

[log]
MODE = console
LEVEL = Info
ROOT_PATH = {{dir}}/log
`

const adminPassword = "admin-password-1"

// An Option changes the server [Start] runs.
type Option func(*options)

type options struct {
	ini   []string
	setup []func(t testing.TB, dir string)
}

// WithIni appends text to the server's app.ini: whole sections of Gitea's
// configuration, such as [repository.signing].
func WithIni(text string) Option {
	return func(o *options) { o.ini = append(o.ini, text) }
}

// WithSetup calls f before the server first runs, with the server's work
// directory: Gitea's processes have HOME=dir/home, and git run by Gitea
// has HOME=dir/data/home (its [git] HOME_PATH), where a test puts, say, the
// GnuPG keyring of the server's signing key.
func WithSetup(f func(t testing.TB, dir string)) Option {
	return func(o *options) { o.setup = append(o.setup, f) }
}

// Start starts a server with a new database in t.TempDir(), creates the
// users and the repository, and stops the server when t ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	bin := Binary(t)
	dir := t.TempDir()
	port := freePort(t)
	static := filepath.Join(filepath.Dir(bin), "static")
	conf := filepath.Join(dir, "app.ini")
	ini := strings.NewReplacer("{{dir}}", filepath.ToSlash(dir), "{{port}}", fmt.Sprint(port), "{{static}}", filepath.ToSlash(static)).Replace(appIni)
	for _, text := range o.ini {
		ini += "\n" + text + "\n"
	}
	for _, d := range []string{"data", "data/home", "repos", "log", "home"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(conf, []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), Owner: "shop", Repo: "magento", bin: bin, dir: dir, conf: conf, logs: &tail{}}
	s.env = cleanEnv(dir)
	for _, f := range o.setup {
		f(t, dir)
	}

	// The database, then the administrator and its token, with Gitea's CLI.
	s.cli(t, "migrate")
	out := s.cli(t, "admin", "user", "create", "--admin", "--username", "gitea-admin", "--password", adminPassword,
		"--email", "admin@shop.example", "--must-change-password=false", "--access-token", "--access-token-name", "giteatest")
	m := regexp.MustCompile(`Access token was successfully created\.\.\. ([0-9a-f]{40})`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("gitea admin user create: no token in %q", out)
	}
	s.Admin = User{Name: "gitea-admin", Password: adminPassword, Email: "admin@shop.example", Token: m[1]}

	s.start(t)
	s.Developer = s.CreateUser(t, "ada")
	s.Reviewer = s.CreateUser(t, "ben")
	s.Reviewer2 = s.CreateUser(t, "cleo")
	s.Bot = s.CreateUser(t, "release-bot")
	s.API(t, s.Admin, "POST", "/orgs", map[string]any{"username": s.Owner, "visibility": "public"}, nil)
	s.API(t, s.Admin, "POST", "/orgs/"+s.Owner+"/repos", map[string]any{"name": s.Repo, "default_branch": "main", "private": false}, nil)
	for _, u := range []User{s.Developer, s.Reviewer, s.Reviewer2, s.Bot} {
		s.API(t, s.Admin, "PUT", "/repos/"+s.Owner+"/"+s.Repo+"/collaborators/"+u.Name, map[string]any{"permission": "write"}, nil)
	}
	return s
}

// cleanEnv is the environment of the Gitea processes: the test's, less
// git's variables, with HOME in dir.
func cleanEnv(dir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GIT_") || strings.HasPrefix(kv, "GITEA_") || strings.HasPrefix(kv, "HOME=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+filepath.Join(dir, "home"), "GITEA_WORK_DIR="+dir, "GITEA_I_AM_BEING_UNSAFE_RUNNING_AS_ROOT=true")
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// cli runs a Gitea command on the server's configuration and returns its
// standard output.
func (s *Server) cli(t testing.TB, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, append([]string{"--config", s.conf, "--work-path", s.dir}, args...)...)
	cmd.Env, cmd.Dir = s.env, s.dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("gitea %s: %v\n%s%s", strings.Join(args[:min(3, len(args))], " "), err, out.String(), errb.String())
	}
	return out.String()
}

// start runs `gitea web` and waits until the API answers.
func (s *Server) start(t testing.TB) {
	t.Helper()
	cmd := exec.Command(s.bin, "--config", s.conf, "--work-path", s.dir, "web")
	cmd.Env, cmd.Dir = s.env, s.dir
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatalf("start gitea: %v", err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			s.logs.add(sc.Text())
		}
		io.Copy(io.Discard, pr)
	}()
	go func() { cmd.Wait(); pw.Close(); close(s.exited) }()
	t.Cleanup(s.stop)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		select {
		case <-s.exited:
			t.Fatalf("gitea exited before answering:\n%s", s.logs)
		default:
		}
		resp, err := http.Get(s.URL + "/api/v1/version")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("gitea not answering on %s after 3 minutes: %v\n%s", s.URL, err, s.logs)
		}
		time.Sleep(100 * time.Millisecond) // polling for the server to come up, not a test wait
	}
}

// stop ends the server: SIGTERM, then SIGKILL after 20 seconds.
func (s *Server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
}

// Eventually calls done until it reports true, for a minute at most,
// then fails t with what. Gitea finishes a push in a queue (the
// repository stops being empty, a branch and the heads of its pull
// requests move a moment after git push returns): a test waits for the
// state it needs before the next call.
func (s *Server) Eventually(t testing.TB, what string, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("gitea: %s: not after a minute\n%s", what, s.logs)
		}
		time.Sleep(50 * time.Millisecond) // polling Gitea's queue, not a test wait
	}
}

// WaitBranch waits until the API shows branch of the repository at sha.
func (s *Server) WaitBranch(t testing.TB, branch, sha string) {
	t.Helper()
	s.Eventually(t, "branch "+branch+" at "+sha, func() bool {
		var b struct {
			Commit struct {
				ID string `json:"id"`
			} `json:"commit"`
		}
		resp, data := s.request(t, "", "", s.Admin.Token, "GET", "/repos/"+s.Owner+"/"+s.Repo+"/branches/"+url.PathEscape(branch), nil)
		return resp.StatusCode == http.StatusOK && json.Unmarshal(data, &b) == nil && b.Commit.ID == sha
	})
}

// WaitPull waits until the API shows pull request number with head sha.
func (s *Server) WaitPull(t testing.TB, number int, sha string) {
	t.Helper()
	s.Eventually(t, fmt.Sprintf("pull request #%d at %s", number, sha), func() bool {
		var p struct {
			Head struct {
				Sha string `json:"sha"`
			} `json:"head"`
		}
		resp, data := s.request(t, "", "", s.Admin.Token, "GET", fmt.Sprintf("/repos/%s/%s/pulls/%d", s.Owner, s.Repo, number), nil)
		return resp.StatusCode == http.StatusOK && json.Unmarshal(data, &p) == nil && p.Head.Sha == sha
	})
}

// WaitMergeable waits until Gitea has checked that pull request number
// merges cleanly (it does so in a queue after each push; a merge asked
// before is refused with "Please try again later").
func (s *Server) WaitMergeable(t testing.TB, number int) {
	t.Helper()
	s.Eventually(t, fmt.Sprintf("pull request #%d mergeable", number), func() bool {
		var p struct {
			Mergeable bool `json:"mergeable"`
		}
		resp, data := s.request(t, "", "", s.Admin.Token, "GET", fmt.Sprintf("/repos/%s/%s/pulls/%d", s.Owner, s.Repo, number), nil)
		return resp.StatusCode == http.StatusOK && json.Unmarshal(data, &p) == nil && p.Mergeable
	})
}

// Logs returns the server's last lines of log.
func (s *Server) Logs() string { return s.logs.String() }

// CreateUser creates user name (email name@shop.example) as the
// administrator, with a token of every scope.
func (s *Server) CreateUser(t testing.TB, name string) User {
	t.Helper()
	u := User{Name: name, Password: name + "-password-1", Email: name + "@shop.example"}
	s.API(t, s.Admin, "POST", "/admin/users", map[string]any{"username": name, "email": u.Email, "password": u.Password, "must_change_password": false}, nil)
	var tok struct {
		SHA1 string `json:"sha1"`
	}
	s.do(t, u.Name, u.Password, "", "POST", "/users/"+name+"/tokens", map[string]any{"name": "giteatest", "scopes": []string{"all"}}, &tok)
	if tok.SHA1 == "" {
		t.Fatalf("no token for %s", name)
	}
	u.Token = tok.SHA1
	return u
}

// CloneURL returns the repository's HTTP clone URL with u's name and
// password in it, for git push and fetch.
func (s *Server) CloneURL(u User) string {
	p, _ := url.Parse(s.URL)
	p.User = url.UserPassword(u.Name, u.Password)
	p.Path = "/" + s.Owner + "/" + s.Repo + ".git"
	return p.String()
}

// API calls the API as as (with its token): path is under /api/v1; body,
// when not nil, is sent as JSON; the answer is decoded into out when not
// nil. A status other than 2xx fails t.
func (s *Server) API(t testing.TB, as User, method, path string, body, out any) {
	t.Helper()
	s.do(t, "", "", as.Token, method, path, body, out)
}

// Status calls the API as as and returns the status, without failing.
func (s *Server) Status(t testing.TB, as User, method, path string, body any) int {
	t.Helper()
	resp, _ := s.request(t, "", "", as.Token, method, path, body)
	return resp.StatusCode
}

func (s *Server) do(t testing.TB, user, password, token, method, path string, body, out any) {
	t.Helper()
	resp, data := s.request(t, user, password, token, method, path, body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %s\n%s", method, path, resp.Status, data)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, data)
		}
	}
}

func (s *Server) request(t testing.TB, user, password, token, method, path string, body any) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.URL+"/api/v1"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "token "+token)
	} else if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp, data
}

// tail keeps the last lines of a log.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (l *tail) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) >= 300 {
		l.lines = l.lines[1:]
	}
	l.lines = append(l.lines, s)
}

func (l *tail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

package giteatest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
	"time"

	"github.com/releasekit/releasekit/internal/testkit/logtail"
)

// EnvBinary names the Gitea binary.
const EnvBinary = "RELEASEKIT_GITEA_BIN"

// Errors of the error-returning API ([Run] and the methods that take a
// context).
var (
	// ErrNoBinary: no Gitea binary was given, or the path names no file.
	ErrNoBinary = errors.New("giteatest: no Gitea binary")
	// ErrTimeout: Gitea did not reach the state waited for in time.
	ErrTimeout = errors.New("giteatest: timed out")
	// ErrNeedsTest: an option that needs a test ([WithSetup]) was given to
	// [Run]; use [WithPrepare].
	ErrNeedsTest = errors.New("giteatest: option needs a test: use Start, or WithPrepare with Run")
	// ErrDirNotEmpty: the directory given with [WithDir] holds files; a
	// server starts on a new database only.
	ErrDirNotEmpty = errors.New("giteatest: server directory is not empty")
)

// buildHint says how to get the binary.
const buildHint = "build Gitea with `export " + EnvBinary + "=$(./scripts/build-gitea)` (or run ./scripts/test)"

// CheckBinary returns nil when path names a regular file, and otherwise an
// error wrapping [ErrNoBinary] that names scripts/build-gitea and
// RELEASEKIT_GITEA_BIN, for a program to print.
func CheckBinary(path string) error {
	if path == "" {
		return fmt.Errorf("%w: give its path, or set %s: %s", ErrNoBinary, EnvBinary, buildHint)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%w: %v (build it with scripts/build-gitea and set %s)", ErrNoBinary, err, EnvBinary)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a file (build it with scripts/build-gitea and set %s)", ErrNoBinary, path, EnvBinary)
	}
	return nil
}

// A User is an account on the server with its password (for git over
// HTTP) and an API token with every scope.
type User struct {
	Name, Password, Email, Token string
}

// A Server is a Gitea process listening on 127.0.0.1. Its methods are
// safe for concurrent use.
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
	ownDir         bool // dir was made by Run: Close removes it
	env            []string
	cmd            *exec.Cmd
	logs           *logtail.Tail
	exited         chan struct{}
	closeOnce      sync.Once
	closeErr       error
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

// An Option changes the server [Start] or [Run] runs.
type Option func(*options)

type options struct {
	ini   []string
	dir   string
	setup []func(tb TB, dir string) error
}

// WithIni appends text to the server's app.ini: whole sections of Gitea's
// configuration, such as [repository.signing].
func WithIni(text string) Option {
	return func(o *options) { o.ini = append(o.ini, text) }
}

// WithSetup calls f before the server first runs, with the server's work
// directory: Gitea's processes have HOME=dir/home, and git run by Gitea
// has HOME=dir/data/home (its [git] HOME_PATH), where a test puts, say, the
// GnuPG keyring of the server's signing key. It needs a test: [Run] refuses
// it with [ErrNeedsTest] ([WithPrepare] is its form for a program).
func WithSetup(f func(t TB, dir string)) Option {
	return func(o *options) {
		o.setup = append(o.setup, func(tb TB, dir string) error {
			if tb == nil {
				return ErrNeedsTest
			}
			f(tb, dir)
			return nil
		})
	}
}

// WithPrepare is [WithSetup] for a program: f is called with the server's
// work directory before the server first runs, and an error it returns
// stops [Run] (or fails the test of [Start]).
func WithPrepare(f func(dir string) error) Option {
	return func(o *options) {
		o.setup = append(o.setup, func(_ TB, dir string) error { return f(dir) })
	}
}

// WithDir has the server keep its work directory (app.ini, the SQLite
// database, the repositories, the log) in dir, created if need be and
// left in place by [Server.Close]; dir must be empty. Without it [Run]
// makes a temporary directory that Close removes, and [Start] uses
// t.TempDir().
func WithDir(dir string) Option {
	return func(o *options) { o.dir = dir }
}

// Run starts a Gitea server from the binary bin with a new database,
// creates the users and the repository (see the package documentation)
// and returns it; the caller stops it with [Server.Close]. ctx bounds
// the start, not the server's life. A missing binary is an error wrapping
// [ErrNoBinary]; a Gitea command that fails, or a server that does not
// answer within three minutes, an error with Gitea's output.
func Run(ctx context.Context, bin string, opts ...Option) (*Server, error) {
	return run(ctx, nil, bin, opts)
}

// run is Run and Start: tb, when not nil, is given to WithSetup's
// functions.
func run(ctx context.Context, tb TB, bin string, opts []Option) (_ *Server, err error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if err := CheckBinary(bin); err != nil {
		return nil, err
	}
	s := &Server{Owner: "shop", Repo: "magento", bin: bin, dir: o.dir, logs: &logtail.Tail{Max: 300}}
	if s.dir == "" {
		if s.dir, err = os.MkdirTemp("", "giteatest-"); err != nil {
			return nil, fmt.Errorf("giteatest: %w", err)
		}
		s.ownDir = true
	} else if entries, err := os.ReadDir(s.dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrDirNotEmpty, s.dir)
	}
	ok := false
	defer func() {
		if !ok { // an error, or a setup function that failed its test
			s.Close()
		}
	}()
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	static := filepath.Join(filepath.Dir(bin), "static")
	dir := s.dir
	s.conf = filepath.Join(dir, "app.ini")
	ini := strings.NewReplacer("{{dir}}", filepath.ToSlash(dir), "{{port}}", fmt.Sprint(port), "{{static}}", filepath.ToSlash(static)).Replace(appIni)
	for _, text := range o.ini {
		ini += "\n" + text + "\n"
	}
	for _, d := range []string{"data", "data/home", "repos", "log", "home"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, fmt.Errorf("giteatest: %w", err)
		}
	}
	if err := os.WriteFile(s.conf, []byte(ini), 0o600); err != nil {
		return nil, fmt.Errorf("giteatest: %w", err)
	}
	s.URL = fmt.Sprintf("http://127.0.0.1:%d", port)
	s.env = cleanEnv(dir)
	for _, f := range o.setup {
		if err := f(tb, dir); err != nil {
			return nil, err
		}
	}

	// The database, then the administrator and its token, with Gitea's CLI.
	if _, err := s.cli(ctx, "migrate"); err != nil {
		return nil, err
	}
	out, err := s.cli(ctx, "admin", "user", "create", "--admin", "--username", "gitea-admin", "--password", adminPassword,
		"--email", "admin@shop.example", "--must-change-password=false", "--access-token", "--access-token-name", "giteatest")
	if err != nil {
		return nil, err
	}
	m := regexp.MustCompile(`Access token was successfully created\.\.\. ([0-9a-f]{40})`).FindStringSubmatch(out)
	if m == nil {
		return nil, fmt.Errorf("gitea admin user create: no token in %q", out)
	}
	s.Admin = User{Name: "gitea-admin", Password: adminPassword, Email: "admin@shop.example", Token: m[1]}

	if err := s.start(ctx); err != nil {
		return nil, err
	}
	for _, u := range []struct {
		to   *User
		name string
	}{{&s.Developer, "ada"}, {&s.Reviewer, "ben"}, {&s.Reviewer2, "cleo"}, {&s.Bot, "release-bot"}} {
		if *u.to, err = s.AddUser(ctx, u.name); err != nil {
			return nil, err
		}
	}
	if err := s.Do(ctx, s.Admin, "POST", "/orgs", map[string]any{"username": s.Owner, "visibility": "public"}, nil); err != nil {
		return nil, err
	}
	if err := s.Do(ctx, s.Admin, "POST", "/orgs/"+s.Owner+"/repos", map[string]any{"name": s.Repo, "default_branch": "main", "private": false}, nil); err != nil {
		return nil, err
	}
	for _, u := range []User{s.Developer, s.Reviewer, s.Reviewer2, s.Bot} {
		if err := s.Do(ctx, s.Admin, "PUT", "/repos/"+s.Owner+"/"+s.Repo+"/collaborators/"+u.Name, map[string]any{"permission": "write"}, nil); err != nil {
			return nil, err
		}
	}
	ok = true
	return s, nil
}

// cleanEnv is the environment of the Gitea processes: the caller's, less
// git's variables and the caller's GnuPG and SSH agents, with HOME in dir.
func cleanEnv(dir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		// The caller's keyrings and agents are not the server's: Gitea
		// signs with the keyring under its own git HOME.
		if strings.HasPrefix(kv, "GIT_") || strings.HasPrefix(kv, "GITEA_") || strings.HasPrefix(kv, "HOME=") ||
			strings.HasPrefix(kv, "GNUPGHOME=") || strings.HasPrefix(kv, "SSH_AUTH_SOCK=") || strings.HasPrefix(kv, "GPG_AGENT_INFO=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+filepath.Join(dir, "home"), "GITEA_WORK_DIR="+dir, "GITEA_I_AM_BEING_UNSAFE_RUNNING_AS_ROOT=true")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("giteatest: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// cli runs a Gitea command on the server's configuration and returns its
// standard output.
func (s *Server) cli(ctx context.Context, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, append([]string{"--config", s.conf, "--work-path", s.dir}, args...)...)
	cmd.Env, cmd.Dir = s.env, s.dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("gitea %s: %v\n%s%s", strings.Join(args[:min(3, len(args))], " "), err, out.String(), errb.String())
	}
	return out.String(), nil
}

// start runs `gitea web` and waits until the API answers.
func (s *Server) start(ctx context.Context) error {
	cmd := exec.Command(s.bin, "--config", s.conf, "--work-path", s.dir, "web")
	cmd.Env, cmd.Dir = s.env, s.dir
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start gitea: %v", err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			s.logs.Add(sc.Text())
		}
		io.Copy(io.Discard, pr)
	}()
	go func() { cmd.Wait(); pw.Close(); close(s.exited) }()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		select {
		case <-s.exited:
			return fmt.Errorf("gitea exited before answering:\n%s", s.logs)
		default:
		}
		req, err := http.NewRequestWithContext(ctx, "GET", s.URL+"/api/v1/version", nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gitea not answering on %s after 3 minutes: %v\n%s", s.URL, err, s.logs)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("gitea not answering on %s: %w", s.URL, ctx.Err())
		case <-time.After(100 * time.Millisecond): // polling for the server to come up, not a test wait
		}
	}
}

// Close stops the server — SIGTERM, then SIGKILL after 20 seconds — and
// removes its work directory when [Run] made it. It is idempotent.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.cmd != nil && s.cmd.Process != nil {
			s.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-s.exited:
			case <-time.After(20 * time.Second):
				s.cmd.Process.Kill()
				<-s.exited
			}
		}
		if s.ownDir {
			if err := os.RemoveAll(s.dir); err != nil {
				s.closeErr = fmt.Errorf("giteatest: %w", err)
			}
		}
	})
	return s.closeErr
}

// Dir returns the server's work directory (app.ini, data, repositories).
func (s *Server) Dir() string { return s.dir }

// Poll calls done until it reports true, for a minute at most and within
// ctx: Gitea finishes a push in a queue (the repository stops being empty,
// a branch and the heads of its pull requests move a moment after git
// push returns), so a client waits for the state it needs before the next
// call. An error from done stops the wait and is returned; no answer in a
// minute is an error wrapping [ErrTimeout].
func (s *Server) Poll(ctx context.Context, what string, done func(ctx context.Context) (bool, error)) error {
	deadline := time.Now().Add(time.Minute)
	for {
		ok, err := done(ctx)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gitea: %s: not after a minute: %w", what, ErrTimeout)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("gitea: %s: %w", what, ctx.Err())
		case <-time.After(50 * time.Millisecond): // polling Gitea's queue, not a test wait
		}
	}
}

// AwaitBranch waits until the API shows branch of the repository at sha
// ([Server.Poll]).
func (s *Server) AwaitBranch(ctx context.Context, branch, sha string) error {
	return s.Poll(ctx, "branch "+branch+" at "+sha, func(ctx context.Context) (bool, error) {
		var b struct {
			Commit struct {
				ID string `json:"id"`
			} `json:"commit"`
		}
		resp, err := s.request(ctx, "", "", s.Admin.Token, "GET", "/repos/"+s.Owner+"/"+s.Repo+"/branches/"+url.PathEscape(branch), nil)
		if err != nil {
			return false, err
		}
		return resp.Status == http.StatusOK && json.Unmarshal(resp.Body, &b) == nil && b.Commit.ID == sha, nil
	})
}

// AwaitPull waits until the API shows pull request number with head sha
// ([Server.Poll]).
func (s *Server) AwaitPull(ctx context.Context, number int, sha string) error {
	return s.Poll(ctx, fmt.Sprintf("pull request #%d at %s", number, sha), func(ctx context.Context) (bool, error) {
		var p struct {
			Head struct {
				Sha string `json:"sha"`
			} `json:"head"`
		}
		resp, err := s.request(ctx, "", "", s.Admin.Token, "GET", fmt.Sprintf("/repos/%s/%s/pulls/%d", s.Owner, s.Repo, number), nil)
		if err != nil {
			return false, err
		}
		return resp.Status == http.StatusOK && json.Unmarshal(resp.Body, &p) == nil && p.Head.Sha == sha, nil
	})
}

// AwaitMergeable waits until Gitea has checked that pull request number
// merges cleanly ([Server.Poll]): it does so in a queue after each push,
// and a merge asked before is refused with "Please try again later".
func (s *Server) AwaitMergeable(ctx context.Context, number int) error {
	return s.Poll(ctx, fmt.Sprintf("pull request #%d mergeable", number), func(ctx context.Context) (bool, error) {
		var p struct {
			Mergeable bool `json:"mergeable"`
		}
		resp, err := s.request(ctx, "", "", s.Admin.Token, "GET", fmt.Sprintf("/repos/%s/%s/pulls/%d", s.Owner, s.Repo, number), nil)
		if err != nil {
			return false, err
		}
		return resp.Status == http.StatusOK && json.Unmarshal(resp.Body, &p) == nil && p.Mergeable, nil
	})
}

// NotChecked is Gitea's answer (405) to a merge asked while it checks the
// pull request again after a push to its base or head: not a refusal, a
// request to ask later.
const NotChecked = "Please try again later"

// MergePull merges pull request number as as, with the merge options of
// Gitea's API (body: "Do", "MergeTitleField", "head_commit_id", ...): it
// waits until Gitea has checked the pull request ([Server.AwaitMergeable])
// and asks again while Gitea answers [NotChecked] (it checks again in a
// queue after each push), until the merge is done or refused for another
// reason (an *[APIError]) or the wait times out ([ErrTimeout]).
func (s *Server) MergePull(ctx context.Context, as User, number int, body map[string]any) error {
	path := fmt.Sprintf("/repos/%s/%s/pulls/%d/merge", s.Owner, s.Repo, number)
	var refusal error
	err := s.Poll(ctx, fmt.Sprintf("pull request #%d merged", number), func(ctx context.Context) (bool, error) {
		if err := s.AwaitMergeable(ctx, number); err != nil {
			return false, err
		}
		err := s.Do(ctx, as, "POST", path, body, nil)
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusMethodNotAllowed && strings.Contains(ae.Body, NotChecked) {
			return false, nil
		}
		refusal = err
		return true, nil
	})
	if err != nil {
		return err
	}
	return refusal
}

// Logs returns the server's last lines of log.
func (s *Server) Logs() string { return s.logs.String() }

// AddUser creates user name (email name@shop.example, password
// name-password-1) as the administrator, with a token of every scope.
func (s *Server) AddUser(ctx context.Context, name string) (User, error) {
	u := User{Name: name, Password: name + "-password-1", Email: name + "@shop.example"}
	if err := s.Do(ctx, s.Admin, "POST", "/admin/users", map[string]any{"username": name, "email": u.Email, "password": u.Password, "must_change_password": false}, nil); err != nil {
		return User{}, err
	}
	var tok struct {
		SHA1 string `json:"sha1"`
	}
	if err := s.do(ctx, u.Name, u.Password, "", "POST", "/users/"+name+"/tokens", map[string]any{"name": "giteatest", "scopes": []string{"all"}}, &tok); err != nil {
		return User{}, err
	}
	if tok.SHA1 == "" {
		return User{}, fmt.Errorf("no token for %s", name)
	}
	u.Token = tok.SHA1
	return u, nil
}

// CloneURL returns the repository's HTTP clone URL with u's name and
// password in it, for git push and fetch.
func (s *Server) CloneURL(u User) string {
	p, _ := url.Parse(s.URL)
	p.User = url.UserPassword(u.Name, u.Password)
	p.Path = "/" + s.Owner + "/" + s.Repo + ".git"
	return p.String()
}

// An APIError is a call the API answered with a status other than 2xx.
type APIError struct {
	Method, Path string
	Status       int    // 404
	StatusText   string // "404 Not Found"
	Body         string // the answer
}

// Error returns "METHOD PATH: STATUS" and the answer on the next line.
func (e *APIError) Error() string {
	return fmt.Sprintf("%s %s: %s\n%s", e.Method, e.Path, e.StatusText, e.Body)
}

// Do calls the API as as (with its token): path is under /api/v1; body,
// when not nil, is sent as JSON; the answer is decoded into out when not
// nil. A status other than 2xx is an *[APIError].
func (s *Server) Do(ctx context.Context, as User, method, path string, body, out any) error {
	return s.do(ctx, "", "", as.Token, method, path, body, out)
}

// StatusCode calls the API as as and returns the status, whatever it is;
// the error is for a call that got no answer.
func (s *Server) StatusCode(ctx context.Context, as User, method, path string, body any) (int, error) {
	resp, err := s.request(ctx, "", "", as.Token, method, path, body)
	if err != nil {
		return 0, err
	}
	return resp.Status, nil
}

func (s *Server) do(ctx context.Context, user, password, token, method, path string, body, out any) error {
	resp, err := s.request(ctx, user, password, token, method, path, body)
	if err != nil {
		return err
	}
	if resp.Status/100 != 2 {
		return &APIError{Method: method, Path: path, Status: resp.Status, StatusText: resp.StatusText, Body: string(resp.Body)}
	}
	if out != nil && len(resp.Body) > 0 {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return fmt.Errorf("%s %s: %v\n%s", method, path, err, resp.Body)
		}
	}
	return nil
}

// answer is an HTTP answer, read.
type answer struct {
	Status     int
	StatusText string
	Body       []byte
}

// request makes one call, bounded by ctx and two minutes.
func (s *Server) request(ctx context.Context, user, password, token, method, path string, body any) (answer, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return answer{}, fmt.Errorf("%s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.URL+"/api/v1"+path, rd)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: %w", method, path, err)
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
		return answer{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return answer{Status: resp.StatusCode, StatusText: resp.Status, Body: data}, nil
}

package gittest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
)

// The fixed identities written into every commit and annotated tag.
const (
	AuthorName     = "Test Author"
	AuthorEmail    = "author@example.com"
	CommitterName  = "Test Committer"
	CommitterEmail = "committer@example.com"
)

// EpochUnix is the time of the first commit of every repository built here,
// 2026-01-05T09:00:00Z, in seconds since the Unix epoch. Commit i (counting
// from 0) gets [CommitTime](i).
const EpochUnix int64 = 1767603600

// Step is how far the clock advances for each commit.
const Step = time.Minute

// CommitTime returns the author and committer time of the i-th commit
// (counting from 0) made by a fresh [Repo] or written by [Generate]:
// 2026-01-05T09:00:00Z plus i minutes, in UTC.
func CommitTime(i int) time.Time {
	return time.Unix(EpochUnix, 0).UTC().Add(time.Duration(i) * Step)
}

// A CommandError reports a git command that failed. Err is usually an
// *exec.ExitError; Stderr is what the command wrote to its standard error.
type CommandError struct {
	Dir    string   // the directory the command ran in
	Args   []string // the arguments after "git"
	Stderr string
	Err    error
}

// Error returns the command line, the cause and the command's standard error.
func (e *CommandError) Error() string {
	return fmt.Sprintf("gittest: git %s (in %s): %v\n%s",
		strings.Join(e.Args, " "), e.Dir, e.Err, strings.TrimSpace(e.Stderr))
}

// Unwrap returns the cause, usually an *exec.ExitError.
func (e *CommandError) Unwrap() error { return e.Err }

// A Repo is a real git repository on disk with a work tree, driven by the git
// binary in an isolated environment (see [Repo.Env]) and a fixed clock (see
// [Repo.Clock]). Its methods call t.Fatal on any failure, so a test never
// checks errors from them. Dir may be read and changed by the test.
//
// A Repo is not safe for concurrent use: its methods advance a shared clock
// and share the work tree.
type Repo struct {
	// Dir is the repository's work tree; its git directory is Dir/.git.
	Dir string

	t    testing.TB
	home string    // HOME, GNUPGHOME's parent and scratch space for messages
	next time.Time // the time of the next commit
}

// New creates an empty repository with `git init -b main` in a fresh
// directory under t.TempDir(), with commit.gpgSign, tag.gpgSign, gc.auto and
// maintenance.auto turned off in its own config. Its clock starts at
// [CommitTime](0).
func New(t testing.TB) *Repo {
	t.Helper()
	base := t.TempDir()
	r := &Repo{Dir: filepath.Join(base, "repo"), t: t, home: filepath.Join(base, "home"), next: CommitTime(0)}
	if err := makeHome(r.home); err != nil {
		t.Fatal(err)
	}
	if err := initRepo(context.Background(), r.Dir, r.Env()); err != nil {
		t.Fatal(err)
	}
	return r
}

// Open wraps the existing repository whose work tree is dir, with the same
// isolated environment as [New]. It does not change the repository's config.
// The clock starts one [Step] after the newest commit or tag date that a ref
// points at (so commits added by the test come last), or at [CommitTime](0)
// when the repository has no refs.
func Open(t testing.TB, dir string) *Repo {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := &Repo{Dir: abs, t: t, home: t.TempDir(), next: CommitTime(0)}
	if err := makeHome(r.home); err != nil {
		t.Fatal(err)
	}
	out := r.Git("for-each-ref", "--format=%(creatordate:unix)")
	for _, f := range strings.Fields(out) {
		sec, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			t.Fatalf("gittest: read ref dates in %s: %v", abs, err)
		}
		if next := time.Unix(sec, 0).UTC().Add(Step); next.After(r.next) {
			r.next = next
		}
	}
	return r
}

// Env returns a new slice holding the isolated environment that every git
// command of r runs with, for tests that run other binaries (gpg, ssh-keygen)
// or git itself through os/exec. Of the process environment it keeps only
// PATH and TMPDIR. It sets HOME and GNUPGHOME to private directories,
// GIT_CONFIG_NOSYSTEM=1, GIT_CONFIG_GLOBAL=/dev/null, GIT_TERMINAL_PROMPT=0,
// GIT_EDITOR=:, GIT_PAGER=cat, LC_ALL=C, TZ=UTC, the fixed author and
// committer names and emails, and GIT_AUTHOR_DATE and GIT_COMMITTER_DATE set
// to [Repo.Clock].
func (r *Repo) Env() []string {
	return isolatedEnv(r.home, r.next)
}

// Clock returns the time that the next commit made through r will get as its
// author and committer date; annotated tags made through r get it as their
// tagger date. It advances by one [Step] with each commit made by a method of
// r.
func (r *Repo) Clock() time.Time { return r.next }

// Tick advances the clock by one [Step]. Call it after making a commit with
// [Repo.Git] directly if the next commit must have a later date.
func (r *Repo) Tick() { r.next = r.next.Add(Step) }

// Git runs git with args in r.Dir and r's environment, and returns its
// standard output without the final newline. If git fails, Git calls
// t.Fatal with the command, its exit status and its standard error.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	out, err := r.GitErr(args...)
	if err != nil {
		r.t.Fatal(err)
	}
	return out
}

// GitErr is like [Repo.Git] but returns the error, a *[CommandError], for
// tests that expect git to fail. The output is returned in both cases.
//
// Git and GitErr do not use t.Context(), so they work in t.Cleanup
// functions too.
func (r *Repo) GitErr(args ...string) (string, error) {
	return runGit(context.Background(), r.Dir, r.Env(), nil, args...)
}

// Commit adds a new file named after the commit's time under "changes/" and
// commits it with exactly msg (no cleanup: CR, LF, leading "#" and missing
// final newlines are kept). Because every commit adds its own file, commits
// made on different branches merge, cherry-pick and revert without conflicts.
// It returns the full hash of the new commit.
func (r *Repo) Commit(msg string) string {
	r.t.Helper()
	name := "changes/" + r.next.UTC().Format("20060102T150405Z") + ".txt"
	return r.CommitFiles(msg, map[string]string{name: r.next.UTC().Format(time.RFC3339) + "\n"})
}

// CommitFiles writes each file of files (a slash-separated path relative to
// r.Dir, created with its directories), removes each path whose content is
// "", stages exactly those paths and commits the index with exactly msg. It
// returns the full hash of the new commit. Git refuses a commit that changes
// nothing, and so does CommitFiles.
func (r *Repo) CommitFiles(msg string, files map[string]string) string {
	r.t.Helper()
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		if !filepath.IsLocal(filepath.FromSlash(p)) {
			r.t.Fatalf("gittest: CommitFiles: path %q is not inside the repository", p)
		}
		full := filepath.Join(r.Dir, filepath.FromSlash(p))
		if files[p] == "" {
			if err := os.Remove(full); err != nil && !os.IsNotExist(err) {
				r.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(files[p]), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	if len(paths) > 0 {
		r.Git(append([]string{"add", "-A", "--"}, paths...)...)
	}
	return r.commitMsg(msg)
}

// EmptyCommit commits the index (normally unchanged) with exactly msg, even
// if the commit changes nothing, and returns its full hash.
func (r *Repo) EmptyCommit(msg string) string {
	r.t.Helper()
	return r.commitMsg(msg, "--allow-empty")
}

// commitMsg runs git commit with msg verbatim and extra args, advances the
// clock and returns the new HEAD.
func (r *Repo) commitMsg(msg string, extra ...string) string {
	r.t.Helper()
	f := r.writeMsg(msg)
	r.Git(append([]string{"commit", "-q", "--cleanup=verbatim", "-F", f}, extra...)...)
	r.Tick()
	return r.Head()
}

// writeMsg stores msg in a scratch file and returns its path.
func (r *Repo) writeMsg(msg string) string {
	r.t.Helper()
	f := filepath.Join(r.home, "message")
	if err := os.WriteFile(f, []byte(msg), 0o600); err != nil {
		r.t.Fatal(err)
	}
	return f
}

// Tag creates the lightweight tag name at rev.
func (r *Repo) Tag(name, rev string) {
	r.t.Helper()
	r.Git("-c", "tag.gpgSign=false", "tag", name, rev)
}

// AnnotatedTag creates the unsigned annotated tag name at rev with exactly
// msg as its message, tagged by the fixed committer at [Repo.Clock]. It does
// not advance the clock.
func (r *Repo) AnnotatedTag(name, rev, msg string) {
	r.t.Helper()
	f := r.writeMsg(msg)
	r.Git("-c", "tag.gpgSign=false", "tag", "-a", "--cleanup=verbatim", "-F", f, name, rev)
}

// Branch creates branch name at the commit from (HEAD when from is "")
// without switching to it.
func (r *Repo) Branch(name, from string) {
	r.t.Helper()
	args := []string{"branch", name}
	if from != "" {
		args = append(args, from)
	}
	r.Git(args...)
}

// Checkout switches the work tree to name: a branch, or any commit (which
// detaches HEAD).
func (r *Repo) Checkout(name string) {
	r.t.Helper()
	r.Git("checkout", "-q", name)
}

// Merge merges branch into the current branch with `git merge --no-ff`,
// making a merge commit with exactly msg even when a fast-forward was
// possible, and returns its full hash. A conflict fails the test.
func (r *Repo) Merge(branch, msg string) string {
	r.t.Helper()
	f := r.writeMsg(msg)
	r.Git("merge", "-q", "--no-ff", "--no-edit", "--cleanup=verbatim", "-F", f, branch)
	r.Tick()
	return r.Head()
}

// SquashMerge applies the changes of branch to the current branch with
// `git merge --squash`, commits them as one ordinary commit with exactly msg
// and returns its full hash.
func (r *Repo) SquashMerge(branch, msg string) string {
	r.t.Helper()
	r.Git("merge", "-q", "--squash", branch)
	return r.commitMsg(msg)
}

// CherryPick applies the commit rev to the current branch with
// `git cherry-pick -x`, which keeps rev's author and author date and appends
// "(cherry picked from commit <full hash>)" to its message. It returns the
// new commit's full hash.
func (r *Repo) CherryPick(rev string) string {
	r.t.Helper()
	r.Git("cherry-pick", "-x", rev)
	r.Tick()
	return r.Head()
}

// Revert makes a commit that undoes rev with `git revert --no-edit` (message
// `Revert "<subject>"` and "This reverts commit <full hash>.") and returns its
// full hash.
func (r *Repo) Revert(rev string) string {
	r.t.Helper()
	r.Git("revert", "--no-edit", rev)
	r.Tick()
	return r.Head()
}

// RevParse returns the full hash that rev names, as `git rev-parse --verify`
// does: an annotated tag's name gives the tag object; write "name^{commit}"
// for the commit it points at.
func (r *Repo) RevParse(rev string) string {
	r.t.Helper()
	return r.Git("rev-parse", "--verify", "--end-of-options", rev)
}

// Head returns the full hash of the commit HEAD points at.
func (r *Repo) Head() string {
	r.t.Helper()
	return r.RevParse("HEAD")
}

// RevList runs `git rev-list` with args and returns the hashes in git's output
// order, or nil when there are none. The caller owns the slice.
func (r *Repo) RevList(args ...string) []string {
	r.t.Helper()
	return strings.Fields(r.Git(append([]string{"rev-list"}, args...)...))
}

// GoGit opens the repository with go-git's git.PlainOpen, failing t on error.
// The repository handle reads the files on disk: it sees later changes made
// through r.
func (r *Repo) GoGit(t testing.TB) *git.Repository {
	t.Helper()
	repo, err := git.PlainOpen(r.Dir)
	if err != nil {
		t.Fatalf("gittest: open %s with go-git: %v", r.Dir, err)
	}
	return repo
}

// makeHome creates home and a private GNUPGHOME inside it.
func makeHome(home string) error {
	return os.MkdirAll(filepath.Join(home, ".gnupg"), 0o700)
}

// isolatedEnv builds the environment described at [Repo.Env].
func isolatedEnv(home string, when time.Time) []string {
	date := "@" + strconv.FormatInt(when.Unix(), 10) + " +0000"
	env := make([]string, 0, 24)
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PATH=") || strings.HasPrefix(kv, "TMPDIR=") {
			env = append(env, kv)
		}
	}
	return append(env,
		"HOME="+home,
		"GNUPGHOME="+filepath.Join(home, ".gnupg"),
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_TERMINAL_PROMPT=0",
		"GIT_EDITOR=:",
		"GIT_PAGER=cat",
		"PAGER=cat",
		"LC_ALL=C",
		"TZ=UTC",
		"GIT_AUTHOR_NAME="+AuthorName,
		"GIT_AUTHOR_EMAIL="+AuthorEmail,
		"GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME="+CommitterName,
		"GIT_COMMITTER_EMAIL="+CommitterEmail,
		"GIT_COMMITTER_DATE="+date,
	)
}

// repoConfig is appended to .git/config by initRepo: no signing (a test
// turns it on in its own repository when it wants it), and no automatic gc
// or maintenance, which would make timings and object layout vary.
const repoConfig = `[commit]
	gpgSign = false
[tag]
	gpgSign = false
[gc]
	auto = 0
[maintenance]
	auto = false
[core]
	autocrlf = false
`

// initRepo runs `git init -b main` in dir (creating it) and appends
// repoConfig to its config.
func initRepo(ctx context.Context, dir string, env []string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if _, err := runGit(ctx, dir, env, nil, "init", "-q", "-b", "main"); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, ".git", "config"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(repoConfig); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// runGit runs git with args in dir, returning stdout minus one final newline.
func runGit(ctx context.Context, dir string, env []string, stdin io.Reader, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdin = stdin
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	out := strings.TrimSuffix(stdout.String(), "\n")
	if err != nil {
		return out, &CommandError{Dir: dir, Args: args, Stderr: stderr.String(), Err: err}
	}
	return out, nil
}

package gittest_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

func TestCommitIdentityAndClock(t *testing.T) {
	r := gittest.New(t)
	assert.Equal(t, gittest.CommitTime(0), r.Clock())
	assert.Equal(t, "main", r.Git("symbolic-ref", "--short", "HEAD"))

	first := r.Commit("feat: one\n")
	second := r.Commit("fix: two\n")
	assert.Equal(t, gittest.CommitTime(2), r.Clock())
	assert.Len(t, first, 40)
	assert.Equal(t, second, r.Head())
	assert.Equal(t, first, r.RevParse("HEAD~1"))

	got := r.Git("log", "--format=%an <%ae>|%cn <%ce>|%aI|%cI", "HEAD")
	want := "Test Author <author@example.com>|Test Committer <committer@example.com>|2026-01-05T09:01:00+00:00|2026-01-05T09:01:00+00:00\n" +
		"Test Author <author@example.com>|Test Committer <committer@example.com>|2026-01-05T09:00:00+00:00|2026-01-05T09:00:00+00:00"
	assert.Equal(t, want, got)
}

func TestDeterministicHashes(t *testing.T) {
	t.Parallel()
	build := func() []string {
		r := gittest.New(t)
		a := r.Commit("feat: a\n")
		r.AnnotatedTag("v1.0.0", a, "Release v1.0.0\n")
		r.Branch("topic", "")
		r.Checkout("topic")
		b := r.CommitFiles("fix(api): b\n", map[string]string{"api/x.go": "package api\n"})
		r.Checkout("main")
		c := r.EmptyCommit("chore: c\n")
		m := r.Merge("topic", "Merge branch 'topic'\n")
		return []string{a, b, c, m, r.RevParse("v1.0.0")}
	}
	first, second := build(), build()
	assert.Equal(t, first, second)
}

// TestPinnedHashes pins the hashes of a few builds, so that a change to the
// environment, the clock or the generators, which would change every
// benchmark repository, is seen and made on purpose.
func TestPinnedHashes(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	assert.Equal(t, "2e03426109950595138b2930553973485fd7f8e5", r.Commit("feat: a\n"))
	s := gittest.Synthetic(t, gittest.Spec{Commits: 500, TagEvery: 50, MergeEvery: 10, Unreleased: 20, Paths: []string{"api/", "web/"}, Seed: 1})
	assert.Equal(t, "f7804e5a6dbad547b3df4ea4d542a5e8b16f33dd", s.Head())
	m := gittest.MergeHeavy(t, 1, 100)
	assert.Equal(t, "8f071c73fc412a219e90fce99edd187b1e08c3ca", m.Head())
}

func TestCommitKeepsMessageVerbatim(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, msg string }{
		{"crlf", "fix: windows\r\n\r\nbody line\r\n"},
		{"no final newline", "feat: no newline"},
		{"comment lines", "# not a comment\n\n  indented\n\n\n"},
		{"unicode", "docs: naïve café ✓\n"},
	}
	r := gittest.New(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.msg, rawMessage(t, r, r.Commit(tt.msg)))
			assert.Equal(t, tt.msg, rawMessage(t, r, r.CommitFiles(tt.msg, map[string]string{"f": tt.name})))
			assert.Equal(t, tt.msg, rawMessage(t, r, r.EmptyCommit(tt.msg)))
		})
	}
}

// rawMessage returns the message of commit rev byte for byte (Repo.Git
// trims the final newline).
func rawMessage(t *testing.T, r *gittest.Repo, rev string) string {
	t.Helper()
	cmd := exec.Command("git", "cat-file", "commit", rev)
	cmd.Dir, cmd.Env = r.Dir, r.Env()
	out, err := cmd.Output()
	require.NoError(t, err)
	_, msg, ok := strings.Cut(string(out), "\n\n")
	require.True(t, ok)
	return msg
}

func TestCommitFiles(t *testing.T) {
	r := gittest.New(t)
	r.CommitFiles("feat(api): add\n", map[string]string{"api/a.go": "a\n", "web/b.js": "b\n"})
	r.CommitFiles("fix(web): change\n", map[string]string{"web/b.js": "b2\n"})
	r.CommitFiles("chore: remove\n", map[string]string{"api/a.go": ""})
	assert.Equal(t, "web/b.js", r.Git("ls-files"))
	assert.Len(t, r.RevList("HEAD", "--", "api/"), 2)
	assert.Len(t, r.RevList("HEAD", "--", "web/"), 2)
	assert.Len(t, r.RevList("HEAD"), 3)
	_, err := os.Stat(filepath.Join(r.Dir, "api", "a.go"))
	assert.True(t, os.IsNotExist(err))
}

func TestTags(t *testing.T) {
	r := gittest.New(t)
	h := r.Commit("feat: a\n")
	r.Tag("light", h)
	r.AnnotatedTag("v1.0.0", h, "Release v1.0.0\n")
	assert.Equal(t, "commit", r.Git("cat-file", "-t", "light"))
	assert.Equal(t, "tag", r.Git("cat-file", "-t", "v1.0.0"))
	assert.Equal(t, h, r.RevParse("v1.0.0^{commit}"))
	assert.NotEqual(t, h, r.RevParse("v1.0.0"))
	tag := r.Git("cat-file", "tag", "v1.0.0")
	assert.Contains(t, tag, "tagger Test Committer <committer@example.com> "+strconv.FormatInt(gittest.CommitTime(1).Unix(), 10)+" +0000")
	assert.NotContains(t, tag, "PGP SIGNATURE")
	assert.True(t, strings.HasSuffix(tag, "\n\nRelease v1.0.0"), tag)
}

func TestBranchMergeSquashCherryPickRevert(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	base := r.Commit("chore: base\n")
	r.Branch("feature", base)
	r.Branch("release/1.x", base)
	assert.Equal(t, "main", r.Git("branch", "--show-current"))

	r.Checkout("feature")
	f1 := r.Commit("feat: one\n")
	r.Commit("feat: two\n")
	r.Checkout("main")
	fix := r.Commit("fix: on main\n\nRefs: PROJ-9\n")

	m := r.Merge("feature", "Merge branch 'feature'\n")
	parents := strings.Fields(r.Git("rev-list", "--parents", "-n1", m))
	assert.Len(t, parents, 3, "merge commit with two parents")
	assert.Equal(t, "Merge branch 'feature'\n", rawMessage(t, r, m))

	r.Branch("squashed", base)
	r.Checkout("squashed")
	s := r.SquashMerge("feature", "feat: squashed (#5)\n")
	assert.Len(t, strings.Fields(r.Git("rev-list", "--parents", "-n1", s)), 2, "a squash merge is an ordinary commit")
	assert.Equal(t, r.Git("rev-parse", "feature^{tree}"), r.Git("rev-parse", s+"^{tree}"))

	r.Checkout("release/1.x")
	cp := r.CherryPick(fix)
	msg := r.Git("log", "-1", "--format=%B", cp)
	assert.Contains(t, msg, "(cherry picked from commit "+fix+")")
	assert.True(t, strings.HasPrefix(msg, "fix: on main\n"))

	r.Checkout("main")
	rv := r.Revert(f1)
	msg = r.Git("log", "-1", "--format=%B", rv)
	assert.Contains(t, msg, "This reverts commit "+f1+".")
	assert.True(t, strings.HasPrefix(msg, `Revert "feat: one"`))

	// Each helper commit took one minute of the clock.
	times := r.Git("log", "--all", "--format=%ct")
	seen := map[string]bool{}
	for _, ts := range strings.Fields(times) {
		assert.False(t, seen[ts], "two commits at %s", ts)
		seen[ts] = true
	}
	fsck(t, r)
}

func TestGitErr(t *testing.T) {
	r := gittest.New(t)
	_, err := r.GitErr("rev-parse", "--verify", "nope")
	var ce *gittest.CommandError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, []string{"rev-parse", "--verify", "nope"}, ce.Args)
	assert.Contains(t, ce.Stderr, "fatal")
	var ee *exec.ExitError
	assert.ErrorAs(t, err, &ee)
}

func TestEnvIsolation(t *testing.T) {
	r := gittest.New(t)
	env := r.Env()
	for _, want := range []string{"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull, "GIT_TERMINAL_PROMPT=0", "LC_ALL=C"} {
		assert.Contains(t, env, want)
	}
	for _, kv := range env {
		name, value, _ := strings.Cut(kv, "=")
		if name == "HOME" || name == "GNUPGHOME" {
			assert.NotEqual(t, os.Getenv("HOME"), value)
			info, err := os.Stat(value)
			require.NoError(t, err)
			assert.True(t, info.IsDir())
		}
	}
	// Only the repository's own config is read.
	origins := r.Git("config", "--list", "--show-origin")
	for _, line := range strings.Split(origins, "\n") {
		assert.True(t, strings.HasPrefix(line, "file:.git/config"), line)
	}
	assert.Equal(t, "false", r.Git("config", "commit.gpgSign"))
	assert.Equal(t, "false", r.Git("config", "tag.gpgSign"))

	// Another binary run with Env sees the same clock.
	cmd := exec.Command("git", "var", "GIT_COMMITTER_IDENT")
	cmd.Dir, cmd.Env = r.Dir, env
	out, err := cmd.Output()
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("Test Committer <committer@example.com> %d +0000\n", gittest.EpochUnix), string(out))
}

func TestOpen(t *testing.T) {
	r := gittest.New(t)
	r.Commit("feat: a\n")
	r.Commit("feat: b\n")
	o := gittest.Open(t, r.Dir)
	assert.Equal(t, gittest.CommitTime(2), o.Clock(), "Open continues after the newest ref")
	h := o.Commit("fix: c\n")
	assert.Equal(t, h, r.Head())
	assert.Len(t, r.RevList("HEAD"), 3)
}

func TestGoGit(t *testing.T) {
	r := gittest.New(t)
	h := r.Commit("feat: a\n")
	repo := r.GoGit(t)
	head, err := repo.Head()
	require.NoError(t, err)
	assert.Equal(t, h, head.Hash().String())
	c, err := repo.CommitObject(head.Hash())
	require.NoError(t, err)
	assert.Equal(t, "feat: a\n", c.Message)
	assert.True(t, c.Committer.When.Equal(gittest.CommitTime(0)))
}

// fsck runs git fsck --strict and fails on any complaint.
func fsck(t *testing.T, r *gittest.Repo) {
	t.Helper()
	out, err := r.GitErr("fsck", "--strict", "--no-dangling")
	require.NoError(t, err)
	assert.Empty(t, out)
}

// tags returns the tags of r in version order.
func tags(r *gittest.Repo) []string {
	return strings.Fields(r.Git("tag", "--list", "--sort=v:refname"))
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		spec       gittest.Spec
		tags       int
		merges     bool
		unreleased int
	}{
		{"linear tags every 50", gittest.Spec{Commits: 1000, TagEvery: 50, Unreleased: 20, Paths: []string{"api/", "web/", "docs/"}, Seed: 1}, 20, false, 20},
		{"last commit tagged", gittest.Spec{Commits: 1000, TagEvery: 50, Seed: 2}, 20, false, 0},
		{"merges", gittest.Spec{Commits: 1000, TagEvery: 50, Unreleased: 20, MergeEvery: 10, Paths: []string{"api", "web"}, Seed: 3}, 20, true, 20},
		{"lightweight", gittest.Spec{Commits: 300, TagEvery: 25, LightweightTags: true, MergeEvery: 5, Unreleased: 7, Seed: 4}, 12, true, 7},
		{"no tags", gittest.Spec{Commits: 200, MergeEvery: 3, Paths: []string{""}}, 0, true, -1},
		{"one commit", gittest.Spec{Commits: 1, TagEvery: 1, MergeEvery: 1}, 1, false, 0},
		{"tag every commit", gittest.Spec{Commits: 30, TagEvery: 1, MergeEvery: 2, Unreleased: 3}, 27, true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := gittest.Synthetic(t, tt.spec)
			assert.Equal(t, strconv.Itoa(tt.spec.Commits), r.Git("rev-list", "--count", "HEAD"))
			assert.Equal(t, strconv.Itoa(tt.spec.Commits), r.Git("rev-list", "--count", "--all"), "no commit outside HEAD")
			assert.Equal(t, "refs/heads/main", r.Git("symbolic-ref", "HEAD"))
			assert.Equal(t, "main", r.Git("for-each-ref", "--format=%(refname:short)", "refs/heads"))
			assert.Empty(t, r.Git("status", "--porcelain"), "work tree checked out")
			assert.NoFileExists(t, filepath.Join(r.Dir, ".git", "objects", "info", "commit-graph"))

			got := tags(r)
			assert.Len(t, got, tt.tags)
			merges := r.RevList("--merges", "HEAD")
			assert.Equal(t, tt.merges, len(merges) > 0)
			for _, m := range merges {
				assert.Len(t, strings.Fields(r.Git("rev-list", "--parents", "-n1", m)), 3)
			}
			if tt.unreleased >= 0 {
				last := got[len(got)-1]
				assert.Equal(t, strconv.Itoa(tt.unreleased), r.Git("rev-list", "--count", last+"..HEAD"))
				assert.Equal(t, last, r.Git("describe", "--tags", "--abbrev=0"))
				checkVersions(t, r, got)
			}
			wantType := "tag"
			if tt.spec.LightweightTags {
				wantType = "commit"
			}
			for _, tag := range got {
				assert.Equal(t, wantType, r.Git("cat-file", "-t", tag))
			}

			// Dates: commit i at CommitTime(i), strictly increasing.
			dates := strings.Fields(r.Git("log", "--format=%ct", "--date-order", "--reverse", "HEAD"))
			for i, d := range dates {
				if !assert.Equal(t, strconv.FormatInt(gittest.CommitTime(i).Unix(), 10), d, "commit %d", i) {
					break
				}
			}
			fsck(t, r)
		})
	}
}

func TestGeneratePaths(t *testing.T) {
	t.Parallel()
	r := gittest.Synthetic(t, gittest.Spec{Commits: 600, MergeEvery: 7, Paths: []string{"api/", "web/", "docs/"}, Seed: 9})
	total := 0
	for _, dir := range []string{"api/", "web/", "docs/"} {
		n := len(r.RevList("--full-history", "--no-merges", "HEAD", "--", dir))
		assert.Greater(t, n, 100, dir)
		assert.Less(t, n, 300, dir)
		total += n
	}
	assert.Equal(t, len(r.RevList("--no-merges", "HEAD")), total, "each ordinary commit changes one directory")
	assert.Len(t, strings.Fields(r.Git("ls-files")), 24)
}

// conventional is a small, independent reading of Conventional Commits for
// checking that Generate's tags agree with its messages.
var (
	breakingHeader = regexp.MustCompile(`^[a-z]+(\([^)]*\))?!: `)
	featHeader     = regexp.MustCompile(`^feat(\([^)]*\))?: `)
	breakingFooter = regexp.MustCompile(`(?m)^BREAKING[ -]CHANGE: `)
)

// checkVersions checks that each tag is the previous one bumped by the level
// of the commits between them, starting at v1.0.0.
func checkVersions(t *testing.T, r *gittest.Repo, tags []string) {
	t.Helper()
	assert.Equal(t, "v1.0.0", tags[0])
	levels := map[string]int{}
	for i := 1; i < len(tags); i++ {
		level := 0
		for _, msg := range strings.Split(r.Git("log", "--format=%B%x00", tags[i-1]+".."+tags[i]), "\x00") {
			msg = strings.TrimLeft(msg, "\n")
			switch {
			case breakingHeader.MatchString(msg) || breakingFooter.MatchString(msg):
				level = max(level, 2)
			case featHeader.MatchString(msg):
				level = max(level, 1)
			}
		}
		prev, cur := parseVersion(t, tags[i-1]), parseVersion(t, tags[i])
		want := [3]int{prev[0], prev[1], prev[2] + 1}
		switch level {
		case 2:
			want = [3]int{prev[0] + 1, 0, 0}
		case 1:
			want = [3]int{prev[0], prev[1] + 1, 0}
		}
		assert.Equal(t, want, cur, "%s after %s", tags[i], tags[i-1])
		levels[[]string{"patch", "minor", "major"}[level]]++
	}
	if len(tags) >= 19 {
		assert.Greater(t, levels["patch"], levels["minor"], "mostly patch releases: %v", levels)
		assert.Greater(t, levels["minor"], 0, "some minor releases: %v", levels)
	}
}

func parseVersion(t *testing.T, tag string) [3]int {
	t.Helper()
	var v [3]int
	_, err := fmt.Sscanf(tag, "v%d.%d.%d", &v[0], &v[1], &v[2])
	require.NoError(t, err, tag)
	return v
}

func TestGenerateMessages(t *testing.T) {
	t.Parallel()
	r := gittest.Synthetic(t, gittest.Spec{Commits: 2000, TagEvery: 100, MergeEvery: 20, Seed: 5})
	log := r.Git("log", "--format=%B%x00", "HEAD")
	msgs := strings.Split(strings.TrimSuffix(log, "\x00"), "\x00\n")
	require.Len(t, msgs, 2000)
	count := func(re string) int {
		rx := regexp.MustCompile(re)
		n := 0
		for _, m := range msgs {
			if rx.MatchString(m) {
				n++
			}
		}
		return n
	}
	assert.Greater(t, count(`^feat(\(|: )`), 100, "feat")
	assert.Greater(t, count(`^fix(\(|: )`), 400, "fix")
	for _, typ := range []string{"chore", "docs", "ci", "refactor"} {
		assert.Greater(t, count(`^`+typ+`(\(|: )`), 10, typ)
	}
	assert.Greater(t, count(`(?m)^Refs: PROJ-\d+$`), 100, "Refs footers")
	assert.Greater(t, count(`^[^\n]*\(#\d+\)\n`), 300, "PR suffixes")
	assert.Greater(t, count(`^[^\n]*\n\n[^\n]+\n[^\n]+\n`), 300, "bodies")
	assert.Greater(t, count(`^Merge (pull request|branch)`), 50, "merge messages")
	assert.Greater(t, count(`^(WIP|Update README.md|Fix typo|Bump version|small cleanups|address review|Apply sugg)`), 5, "plain messages")
	breaking := count(`(?m)^BREAKING CHANGE: |^[a-z]+(\([^)]*\))?!: `)
	assert.Greater(t, breaking, 0, "breaking changes")
	assert.Less(t, breaking, 20, "breaking changes are rare")
	assert.Equal(t, "Initial commit", r.Git("log", "--format=%s", "--max-parents=0", "HEAD"))
}

func TestGenerateCustomMessages(t *testing.T) {
	t.Parallel()
	spec := gittest.Spec{
		Commits: 120, TagEvery: 40, MergeEvery: 6, Seed: 7,
		Messages: func(i int) string {
			if i == 90 {
				return "feat!: drop v1 API"
			}
			if i%30 == 0 {
				return fmt.Sprintf("feat: number %d\n", i)
			}
			return fmt.Sprintf("fix: number %d\n", i)
		},
	}
	r := gittest.Synthetic(t, spec)
	assert.Equal(t, []string{"v1.0.0", "v1.1.0", "v2.0.0"}, tags(r))
	assert.Equal(t, "fix: number 119\n", rawMessage(t, r, "HEAD"))
	assert.Equal(t, "feat!: drop v1 API", rawMessage(t, r, r.RevList("--skip=29", "-n1", "--date-order", "HEAD")[0]),
		"message stored verbatim, without a final newline")

	// The trees and the shape of the graph do not depend on the messages.
	plain := gittest.Synthetic(t, gittest.Spec{Commits: 120, TagEvery: 40, MergeEvery: 6, Seed: 7})
	shape := func(r *gittest.Repo) string {
		return regexp.MustCompile(`[0-9a-f]{40}`).ReplaceAllString(r.Git("log", "--format=%T %P", "--date-order", "HEAD"), "p")
	}
	assert.Equal(t, shape(plain), shape(r))
	assert.Equal(t, plain.Git("log", "--format=%T", "--date-order", "HEAD"), r.Git("log", "--format=%T", "--date-order", "HEAD"))
}

func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	spec := gittest.Spec{Commits: 1000, TagEvery: 50, MergeEvery: 8, Unreleased: 20, Paths: []string{"api/", "web/"}, Seed: 42}
	a, b := gittest.Synthetic(t, spec), gittest.Synthetic(t, spec)
	assert.Equal(t, a.Head(), b.Head())
	assert.Equal(t, a.Git("show-ref"), b.Git("show-ref"))
	spec.Seed = 43
	c := gittest.Synthetic(t, spec)
	assert.NotEqual(t, a.Head(), c.Head())
}

func TestGenerateCommitGraphAndContinue(t *testing.T) {
	t.Parallel()
	r := gittest.Synthetic(t, gittest.Spec{Commits: 100, TagEvery: 10, CommitGraph: true})
	assert.FileExists(t, filepath.Join(r.Dir, ".git", "objects", "info", "commit-graph"))
	assert.Equal(t, gittest.CommitTime(100), r.Clock())
	h := r.Commit("feat: after the generated history\n")
	assert.Equal(t, h, r.Head())
	assert.Equal(t, "101", r.Git("rev-list", "--count", "HEAD"))
	assert.Equal(t, strconv.FormatInt(gittest.CommitTime(100).Unix(), 10), r.Git("log", "-1", "--format=%ct"))
	fsck(t, r)
}

func TestGenerateErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		spec gittest.Spec
	}{
		{"no commits", gittest.Spec{}},
		{"negative", gittest.Spec{Commits: 10, TagEvery: -1}},
		{"unreleased without tags", gittest.Spec{Commits: 10, Unreleased: 2}},
		{"unreleased too large", gittest.Spec{Commits: 10, TagEvery: 2, Unreleased: 10}},
		{"path with space", gittest.Spec{Commits: 10, Paths: []string{"a b/"}}},
		{"dot dot", gittest.Spec{Commits: 10, Paths: []string{"../x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "r")
			assert.Error(t, gittest.Generate(ctx, dir, tt.spec))
			assert.NoDirExists(t, dir)
		})
	}
	t.Run("not empty", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "x"), nil, 0o644))
		assert.ErrorIs(t, gittest.Generate(ctx, dir, gittest.Spec{Commits: 1}), gittest.ErrNotEmpty)
	})
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		assert.Error(t, gittest.Generate(ctx, filepath.Join(t.TempDir(), "r"), gittest.Spec{Commits: 5000}))
	})
}

func TestMergeHeavy(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		seed int64
		n    int
	}{{1, gittest.MergeHeavyMin}, {2, 120}, {3, 400}} {
		t.Run(fmt.Sprintf("seed%d_n%d", tt.seed, tt.n), func(t *testing.T) {
			t.Parallel()
			r := gittest.MergeHeavy(t, tt.seed, tt.n)
			assert.Equal(t, strconv.Itoa(tt.n), r.Git("rev-list", "--count", "--all"))
			assert.Equal(t, "main", r.Git("branch", "--show-current"))
			assert.Empty(t, r.Git("status", "--porcelain"))
			assert.Equal(t, gittest.CommitTime(tt.n), r.Clock())

			// Merges, one octopus.
			parents := map[string][]string{}
			octopus := 0
			for _, line := range strings.Split(r.Git("rev-list", "--all", "--merges", "--parents"), "\n") {
				f := strings.Fields(line)
				parents[f[0]] = f[1:]
				if len(f) > 3 {
					octopus++
				}
			}
			assert.GreaterOrEqual(t, len(parents), 5)
			assert.Equal(t, 1, octopus)

			// Criss-cross: two merges with the same two parents, swapped.
			criss := false
			for _, p := range parents {
				for _, q := range parents {
					if len(p) == 2 && len(q) == 2 && p[0] == q[1] && p[1] == q[0] {
						criss = true
					}
				}
			}
			assert.True(t, criss, "criss-cross merge")

			// Tags, both kinds, and the release branch.
			assert.Equal(t, []string{"v0.1.0", "v1.0.0", "v1.0.1", "v1.0.2", "v1.1.0"}, tags(r))
			assert.Equal(t, "commit", r.Git("cat-file", "-t", "v0.1.0"))
			assert.Equal(t, "tag", r.Git("cat-file", "-t", "v1.0.0"))
			r.Git("merge-base", "--is-ancestor", "v1.0.0", "release/1.x")
			r.Git("merge-base", "--is-ancestor", "v1.0.1", "main")
			_, err := r.GitErr("merge-base", "--is-ancestor", "v1.0.2", "main")
			assert.Error(t, err, "v1.0.2 is only on release/1.x")

			// Cherry-pick and revert made by git.
			cp := r.RevList("--all", "--grep=cherry picked from commit")
			require.Len(t, cp, 1)
			orig := regexp.MustCompile(`\(cherry picked from commit ([0-9a-f]{40})\)`).FindStringSubmatch(r.Git("log", "-1", "--format=%B", cp[0]))
			require.NotNil(t, orig)
			r.Git("merge-base", "--is-ancestor", orig[1], "main")
			r.Git("merge-base", "--is-ancestor", cp[0], "release/1.x")
			rv := r.RevList("--all", "--grep=^This reverts commit")
			require.Len(t, rv, 1)
			r.Git("merge-base", "--is-ancestor", rv[0], "main")

			// Paths: each directory selects a proper subset.
			all := len(r.RevList("--all"))
			for _, dir := range []string{"api/", "web/", "docs/"} {
				n := len(r.RevList("--all", "--", dir))
				assert.Greater(t, n, 3, dir)
				assert.Less(t, n, all, dir)
			}

			// go-git reads the packs fast-import wrote.
			repo := r.GoGit(t)
			iter, err := repo.Log(&git.LogOptions{All: true})
			require.NoError(t, err)
			n := 0
			require.NoError(t, iter.ForEach(func(*object.Commit) error { n++; return nil }))
			assert.Equal(t, tt.n, n)
			fsck(t, r)
		})
	}
}

func TestMergeHeavyDeterministic(t *testing.T) {
	t.Parallel()
	refs := func(seed int64) string {
		return gittest.MergeHeavy(t, seed, 150).Git("show-ref", "--head")
	}
	a := refs(11)
	assert.Equal(t, a, refs(11))
	assert.NotEqual(t, a, refs(12))
}

func TestMergeHeavyManySeeds(t *testing.T) {
	t.Parallel()
	for seed := range int64(6) {
		r := gittest.MergeHeavy(t, 100+seed, 60+int(seed)*7)
		assert.Equal(t, strconv.Itoa(60+int(seed)*7), r.Git("rev-list", "--count", "--all"), "seed %d", seed)
	}
}

func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		for _, merge := range []int{0, 10} {
			b.Run(fmt.Sprintf("commits=%d/merge-every=%d", n, merge), func(b *testing.B) {
				for b.Loop() {
					dir := filepath.Join(b.TempDir(), "r")
					start := time.Now()
					if err := gittest.Generate(b.Context(), dir, gittest.Spec{Commits: n, TagEvery: 50, Unreleased: 20, MergeEvery: merge, Paths: []string{"api/", "web/"}}); err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(n), "ns/commit")
				}
			})
		}
	}
}

func BenchmarkMergeHeavy(b *testing.B) {
	for b.Loop() {
		gittest.MergeHeavy(b, 1, 500)
	}
}

func BenchmarkCommit(b *testing.B) {
	r := gittest.New(b)
	for b.Loop() {
		r.Commit("fix: x\n")
	}
}

package gittest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
)

// ErrNotEmpty is returned by [Generate] when its directory exists and holds
// files.
var ErrNotEmpty = errors.New("gittest: directory is not empty")

// A Spec describes a synthetic history for [Generate] and [Synthetic]. Its
// zero value, with Commits set, is a linear history without tags in one
// directory.
//
// Commits are numbered from 0 in the order they are written, which is also
// date order: commit i is dated [CommitTime](i) (author and committer).
// Each commit changes exactly one small file (side-branch merges carry the
// side's changes), so every commit changes the tree.
type Spec struct {
	// Commits is the total number of commits reachable from HEAD: main's
	// first-parent line plus the commits of merged side branches. It must
	// be at least 1.
	Commits int

	// TagEvery places a release tag every TagEvery commits (0: no tags),
	// counted back from the last release (see Unreleased). Tags are named
	// vX.Y.Z. The first is v1.0.0; each later one bumps the previous
	// version by the Conventional Commits level of the commits since it
	// (major for a "type!:" header or a "BREAKING CHANGE:" footer, minor
	// for a feat, patch otherwise), so tags agree with what a release tool
	// computes. With the default messages, of any 20 releases in a row 12
	// are patches, 7 minor and 1 major.
	TagEvery int

	// LightweightTags makes the release tags lightweight instead of
	// annotated (tagger Test Committer, message "Release vX.Y.Z").
	LightweightTags bool

	// MergeEvery, when not 0, brings in a side branch about every
	// MergeEvery commits: 1 to 4 commits forked from main, while main
	// gets 0 to 2 commits of its own, then joined by a merge commit whose
	// first parent is main (as `git merge --no-ff` makes). Tags never
	// fall inside a side branch's span.
	MergeEvery int

	// Paths are the directories ("api/", "web/", "docs/"; "" or "/" for
	// the top level) whose files the commits change, 8 files each, chosen
	// at random, so a path filter selects a subset of the commits. The
	// default is one directory, "src/". Paths must not hold spaces,
	// quotes, backslashes or control characters.
	Paths []string

	// Seed drives every random choice (math/rand/v2's PCG): the same Spec
	// always gives the same objects and hashes.
	Seed int64

	// Messages, when not nil, returns the message of commit i, merge
	// commits included; it is stored byte for byte (add the final newline
	// that git would). When nil, messages are a realistic mix of
	// Conventional Commits (feat, fix with "Refs: PROJ-123" footers,
	// chore, docs, ci, refactor, perf, ...; scopes, "(#123)" suffixes,
	// bodies of 2 to 5 lines, co-author footers, rare breaking changes),
	// some plain messages such as "WIP", and GitHub-style merge messages.
	Messages func(i int) string

	// Unreleased is the number of commits after the last release tag, so
	// that `git rev-list --count LAST..HEAD` is Unreleased. It needs
	// TagEvery > 0 and must be less than Commits. With 0 the last commit
	// is tagged.
	Unreleased int

	// CommitGraph runs `git commit-graph write --reachable` at the end.
	// Without it the repository has no commit-graph file.
	CommitGraph bool
}

// sideRef is the temporary branch that side branches are written on; it is
// deleted at the end of the stream.
const sideRef = "refs/heads/gittest-side"

// filesPerDir is how many files each directory of Spec.Paths holds.
const filesPerDir = 8

// Generate creates a repository at dir (which must not exist or be empty,
// else [ErrNotEmpty]) holding the history that spec describes. It runs
// `git init -b main`, streams the history into one `git fast-import`
// (without forking git per commit, and with memory that does not grow with
// the history: fast-import itself needs about 1 GiB for a million commits),
// packs the refs into .git/packed-refs as a fresh clone has them, checks out
// main in the work tree and, if spec.CommitGraph is set, writes a
// commit-graph. The objects stay in the one pack fast-import wrote (not
// repacked). HEAD is refs/heads/main; the only other refs are the release
// tags. Git runs in the isolated environment described at [Repo.Env], with
// a temporary HOME.
//
// Generate needs no testing.TB, so commands can use it; tests use
// [Synthetic]. On error the directory is left as it is.
func Generate(ctx context.Context, dir string, spec Spec) error {
	dirs, err := spec.check()
	if err != nil {
		return err
	}
	switch entries, err := os.ReadDir(dir); {
	case err == nil && len(entries) > 0:
		return fmt.Errorf("generate in %s: %w", dir, ErrNotEmpty)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("gittest: generate in %s: %w", dir, err)
	}
	home, err := os.MkdirTemp("", "gittest-home-")
	if err != nil {
		return fmt.Errorf("gittest: generate: %w", err)
	}
	defer os.RemoveAll(home)
	env := isolatedEnv(home, CommitTime(spec.Commits))

	if err := initRepo(ctx, dir, env); err != nil {
		return err
	}
	fi, err := startFastImport(ctx, dir, env)
	if err != nil {
		return err
	}
	g := newGenerator(spec, dirs, fi)
	if err := g.run(ctx); err != nil {
		fi.abort()
		return err
	}
	if err := fi.finish(); err != nil {
		return err
	}
	// Pack the refs, as a fresh clone has them: thousands of loose tag
	// files would slow down every tool that lists tags.
	if _, err := runGit(ctx, dir, env, nil, "pack-refs", "--all"); err != nil {
		return err
	}
	if _, err := runGit(ctx, dir, env, nil, "read-tree", "--reset", "-u", "HEAD"); err != nil {
		return err
	}
	if spec.CommitGraph {
		if _, err := runGit(ctx, dir, env, nil, "commit-graph", "write", "--reachable"); err != nil {
			return err
		}
	}
	return nil
}

// Synthetic generates the history that spec describes (see [Generate]) in a
// directory under t.TempDir() and returns it as a [Repo] whose clock
// continues after the last generated commit.
func Synthetic(t testing.TB, spec Spec) *Repo {
	t.Helper()
	base := t.TempDir()
	r := &Repo{Dir: filepath.Join(base, "repo"), t: t, home: filepath.Join(base, "home"), next: CommitTime(spec.Commits)}
	if err := makeHome(r.home); err != nil {
		t.Fatal(err)
	}
	if err := Generate(t.Context(), r.Dir, spec); err != nil {
		t.Fatal(err)
	}
	return r
}

// check validates s and returns its directories without slashes at either
// end ("" for the top level).
func (s Spec) check() ([]string, error) {
	switch {
	case s.Commits < 1:
		return nil, fmt.Errorf("gittest: Spec.Commits is %d, want at least 1", s.Commits)
	case s.TagEvery < 0 || s.MergeEvery < 0 || s.Unreleased < 0:
		return nil, errors.New("gittest: Spec.TagEvery, MergeEvery and Unreleased must not be negative")
	case s.Unreleased > 0 && s.TagEvery == 0:
		return nil, errors.New("gittest: Spec.Unreleased needs TagEvery > 0")
	case s.TagEvery > 0 && s.Unreleased >= s.Commits:
		return nil, fmt.Errorf("gittest: Spec.Unreleased is %d, want less than Commits (%d)", s.Unreleased, s.Commits)
	}
	if len(s.Paths) == 0 {
		return []string{"src"}, nil
	}
	dirs := make([]string, 0, len(s.Paths))
	for _, p := range s.Paths {
		d := strings.Trim(p, "/")
		if strings.ContainsFunc(d, func(r rune) bool { return r <= ' ' || r == '"' || r == '\\' || r == 0x7f }) {
			return nil, fmt.Errorf("gittest: Spec.Paths: unsupported path %q", p)
		}
		for _, elem := range strings.Split(d, "/") {
			if d != "" && (elem == "" || elem == "." || elem == ".." || elem == ".git") {
				return nil, fmt.Errorf("gittest: Spec.Paths: unsupported path %q", p)
			}
		}
		dirs = append(dirs, d)
	}
	return dirs, nil
}

// A generator writes the stream for one Spec.
type generator struct {
	spec  Spec
	fi    *fastImport
	shape *rand.Rand  // graph and file choices
	msgs  *messageGen // default messages, on a separate stream

	files  [][]string // files[d][k]: path of file k of directory d
	scopes []string   // scope of each directory ("" for the top level)

	total  int // spec.Commits
	cutoff int // position of the last tag; 0 without tags
	pos    int // commits written so far: the next commit's index
	mark   int // last mark used
	side   bool

	level   int    // highest level since the last tag
	version [3]int // last released version
	msg     []byte // scratch message
	name    []byte // scratch tag name
	ops     []fileOp
	merged  []string
}

// newGenerator prepares to write spec's history into fi.
func newGenerator(spec Spec, dirs []string, fi *fastImport) *generator {
	g := &generator{
		spec:  spec,
		fi:    fi,
		shape: rand.New(rand.NewPCG(uint64(spec.Seed), 1)),
		msgs:  newMessageGen(rand.New(rand.NewPCG(uint64(spec.Seed), 2))),
		total: spec.Commits,
	}
	for _, d := range dirs {
		prefix, scope := "", ""
		if d != "" {
			prefix, scope = d+"/", d[strings.LastIndexByte(d, '/')+1:]
		}
		paths := make([]string, filesPerDir)
		for k := range paths {
			paths[k] = prefix + "file" + strconv.Itoa(k) + ".txt"
		}
		g.files = append(g.files, paths)
		g.scopes = append(g.scopes, scope)
	}
	if spec.TagEvery > 0 {
		g.cutoff = spec.Commits - spec.Unreleased
	}
	return g
}

// nextTag returns the first tag position at or after p (positions count
// commits from 1), or 0 if there is none.
func (g *generator) nextTag(p int) int {
	if g.cutoff == 0 || p > g.cutoff {
		return 0
	}
	return p + (g.cutoff-p)%g.spec.TagEvery
}

// run writes the whole history.
func (g *generator) run(ctx context.Context) error {
	g.startWindow()
	sinceMerge := 0
	for g.pos < g.total {
		if g.pos%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := g.fi.err(); err != nil {
				return fmt.Errorf("gittest: write to git fast-import: %w", err)
			}
		}
		if g.spec.MergeEvery > 0 && sinceMerge >= g.spec.MergeEvery && g.sideBranch() {
			sinceMerge = 0
			continue
		}
		g.mainCommit()
		sinceMerge++
	}
	if g.side {
		g.fi.reset(sideRef, zeroHash)
	}
	return g.fi.err()
}

// startWindow tells the message generator about the release window that
// starts at the next commit.
func (g *generator) startWindow() {
	if g.cutoff == 0 {
		// No releases: a steady mix with very rare breaking changes.
		g.msgs.featPct, g.msgs.breakPerMil = 25, 1
		return
	}
	if g.pos >= g.total {
		return
	}
	end := g.nextTag(g.pos + 1)
	if end == 0 {
		end = g.total
	}
	g.msgs.window(g.pos, end-g.pos)
}

// change returns a change to one random file, with content unique to the
// next commit, and that file's directory's scope.
func (g *generator) change() (fileOp, string) {
	d := g.shape.IntN(len(g.files))
	return fileOp{
		path:    g.files[d][g.shape.IntN(filesPerDir)],
		content: "commit " + strconv.Itoa(g.pos) + "\n",
	}, g.scopes[d]
}

// write writes the next commit on ref. branch, when not "", makes it a
// merge of that branch.
func (g *generator) write(ref, from string, merge []string, ops []fileOp, scope, branch string) {
	g.msg = g.msg[:0]
	switch {
	case g.spec.Messages != nil:
		g.msg = append(g.msg, g.spec.Messages(g.pos)...)
	case branch != "":
		g.msg = g.msgs.merge(g.msg, branch)
	default:
		g.msg = g.msgs.commit(g.msg, g.pos, scope)
	}
	g.level = max(g.level, classify(g.msg))
	g.mark++
	g.fi.commit(ref, g.mark, EpochUnix+int64(g.pos)*int64(Step.Seconds()), g.msg, from, merge, ops)
	g.pos++
}

// mainCommit writes an ordinary commit on main and tags it if it is due.
func (g *generator) mainCommit() {
	op, scope := g.change()
	g.ops = append(g.ops[:0], op)
	g.write("refs/heads/main", "", nil, g.ops, scope, "")
	g.maybeTag()
}

// sideBranch writes a side branch and its merge into main if one fits
// before the end and between tags, and reports whether it did.
func (g *generator) sideBranch() bool {
	k, m := 1+g.shape.IntN(4), g.shape.IntN(3)
	for {
		// Side commits and main's own commits take positions pos+1 ..
		// pos+k+m; the merge takes pos+k+m+1 and may be tagged.
		if g.pos+k+m+1 <= g.total {
			if t := g.nextTag(g.pos + 1); t == 0 || t > g.pos+k+m {
				break
			}
		}
		switch {
		case m > 0:
			m--
		case k > 1:
			k--
		default:
			return false
		}
	}
	g.side = true
	fork := markRef(g.mark) // main's tip: main-line commits are written last
	var sideOps []fileOp
	var branch string
	for j := range k {
		op, scope := g.change()
		if j == 0 {
			branch = "feature/" + scope + "-" + strconv.Itoa(g.pos)
			if scope == "" {
				branch = "feature/" + strconv.Itoa(g.pos)
			}
		}
		from := ""
		if j == 0 {
			from = fork
		}
		g.ops = append(g.ops[:0], op)
		g.write(sideRef, from, nil, g.ops, scope, "")
		sideOps = setOp(sideOps, op)
	}
	g.merged = append(g.merged[:0], markRef(g.mark))
	for range m {
		op, scope := g.change()
		g.ops = append(g.ops[:0], op)
		g.write("refs/heads/main", "", nil, g.ops, scope, "")
	}
	// The merge result is main's tree with the side's files: the side
	// wins where both changed a file.
	g.write("refs/heads/main", "", g.merged, sideOps, "", branch)
	g.maybeTag()
	return true
}

// setOp adds op to ops, replacing an earlier op on the same path.
func setOp(ops []fileOp, op fileOp) []fileOp {
	for i := range ops {
		if ops[i].path == op.path {
			ops[i] = op
			return ops
		}
	}
	return append(ops, op)
}

// maybeTag tags the commit just written if its position is a tag position.
func (g *generator) maybeTag() {
	if g.cutoff == 0 || g.nextTag(g.pos) != g.pos {
		return
	}
	g.version = bump(g.version, g.level)
	g.level = levelPatch
	g.name = appendVersion(g.name[:0], g.version)
	name := string(g.name)
	if g.spec.LightweightTags {
		g.fi.reset("refs/tags/"+name, markRef(g.mark))
	} else {
		g.msg = append(append(append(g.msg[:0], "Release "...), name...), '\n')
		g.fi.annotatedTag(name, markRef(g.mark), EpochUnix+int64(g.pos-1)*int64(Step.Seconds()), g.msg)
	}
	g.startWindow()
}

// BenchRepo is the repository of a history benchmark: the one at
// $RELEASEKIT_BENCH_REPO (made with internal/testkit/gittest/genrepo, such
// as 100k commits with a tag every 50) when it is set, or else 10k
// generated commits with a tag every 50 and 20 unreleased ones.
func BenchRepo(b *testing.B) *git.Repository {
	b.Helper()
	if dir := os.Getenv("RELEASEKIT_BENCH_REPO"); dir != "" {
		repo, err := git.PlainOpen(dir)
		if err != nil {
			b.Fatal(err)
		}
		return repo
	}
	g := Synthetic(b, Spec{Commits: 10000, TagEvery: 50, Unreleased: 20, Seed: 1})
	return g.GoGit(b)
}

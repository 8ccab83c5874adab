package commits

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// ErrIncompleteHistory is returned when the history a walk needs is not in
// the repository: a shallow clone cut it off, or an object is missing. It
// is never reported as "no changes".
var ErrIncompleteHistory = errors.New("commits: incomplete history")

// ErrRevision is returned when a revision does not name a commit.
var ErrRevision = errors.New("commits: unknown revision")

// Signature is the author or committer of a commit.
type Signature struct {
	Name  string    `json:"name"`
	Email string    `json:"email"`
	When  time.Time `json:"when"`
}

// String returns "Name <email>".
func (s Signature) String() string { return s.Name + " <" + s.Email + ">" }

// Commit is one commit of a repository with its parsed message.
//
// The embedded [Message] is the result of [Parse]; when the message is not a
// Conventional Commit, Message.Conventional is false and Message.Err says
// why. Such commits are still returned: they are flagged, never dropped.
type Commit struct {
	Hash      string    `json:"hash"`
	Parents   []string  `json:"parents"`
	Author    Signature `json:"author"`
	Committer Signature `json:"committer"`
	Message
}

// Range selects commits as `git rev-list To --not From...` does: every
// commit reachable from To, except those reachable from any commit in From.
// An empty From selects the whole history of To.
type Range struct {
	From []plumbing.Hash
	To   plumbing.Hash
}

// LogOption configures [Log].
type LogOption func(*logConfig)

type logConfig struct {
	firstParent bool
	paths       []string
	parse       []ParseOption
}

// WithFirstParent follows only the first parent of merge commits on the
// included side, as `git rev-list --first-parent`.
func WithFirstParent() LogOption { return func(c *logConfig) { c.firstParent = true } }

// WithPaths restricts the log to commits that change one of the given paths
// (directories or files, relative to the repository root), with git's
// default history simplification, as `git rev-list -- PATH...`.
func WithPaths(paths ...string) LogOption {
	return func(c *logConfig) { c.paths = append(c.paths, paths...) }
}

// WithParseOptions sets the options used to parse each commit message.
func WithParseOptions(opts ...ParseOption) LogOption {
	return func(c *logConfig) { c.parse = append(c.parse, opts...) }
}

// ResolveRange resolves a range expression: "B" (the whole history of B),
// "A..B" (B without what A reaches) or "..B"/"A.." with HEAD for the missing
// side. Revisions are anything go-git's ResolveRevision accepts (tags,
// branches, full or abbreviated hashes, HEAD~2). It returns an error
// wrapping [ErrRevision] when a revision is unknown.
func ResolveRange(repo *git.Repository, expr string) (Range, error) {
	var r Range
	from, to, isRange := strings.Cut(expr, "..")
	if !isRange {
		to, from = expr, ""
	}
	if to == "" {
		to = "HEAD"
	}
	h, err := Resolve(repo, to)
	if err != nil {
		return r, err
	}
	r.To = h
	if from != "" {
		fh, err := Resolve(repo, from)
		if err != nil {
			return r, err
		}
		r.From = []plumbing.Hash{fh}
	}
	return r, nil
}

// Resolve returns the commit a revision names, peeling annotated tags. It
// returns an error wrapping [ErrRevision] when the revision is unknown.
func Resolve(repo *git.Repository, rev string) (plumbing.Hash, error) {
	if rev == "" {
		rev = "HEAD"
	}
	store := newObjectStore(repo)
	fast, ok := resolveFast(repo, store, rev)
	store.close()
	if ok {
		return fast, nil
	}
	h, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("%w %q: %v", ErrRevision, rev, err)
	}
	c, err := repo.CommitObject(*h)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("%w %q: not a commit: %v", ErrRevision, rev, err)
	}
	return c.Hash, nil
}

// Log streams the commits of r, newest first, in the order of
// `git rev-list` with the same options. Each message is parsed with [Parse];
// a message that is not a Conventional Commit is yielded with
// Message.Conventional false and Message.Err set, never skipped.
//
// Memory: messages are not retained once yielded; the walk keeps a small
// record per commit visited. When r.From is not empty, the selected commits
// are held until the walk has proven them unreachable from r.From, as git
// does, so memory grows with the size of the range, not of the history.
//
// Reading and message parsing run on all available cores; the sequence
// itself is yielded on the caller's goroutine. Log stops early when the
// caller breaks out of the loop or ctx is done (yielding ctx.Err()). An
// error is yielded once, as the last element: a missing object or a shallow
// boundary inside the range yields an error wrapping
// [ErrIncompleteHistory].
func Log(ctx context.Context, repo *git.Repository, r Range, opts ...LogOption) iter.Seq2[Commit, error] {
	var cfg logConfig
	for _, o := range opts {
		o(&cfg)
	}
	return func(yield func(Commit, error) bool) {
		if r.To.IsZero() {
			yield(Commit{}, fmt.Errorf("%w: empty range end", ErrRevision))
			return
		}
		store := newObjectStore(repo)
		defer store.close()
		paths := splitPaths(cfg.paths)
		var trees *treeIndex
		if paths != nil {
			trees = newTreeIndex(store)
		}
		build := func(h plumbing.Hash, rc rawCommit) any {
			b := logBuilt{commit: buildCommit(h, rc, cfg.parse), complete: true}
			if trees != nil {
				// Path lookups for history simplification, done on the
				// workers; on error the walker looks them up itself.
				b.paths, _ = trees.ids(rc.tree, paths)
			}
			return b
		}
		reader := newCommitReader(store, build)
		defer reader.close()
		if len(r.From) > 0 {
			// A range is buffered until the walk has proven which commits
			// are outside it: the walker reads commits (and only the path
			// ids it needs to simplify), and the messages of the commits
			// selected are parsed at the end, on all cores. Commits of the
			// excluded side are never parsed.
			reader.syncBuild = nil
			// Read-ahead decodes the pack's neighbours of the commits
			// read, whatever branch they are on, and a window beyond the
			// range's boundary: for the size of a release that costs more
			// than it saves. A range that turns out long still gets it.
			reader.aheadAfter = readAheadAfterRange
			if trees != nil {
				reader.syncBuild = func(_ plumbing.Hash, rc rawCommit) any {
					var b logBuilt
					b.paths, _ = trees.ids(rc.tree, paths)
					return b
				}
			}
		}
		shallow, err := shallowSet(repo)
		if err != nil {
			yield(Commit{}, err)
			return
		}
		w := newWalker(ctx, store, reader, shallow)
		w.firstParent = cfg.firstParent
		w.setPaths(cfg.paths, trees)
		w.prepare = func(sel []*wnode) { buildAll(sel, cfg.parse) }
		for _, h := range r.From {
			if err := w.add(h, true); err != nil {
				yield(Commit{}, err)
				return
			}
		}
		if err := w.add(r.To, false); err != nil {
			yield(Commit{}, err)
			return
		}
		stopped := false
		err = w.run(func(n *wnode) bool {
			b, ok := n.dec.built.(logBuilt)
			c := b.commit
			if !ok || !b.complete {
				c = buildCommit(n.hash, n.dec.rc, cfg.parse)
			}
			if !yield(c, nil) {
				stopped = true
				return false
			}
			return true
		})
		if err != nil && !stopped {
			yield(Commit{}, err)
		}
	}
}

func shallowSet(repo *git.Repository) (map[plumbing.Hash]bool, error) {
	hs, err := repo.Storer.Shallow()
	if err != nil {
		return nil, fmt.Errorf("read shallow list: %w", err)
	}
	if len(hs) == 0 {
		return nil, nil
	}
	m := make(map[plumbing.Hash]bool, len(hs))
	for _, h := range hs {
		m[h] = true
	}
	return m, nil
}

// logBuilt is what Log's read-ahead workers prepare for each commit.
type logBuilt struct {
	commit   Commit
	complete bool // commit is built
	paths    []plumbing.Hash
}

// buildAll builds the Commit of every node that does not have it yet, on
// all cores, keeping the path ids the walk already has.
func buildAll(ns []*wnode, opts []ParseOption) {
	var todo []*wnode
	for _, n := range ns {
		if b, ok := n.dec.built.(logBuilt); !ok || !b.complete {
			todo = append(todo, n)
		}
	}
	if len(todo) == 0 {
		return
	}
	workers := min(runtime.GOMAXPROCS(0), (len(todo)+63)/64)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(64)) - 64
				if i >= len(todo) {
					return
				}
				for _, n := range todo[i:min(i+64, len(todo))] {
					b, _ := n.dec.built.(logBuilt)
					b.commit, b.complete = buildCommit(n.hash, n.dec.rc, opts), true
					n.dec.built = b
				}
			}
		}()
	}
	wg.Wait()
}

func (b logBuilt) pathIDs() []plumbing.Hash { return b.paths }

// buildCommit turns a decoded commit object into a Commit.
func buildCommit(h plumbing.Hash, rc rawCommit, opts []ParseOption) Commit {
	c := Commit{Hash: h.String()}
	if len(rc.parents) > 0 {
		c.Parents = make([]string, len(rc.parents))
		for i, p := range rc.parents {
			c.Parents[i] = p.String()
		}
	}
	c.Author = parseIdent(rc.author)
	c.Committer = parseIdent(rc.committer)
	c.Message, _ = Parse(string(rc.message), opts...)
	return c
}

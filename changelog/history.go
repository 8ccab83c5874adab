package changelog

import (
	"context"
	"fmt"
	"iter"
	"slices"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/semver"
)

// HistoryOption configures [History].
type HistoryOption func(*historyConfig)

type historyConfig struct {
	unreleased  bool
	paths       []string
	firstParent bool
	parse       []commits.ParseOption
}

// WithUnreleased makes [History] yield first the commits after the latest
// release tag, as a Release with an empty Version, even when there are none.
func WithUnreleased() HistoryOption { return func(c *historyConfig) { c.unreleased = true } }

// WithPaths restricts the changelog to commits that change one of paths,
// for a monorepo component ([commits.WithPaths]); use it with the component's
// tag scheme ([semver.ComponentScheme]).
func WithPaths(paths ...string) HistoryOption {
	return func(c *historyConfig) { c.paths = append(c.paths, paths...) }
}

// WithFirstParent follows only the first parent of merges
// ([commits.WithFirstParent]).
func WithFirstParent() HistoryOption { return func(c *historyConfig) { c.firstParent = true } }

// WithParseOptions sets the options used to parse commit messages
// ([commits.WithParseOptions]).
func WithParseOptions(opts ...commits.ParseOption) HistoryOption {
	return func(c *historyConfig) { c.parse = append(c.parse, opts...) }
}

func (c historyConfig) logOptions() []commits.LogOption {
	var opts []commits.LogOption
	if len(c.paths) > 0 {
		opts = append(opts, commits.WithPaths(c.paths...))
	}
	if c.firstParent {
		opts = append(opts, commits.WithFirstParent())
	}
	if len(c.parse) > 0 {
		opts = append(opts, commits.WithParseOptions(c.parse...))
	}
	return opts
}

// History yields the releases in the history of commit rev, newest first.
// Each tag of scheme reachable from rev is a release holding the commits
// it contains that no lower version's tag contains (for a linear history,
// `git rev-list PREV..TAG`): a backport tagged on a release branch that was
// merged back appears in its patch release, the original in the release of
// its own line. With [WithUnreleased], the commits no tag contains come
// first as a Release with an empty Version, even when there are none. When
// several tags point at one commit, only the highest version is a release
// (v1.2.0 over v1.2.0-rc.3). Release.Previous is the next lower release
// found in the history, and Release.Date the committer date of the tag's
// commit, never the clock.
//
// Without [WithPaths], the history is read in one pass of [commits.Log]
// and each release is yielded as soon as no commit still to come can
// belong to it, so memory holds the releases in progress (usually one),
// not the history; releases come in the order they end in that walk, which
// is descending version order unless versions were tagged out of order. With [WithPaths], whose walks skip the commits that do
// not touch the paths, each release is read with its own [commits.Log] of
// PREV..TAG between consecutive reachable tags.
//
// An error is yielded once, as the last element; errors of commits (such
// as [commits.ErrIncompleteHistory]) are wrapped, not replaced.
func History(ctx context.Context, repo *git.Repository, rev plumbing.Hash, scheme semver.Scheme, opts ...HistoryOption) iter.Seq2[Release, error] {
	var cfg historyConfig
	for _, o := range opts {
		o(&cfg)
	}
	return func(yield func(Release, error) bool) {
		tags, err := commits.Tags(ctx, repo, scheme)
		if err != nil {
			yield(Release{}, fmt.Errorf("list tags: %w", err))
			return
		}
		if len(cfg.paths) > 0 {
			byRange(ctx, repo, rev, scheme, tags, cfg, yield)
			return
		}
		onePass(ctx, repo, rev, tags, cfg, yield)
	}
}

// onePass labels each commit, newest first, with the lowest version
// among the tags that contain it (the index in tags, which is sorted by
// descending version; -1 for no tag) by propagating labels from children to
// parents, and yields a release when no commit left in the walk's frontier
// carries its label.
func onePass(ctx context.Context, repo *git.Repository, rev plumbing.Hash, tags []commits.TaggedVersion, cfg historyConfig, yield func(Release, error) bool) {
	tagAt := make(map[string]int, len(tags))
	for i, t := range tags {
		h := t.Commit.String()
		if _, dup := tagAt[h]; !dup {
			tagAt[h] = i
		}
	}
	pending := map[string]int{} // parents not yet read, with their label
	count := map[int]int{}      // pending parents per label
	open := map[int]*Release{}  // releases in progress
	tagSeen := make([]bool, len(tags))
	seenTip := false
	if cfg.unreleased {
		open[-1] = &Release{}
	}

	previous := func(l int) string {
		for j := l + 1; j < len(tags); j++ {
			if tagSeen[j] {
				return tags[j].Name
			}
		}
		return ""
	}
	emit := func(l int) bool {
		rel := open[l]
		delete(open, l)
		if l == -1 {
			for j := range tags {
				if tagSeen[j] {
					rel.Previous = tags[j].Name
					break
				}
			}
		} else {
			rel.Previous = previous(l)
		}
		return yield(*rel, nil)
	}
	// ready returns the open releases that can no longer grow, in
	// descending version order.
	ready := func(final bool) []int {
		var out []int
		for l := range open {
			if final || count[l] == 0 && (l == -1 && seenTip || l >= 0 && tagSeen[l]) {
				out = append(out, l)
			}
		}
		slices.Sort(out)
		return out
	}

	for c, err := range commits.Log(ctx, repo, commits.Range{To: rev}, cfg.logOptions()...) {
		if err != nil {
			yield(Release{}, fmt.Errorf("read history: %w", err))
			return
		}
		l, ok := pending[c.Hash]
		if ok {
			delete(pending, c.Hash)
			count[l]--
		} else {
			l = -1 // a tip of the walk
			seenTip = true
		}
		if ti, tagged := tagAt[c.Hash]; tagged {
			tagSeen[ti] = true
			if ti > l {
				l = ti
			}
			if l == ti {
				if _, exists := open[l]; !exists {
					open[l] = &Release{Version: tags[ti].Name, Commits: make([]commits.Commit, 0, 64)}
				}
				open[l].Date = c.Committer.When.UTC()
			}
		}
		rel := open[l]
		if rel == nil {
			rel = &Release{Commits: make([]commits.Commit, 0, 64)}
			if l >= 0 {
				rel.Version = tags[l].Name
			}
			open[l] = rel
		}
		if l >= 0 || cfg.unreleased {
			rel.Commits = append(rel.Commits, c)
		}
		parents := c.Parents
		if cfg.firstParent && len(parents) > 1 {
			parents = parents[:1]
		}
		for _, p := range parents {
			old, ok := pending[p]
			switch {
			case !ok:
				pending[p] = l
				count[l]++
			case l > old:
				count[old]--
				pending[p] = l
				count[l]++
			}
		}
		for _, r := range ready(false) {
			if r == -1 && !cfg.unreleased {
				delete(open, r)
				continue
			}
			if !emit(r) {
				return
			}
		}
	}
	for _, r := range ready(true) {
		if r == -1 && !cfg.unreleased {
			continue
		}
		if !emit(r) {
			return
		}
	}
}

// byRange reads each release with its own Log between consecutive
// reachable tags (by version), for path-filtered histories.
func byRange(ctx context.Context, repo *git.Repository, rev plumbing.Hash, scheme semver.Scheme, tags []commits.TaggedVersion, cfg historyConfig, yield func(Release, error) bool) {
	prev, err := commits.Previous(ctx, repo, rev, scheme)
	if err != nil {
		yield(Release{}, fmt.Errorf("find latest release: %w", err))
		return
	}
	var rels []commits.TaggedVersion
	if prev.HasLatest {
		seen := map[plumbing.Hash]bool{}
		started := false
		for _, t := range tags {
			if !started && t.Name != prev.Latest.Tag {
				continue
			}
			started = true
			if !seen[t.Commit] {
				seen[t.Commit] = true
				rels = append(rels, t)
			}
		}
	}
	logOpts := cfg.logOptions()
	if cfg.unreleased {
		r := commits.Range{To: rev}
		rel := Release{}
		if len(rels) > 0 {
			r.From = []plumbing.Hash{rels[0].Commit}
			rel.Previous = rels[0].Name
		}
		if rel.Commits, err = collect(ctx, repo, r, logOpts); err != nil {
			yield(Release{}, err)
			return
		}
		if !yield(rel, nil) {
			return
		}
	}
	for i, t := range rels {
		r := commits.Range{To: t.Commit}
		rel := Release{Version: t.Name}
		if i+1 < len(rels) {
			r.From = []plumbing.Hash{rels[i+1].Commit}
			rel.Previous = rels[i+1].Name
		}
		c, err := repo.CommitObject(t.Commit)
		if err != nil {
			yield(Release{}, fmt.Errorf("read commit of %s: %w: %v", t.Name, commits.ErrIncompleteHistory, err))
			return
		}
		rel.Date = c.Committer.When.UTC()
		if rel.Commits, err = collect(ctx, repo, r, logOpts); err != nil {
			yield(Release{}, fmt.Errorf("read %s: %w", t.Name, err))
			return
		}
		if !yield(rel, nil) {
			return
		}
	}
}

// Commits reads the commits of r with [commits.Log], newest first, for a
// Release. It stops at the first error, which it returns wrapped.
func Commits(ctx context.Context, repo *git.Repository, r commits.Range, opts ...commits.LogOption) ([]commits.Commit, error) {
	return collect(ctx, repo, r, opts)
}

func collect(ctx context.Context, repo *git.Repository, r commits.Range, opts []commits.LogOption) ([]commits.Commit, error) {
	// Commits are large values (hundreds of bytes each): gathered in
	// fixed-size chunks and copied once into a slice of the exact length,
	// a range of thousands of commits is not copied again at every
	// doubling of one growing slice.
	const chunk = 256
	var chunks [][]commits.Commit
	cur := make([]commits.Commit, 0, 16)
	n := 0
	for c, err := range commits.Log(ctx, repo, r, opts...) {
		if err != nil {
			return nil, fmt.Errorf("read commits: %w", err)
		}
		if len(cur) == cap(cur) && cap(cur) >= chunk {
			chunks = append(chunks, cur)
			cur = make([]commits.Commit, 0, chunk)
		}
		cur = append(cur, c)
		n++
	}
	if len(chunks) == 0 {
		return slices.Clip(cur), nil
	}
	out := make([]commits.Commit, 0, n)
	for _, ch := range chunks {
		out = append(out, ch...)
	}
	return append(out, cur...), nil
}

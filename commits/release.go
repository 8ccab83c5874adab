package commits

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/semver"
)

// TaggedVersion is a release tag that matches a scheme, peeled to its commit.
type TaggedVersion struct {
	Name      string         // tag name without refs/tags/
	Version   semver.Version // the version the name carries
	Commit    plumbing.Hash  // the commit the tag points at, annotated tags peeled
	Object    plumbing.Hash  // the tag object for annotated tags, else the commit
	Annotated bool
}

// Tags lists the tags of repo that match scheme, peeled to commits, in
// descending version order (ties by name). Tags that do not parse as a
// version of the scheme are ignored; tags that point at something other
// than a commit (a tree, a blob) are ignored as well.
func Tags(ctx context.Context, repo *git.Repository, scheme semver.Scheme) ([]TaggedVersion, error) {
	store := newObjectStore(repo)
	defer store.close()
	tags, err := listTags(ctx, repo, store, scheme)
	if err != nil {
		return nil, err
	}
	sortTags(tags)
	return tags, nil
}

// sortTags orders tags by descending version, then by name.
func sortTags(tags []TaggedVersion) {
	slices.SortFunc(tags, func(a, b TaggedVersion) int {
		if c := a.Version.Compare(b.Version); c != 0 {
			return -c
		}
		return strings.Compare(a.Name, b.Name)
	})
}

func listTags(ctx context.Context, repo *git.Repository, store *objectStore, scheme semver.Scheme) ([]TaggedVersion, error) {
	refs, err := readTagRefs(repo)
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	var out []TaggedVersion
	for _, ref := range refs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		v, err := scheme.Parse(ref.name)
		if err != nil {
			continue // not a release tag of this scheme
		}
		tv := TaggedVersion{Name: ref.name, Version: v, Object: ref.hash}
		if !ref.peeled.IsZero() {
			tv.Commit, tv.Annotated = ref.peeled, true
			out = append(out, tv)
			continue
		}
		commit, annotated, ok, err := peel(store, ref.hash)
		if err != nil {
			return nil, fmt.Errorf("peel tag %s: %w", ref.name, err)
		}
		if !ok {
			continue
		}
		tv.Commit, tv.Annotated = commit, annotated
		out = append(out, tv)
	}
	return out, nil
}

// peel follows tag objects to the commit they name.
func peel(store *objectStore, h plumbing.Hash) (commit plumbing.Hash, annotated, ok bool, err error) {
	for range 16 {
		if t, ok := store.packedType(h); ok && t == plumbing.CommitObject {
			return h, annotated, true, nil // no need to inflate a commit to know it is one
		}
		typ, data, err := store.read(h)
		if err != nil {
			if errors.Is(err, plumbing.ErrObjectNotFound) {
				return h, annotated, false, nil
			}
			return h, annotated, false, err
		}
		switch typ {
		case plumbing.CommitObject:
			return h, annotated, true, nil
		case plumbing.TagObject:
			annotated = true
			line, _, _ := bytes.Cut(data, []byte{'\n'})
			target, found := bytes.CutPrefix(line, []byte("object "))
			if !found {
				return h, annotated, false, errMalformedCommit
			}
			next, valid := hexHash(target)
			if !valid {
				return h, annotated, false, errMalformedCommit
			}
			h = next
		default:
			return h, annotated, false, nil
		}
	}
	return h, annotated, false, nil
}

// Previous finds the releases already made on the history of commit from:
// the highest tag of scheme reachable from it (pre-releases included) and
// the highest reachable final release. Tags not of the scheme are ignored.
//
// The cost follows the commits since the last release, not the size of the
// history: the walk starts at from and stops at the first final-release
// tags it meets, as `git describe` does, and only tags with a version at
// least as high as those (tagging out of order, release branches, the same
// version on another commit) are checked for reachability, all in one walk
// down to their common history with the frontier, bounded by the
// commit-graph's generation numbers when the repository has one.
//
// Errors: [semver.ErrAmbiguousVersion] (through *semver.AmbiguousError)
// when two tags with the same version point at different commits;
// [ErrIncompleteHistory] when a shallow boundary is met before any release.
func Previous(ctx context.Context, repo *git.Repository, from plumbing.Hash, scheme semver.Scheme) (semver.Previous, error) {
	store := newObjectStore(repo)
	defer store.close()
	tags, err := listTags(ctx, repo, store, scheme)
	if err != nil {
		return semver.Previous{}, err
	}
	shallow, err := shallowSet(repo)
	if err != nil {
		return semver.Previous{}, err
	}
	found, err := reachableTags(ctx, store, shallow, from, tags)
	if err != nil {
		return semver.Previous{}, err
	}
	st := make([]semver.Tag, len(found))
	for i, t := range found {
		st[i] = semver.Tag{Name: t.Name, Commit: t.Commit.String()}
	}
	return semver.Select(st, scheme)
}

// reachableTags returns the tags that matter for
// the previous-release choice and are reachable from from.
func reachableTags(ctx context.Context, store *objectStore, shallow map[plumbing.Hash]bool, from plumbing.Hash, tags []TaggedVersion) ([]TaggedVersion, error) {
	if len(tags) == 0 && shallow == nil {
		return nil, nil
	}
	byCommit := make(map[plumbing.Hash][]int, len(tags))
	for i, t := range tags {
		byCommit[t.Commit] = append(byCommit[t.Commit], i)
	}
	reader := newCommitReader(store, nil)
	defer reader.close()
	w := newWalker(ctx, store, reader, shallow)
	if err := w.add(from, false); err != nil {
		return nil, err
	}

	// Walk the unreleased commits: stop at commits carrying a final release.
	reach := make(map[int]bool)
	var frontier []plumbing.Hash
	s := slop
	for w.queue.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := heap.Pop(&w.queue).(*wnode)
		if n.flags&flagUninteresting == 0 {
			final := false
			for _, i := range byCommit[n.hash] {
				reach[i] = true
				if !tags[i].Version.IsPrerelease() {
					final = true
				}
			}
			if final {
				n.flags |= flagUninteresting
				frontier = append(frontier, n.hash)
				w.limited = true
			} else if w.shallow[n.hash] {
				return nil, fmt.Errorf("%w: shallow history at %s before any release tag", ErrIncompleteHistory, n.hash)
			}
		}
		if err := w.processParents(n); err != nil {
			return nil, err
		}
		if n.flags&flagUninteresting != 0 {
			s = w.stillInteresting(int64(1<<63-1), s)
			if s == 0 {
				break
			}
		}
	}

	// Highest final release met on the frontier.
	best := -1
	for i := range reach {
		if !tags[i].Version.IsPrerelease() && (best < 0 || tags[i].Version.Compare(tags[best].Version) > 0) {
			best = i
		}
	}
	// Tags above it that the walk did not meet: reachable only through a
	// frontier commit (out-of-order tagging). Check them highest first; the
	// first reachable final release settles the choice, and pre-releases
	// above it are kept for the Latest choice. Usually there are none, so
	// the whole tag list is never sorted.
	var above []int
	if len(frontier) > 0 {
		for i := range tags {
			// Equal precedence is checked too: the same version on two
			// reachable commits is ambiguous.
			if !reach[i] && (best < 0 || tags[i].Version.Compare(tags[best].Version) >= 0) {
				above = append(above, i)
			}
		}
	}
	slices.SortFunc(above, func(a, b int) int { return -tags[a].Version.Compare(tags[b].Version) })
	// One walk decides all of them (bounded by generation numbers when
	// the repository has a commit-graph).
	cands := make([]plumbing.Hash, len(above))
	for k, i := range above {
		cands[k] = tags[i].Commit
	}
	ok, err := reachable(ctx, store, shallow, frontier, cands)
	if err != nil {
		return nil, err
	}
	for k, i := range above {
		if reach[i] || !ok[k] {
			continue
		}
		reach[i] = true
		for _, j := range byCommit[tags[i].Commit] {
			reach[j] = true
		}
		if !tags[i].Version.IsPrerelease() && (best < 0 || tags[i].Version.Compare(tags[best].Version) > 0) {
			break
		}
	}
	var out []TaggedVersion
	for i := range tags {
		if reach[i] {
			out = append(out, tags[i])
		}
	}
	return out, nil
}

// Plan is the result of [Next]: what was released before, which commits
// are new, and the version they call for.
type Plan struct {
	Previous semver.Previous // releases found on the history
	Base     string          // tag the commits are counted from ("" for the whole history)
	Commits  []Commit        // the commits in Base..To, newest first
	Level    semver.Level    // highest bump among Commits (0.x and line rules not applied)
	Next     semver.Version  // the version to release; equals the latest when nothing is releasable
	Tag      string          // Next formatted with the scheme
	// Releasable is false when nothing calls for a release; Next and Tag
	// then repeat the latest release.
	Releasable bool
}

// PlanOption configures [Next].
type PlanOption func(*planConfig)

type planConfig struct {
	revert  semver.Level // the level of a revert of a released change
	rules   semver.Rules
	next    []semver.Option
	log     []LogOption
	line    *semver.Line
	channel semver.Channel
}

// WithRules sets the bump rules (default [semver.DefaultRules]).
func WithRules(r semver.Rules) PlanOption { return func(c *planConfig) { c.rules = r } }

// WithVersionOptions passes options to [semver.Next] (initial version,
// pre-release start number, 0.x mode, ...).
func WithVersionOptions(opts ...semver.Option) PlanOption {
	return func(c *planConfig) { c.next = append(c.next, opts...) }
}

// WithRevertLevel sets the bump a revert of an already released change
// calls for (default [semver.Patch], semantic-release's choice: reverting a
// released change changes released behaviour); [semver.None] makes such
// reverts release nothing by themselves. A commit is a revert when git
// wrote it (a "This reverts commit <sha>." line, whatever its subject, or
// a `Revert "…"` subject), and the revert of a released change when the
// reverted commit is not in the range. A Conventional Commit of type
// "revert" without that line (a squashed pull request,
// `revert(server): drain stdin (#20885)`) names no target, so nothing in
// the range can cancel it: it is the revert of a released change too. A
// revert that is itself a Conventional Commit calls for the higher of this
// level and its own.
func WithRevertLevel(l semver.Level) PlanOption { return func(c *planConfig) { c.revert = l } }

// WithChannel computes a pre-release on channel ch (alpha, beta, rc).
func WithChannel(ch semver.Channel) PlanOption {
	return func(c *planConfig) { c.channel = ch }
}

// WithLine restricts the release to a patch line (release/X.Y or hotfix
// branches, §1.15.3.2): a commit that calls for more than a patch fails with
// an error that names it and wraps [semver.ErrNotPatch].
func WithLine(l semver.Line) PlanOption { return func(c *planConfig) { c.line = &l } }

// WithLogOptions passes options to [Log] when reading the commits (a
// component path, first-parent, parse options).
func WithLogOptions(opts ...LogOption) PlanOption {
	return func(c *planConfig) { c.log = append(c.log, opts...) }
}

// Next computes the next release for commit to: the previous releases of
// scheme reachable from it ([Previous]), the commits since the latest final
// release (`git rev-list base..to`, with the component path when one is
// set), their bump level, and the version that follows (see [semver.Next]
// for the rules: 0.x mode, channels, graduation, lines). A Release-As footer
// on the newest commit that has one sets the version explicitly.
//
// A revert and the commit it reverts cancel out when both are in the range
// (a revert of a revert brings the original back); a revert whose target
// is not in the range, a change already released, calls for
// [WithRevertLevel] (a patch by default).
//
// Nothing releasable is not an error: Plan.Releasable is false and
// Plan.Next repeats the latest release.
func Next(ctx context.Context, repo *git.Repository, to plumbing.Hash, scheme semver.Scheme, opts ...PlanOption) (Plan, error) {
	cfg := planConfig{revert: semver.Patch}
	for _, o := range opts {
		o(&cfg)
	}
	var p Plan
	prev, err := Previous(ctx, repo, to, scheme)
	if err != nil {
		return p, err
	}
	p.Previous = prev
	r := Range{To: to}
	if prev.HasStable {
		p.Base = prev.Stable.Tag
		r.From = []plumbing.Hash{plumbing.NewHash(prev.Stable.Commit)}
	}
	var releaseAs string
	var releaseAsCommit string
	for c, err := range Log(ctx, repo, r, cfg.log...) {
		if err != nil {
			return p, err
		}
		p.Commits = append(p.Commits, c)
		if releaseAs == "" && c.ReleaseAs != "" {
			releaseAs, releaseAsCommit = c.ReleaseAs, c.Hash
		}
	}
	cancelled := cancelledReverts(p.Commits)
	for i, c := range p.Commits {
		if cancelled[i] {
			continue // a revert and its target in the same range ship nothing
		}
		lvl := commitLevel(c, cfg)
		if lvl > p.Level {
			p.Level = lvl
		}
		if cfg.line != nil && lvl > semver.Patch && prev.HasStable && cfg.line.Contains(prev.Stable.Version) {
			return p, fmt.Errorf("commit %s (%q): %w", c.Hash, c.Subject, &semver.LineError{Line: *cfg.line, Level: lvl, Previous: prev.Stable.Version})
		}
	}
	nopts := append([]semver.Option(nil), cfg.next...)
	if cfg.channel != "" {
		nopts = append(nopts, semver.WithChannel(cfg.channel))
	}
	if cfg.line != nil {
		nopts = append(nopts, semver.WithLine(*cfg.line))
	}
	if releaseAs != "" {
		v, err := semver.Parse(strings.TrimPrefix(strings.TrimSpace(releaseAs), "v"))
		if err != nil {
			return p, fmt.Errorf("Release-As in commit %s: %w", releaseAsCommit, err)
		}
		nopts = append(nopts, semver.WithReleaseAs(v))
	}
	if cfg.channel != "" && prev.HasLatest && prev.Latest.Version.IsPrerelease() && releaseAs == "" {
		// A new pre-release on the same channel needs new changes since
		// the latest one, not only since the last final release.
		ch, _, _ := strings.Cut(prev.Latest.Version.Prerelease(), ".")
		if semver.Channel(ch) == cfg.channel {
			since, err := levelSince(ctx, repo, plumbing.NewHash(prev.Latest.Commit), to, cfg)
			if err != nil {
				return p, err
			}
			if since == semver.None {
				p.Next = prev.Latest.Version
				p.Tag = prev.Latest.Tag
				return p, nil
			}
		}
	}
	next, err := semver.Next(prev, p.Level, nopts...)
	switch {
	case errors.Is(err, semver.ErrNoRelease):
		p.Next = prev.Latest.Version
		p.Tag = prev.Latest.Tag
		return p, nil
	case err != nil:
		return p, err
	}
	p.Next = next
	p.Tag = scheme.Format(next)
	p.Releasable = true
	return p, nil
}

// levelSince returns the bump level of the commits in from..to.
func levelSince(ctx context.Context, repo *git.Repository, from, to plumbing.Hash, cfg planConfig) (semver.Level, error) {
	var cs []Commit
	for c, err := range Log(ctx, repo, Range{From: []plumbing.Hash{from}, To: to}, cfg.log...) {
		if err != nil {
			return semver.None, err
		}
		cs = append(cs, c)
	}
	lvl := semver.None
	cancelled := cancelledReverts(cs)
	for i, c := range cs {
		if !cancelled[i] {
			lvl = max(lvl, commitLevel(c, cfg))
		}
	}
	return lvl, nil
}

// cancelledReverts marks the commits of cs (newest first) that a revert in
// cs cancels, and those reverts: a change and its revert in one release
// cancel out, as they do in the changelog. The reverted commit is named by
// the "This reverts commit <sha>" line, full or abbreviated (at least 7
// digits). Reverts are taken newest first, so that a revert of a revert
// cancels the first revert, which then no longer cancels the original.
func cancelledReverts(cs []Commit) []bool {
	cancelled := make([]bool, len(cs))
	var byPrefix map[string]int // first 7 digits of a hash → index+1, built on need
	for i, c := range cs {
		if cancelled[i] || c.Revert == nil || len(c.Revert.Hash) < 7 {
			continue
		}
		if byPrefix == nil {
			byPrefix = make(map[string]int, len(cs))
			for j := len(cs) - 1; j >= 0; j-- {
				if len(cs[j].Hash) >= 7 {
					byPrefix[strings.ToLower(cs[j].Hash[:7])] = j + 1
				}
			}
		}
		target := strings.ToLower(c.Revert.Hash)
		j := byPrefix[target[:7]] - 1
		if j >= 0 && !strings.HasPrefix(strings.ToLower(cs[j].Hash), target) {
			// Two commits share the first 7 digits: look at each.
			j = slices.IndexFunc(cs, func(x Commit) bool { return strings.HasPrefix(strings.ToLower(x.Hash), target) })
		}
		if j < 0 || j == i || cancelled[j] {
			continue
		}
		cancelled[i], cancelled[j] = true, true
	}
	return cancelled
}

// isRevert reports a commit git revert wrote (or one that says it reverts a
// commit): a "This reverts commit" line or a `Revert "…"` subject.
func isRevert(c Commit) bool {
	return c.Revert != nil && c.Merge == nil && (c.Revert.Hash != "" || c.Revert.Header != "")
}

// commitLevel is the bump a commit that no revert of its range cancels
// calls for. Fixups and merges are otherwise ignored, but a pull-request
// merge whose title is a Conventional Commit counts by its title: with
// WithFirstParent the merged commits are not read, and without it counting
// both cannot raise the highest level twice. A revert (its target not in
// the range: a released change) calls for at least cfg.revert.
func commitLevel(c Commit, cfg planConfig) semver.Level {
	if c.Merge != nil && c.Merge.Title != "" {
		if m, err := Parse(c.Merge.Title); err == nil && m.Conventional {
			return cfg.rules.Max(m.Changes())
		}
		return semver.None
	}
	if isRevert(c) || (c.Conventional && c.Merge == nil && strings.EqualFold(c.Type, "revert")) {
		return max(cfg.revert, cfg.rules.Max(c.Changes()))
	}
	if c.Ignored {
		return semver.None
	}
	return cfg.rules.Max(c.Changes())
}

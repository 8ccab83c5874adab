package changelog

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/releasekit/releasekit/commits"
)

// Release is the input of one release's notes: the version it documents,
// the one before it, its date and its commits (newest first, as
// [commits.Log] yields them). An empty Version means unreleased changes.
type Release struct {
	Version  string           // tag or version, e.g. "v1.2.0"; "" for Unreleased
	Previous string           // the previous release tag, "" when none
	Date     time.Time        // the release date; the zero Time prints no date
	Commits  []commits.Commit // the commits of the release, newest first
}

// Notes are one release's notes, ready to render: the sections shown, in
// order, and the breaking changes with their migration text. Notes hold only
// plain data; renderers escape the text that came from commits.
type Notes struct {
	Version  string     `json:"version"`
	Previous string     `json:"previous"`
	Date     time.Time  `json:"-"`
	Sections []Section  `json:"sections"`
	Breaking []Breaking `json:"-"`
	// CompareURL links the changes between Previous and Version ("" when
	// there is no compare link template or no previous release).
	CompareURL string `json:"-"`
	// Skipped are the hashes of commits that are neither Conventional
	// Commits nor forms git generates (merges, reverts, fixups), newest
	// first. They are not shown; policy §1.20.3.3 asks that they be
	// visible to the release workflow.
	Skipped []string `json:"-"`
}

// Section is one group of entries, such as "Features".
type Section struct {
	Type    string  `json:"-"` // the commit type the section collects
	Title   string  `json:"title"`
	Entries []Entry `json:"entries"`
}

// Entry is one change of a release.
type Entry struct {
	Hash        string   `json:"hash"`
	Type        string   `json:"-"`
	Scope       string   `json:"scope"`
	Description string   `json:"description"`
	Breaking    bool     `json:"breaking"`
	PR          int      `json:"pr"`
	Tickets     []string `json:"tickets"`
	// BackportOf is the original commit of a cherry-pick (the first
	// "(cherry picked from commit …)" line), "" for other commits.
	BackportOf string `json:"backport_of"`

	CommitURL   string   `json:"-"` // link to Hash, "" without a template
	PRURL       string   `json:"-"` // link to PR, "" without a template or PR
	TicketURLs  []string `json:"-"` // links to Tickets, same order; "" entries when unknown
	BackportURL string   `json:"-"` // link to BackportOf
}

// Breaking is a breaking change and its migration text.
type Breaking struct {
	Hash        string
	Scope       string
	Description string
	// Note is the migration text: the BREAKING CHANGE footers, or the body
	// of a "!" commit without such a footer, or its description.
	Note      string
	CommitURL string
}

// SectionConfig says how the commits of one type are shown.
type SectionConfig struct {
	Type   string // the commit type, lower case: "feat"
	Title  string // the section title: "Features"
	Hidden bool   // hide the section's entries unless they are breaking
}

// DefaultSections returns the sections used unless [WithSections] sets
// others: Features, Bug Fixes, Performance Improvements and Reverts shown;
// documentation, chores, CI, build, tests, styles and refactoring hidden
// unless breaking. Each call returns a new slice.
func DefaultSections() []SectionConfig {
	return []SectionConfig{
		{Type: "feat", Title: "Features"},
		{Type: "fix", Title: "Bug Fixes"},
		{Type: "perf", Title: "Performance Improvements"},
		{Type: "revert", Title: "Reverts"},
		{Type: "docs", Title: "Documentation", Hidden: true},
		{Type: "chore", Title: "Miscellaneous Chores", Hidden: true},
		{Type: "ci", Title: "Continuous Integration", Hidden: true},
		{Type: "build", Title: "Build System", Hidden: true},
		{Type: "test", Title: "Tests", Hidden: true},
		{Type: "style", Title: "Styles", Hidden: true},
		{Type: "refactor", Title: "Code Refactoring", Hidden: true},
	}
}

// Option configures [Build].
type Option func(*config)

type config struct {
	sections []SectionConfig
	links    Links
}

// WithSections sets the sections and their order. Commit types not listed
// are hidden unless breaking; a breaking change of such a type gets a
// section titled by its type, after the listed ones.
func WithSections(s []SectionConfig) Option {
	return func(c *config) { c.sections = slices.Clone(s) }
}

// WithLinks sets the URL templates of commits, pull requests, tickets and
// comparisons (see [Links] and [RemoteLinks]).
func WithLinks(l Links) Option {
	return func(c *config) { c.links = l }
}

// item is one change before grouping.
type item struct {
	entry Entry
	notes []string
	body  string
	key   string // subject+body, for duplicate detection
}

// Build turns a release's commits into notes. It is pure and never fails:
// commits that are not Conventional Commits are listed in Notes.Skipped,
// merges and fixups are left out, and:
//
//   - a revert and the commit it reverts cancel out when both are in the
//     release (an abbreviated hash in "This reverts commit" matches by
//     prefix); a revert whose target is not in the release is listed under
//     Reverts;
//   - a change cherry-picked several times (the same "cherry picked from"
//     origin, or the same subject and body) is shown once, and a cherry-pick
//     whose original is in the release too is shown as the original;
//   - further changes carried by one commit (Message.Extra) are entries of
//     their own;
//   - breaking changes are listed first in Notes.Breaking, with their
//     migration text.
//
// The slices of the returned Notes are new; the strings share memory with
// rel's commits.
func Build(rel Release, opts ...Option) Notes {
	cfg := config{sections: DefaultSections()}
	for _, o := range opts {
		o(&cfg)
	}
	n := Notes{Version: rel.Version, Previous: rel.Previous, Date: rel.Date}
	if rel.Previous != "" {
		n.CompareURL = cfg.links.compare(rel.Previous, releaseRef(rel))
	}

	// Reverts in the release, and the commits they reach.
	cancelled := map[int]bool{}
	var revertTargets []int // index of revert commit
	for i, c := range rel.Commits {
		if c.Revert != nil && c.Revert.Hash != "" {
			revertTargets = append(revertTargets, i)
		}
	}
	for _, i := range revertTargets {
		if cancelled[i] {
			continue
		}
		target := strings.ToLower(rel.Commits[i].Revert.Hash)
		for j, c := range rel.Commits {
			if j == i || cancelled[j] || len(target) < 4 {
				continue
			}
			if hashMatch(c.Hash, target) {
				cancelled[i], cancelled[j] = true, true
				break
			}
		}
	}

	// Originals present in the release: their cherry-picks are duplicates.
	var present map[string]bool
	if slices.ContainsFunc(rel.Commits, func(c commits.Commit) bool { return len(c.CherryPickedFrom) > 0 }) {
		present = make(map[string]bool, len(rel.Commits))
		for i, c := range rel.Commits {
			if !cancelled[i] {
				present[strings.ToLower(c.Hash)] = true
			}
		}
	}

	// One item per commit in the common case: sized once, not regrown
	// (an item is a few hundred bytes).
	seen := make(map[string]bool, len(rel.Commits))
	items := make([]item, 0, len(rel.Commits))
	add := func(it item) {
		if it.key != "" {
			if seen[it.key] {
				return
			}
			seen[it.key] = true
		}
		items = append(items, it)
	}
	// Oldest first, so that the first occurrence of a duplicate wins.
	for i := len(rel.Commits) - 1; i >= 0; i-- {
		c := rel.Commits[i]
		if !cancelled[i] && isSquashMerge(c) {
			// Bitbucket's squash keeps its merge subject and has one
			// parent: the pull request's title is its only change.
			if m, err := commits.Parse(c.Merge.Title); err == nil && m.Conventional {
				add(newItem(c, m, "", 0, cfg.links))
			} else {
				n.Skipped = append(n.Skipped, c.Hash)
			}
			continue
		}
		if cancelled[i] || c.Merge != nil || (c.Ignored && c.Revert == nil) {
			continue
		}
		origin := ""
		if len(c.CherryPickedFrom) > 0 {
			origin = strings.ToLower(c.CherryPickedFrom[0])
			if present[origin] {
				continue // the original is in this release
			}
		}
		if c.Revert != nil && !c.Conventional {
			desc := c.Revert.Header
			if desc == "" {
				desc = c.Subject
			}
			it := newItem(c, c.Message, origin, 0, cfg.links)
			it.entry.Type, it.entry.Scope, it.entry.Description = "revert", "", desc
			add(it)
			continue
		}
		if !c.Conventional {
			n.Skipped = append(n.Skipped, c.Hash)
			continue
		}
		add(newItem(c, c.Message, origin, 0, cfg.links))
		for k, x := range c.Extra {
			if x.Conventional {
				add(newItem(c, x, origin, k+1, cfg.links))
			}
		}
	}
	slices.Reverse(n.Skipped)
	// Back to newest first.
	slices.Reverse(items)

	// Group into sections.
	byType := map[string]*Section{}
	var order []*Section
	for _, sc := range cfg.sections {
		s := &Section{Type: strings.ToLower(sc.Type), Title: sc.Title}
		byType[s.Type] = s
		order = append(order, s)
	}
	hidden := map[string]bool{}
	for _, sc := range cfg.sections {
		hidden[strings.ToLower(sc.Type)] = sc.Hidden
	}
	var extra []*Section
	for _, it := range items {
		e := it.entry
		s, known := byType[e.Type]
		if (!known || hidden[e.Type]) && !e.Breaking {
			continue
		}
		if !known {
			s = &Section{Type: e.Type, Title: e.Type}
			byType[e.Type] = s
			hidden[e.Type] = true
			extra = append(extra, s)
		}
		s.Entries = append(s.Entries, e)
		if e.Breaking {
			for _, note := range it.notes {
				n.Breaking = append(n.Breaking, Breaking{Hash: e.Hash, Scope: e.Scope, Description: e.Description, Note: note, CommitURL: e.CommitURL})
			}
		}
	}
	slices.SortFunc(extra, func(a, b *Section) int { return strings.Compare(a.Type, b.Type) })
	for _, s := range append(order, extra...) {
		if len(s.Entries) > 0 {
			n.Sections = append(n.Sections, *s)
		}
	}
	return n
}

func releaseRef(rel Release) string {
	if rel.Version == "" {
		return "HEAD"
	}
	return rel.Version
}

// hashMatch reports whether the full hash h starts with the abbreviated
// (or full) hash p.
func hashMatch(h, p string) bool {
	h = strings.ToLower(h)
	return len(p) <= len(h) && h[:len(p)] == p
}

// newItem makes the entry of message m of commit c (m is c.Message or one
// of its Extra messages, index k).
func newItem(c commits.Commit, m commits.Message, origin string, k int, l Links) item {
	e := Entry{
		Hash:        c.Hash,
		Type:        strings.ToLower(m.Type),
		Scope:       m.Scope,
		Description: trimPR(m.Description, c.PR),
		Breaking:    m.Breaking,
		PR:          c.PR,
		Tickets:     slices.Clone(c.Tickets),
		BackportOf:  origin,
	}
	if e.Tickets == nil {
		e.Tickets = []string{}
	}
	e.CommitURL = l.commit(e.Hash)
	if e.PR != 0 {
		e.PRURL = l.pr(e.PR)
	}
	if l.Ticket != "" {
		for _, t := range e.Tickets {
			e.TicketURLs = append(e.TicketURLs, l.ticket(t))
		}
	}
	if origin != "" {
		e.BackportURL = l.commit(origin)
	}
	it := item{entry: e}
	if e.Breaking {
		it.notes = migrationNotes(m)
	}
	key := origin
	if key == "" {
		key = c.Subject + "\x00" + stripProvenance(c.Body)
	}
	if key != "" {
		it.key = key + "\x00" + strconv.Itoa(k)
	}
	return it
}

// migrationNotes returns the migration text of a breaking message: its
// BREAKING CHANGE footers, else its body, else its description. The change
// of an override block has only its own notes: the message's body is the
// raw block, not that change's text.
func migrationNotes(m commits.Message) []string {
	if m.BreakingFrom == commits.BreakingFromFooter {
		var out []string
		for _, n := range m.BreakingNotes {
			if strings.TrimSpace(n) != "" {
				out = append(out, n)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	if m.Origin != commits.OriginOverride {
		if b := strings.TrimSpace(stripProvenance(m.Body)); b != "" {
			return []string{b}
		}
	}
	return []string{m.Description}
}

// stripProvenance removes the lines git cherry-pick -x and git revert add.
func stripProvenance(body string) string {
	if !strings.Contains(body, "(cherry picked from commit ") {
		return body
	}
	var b strings.Builder
	for line := range strings.Lines(body) {
		if strings.HasPrefix(strings.TrimSpace(line), "(cherry picked from commit ") {
			continue
		}
		b.WriteString(line)
	}
	return strings.TrimSpace(b.String())
}

// trimPR removes a "(#123)" suffix naming pr from a description: the
// renderers print the PR as a link of its own.
func trimPR(desc string, pr int) string {
	if pr == 0 {
		return desc
	}
	return strings.TrimSpace(strings.TrimSuffix(desc, "(#"+strconv.Itoa(pr)+")"))
}

// isSquashMerge reports a commit with one parent whose message is a pull
// request merge with a title: Bitbucket Cloud's squash strategy writes
// "Merged in <branch> (pull request #n)" and the title after it.
func isSquashMerge(c commits.Commit) bool {
	return c.Merge != nil && c.Merge.Kind == commits.MergePullRequest && c.Merge.Title != "" && len(c.Parents) == 1
}

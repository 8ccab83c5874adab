package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/manifest"
)

// ErrNoRepository is returned (wrapped) by Lookup, LookupTicket and Compare
// when Sources has no repository.
var ErrNoRepository = errors.New("audit: no repository")

// How a release contains a change: the values of Via.How.
const (
	// HowDirect: the commit itself is on the release's history.
	HowDirect = "direct"
	// HowCherryPick: a commit on the release's history records that it was
	// cherry-picked from the commit ("(cherry picked from commit X)", as
	// `git cherry-pick -x` writes): a backport or forward-port of it.
	HowCherryPick = "cherry-pick"
	// HowOriginal: the commit records that it was cherry-picked from a
	// commit on the release's history.
	HowOriginal = "original"
	// HowRelated: another cherry-pick of the same original.
	HowRelated = "related-pick"
	// HowTicket: a commit on the release's history names the ticket.
	HowTicket = "ticket"
	// HowRecord: the release record lists the ticket, no commit names it.
	HowRecord = "record"
	// HowIncident: the commit is one of the changes of a release whose
	// record responds to the incident looked up (Extra[ExtraIncident]):
	// a hotfix, whose fix then counts wherever it was forward-ported.
	HowIncident = "incident"
)

// A LookupReport answers "which production releases contain this change"
// for a commit or a ticket.
type LookupReport struct {
	// Query is the commit (full hash) or the ticket looked up.
	Query string `json:"query"`
	// Commits are the commits that carry the change: the commit and its
	// cherry-picks and originals, or the commits naming the ticket; both
	// as found on the histories of the production releases.
	Commits []string `json:"commits"`
	// Releases are the production releases that contain it, in the order
	// they first reached production.
	Releases []Containment `json:"releases"`
	// Unchecked are the production releases whose history could not be
	// read (neither record nor tag, or a commit the repository does not
	// have), in the order they first reached production: whether they
	// contain the change is unknown.
	Unchecked []string `json:"unchecked,omitempty"`
	// Log is the promotion log's link: production releases are read from
	// it, so a failed log makes the answer unreliable.
	Log Link `json:"log"`
}

// A Containment is one production release that contains a change.
type Containment struct {
	Release string `json:"release"`
	Commit  string `json:"commit"` // the commit the release was built from
	// Via are the commits on the release's history that carry the change.
	Via        []Via           `json:"via"`
	Production ProductionState `json:"production"`
}

// A Via is one commit through which a release contains a change.
type Via struct {
	Commit string `json:"commit"`
	How    string `json:"how"` // HowDirect, HowCherryPick, ...
	// Introduced is true when the commit is in the release's own range
	// (previous release..release), false when an earlier release on its
	// history brought it.
	Introduced bool `json:"introduced"`
}

// ProductionState is a release's life in production, from the log.
type ProductionState struct {
	Env             string    `json:"env"`
	FirstPromotedAt time.Time `json:"first_promoted_at"`
	LastPromotedAt  time.Time `json:"last_promoted_at"`
	// Running is true when the environment runs the release now.
	Running bool `json:"running"`
	// ReplacedBy is what the environment ran after the release's last
	// promotion, at ReplacedAt; RolledBack is true when that was a rollback
	// away from it.
	ReplacedBy string    `json:"replaced_by,omitempty"`
	ReplacedAt time.Time `json:"replaced_at,omitzero"`
	RolledBack bool      `json:"rolled_back"`
}

// describe says in a few words how c contains the change.
func (c Containment) describe() string {
	var parts []string
	for _, v := range c.Via {
		s := v.How
		if v.Commit != "" {
			s += " " + shortHash(v.Commit)
		}
		if v.Introduced {
			s += " (introduced)"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ") + "; " + c.Production.describe()
}

func (p ProductionState) describe() string {
	switch {
	case p.Running:
		return "running in " + p.Env
	case p.RolledBack:
		return "rolled back to " + p.ReplacedBy + " at " + p.ReplacedAt.UTC().Format(time.RFC3339)
	case p.ReplacedBy != "":
		return "replaced by " + p.ReplacedBy + " at " + p.ReplacedAt.UTC().Format(time.RFC3339)
	default:
		return "in " + p.Env
	}
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// Lookup returns the production releases (those the log shows promoted to
// src's production environment) that contain the commit rev: on their
// history, or through a commit that was cherry-picked from it (a backport,
// a forward-port), or because rev was itself cherry-picked from a commit on
// their history. Cherry-picks are recognised by the "(cherry picked from
// commit X)" line only, not by patch ID; X may be abbreviated (7 hex
// digits or more), and a line naming no commit of the repository is
// ignored. The cost is one walk of the production releases' histories plus
// a reachability walk per release and candidate commit. It returns an error wrapping ErrNoStore, ErrNoRepository,
// ErrInvalidQuery for a revision that names no commit, and errors reading
// the store or the repository.
func Lookup(ctx context.Context, src Sources, rev string) (*LookupReport, error) {
	if src.Store == nil {
		return nil, ErrNoStore
	}
	lg, err := readLog(ctx, src)
	if err != nil {
		return nil, err
	}
	return findCommit(ctx, src, lg, rev)
}

// LookupTicket returns the production releases that contain a commit
// naming ticket, or whose record lists it. An incident ID
// (Extra[ExtraIncident] of a hotfix's record) finds the releases that
// contain the changes of the releases responding to it (HowIncident).
// Either way the cherry-pick graph is followed as Lookup follows it, so
// backports, forward-ports and originals count even when a pick's message
// lost the ticket. Errors are those of Lookup.
func LookupTicket(ctx context.Context, src Sources, ticket string) (*LookupReport, error) {
	if src.Store == nil {
		return nil, ErrNoStore
	}
	if src.Repo == nil {
		return nil, ErrNoRepository
	}
	if strings.TrimSpace(ticket) == "" {
		return nil, fmt.Errorf("%w: empty ticket", ErrInvalidQuery)
	}
	lg, err := readLog(ctx, src)
	if err != nil {
		return nil, err
	}
	rels, err := prodReleases(ctx, src, lg.entries)
	if err != nil {
		return nil, err
	}
	idx, err := buildIndex(ctx, src, rels)
	if err != nil {
		return nil, err
	}
	rep := &LookupReport{Query: ticket, Commits: slices.Clone(idx.tickets[ticket]), Log: lg.link}
	cands := map[string]string{}
	for _, c := range rep.Commits {
		cands[c] = HowTicket
	}
	// An incident: the changes of the releases that respond to it (§1.7.5:
	// map a production incident to its release), wherever they went.
	for _, r := range rels {
		if r.incident != ticket || r.commit.IsZero() {
			continue
		}
		rng := commits.Range{To: r.commit}
		if !r.prev.IsZero() {
			rng.From = []plumbing.Hash{r.prev}
		}
		for c, err := range commits.Log(ctx, src.Repo, rng) {
			if err != nil {
				return nil, fmt.Errorf("walk changes of %s: %w", r.tag, err)
			}
			if _, ok := cands[c.Hash]; !ok {
				cands[c.Hash] = HowIncident
				rep.Commits = append(rep.Commits, c.Hash)
			}
		}
	}
	// Their backports, forward-ports and originals.
	rep.Commits = idx.follow(rep.Commits, cands)
	for _, r := range rels {
		c, err := contain(ctx, src, r, rep.Commits, cands)
		if err != nil {
			return nil, err
		}
		if len(c.Via) == 0 && (slices.Contains(r.tickets, ticket) || r.incident == ticket) {
			c.Via = append(c.Via, Via{How: HowRecord, Introduced: true})
		}
		if len(c.Via) > 0 {
			rep.Releases = append(rep.Releases, c)
		}
	}
	rep.Unchecked = uncheckedReleases(rels)
	return rep, nil
}

// uncheckedReleases returns the tags of the releases without a readable
// history.
func uncheckedReleases(rels []prodRelease) []string {
	var out []string
	for _, r := range rels {
		if r.commit.IsZero() {
			out = append(out, r.tag)
		}
	}
	return out
}

// prodRelease is a production release.
type prodRelease struct {
	tag      string
	commit   plumbing.Hash
	prev     plumbing.Hash // the previous release's commit, zero for none
	tickets  []string
	incident string // Extra[ExtraIncident] of the record
	state    ProductionState
}

// prodReleases returns the releases promoted to production, in the order
// they first got there.
func prodReleases(ctx context.Context, src Sources, entries []manifest.Entry) ([]prodRelease, error) {
	prod := src.production()
	var rels []prodRelease
	var order []int // indexes of production promotions of records
	for i, e := range entries {
		p := e.Promotion
		if p == nil || p.Env != prod {
			continue
		}
		order = append(order, i)
		if p.Manifest != nil || slices.ContainsFunc(rels, func(r prodRelease) bool { return r.tag == p.Release }) {
			continue
		}
		rels = append(rels, prodRelease{tag: p.Release, state: ProductionState{Env: prod, FirstPromotedAt: p.PromotedAt}})
	}
	cur, hasCur := manifest.Current(entries, prod)
	for i := range rels {
		r := &rels[i]
		for k, idx := range order {
			p := entries[idx].Promotion
			if p.Manifest != nil || p.Release != r.tag {
				continue
			}
			r.state.LastPromotedAt = p.PromotedAt
			r.state.ReplacedBy, r.state.ReplacedAt, r.state.RolledBack = "", time.Time{}, false
			if k+1 < len(order) {
				n := entries[order[k+1]].Promotion
				r.state.ReplacedBy, r.state.ReplacedAt = n.Release, n.PromotedAt
				r.state.RolledBack = n.RollbackFrom == r.tag
			}
		}
		r.state.Running = hasCur && cur.Manifest == nil && cur.Release == r.tag
		rec, err := src.Store.Record(ctx, r.tag)
		switch {
		case err == nil:
			r.commit = plumbing.NewHash(rec.Commit)
			r.tickets = rec.Tickets
			r.incident = rec.Extra[ExtraIncident]
		case errors.Is(err, manifest.ErrNotFound):
			h, err := commits.Resolve(src.Repo, r.tag)
			if err != nil {
				continue // neither a record nor a tag: nothing to look in
			}
			r.commit = h
		default:
			return nil, fmt.Errorf("read record %s: %w", r.tag, err)
		}
		if _, err := src.Repo.CommitObject(r.commit); err != nil {
			r.commit = plumbing.ZeroHash // not in this repository
			continue
		}
		prev, err := previous(ctx, src, r.tag, r.commit)
		if err != nil {
			return nil, err
		}
		if prev.Commit != "" {
			r.prev = plumbing.NewHash(prev.Commit)
		}
	}
	return rels, nil
}

// commitIndex indexes the histories of the production releases.
type commitIndex struct {
	picks   map[string][]string // original -> commits cherry-picked from it
	origins map[string][]string // commit -> the commits it was picked from
	tickets map[string][]string // ticket -> commits naming it
	full    map[string]string   // hash of a cherry-pick line -> the commit's full hash, "" for none
}

// follow extends order, the commits found so far with how each carries the
// change, with the commits the cherry-pick graph links to them, transitively:
// their cherry-picks (HowCherryPick), their originals (HowOriginal), and
// other picks of those (HowRelated).
func (idx *commitIndex) follow(order []string, how map[string]string) []string {
	for i := 0; i < len(order); i++ {
		x := order[i]
		seed := how[x] == HowDirect || how[x] == HowTicket || how[x] == HowIncident
		for _, edge := range []struct {
			next []string
			how  string
		}{{idx.picks[x], HowCherryPick}, {idx.origins[x], HowOriginal}} {
			for _, n := range edge.next {
				if _, seen := how[n]; seen {
					continue
				}
				h := edge.how
				if !seed && how[x] != h {
					h = HowRelated
				}
				how[n] = h
				order = append(order, n)
			}
		}
	}
	return order
}

// resolve returns the commits that cherry-pick lines name as full hashes:
// an abbreviated hash (7 digits or more) that names a commit of the
// repository stands for that commit, and a hash that names no commit is
// dropped, so that a line naming a missing commit adds no candidate.
func (idx *commitIndex) resolve(src Sources, hashes []string) ([]string, error) {
	var out []string
	for _, h := range hashes {
		full, ok := idx.full[h]
		if !ok {
			var cand plumbing.Hash
			switch {
			case len(h) == 2*len(plumbing.ZeroHash):
				cand = plumbing.NewHash(h)
			case len(h) >= 7:
				if r, err := src.Repo.ResolveRevision(plumbing.Revision(h)); err == nil && strings.HasPrefix(r.String(), h) {
					cand = *r
				}
			}
			if !cand.IsZero() {
				_, err := src.Repo.CommitObject(cand)
				switch {
				case err == nil:
					full = cand.String()
				case !errors.Is(err, plumbing.ErrObjectNotFound):
					return nil, fmt.Errorf("read commit %s: %w", cand, err)
				}
			}
			idx.full[h] = full
		}
		if full != "" && !slices.Contains(out, full) {
			out = append(out, full)
		}
	}
	return out, nil
}

// buildIndex walks the union of the releases' histories once.
func buildIndex(ctx context.Context, src Sources, rels []prodRelease) (*commitIndex, error) {
	idx := &commitIndex{picks: map[string][]string{}, origins: map[string][]string{}, tickets: map[string][]string{}, full: map[string]string{}}
	var walked []plumbing.Hash
	for _, r := range rels {
		if r.commit.IsZero() {
			continue
		}
		for c, err := range commits.Log(ctx, src.Repo, commits.Range{To: r.commit, From: walked}) {
			if err != nil {
				return nil, fmt.Errorf("walk history of %s: %w", r.tag, err)
			}
			origins, err := idx.resolve(src, c.CherryPickedFrom)
			if err != nil {
				return nil, err
			}
			for _, o := range origins {
				idx.picks[o] = append(idx.picks[o], c.Hash)
				idx.origins[c.Hash] = append(idx.origins[c.Hash], o)
			}
			for _, tk := range c.Tickets {
				idx.tickets[tk] = append(idx.tickets[tk], c.Hash)
			}
		}
		walked = append(walked, r.commit)
	}
	return idx, nil
}

// findCommit is Lookup with the log read.
func findCommit(ctx context.Context, src Sources, lg *promotionLog, rev string) (*LookupReport, error) {
	if src.Repo == nil {
		return nil, ErrNoRepository
	}
	h, err := commits.Resolve(src.Repo, rev)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidQuery, err)
	}
	obj, err := src.Repo.CommitObject(h)
	if err != nil {
		return nil, fmt.Errorf("%w: read commit %s: %w", ErrInvalidQuery, h, err)
	}
	msg, _ := commits.Parse(obj.Message) // metadata is filled even when not conventional
	rels, err := prodReleases(ctx, src, lg.entries)
	if err != nil {
		return nil, err
	}
	idx, err := buildIndex(ctx, src, rels)
	if err != nil {
		return nil, err
	}
	if _, ok := idx.origins[h.String()]; !ok && len(msg.CherryPickedFrom) > 0 {
		if idx.origins[h.String()], err = idx.resolve(src, msg.CherryPickedFrom); err != nil {
			return nil, err
		}
	}
	// The commits carrying the change: a walk of the cherry-pick graph.
	cands := map[string]string{h.String(): HowDirect}
	order := idx.follow([]string{h.String()}, cands)
	rep := &LookupReport{Query: h.String(), Commits: order, Log: lg.link}
	for _, r := range rels {
		c, err := contain(ctx, src, r, order, cands)
		if err != nil {
			return nil, err
		}
		if len(c.Via) > 0 {
			rep.Releases = append(rep.Releases, c)
		}
	}
	rep.Unchecked = uncheckedReleases(rels)
	return rep, nil
}

// contain returns how r contains the candidate commits (in order).
func contain(ctx context.Context, src Sources, r prodRelease, order []string, how map[string]string) (Containment, error) {
	c := Containment{Release: r.tag, Production: r.state}
	if r.commit.IsZero() {
		return c, nil
	}
	c.Commit = r.commit.String()
	for _, h := range order {
		if err := ctx.Err(); err != nil {
			return c, err
		}
		in, err := reaches(src, r.commit, h)
		if err != nil {
			return c, err
		}
		if !in {
			continue
		}
		v := Via{Commit: h, How: how[h], Introduced: true}
		if !r.prev.IsZero() {
			before, err := reaches(src, r.prev, h)
			if err != nil {
				return c, err
			}
			v.Introduced = !before
		}
		c.Via = append(c.Via, v)
	}
	return c, nil
}

// reaches reports whether commit h is on the history of tip.
func reaches(src Sources, tip plumbing.Hash, h string) (bool, error) {
	hh := plumbing.NewHash(h)
	if hh == tip {
		return true, nil
	}
	c, err := src.Repo.CommitObject(hh)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read commit %s: %w", h, err)
	}
	t, err := src.Repo.CommitObject(tip)
	if err != nil {
		return false, fmt.Errorf("read commit %s: %w", tip, err)
	}
	ok, err := c.IsAncestor(t)
	if err != nil {
		return false, fmt.Errorf("walk history of %s: %w", tip, err)
	}
	return ok, nil
}

// WriteText writes the report for people: the commits, then one line per
// release, with control characters escaped as TrailReport.WriteText does.
func (r *LookupReport) WriteText(w io.Writer) error {
	var buf bytes.Buffer
	line(&buf, "%s: %d production release(s)", r.Query, len(r.Releases))
	if len(r.Commits) > 0 {
		short := make([]string, len(r.Commits))
		for i, c := range r.Commits {
			short[i] = shortHash(c)
		}
		line(&buf, "  commits: %s", strings.Join(short, ", "))
	}
	for _, c := range r.Releases {
		line(&buf, "  %s: %s", c.Release, c.describe())
	}
	if len(r.Unchecked) > 0 {
		line(&buf, "  not checked (history not in the repository): %s", strings.Join(r.Unchecked, ", "))
	}
	if r.Log.Status != Verified {
		line(&buf, "  log %s: %s", r.Log.Status, r.Log.Reason)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

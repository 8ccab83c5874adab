package releasepr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/internal/strictjson"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/versionfile"
)

// A Component is one released unit of the repository, as the release
// configuration describes it (config.Component).
type Component struct {
	Name         string         // "" for a repository released as a whole
	Path         string         // the directory whose commits count; "" or "." the whole repository
	TagPrefix    string         // tags are TagPrefix + version; "" means "v"
	VersionFiles []string       // files holding the version, slash-separated from the repository root
	Changelog    string         // the changelog file to prepend the release to ("" none)
	Channel      semver.Channel // a pre-release channel (alpha, beta, rc) for a pre-release PR; "" for a final release
}

func (c Component) prefix() string {
	if c.TagPrefix == "" {
		return "v"
	}
	return c.TagPrefix
}

// A Request is what [Plan] plans from: the repository, the base branch the
// release PR targets and the components.
type Request struct {
	Repo       *git.Repository
	Base       string      // the base branch ("main")
	Components []Component // at least one
	Now        time.Time   // the date of the changelog section
	// Changelog are the changelog options (sections, links), as
	// configured.
	Changelog []changelog.Option
}

// A Release is one component's part of a release PR.
type Release struct {
	Component string       `json:"component,omitempty"`
	Previous  string       `json:"previous,omitempty"` // the previous release tag
	Version   string       `json:"version"`            // the version, without prefix
	Tag       string       `json:"tag"`                // the tag the merge will create
	Level     semver.Level `json:"-"`
	Commits   int          `json:"commits"` // the commits released
	Notes     string       `json:"-"`       // the changelog section, Markdown
}

// An Edit is a file the release PR changes: its content at the base and
// its content in the PR.
type Edit struct {
	Path   string
	Before []byte
	After  []byte
}

// A Pending release is a release PR already merged whose tag does not
// exist yet: a run that was missed or failed. [Plan] reports it, and the
// release is made from Commit (tag, forge release, record) before any new
// release PR is planned.
type Pending struct {
	Commit    string `json:"commit"`
	Component string `json:"component,omitempty"`
	Version   string `json:"version"`
	Tag       string `json:"tag"`
}

// State is what the repository calls for.
type State string

// The states of a [ReleasePlan].
const (
	StateOpen    State = "open"    // changes to release: open or update the release PR
	StatePending State = "pending" // a merged release PR is not tagged yet: release it first
	StateNone    State = "none"    // nothing to release
)

// A ReleasePlan is everything a release PR is: its branch, title and body
// (with a machine-readable block), the files it edits and what happens
// when it is merged. It is computed from git alone; labels a forge shows
// are a mirror of State, never an input.
type ReleasePlan struct {
	State      State     `json:"state"`
	Base       string    `json:"base"`
	BaseCommit string    `json:"base_commit"`
	Branch     string    `json:"branch,omitempty"`
	Title      string    `json:"title,omitempty"`
	Body       string    `json:"-"`
	Labels     []string  `json:"labels"`
	Releases   []Release `json:"releases"`
	Edits      []Edit    `json:"-"`
	Pending    []Pending `json:"pending"`
	OnMerge    []string  `json:"on_merge"`
	// Skipped are the commits whose subject claims a release they do not
	// carry ([Skip]): never released, reported.
	Skipped []Skip `json:"skipped,omitempty"`
}

// Errors of [Plan] and [Find].
var (
	// ErrConfig: the request or a component is not usable (no base, no
	// component, a version file that does not exist at the base, or one
	// that does not hold the version of the component's latest release).
	ErrConfig = errors.New("releasepr: invalid request")
	// ErrTagElsewhere: a merged release commit names a tag that exists on
	// another commit. Tags never move; a person must look.
	ErrTagElsewhere = errors.New("releasepr: release tag exists on another commit")
)

// TitlePrefix starts the title of every release PR, and so the subject of
// the squash commit that merges it ("chore(release): v1.3.0", or
// "chore(release): api v1.3.0, web v2.0.0"). [Plan] recognises a merged
// release PR by it, with the tags it names.
const TitlePrefix = "chore(release): "

// BranchPrefix starts the branch of every release PR:
// "releasekit/release/<base>", with "/<component>" for a PR of one
// component.
const BranchPrefix = "releasekit/release/"

// Labels mirrored on the release PR: pending while open, tagged once
// released. They are a mirror of git, never read back.
const (
	LabelPending = "autorelease: pending"
	LabelTagged  = "autorelease: tagged"
)

var releaseSubjectRE = regexp.MustCompile(`^chore\(release\): (.+?)(?: \(#[0-9]+\))?$`)

// Plan plans the release PR of req: for each component, the version its
// commits since its last release call for ([commits.Next]), the changelog
// section ([changelog.Build]), the version files and changelog it edits
// (every other byte kept: [versionfile.Update]); the branch, title and
// body; and what the merge does. When a merged release PR on the base has
// no tag yet, nothing new is planned: State is StatePending and Pending
// lists the releases to make first, so a missed run heals on the next
// one, and never releases twice. A commit whose subject claims a release
// its tree does not carry is never pending: Skipped reports it ([Skip]).
// A component needs a version file or a changelog to carry its version:
// one with neither is refused (ErrConfig). Each version file must hold
// the version of the component's latest release, pre-releases included
// (the release the plan follows; any version before the first release):
// the value the PR replaces is then known to be the version, not, say, a
// marked line's "1.2.0-linux-amd64" that is a version followed by a file
// name. A file holding another value is refused (ErrConfig, naming the
// file, what it holds and the release expected).
func Plan(ctx context.Context, req Request) (ReleasePlan, error) {
	if req.Repo == nil || strings.TrimSpace(req.Base) == "" || len(req.Components) == 0 {
		return ReleasePlan{}, fmt.Errorf("%w: a repository, a base branch and at least one component are needed", ErrConfig)
	}
	names := map[string]bool{}
	for _, c := range req.Components {
		if names[c.Name] {
			return ReleasePlan{}, fmt.Errorf("%w: component %q given twice", ErrConfig, c.Name)
		}
		names[c.Name] = true
		if len(req.Components) > 1 && c.Name == "" {
			return ReleasePlan{}, fmt.Errorf("%w: with several components each needs a name", ErrConfig)
		}
		if len(c.VersionFiles) == 0 && c.Changelog == "" {
			return ReleasePlan{}, fmt.Errorf("%w: component %q has no version file and no changelog: its merged release PR could not be recognised", ErrConfig, c.Name)
		}
	}
	head, err := req.Repo.ResolveRevision(plumbing.Revision("refs/heads/" + req.Base))
	if err != nil {
		return ReleasePlan{}, fmt.Errorf("%w: base branch %q: %v", ErrConfig, req.Base, err)
	}
	p := ReleasePlan{Base: req.Base, BaseCommit: head.String(), Labels: []string{}, Releases: []Release{}, Pending: []Pending{}, OnMerge: []string{}}
	found, err := scan(ctx, req.Repo, req.Base, req.Components)
	if err != nil {
		return ReleasePlan{}, err
	}
	p.Skipped = found.skipped
	if pending := found.pending; len(pending) > 0 {
		p.State, p.Pending = StatePending, pending
		for _, pd := range pending {
			p.OnMerge = append(p.OnMerge, fmt.Sprintf("release %s from the merged release commit %s", pd.Tag, pd.Commit[:12]))
		}
		return p, nil
	}
	base, err := req.Repo.CommitObject(*head)
	if err != nil {
		return ReleasePlan{}, err
	}
	edits := map[string]*Edit{}
	var order []string
	for _, c := range req.Components {
		rel, latest, ok, err := planComponent(ctx, req, c, *head)
		if err != nil {
			return ReleasePlan{}, err
		}
		if !ok {
			continue
		}
		for _, f := range c.VersionFiles {
			if err := edit(base, edits, &order, f, func(clean string, b []byte) ([]byte, error) {
				k, _ := versionfile.KindOf(clean)
				v, err := holdsLatest(k, clean, b, c, latest)
				if err != nil {
					return nil, err
				}
				// The file's own spelling is kept: "v1.2.0" becomes "v1.3.0".
				return versionfile.Update(k, b, v+rel.Version)
			}); err != nil {
				return ReleasePlan{}, err
			}
		}
		if c.Changelog != "" {
			if err := edit(base, edits, &order, c.Changelog, func(_ string, b []byte) ([]byte, error) { return prepend(b, rel.Notes), nil }); err != nil {
				return ReleasePlan{}, err
			}
		}
		p.Releases = append(p.Releases, rel)
	}
	for _, path := range order {
		p.Edits = append(p.Edits, *edits[path])
	}
	if len(p.Releases) == 0 {
		p.State = StateNone
		return p, nil
	}
	p.State = StateOpen
	p.Labels = []string{LabelPending}
	p.Branch = BranchPrefix + req.Base
	if len(req.Components) == 1 && req.Components[0].Name != "" {
		p.Branch += "/" + req.Components[0].Name
	}
	tags := make([]string, len(p.Releases))
	for i, r := range p.Releases {
		tags[i] = r.Tag
		p.OnMerge = append(p.OnMerge, fmt.Sprintf("tag %s (annotated, signed) at the merge commit on %s, publish its release with these notes, and record it", r.Tag, req.Base))
	}
	p.Title = TitlePrefix + strings.Join(tags, ", ")
	p.Body, err = body(p)
	if err != nil {
		return ReleasePlan{}, err
	}
	return p, nil
}

// holdsLatest says whether version file clean (data, of kind k) holds the
// version of the component's latest release, pre-releases included:
// the version the release PR replaces, written bare ("1.2.0") or with a
// "v" ("v1.2.0", as Go programs often write it) — v is "v" then, and the
// new version is written the same way. A file that holds another value
// is an ErrConfig: the value found is not the release's version (a
// marked line's "1.2.0-linux-amd64" is a version followed by a file
// name), or the file was not kept with the releases; editing it would
// change bytes that are not the version. latest is nil when the
// component has no release yet: any version is then the first one's
// predecessor, and its spelling is kept as well.
func holdsLatest(k versionfile.Kind, clean string, data []byte, c Component, latest *semver.Release) (v string, err error) {
	spans, err := versionfile.Find(k, data)
	if err != nil {
		return "", err
	}
	// Every span holds the same value (versionfile refuses a file whose
	// versions differ), so the first tells the spelling.
	if len(spans) > 0 && strings.HasPrefix(spans[0].Value, "v") {
		v = "v"
	}
	if latest == nil {
		return v, nil
	}
	want := latest.Version.String()
	for _, s := range spans {
		if s.Value != v+want {
			of := "the component"
			if c.Name != "" {
				of = fmt.Sprintf("component %q", c.Name)
			}
			return "", fmt.Errorf("%w: %s holds %s, the latest release of %s is %s (tag %s): the version file must hold the version of the latest release before a release PR changes it (line %d)",
				ErrConfig, clean, s.Value, of, want, latest.Tag, s.Line)
		}
	}
	return v, nil
}

// planComponent plans c's release; latest is its latest release,
// pre-releases included (nil when there is none).
func planComponent(ctx context.Context, req Request, c Component, head plumbing.Hash) (Release, *semver.Release, bool, error) {
	scheme := semver.Scheme{Prefix: c.prefix()}
	var opts []commits.PlanOption
	var logOpts []commits.LogOption
	if p := strings.Trim(c.Path, "/"); p != "" && p != "." {
		logOpts = append(logOpts, commits.WithPaths(p))
		opts = append(opts, commits.WithLogOptions(logOpts...))
	}
	if c.Channel != "" {
		opts = append(opts, commits.WithChannel(c.Channel))
	}
	plan, err := commits.Next(ctx, req.Repo, head, scheme, opts...)
	if err != nil {
		return Release{}, nil, false, fmt.Errorf("releasepr: component %q: %w", c.Name, err)
	}
	if !plan.Releasable {
		return Release{}, nil, false, nil
	}
	rel := Release{Component: c.Name, Version: plan.Next.String(), Tag: plan.Tag, Level: plan.Level, Commits: len(plan.Commits)}
	var latest *semver.Release
	if plan.Previous.HasLatest {
		rel.Previous = plan.Previous.Latest.Tag
		latest = &plan.Previous.Latest
	}
	cs := plan.Commits
	// A pre-release documents what changed since the release before it,
	// pre-release included (beta.2 lists what came after beta.1); a final
	// release everything since the last final one ([Notes] agrees).
	if base, ok := notesBase(plan.Previous, plan.Next); ok {
		// Previous is the release the notes start after: the body's
		// "N commit(s) since", the plan block and the compare link agree
		// with the notes (a final release after betas follows the last
		// final release, not the last beta).
		rel.Previous = base.Tag
		if base.Tag != plan.Base {
			if cs, err = changelog.Commits(ctx, req.Repo, commits.Range{From: []plumbing.Hash{plumbing.NewHash(base.Commit)}, To: head}, logOpts...); err != nil {
				return Release{}, nil, false, fmt.Errorf("releasepr: component %q: %w", c.Name, err)
			}
			rel.Commits = len(cs)
		}
	}
	notes := changelog.Build(changelog.Release{Version: plan.Tag, Previous: rel.Previous, Date: req.Now, Commits: cs}, req.Changelog...)
	var b bytes.Buffer
	if err := changelog.Write(&b, notes, changelog.Markdown); err != nil {
		return Release{}, nil, false, err
	}
	rel.Notes = b.String()
	return rel, latest, true, nil
}

// edit applies f to the file at path as the base has it (or as an earlier
// component's edit left it); f gets the cleaned path. An ErrConfig from f
// names the file and is returned as it is.
func edit(base *object.Commit, edits map[string]*Edit, order *[]string, p string, f func(clean string, b []byte) ([]byte, error)) error {
	clean := path.Clean(strings.TrimPrefix(p, "./"))
	if clean == "." || strings.HasPrefix(clean, "../") || path.IsAbs(clean) {
		return fmt.Errorf("%w: file %q is not inside the repository", ErrConfig, p)
	}
	e, ok := edits[clean]
	if !ok {
		file, err := base.File(clean)
		var before []byte
		switch {
		case errors.Is(err, object.ErrFileNotFound):
			return fmt.Errorf("%w: version file %q does not exist at %s", ErrConfig, clean, base.Hash.String()[:12])
		case err != nil:
			return err
		case file.Mode != filemode.Regular && file.Mode != filemode.Executable && file.Mode != filemode.Deprecated:
			// A symbolic link's content is its target's path: editing it
			// would replace the link with a file.
			return fmt.Errorf("%w: %q is not a regular file at %s (a symbolic link?): name the file itself", ErrConfig, clean, base.Hash.String()[:12])
		}
		s, err := file.Contents()
		if err != nil {
			return err
		}
		before = []byte(s)
		e = &Edit{Path: clean, Before: before, After: before}
		edits[clean] = e
		*order = append(*order, clean)
	}
	after, err := f(clean, e.After)
	if errors.Is(err, ErrConfig) {
		return err // it names the file
	}
	if err != nil {
		return fmt.Errorf("releasepr: %s: %w", clean, err)
	}
	e.After = after
	return nil
}

// prepend puts section before the first release heading ("## ") of a
// changelog, after its title, or at the top.
func prepend(doc []byte, section string) []byte {
	sec := []byte(strings.TrimRight(section, "\n") + "\n\n")
	i := 0
	for i < len(doc) {
		line := doc[i:]
		if j := bytes.IndexByte(line, '\n'); j >= 0 {
			line = line[:j+1]
		}
		if bytes.HasPrefix(line, []byte("## ")) {
			break
		}
		i += len(line)
	}
	if i == len(doc) && !bytes.HasPrefix(doc, []byte("# ")) {
		i = 0
	}
	out := make([]byte, 0, len(doc)+len(sec)+1)
	out = append(out, doc[:i]...)
	if i > 0 && !bytes.HasSuffix(out, []byte("\n\n")) {
		out = append(out, '\n')
	}
	out = append(out, sec...)
	return append(out, doc[i:]...)
}

// planBlock is the machine-readable block of a release PR body.
type planBlock struct {
	Base     string    `json:"base"`
	Commit   string    `json:"base_commit"`
	Releases []Release `json:"releases"`
}

const (
	blockOpen  = "<!-- releasekit:plan\n"
	blockClose = "\n-->\n"
)

func body(p ReleasePlan) (string, error) {
	var b strings.Builder
	b.WriteString(":robot: This release PR was planned by releasekit from the history of `" + p.Base + "`. Merge it (squash, keeping the title) to release:\n\n")
	for _, r := range p.Releases {
		prev := r.Previous
		if prev == "" {
			prev = "no earlier release"
		}
		fmt.Fprintf(&b, "- **%s** (%s, %d commit(s) since %s)\n", r.Tag, levelName(r.Level), r.Commits, prev)
	}
	b.WriteString("\nOn merge:\n\n")
	for _, m := range p.OnMerge {
		b.WriteString("- " + m + "\n")
	}
	for _, r := range p.Releases {
		b.WriteString("\n---\n\n")
		b.WriteString(strings.TrimRight(r.Notes, "\n") + "\n")
	}
	blk, err := json.MarshalIndent(planBlock{Base: p.Base, Commit: p.BaseCommit, Releases: p.Releases}, "", "  ")
	if err != nil {
		return "", err
	}
	b.WriteString("\n" + blockOpen + string(blk) + blockClose)
	return b.String(), nil
}

func levelName(l semver.Level) string {
	s := l.String()
	if s == "" {
		return "release"
	}
	return s
}

// ErrNoPlan: a pull request body holds no releasekit:plan block (it is
// not a release PR's body, or the block was deleted). Returned by
// [ParseBody].
var ErrNoPlan = errors.New("releasepr: no releasekit:plan block in the body")

// A BodyError reports a releasekit:plan block that is not a plan
// ([ParseBody]). Reason is a short lower-case phrase: "block not closed",
// "a key given twice", "data after the plan", "nested too deeply", "not a
// plan" (malformed JSON, an unknown key, a value of the wrong type); Err
// is the decoder's error, when there is one.
type BodyError struct {
	Reason string
	Err    error
}

// Error returns "releasepr: releasekit:plan block: REASON[: ERR]".
func (e *BodyError) Error() string {
	if e.Err == nil {
		return "releasepr: releasekit:plan block: " + e.Reason
	}
	return "releasepr: releasekit:plan block: " + e.Reason + ": " + e.Err.Error()
}

// Unwrap returns the decoder's error.
func (e *BodyError) Unwrap() error { return e.Err }

// ParseBody reads the machine-readable block of a release PR body: the
// releases it plans and the base commit it was planned at. The block is
// the last "<!-- releasekit:plan" line of the body up to a line "-->"; it
// holds exactly one JSON object, read strictly. Line endings are
// normalised first, so a body a web editor saved with CRLF reads as the
// body that was written.
//
// A body without the block is ErrNoPlan. A block that is not a plan is a
// *[BodyError]: one not closed, one with a key given twice (in any case:
// encoding/json would keep the last, so {"base": "main", "base": "evil"}
// means "evil" to one reader and "main" to another), one with data after
// the object, one with a key or value a plan does not have.
func ParseBody(body string) (base, commit string, releases []Release, err error) {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	i := strings.LastIndex(body, blockOpen)
	if i < 0 {
		return "", "", nil, ErrNoPlan
	}
	rest := body[i+len(blockOpen):]
	// The block ends at a line "-->": before a line break, or at the end
	// of a body whose final line break an editor dropped.
	end := strings.TrimSuffix(blockClose, "\n")
	j := strings.Index(rest, end)
	if j < 0 || (len(rest) > j+len(end) && rest[j+len(end)] != '\n') {
		return "", "", nil, &BodyError{Reason: "block not closed"}
	}
	var blk planBlock
	if err := strictjson.Unmarshal([]byte(rest[:j]), &blk, strictjson.Options{}); err != nil {
		reason := "not a plan"
		switch {
		case errors.Is(err, strictjson.ErrDuplicateKey):
			reason = "a key given twice"
		case errors.Is(err, strictjson.ErrTrailingData):
			reason = "data after the plan"
		case errors.Is(err, strictjson.ErrTooDeep):
			reason = "nested too deeply"
		}
		return "", "", nil, &BodyError{Reason: reason, Err: err}
	}
	return blk.Base, blk.Commit, blk.Releases, nil
}

// Find returns the merged release PRs on base (first-parent history,
// newest first) whose tags do not exist yet: each commit whose subject is
// a release PR's title ([TitlePrefix], with the " (#N)" a squash merge
// adds) names the tags it releases; a tag of one of components that does
// not exist is pending when the commit carries the release (see [Skipped]).
// A tag that exists on another commit than a commit carrying it is an
// error wrapping ErrTagElsewhere. The search for a component stops at the
// first release commit on which one of its tags exists: everything older
// was released. It stops when every component is found, or at the root.
func Find(ctx context.Context, repo *git.Repository, base string, components []Component) ([]Pending, error) {
	s, err := scan(ctx, repo, base, components)
	return s.pending, err
}

// Released returns the tags of the newest merged release PR on base whose
// tags all exist (each on that commit), as Pending values: what a run
// that died after tagging but before publishing the forge release (or
// pushing the tag) must finish. It is empty when no release PR was
// merged. Errors as [Find].
func Released(ctx context.Context, repo *git.Repository, base string, components []Component) ([]Pending, error) {
	s, err := scan(ctx, repo, base, components)
	return s.released, err
}

// A Skip is a commit on the base whose subject names a release its tree
// does not carry. A subject is only a claim (any pull request can be
// titled "chore(release): v9.9.9"): a merged release PR is recognised by
// what it changed. An untagged tag of a component is released from a
// commit only when, at that commit,
//
//   - every version file of the component ([Component.VersionFiles])
//     holds exactly the version ([versionfile.Version]), bare or with a
//     "v" ("v1.3.0", as Go programs often write it);
//   - the component's changelog, when it has one, has a section headed
//     with the tag that its first parent's changelog does not have (this
//     is what carries the version of a component without version files);
//   - the version is greater (SemVer precedence) than the component's
//     latest release reachable from the commit's first parent.
//
// A component with neither version files nor a changelog cannot carry a
// release, so its release commits are never recognised ([Plan] refuses
// it).
type Skip struct {
	Commit string `json:"commit"`
	Tag    string `json:"tag"`
	Reason string `json:"reason"` // a short lower-case phrase
}

// Skipped returns the commits [Find] passed over, newest first: commits
// whose subject names a release of components that they do not carry
// ([Skip]). They are never released; a caller reports them. Errors as
// [Find].
func Skipped(ctx context.Context, repo *git.Repository, base string, components []Component) ([]Skip, error) {
	s, err := scan(ctx, repo, base, components)
	return s.skipped, err
}

// A Scan is what one walk of the base branch's history finds: what [Find],
// [Released] and [Skipped] each return. A caller that needs more than one
// of them calls [ScanHistory] once.
type Scan struct {
	// Pending are the merged release PRs whose tags do not exist yet,
	// oldest first ([Find]).
	Pending []Pending
	// Released are the tags of the newest merged release PR whose tags
	// all exist ([Released]).
	Released []Pending
	// Skipped are the commits that claim a release they do not carry,
	// newest first ([Skipped]).
	Skipped []Skip
}

// ScanHistory walks base's first-parent history once and returns what
// [Find], [Released] and [Skipped] return. Errors as [Find].
func ScanHistory(ctx context.Context, repo *git.Repository, base string, components []Component) (Scan, error) {
	s, err := scan(ctx, repo, base, components)
	if err != nil {
		return Scan{}, err
	}
	return Scan{Pending: s.pending, Released: s.released, Skipped: s.skipped}, nil
}

type scanned struct {
	pending, released []Pending
	skipped           []Skip
}

// scan walks base's first-parent history for release commits: those whose
// tags (of components) do not exist and which carry them, newest first;
// for each component until the first release commit one of its tags
// exists on; the tags of the newest release commit whose tags all exist;
// and the commits that claim a release they do not carry. A release
// commit naming no tag of components is passed over.
func scan(ctx context.Context, repo *git.Repository, base string, components []Component) (scanned, error) {
	var s scanned
	head, err := repo.ResolveRevision(plumbing.Revision("refs/heads/" + base))
	if err != nil {
		return s, fmt.Errorf("%w: base branch %q: %v", ErrConfig, base, err)
	}
	c, err := repo.CommitObject(*head)
	if err != nil {
		return s, err
	}
	open := map[string]bool{}
	for _, comp := range components {
		open[comp.Name] = true
	}
	for c != nil && len(open) > 0 {
		if err := ctx.Err(); err != nil {
			return scanned{}, err
		}
		subject, _, _ := strings.Cut(c.Message, "\n")
		if m := releaseSubjectRE.FindStringSubmatch(strings.TrimSpace(subject)); m != nil {
			var here, tagged []Pending
			for _, tag := range strings.Split(m[1], ", ") {
				i, version, ok := componentOf(components, tag)
				if !ok || !open[components[i].Name] {
					continue
				}
				comp := components[i]
				p := Pending{Commit: c.Hash.String(), Component: comp.Name, Version: version, Tag: tag}
				skip := func(reason string) {
					s.skipped = append(s.skipped, Skip{Commit: p.Commit, Tag: tag, Reason: reason})
				}
				ref, err := repo.Tag(tag)
				switch {
				case errors.Is(err, git.ErrTagNotFound):
					reason, err := carries(c, comp, version, tag)
					if err == nil && reason == "" {
						reason, err = follows(ctx, repo, c, comp, version)
					}
					if err != nil {
						return scanned{}, err
					}
					if reason != "" {
						skip(reason)
						continue
					}
					here = append(here, p)
				case err != nil:
					return scanned{}, err
				default:
					target, err := peel(repo, ref.Hash())
					if err != nil {
						return scanned{}, err
					}
					if target != c.Hash {
						// A subject alone does not block the releases:
						// only a commit that carries the release does.
						reason, err := carries(c, comp, version, tag)
						if err != nil {
							return scanned{}, err
						}
						if reason != "" {
							skip(reason)
							continue
						}
						return scanned{}, fmt.Errorf("%w: %s is on %s, the release commit is %s", ErrTagElsewhere, tag, target.String()[:12], c.Hash.String()[:12])
					}
					tagged = append(tagged, p)
				}
			}
			s.pending = append(s.pending, here...)
			for _, p := range tagged {
				delete(open, p.Component)
			}
			if s.released == nil && len(here) == 0 && len(tagged) > 0 {
				s.released = tagged
			}
		}
		if c.NumParents() == 0 {
			break
		}
		if c, err = c.Parent(0); err != nil {
			return scanned{}, err
		}
	}
	slices.Reverse(s.pending) // oldest first: the order to release them in
	return s, nil
}

// carries says why release commit c does not carry version (tag) of comp
// in its files, "" when it does ([Skip]).
func carries(c *object.Commit, comp Component, version, tag string) (string, error) {
	if len(comp.VersionFiles) == 0 && comp.Changelog == "" {
		return "the component has no version file and no changelog to carry the version", nil
	}
	for _, f := range comp.VersionFiles {
		clean := path.Clean(strings.TrimPrefix(f, "./"))
		data, ok, err := fileAt(c, clean)
		if err != nil {
			return "", err
		}
		if !ok {
			return fmt.Sprintf("version file %s does not exist", clean), nil
		}
		k, _ := versionfile.KindOf(clean)
		got, err := versionfile.Version(k, data)
		if err != nil {
			return fmt.Sprintf("version file %s has no version", clean), nil
		}
		if got != version && got != "v"+version {
			return fmt.Sprintf("version file %s holds %s", clean, got), nil
		}
	}
	if comp.Changelog == "" {
		return "", nil
	}
	clean := path.Clean(strings.TrimPrefix(comp.Changelog, "./"))
	head := tagHeading(tag)
	data, ok, err := fileAt(c, clean)
	if err != nil {
		return "", err
	}
	if !ok || !hasHeading(data, head) {
		return fmt.Sprintf("changelog %s has no section %s", clean, tag), nil
	}
	if c.NumParents() > 0 {
		parent, err := c.Parent(0)
		if err != nil {
			return "", err
		}
		data, ok, err := fileAt(parent, clean)
		if err != nil {
			return "", err
		}
		if ok && hasHeading(data, head) {
			return fmt.Sprintf("changelog %s had the section %s before", clean, tag), nil
		}
	}
	return "", nil
}

// follows says why version does not follow comp's latest release
// reachable from c's first parent, "" when it does.
func follows(ctx context.Context, repo *git.Repository, c *object.Commit, comp Component, version string) (string, error) {
	v, err := semver.Parse(version)
	if err != nil {
		return "not a version", nil
	}
	if c.NumParents() == 0 {
		return "", nil
	}
	prev, err := commits.Previous(ctx, repo, c.ParentHashes[0], semver.Scheme{Prefix: comp.prefix()})
	if err != nil {
		return "", err
	}
	if prev.HasLatest && semver.Compare(v, prev.Latest.Version) <= 0 {
		return fmt.Sprintf("not after the latest release %s", prev.Latest.Tag), nil
	}
	return "", nil
}

// fileAt returns the content of the regular file p at c, and false when
// there is none.
func fileAt(c *object.Commit, p string) ([]byte, bool, error) {
	f, err := c.File(p)
	if errors.Is(err, object.ErrFileNotFound) || errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrEntryNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if !f.Mode.IsFile() || f.Mode == filemode.Symlink {
		return nil, false, nil
	}
	s, err := f.Contents()
	if err != nil {
		return nil, false, err
	}
	return []byte(s), true, nil
}

// tagHeading is the start of the changelog heading of tag, as
// [changelog.Write] renders it in Markdown (escaped, without link and
// date).
func tagHeading(tag string) string {
	var b bytes.Buffer
	_ = changelog.Write(&b, changelog.Build(changelog.Release{Version: tag}), changelog.Markdown)
	line, _, _ := strings.Cut(b.String(), "\n")
	return strings.TrimSpace(strings.TrimPrefix(line, "## "))
}

// hasHeading reports whether the changelog doc has a level-2 heading of
// the release whose escaped name is head: "## head", "## head (date)" or
// "## [head](link)...".
func hasHeading(doc []byte, head string) bool {
	for line := range strings.Lines(string(doc)) {
		rest, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "## ")
		if !ok {
			continue
		}
		if after, ok := strings.CutPrefix(rest, "["+head+"]"); ok && (after == "" || after[0] == '(' || after[0] == ' ') {
			return true
		}
		if after, ok := strings.CutPrefix(rest, head); ok && (after == "" || after[0] == ' ') {
			return true
		}
	}
	return false
}

// componentOf finds the component whose prefix tag has (its index in
// components) and the version it names.
func componentOf(components []Component, tag string) (index int, version string, ok bool) {
	best := -1
	for i, c := range components {
		if rest, found := strings.CutPrefix(tag, c.prefix()); found {
			if _, err := semver.Parse(rest); err != nil {
				continue
			}
			if best < 0 || len(c.prefix()) > len(components[best].prefix()) {
				best, version = i, rest
			}
		}
	}
	if best < 0 {
		return 0, "", false
	}
	return best, version, true
}

func peel(repo *git.Repository, h plumbing.Hash) (plumbing.Hash, error) {
	if t, err := repo.TagObject(h); err == nil {
		c, err := t.Commit()
		if err != nil {
			return plumbing.ZeroHash, err
		}
		return c.Hash, nil
	}
	return h, nil
}

// Notes returns the changelog section of a release made from a merged
// release PR: the commits from the component's previous release to the
// release commit, under the tag's name, dated date. The previous release
// of a final release is the highest final release reachable from the
// release commit's first parent; that of a pre-release the highest
// release, pre-releases included (v1.3.0-beta.2 documents what came after
// v1.3.0-beta.1; v1.3.0 everything since v1.2.0), as [Plan] writes them.
// The notes are the same before and after the release is tagged: a
// release finished by a later run (its tag made, its forge release not)
// gets the notes the first run would have given it. A previous release
// that is not before p's version (SemVer precedence) is an error: the
// history does not follow its releases.
func Notes(ctx context.Context, repo *git.Repository, p Pending, c Component, date time.Time, opts ...changelog.Option) (string, error) {
	h := plumbing.NewHash(p.Commit)
	scheme := semver.Scheme{Prefix: c.prefix()}
	rc, err := repo.CommitObject(h)
	if err != nil {
		return "", fmt.Errorf("releasepr: notes of %s: release commit %s: %w", p.Tag, p.Commit, err)
	}
	var prev semver.Previous
	if rc.NumParents() > 0 {
		if prev, err = commits.Previous(ctx, repo, rc.ParentHashes[0], scheme); err != nil {
			return "", err
		}
	}
	v, err := semver.Parse(p.Version)
	if err != nil {
		return "", fmt.Errorf("releasepr: notes of %s: %w", p.Tag, err)
	}
	if prev.HasStable && semver.Compare(prev.Stable.Version, v) >= 0 {
		return "", fmt.Errorf("releasepr: notes of %s: the previous release %s is not before it", p.Tag, prev.Stable.Tag)
	}
	r := commits.Range{To: h}
	previous := ""
	if base, ok := notesBase(prev, v); ok {
		r.From = []plumbing.Hash{plumbing.NewHash(base.Commit)}
		previous = base.Tag
	}
	var logOpts []commits.LogOption
	if p := strings.Trim(c.Path, "/"); p != "" && p != "." {
		logOpts = append(logOpts, commits.WithPaths(p))
	}
	cs, err := changelog.Commits(ctx, repo, r, logOpts...)
	if err != nil {
		return "", err
	}
	notes := changelog.Build(changelog.Release{Version: p.Tag, Previous: previous, Date: date, Commits: cs}, opts...)
	var b bytes.Buffer
	if err := changelog.Write(&b, notes, changelog.Markdown); err != nil {
		return "", err
	}
	return b.String(), nil
}

var prNumberRE = regexp.MustCompile(` \(#([0-9]+)\)$`)

// PRNumber returns the pull request number a squash merge commit's
// subject ends with (" (#14)"), and false when it has none.
func PRNumber(message string) (int, bool) {
	subject, _, _ := strings.Cut(message, "\n")
	m := prNumberRE.FindStringSubmatch(strings.TrimSpace(subject))
	if m == nil {
		return 0, false
	}
	n := 0
	for _, d := range m[1] {
		n = n*10 + int(d-'0')
		if n > 1<<30 {
			return 0, false
		}
	}
	return n, n > 0
}

// notesBase is the release the notes of version v start after: for a
// pre-release the highest release before it, pre-releases included; for
// a final release the highest final release. ok is false when there is
// none (the notes start at the root).
func notesBase(prev semver.Previous, v semver.Version) (semver.Release, bool) {
	if v.Prerelease() != "" && prev.HasLatest && semver.Compare(prev.Latest.Version, v) < 0 {
		return prev.Latest, true
	}
	return prev.Stable, prev.HasStable
}

// Command predict measures how often releasekit agrees with a repository's
// maintainers: for each of the repository's last N stable releases it
// predicts the version from the state just before the release, as
// `relctl next` would have computed it, and compares the prediction with the
// tag the maintainers made.
//
// Usage:
//
//	go run ./internal/cmd/predict -repo DIR [-prefix v] [-last 60] [-override] [-additional] [-path DIR] [-json]
//
// DIR is a repository on disk: a work tree or a bare git directory (a mirror
// is enough). The releases are the stable tags of the scheme (-prefix,
// default "v"; pre-releases are never predicted), the N highest by version,
// reported in version order.
//
// The state just before release T is the repository with T's commit and
// only the tags of the scheme with a lower version than T: T itself, other
// tags of its precedence (v1.2.3+build) and later releases are not there
// yet, while T's own pre-releases (v1.2.3-rc.1) are, so a graduation is
// predicted as `next` computes it. The prediction is commits.Next on T's
// commit in that state, with the default rules (breaking → major, feat →
// minor, fix and perf → patch; a breaking change at 0.x → minor; a revert of
// a released change → patch). To give Next that state through the public
// API, predict opens a view of the repository in a temporary directory: the
// same objects (symbolic links to the repository's packs, copies of its
// loose objects) and a packed-refs file with the visible tags only. The repository is never
// written to.
//
// Each release is reported as a match (the predicted version has T's
// precedence), higher (releasekit would have released more than the
// maintainers did: a feat shipped as a patch, say), lower (less: a patch
// where the maintainers chose a minor, or a missed breaking change), nothing
// (no commit calls for a release, as for a patch that holds only chores) or
// error. The report gives the previous release the commits are counted from,
// the level, the commits that drove it (for a mismatch, every commit that
// calls for a release) and the number of commits that are not Conventional
// Commits, so that each disagreement can be classified as the maintainers'
// choice or a releasekit defect by reading the messages.
//
// -override and -additional parse with commits.WithOverride and
// commits.WithAdditionalHeaders (release-please's conventions, off by
// default as in relctl). -path DIR counts only the commits that touch DIR,
// as `relctl next --path` does: for a monorepo whose vX.Y.Z tags release
// one of its packages (vitejs/vite: -path packages/vite), so that the
// features of the other packages are not counted. -json writes one JSON
// object with the releases and the summary.
//
// Reproducing the figures of issue 18 (the repositories are public; any
// clone or mirror will do):
//
//	git clone https://github.com/vitejs/vite /tmp/vite
//	go run ./internal/cmd/predict -repo /tmp/vite -last 60
//	go run ./internal/cmd/predict -repo /tmp/vite -last 60 -path packages/vite
//
// and scripts/bench-next for the whole-command timings of relctl next.
//
// Exit codes: 0 the report was written (whatever the agreement); 1 the
// repository could not be read; 2 bad usage.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/semver"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// The kinds of result of one release.
const (
	KindMatch   = "match"   // the predicted version is the tagged one
	KindHigher  = "higher"  // releasekit predicts a higher version
	KindLower   = "lower"   // releasekit predicts a lower version
	KindNothing = "nothing" // releasekit finds nothing releasable
	KindError   = "error"   // the prediction failed
)

// Options say what to predict.
type Options struct {
	Scheme semver.Scheme
	Last   int                   // how many of the latest stable releases; <= 0 for all
	Parse  []commits.ParseOption // options for reading the messages
	Plan   []commits.PlanOption  // further options for commits.Next
}

// Release is the result for one release tag.
type Release struct {
	Tag       string `json:"tag"`
	Commit    string `json:"commit"`
	Previous  string `json:"previous,omitempty"`  // the tag the commits are counted from
	Predicted string `json:"predicted,omitempty"` // the tag releasekit predicts; "" when nothing is releasable
	Match     bool   `json:"match"`
	Kind      string `json:"kind"`
	Level     string `json:"level"`
	// Commits is the number of commits since Previous, NonConventional
	// how many of them are not Conventional Commits (merges, reverts and
	// fixups, which git writes, are not counted).
	Commits         int `json:"commits"`
	NonConventional int `json:"non_conventional"`
	// Drivers are the commits that drove the level: for a match those at
	// the predicted level, otherwise every commit that calls for a release.
	Drivers []Driver `json:"drivers"`
	// Others are, for a disagreement, the commits that call for no
	// release (chores, docs, non-conventional messages): what a patch
	// with nothing releasable shipped.
	Others []Driver `json:"others,omitempty"`
	Error  string   `json:"error,omitempty"`
}

// Driver is a commit that calls for a release.
type Driver struct {
	Hash    string `json:"hash"`
	Level   string `json:"level"`
	Subject string `json:"subject"`
}

// Summary counts the results by kind.
type Summary struct {
	Compared int `json:"compared"`
	Matches  int `json:"matches"`
	Higher   int `json:"higher"`
	Lower    int `json:"lower"`
	Nothing  int `json:"nothing"`
	Errors   int `json:"errors"`
}

// Report is the whole result.
type Report struct {
	Prefix   string    `json:"prefix"`
	Releases []Release `json:"releases"`
	Summary  Summary   `json:"summary"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("predict", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("repo", ".", "repository: a work tree or a git directory")
	prefix := fs.String("prefix", "v", "tag prefix of the release scheme")
	last := fs.Int("last", 60, "number of latest stable releases to predict (0: all)")
	override := fs.Bool("override", false, "read BEGIN_COMMIT_OVERRIDE blocks")
	additional := fs.Bool("additional", false, "read release-please's additional Conventional Commit headers")
	asJSON := fs.Bool("json", false, "write JSON")
	var paths []string
	fs.Func("path", "only count commits touching `DIR` (repeatable): one package of a monorepo whose tags are the whole repository's", func(p string) error {
		paths = append(paths, p)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "predict: unexpected arguments %q\n", fs.Args())
		return 2
	}
	opts := Options{Scheme: semver.Scheme{Prefix: *prefix}, Last: *last}
	if *override {
		opts.Parse = append(opts.Parse, commits.WithOverride())
	}
	if *additional {
		opts.Parse = append(opts.Parse, commits.WithAdditionalHeaders())
	}
	if len(paths) > 0 {
		opts.Plan = append(opts.Plan, commits.WithLogOptions(commits.WithPaths(paths...)))
	}
	rep, err := Predict(ctx, *dir, opts)
	if err != nil {
		fmt.Fprintf(stderr, "predict: %v\n", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = writeText(stdout, rep)
	}
	if err != nil {
		fmt.Fprintf(stderr, "predict: %v\n", err)
		return 1
	}
	return 0
}

// Predict predicts the latest stable releases of the repository at dir and
// compares each prediction with the tag.
func Predict(ctx context.Context, dir string, opts Options) (Report, error) {
	rep := Report{Prefix: opts.Scheme.Prefix, Releases: []Release{}}
	repo, err := git.PlainOpen(dir)
	if err != nil {
		return rep, fmt.Errorf("open %s: %w", dir, err)
	}
	st, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return rep, fmt.Errorf("open %s: not a repository on disk", dir)
	}
	gitDir, err := filepath.Abs(st.Filesystem().Root())
	if err != nil {
		return rep, err
	}
	tags, err := commits.Tags(ctx, repo, opts.Scheme) // highest version first
	if err != nil {
		return rep, err
	}
	var stable []commits.TaggedVersion
	for _, t := range tags {
		if !t.Version.IsPrerelease() {
			stable = append(stable, t)
		}
	}
	if opts.Last > 0 && len(stable) > opts.Last {
		stable = stable[:opts.Last]
	}
	slices.Reverse(stable)

	v, err := newView(gitDir)
	if err != nil {
		return rep, err
	}
	defer v.close()
	for _, t := range stable {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		r := predictOne(ctx, v, tags, t, opts)
		rep.Releases = append(rep.Releases, r)
		rep.Summary.add(r)
	}
	return rep, nil
}

func (s *Summary) add(r Release) {
	s.Compared++
	switch r.Kind {
	case KindMatch:
		s.Matches++
	case KindHigher:
		s.Higher++
	case KindLower:
		s.Lower++
	case KindNothing:
		s.Nothing++
	default:
		s.Errors++
	}
}

// predictOne predicts release t from the state just before it.
func predictOne(ctx context.Context, v *view, tags []commits.TaggedVersion, t commits.TaggedVersion, opts Options) Release {
	r := Release{Tag: t.Name, Commit: t.Commit.String(), Drivers: []Driver{}}
	fail := func(err error) Release {
		r.Kind, r.Error = KindError, err.Error()
		return r
	}
	var before []commits.TaggedVersion
	for _, o := range tags {
		if o.Version.Compare(t.Version) < 0 {
			before = append(before, o)
		}
	}
	repo, err := v.open(before)
	if err != nil {
		return fail(err)
	}
	plan, err := commits.Next(ctx, repo, t.Commit, opts.Scheme, append([]commits.PlanOption{commits.WithLogOptions(commits.WithParseOptions(opts.Parse...))}, opts.Plan...)...)
	if err != nil {
		return fail(err)
	}
	r.Previous = plan.Base
	r.Level = plan.Level.String()
	r.Commits = len(plan.Commits)
	switch {
	case !plan.Releasable:
		r.Kind = KindNothing
	default:
		r.Predicted = plan.Tag
		switch c := semver.Compare(plan.Next, t.Version); {
		case c == 0:
			r.Kind, r.Match = KindMatch, true
		case c > 0:
			r.Kind = KindHigher
		default:
			r.Kind = KindLower
		}
	}
	levels := commitLevels(plan.Commits, semver.DefaultRules())
	for i, c := range plan.Commits {
		if c.Err != nil {
			r.NonConventional++
		}
		l := levels[i]
		if l == semver.None && !r.Match {
			r.Others = append(r.Others, Driver{Hash: c.Hash, Level: l.String(), Subject: c.Subject})
		}
		if l == semver.None || (r.Match && l != plan.Level) {
			continue
		}
		r.Drivers = append(r.Drivers, Driver{Hash: c.Hash, Level: l.String(), Subject: c.Subject})
	}
	return r
}

// commitLevels returns the level each commit of cs (newest first) calls
// for, for the report: commits.Next's rules as its documentation states
// them. A pull-request merge counts by its title, a revert of a change
// outside cs (a released change) is at least a patch, a revert and its
// target both in cs cancel out, fixups and other merges are nothing.
func commitLevels(cs []commits.Commit, rules semver.Rules) []semver.Level {
	out := make([]semver.Level, len(cs))
	cancelled := make([]bool, len(cs))
	for i, c := range cs {
		if cancelled[i] || c.Revert == nil || len(c.Revert.Hash) < 7 {
			continue
		}
		target := strings.ToLower(c.Revert.Hash)
		for j, o := range cs {
			if j != i && !cancelled[j] && strings.HasPrefix(strings.ToLower(o.Hash), target) {
				cancelled[i], cancelled[j] = true, true
				break
			}
		}
	}
	for i, c := range cs {
		switch {
		case cancelled[i]:
		case c.Merge != nil:
			if c.Merge.Title != "" {
				if m, err := commits.Parse(c.Merge.Title); err == nil && m.Conventional {
					out[i] = rules.Max(m.Changes())
				}
			}
		case c.Revert != nil && (c.Revert.Hash != "" || c.Revert.Header != ""):
			out[i] = max(semver.Patch, rules.Max(c.Changes()))
		case c.Ignored:
		default:
			out[i] = rules.Max(c.Changes())
		}
	}
	return out
}

// view is a git directory in a temporary directory that shares a
// repository's objects and shows only the tags it is given.
//
// commits reads packfiles straight from the disk, so the view's
// objects/pack holds symbolic links to the repository's packs and their
// indexes. go-git, which reads the other objects, does not follow a link out
// of the git directory: the loose objects, usually few, are copied.
type view struct {
	dir string
}

// linkObjects fills the objects directory dst of a view from src: links
// to the packs, copies of the loose objects.
func linkObjects(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == "pack":
			packs, err := os.ReadDir(filepath.Join(src, name))
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Join(dst, name), 0o755); err != nil {
				return err
			}
			for _, p := range packs {
				if p.Type().IsRegular() {
					if err := os.Symlink(filepath.Join(src, name, p.Name()), filepath.Join(dst, name, p.Name())); err != nil {
						return err
					}
				}
			}
		case e.IsDir() && len(name) == 2:
			loose, err := os.ReadDir(filepath.Join(src, name))
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Join(dst, name), 0o755); err != nil {
				return err
			}
			for _, o := range loose {
				if !o.Type().IsRegular() {
					continue
				}
				data, err := os.ReadFile(filepath.Join(src, name, o.Name()))
				if err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(dst, name, o.Name()), data, 0o444); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func newView(gitDir string) (*view, error) {
	dir, err := os.MkdirTemp("", "predict-view-")
	if err != nil {
		return nil, err
	}
	v := &view{dir: dir}
	setup := func() error {
		if err := linkObjects(filepath.Join(gitDir, "objects"), filepath.Join(dir, "objects")); err != nil {
			return err
		}
		for _, d := range []string{"refs/heads", "refs/tags"} {
			if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil {
				return err
			}
		}
		// A shallow repository stays shallow in the view, so that a cut
		// history is reported as incomplete, never as no changes.
		if data, err := os.ReadFile(filepath.Join(gitDir, "shallow")); err == nil {
			if err := os.WriteFile(filepath.Join(dir, "shallow"), data, 0o644); err != nil {
				return err
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "HEAD"), []byte("ref: refs/heads/main\n"), 0o644); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, "config"), []byte("[core]\n\tbare = true\n"), 0o644)
	}
	if err := setup(); err != nil {
		v.close()
		return nil, fmt.Errorf("repository view: %w", err)
	}
	return v, nil
}

// open writes the view's packed-refs with exactly tags and opens it.
func (v *view) open(tags []commits.TaggedVersion) (*git.Repository, error) {
	var b strings.Builder
	b.WriteString("# pack-refs with: peeled fully-peeled \n")
	for _, t := range tags {
		fmt.Fprintf(&b, "%s refs/tags/%s\n", t.Object, t.Name)
		if t.Annotated {
			fmt.Fprintf(&b, "^%s\n", t.Commit)
		}
	}
	if err := os.WriteFile(filepath.Join(v.dir, "packed-refs"), []byte(b.String()), 0o644); err != nil {
		return nil, fmt.Errorf("repository view: %w", err)
	}
	repo, err := git.PlainOpen(v.dir)
	if err != nil {
		return nil, fmt.Errorf("repository view: %w", err)
	}
	return repo, nil
}

func (v *view) close() { os.RemoveAll(v.dir) }

// writeText writes the report as a table, then the commits behind each
// disagreement, then the summary.
func writeText(w io.Writer, rep Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TAG\tPREVIOUS\tPREDICTED\tRESULT\tLEVEL\tCOMMITS\tNON-CC\tDRIVEN BY")
	for _, r := range rep.Releases {
		predicted, previous := orDash(r.Predicted), orDash(r.Previous)
		driven := ""
		if r.Match && len(r.Drivers) > 0 {
			driven = oneLine(r.Drivers[0].Subject, 60)
			if len(r.Drivers) > 1 {
				driven += fmt.Sprintf(" (+%d)", len(r.Drivers)-1)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", r.Tag, previous, predicted, r.Kind, r.Level, r.Commits, r.NonConventional, driven)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rep.Releases {
		if r.Match {
			continue
		}
		fmt.Fprintf(w, "\n%s: %s (predicted %s, %d commits, %d not conventional)\n", r.Tag, r.Kind, orDash(r.Predicted), r.Commits, r.NonConventional)
		if r.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", oneLine(r.Error, 200))
		}
		for _, d := range append(r.Drivers, r.Others...) {
			fmt.Fprintf(w, "  %.10s %-5s %s\n", d.Hash, d.Level, oneLine(d.Subject, 100))
		}
	}
	s := rep.Summary
	_, err := fmt.Fprintf(w, "\n%d compared: %d match, %d mismatch (predicted higher %d, lower %d, nothing releasable %d, error %d)\n",
		s.Compared, s.Matches, s.Compared-s.Matches, s.Higher, s.Lower, s.Nothing, s.Errors)
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine shortens s to at most n runes on one line.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

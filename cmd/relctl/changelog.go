package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/semver"
)

const changelogUsage = `Usage: relctl changelog [flags]

Prints the release notes of one release (since..rev), or with --all the
changelog of the whole history, one section per release tag, newest first.
With --write FILE the sections are added to FILE (a CHANGELOG.md) in place:
on top, replacing an Unreleased section, every other byte kept, written
atomically. FILE is relative to --repo (default: the current directory).
A version FILE already documents with the same content is a successful
no-op (a re-run CI job does not fail); different content for a documented
version is refused (exit 1). Outside a git repository it exits 2 (give
--repo DIR, or --demo for a demo repository, without --write).

Without --date the date is the commit date of --rev, so the output is
reproducible. Without --version the version is the release tag at --rev,
or Unreleased when --rev is not tagged.

Flags:`

// cmdChangelog is `relctl changelog`.
func cmdChangelog(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("changelog", stderr)
	repoDir := fs.String("repo", "", "repository `DIR` (default: the repository around the working directory; none is an error, exit 2)")
	since := fs.String("since", "", "previous release `REV` (default: the previous release tag reachable from --rev)")
	rev := fs.String("rev", "HEAD", "last `REV`ision of the release")
	version := fs.String("version", "", "version `TAG` of the release (default: the tag at --rev, else Unreleased)")
	date := fs.String("date", "", "release date `YYYY-MM-DD` (default: the commit date of --rev)")
	format := fs.String("format", "markdown", "output `FORMAT`: markdown, keepachangelog or json")
	all := fs.Bool("all", false, "the whole history: one section per release tag, newest first")
	unreleased := fs.Bool("unreleased", false, "the commits after the last release tag, as an Unreleased section")
	write := fs.String("write", "", "update `FILE` (a CHANGELOG.md) in place instead of printing")
	component := fs.String("component", "", "monorepo component `NAME`: tags NAME/vX.Y.Z, or as the configuration's component of that name says")
	cfgFlag := addConfigFlag(fs)
	path := fs.String("path", "", "only commits touching `DIR` (defaults to the component name with --component)")
	cf := addChangeFlags(fs)
	useDemo := fs.Bool("demo", false, "run on a demo repository created for the occasion (not with --repo or --write)")
	tmplFile := fs.String("template", "", "render with the text/template in `FILE` (data: changelog.Notes)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, changelogUsage)
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nExamples:\n  relctl changelog --since v1.2.0 --version v1.3.0\n  relctl changelog --all --unreleased --write CHANGELOG.md\n  relctl changelog --component api --path api --format json")
		fmt.Fprintln(stderr, ciHelp+"version, and the Markdown notes as the multi-line output notes\n(GitHub only) (RELCTL_VERSION=v1.3.0); none with --all.")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	f, err := changelog.ParseFormat(*format)
	if err != nil {
		return usageError{err}
	}
	var when time.Time
	if *date != "" {
		if when, err = time.Parse("2006-01-02", *date); err != nil {
			return usagef("--date %q is not YYYY-MM-DD", *date)
		}
	}
	if *all && (*since != "" || *version != "" || *date != "") {
		return usagef("--all cannot be combined with --since, --version or --date")
	}
	if *unreleased && *version != "" {
		return usagef("--unreleased cannot be combined with --version")
	}
	if *write != "" && (f == changelog.JSON || *tmplFile != "") {
		return usagef("--write needs --format markdown or keepachangelog, without --template")
	}
	var tmpl *template.Template
	if *tmplFile != "" {
		text, err := readInput("--template", *tmplFile, maxInputFile)
		if err != nil {
			return err
		}
		if tmpl, err = changelog.ParseTemplate(filepath.Base(*tmplFile), string(text)); err != nil {
			return usageError{err}
		}
	}
	prefix, configured := "v", false
	if !*useDemo {
		var err error
		if configured, err = componentDefaults(fs, *cfgFlag, *repoDir, component, &prefix, path, nil, nil); err != nil {
			return err
		}
	}
	scheme := semver.Scheme{Prefix: prefix}
	if *component != "" && !configured {
		scheme = semver.ComponentScheme(*component, "/")
		if *path == "" {
			*path = *component
		}
	}

	if *useDemo && *write != "" {
		return usagef("--demo cannot be combined with --write")
	}
	repo, to, demo, err := openRepoAt(*repoDir, *rev, *useDemo, stderr)
	if err != nil {
		return err
	}
	defer demo.remove()
	var buildOpts []changelog.Option
	if links, ok := originLinks(repo); ok {
		buildOpts = append(buildOpts, changelog.WithLinks(links))
	}
	out := output{w: stdout, format: f, tmpl: tmpl}
	if *write != "" {
		out.collect = true
	}

	if *all {
		hopts := []changelog.HistoryOption{changelog.WithParseOptions(cf.parseOptions()...)}
		if *unreleased {
			hopts = append(hopts, changelog.WithUnreleased())
		}
		if *path != "" {
			hopts = append(hopts, changelog.WithPaths(*path))
		}
		bw := bufio.NewWriterSize(stdout, 64<<10)
		out.w = bw
		out.all = true
		prog := newProgress(stderr, "relctl changelog")
		defer prog.done()
		for rel, err := range changelog.History(ctx, repo, to, scheme, hopts...) {
			if err != nil {
				_ = bw.Flush()
				return err
			}
			prog.add(len(rel.Commits))
			if err := out.add(changelog.Build(rel, buildOpts...)); err != nil {
				return err
			}
		}
		prog.done() // before any message on stderr
		if err := out.end(); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
	} else {
		rel, err := oneRelease(ctx, repo, to, scheme, *since, *version, *unreleased, *path, cf.parseOptions())
		if err != nil {
			return err
		}
		rel.Date = when
		if when.IsZero() {
			c, err := tipCommit(ctx, repo, to)
			if err != nil {
				return err
			}
			rel.Date = c.Committer.When.UTC()
		}
		notes := changelog.Build(rel, buildOpts...)
		if err := reportNotes(ciFrom(ctx), notes); err != nil {
			return err
		}
		if err := out.add(notes); err != nil {
			return err
		}
	}
	out.reportSkipped(stderr)
	if *write == "" {
		return nil
	}
	root := *repoDir
	if root == "" {
		root = "."
	}
	opts := []changelog.UpdateOption{changelog.WithFormat(f)}
	if *all {
		opts = append(opts, changelog.WithSkipDocumented())
	}
	if err := changelog.UpdateFile(root, *write, out.notes, opts...); err != nil {
		if errors.Is(err, changelog.ErrUnsafePath) {
			return usageError{err}
		}
		if errors.Is(err, changelog.ErrAlreadyDocumented) {
			same, serr := documentedAlike(filepath.Join(root, *write), out.notes, f)
			if serr != nil {
				return serr
			}
			if same {
				fmt.Fprintf(stderr, "relctl: %s already documents %s with the same content: unchanged\n", *write, versionsOf(out.notes))
				return nil
			}
		}
		return err
	}
	fmt.Fprintf(stderr, "relctl: updated %s\n", *write)
	return nil
}

// documentedAlike reports whether the CHANGELOG at path already holds
// exactly the sections of notes: replacing them changes no byte. Then
// --write is a successful no-op (a re-run CI job must not fail); a
// different section for a documented version stays ErrAlreadyDocumented.
func documentedAlike(path string, notes []changelog.Notes, f changelog.Format) (bool, error) {
	data, err := readInput("--write", path, maxDocumentFile)
	if err != nil {
		return false, err
	}
	out := data
	for _, n := range notes {
		if out, err = changelog.Insert(out, n, changelog.WithFormat(f), changelog.WithReplace()); err != nil {
			return false, err
		}
	}
	return bytes.Equal(out, data), nil
}

// versionsOf lists the versions of notes, for a message.
func versionsOf(notes []changelog.Notes) string {
	vs := make([]string, len(notes))
	for i, n := range notes {
		vs[i] = n.Version
	}
	return strings.Join(vs, ", ")
}

// oneRelease reads the commits of one release: since..to.
func oneRelease(ctx context.Context, repo *git.Repository, to plumbing.Hash, scheme semver.Scheme, since, version string, unreleased bool, path string, popts []commits.ParseOption) (changelog.Release, error) {
	rel := changelog.Release{Version: version}
	if version == "" && !unreleased {
		tags, err := commits.Tags(ctx, repo, scheme)
		if err != nil {
			return rel, err
		}
		for _, t := range tags { // highest first
			if t.Commit == to {
				rel.Version = t.Name
				break
			}
		}
	}
	r := commits.Range{To: to}
	if since != "" {
		from, err := commits.Resolve(repo, since)
		if err != nil {
			return rel, usageError{err}
		}
		r.From = []plumbing.Hash{from}
		rel.Previous = since
	} else {
		prev, err := previousRelease(ctx, repo, to, scheme, rel.Version == "" || unreleased)
		if err != nil {
			return rel, err
		}
		if prev.Tag != "" {
			r.From = []plumbing.Hash{plumbing.NewHash(prev.Commit)}
			rel.Previous = prev.Tag
		}
	}
	opts := []commits.LogOption{commits.WithParseOptions(popts...)}
	if path != "" {
		opts = append(opts, commits.WithPaths(path))
	}
	var err error
	rel.Commits, err = changelog.Commits(ctx, repo, r, opts...)
	return rel, err
}

// previousRelease returns the latest release before commit to: the latest
// tag reachable from to when to is unreleased, else the latest reachable
// from its parents.
func previousRelease(ctx context.Context, repo *git.Repository, to plumbing.Hash, scheme semver.Scheme, unreleased bool) (semver.Release, error) {
	starts := []plumbing.Hash{to}
	if !unreleased {
		c, err := tipCommit(ctx, repo, to)
		if err != nil {
			return semver.Release{}, err
		}
		starts = starts[:0]
		for _, p := range c.Parents {
			starts = append(starts, plumbing.NewHash(p))
		}
	}
	var best semver.Release
	for _, h := range starts {
		p, err := commits.Previous(ctx, repo, h, scheme)
		if err != nil {
			return semver.Release{}, err
		}
		if p.HasLatest && (best.Tag == "" || semver.Compare(p.Latest.Version, best.Version) > 0) {
			best = p.Latest
		}
	}
	return best, nil
}

// originLinks returns the link templates of the origin remote, if its host
// is a known forge.
func originLinks(repo *git.Repository) (changelog.Links, bool) {
	remote, err := repo.Remote("origin")
	if err != nil || len(remote.Config().URLs) == 0 {
		return changelog.Links{}, false
	}
	links, err := changelog.RemoteLinks(remote.Config().URLs[0], "")
	return links, err == nil
}

// output prints notes as they come, or collects them for --write.
type output struct {
	w       io.Writer
	format  changelog.Format
	tmpl    *template.Template
	all     bool
	collect bool
	notes   []changelog.Notes
	n       int

	skipped      int      // commits left out: not Conventional Commits
	firstSkipped []string // the first few of them, abbreviated
}

// reportSkipped tells on stderr which commits the changelog leaves out
// because they are not Conventional Commits (policy §1.20.3.3).
func (o *output) reportSkipped(stderr io.Writer) {
	if o.skipped == 0 {
		return
	}
	fmt.Fprintf(stderr, "relctl: %d commit(s) are not Conventional Commits and are not in the changelog (%s", o.skipped, strings.Join(o.firstSkipped, ", "))
	if o.skipped > len(o.firstSkipped) {
		fmt.Fprint(stderr, ", ...")
	}
	fmt.Fprintln(stderr, "); see relctl parse")
}

func (o *output) add(n changelog.Notes) error {
	o.skipped += len(n.Skipped)
	for _, h := range n.Skipped {
		if len(o.firstSkipped) < 5 {
			o.firstSkipped = append(o.firstSkipped, h[:min(7, len(h))])
		}
	}
	if o.collect {
		o.notes = append(o.notes, n)
		return nil
	}
	defer func() { o.n++ }()
	if o.tmpl != nil {
		return changelog.WriteTemplate(o.w, n, o.tmpl)
	}
	if o.all {
		sep := "\n"
		switch {
		case o.format == changelog.JSON && o.n == 0:
			sep = "[\n"
		case o.format == changelog.JSON:
			sep = ",\n"
		case o.n == 0:
			sep = "# Changelog\n\n"
		}
		if _, err := io.WriteString(o.w, sep); err != nil {
			return err
		}
		if o.format == changelog.JSON {
			b, err := n.MarshalJSON()
			if err != nil {
				return err
			}
			_, err = o.w.Write(b)
			return err
		}
	}
	return changelog.Write(o.w, n, o.format)
}

func (o *output) end() error {
	if !o.all || o.collect || o.tmpl != nil {
		return nil
	}
	var tail string
	switch {
	case o.format == changelog.JSON && o.n == 0:
		tail = "[]\n"
	case o.format == changelog.JSON:
		tail = "\n]\n"
	case o.n == 0:
		tail = "# Changelog\n"
	}
	_, err := io.WriteString(o.w, tail)
	return err
}

// tipCommit reads commit to through commits' reader, which reads one
// object from the pack index on disk, where go-git's CommitObject first
// maps every pack index of the repository (a second on a large history).
func tipCommit(ctx context.Context, repo *git.Repository, to plumbing.Hash) (commits.Commit, error) {
	for c, err := range commits.Log(ctx, repo, commits.Range{To: to}) {
		if err != nil {
			return commits.Commit{}, fmt.Errorf("read commit %s: %w", to, err)
		}
		if c.Hash == to.String() {
			return c, nil
		}
		break
	}
	return commits.Commit{}, fmt.Errorf("read commit %s: not found", to)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/go-git/go-git/v5"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/semver"
)

// nextResult is the JSON contract of `relctl next --json`.
type nextResult struct {
	Previous   string   `json:"previous"`          // latest release tag reachable, "" when none
	Next       string   `json:"next"`              // tag to create; equals previous when nothing is releasable
	Bump       string   `json:"bump"`              // major|minor|patch|none
	Commits    int      `json:"commits"`           // commits considered (base..rev)
	Version    string   `json:"version"`           // next without the tag prefix
	Base       string   `json:"base"`              // final release the commits are counted from
	Releasable bool     `json:"releasable"`        // false when nothing calls for a release
	Channel    string   `json:"channel,omitempty"` // pre-release channel asked for
	Commit     string   `json:"commit"`            // the commit the release is for
	Demo       bool     `json:"demo,omitempty"`    // true when run on the built-in demo repository
	Skipped    []string `json:"nonconventional,omitempty"`
}

func cmdNext(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("next", stderr)
	repoDir := fs.String("repo", "", "repository `DIR` (default: the repository here, else a demo repository)")
	rev := fs.String("rev", "HEAD", "`REV`ision to release")
	prefix := fs.String("prefix", "v", "tag `PREFIX` before the version")
	component := fs.String("component", "", "monorepo component `NAME`: tags NAME/vX.Y.Z (see --sep)")
	sep := fs.String("sep", "/", "separator between component and version in tags (/ or -)")
	path := fs.String("path", "", "only count commits touching `DIR` (defaults to the component name with --component)")
	channel := fs.String("channel", "", "pre-release channel: alpha, beta or rc")
	branch := fs.String("branch", "", "release or hotfix `BRANCH` (release/X.Y, hotfix/X.Y.Z-ID): only patch releases allowed")
	initial := fs.String("initial", "0.1.0", "`VERSION` of the first release when no tag exists")
	majorAtZero := fs.Bool("major-at-zero", false, "breaking changes bump major even at 0.x")
	asJSON := fs.Bool("json", false, "print a JSON object")
	useDemo := fs.Bool("demo", false, "run on a demo repository created for the occasion")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl next [flags]\n\nPrints the next release tag computed from the Conventional Commits since the\nprevious release tag reachable from --rev.\n\nFlags:")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nExamples:\n  relctl next --json\n  relctl next --channel rc\n  relctl next --component api --json")
		fmt.Fprintln(stderr, ciHelp+"previous, next, version, bump, commits, releasable (RELCTL_NEXT=v1.3.0 ...).")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	scheme := semver.Scheme{Prefix: *prefix}
	if *component != "" {
		scheme = semver.Scheme{Prefix: *component + *sep + *prefix}
		if *path == "" {
			*path = *component
		}
	}
	var opts []commits.PlanOption
	if *channel != "" {
		ch, err := semver.ParseChannel(*channel)
		if err != nil {
			return usageError{err}
		}
		opts = append(opts, commits.WithChannel(ch))
	}
	if *branch != "" {
		l, ok := semver.LineFromBranch(*branch)
		if !ok {
			return usagef("--branch %q is not release/X.Y or hotfix/X.Y.Z-ID", *branch)
		}
		opts = append(opts, commits.WithLine(l))
	}
	iv, err := semver.Parse(*initial)
	if err != nil {
		return usageError{fmt.Errorf("--initial: %w", err)}
	}
	vopts := []semver.Option{semver.WithInitial(iv)}
	if *majorAtZero {
		vopts = append(vopts, semver.WithMajorAtZero())
	}
	opts = append(opts, commits.WithVersionOptions(vopts...))
	if *path != "" {
		opts = append(opts, commits.WithLogOptions(commits.WithPaths(*path)))
	}

	open := openRepo
	if *useDemo {
		open = func(string, io.Writer) (*git.Repository, demoDir, error) { return openDemo(stderr) }
	}
	repo, demo, err := open(*repoDir, stderr)
	if err != nil {
		return err
	}
	defer demo.remove()
	head, err := commits.Resolve(repo, *rev)
	if err != nil {
		return usageError{err}
	}
	plan, err := commits.Next(ctx, repo, head, scheme, opts...)
	if err != nil {
		if errors.Is(err, semver.ErrInvalidVersion) || errors.Is(err, semver.ErrChannelRegression) || errors.Is(err, semver.ErrNotIncreasing) {
			return usageError{err}
		}
		return err
	}
	res := nextResult{
		Previous:   plan.Previous.Latest.Tag,
		Next:       plan.Tag,
		Bump:       plan.Level.String(),
		Commits:    len(plan.Commits),
		Version:    plan.Next.String(),
		Base:       plan.Base,
		Releasable: plan.Releasable,
		Channel:    *channel,
		Commit:     head.String(),
		Demo:       demo != "",
	}
	if !plan.Releasable {
		res.Bump = semver.None.String()
		if !plan.Previous.HasLatest {
			res.Version = ""
		}
	}
	for _, c := range plan.Commits {
		if !c.Conventional && !c.Ignored && c.Revert == nil && c.Merge == nil {
			res.Skipped = append(res.Skipped, c.Hash)
		}
	}
	reportNext(ciFrom(ctx), res)
	if *asJSON {
		return writeJSON(stdout, res)
	}
	fmt.Fprintln(stdout, res.Next)
	return nil
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/internal/textsafe"
	"github.com/releasekit/releasekit/semver"
)

// nextResult is the JSON contract of `relctl next --json`.
type nextResult struct {
	Previous   string   `json:"previous"`          // latest release tag reachable, "" when none
	Next       string   `json:"next"`              // tag to create; equals previous when nothing is releasable
	Bump       string   `json:"bump"`              // major|minor|patch|none: the increment applied, base -> version
	Level      string   `json:"level"`             // major|minor|patch|none: the highest change level of the commits
	Commits    int      `json:"commits"`           // commits considered (base..rev)
	Version    string   `json:"version"`           // next without the tag prefix
	Base       string   `json:"base"`              // final release the commits are counted from
	Releasable bool     `json:"releasable"`        // false when nothing calls for a release
	Channel    string   `json:"channel,omitempty"` // pre-release channel asked for
	Commit     string   `json:"commit"`            // the commit the release is for
	Demo       bool     `json:"demo,omitempty"`    // true when run on the built-in demo repository
	Branch     string   `json:"branch,omitempty"`  // release or hotfix branch whose patch-line rule applied
	Skipped    []string `json:"nonconventional,omitempty"`
	// Scheme is "calver" for a component with scheme calver (absent for
	// SemVer). Its bump is then "month" (the first release of a month),
	// "micro" (another release of the month), "hotfix" (on a hotfix
	// branch: YYYY.0M.MICRO.HOTFIX) or "none", and base is the previous
	// release.
	Scheme string `json:"scheme,omitempty"`
}

func cmdNext(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("next", stderr)
	repoDir := fs.String("repo", "", "repository `DIR` (default: the repository around the working directory; none is an error, exit 2)")
	rev := fs.String("rev", "HEAD", "`REV`ision to release")
	prefix := fs.String("prefix", "v", "tag `PREFIX` before the version")
	component := fs.String("component", "", "monorepo component `NAME`: tags NAME/vX.Y.Z (see --sep)")
	sep := fs.String("sep", "/", "separator between component and version in tags (/ or -)")
	path := fs.String("path", "", "only count commits touching `DIR` (defaults to the component name with --component)")
	channel := fs.String("channel", "", "pre-release channel: alpha, beta or rc")
	branch := fs.String("branch", "", "release or hotfix `BRANCH` (release/X.Y, hotfix/X.Y.Z-ID): only patch releases allowed (default: the branch checked out, see below; \"\" for no branch rule)")
	initial := fs.String("initial", "0.1.0", "`VERSION` of the first release when no tag exists")
	majorAtZero := fs.Bool("major-at-zero", false, "breaking changes bump major even at 0.x")
	asJSON := fs.Bool("json", false, "print a JSON object")
	useDemo := fs.Bool("demo", false, "run on a demo repository created for the occasion (not with --repo)")
	strict := fs.Bool("strict", false, "fail (exit 1) when a commit of the range is not a Conventional Commit")
	cfgFlag := addConfigFlag(fs)
	cf := addChangeFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl next [flags]\n\nPrints the next release tag computed from the Conventional Commits since the\nprevious release tag reachable from --rev. Outside a git repository it exits 2\n(give --repo DIR, or --demo for a demo repository).\n\nCommits of the range that are not Conventional Commits count for no release:\neach is listed on stderr (short hash and subject), with or without --json, and\n--strict makes them an error (exit 1). In the JSON, bump is the increment\napplied to the version (v0.3.0 -> v0.4.0 is minor, even for a breaking change\nunder the 0.x rule) and level the highest change level found (major there).\n\nFlags:")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nOn a release or hotfix branch (release/X.Y, hotfix/X.Y.Z-ID) only patch releases\nof line X.Y are allowed (policy §1.10.3.3, §1.10.3.4); a feature or breaking\nchange there is refused (exit 1). Without --branch the branch is the one checked\nout (HEAD) when --rev is HEAD, or --rev itself when it names a local branch.\nA detached HEAD, or any other branch, applies no branch rule: CI checkouts are\noften detached, so there give --branch (--branch \"$GITHUB_REF_NAME\",\n--branch \"$CI_COMMIT_REF_NAME\"). --branch BRANCH wins over the branch checked\nout; --branch \"\" applies none. The JSON says which branch's rule applied.")
		fmt.Fprintln(stderr, "\nExamples:\n  relctl next --json\n  relctl next --channel rc\n  relctl next --component api --json\n  relctl next --branch release/1.4")
		fmt.Fprintln(stderr, ciHelp+"previous, next, version, bump, level, commits, releasable (RELCTL_NEXT=v1.3.0 ...).")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	configured := false
	if !*useDemo {
		var err error
		if configured, err = componentDefaults(fs, *cfgFlag, *repoDir, component, prefix, path, initial, majorAtZero); err != nil {
			return err
		}
	}
	scheme := semver.Scheme{Prefix: *prefix}
	if *component != "" && !configured {
		scheme = semver.Scheme{Prefix: *component + *sep + *prefix}
		if *path == "" {
			*path = *component
		}
	}
	if !*useDemo {
		calver, err := componentCalVer(*cfgFlag, *repoDir, *component)
		if err != nil {
			return err
		}
		if calver {
			if *channel != "" {
				return usagef("--channel: component %s uses CalVer, which has no pre-release channels", *component)
			}
			res, skipped, err := nextCalVer(ctx, *repoDir, *rev, *branch, scheme, *path, cf.parseOptions(), stderr)
			if err != nil {
				return err
			}
			listNonConventional(stderr, skipped)
			if *strict && len(skipped) > 0 {
				return &nonConventionalError{Commits: res.Skipped}
			}
			reportNext(ciFrom(ctx), res)
			if *asJSON {
				return writeJSON(stdout, res)
			}
			fmt.Fprintln(stdout, res.Next)
			return nil
		}
	}
	var opts []commits.PlanOption
	if po := cf.parseOptions(); len(po) > 0 {
		opts = append(opts, commits.WithLogOptions(commits.WithParseOptions(po...)))
	}
	if *channel != "" {
		ch, err := semver.ParseChannel(*channel)
		if err != nil {
			return usageError{err}
		}
		opts = append(opts, commits.WithChannel(ch))
	}
	branchSet := false
	fs.Visit(func(f *flag.Flag) { branchSet = branchSet || f.Name == "branch" })
	if *branch != "" {
		if _, ok := semver.LineFromBranch(*branch); !ok {
			return usagef("--branch %q is not release/X.Y or hotfix/X.Y.Z-ID", *branch)
		}
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

	repo, head, demo, err := openRepoAt(*repoDir, *rev, *useDemo, stderr)
	if err != nil {
		return err
	}
	defer demo.remove()
	lineBranch := *branch
	if !branchSet {
		lineBranch = checkedOutBranch(repo, *rev)
	}
	if l, ok := semver.LineFromBranch(lineBranch); ok {
		opts = append(opts, commits.WithLine(l))
	} else {
		lineBranch = ""
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
		Bump:       appliedBump(plan).String(),
		Level:      plan.Level.String(),
		Commits:    len(plan.Commits),
		Version:    plan.Next.String(),
		Base:       plan.Base,
		Releasable: plan.Releasable,
		Channel:    *channel,
		Commit:     head.String(),
		Demo:       demo != "",
		Branch:     lineBranch,
	}
	if !plan.Releasable {
		res.Bump = semver.None.String()
		if !plan.Previous.HasLatest {
			res.Version = ""
		}
	}
	var skipped []commits.Commit
	for _, c := range plan.Commits {
		if !c.Conventional && !c.Ignored && c.Revert == nil && c.Merge == nil {
			res.Skipped = append(res.Skipped, c.Hash)
			skipped = append(skipped, c)
		}
	}
	listNonConventional(stderr, skipped)
	if *strict && len(skipped) > 0 {
		return &nonConventionalError{Commits: res.Skipped}
	}
	reportNext(ciFrom(ctx), res)
	if *asJSON {
		return writeJSON(stdout, res)
	}
	fmt.Fprintln(stdout, res.Next)
	return nil
}

// appliedBump is the increment from the base release (the latest final
// release, 0.0.0 when there is none) to the version planned, read off the
// two versions: a breaking change at 0.x bumps the minor (plan.Level says
// major), a line or Release-As decides what it decides. None when nothing
// is releasable or the core version does not move.
func appliedBump(plan commits.Plan) semver.Level {
	if !plan.Releasable {
		return semver.None
	}
	var base, next semver.Version
	if plan.Previous.HasStable {
		base = plan.Previous.Stable.Version.Core()
	}
	next = plan.Next.Core()
	switch {
	case next.Major() != base.Major():
		return semver.Major
	case next.Minor() != base.Minor():
		return semver.Minor
	case next.Patch() != base.Patch():
		return semver.Patch
	}
	return semver.None
}

// listNonConventional writes each commit that is not a Conventional Commit,
// short hash and subject (terminal-safe), to stderr: a fix written as
// "Fix the crash" would otherwise be silently left out of the release.
func listNonConventional(stderr io.Writer, cs []commits.Commit) {
	if len(cs) == 0 {
		return
	}
	fmt.Fprintf(stderr, "relctl: %d commit(s) of the range are not Conventional Commits and count for no release:\n", len(cs))
	for _, c := range cs {
		fmt.Fprintf(stderr, "  %s %s\n", c.Hash[:min(len(c.Hash), 7)], textsafe.OneLine(c.Subject))
	}
}

// A nonConventionalError is `relctl next --strict` refusing a range with
// commits that are not Conventional Commits (exit 1).
type nonConventionalError struct{ Commits []string }

func (e *nonConventionalError) Error() string {
	return fmt.Sprintf("--strict: %d commit(s) of the range are not Conventional Commits (listed above): reword them or exclude them from the range", len(e.Commits))
}

// checkedOutBranch returns the short name of the branch rev stands for: the
// branch HEAD is a symbolic reference to when rev is HEAD, or rev itself
// when it names a local branch ("release/1.4", "refs/heads/release/1.4").
// A detached HEAD, or a rev that is no branch, gives "".
func checkedOutBranch(repo *git.Repository, rev string) string {
	if rev == "HEAD" {
		ref, err := repo.Reference(plumbing.HEAD, false)
		if err != nil || ref.Type() != plumbing.SymbolicReference || !ref.Target().IsBranch() {
			return ""
		}
		return ref.Target().Short()
	}
	name := plumbing.NewBranchReferenceName(strings.TrimPrefix(rev, "refs/heads/"))
	if _, err := repo.Reference(name, false); err != nil {
		return ""
	}
	return name.Short()
}

// componentDefaults fills the flags a command was not given from the
// release configuration's components: with --component NAME, that
// component; without, the only component. Its tag prefix, path, initial
// version and 0.x mode become the defaults of --prefix, --path, --initial
// and --major-at-zero. A --component the configuration does not list is
// refused when it lists components. It reports whether the configuration
// gave the component's tag prefix (which then includes its name).
func componentDefaults(fs *flag.FlagSet, cfgFile, repoDir string, component, prefix, path, initial *string, majorAtZero *bool) (bool, error) {
	dir := repoDir
	if dir == "" {
		dir = "."
	}
	cfg, err := loadConfig(cfgFile, dir)
	if err != nil || cfg == nil || len(cfg.Components) == 0 {
		return false, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var comp *config.Component
	for i, c := range cfg.Components {
		if c.Name == *component || (*component == "" && len(cfg.Components) == 1) {
			comp = &cfg.Components[i]
		}
	}
	if comp == nil {
		if *component != "" {
			return false, usagef("--component %s: %s lists no such component", *component, cfg.File)
		}
		return false, nil
	}
	configured := false
	if !set["prefix"] && comp.TagPrefix != "" {
		*prefix, configured = comp.TagPrefix, *component != ""
	}
	if !set["path"] && comp.Path != "" && comp.Path != "." {
		*path = comp.Path
	}
	if initial != nil && !set["initial"] && comp.InitialVersion != "" {
		*initial = comp.InitialVersion
	}
	if majorAtZero != nil && !set["major-at-zero"] && comp.ZeroMajor == "major" {
		*majorAtZero = true
	}
	return configured, nil
}

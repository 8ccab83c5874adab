package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/semver"
)

// componentCalVer reports whether the configuration's component (the
// only one, without --component) uses scheme calver.
func componentCalVer(cfgFile, repoDir, component string) (bool, error) {
	dir := repoDir
	if dir == "" {
		dir = "."
	}
	cfg, err := loadConfig(cfgFile, dir)
	if err != nil || cfg == nil {
		return false, err
	}
	for _, c := range cfg.Components {
		if c.Name == component || (component == "" && len(cfg.Components) == 1) {
			return c.Scheme == "calver", nil
		}
	}
	return false, nil
}

// nextCalVer is `relctl next` for a CalVer component (§1.12.3.2, §1.12.5):
// the previous release is the highest calendar-version tag reachable from
// rev; a release is called for when a commit since it has a bump level
// (feat, fix, perf or breaking); the version is the train's next release
// for the month of rev's commit date (UTC; semver.CalVer.Next), so the
// same commit always maps to the same version, or on a hotfix branch
// (hotfix/…) the next hotfix of the previous release
// (semver.CalVer.NextHotfix: v2026.02.0 → v2026.02.0.1), which never takes
// the next train release's tag.
func nextCalVer(ctx context.Context, repoDir, rev, branch string, scheme semver.Scheme, path string, popts []commits.ParseOption, stderr io.Writer) (nextResult, []commits.Commit, error) {
	repo, head, demo, err := openRepoAt(repoDir, rev, false, stderr)
	if err != nil {
		return nextResult{}, nil, err
	}
	defer demo.remove()
	if branch == "" {
		branch = checkedOutBranch(repo, rev)
	}
	hotfix := strings.HasPrefix(branch, "hotfix/")
	headCommit, err := repo.CommitObject(head)
	if err != nil {
		return nextResult{}, nil, fmt.Errorf("read commit %s: %w", head, err)
	}
	prev, prevTag, prevCommit, found, err := latestCalVer(repo, scheme, headCommit)
	if err != nil {
		return nextResult{}, nil, err
	}
	r := commits.Range{To: head}
	if found {
		r.From = []plumbing.Hash{prevCommit}
	}
	lopts := []commits.LogOption{commits.WithParseOptions(popts...)}
	if path != "" {
		lopts = append(lopts, commits.WithPaths(path))
	}
	res := nextResult{Commit: head.String(), Scheme: "calver", Bump: semver.None.String(), Level: semver.None.String()}
	if hotfix {
		res.Branch = branch
	}
	level := semver.None
	var skipped []commits.Commit
	for c, err := range commits.Log(ctx, repo, r, lopts...) {
		if err != nil {
			return nextResult{}, nil, err
		}
		res.Commits++
		if !c.Conventional && !c.Ignored && c.Revert == nil && c.Merge == nil {
			res.Skipped = append(res.Skipped, c.Hash)
			skipped = append(skipped, c)
			continue
		}
		if c.Conventional && !c.Ignored {
			level = max(level, semver.DefaultRules().Max(c.Changes()))
		}
	}
	res.Level = level.String()
	if found {
		res.Previous, res.Base, res.Version, res.Next = prevTag, prevTag, prev.String(), prevTag
	}
	if level == semver.None {
		return res, skipped, nil
	}
	var next semver.CalVer
	switch {
	case hotfix && !found:
		return nextResult{}, nil, usagef("hotfix branch %s: no CalVer release tag (%sYYYY.0M.MICRO) is reachable to hotfix", branch, scheme.Prefix)
	case hotfix:
		next, err = prev.NextHotfix()
		res.Bump = "hotfix"
	default:
		next, err = prev.Next(headCommit.Committer.When)
		res.Bump = "micro"
		if next.Micro == 0 {
			res.Bump = "month"
		}
	}
	if err != nil {
		return nextResult{}, nil, usageError{err}
	}
	res.Releasable, res.Next, res.Version = true, scheme.FormatCalVer(next), next.String()
	return res, skipped, nil
}

// latestCalVer returns the highest calendar version among the tags of
// scheme whose commit head reaches, with its tag and commit.
func latestCalVer(repo *git.Repository, scheme semver.Scheme, head *object.Commit) (semver.CalVer, string, plumbing.Hash, bool, error) {
	iter, err := repo.Tags()
	if err != nil {
		return semver.CalVer{}, "", plumbing.ZeroHash, false, fmt.Errorf("list tags: %w", err)
	}
	var tags []semver.Tag
	commitOf := map[string]plumbing.Hash{}
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		name := ref.Name().Short()
		if _, err := scheme.ParseCalVer(name); err != nil {
			return nil // not a calendar version of this scheme
		}
		target, _, err := tagTarget(repo, ref)
		if err != nil {
			return err
		}
		c, err := repo.CommitObject(target)
		if err != nil {
			return nil // a tag of something else than a commit
		}
		if c.Hash != head.Hash {
			if ok, err := c.IsAncestor(head); err != nil || !ok {
				return err
			}
		}
		tags = append(tags, semver.Tag{Name: name, Commit: target.String()})
		commitOf[name] = target
		return nil
	})
	if err != nil {
		return semver.CalVer{}, "", plumbing.ZeroHash, false, err
	}
	v, t, ok := semver.SelectCalVer(tags, scheme)
	return v, t.Name, commitOf[t.Name], ok, nil
}

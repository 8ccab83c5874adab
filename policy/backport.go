package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// BackportProvenance (REL-BACKPORT-001) requires a backport pull request
// (one whose base, PullRequest.Base, is a release/X.Y branch) to carry the
// labels "backport" and "backport:X.Y" of its base (§1.11.3.4/2,
// §1.27.2/3), and each of its commits (Facts.Commits, merges and commits
// git writes itself aside) to record with a "(cherry picked from commit
// <sha>)" trailer, as `git cherry-pick -x` writes it, a commit of main
// (Facts.MainCommits) (§1.11.3.4/1, §1.23.3/8, §1.27.2/2): the fix landed
// on main first and the backport says where it came from. Without the
// commits or main's commit list it fails with [ErrMissingEvidence]; a pull
// request into any other branch, or none, is not applicable.
type BackportProvenance struct{}

// Meta describes the control.
func (BackportProvenance) Meta() Meta {
	return Meta{ID: "REL-BACKPORT-001", Title: "A backport is labelled and cherry-picked with -x from a commit on main", Section: "§1.11.3.4, §1.27.2", Criteria: []string{"CC8.1"}, Severity: Medium}
}

// Evaluate checks f.PullRequest, f.Commits and f.MainCommits.
func (BackportProvenance) Evaluate(_ context.Context, f Facts) Result {
	pr := f.PullRequest
	if pr == nil {
		return na("no pull request")
	}
	version, ok := strings.CutPrefix(pr.Base, "release/")
	if !ok || version == "" {
		return na(fmt.Sprintf("pull request #%d is not into a release branch (base %q)", pr.Number, pr.Base))
	}
	if f.Commits == nil {
		return missing(fmt.Sprintf("the commits of backport pull request #%d", pr.Number))
	}
	if f.MainCommits == nil {
		return missing("main's commits, which the backport's commits must be cherry-picked from")
	}
	onMain := make(map[string]bool, len(f.MainCommits))
	for _, h := range f.MainCommits {
		onMain[strings.ToLower(h)] = true
	}
	ev := []Evidence{{Kind: "pull-request", Value: fmt.Sprint(pr.Number), Note: "into " + pr.Base + ", labels " + strings.Join(pr.Labels, ", ")}}
	var bad []Evidence
	for _, want := range []string{"backport", "backport:" + version} {
		if !slices.Contains(pr.Labels, want) {
			bad = append(bad, Evidence{Kind: "pull-request", Value: fmt.Sprint(pr.Number), Note: "missing label " + want})
		}
	}
	n := 0
	for _, c := range f.Commits {
		if len(c.Parents) > 1 {
			continue
		}
		n++
		e := Evidence{Kind: "commit", Value: c.Hash}
		var from []string
		for _, o := range c.CherryPickedFrom {
			if onMain[strings.ToLower(o)] {
				from = append(from, o)
			}
		}
		switch {
		case len(from) > 0:
			e.Note = "cherry-picked from " + strings.Join(from, ", ") + " on main"
		case len(c.CherryPickedFrom) > 0:
			e.Note = "cherry-picked from " + strings.Join(c.CherryPickedFrom, ", ") + ", not on main"
			bad = append(bad, e)
		default:
			e.Note = "no (cherry picked from commit …) trailer"
			bad = append(bad, e)
		}
		ev = append(ev, e)
	}
	if n == 0 {
		bad = append(bad, Evidence{Kind: "pull-request", Value: fmt.Sprint(pr.Number), Note: "no commit to backport"})
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("backport pull request #%d into %s lacks provenance: %s; land the fix on main first, cherry-pick it with git cherry-pick -x, and label the pull request backport and backport:%s",
			pr.Number, pr.Base, notes(bad), version), ev...)
	}
	return pass(fmt.Sprintf("backport pull request #%d into %s is labelled and its %d commit(s) are cherry-picked from main", pr.Number, pr.Base, n), ev...)
}

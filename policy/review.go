package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/releasekit/releasekit/identity"
)

// ReviewApprovals (REL-REVIEW-001) requires a pull request to be approved
// at its head commit by at least MinApprovals people other than its author
// (zero: [DefaultMinApprovals]), or by a code owner of every file it
// changes, and to have no outstanding request for changes (§1.21.3.1/3,
// §1.11.5.1/4, §1.30.3.3/1). With RequireCodeOwners, the code-owner
// approval is required as well as the count.
//
// It reads PullRequest.HeadSHA, Reviews and, for code owners,
// ChangedFiles and the CODEOWNERS file of Facts.Files (CODEOWNERS,
// .github/CODEOWNERS or docs/CODEOWNERS; the last matching rule owns a
// file, as on GitHub; owners are people, a team owner such as
// "@org/team" cannot be resolved and approves nothing). Each reviewer's
// latest review counts (a comment does not replace an approval or a
// request for changes; a dismissal clears them). An approval counts only
// at the head commit and only from someone who cannot be the author;
// identities are compared through Facts.People (Conflict: "ada" and
// "ada@example.com" may be one person, and two such approvals count once),
// and only from a reviewer the forge reports may approve (Review.CanApprove:
// write access), so approvals from accounts without it count for nothing.
// Without pull-request data, its head commit or its reviews, the control
// fails with [ErrMissingEvidence]. [SeparationOfDuties] keeps checking the
// older, commit-less "approvers" list.
type ReviewApprovals struct {
	MinApprovals      int
	RequireCodeOwners bool
}

// Meta describes the control.
func (ReviewApprovals) Meta() Meta {
	return Meta{ID: "REL-REVIEW-001", Title: "The pull request has two approvals or code-owner approval at its head commit, and no changes requested", Section: "§1.21.3.1, §1.11.5.1", Criteria: []string{"CC6.3", "CC8.1"}, Severity: High}
}

// Evaluate checks f.PullRequest and the CODEOWNERS file of f.Files.
func (c ReviewApprovals) Evaluate(_ context.Context, f Facts) Result {
	pr := f.PullRequest
	switch {
	case pr == nil:
		return missing("no pull-request data (--pr)")
	case blank(pr.Author):
		return missing("pull request has no author")
	case pr.HeadSHA == "":
		return missing(fmt.Sprintf("the head commit (head_sha) of pull request #%d", pr.Number))
	case pr.Reviews == nil:
		return missing(fmt.Sprintf("the reviews of pull request #%d (reviews with the commit each reviewed)", pr.Number))
	}
	min := c.MinApprovals
	if min <= 0 {
		min = DefaultMinApprovals
	}
	people := f.People()
	ev := []Evidence{{Kind: "pull-request", Value: fmt.Sprint(pr.Number), Note: "head " + pr.HeadSHA + ", author " + pr.Author}}
	if _, err := identity.Normalize(pr.Author); err != nil {
		return invalidIdentity("the pull request's author", err, ev...)
	}
	// The latest review of each reviewer, in the order the forge lists them
	// (by time when every review has one).
	reviews := slices.Clone(pr.Reviews)
	if !slices.ContainsFunc(reviews, func(r Review) bool { return r.SubmittedAt.IsZero() }) {
		slices.SortStableFunc(reviews, func(a, b Review) int { return a.SubmittedAt.Compare(b.SubmittedAt) })
	}
	type latest struct {
		user       string
		state      string
		sha        string
		canApprove bool
	}
	var order []latest
	for _, r := range reviews {
		if blank(r.User) || r.State == ReviewPending {
			continue
		}
		if _, err := identity.Normalize(r.User); err != nil {
			return invalidIdentity("the reviewer", err, ev...)
		}
		i := slices.IndexFunc(order, func(l latest) bool { same, _ := people.Same(l.user, r.User); return same })
		if i < 0 {
			order = append(order, latest{user: r.User})
			i = len(order) - 1
		}
		switch r.State {
		case ReviewCommented:
			if order[i].state == "" {
				order[i].state = ReviewCommented
			}
		case ReviewDismissed:
			order[i].state, order[i].sha, order[i].canApprove = "", "", false
		default:
			order[i].state, order[i].sha, order[i].canApprove = r.State, r.CommitID, r.CanApprove
		}
	}
	var approvers, bad []string
	for _, l := range order {
		e := Evidence{Kind: "review", Value: l.user, Note: strings.ToLower(l.state) + " at " + short(l.sha)}
		switch l.state {
		case ReviewChangesRequested:
			bad = append(bad, l.user+" requested changes")
			e.Note = "changes requested at " + short(l.sha)
		case ReviewApproved:
			author, err := people.Conflict(l.user, pr.Author)
			if err != nil {
				return invalidIdentity("the reviewer", err, ev...)
			}
			dup, err := conflictsWith(people, l.user, approvers...)
			if err != nil {
				return invalidIdentity("the reviewer", err, ev...)
			}
			switch {
			case author:
				e.Note = "approval by the author does not count"
			case !strings.EqualFold(l.sha, pr.HeadSHA):
				e.Note = "approved " + short(l.sha) + ", not the head " + short(pr.HeadSHA) + ": does not count"
			case !l.canApprove:
				e.Note = "approval by someone the forge does not report as able to approve (no write access): does not count"
			case dup:
				e.Note = "approval by someone already counted"
			default:
				approvers = append(approvers, l.user)
				e.Note = "approved the head"
			}
		default:
			continue
		}
		ev = append(ev, e)
	}
	owned, ownerNote, err := codeOwnerApproved(f, pr, approvers)
	if err != nil {
		return invalidIdentity("the code owner", err, ev...)
	}
	ev = append(ev, Evidence{Kind: "field", Value: "codeowners", Note: ownerNote})
	if c.RequireCodeOwners && !owned {
		bad = append(bad, "no code-owner approval at the head ("+ownerNote+")")
	}
	if len(approvers) < min && (c.RequireCodeOwners || !owned) {
		bad = append(bad, fmt.Sprintf("%d approval(s) at the head by others than the author, want %d or a code owner's (%s)", len(approvers), min, ownerNote))
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("pull request #%d is not approved for merge: %s; get the approvals on the head commit %s and resolve the requested changes", pr.Number, strings.Join(bad, "; "), short(pr.HeadSHA)), ev...)
	}
	how := fmt.Sprintf("approved at its head by %s", strings.Join(approvers, ", "))
	if owned {
		how += " (code owners approved)"
	}
	return pass(fmt.Sprintf("pull request #%d is %s", pr.Number, how), ev...)
}

// codeOwnerApproved reports whether, for every changed file of pr, one of
// approvers is an owner per the CODEOWNERS of f.Files, and says why not.
func codeOwnerApproved(f Facts, pr *PullRequest, approvers []string) (bool, string, error) {
	var file []byte
	for _, p := range []string{"CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS"} {
		if b, ok := f.Files[p]; ok {
			file = b
			break
		}
	}
	switch {
	case file == nil:
		return false, "no CODEOWNERS file read", nil
	case len(pr.ChangedFiles) == 0:
		return false, "no changed files given", nil
	}
	rules := parseOwnerRules(file)
	people := f.People()
	for _, p := range pr.ChangedFiles {
		var owners []string
		for _, r := range rules {
			if matchOwner(r.pattern, strings.TrimPrefix(p, "/")) {
				owners = r.owners
			}
		}
		var persons []string
		for _, o := range owners {
			if _, err := identity.Normalize(o); err == nil && !strings.Contains(o, "/") {
				persons = append(persons, o)
			}
		}
		if len(persons) == 0 {
			return false, p + " has no owner who is a person", nil
		}
		ok := false
		for _, a := range approvers {
			in, err := people.Contains(persons, a)
			if err != nil {
				return false, "", err
			}
			ok = ok || in
		}
		if !ok {
			return false, "no owner of " + p + " (" + strings.Join(persons, ", ") + ") approved", nil
		}
	}
	return true, fmt.Sprintf("an owner of each of the %d changed file(s) approved", len(pr.ChangedFiles)), nil
}

type ownersRule struct {
	pattern string
	owners  []string
}

// parseOwnerRules reads CODEOWNERS rules with their owners. Every line is
// read, however long (a line-length limit that stopped the parse would
// drop the later rules, which win: an earlier catch-all owner would then
// own what a later rule gives to another team).
func parseOwnerRules(b []byte) []ownersRule {
	var rules []ownersRule
	forLines(b, func(_ int, line string) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			return
		}
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		rules = append(rules, ownersRule{pattern: fields[0], owners: fields[1:]})
	})
	return rules
}

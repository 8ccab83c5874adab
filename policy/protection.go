package policy

import (
	"context"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
)

// A BranchProtection is the protection a forge enforces on a branch, or on
// the branches a rule pattern matches, named after what the GitHub, GitLab
// and Gitea APIs report. Its JSON form ([ReadBranchProtection] reads a list
// of them; every key is required, so that a snapshot that leaves a
// setting out is not read as its safe value):
//
//	{
//	  "branch": "release/*",
//	  "require_pull_request": true,
//	  "enforce_admins": true,
//	  "required_approving_review_count": 2,
//	  "require_code_owner_reviews": true,
//	  "dismiss_stale_reviews": true,
//	  "required_status_checks": ["ci / test", "ci / sast"],
//	  "required_signatures": false,
//	  "allow_force_pushes": false,
//	  "allow_deletions": false
//	}
//
// branch is a branch name or a rule pattern ("release/*", path.Match
// syntax). require_pull_request: changes only through a pull request, no
// direct push (GitHub's required_pull_request_reviews, GitLab's push access
// "No one", Gitea's enable_push false). enforce_admins: the rules bind
// administrators too (GitHub's enforce_admins; GitLab and Gitea rules bind
// everyone listed, so true unless an exception list allows pushes).
// required_approving_review_count, require_code_owner_reviews,
// dismiss_stale_reviews, required_status_checks (the check names),
// required_signatures (signed commits), allow_force_pushes and
// allow_deletions are as GitHub names them.
type BranchProtection struct {
	Branch                       string   `json:"branch"`
	RequirePullRequest           bool     `json:"require_pull_request"`
	EnforceAdmins                bool     `json:"enforce_admins"`
	RequiredApprovingReviewCount int      `json:"required_approving_review_count"`
	RequireCodeOwnerReviews      bool     `json:"require_code_owner_reviews"`
	DismissStaleReviews          bool     `json:"dismiss_stale_reviews"`
	RequiredStatusChecks         []string `json:"required_status_checks"`
	RequiredSignatures           bool     `json:"required_signatures"`
	AllowForcePushes             bool     `json:"allow_force_pushes"`
	AllowDeletions               bool     `json:"allow_deletions"`
}

// rawProtection is BranchProtection with every key's presence visible.
type rawProtection struct {
	Branch                       *string   `json:"branch"`
	RequirePullRequest           *bool     `json:"require_pull_request"`
	EnforceAdmins                *bool     `json:"enforce_admins"`
	RequiredApprovingReviewCount *int      `json:"required_approving_review_count"`
	RequireCodeOwnerReviews      *bool     `json:"require_code_owner_reviews"`
	DismissStaleReviews          *bool     `json:"dismiss_stale_reviews"`
	RequiredStatusChecks         *[]string `json:"required_status_checks"`
	RequiredSignatures           *bool     `json:"required_signatures"`
	AllowForcePushes             *bool     `json:"allow_force_pushes"`
	AllowDeletions               *bool     `json:"allow_deletions"`
}

// ReadBranchProtection reads a JSON list of [BranchProtection] snapshots.
// Unknown fields, duplicate keys, trailing data, a missing key (null
// included), an empty branch, a negative review count and a branch given
// twice are errors.
func ReadBranchProtection(r io.Reader) ([]BranchProtection, error) {
	var raw []rawProtection
	if err := readStrictJSON(r, &raw, true); err != nil {
		return nil, fmt.Errorf("policy: parse branch protection: %w", err)
	}
	if raw == nil {
		return nil, fmt.Errorf("policy: parse branch protection: want a list of branch protections, not null")
	}
	out := make([]BranchProtection, 0, len(raw))
	seen := map[string]bool{}
	for i, p := range raw {
		var missing []string
		for _, f := range []struct {
			name string
			set  bool
		}{{"branch", p.Branch != nil}, {"require_pull_request", p.RequirePullRequest != nil}, {"enforce_admins", p.EnforceAdmins != nil},
			{"required_approving_review_count", p.RequiredApprovingReviewCount != nil}, {"require_code_owner_reviews", p.RequireCodeOwnerReviews != nil},
			{"dismiss_stale_reviews", p.DismissStaleReviews != nil}, {"required_status_checks", p.RequiredStatusChecks != nil},
			{"required_signatures", p.RequiredSignatures != nil}, {"allow_force_pushes", p.AllowForcePushes != nil}, {"allow_deletions", p.AllowDeletions != nil}} {
			if !f.set {
				missing = append(missing, f.name)
			}
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("policy: parse branch protection: [%d]: missing %s", i, strings.Join(missing, ", "))
		}
		b := BranchProtection{Branch: *p.Branch, RequirePullRequest: *p.RequirePullRequest, EnforceAdmins: *p.EnforceAdmins,
			RequiredApprovingReviewCount: *p.RequiredApprovingReviewCount, RequireCodeOwnerReviews: *p.RequireCodeOwnerReviews,
			DismissStaleReviews: *p.DismissStaleReviews, RequiredStatusChecks: *p.RequiredStatusChecks, RequiredSignatures: *p.RequiredSignatures,
			AllowForcePushes: *p.AllowForcePushes, AllowDeletions: *p.AllowDeletions}
		if strings.TrimSpace(b.Branch) == "" {
			return nil, fmt.Errorf("policy: parse branch protection: [%d]: empty branch", i)
		}
		if _, err := path.Match(b.Branch, ""); err != nil {
			return nil, fmt.Errorf("policy: parse branch protection: [%d]: branch pattern %q: %w", i, b.Branch, err)
		}
		if b.RequiredApprovingReviewCount < 0 {
			return nil, fmt.Errorf("policy: parse branch protection: [%d]: negative required_approving_review_count", i)
		}
		if seen[b.Branch] {
			return nil, fmt.Errorf("policy: parse branch protection: [%d]: branch %q given twice", i, b.Branch)
		}
		seen[b.Branch] = true
		out = append(out, b)
	}
	return out, nil
}

// DefaultProtectedBranches returns the branch patterns §1.21.3.1 requires
// to be protected: main, release/* and hotfix/*.
func DefaultProtectedBranches() []string { return []string{"main", "release/*", "hotfix/*"} }

// DefaultMinApprovals is the approvals §1.21.3.1/3 requires on a protected
// branch: two.
const DefaultMinApprovals = 2

// ProtectedBranches (REL-PROTECT-001) requires the forge to protect every
// branch that can lead to production (§1.10.3.1/2, §1.11.3.2/1,4,
// §1.12.6.1/1, §1.13.3.4/1, §1.21.3.1/1-3, §1.21.5.1/1, §1.23.3/1,4,
// §1.11.5.1/6) and not to let anyone rewrite one (§1.11.3.3/2,
// §1.21.3.1/8: blocking force pushes is how shared branches are kept from
// being rebased).
//
// The branches checked are those of Branches (path.Match patterns; nil:
// [DefaultProtectedBranches]): each pattern itself ("main", "release/*"),
// each branch of Facts.Branches a pattern matches, and each snapshot of
// Facts.Protection whose branch a pattern matches or is. A branch is
// covered by the snapshot of its name, else by the first rule pattern that
// matches it; a pattern by the rule of that pattern (forges report rules
// by pattern), else by the first rule that matches every branch it
// matches ("*/*" covers "release/*"; a rule for "release/1.2" does not).
// One not covered fails with [ErrMissingEvidence] (gather the forge's
// snapshot, or protect it): release/* and hotfix/* are checked even when
// no such branch exists yet, or none is in the clone. Each snapshot must require pull
// requests and bind administrators (no direct pushes), forbid force pushes
// and deletions, require at least MinApprovals approving reviews (zero:
// [DefaultMinApprovals]; with CodeOwnersReplaceCount, one code-owner
// review required is enough, as §1.21.3.1/3 "2 approvals or
// CODEOWNERS-defined" allows), require every status check of
// RequiredChecks (nil: at least one; a configuration file defaults them
// to REL-CHECKS-001's merge list), and require signed commits when
// RequireSignedCommits is set. Without any snapshot the control fails
// with ErrMissingEvidence: branch protection always applies.
type ProtectedBranches struct {
	Branches               []string
	MinApprovals           int
	CodeOwnersReplaceCount bool
	RequiredChecks         []string
	RequireSignedCommits   bool
}

// Meta describes the control.
func (ProtectedBranches) Meta() Meta {
	return Meta{ID: "REL-PROTECT-001", Title: "Protected branches block direct and force pushes and require reviews and status checks", Section: "§1.11.3.2, §1.21.3.1, §1.21.5.1", Criteria: []string{"CC6.1", "CC8.1"}, Severity: High}
}

// Evaluate checks f.Protection and f.Branches.
func (c ProtectedBranches) Evaluate(_ context.Context, f Facts) Result {
	pats := c.Branches
	if len(pats) == 0 {
		pats = DefaultProtectedBranches()
	}
	for _, p := range pats {
		if _, err := path.Match(p, ""); err != nil {
			return Result{Status: Fail, Err: fmt.Errorf("protected branch pattern %q: %w", p, err)}
		}
	}
	if len(f.Protection) == 0 {
		return missing("no branch-protection snapshot from the forge (--protection)")
	}
	min := c.MinApprovals
	if min <= 0 {
		min = DefaultMinApprovals
	}
	matches := func(b string) bool {
		return slices.ContainsFunc(pats, func(p string) bool { ok, _ := path.Match(p, b); return ok || p == b })
	}
	var branches []string
	add := func(b string) {
		if !slices.Contains(branches, b) {
			branches = append(branches, b)
		}
	}
	for _, p := range pats {
		if !isPattern(p) {
			add(p)
		}
	}
	for _, b := range f.Branches {
		if matches(b) {
			add(b)
		}
	}
	for _, s := range f.Protection {
		if matches(s.Branch) {
			add(s.Branch)
		}
	}
	for _, p := range pats {
		add(p) // a pattern is checked against the snapshot itself, whatever branches exist
	}
	var ev, bad []Evidence
	unprotected := false
	checked := map[string]bool{}
	for _, b := range branches {
		s := coveringProtection(f.Protection, b)
		if s == nil {
			unprotected = true
			e := Evidence{Kind: "branch", Value: b, Note: "no protection snapshot: unprotected, or not gathered"}
			if isPattern(b) {
				e.Note = "no protection rule for the pattern: the branches it names are unprotected, or the rule not gathered"
			}
			bad = append(bad, e)
			ev = append(ev, e)
			continue
		}
		if checked[s.Branch] {
			ev = append(ev, Evidence{Kind: "branch", Value: b, Note: "protected by rule " + s.Branch})
			continue
		}
		checked[s.Branch] = true
		probs := c.problems(*s, min)
		e := Evidence{Kind: "branch", Value: b, Note: fmt.Sprintf("rule %s: pull requests only, %d approval(s), checks %s", s.Branch, s.RequiredApprovingReviewCount, strings.Join(s.RequiredStatusChecks, ", "))}
		if len(probs) > 0 {
			e.Note = "rule " + s.Branch + ": " + strings.Join(probs, ", ")
			bad = append(bad, e)
		}
		ev = append(ev, e)
	}
	if len(bad) > 0 {
		r := fail(fmt.Sprintf("%d protected branch(es) are not protected as required: %s; in the forge's branch protection, require pull requests for everyone, %d approvals, the required status checks, and block force pushes and deletions",
			len(bad), notes(bad), min), ev...)
		if unprotected {
			r.Err = ErrMissingEvidence
		}
		return r
	}
	return pass(fmt.Sprintf("%d protected branch(es) block direct and force pushes and require %d approval(s) and the status checks", len(branches), min), ev...)
}

// coveringProtection returns the snapshot of branch b, else the first
// rule pattern covering it, else nil. b may be a pattern itself
// ("release/*"): a rule covers it when it matches every branch b matches
// (see covers).
func coveringProtection(ps []BranchProtection, b string) *BranchProtection {
	for i := range ps {
		if ps[i].Branch == b {
			return &ps[i]
		}
	}
	for i := range ps {
		if covers(ps[i].Branch, b) {
			return &ps[i]
		}
	}
	return nil
}

// isPattern reports whether b is a path.Match pattern rather than a
// branch name.
func isPattern(b string) bool { return strings.ContainsAny(b, `*?[\`) }

// covers reports whether the rule pattern rule matches every branch b
// matches, b a branch name or a pattern. For a pattern b, rule must match
// b's own text with wildcards "*" only: each wildcard of b (which never
// spans a "/") is then taken by a "*" of rule, which takes whatever b's
// wildcard would. A rule with "?", "[" or an escape is compared with the
// pattern by equality only (coveringProtection): "release/?" matches the
// text "release/*" but not "release/1.0".
func covers(rule, b string) bool {
	if !isPattern(b) {
		ok, _ := path.Match(rule, b)
		return ok
	}
	if strings.ContainsAny(rule, `?[\`) {
		return false
	}
	ok, _ := path.Match(rule, b)
	return ok
}

func (c ProtectedBranches) problems(s BranchProtection, min int) []string {
	var p []string
	if !s.RequirePullRequest {
		p = append(p, "direct pushes allowed (no pull request required)")
	}
	if !s.EnforceAdmins {
		p = append(p, "administrators may bypass the rules")
	}
	if s.AllowForcePushes {
		p = append(p, "force pushes allowed (the shared history can be rewritten)")
	}
	if s.AllowDeletions {
		p = append(p, "the branch may be deleted")
	}
	if s.RequiredApprovingReviewCount < min && (!c.CodeOwnersReplaceCount || !s.RequireCodeOwnerReviews || s.RequiredApprovingReviewCount < 1) {
		p = append(p, fmt.Sprintf("requires %d approval(s), want %d", s.RequiredApprovingReviewCount, min))
	}
	if c.RequiredChecks == nil {
		if len(s.RequiredStatusChecks) == 0 {
			p = append(p, "requires no status check")
		}
	} else {
		for _, want := range c.RequiredChecks {
			if !slices.Contains(s.RequiredStatusChecks, want) {
				p = append(p, "does not require status check "+want)
			}
		}
	}
	if c.RequireSignedCommits && !s.RequiredSignatures {
		p = append(p, "signed commits not required")
	}
	return p
}

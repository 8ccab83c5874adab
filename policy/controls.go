package policy

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/identity"
)

// DefaultBranchPatterns returns the approved branch types of §2.8.3.1 plus the
// main line, and the branch of releasekit's own release PR
// (releasepr.BranchPrefix + base, with "/<component>" for a PR of one
// component) into the main line or a release branch.
func DefaultBranchPatterns() []string {
	return []string{
		`^main$`,
		`^feature/[A-Z]+-[0-9]+-[a-z0-9-]+$`,
		`^release/[0-9]+\.[0-9]+$`,
		`^hotfix/[0-9]+\.[0-9]+\.[0-9]+-[A-Z]+-[0-9]+$`,
		`^chore/[A-Z]+-[0-9]+-[a-z0-9-]+$`,
		`^releasekit/release/(main|release/[0-9]+\.[0-9]+)(/[A-Za-z0-9][A-Za-z0-9._-]*)?$`,
	}
}

// BranchNames (REL-BRANCH-001) requires every branch checked to match one
// of Patterns (regular expressions; nil: [DefaultBranchPatterns]); a bad
// pattern fails the control. With a pull request (Facts.PullRequest), the
// branch checked is the pull request's head branch as the forge reports
// it — what is being merged, not the clone's local branches; a branch of
// a fork is "owner/name:branch" (forge.PullRequest.Facts), which no
// pattern anchored at a branch name matches — and a pull request without
// a head branch is missing evidence; without one, every
// branch of Facts.Branches is checked.
type BranchNames struct {
	Patterns []string
}

// Meta describes the control.
func (BranchNames) Meta() Meta {
	return Meta{ID: "REL-BRANCH-001", Title: "Branch names follow the approved patterns", Section: "§2.8.3.1", Criteria: []string{"CC8.1"}, Severity: Medium}
}

// Evaluate checks the branch names.
func (c BranchNames) Evaluate(_ context.Context, f Facts) Result {
	pats := c.Patterns
	if len(pats) == 0 {
		pats = DefaultBranchPatterns()
	}
	res := make([]*regexp.Regexp, 0, len(pats))
	for _, p := range pats {
		re, err := regexp.Compile(p)
		if err != nil {
			return Result{Status: Fail, Err: fmt.Errorf("branch pattern %q: %w", p, err)}
		}
		res = append(res, re)
	}
	branches := f.Branches
	if pr := f.PullRequest; pr != nil {
		if blank(pr.Head) {
			return missing(fmt.Sprintf("pull request #%d has no head branch (read it from the forge: relctl pr facts)", pr.Number))
		}
		branches = []string{pr.Head}
	}
	if len(branches) == 0 {
		return missing("no branch names")
	}
	var bad, ev []Evidence
	for _, b := range branches {
		ok := slices.ContainsFunc(res, func(re *regexp.Regexp) bool { return re.MatchString(b) })
		e := Evidence{Kind: "branch", Value: b, Note: "matches"}
		if !ok {
			e.Note = "matches no approved pattern"
			bad = append(bad, e)
		}
		ev = append(ev, e)
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%d branch name(s) match no approved pattern (%s); rename them, e.g. feature/ABC-123-short-topic", len(bad), joinValues(bad)), ev...)
	}
	return pass(fmt.Sprintf("%d branch name(s) match the approved patterns", len(branches)), ev...)
}

// ConventionalCommits (REL-COMMIT-001) requires every commit of the range
// to be a Conventional Commit that references a ticket. Merges, reverts
// and fixups that git writes (Message.Ignored) are skipped.
type ConventionalCommits struct{}

// Meta describes the control.
func (ConventionalCommits) Meta() Meta {
	return Meta{ID: "REL-COMMIT-001", Title: "Every change is a Conventional Commit with a ticket", Section: "§1.11.3.1", Criteria: []string{"CC8.1"}, Severity: Medium}
}

// Evaluate checks the commits of f.Commits.
func (ConventionalCommits) Evaluate(_ context.Context, f Facts) Result {
	if f.Commits == nil {
		return missing("no commits gathered for the range")
	}
	var bad, ev []Evidence
	for _, c := range f.Commits {
		if c.Ignored {
			continue
		}
		e := Evidence{Kind: "commit", Value: c.Hash, Note: c.Subject}
		switch {
		case !c.Conventional:
			e.Note = fmt.Sprintf("%q is not a Conventional Commit", c.Subject)
			bad = append(bad, e)
		case len(c.Tickets) == 0:
			e.Note = fmt.Sprintf("%q references no ticket", c.Subject)
			bad = append(bad, e)
		}
		ev = append(ev, e)
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%d commit(s) are not Conventional Commits with a ticket: %s; reword them (type(scope): description, with a ticket such as ABC-123)", len(bad), joinNotes(bad)), ev...)
	}
	return pass(fmt.Sprintf("%d commit(s) are Conventional Commits with a ticket", len(ev)), ev...)
}

// LinearHistory (REL-HISTORY-001) requires a linear main line: no merge
// commits in the range, and a pull request, when given, merged by squash
// or rebase.
type LinearHistory struct{}

// Meta describes the control.
func (LinearHistory) Meta() Meta {
	return Meta{ID: "REL-HISTORY-001", Title: "Main has linear history (squash merges)", Section: "§1.11.3", Criteria: []string{"CC8.1"}, Severity: Medium}
}

// Evaluate checks f.Commits and f.PullRequest.
func (LinearHistory) Evaluate(_ context.Context, f Facts) Result {
	if f.Commits == nil {
		return missing("no commits gathered for the range")
	}
	var bad []Evidence
	for _, c := range f.Commits {
		if len(c.Parents) > 1 {
			bad = append(bad, Evidence{Kind: "commit", Value: c.Hash, Note: fmt.Sprintf("merge commit with %d parents", len(c.Parents))})
		}
	}
	if pr := f.PullRequest; pr != nil && pr.MergeMethod == "merge" {
		bad = append(bad, Evidence{Kind: "pull-request", Value: fmt.Sprint(pr.Number), Note: "merge_method is merge"})
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("history is not linear: %s; merge pull requests with squash", joinNotes(bad)), bad...)
	}
	return pass(fmt.Sprintf("%d commit(s), no merge commit", len(f.Commits)))
}

// SeparationOfDuties (REL-SOD-001) requires a pull request approved by
// someone other than its author, and, for a production deployment
// (Facts.Deployment with Environment "production"), a deployment approver
// who is neither the author, the releaser nor one of the pull request's
// approvers (§1.21.3.2: a PR approver is never the sole approver of the
// production gate), and an emergency-change approver who is none of them
// either. Identities are compared with Facts.People's Conflict (package
// identity): "ada", "ADA", "@ada", "ａｄａ" and "ada@example.com" may all
// be ada. An identity that does not normalise (an invisible, control or
// mixed-script character: "ada" plus a zero-width space, "аda" with a
// Cyrillic а) fails the control; blank approvers are ignored.
type SeparationOfDuties struct{}

// Meta describes the control.
func (SeparationOfDuties) Meta() Meta {
	return Meta{ID: "REL-SOD-001", Title: "Changes are approved by someone other than the author", Section: "§1.21.3.2", Criteria: []string{"CC6.3", "CC8.1"}, Severity: High}
}

// Evaluate checks f.PullRequest.
func (SeparationOfDuties) Evaluate(_ context.Context, f Facts) Result {
	pr := f.PullRequest
	if pr == nil {
		return missing("no pull-request data (--pr)")
	}
	if blank(pr.Author) {
		return missing("pull request has no author")
	}
	people := f.People()
	ev := []Evidence{{Kind: "field", Value: pr.Author, Note: "author"}}
	if _, err := identity.Normalize(pr.Author); err != nil {
		return invalidIdentity("the pull request's author", err, ev...)
	}
	var independent []string
	for _, a := range pr.Approvers {
		ev = append(ev, Evidence{Kind: "field", Value: a, Note: "approver"})
		if blank(a) {
			continue
		}
		same, err := people.Conflict(a, pr.Author)
		if err != nil {
			return invalidIdentity("the pull request's approver", err, ev...)
		}
		if !same {
			independent = append(independent, a)
		}
	}
	if len(independent) == 0 {
		return fail(fmt.Sprintf("pull request #%d by %s has no approver other than its author; get a review from another maintainer", pr.Number, pr.Author), ev...)
	}
	if d := f.Deployment; d != nil && d.Environment == "production" {
		if !blank(d.Releaser) {
			if _, err := identity.Normalize(d.Releaser); err != nil {
				return invalidIdentity("the releaser", err, ev...)
			}
		}
		duties := append([]string{pr.Author, d.Releaser}, pr.Approvers...)
		var gate []string
		for _, a := range d.Approvers {
			ev = append(ev, Evidence{Kind: "field", Value: a, Note: "production approver"})
			if blank(a) {
				continue
			}
			busy, err := conflictsWith(people, a, duties...)
			if err != nil {
				return invalidIdentity("the production approver", err, ev...)
			}
			if !busy {
				gate = append(gate, a)
			}
		}
		if len(gate) == 0 {
			return fail("the production deployment has no approver independent of the author, the releaser and the code reviewers; have the deployment gate approved by another designated approver", ev...)
		}
		if em := d.Emergency; em != nil && !blank(em.Approver) {
			// ChangeWindow reports the emergency approver as evidence; here
			// it is evidence only when it fails.
			emEv := append(ev, Evidence{Kind: "field", Value: em.Approver, Note: "emergency approver"})
			busy, err := conflictsWith(people, em.Approver, duties...)
			if err != nil {
				return invalidIdentity("the emergency-change approver", err, emEv...)
			}
			if busy {
				return fail(fmt.Sprintf("the emergency change is approved by %s, who is the author, the releaser or a code reviewer; have it approved by another designated approver", em.Approver), emEv...)
			}
		}
		return pass(fmt.Sprintf("pull request #%d approved by %s; production approved by %s", pr.Number, strings.Join(independent, ", "), strings.Join(gate, ", ")), ev...)
	}
	return pass(fmt.Sprintf("pull request #%d approved by %s", pr.Number, strings.Join(independent, ", ")), ev...)
}

// SignedTag (REL-TAG-001) requires the release tag to be annotated, signed,
// verified against trusted keys (tagging.Verify, done by the caller), signed
// by one of Identities, and still on the planned commit. Identities are
// matched against the verified signer identity (an SSH principal or an
// OpenPGP "Name <email>" or its email). An empty Identities fails: say
// who may release.
type SignedTag struct {
	Identities []string
}

// Meta describes the control.
func (SignedTag) Meta() Meta {
	return Meta{ID: "REL-TAG-001", Title: "Release tag is annotated, signed by an allowed identity, and not moved", Section: "§1.21.3.3", Criteria: []string{"CC6.1", "CC8.1"}, Severity: Critical}
}

// Evaluate checks f.Tag.
func (c SignedTag) Evaluate(_ context.Context, f Facts) Result {
	t := f.Tag
	if t == nil || t.Name == "" {
		return missing("no release tag")
	}
	ev := []Evidence{{Kind: "tag", Value: t.Name}}
	if t.Err != nil {
		return fail(fmt.Sprintf("tag %s did not verify: %v; re-create it as an annotated tag signed by the release key", t.Name, t.Err), ev...)
	}
	v := t.Verification
	if v == nil {
		r := missing("tag " + t.Name + " was not verified")
		r.Evidence = ev
		return r
	}
	ev = append(ev, Evidence{Kind: "commit", Value: v.Commit.String(), Note: "tagged commit"},
		Evidence{Kind: "field", Value: v.Signer.Identity, Note: string(v.Signer.Format) + " signer " + v.Signer.Fingerprint})
	if len(c.Identities) == 0 {
		return fail("no allowed release identities are configured; list the CI identities that may sign release tags", ev...)
	}
	allowed, err := identityAllowed(f.People(), v.Signer.Identity, c.Identities)
	if err != nil {
		return invalidIdentity("the allowed release identity", err, ev...)
	}
	if !allowed {
		return fail(fmt.Sprintf("tag %s is signed by %q, which is not an allowed release identity (%s)", t.Name, v.Signer.Identity, strings.Join(c.Identities, ", ")), ev...)
	}
	if t.Expected != "" && !strings.EqualFold(t.Expected, v.Commit.String()) {
		return fail(fmt.Sprintf("tag %s points at %s but the release planned %s: the tag was moved; never move a release tag, cut a new version", t.Name, v.Commit, t.Expected), ev...)
	}
	return pass(fmt.Sprintf("tag %s is signed by %s", t.Name, v.Signer.Identity), ev...)
}

// identityAllowed reports whether the verified signer identity id (an SSH
// principal, principals separated by commas, or an OpenPGP "Name <email>")
// is one of allowed, through people: each principal and the e-mail address
// are tried, and those that do not normalise (a display name) match
// nothing. An allowed identity that does not normalise is an error.
func identityAllowed(people *identity.Directory, id string, allowed []string) (bool, error) {
	for _, a := range allowed {
		if _, err := identity.Normalize(a); err != nil {
			return false, err
		}
	}
	var cands []string
	for _, p := range strings.Split(id, ",") {
		cands = append(cands, strings.TrimSpace(p))
	}
	if i, j := strings.LastIndex(id, "<"), strings.LastIndex(id, ">"); i >= 0 && j > i {
		cands = append(cands, id[i+1:j])
	}
	for _, c := range cands {
		if _, err := identity.Normalize(c); err != nil {
			continue
		}
		ok, err := people.Contains(allowed, c)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// HotfixFromTag (REL-HOTFIX-001) requires a hotfix branch to be cut from the
// production tag: its fork point from main is the tagged commit.
type HotfixFromTag struct{}

// Meta describes the control.
func (HotfixFromTag) Meta() Meta {
	return Meta{ID: "REL-HOTFIX-001", Title: "Hotfix branch is cut from the production tag", Section: "§1.26, §2.8.3.1", Criteria: []string{"CC8.1"}, Severity: High}
}

// Evaluate checks f.Hotfix.
func (HotfixFromTag) Evaluate(_ context.Context, f Facts) Result {
	h := f.Hotfix
	if h == nil {
		return na("no hotfix branch")
	}
	if h.ProductionCommit == "" || h.ForkPoint == "" {
		return missing("hotfix production commit or fork point")
	}
	ev := []Evidence{{Kind: "branch", Value: h.Branch}, {Kind: "tag", Value: h.ProductionTag, Note: h.ProductionCommit},
		{Kind: "commit", Value: h.ForkPoint, Note: "fork point"}}
	if !strings.EqualFold(h.ProductionCommit, h.ForkPoint) {
		return fail(fmt.Sprintf("hotfix %s was cut from %s, not from the production tag %s (%s); re-create it with git switch -c %s %s", h.Branch, short(h.ForkPoint), h.ProductionTag, short(h.ProductionCommit), h.Branch, h.ProductionTag), ev...)
	}
	return pass(fmt.Sprintf("hotfix %s is cut from %s", h.Branch, h.ProductionTag), ev...)
}

// ForwardPort (REL-HOTFIX-002) requires every hotfix commit to reach main:
// the same commit, a cherry-pick recording it ("cherry picked from commit
// X"), or a main commit with the same [PatchID].
type ForwardPort struct{}

// Meta describes the control.
func (ForwardPort) Meta() Meta {
	return Meta{ID: "REL-HOTFIX-002", Title: "Every hotfix commit is forward-ported to main", Section: "§1.26", Criteria: []string{"CC8.1"}, Severity: High}
}

// Evaluate checks f.Hotfix.
func (ForwardPort) Evaluate(_ context.Context, f Facts) Result {
	h := f.Hotfix
	if h == nil {
		return na("no hotfix branch")
	}
	if h.Commits == nil || h.Main == nil {
		return missing("hotfix or main commits")
	}
	onMain := map[string]string{}
	for _, m := range h.Main {
		onMain[m.Hash] = "same commit"
		for _, o := range m.CherryPickedFrom {
			onMain[strings.ToLower(o)] = "cherry-picked as " + m.Hash
		}
	}
	byPatch := map[string]string{}
	for _, m := range h.Main {
		if id := h.PatchIDs[m.Hash]; id != "" {
			byPatch[id] = m.Hash
		}
	}
	var ev, bad []Evidence
	for _, c := range h.Commits {
		if len(c.Parents) > 1 {
			continue
		}
		e := Evidence{Kind: "commit", Value: c.Hash}
		if how, ok := onMain[c.Hash]; ok {
			e.Note = how
		} else if m, ok := byPatch[h.PatchIDs[c.Hash]]; ok && h.PatchIDs[c.Hash] != "" {
			e.Note = "same patch as " + m
		} else {
			e.Note = "not on main"
			bad = append(bad, e)
		}
		ev = append(ev, e)
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%d hotfix commit(s) are not on main (%s); forward-port them with git cherry-pick -x", len(bad), joinValues(bad)), ev...)
	}
	return pass(fmt.Sprintf("%d hotfix commit(s) are on main", len(ev)), ev...)
}

// ReleaseCutoff (REL-RELBRANCH-001) forbids feat and breaking commits on a
// release branch after its cutoff (stabilisation only, §1.25). Commit
// times are committer times.
type ReleaseCutoff struct{}

// Meta describes the control.
func (ReleaseCutoff) Meta() Meta {
	return Meta{ID: "REL-RELBRANCH-001", Title: "No features on a release branch after cutoff", Section: "§1.25", Criteria: []string{"CC8.1"}, Severity: Medium}
}

// Evaluate checks f.ReleaseBranch.
func (ReleaseCutoff) Evaluate(_ context.Context, f Facts) Result {
	rb := f.ReleaseBranch
	if rb == nil {
		return na("no release branch")
	}
	if rb.Cutoff.IsZero() {
		return missing("release branch cutoff time")
	}
	var bad []Evidence
	for _, c := range rb.Commits {
		if !c.Committer.When.After(rb.Cutoff) {
			continue
		}
		for _, m := range append([]commits.Message{c.Message}, c.Extra...) {
			if m.Breaking || m.Type == "feat" {
				bad = append(bad, Evidence{Kind: "commit", Value: c.Hash, Note: m.Subject})
				break
			}
		}
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%d feat or breaking commit(s) on %s after its cutoff %s: %s; revert them and land them on main for the next release", len(bad), rb.Name, rb.Cutoff.Format("2006-01-02 15:04 MST"), joinNotes(bad)), bad...)
	}
	return pass(fmt.Sprintf("%d commit(s) on %s, no feature after cutoff", len(rb.Commits), rb.Name))
}

func joinValues(ev []Evidence) string {
	s := make([]string, len(ev))
	for i, e := range ev {
		s[i] = e.Value
	}
	return strings.Join(s, ", ")
}

func joinNotes(ev []Evidence) string {
	s := make([]string, len(ev))
	for i, e := range ev {
		s[i] = short(e.Value) + " " + e.Note
	}
	return strings.Join(s, "; ")
}

func short(h string) string {
	if len(h) == 40 {
		return h[:12]
	}
	return h
}

// interesting reports whether ReadFiles keeps p.
func interesting(p string) bool {
	base := path.Base(p)
	switch base {
	case "CODEOWNERS", "SECURITY.md", "RELEASE.md", "go.mod", "go.sum", "package.json", "package-lock.json",
		"yarn.lock", "pnpm-lock.yaml", "Cargo.toml", "Cargo.lock", "pyproject.toml", "poetry.lock", "uv.lock",
		"requirements.txt", "Gemfile", "Gemfile.lock", "pull_request_template.md", "PULL_REQUEST_TEMPLATE.md":
		return true
	}
	if strings.HasPrefix(base, "Dockerfile") || strings.HasPrefix(base, "Containerfile") {
		return true
	}
	if strings.HasPrefix(p, ".github/workflows/") || p == "flags/registry.yaml" {
		return true
	}
	ext := path.Ext(p)
	return ext == ".yml" || ext == ".yaml"
}

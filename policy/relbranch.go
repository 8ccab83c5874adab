package policy

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// A BranchException is an approved change that lives on a release branch
// only (§1.15.3.3/1: version metadata, "explicitly justified in the
// tracking record"), or a fix applied to the release branch first whose
// forward-port to main is pending (§1.25.4.1/2): the commit, why (Reason),
// who approved it (Approver) and the tracking ticket. Its JSON form:
//
//	{"commit": "4f2a…", "reason": "version bump", "approver": "carol", "ticket": "REL-12"}
type BranchException struct {
	Commit   string `json:"commit"`
	Reason   string `json:"reason"`
	Approver string `json:"approver"`
	Ticket   string `json:"ticket"`
}

// ReadBranchExceptions reads a JSON list of [BranchException]s. Unknown
// fields, duplicate keys, trailing data and an entry without commit,
// reason, approver or ticket are errors.
func ReadBranchExceptions(r io.Reader) ([]BranchException, error) {
	var out []BranchException
	if err := readStrictJSON(r, &out, true); err != nil {
		return nil, fmt.Errorf("policy: parse branch exceptions: %w", err)
	}
	for i, e := range out {
		for _, f := range []struct{ name, v string }{{"commit", e.Commit}, {"reason", e.Reason}, {"approver", e.Approver}, {"ticket", e.Ticket}} {
			if strings.TrimSpace(f.v) == "" {
				return nil, fmt.Errorf("policy: parse branch exceptions: [%d]: missing %s", i, f.name)
			}
		}
	}
	return out, nil
}

// ReleaseBranchFromMain (REL-RELBRANCH-002) requires a release branch to
// be cut from main at the recorded cutoff (§1.14.3/5: after cutoff,
// release/X.Y is cut from main; §1.15.3.1/2: the cutoff commit, its time
// and the Release Captain are recorded). It reads Facts.ReleaseBranch:
// the cutoff commit, cutoff time and captain must be recorded
// (CutoffCommit, Cutoff, Captain), the branch's fork point from main
// (ForkPoint, git merge-base) must be that commit, and no commit of the
// branch after the fork point may predate the cutoff (one that does came
// from another branch, not from main). No release branch: not
// applicable; a fork point or cutoff record not gathered fails with
// [ErrMissingEvidence].
type ReleaseBranchFromMain struct{}

// Meta describes the control.
func (ReleaseBranchFromMain) Meta() Meta {
	return Meta{ID: "REL-RELBRANCH-002", Title: "A release branch is cut from main at the recorded cutoff commit", Section: "§1.14.3, §1.15.3.1", Criteria: []string{"CC8.1"}, Severity: Medium}
}

// Evaluate checks f.ReleaseBranch.
func (ReleaseBranchFromMain) Evaluate(_ context.Context, f Facts) Result {
	rb := f.ReleaseBranch
	if rb == nil {
		return na("no release branch")
	}
	var miss []string
	if rb.ForkPoint == "" {
		miss = append(miss, "the fork point of "+rb.Name+" from main (git merge-base)")
	}
	if rb.CutoffCommit == "" {
		miss = append(miss, "the recorded cutoff commit")
	}
	if rb.Cutoff.IsZero() {
		miss = append(miss, "the recorded cutoff time")
	}
	if rb.Captain == "" {
		miss = append(miss, "the recorded Release Captain")
	}
	if len(miss) > 0 {
		return missing(strings.Join(miss, ", "))
	}
	ev := []Evidence{{Kind: "branch", Value: rb.Name, Note: "captain " + rb.Captain + ", cutoff " + stamp(rb.Cutoff)},
		{Kind: "commit", Value: rb.ForkPoint, Note: "fork point from main"}}
	if !strings.EqualFold(rb.ForkPoint, rb.CutoffCommit) {
		return fail(fmt.Sprintf("%s was cut from %s, not from the recorded cutoff commit %s of main; re-cut it with git switch -c %s %s, or correct the record",
			rb.Name, short(rb.ForkPoint), short(rb.CutoffCommit), rb.Name, rb.CutoffCommit),
			append(ev, Evidence{Kind: "commit", Value: rb.CutoffCommit, Note: "recorded cutoff commit"})...)
	}
	var bad []Evidence
	for _, c := range rb.Commits {
		if c.Committer.When.Before(rb.Cutoff) {
			bad = append(bad, Evidence{Kind: "commit", Value: c.Hash, Note: "committed " + stamp(c.Committer.When) + ", before the cutoff"})
		}
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%d commit(s) of %s predate its cutoff %s and are not on main: %s; cut the branch from main at the cutoff commit and cherry-pick fixes from main",
			len(bad), rb.Name, stamp(rb.Cutoff), joinValues(bad)), append(ev, bad...)...)
	}
	return pass(fmt.Sprintf("%s is cut from main at its recorded cutoff commit %s (captain %s)", rb.Name, short(rb.CutoffCommit), rb.Captain), ev...)
}

// ReleaseFixesOnMain (REL-RELBRANCH-003) requires every fix on a release
// branch to have its counterpart on main (§1.15.3.3/1-3, §1.25.2/3: fixes
// land on main first and are cherry-picked; §1.25.4.1/2: a fix applied to
// the release branch first is forward-ported; §1.15.3.6/1: all
// stabilisation fixes are on main when the branch closes). A commit of
// Facts.ReleaseBranch.Commits (merges aside) has its counterpart when it
// records with a "(cherry picked from commit X)" trailer a commit of main
// after the fork point (ReleaseBranch.Main), when a main commit records it
// so (forward-ported with cherry-pick -x), or when a main commit has the
// same [PatchID]. A commit without one passes only under a
// [BranchException] naming it with reason, approver and ticket, distinct
// from the commit's author (a release-branch-only change). No release
// branch: not applicable; main's commits not gathered: [ErrMissingEvidence].
type ReleaseFixesOnMain struct{}

// Meta describes the control.
func (ReleaseFixesOnMain) Meta() Meta {
	return Meta{ID: "REL-RELBRANCH-003", Title: "Every fix on a release branch has its counterpart on main", Section: "§1.15.3.3, §1.25.2, §1.25.4.1", Criteria: []string{"CC8.1"}, Severity: High}
}

// Evaluate checks f.ReleaseBranch.
func (ReleaseFixesOnMain) Evaluate(_ context.Context, f Facts) Result {
	rb := f.ReleaseBranch
	if rb == nil {
		return na("no release branch")
	}
	if rb.Commits == nil || rb.Main == nil {
		return missing("the commits of " + rb.Name + " and of main after its fork point")
	}
	onMain := map[string]string{}
	picked := map[string]string{}
	byPatch := map[string]string{}
	for _, m := range rb.Main {
		onMain[strings.ToLower(m.Hash)] = m.Hash
		for _, o := range m.CherryPickedFrom {
			picked[strings.ToLower(o)] = m.Hash
		}
		if id := rb.PatchIDs[m.Hash]; id != "" {
			byPatch[id] = m.Hash
		}
	}
	exc := map[string]BranchException{}
	for _, e := range rb.Exceptions {
		exc[strings.ToLower(e.Commit)] = e
	}
	var ev, bad []Evidence
	n := 0
	for _, c := range rb.Commits {
		if len(c.Parents) > 1 {
			continue
		}
		n++
		e := Evidence{Kind: "commit", Value: c.Hash}
		var from string
		for _, o := range c.CherryPickedFrom {
			if h, ok := onMain[strings.ToLower(o)]; ok {
				from = h
				break
			}
		}
		switch {
		case from != "":
			e.Note = "cherry-picked from " + short(from) + " on main"
		case picked[strings.ToLower(c.Hash)] != "":
			e.Note = "forward-ported to main as " + short(picked[strings.ToLower(c.Hash)])
		case rb.PatchIDs[c.Hash] != "" && byPatch[rb.PatchIDs[c.Hash]] != "":
			e.Note = "same patch as " + short(byPatch[rb.PatchIDs[c.Hash]]) + " on main"
		default:
			x, ok := exc[strings.ToLower(c.Hash)]
			switch {
			case !ok:
				e.Note = "no counterpart on main: " + c.Message.Subject
				bad = append(bad, e)
			case x.Reason == "" || x.Approver == "" || x.Ticket == "":
				e.Note = "exception lacks reason, approver or ticket"
				bad = append(bad, e)
			case authorApproved(f, x.Approver, c.Author.Email):
				e.Note = "exception approved by the commit's author " + x.Approver + " (or an invalid identity)"
				bad = append(bad, e)
			default:
				e.Note = "release-branch only, approved by " + x.Approver + " (" + x.Ticket + "): " + x.Reason
			}
		}
		ev = append(ev, e)
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%d commit(s) of %s have no counterpart on main: %s; land each fix on main and cherry-pick it with git cherry-pick -x (or forward-port it the same day), or record an approved exception",
			len(bad), rb.Name, notes(bad)), ev...)
	}
	return pass(fmt.Sprintf("the %d commit(s) of %s have their counterpart on main", n, rb.Name), ev...)
}

// authorApproved reports whether approver may be the author (e-mail)
// of a commit, or an identity does not normalise (fail closed).
func authorApproved(f Facts, approver string, author ...string) bool {
	c, err := conflictsWith(f.People(), approver, author...)
	return c || err != nil
}

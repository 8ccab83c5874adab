package demo

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

// WeeklyWindow is the policy's weekly change window that holds w, a
// record's planned production window: the same weekday and hours, in UTC.
func WeeklyWindow(w manifest.Window) policy.Window {
	return policy.Window{Days: []time.Weekday{w.Start.Weekday()}, Start: w.Start.UTC().Format("15:04"), End: w.End.UTC().Format("15:04"), Zone: "UTC"}
}

// Refusal names the controls that refused a promotion, with their reasons:
// "ID: reason" for each failed control, joined by "; ".
func Refusal(denied *policy.DeniedError) string {
	var why []string
	for _, r := range denied.Report.Results {
		if r.Status == policy.Fail {
			why = append(why, r.Control.ID+": "+r.Reason)
		}
	}
	return strings.Join(why, "; ")
}

// PullRequest is the pull request of a release's commits cs (newest first)
// as the forge reports it: the newest change with a PR number and its
// author's e-mail address, the identity the policy compares (the newest
// commit's when none has one), approved by approvers.
func PullRequest(cs []commits.Commit, approvers ...string) policy.PullRequest {
	pr := policy.PullRequest{Approvers: approvers}
	for i, c := range cs {
		if i == 0 || (c.PR != 0 && pr.Number == 0) {
			pr.Number, pr.Author = c.PR, c.Author.Email
		}
	}
	return pr
}

// Quote prints text indented under a step ("    | " before each line,
// trailing blanks trimmed), as the examples print a PR body or a comment.
func Quote(w io.Writer, text string) {
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		fmt.Fprintln(w, strings.TrimRight("    | "+line, " "))
	}
}

// FastForward moves branch from old to new, as a protected-branch merge of
// an up-to-date PR does, and checks branch out. It fails, moving nothing,
// when branch is not at old.
func FastForward(repo *git.Repository, branch string, old, new plumbing.Hash) error {
	name := plumbing.NewBranchReferenceName(branch)
	if err := repo.Storer.CheckAndSetReference(plumbing.NewHashReference(name, new), plumbing.NewHashReference(name, old)); err != nil {
		return err
	}
	return Checkout(repo, branch, false)
}

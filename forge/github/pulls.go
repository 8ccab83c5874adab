package github

import (
	"context"
	"strings"

	gh "github.com/google/go-github/v75/github"

	"github.com/releasekit/releasekit/forge"
)

// PullRequest returns the facts of pull request number: the pull request,
// its reviews, commits and changed files (every page of each), the checks
// of its head commit (check runs and commit statuses) with whether the
// base branch requires them, and, when it is merged, the merge method
// inferred from the merge commit (see the package documentation).
func (c *Client) PullRequest(ctx context.Context, number int) (forge.PullRequest, error) {
	var p *gh.PullRequest
	err := c.call(ctx, func(ctx context.Context) (r *gh.Response, err error) {
		p, r, err = c.gh.PullRequests.Get(ctx, c.owner, c.repo, number)
		return r, err
	})
	if err != nil {
		return forge.PullRequest{}, err
	}
	pr := forge.PullRequest{Number: p.GetNumber(), URL: p.GetHTMLURL(), State: p.GetState(), Title: p.GetTitle(), Body: p.GetBody(),
		Author: p.GetUser().GetLogin(), Head: p.GetHead().GetRef(), Base: p.GetBase().GetRef(), HeadSHA: p.GetHead().GetSHA(),
		Labels: []string{}, Reviews: []forge.Review{}, Commits: []string{}, Checks: []forge.Check{}, ChangedFiles: []string{}}
	if p.GetMerged() {
		pr.State = forge.StateMerged
		pr.MergeSHA = p.GetMergeCommitSHA()
		pr.MergedAt = p.GetMergedAt().Time
	}
	for _, l := range p.Labels {
		pr.Labels = append(pr.Labels, l.GetName())
	}
	reviews, err := all(ctx, c, func(ctx context.Context, o gh.ListOptions) ([]*gh.PullRequestReview, *gh.Response, error) {
		return c.gh.PullRequests.ListReviews(ctx, c.owner, c.repo, number, &o)
	})
	if err != nil {
		return forge.PullRequest{}, err
	}
	for _, r := range reviews {
		pr.Reviews = append(pr.Reviews, forge.Review{User: r.GetUser().GetLogin(), State: r.GetState(), CommitID: r.GetCommitID(), SubmittedAt: r.GetSubmittedAt().Time})
	}
	commits, err := all(ctx, c, func(ctx context.Context, o gh.ListOptions) ([]*gh.RepositoryCommit, *gh.Response, error) {
		return c.gh.PullRequests.ListCommits(ctx, c.owner, c.repo, number, &o)
	})
	if err != nil {
		return forge.PullRequest{}, err
	}
	for _, cm := range commits {
		pr.Commits = append(pr.Commits, cm.GetSHA())
	}
	files, err := all(ctx, c, func(ctx context.Context, o gh.ListOptions) ([]*gh.CommitFile, *gh.Response, error) {
		return c.gh.PullRequests.ListFiles(ctx, c.owner, c.repo, number, &o)
	})
	if err != nil {
		return forge.PullRequest{}, err
	}
	for _, f := range files {
		// A rename changes both paths (CODEOWNERS of either apply).
		if prev := f.GetPreviousFilename(); prev != "" {
			pr.ChangedFiles = append(pr.ChangedFiles, prev)
		}
		pr.ChangedFiles = append(pr.ChangedFiles, f.GetFilename())
	}
	if pr.Checks, err = c.checks(ctx, pr.HeadSHA, pr.Base); err != nil {
		return forge.PullRequest{}, err
	}
	if pr.State == forge.StateMerged && pr.MergeSHA != "" {
		var mc *gh.Commit
		err := c.call(ctx, func(ctx context.Context) (r *gh.Response, err error) {
			mc, r, err = c.gh.Git.GetCommit(ctx, c.owner, c.repo, pr.MergeSHA)
			return r, err
		})
		if err != nil {
			return forge.PullRequest{}, err
		}
		var last string
		if n := len(commits); n > 0 {
			last = commits[n-1].GetCommit().GetMessage()
		}
		pr.MergeMethod = mergeMethod(len(mc.Parents), pr.MergeSHA, pr.HeadSHA, mc.GetMessage(), last)
	}
	return pr, nil
}

// mergeMethod infers how a pull request was merged from its merge commit
// (the commit GitHub reports as merge_commit_sha): two parents or more is
// "merge"; the head commit itself (a fast-forward) is "rebase"; one
// parent with the message of the pull request's last commit is "rebase"
// (GitHub rebases each commit, keeping its message); any other single
// parent is "squash" (GitHub writes a new message, by default the title
// and "(#N)"). A squash whose message was edited to be exactly the last
// commit's reads as "rebase": both leave one linear commit per change.
func mergeMethod(parents int, mergeSHA, headSHA, mergeMessage, lastMessage string) string {
	switch {
	case parents >= 2:
		return "merge"
	case mergeSHA == headSHA:
		return "rebase"
	case lastMessage != "" && strings.TrimSpace(mergeMessage) == strings.TrimSpace(lastMessage):
		return "rebase"
	default:
		return "squash"
	}
}

// checks returns the checks of commit sha: its check runs (the latest of
// each name) and its commit statuses (the latest of each context), with
// Required set for the names the base branch requires, and a pending
// check for each required name that has not reported.
func (c *Client) checks(ctx context.Context, sha, base string) ([]forge.Check, error) {
	required, err := c.requiredChecks(ctx, base)
	if err != nil {
		return nil, err
	}
	runs, err := all(ctx, c, func(ctx context.Context, o gh.ListOptions) ([]*gh.CheckRun, *gh.Response, error) {
		res, r, err := c.gh.Checks.ListCheckRunsForRef(ctx, c.owner, c.repo, sha, &gh.ListCheckRunsOptions{Filter: gh.Ptr("latest"), ListOptions: o})
		if res == nil {
			return nil, r, err
		}
		return res.CheckRuns, r, err
	})
	if err != nil {
		return nil, err
	}
	statuses, err := all(ctx, c, func(ctx context.Context, o gh.ListOptions) ([]*gh.RepoStatus, *gh.Response, error) {
		cs, r, err := c.gh.Repositories.GetCombinedStatus(ctx, c.owner, c.repo, sha, &o)
		if cs == nil {
			return nil, r, err
		}
		return cs.Statuses, r, err
	})
	if err != nil {
		return nil, err
	}
	return checksOf(runs, statuses, required), nil
}

// checksOf maps check runs and commit statuses to checks, marking those
// required and adding a pending check for each required name that has
// not reported.
func checksOf(runs []*gh.CheckRun, statuses []*gh.RepoStatus, required map[string]bool) []forge.Check {
	out := []forge.Check{}
	seen := map[string]bool{}
	for _, r := range runs {
		out = append(out, forge.Check{Name: r.GetName(), Outcome: runOutcome(r.GetStatus(), r.GetConclusion()), URL: r.GetHTMLURL(), Required: required[r.GetName()]})
		seen[r.GetName()] = true
	}
	for _, s := range statuses {
		out = append(out, forge.Check{Name: s.GetContext(), Outcome: statusOutcome(s.GetState()), URL: s.GetTargetURL(), Required: required[s.GetContext()]})
		seen[s.GetContext()] = true
	}
	for _, name := range sortedKeys(required) {
		if !seen[name] {
			out = append(out, forge.Check{Name: name, Outcome: forge.CheckPending, Required: true})
		}
	}
	return out
}

// runOutcome maps a check run: not completed is pending; success and
// neutral (which GitHub counts as passing) are success; skipped is
// skipped; every other conclusion (failure, cancelled, timed_out,
// action_required, stale, startup_failure) is failure.
func runOutcome(status, conclusion string) string {
	if status != "completed" {
		return forge.CheckPending
	}
	switch conclusion {
	case "success", "neutral":
		return forge.CheckSuccess
	case "skipped":
		return forge.CheckSkipped
	default:
		return forge.CheckFailure
	}
}

// statusOutcome maps a commit status state (success, failure, error,
// pending).
func statusOutcome(state string) string {
	switch state {
	case "success":
		return forge.CheckSuccess
	case "failure":
		return forge.CheckFailure
	case "error":
		return forge.CheckError
	default:
		return forge.CheckPending
	}
}

// requiredChecks returns the status check names the base branch requires:
// those of its classic branch protection, read from "Get a branch" (whose
// protection summary needs only read access, where the protection
// endpoint needs admin), and those of the repository rulesets that apply
// to it ("Get rules for a branch"). A 404 on the rules (a server without
// rulesets) is no rule, not an error; a 404 on the branch is an error.
func (c *Client) requiredChecks(ctx context.Context, base string) (map[string]bool, error) {
	var b *gh.Branch
	err := c.call(ctx, func(ctx context.Context) (r *gh.Response, err error) {
		b, r, err = c.gh.Repositories.GetBranch(ctx, c.owner, c.repo, base, 1)
		return r, err
	})
	if err != nil {
		return nil, err
	}
	rules, err := all(ctx, c, func(ctx context.Context, o gh.ListOptions) ([]*gh.RequiredStatusChecksBranchRule, *gh.Response, error) {
		br, r, err := c.gh.Repositories.GetRulesForBranch(ctx, c.owner, c.repo, base, &o)
		if br == nil {
			return nil, r, err
		}
		return br.RequiredStatusChecks, r, err
	})
	switch {
	case isStatus(err, 404):
	case err != nil:
		return nil, err
	}
	return requiredFrom(b.GetProtection(), rules), nil
}

// requiredFrom returns the names required by a branch protection and by
// ruleset rules.
func requiredFrom(p *gh.Protection, rules []*gh.RequiredStatusChecksBranchRule) map[string]bool {
	req := map[string]bool{}
	if rsc := p.GetRequiredStatusChecks(); rsc != nil {
		if rsc.Contexts != nil {
			for _, n := range *rsc.Contexts {
				req[n] = true
			}
		}
		if rsc.Checks != nil {
			for _, ch := range *rsc.Checks {
				req[ch.Context] = true
			}
		}
	}
	for _, r := range rules {
		for _, ch := range r.Parameters.RequiredStatusChecks {
			req[ch.Context] = true
		}
	}
	return req
}

// FindPullRequest returns the open pull request from head (a branch of
// the repository) into base, and false when there is none.
func (c *Client) FindPullRequest(ctx context.Context, head, base string) (forge.PullRequest, bool, error) {
	var list []*gh.PullRequest
	err := c.call(ctx, func(ctx context.Context) (r *gh.Response, err error) {
		list, r, err = c.gh.PullRequests.List(ctx, c.owner, c.repo, &gh.PullRequestListOptions{State: "open", Head: c.owner + ":" + head, Base: base})
		return r, err
	})
	if err != nil {
		return forge.PullRequest{}, false, err
	}
	for _, p := range list {
		if p.GetHead().GetRef() == head && p.GetBase().GetRef() == base {
			pr, err := c.PullRequest(ctx, p.GetNumber())
			return pr, err == nil, err
		}
	}
	return forge.PullRequest{}, false, nil
}

// OpenPullRequest opens the pull request from r.Head into r.Base, or
// updates the title and body of the open one, then sets its labels to
// r.Labels (when given) and returns its facts.
func (c *Client) OpenPullRequest(ctx context.Context, r forge.NewPullRequest) (forge.PullRequest, error) {
	var list []*gh.PullRequest
	err := c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
		list, resp, err = c.gh.PullRequests.List(ctx, c.owner, c.repo, &gh.PullRequestListOptions{State: "open", Head: c.owner + ":" + r.Head, Base: r.Base})
		return resp, err
	})
	if err != nil {
		return forge.PullRequest{}, err
	}
	number := 0
	for _, p := range list {
		if p.GetHead().GetRef() == r.Head && p.GetBase().GetRef() == r.Base {
			number = p.GetNumber()
			break
		}
	}
	if number != 0 {
		err = c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
			_, resp, err = c.gh.PullRequests.Edit(ctx, c.owner, c.repo, number, &gh.PullRequest{Title: gh.Ptr(r.Title), Body: gh.Ptr(r.Body)})
			return resp, err
		})
	} else {
		err = c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
			var p *gh.PullRequest
			p, resp, err = c.gh.PullRequests.Create(ctx, c.owner, c.repo, &gh.NewPullRequest{Title: gh.Ptr(r.Title), Body: gh.Ptr(r.Body), Head: gh.Ptr(r.Head), Base: gh.Ptr(r.Base)})
			number = p.GetNumber()
			return resp, err
		})
	}
	if err != nil {
		return forge.PullRequest{}, err
	}
	if r.Labels != nil {
		if err := c.SetLabels(ctx, number, r.Labels); err != nil {
			return forge.PullRequest{}, err
		}
	}
	return c.PullRequest(ctx, number)
}

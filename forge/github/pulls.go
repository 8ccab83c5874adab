package github

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"strings"

	gh "github.com/google/go-github/v75/github"

	"github.com/releasekit/releasekit/forge"
)

// PullRequest returns the facts of pull request number: the pull request
// (with the full names of its head and base repositories), its reviews
// (each with whether the reviewer may approve: see the package
// documentation), commits and changed files (every page of each), the
// checks of its head commit (check runs and commit statuses) with whether
// the base branch requires them, and, when it is merged, the merge method
// inferred from the merge commit.
func (c *Client) PullRequest(ctx context.Context, number int) (forge.PullRequest, error) {
	var p *gh.PullRequest
	err := c.call(ctx, func(ctx context.Context) (r *gh.Response, err error) {
		p, r, err = c.gh.PullRequests.Get(ctx, c.owner, c.repo, number)
		return r, err
	})
	if err != nil {
		return forge.PullRequest{}, err
	}
	pr := pullOf(p)
	reviews, err := all(ctx, c, func(ctx context.Context, o gh.ListOptions) ([]*gh.PullRequestReview, *gh.Response, error) {
		return c.gh.PullRequests.ListReviews(ctx, c.owner, c.repo, number, &o)
	})
	if err != nil {
		return forge.PullRequest{}, err
	}
	if pr.Reviews, err = reviewsOf(reviews, func(user string) (bool, error) { return c.mayApprove(ctx, user) }); err != nil {
		return forge.PullRequest{}, err
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

// pullOf maps the pull request itself (not yet its reviews, commits,
// files and checks). The head repository of a pull request whose fork was
// deleted is null: HeadRepository stays empty, and forge.PullRequest.Facts
// reports its head as "unknown-repository:branch".
func pullOf(p *gh.PullRequest) forge.PullRequest {
	pr := forge.PullRequest{Number: p.GetNumber(), URL: p.GetHTMLURL(), State: p.GetState(), Title: p.GetTitle(), Body: p.GetBody(),
		Author: p.GetUser().GetLogin(), Head: p.GetHead().GetRef(), Base: p.GetBase().GetRef(),
		HeadRepository: p.GetHead().GetRepo().GetFullName(), BaseRepository: p.GetBase().GetRepo().GetFullName(), HeadSHA: p.GetHead().GetSHA(),
		Labels: []string{}, Reviews: []forge.Review{}, Commits: []string{}, Checks: []forge.Check{}, ChangedFiles: []string{}}
	if p.GetMerged() {
		pr.State = forge.StateMerged
		pr.MergeSHA = p.GetMergeCommitSHA()
		pr.MergedAt = p.GetMergedAt().Time
	}
	for _, l := range p.Labels {
		pr.Labels = append(pr.Labels, l.GetName())
	}
	return pr
}

// reviewsOf maps reviews, asking mayApprove once for each reviewer (a
// review whose account was deleted has no login and cannot approve).
func reviewsOf(reviews []*gh.PullRequestReview, mayApprove func(user string) (bool, error)) ([]forge.Review, error) {
	out := []forge.Review{}
	asked := map[string]bool{}
	for _, r := range reviews {
		user := r.GetUser().GetLogin()
		can, ok := asked[user]
		if !ok && user != "" {
			var err error
			if can, err = mayApprove(user); err != nil {
				return nil, err
			}
			asked[user] = can
		}
		out = append(out, forge.Review{User: user, State: r.GetState(), CommitID: r.GetCommitID(), SubmittedAt: r.GetSubmittedAt().Time, CanApprove: can})
	}
	return out, nil
}

// mayApprove says whether user may approve pull requests of the
// repository, from "Get repository permissions for a user"
// ([canApprove]).
func (c *Client) mayApprove(ctx context.Context, user string) (bool, error) {
	var lvl *gh.RepositoryPermissionLevel
	err := c.call(ctx, func(ctx context.Context) (r *gh.Response, err error) {
		lvl, r, err = c.gh.Repositories.GetPermissionLevel(ctx, c.owner, c.repo, url.PathEscape(user))
		return r, err
	})
	return canApprove(lvl, err)
}

// canApprove decides from the answer to "Get repository permissions for
// a user" (lvl, or the call's error) whether the user may approve: only
// the collaborator permission write, maintain or admin does ("maintain"
// on servers that report it there; GitHub reports the maintain role as
// "write" and triage as "read"). A 404 (not a collaborator, a deleted or
// bot account) or a 403 (the token may not read permissions) is false: an
// approval whose standing is unknown does not count. Any other refusal
// is the error.
func canApprove(lvl *gh.RepositoryPermissionLevel, err error) (bool, error) {
	switch {
	case isStatus(err, 404) || isStatus(err, 403):
		return false, nil
	case err != nil:
		return false, err
	}
	switch lvl.GetPermission() {
	case "admin", "maintain", "write":
		return true, nil
	default:
		return false, nil
	}
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
// Required set on those that satisfy a requirement of the base branch,
// and a pending required check for each requirement nothing satisfies.
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

// requirements are the status checks a branch requires: for each name,
// the IDs of the GitHub Apps that must report it (sorted, each once), or
// none when any source may (app_id null or -1).
type requirements map[string][]int64

// add requires name, from the app appID when it is set and not -1.
func (req requirements) add(name string, appID *int64) {
	apps := req[name]
	if appID != nil && *appID > 0 && !slices.Contains(apps, *appID) {
		apps = append(apps, *appID)
		slices.Sort(apps)
	}
	if apps == nil {
		apps = []int64{}
	}
	req[name] = apps
}

// satisfiedBy says whether a check run of name from the app appID, or a
// commit status of name (appID 0: statuses come from no app), meets the
// requirement of name: any report when no app is bound; when apps are
// bound (by the protection and by rulesets, each of which GitHub
// enforces), only a check run of one of them, so that a commit status or
// another app's run of the same name, which anyone with access to
// statuses or any installed app can post, is never taken for it.
func (req requirements) satisfiedBy(name string, appID int64) bool {
	apps, ok := req[name]
	return ok && (len(apps) == 0 || appID != 0 && slices.Contains(apps, appID))
}

// checksOf maps check runs and commit statuses to checks, marking
// Required those that satisfy a requirement, and adds a pending required
// check for each requirement none satisfies: a required name whose
// bound app has not reported reads as pending, whatever else reported
// under the name (forge.PullRequest.Facts keeps the worst outcome of a
// name).
func checksOf(runs []*gh.CheckRun, statuses []*gh.RepoStatus, required requirements) []forge.Check {
	out := []forge.Check{}
	met := map[string][]int64{} // the apps (0: any source) that reported each required name
	for _, r := range runs {
		name, app := r.GetName(), r.GetApp().GetID()
		ok := required.satisfiedBy(name, app)
		out = append(out, forge.Check{Name: name, Outcome: runOutcome(r.GetStatus(), r.GetConclusion()), URL: r.GetHTMLURL(), Required: ok})
		if ok {
			met[name] = append(met[name], app)
		}
	}
	for _, s := range statuses {
		name := s.GetContext()
		ok := required.satisfiedBy(name, 0)
		out = append(out, forge.Check{Name: name, Outcome: statusOutcome(s.GetState()), URL: s.GetTargetURL(), Required: ok})
		if ok {
			met[name] = append(met[name], 0)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(required)) {
		apps := required[name]
		missing := len(met[name]) == 0
		for _, app := range apps {
			missing = missing || !slices.Contains(met[name], app)
		}
		if missing {
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

// requiredChecks returns the status checks the base branch requires, and
// the apps bound to them: those of its classic branch protection, read
// from "Get a branch" (whose protection summary needs only read access,
// where the protection endpoint needs admin), and those of the repository
// rulesets that apply to it ("Get rules for a branch"). A 404 on the
// rules (a server without rulesets) is no rule, not an error; a 404 on
// the branch is an error.
func (c *Client) requiredChecks(ctx context.Context, base string) (requirements, error) {
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

// requiredFrom returns the checks required by a branch protection (the
// names in contexts, and in checks with the app_id bound to each) and by
// ruleset rules (with their integration_id).
func requiredFrom(p *gh.Protection, rules []*gh.RequiredStatusChecksBranchRule) requirements {
	req := requirements{}
	if rsc := p.GetRequiredStatusChecks(); rsc != nil {
		if rsc.Contexts != nil {
			for _, n := range *rsc.Contexts {
				req.add(n, nil)
			}
		}
		if rsc.Checks != nil {
			for _, ch := range *rsc.Checks {
				req.add(ch.Context, ch.AppID)
			}
		}
	}
	for _, r := range rules {
		for _, ch := range r.Parameters.RequiredStatusChecks {
			req.add(ch.Context, ch.IntegrationID)
		}
	}
	return req
}

// sameRepoHead says whether p is from the branch head of the repository
// itself (not of a fork, whose branch may have the same name) into base.
func sameRepoHead(p *gh.PullRequest, head, base string) bool {
	hr := p.GetHead().GetRepo().GetFullName()
	return p.GetHead().GetRef() == head && p.GetBase().GetRef() == base && hr != "" && strings.EqualFold(hr, p.GetBase().GetRepo().GetFullName())
}

// FindPullRequest returns the open pull request from head (a branch of
// the repository, never of a fork) into base, and false when there is
// none.
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
		if sameRepoHead(p, head, base) {
			pr, err := c.PullRequest(ctx, p.GetNumber())
			return pr, err == nil, err
		}
	}
	return forge.PullRequest{}, false, nil
}

// OpenPullRequest opens the pull request from r.Head into r.Base, or
// updates the title and body of the open one from the repository's own
// branch (a fork's pull request from a branch of the same name is never
// taken), then sets its labels to r.Labels (when given) and returns its
// facts.
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
		if sameRepoHead(p, r.Head, r.Base) {
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

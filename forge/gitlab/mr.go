package gitlab

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/releasekit/releasekit/forge"
	"github.com/releasekit/releasekit/policy"
)

// PullRequest returns the facts of merge request number (its IID): the
// merge request, its approvals and reviewers, its commits and changed
// paths (every page), and the commit statuses of its head commit.
//
// BaseRepository is the project's path (GET /projects/:id, read once).
// HeadRepository is the same when the source project is the target
// project; for a merge request from a fork it is the source project's
// path (GET /projects/:source_project_id), or "" when the token may not
// read it.
//
// An approval may count (Review.CanApprove) only when its user is a
// member of the project with at least the Developer role
// (GET /projects/:id/members/all/:user_id, once a user and call): an
// approval by a user who is no member, or a Guest or Reporter, counts
// for nothing.
//
// GitLab's approvals name who approved, not the commit approved. An
// approval is one of the head only when that is proven: the project
// resets approvals on push (its approval settings say
// reset_approvals_on_push), or the approval was given after the head
// was pushed (the newest diff version of the merge request whose head is
// the head commit was created before it). Otherwise (settings not
// readable, approvals kept on push, no such version) the approval is
// kept with no commit, and no policy counts it as an approval of the
// head.
func (c *Client) PullRequest(ctx context.Context, number int) (forge.PullRequest, error) {
	iid := int64(number)
	var mr *gl.MergeRequest
	err := c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
		mr, r, err = c.gl.MergeRequests.GetMergeRequest(c.project, iid, nil, opt)
		return r, err
	})
	if err != nil {
		return forge.PullRequest{}, err
	}
	pr := forge.PullRequest{Number: int(mr.IID), URL: mr.WebURL, State: mrState(mr.State), Title: mr.Title, Body: mr.Description,
		Head: mr.SourceBranch, Base: mr.TargetBranch, HeadSHA: mr.SHA, Labels: append([]string{}, mr.Labels...),
		Reviews: []forge.Review{}, Commits: []string{}, Checks: []forge.Check{}, ChangedFiles: []string{}}
	if pr.HeadRepository, pr.BaseRepository, err = c.repositories(ctx, mr); err != nil {
		return forge.PullRequest{}, err
	}
	if mr.Author != nil {
		pr.Author = mr.Author.Username
	}
	if pr.State == forge.StateMerged {
		pr.MergeMethod, pr.MergeSHA = mergeMethod(mr.Squash, mr.SquashCommitSHA, mr.MergeCommitSHA, mr.SHA)
		if mr.MergedAt != nil {
			pr.MergedAt = *mr.MergedAt
		}
	}
	var ap *gl.MergeRequestApprovals
	err = c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
		ap, r, err = c.gl.MergeRequestApprovals.GetConfiguration(c.project, iid, opt)
		return r, err
	})
	if err != nil {
		return forge.PullRequest{}, err
	}
	var reviewers []*gl.MergeRequestReviewer
	err = c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
		reviewers, r, err = c.gl.MergeRequests.GetMergeRequestReviewers(c.project, iid, opt)
		return r, err
	})
	if err != nil {
		return forge.PullRequest{}, err
	}
	at, err := c.approvalsAt(ctx, iid, ap, mr.SHA)
	if err != nil {
		return forge.PullRequest{}, err
	}
	may := map[int64]bool{}
	if ap != nil {
		for _, a := range ap.ApprovedBy {
			if a == nil || a.User == nil {
				continue
			}
			if _, err := c.mayApprove(ctx, a.User.ID, may); err != nil {
				return forge.PullRequest{}, err
			}
		}
	}
	pr.Reviews = reviews(ap, reviewers, mr.SHA, at, may)
	commits, err := all(ctx, c, func(o gl.ListOptions, opt gl.RequestOptionFunc) ([]*gl.Commit, *gl.Response, error) {
		return c.gl.MergeRequests.GetMergeRequestCommits(c.project, iid, &gl.GetMergeRequestCommitsOptions{ListOptions: o}, opt)
	})
	if err != nil {
		return forge.PullRequest{}, err
	}
	// GitLab lists a merge request's commits newest first.
	for _, cm := range slices.Backward(commits) {
		pr.Commits = append(pr.Commits, cm.ID)
	}
	diffs, err := all(ctx, c, func(o gl.ListOptions, opt gl.RequestOptionFunc) ([]*gl.MergeRequestDiff, *gl.Response, error) {
		return c.gl.MergeRequests.ListMergeRequestDiffs(c.project, iid, &gl.ListMergeRequestDiffsOptions{ListOptions: o}, opt)
	})
	if err != nil {
		return forge.PullRequest{}, err
	}
	for _, d := range diffs {
		if d.OldPath != "" && d.OldPath != d.NewPath {
			pr.ChangedFiles = append(pr.ChangedFiles, d.OldPath)
		}
		pr.ChangedFiles = append(pr.ChangedFiles, d.NewPath)
	}
	if mr.SHA != "" {
		statuses, err := all(ctx, c, func(o gl.ListOptions, opt gl.RequestOptionFunc) ([]*gl.CommitStatus, *gl.Response, error) {
			return c.gl.Commits.GetCommitStatuses(c.project, mr.SHA, &gl.GetCommitStatusesOptions{ListOptions: o}, opt)
		})
		if err != nil {
			return forge.PullRequest{}, err
		}
		for _, s := range statuses {
			pr.Checks = append(pr.Checks, forge.Check{Name: s.Name, Outcome: statusOutcome(s.Status), URL: s.TargetURL})
		}
	}
	return pr, nil
}

// mrState maps GitLab's states (opened, closed, merged, locked).
func mrState(s string) string {
	switch s {
	case "merged":
		return forge.StateMerged
	case "closed":
		return forge.StateClosed
	default:
		return forge.StateOpen
	}
}

// mergeMethod maps how a merged request was merged, and the commit the
// merge made on the target branch: the squash flag is "squash" (the
// squash commit, or the merge commit made over it); a merge commit is
// "merge"; neither (a fast-forward merge, the head itself on the target
// branch) is "rebase".
func mergeMethod(squash bool, squashSHA, mergeSHA, headSHA string) (method, sha string) {
	switch {
	case squash:
		if mergeSHA != "" {
			return "squash", mergeSHA
		}
		return "squash", squashSHA
	case mergeSHA != "":
		return "merge", mergeSHA
	default:
		return "rebase", headSHA
	}
}

// An approvalTime says which approvals are of the head: all of them when
// the project resets approvals on push, else those given after since
// (none when since is zero).
type approvalTime struct {
	reset bool
	since time.Time
}

func (a approvalTime) ofHead(approved *time.Time) bool {
	return a.reset || (!a.since.IsZero() && approved != nil && approved.After(a.since))
}

// approvalsAt reads what proves an approval is of the head (see
// [Client.PullRequest]): the project's reset_approvals_on_push and, when
// approvals are kept on push, when head was pushed. Settings the token
// may not read (404, 403: GitLab Free, a narrow token) count as approvals
// kept on push.
func (c *Client) approvalsAt(ctx context.Context, iid int64, ap *gl.MergeRequestApprovals, head string) (approvalTime, error) {
	if ap == nil || len(ap.ApprovedBy) == 0 || head == "" {
		return approvalTime{}, nil
	}
	var settings *gl.ProjectApprovals
	err := c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
		settings, r, err = c.gl.Projects.GetApprovalConfiguration(c.project, opt)
		return r, err
	})
	switch {
	case err == nil:
		if settings != nil && settings.ResetApprovalsOnPush {
			return approvalTime{reset: true}, nil
		}
	case isStatus(err, http.StatusNotFound) || isStatus(err, http.StatusForbidden):
	default:
		return approvalTime{}, err
	}
	versions, err := all(ctx, c, func(o gl.ListOptions, opt gl.RequestOptionFunc) ([]*gl.MergeRequestDiffVersion, *gl.Response, error) {
		return c.gl.MergeRequests.GetMergeRequestDiffVersions(c.project, iid, &gl.GetMergeRequestDiffVersionsOptions{ListOptions: o}, opt)
	})
	if err != nil {
		return approvalTime{}, err
	}
	var at approvalTime
	for _, v := range versions {
		if v != nil && v.HeadCommitSHA == head && v.CreatedAt != nil && v.CreatedAt.After(at.since) {
			at.since = *v.CreatedAt
		}
	}
	return at, nil
}

// reviews maps the approvals and the reviewers' states to reviews.
// GitLab's approvals API gives who approved, not the commit approved: an
// approval is taken as of head only when at proves it (the project resets
// approvals on push, or the approval came after head was pushed); any
// other approval has no CommitID, so it is no approval of the head. An
// approval may count (CanApprove) only when may says so of its user's
// ID. A reviewer whose state is requested_changes gives a
// CHANGES_REQUESTED review, of head.
func reviews(ap *gl.MergeRequestApprovals, reviewers []*gl.MergeRequestReviewer, head string, at approvalTime, may map[int64]bool) []forge.Review {
	out := []forge.Review{}
	if ap != nil {
		for _, a := range ap.ApprovedBy {
			if a == nil || a.User == nil {
				continue
			}
			r := forge.Review{User: a.User.Username, State: policy.ReviewApproved, CanApprove: may[a.User.ID]}
			if at.ofHead(a.ApprovedAt) {
				r.CommitID = head
			}
			if a.ApprovedAt != nil {
				r.SubmittedAt = *a.ApprovedAt
			}
			out = append(out, r)
		}
	}
	for _, rv := range reviewers {
		if rv == nil || rv.User == nil || rv.State != "requested_changes" {
			continue
		}
		r := forge.Review{User: rv.User.Username, State: policy.ReviewChangesRequested, CommitID: head}
		if rv.CreatedAt != nil {
			r.SubmittedAt = *rv.CreatedAt
		}
		out = append(out, r)
	}
	return out
}

// statusOutcome maps a commit (job) status.
func statusOutcome(s string) string {
	switch s {
	case "success":
		return forge.CheckSuccess
	case "failed", "canceled":
		return forge.CheckFailure
	case "skipped":
		return forge.CheckSkipped
	default: // created, waiting_for_resource, preparing, pending, running, manual, scheduled
		return forge.CheckPending
	}
}

// FindPullRequest returns the open merge request from the project's
// own branch head into base. GitLab lists the merge requests from forks
// too: one whose source project is not its target project, or that
// names either as 0 (no answer), is never taken for it.
func (c *Client) FindPullRequest(ctx context.Context, head, base string) (forge.PullRequest, bool, error) {
	iid, err := c.findOpen(ctx, head, base)
	if err != nil || iid == 0 {
		return forge.PullRequest{}, false, err
	}
	pr, err := c.PullRequest(ctx, int(iid))
	return pr, err == nil, err
}

// findOpen returns the IID of the open merge request from head into base
// within the project, or 0. A fork's merge request from a branch of the
// same name is skipped (its source_project_id is not its
// target_project_id), and so is one that names no project (0): a fork's
// merge request is never rewritten as the project's own.
func (c *Client) findOpen(ctx context.Context, head, base string) (int64, error) {
	var list []*gl.BasicMergeRequest
	err := c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
		list, r, err = c.gl.MergeRequests.ListProjectMergeRequests(c.project, &gl.ListProjectMergeRequestsOptions{State: gl.Ptr("opened"),
			SourceBranch: gl.Ptr(head), TargetBranch: gl.Ptr(base)}, opt)
		return r, err
	})
	if err != nil {
		return 0, err
	}
	for _, m := range list {
		if m == nil || m.SourceProjectID == 0 || m.SourceProjectID != m.TargetProjectID {
			continue
		}
		if m.SourceBranch == head && m.TargetBranch == base {
			return m.IID, nil
		}
	}
	return 0, nil
}

// OpenPullRequest opens the merge request from r.Head into r.Base with
// r.Labels, or updates the title, description and labels of the open one
// from the project's own branch (GitLab creates labels it does not
// have). A fork's merge request from a branch of the same name is left
// alone: a new one is opened beside it.
func (c *Client) OpenPullRequest(ctx context.Context, r forge.NewPullRequest) (forge.PullRequest, error) {
	iid, err := c.findOpen(ctx, r.Head, r.Base)
	if err != nil {
		return forge.PullRequest{}, err
	}
	var labels *gl.LabelOptions
	if r.Labels != nil {
		l := gl.LabelOptions(r.Labels)
		labels = &l
	}
	if iid != 0 {
		err = c.call(ctx, func(opt gl.RequestOptionFunc) (resp *gl.Response, err error) {
			_, resp, err = c.gl.MergeRequests.UpdateMergeRequest(c.project, iid, &gl.UpdateMergeRequestOptions{Title: gl.Ptr(r.Title),
				Description: gl.Ptr(r.Body), Labels: labels}, opt)
			return resp, err
		})
	} else {
		err = c.call(ctx, func(opt gl.RequestOptionFunc) (resp *gl.Response, err error) {
			var mr *gl.MergeRequest
			mr, resp, err = c.gl.MergeRequests.CreateMergeRequest(c.project, &gl.CreateMergeRequestOptions{Title: gl.Ptr(r.Title),
				Description: gl.Ptr(r.Body), SourceBranch: gl.Ptr(r.Head), TargetBranch: gl.Ptr(r.Base), Labels: labels}, opt)
			if mr != nil {
				iid = mr.IID
			}
			return resp, err
		})
	}
	if err != nil {
		return forge.PullRequest{}, err
	}
	return c.PullRequest(ctx, int(iid))
}

// SetLabels sets the labels of merge request number (GitLab numbers
// issues and merge requests apart: number is a merge request's IID).
// GitLab creates the labels the project does not have.
func (c *Client) SetLabels(ctx context.Context, number int, labels []string) error {
	l := gl.LabelOptions(labels)
	if l == nil {
		l = gl.LabelOptions{}
	}
	return c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
		_, r, err = c.gl.MergeRequests.UpdateMergeRequest(c.project, int64(number), &gl.UpdateMergeRequestOptions{Labels: &l}, opt)
		return r, err
	})
}

// Comment adds a note to merge request number (its IID).
func (c *Client) Comment(ctx context.Context, number int, body string) (forge.Comment, error) {
	var n *gl.Note
	err := c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
		n, r, err = c.gl.Notes.CreateMergeRequestNote(c.project, int64(number), &gl.CreateMergeRequestNoteOptions{Body: gl.Ptr(body)}, opt)
		return r, err
	})
	if err != nil {
		return forge.Comment{}, err
	}
	return forge.Comment{ID: n.ID, URL: c.webURL(fmt.Sprintf("/%s/-/merge_requests/%d#note_%d", c.projectPath(), number, n.ID))}, nil
}

// webURL is path on the GitLab instance's web host.
func (c *Client) webURL(path string) string {
	u := *c.gl.BaseURL()
	u.Path, u.RawPath, u.RawQuery = "", "", ""
	return strings.TrimSuffix(u.String(), "/") + path
}

// projectPath is the project's path as given (an ID gives "projects/ID").
func (c *Client) projectPath() string {
	if _, err := fmt.Sscanf(c.project, "%d", new(int)); err == nil && !strings.Contains(c.project, "/") {
		return "projects/" + url.PathEscape(c.project)
	}
	return c.project
}

package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/releasekit/releasekit/forge"
)

// minApproverAccess is the least role whose approval [Client.PullRequest]
// reports as one that may approve (Review.CanApprove): Developer (30),
// the least role that can push to and merge into the project's
// branches.
const minApproverAccess = gl.DeveloperPermissions

// projectFullPath returns the path of the client's project ("group/name",
// GitLab's path_with_namespace), reading it (GET /projects/:id) on the
// first call; a failed read is not kept.
func (c *Client) projectFullPath(ctx context.Context) (string, error) {
	c.mu.Lock()
	p := c.path
	c.mu.Unlock()
	if p != "" {
		return p, nil
	}
	var pr *gl.Project
	err := c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
		pr, r, err = c.gl.Projects.GetProject(c.project, nil, opt)
		return r, err
	})
	if err != nil {
		return "", err
	}
	if pr == nil || pr.PathWithNamespace == "" {
		return "", &forge.APIError{Forge: "gitlab", Method: http.MethodGet, Path: "/api/v4/projects/" + url.PathEscape(c.project), Status: http.StatusOK,
			Message: "the project has no path_with_namespace", Err: forge.ErrUnavailable}
	}
	c.mu.Lock()
	c.path = pr.PathWithNamespace
	c.mu.Unlock()
	return pr.PathWithNamespace, nil
}

// repositories returns the full paths of the repositories (projects) of
// a merge request's source and target branches. The target is the
// client's project. A source in the same project has its path; a source
// in another project (a fork) has that project's path
// (GET /projects/:source_project_id), or "" when the token may not read
// it (404, 403) or the merge request names no source project: an unknown
// head repository, which forge.PullRequest.Facts never takes for the
// project's own.
func (c *Client) repositories(ctx context.Context, mr *gl.MergeRequest) (head, base string, err error) {
	base, err = c.projectFullPath(ctx)
	if err != nil {
		return "", "", err
	}
	switch {
	case mr.SourceProjectID == 0 || mr.TargetProjectID == 0:
		return "", base, nil
	case mr.SourceProjectID == mr.TargetProjectID:
		return base, base, nil
	}
	var src *gl.Project
	err = c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
		src, r, err = c.gl.Projects.GetProject(mr.SourceProjectID, nil, opt)
		return r, err
	})
	switch {
	case isStatus(err, http.StatusNotFound) || isStatus(err, http.StatusForbidden):
		return "", base, nil
	case err != nil:
		return "", "", err
	case src == nil:
		return "", base, nil
	}
	return src.PathWithNamespace, base, nil
}

// mayApprove reports whether user (an ID) is a member of the project,
// directly, through its groups or an invited group
// (GET /projects/:id/members/all/:user_id), with at least
// [minApproverAccess]. A user who is no member (404) may not approve;
// any other failure fails the call. known caches the answers of one
// call.
func (c *Client) mayApprove(ctx context.Context, user int64, known map[int64]bool) (bool, error) {
	if ok, seen := known[user]; seen {
		return ok, nil
	}
	if user <= 0 {
		return false, nil
	}
	var m *gl.ProjectMember
	err := c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
		m, r, err = c.gl.ProjectMembers.GetInheritedProjectMember(c.project, user, opt)
		return r, err
	})
	switch {
	case isStatus(err, http.StatusNotFound):
		known[user] = false
		return false, nil
	case err != nil:
		return false, err
	}
	ok := m != nil && m.ID == user && m.AccessLevel >= minApproverAccess
	known[user] = ok
	return ok, nil
}

// ErrUnknownUser is wrapped by the *forge.APIError of a write that must
// know whose token it has ([Client.UpsertIssue]) when GitLab does not
// say (GET /user refused or answered without a user): a CI job token,
// which may not read its user, cannot keep an issue report.
var ErrUnknownUser = errors.New("gitlab: the token's user is unknown")

// self returns the token's user (GET /user), read on the first call; a
// failed read is not kept. A refusal or an answer without a user is an
// *forge.APIError wrapping [ErrUnknownUser] and the error of its status.
func (c *Client) self(ctx context.Context) (*gl.User, error) {
	c.mu.Lock()
	me := c.me
	c.mu.Unlock()
	if me != nil {
		return me, nil
	}
	err := c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
		me, r, err = c.gl.Users.CurrentUser(opt)
		return r, err
	})
	why := "issue reports need a token that can read its user (GET /user)"
	if c.job {
		why += "; a CI job token cannot: use a project, group or personal access token"
	}
	if err != nil {
		var ae *forge.APIError
		if !errors.As(err, &ae) {
			return nil, fmt.Errorf("%w: %s: %w", ErrUnknownUser, why, err)
		}
		e := *ae
		e.Message = fmt.Sprintf("%s: %s", ae.Message, why)
		e.Err = errors.Join(ErrUnknownUser, ae.Err)
		return nil, &e
	}
	if me == nil || me.ID <= 0 {
		return nil, &forge.APIError{Forge: "gitlab", Method: http.MethodGet, Path: "/api/v4/user", Status: http.StatusOK,
			Message: "the answer names no user: " + why, Err: errors.Join(ErrUnknownUser, forge.ErrUnauthorized)}
	}
	c.mu.Lock()
	c.me = me
	c.mu.Unlock()
	return me, nil
}

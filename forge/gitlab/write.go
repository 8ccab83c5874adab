package gitlab

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/releasekit/releasekit/forge"
)

// CreateRelease publishes the release of r.Tag: it gets the release of the
// tag first and creates it only on a 404; a release that exists is kept as
// it is (Existed set). Each asset the release lacks (by link name) is
// uploaded to the project (POST /projects/:id/uploads) and linked to the
// release (a release link of type "other").
//
// The tag must exist: before a release is created the tag is read
// (GET repository/tags/:tag), and a missing tag is the *forge.APIError
// of that 404, wrapping forge.ErrNotFound, with nothing created. The
// release is created without a ref, so GitLab itself refuses to make the
// tag should it vanish meanwhile.
func (c *Client) CreateRelease(ctx context.Context, r forge.NewRelease) (forge.Release, error) {
	if r.Tag == "" {
		return forge.Release{}, fmt.Errorf("%w: gitlab: a release needs a tag", forge.ErrInvalid)
	}
	var rel *gl.Release
	existed := true
	err := c.call(ctx, func(opt gl.RequestOptionFunc) (resp *gl.Response, err error) {
		rel, resp, err = c.gl.Releases.GetRelease(c.project, r.Tag, opt)
		return resp, err
	})
	if isStatus(err, 404) {
		existed = false
		err = c.call(ctx, func(opt gl.RequestOptionFunc) (resp *gl.Response, err error) {
			_, resp, err = c.gl.Tags.GetTag(c.project, r.Tag, opt)
			return resp, err
		})
		if err != nil {
			return forge.Release{}, err
		}
		err = c.call(ctx, func(opt gl.RequestOptionFunc) (resp *gl.Response, err error) {
			rel, resp, err = c.gl.Releases.CreateRelease(c.project, &gl.CreateReleaseOptions{TagName: gl.Ptr(r.Tag), Name: gl.Ptr(r.Name),
				Description: gl.Ptr(r.Notes)}, opt)
			return resp, err
		})
	}
	if err != nil {
		return forge.Release{}, err
	}
	for _, a := range r.Assets {
		if slices.ContainsFunc(rel.Assets.Links, func(l *gl.ReleaseLink) bool { return l != nil && l.Name == a.Name }) {
			continue
		}
		var up *gl.ProjectMarkdownUploadedFile
		err := c.call(ctx, func(opt gl.RequestOptionFunc) (resp *gl.Response, err error) {
			up, resp, err = c.gl.ProjectMarkdownUploads.UploadProjectMarkdown(c.project, bytes.NewReader(a.Data), a.Name, opt)
			return resp, err
		})
		if err != nil {
			return forge.Release{}, fmt.Errorf("upload asset %s: %w", a.Name, err)
		}
		link := up.FullPath
		if link == "" {
			link = up.URL
		}
		err = c.call(ctx, func(opt gl.RequestOptionFunc) (resp *gl.Response, err error) {
			_, resp, err = c.gl.ReleaseLinks.CreateReleaseLink(c.project, r.Tag, &gl.CreateReleaseLinkOptions{Name: gl.Ptr(a.Name),
				URL: gl.Ptr(c.webURL(link)), LinkType: gl.Ptr(gl.OtherLinkType)}, opt)
			return resp, err
		})
		if err != nil {
			return forge.Release{}, fmt.Errorf("link asset %s: %w", a.Name, err)
		}
	}
	url := c.webURL(fmt.Sprintf("/%s/-/releases/%s", c.projectPath(), rel.TagName))
	if rel.Links.Self != "" {
		url = rel.Links.Self
	}
	return forge.Release{Tag: rel.TagName, URL: url, Existed: existed}, nil
}

// SetCommitStatus sets a commit status (an external job status) on sha:
// failure and error are GitLab's "failed".
func (c *Client) SetCommitStatus(ctx context.Context, sha string, s forge.CommitStatus) error {
	o := &gl.SetCommitStatusOptions{State: buildState(s.State), Name: gl.Ptr(s.Context)}
	if s.Description != "" {
		o.Description = gl.Ptr(s.Description)
	}
	if s.URL != "" {
		o.TargetURL = gl.Ptr(s.URL)
	}
	return c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
		_, r, err = c.gl.Commits.SetCommitStatus(c.project, sha, o, opt)
		return r, err
	})
}

func buildState(s string) gl.BuildStateValue {
	switch s {
	case forge.CheckSuccess:
		return gl.Success
	case forge.CheckFailure, forge.CheckError:
		return gl.Failed
	case forge.CheckSkipped:
		return gl.Canceled
	default:
		return gl.Pending
	}
}

// SetDeploymentStatus records the deployment of d.Ref to d.Environment
// and its status. GitLab's API takes running, success, failed and
// canceled: in_progress and queued are both running (GitLab has no queued
// status to set), failure is failed; any other state is refused with
// forge.ErrInvalid before anything is sent. The ref is resolved to its
// commit (GET repository/commits/:ref). A deployment of that ref and
// commit to the environment still running (GET deployments, status
// running) is updated to the status; otherwise a deployment is created
// with it, marked a tag when the ref is one (GET repository/tags/:ref; a
// 404 there: a branch).
func (c *Client) SetDeploymentStatus(ctx context.Context, d forge.DeploymentStatus) error {
	st, err := deployStatus(d.State)
	if err != nil {
		return err
	}
	var cm *gl.Commit
	err = c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
		cm, r, err = c.gl.Commits.GetCommit(c.project, d.Ref, nil, opt)
		return r, err
	})
	if err != nil {
		return err
	}
	running, err := all(ctx, c, func(o gl.ListOptions, opt gl.RequestOptionFunc) ([]*gl.Deployment, *gl.Response, error) {
		return c.gl.Deployments.ListProjectDeployments(c.project, &gl.ListProjectDeploymentsOptions{ListOptions: o,
			Environment: gl.Ptr(d.Environment), Status: gl.Ptr(string(gl.DeploymentStatusRunning)), OrderBy: gl.Ptr("id"), Sort: gl.Ptr("desc")}, opt)
	})
	if err != nil {
		return err
	}
	for _, dep := range running {
		// The list is filtered by status and environment: check both here
		// too, so a server that ignores a filter cannot make another
		// deployment's status change.
		if dep == nil || dep.Ref != d.Ref || dep.SHA != cm.ID || dep.Status != string(gl.DeploymentStatusRunning) ||
			dep.Environment == nil || dep.Environment.Name != d.Environment {
			continue
		}
		return c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
			_, r, err = c.gl.Deployments.UpdateProjectDeployment(c.project, dep.ID, &gl.UpdateProjectDeploymentOptions{Status: &st}, opt)
			return r, err
		})
	}
	tag := true
	err = c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
		_, r, err = c.gl.Tags.GetTag(c.project, d.Ref, opt)
		return r, err
	})
	switch {
	case isStatus(err, 404):
		tag = false
	case err != nil:
		return err
	}
	return c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
		_, r, err = c.gl.Deployments.CreateProjectDeployment(c.project, &gl.CreateProjectDeploymentOptions{Environment: gl.Ptr(d.Environment),
			Ref: gl.Ptr(d.Ref), SHA: gl.Ptr(cm.ID), Tag: gl.Ptr(tag), Status: &st}, opt)
		return r, err
	})
}

// deployStatus maps a forge deployment state to the status GitLab's API
// takes (running, success, failed, canceled).
func deployStatus(s string) (gl.DeploymentStatusValue, error) {
	switch s {
	case forge.DeploySuccess:
		return gl.DeploymentStatusSuccess, nil
	case forge.DeployFailure:
		return gl.DeploymentStatusFailed, nil
	case forge.DeployInProgress, forge.DeployQueued:
		return gl.DeploymentStatusRunning, nil
	default:
		return "", fmt.Errorf("%w: gitlab: deployment state %q is none of success, failure, in_progress, queued", forge.ErrInvalid, s)
	}
}

// UpsertIssue updates the description of the open issue titled exactly
// i.Title that the token's user opened (searched among the open issues
// with all of i.Labels, every page), or opens the issue with i.Labels.
// An issue with the title that someone else opened is left alone: its
// author could edit the report at will. The token's user is read once
// (GET /user); when GitLab does not say who it is (a CI job token may
// not read its user) the call fails, before anything is written, with a
// *forge.APIError wrapping [ErrUnknownUser].
func (c *Client) UpsertIssue(ctx context.Context, i forge.NewIssue) (forge.Issue, error) {
	// Forges trim the title of the issue they create: the title looked
	// for is the one kept, or the bot would open a new issue on every run.
	i.Title = strings.TrimSpace(i.Title)
	if i.Title == "" {
		return forge.Issue{}, fmt.Errorf("%w: gitlab: an issue needs a title", forge.ErrInvalid)
	}
	me, err := c.self(ctx)
	if err != nil {
		return forge.Issue{}, err
	}
	var labels *gl.LabelOptions
	if len(i.Labels) > 0 {
		l := gl.LabelOptions(i.Labels)
		labels = &l
	}
	issues, err := all(ctx, c, func(o gl.ListOptions, opt gl.RequestOptionFunc) ([]*gl.Issue, *gl.Response, error) {
		return c.gl.Issues.ListProjectIssues(c.project, &gl.ListProjectIssuesOptions{ListOptions: o, State: gl.Ptr("opened"), Labels: labels,
			OrderBy: gl.Ptr("created_at"), Sort: gl.Ptr("asc")}, opt)
	})
	if err != nil {
		return forge.Issue{}, err
	}
	for _, is := range issues {
		if is == nil || strings.TrimSpace(is.Title) != i.Title || is.Author == nil || is.Author.ID != me.ID {
			continue
		}
		var up *gl.Issue
		err := c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
			up, r, err = c.gl.Issues.UpdateIssue(c.project, is.IID, &gl.UpdateIssueOptions{Description: gl.Ptr(i.Body)}, opt)
			return r, err
		})
		if err != nil {
			return forge.Issue{}, err
		}
		// The issue updated is the one listed: its number cannot change.
		url := up.WebURL
		if url == "" {
			url = is.WebURL
		}
		return forge.Issue{Number: int(is.IID), URL: url}, nil
	}
	var is *gl.Issue
	err = c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
		is, r, err = c.gl.Issues.CreateIssue(c.project, &gl.CreateIssueOptions{Title: gl.Ptr(i.Title), Description: gl.Ptr(i.Body), Labels: labels}, opt)
		return r, err
	})
	if err != nil {
		return forge.Issue{}, err
	}
	return forge.Issue{Number: int(is.IID), URL: is.WebURL, Created: true}, nil
}

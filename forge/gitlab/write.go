package gitlab

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/releasekit/releasekit/forge"
)

// CreateRelease publishes the release of r.Tag: it gets the release of the
// tag first and creates it only on a 404; a release that exists is kept as
// it is (Existed set). Each asset the release lacks (by link name) is
// uploaded to the project (POST /projects/:id/uploads) and linked to the
// release (a release link of type "other").
func (c *Client) CreateRelease(ctx context.Context, r forge.NewRelease) (forge.Release, error) {
	var rel *gl.Release
	existed := true
	err := c.call(ctx, func(opt gl.RequestOptionFunc) (resp *gl.Response, err error) {
		rel, resp, err = c.gl.Releases.GetRelease(c.project, r.Tag, opt)
		return resp, err
	})
	if isStatus(err, 404) {
		existed = false
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

// SetDeploymentStatus records a deployment of d.Ref to d.Environment with
// its status (success, failed, running for in_progress, created for
// queued). GitLab wants the commit and whether the ref is a tag: the ref
// is resolved (GET repository/commits/:ref) and looked up among the tags
// (a 404 there: a branch).
func (c *Client) SetDeploymentStatus(ctx context.Context, d forge.DeploymentStatus) error {
	var cm *gl.Commit
	err := c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
		cm, r, err = c.gl.Commits.GetCommit(c.project, d.Ref, nil, opt)
		return r, err
	})
	if err != nil {
		return err
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
	st := deployStatus(d.State)
	return c.call(ctx, func(opt gl.RequestOptionFunc) (r *gl.Response, err error) {
		_, r, err = c.gl.Deployments.CreateProjectDeployment(c.project, &gl.CreateProjectDeploymentOptions{Environment: gl.Ptr(d.Environment),
			Ref: gl.Ptr(d.Ref), SHA: gl.Ptr(cm.ID), Tag: gl.Ptr(tag), Status: &st}, opt)
		return r, err
	})
}

func deployStatus(s string) gl.DeploymentStatusValue {
	switch s {
	case forge.DeploySuccess:
		return gl.DeploymentStatusSuccess
	case forge.DeployFailure:
		return gl.DeploymentStatusFailed
	case forge.DeployInProgress:
		return gl.DeploymentStatusRunning
	default:
		return gl.DeploymentStatusCreated
	}
}

// UpsertIssue updates the description of the open issue titled exactly
// i.Title (searched among the open issues with all of i.Labels, every
// page), or opens the issue with i.Labels.
func (c *Client) UpsertIssue(ctx context.Context, i forge.NewIssue) (forge.Issue, error) {
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
		if is.Title != i.Title {
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
		return forge.Issue{Number: int(up.IID), URL: up.WebURL}, nil
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

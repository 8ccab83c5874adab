package github

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	gh "github.com/google/go-github/v75/github"

	"github.com/releasekit/releasekit/forge"
)

// LabelColor is the color of the labels [Client.SetLabels] creates.
const LabelColor = "ededed"

// SetLabels sets the labels of issue or pull request number to labels.
// It first creates, with [LabelColor], the labels the repository does not
// have (label names compare without case, as on GitHub), so that a label
// GitHub refuses (422, forge.ErrInvalid) is reported as such; a label
// created meanwhile by another run is no error.
func (c *Client) SetLabels(ctx context.Context, number int, labels []string) error {
	have, err := all(ctx, c, func(ctx context.Context, o gh.ListOptions) ([]*gh.Label, *gh.Response, error) {
		return c.gh.Issues.ListLabels(ctx, c.owner, c.repo, &o)
	})
	if err != nil {
		return err
	}
	for _, name := range labels {
		if slices.ContainsFunc(have, func(l *gh.Label) bool { return strings.EqualFold(l.GetName(), name) }) {
			continue
		}
		err := c.call(ctx, func(ctx context.Context) (r *gh.Response, err error) {
			_, r, err = c.gh.Issues.CreateLabel(ctx, c.owner, c.repo, &gh.Label{Name: gh.Ptr(name), Color: gh.Ptr(LabelColor)})
			return r, err
		})
		if err != nil && !alreadyExists(err) {
			return err
		}
	}
	if len(labels) == 0 {
		return c.call(ctx, func(ctx context.Context) (*gh.Response, error) {
			return c.gh.Issues.RemoveLabelsForIssue(ctx, c.owner, c.repo, number)
		})
	}
	// The object form GitHub's description asks for ({"labels": [...]}):
	// go-github sends a bare array, which the description does not list.
	u := fmt.Sprintf("repos/%s/%s/issues/%d/labels", c.owner, c.repo, number)
	return c.call(ctx, func(ctx context.Context) (*gh.Response, error) {
		req, err := c.gh.NewRequest("PUT", u, struct {
			Labels []string `json:"labels"`
		}{labels})
		if err != nil {
			return nil, err
		}
		return c.gh.Do(ctx, req, nil)
	})
}

// alreadyExists says whether err is GitHub's 422 "already_exists".
func alreadyExists(err error) bool {
	var e *forge.APIError
	return errors.As(err, &e) && e.Status == 422 && strings.Contains(e.Message, " already_exists)")
}

// Comment adds a comment to issue or pull request number.
func (c *Client) Comment(ctx context.Context, number int, body string) (forge.Comment, error) {
	var ic *gh.IssueComment
	err := c.call(ctx, func(ctx context.Context) (r *gh.Response, err error) {
		ic, r, err = c.gh.Issues.CreateComment(ctx, c.owner, c.repo, number, &gh.IssueComment{Body: gh.Ptr(body)})
		return r, err
	})
	if err != nil {
		return forge.Comment{}, err
	}
	return forge.Comment{ID: ic.GetID(), URL: ic.GetHTMLURL()}, nil
}

// CreateRelease publishes the release of r.Tag, a tag the repository
// must have: it first checks that refs/tags/r.Tag exists ("Get a
// reference"), because GitHub would otherwise create the tag itself,
// unsigned, at the head of the default branch; a tag it does not have is
// a *forge.APIError wrapping forge.ErrNotFound and nothing is created.
// It then gets the release of the tag and creates it only when GitHub has
// none (404); a release that exists is kept as it is (Existed set) and
// only the assets it lacks (by name) are uploaded, so that a run that
// failed between the two heals. A draft release is not found by its tag:
// GitHub lists drafts only.
func (c *Client) CreateRelease(ctx context.Context, r forge.NewRelease) (forge.Release, error) {
	if r.Tag == "" {
		return forge.Release{}, fmt.Errorf("%w: github: a release needs a tag", forge.ErrInvalid)
	}
	err := c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
		_, resp, err = c.gh.Git.GetRef(ctx, c.owner, c.repo, "tags/"+r.Tag)
		return resp, err
	})
	switch {
	case isStatus(err, 404):
		return forge.Release{}, fmt.Errorf("release of tag %s: the repository has no such tag: %w", r.Tag, err)
	case err != nil:
		return forge.Release{}, fmt.Errorf("release of tag %s: %w", r.Tag, err)
	}
	var rel *gh.RepositoryRelease
	existed := true
	err = c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
		rel, resp, err = c.gh.Repositories.GetReleaseByTag(ctx, c.owner, c.repo, r.Tag)
		return resp, err
	})
	if isStatus(err, 404) {
		existed = false
		err = c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
			rel, resp, err = c.gh.Repositories.CreateRelease(ctx, c.owner, c.repo, &gh.RepositoryRelease{TagName: gh.Ptr(r.Tag),
				Name: gh.Ptr(r.Name), Body: gh.Ptr(r.Notes), Prerelease: gh.Ptr(r.Prerelease), Draft: gh.Ptr(false)})
			return resp, err
		})
	}
	if err != nil {
		return forge.Release{}, err
	}
	for _, a := range r.Assets {
		if slices.ContainsFunc(rel.Assets, func(x *gh.ReleaseAsset) bool { return x.GetName() == a.Name }) {
			continue
		}
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		u := fmt.Sprintf("repos/%s/%s/releases/%d/assets?name=%s", c.owner, c.repo, rel.GetID(), queryEscape(a.Name))
		err := c.call(ctx, func(ctx context.Context) (*gh.Response, error) {
			req, err := c.gh.NewUploadRequest(u, bytes.NewReader(a.Data), int64(len(a.Data)), ct)
			if err != nil {
				return nil, err
			}
			return c.gh.Do(ctx, req, nil)
		})
		if err != nil {
			return forge.Release{}, fmt.Errorf("upload asset %s: %w", a.Name, err)
		}
	}
	return forge.Release{ID: rel.GetID(), Tag: rel.GetTagName(), URL: rel.GetHTMLURL(), Existed: existed}, nil
}

// SetCommitStatus creates a commit status on sha.
func (c *Client) SetCommitStatus(ctx context.Context, sha string, s forge.CommitStatus) error {
	st := &gh.RepoStatus{State: gh.Ptr(s.State), Context: gh.Ptr(s.Context)}
	if s.Description != "" {
		st.Description = gh.Ptr(s.Description)
	}
	if s.URL != "" {
		st.TargetURL = gh.Ptr(s.URL)
	}
	return c.call(ctx, func(ctx context.Context) (r *gh.Response, err error) {
		_, r, err = c.gh.Repositories.CreateStatus(ctx, c.owner, c.repo, sha, st)
		return r, err
	})
}

// SetDeploymentStatus records the status of a deployment of d.Ref to
// d.Environment. The deployment is the one under way that this token's
// account created (its latest status queued, pending or in_progress:
// queued → in_progress → success is one deployment, as on GitLab), or
// else a new one (auto_merge false). required_contexts is left out, so
// GitHub refuses (409, forge.ErrConflict) a deployment of a ref whose
// commit statuses have not all passed, unless the client has
// [WithoutDeploymentChecksUnsafe].
func (c *Client) SetDeploymentStatus(ctx context.Context, d forge.DeploymentStatus) error {
	req := &gh.DeploymentRequest{Ref: gh.Ptr(d.Ref), Environment: gh.Ptr(d.Environment), AutoMerge: gh.Ptr(false)}
	if d.Description != "" {
		req.Description = gh.Ptr(d.Description)
	}
	if c.skipContexts {
		req.RequiredContexts = &[]string{}
	}
	id, err := c.runningDeployment(ctx, d)
	if err != nil {
		return err
	}
	if id == 0 {
		err = c.call(ctx, func(ctx context.Context) (r *gh.Response, err error) {
			var dep *gh.Deployment
			dep, r, err = c.gh.Repositories.CreateDeployment(ctx, c.owner, c.repo, req)
			id = dep.GetID()
			return r, err
		})
		if err != nil {
			return err
		}
	}
	sr := &gh.DeploymentStatusRequest{State: gh.Ptr(d.State)}
	if d.Description != "" {
		sr.Description = gh.Ptr(d.Description)
	}
	if d.URL != "" {
		sr.LogURL = gh.Ptr(d.URL)
	}
	return c.call(ctx, func(ctx context.Context) (r *gh.Response, err error) {
		_, r, err = c.gh.Repositories.CreateDeploymentStatus(ctx, c.owner, c.repo, id, sr)
		return r, err
	})
}

// runningDeployment returns the ID of the deployment that d continues:
// the newest deployment of d.Ref to d.Environment (among the newest
// hundred) that the token's own account created, when its latest status
// is still queued, pending or in_progress; 0 when there is none, so a
// new deployment is created. When who the token is cannot be learned (an
// *IdentityError), nothing is continued.
func (c *Client) runningDeployment(ctx context.Context, d forge.DeploymentStatus) (int64, error) {
	self, err := c.identity(ctx)
	var ie *IdentityError
	if errors.As(err, &ie) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var deps []*gh.Deployment
	err = c.call(ctx, func(ctx context.Context) (r *gh.Response, err error) {
		deps, r, err = c.gh.Repositories.ListDeployments(ctx, c.owner, c.repo, &gh.DeploymentsListOptions{
			Ref: d.Ref, Environment: d.Environment, ListOptions: gh.ListOptions{PerPage: perPage}})
		return r, err
	})
	if err != nil {
		return 0, err
	}
	return continued(deps, self, d, func(id int64) (string, error) {
		var sts []*gh.DeploymentStatus
		err := c.call(ctx, func(ctx context.Context) (r *gh.Response, err error) {
			sts, r, err = c.gh.Repositories.ListDeploymentStatuses(ctx, c.owner, c.repo, id, &gh.ListOptions{PerPage: 1})
			return r, err
		})
		if err != nil || len(sts) == 0 {
			return "", err
		}
		return sts[0].GetState(), nil
	})
}

// continued picks, among deps (newest first, as GitHub lists them), the
// newest deployment of d.Ref to d.Environment created by self; it is
// continued when its latest status (latest) is queued, pending or
// in_progress, or when it has none yet. The filters GitHub applied are
// checked again: a server that ignores them continues nothing else.
func continued(deps []*gh.Deployment, self string, d forge.DeploymentStatus, latest func(id int64) (string, error)) (int64, error) {
	for _, dep := range deps {
		if dep.GetRef() != d.Ref || dep.GetEnvironment() != d.Environment || !strings.EqualFold(dep.GetCreator().GetLogin(), self) {
			continue
		}
		state, err := latest(dep.GetID())
		if err != nil {
			return 0, err
		}
		switch state {
		case "", "queued", "pending", "in_progress":
			return dep.GetID(), nil
		}
		return 0, nil // our newest is finished: a new deployment
	}
	return 0, nil
}

// UpsertIssue updates the body of the open issue titled exactly i.Title
// that the token's own account opened (searched among the open issues
// with all of i.Labels, every page; pull requests are skipped), or opens
// the issue with i.Labels. An issue of that title opened by anyone else
// (anyone may open issues on a public repository, and its author may
// edit it) is left alone, so the report is never written where another
// account controls it. Who the token is comes from "Get the
// authenticated user" or, when GitHub refuses that (403: a GitHub App
// installation token), from GraphQL's viewer ("<app-slug>[bot]"); when
// neither says, UpsertIssue fails with an *[IdentityError] and writes
// nothing.
func (c *Client) UpsertIssue(ctx context.Context, i forge.NewIssue) (forge.Issue, error) {
	// Forges trim the title of the issue they create: the title looked
	// for is the one kept, or the bot would open a new issue on every run.
	i.Title = strings.TrimSpace(i.Title)
	if i.Title == "" {
		return forge.Issue{}, fmt.Errorf("%w: github: an issue needs a title", forge.ErrInvalid)
	}
	self, err := c.identity(ctx)
	if err != nil {
		return forge.Issue{}, err
	}
	var found *gh.Issue
	o := &gh.IssueListByRepoOptions{State: "open", Labels: i.Labels, Sort: "created", Direction: "asc"}
	_, err = all(ctx, c, func(ctx context.Context, lo gh.ListOptions) ([]*gh.Issue, *gh.Response, error) {
		if found != nil {
			return nil, nil, nil
		}
		o.ListOptions = lo
		list, r, err := c.gh.Issues.ListByRepo(ctx, c.owner, c.repo, o)
		for _, is := range list {
			if !is.IsPullRequest() && strings.TrimSpace(is.GetTitle()) == i.Title && strings.EqualFold(is.GetUser().GetLogin(), self) {
				found = is
				return nil, nil, err
			}
		}
		return nil, r, err
	})
	if err != nil {
		return forge.Issue{}, err
	}
	if found != nil {
		var is *gh.Issue
		err := c.call(ctx, func(ctx context.Context) (r *gh.Response, err error) {
			is, r, err = c.gh.Issues.Edit(ctx, c.owner, c.repo, found.GetNumber(), &gh.IssueRequest{Body: gh.Ptr(i.Body)})
			return r, err
		})
		if err != nil {
			return forge.Issue{}, err
		}
		return forge.Issue{Number: is.GetNumber(), URL: is.GetHTMLURL()}, nil
	}
	req := &gh.IssueRequest{Title: gh.Ptr(i.Title), Body: gh.Ptr(i.Body)}
	if len(i.Labels) > 0 {
		req.Labels = &i.Labels
	}
	var is *gh.Issue
	err = c.call(ctx, func(ctx context.Context) (r *gh.Response, err error) {
		is, r, err = c.gh.Issues.Create(ctx, c.owner, c.repo, req)
		return r, err
	})
	if err != nil {
		return forge.Issue{}, err
	}
	return forge.Issue{Number: is.GetNumber(), URL: is.GetHTMLURL(), Created: true}, nil
}

// An IdentityError is the error of [Client.UpsertIssue] when GitHub says
// neither through "Get the authenticated user" nor through GraphQL's
// viewer which account the token is: Err joins both refusals (a
// *forge.APIError for each refused call, so errors.Is(err,
// forge.ErrUnauthorized) holds when GitHub refused the token).
type IdentityError struct {
	Reason string // a short lower-case phrase
	Err    error
}

// Error returns "forge: github: the token's account is unknown: REASON:
// ERR", the refusals separated by "; ".
func (e *IdentityError) Error() string {
	msg := "forge: github: the token's account is unknown: " + e.Reason
	if e.Err != nil {
		msg += ": " + strings.ReplaceAll(e.Err.Error(), "\n", "; ")
	}
	return msg
}

// Unwrap returns the refusals.
func (e *IdentityError) Unwrap() error { return e.Err }

// viewerQuery is the GraphQL query of the token's own login.
const viewerQuery = "query { viewer { login } }"

// identity returns the login of the token's account: GET /user, or, when
// GitHub refuses it with 403 (as it does an App installation token),
// GraphQL's viewer. Other refusals of GET /user are returned as they are.
func (c *Client) identity(ctx context.Context) (string, error) {
	var u *gh.User
	userErr := c.call(ctx, func(ctx context.Context) (r *gh.Response, err error) {
		u, r, err = c.gh.Users.Get(ctx, "")
		return r, err
	})
	switch {
	case userErr == nil && u.GetLogin() != "":
		return u.GetLogin(), nil
	case userErr == nil:
		userErr = errors.New("GET /user named no login")
	case !isStatus(userErr, 403):
		return "", userErr
	}
	var out struct {
		Data struct {
			Viewer struct {
				Login string `json:"login"`
			} `json:"viewer"`
		} `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	gqlErr := c.call(ctx, func(ctx context.Context) (*gh.Response, error) {
		req, err := c.gh.NewRequest("POST", c.graphQLURL(), map[string]string{"query": viewerQuery})
		if err != nil {
			return nil, err
		}
		return c.gh.Do(ctx, req, &out)
	})
	switch {
	case gqlErr != nil:
	case len(out.Errors) > 0:
		msgs := make([]string, len(out.Errors))
		for k, e := range out.Errors {
			msgs[k] = e.Message
		}
		gqlErr = fmt.Errorf("graphql viewer: %s", strings.Join(msgs, "; "))
	case out.Data.Viewer.Login == "":
		gqlErr = errors.New("graphql viewer: no login")
	default:
		return out.Data.Viewer.Login, nil
	}
	return "", &IdentityError{Reason: "neither GET /user nor the GraphQL viewer names it", Err: errors.Join(userErr, gqlErr)}
}

// graphQLURL is the GraphQL endpoint of the client's server:
// https://api.github.com/graphql, or /api/graphql on a GitHub Enterprise
// Server (whose REST API is under /api/v3/).
func (c *Client) graphQLURL() string {
	u := *c.gh.BaseURL
	if p, ok := strings.CutSuffix(u.Path, "/api/v3/"); ok {
		u.Path = p + "/api/graphql"
	} else {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/graphql"
	}
	return u.String()
}

// queryEscape escapes a query value.
func queryEscape(s string) string { return url.QueryEscape(s) }

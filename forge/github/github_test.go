package github_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/forge"
	ghf "github.com/releasekit/releasekit/forge/github"
	"github.com/releasekit/releasekit/policy"
)

const repoPath = "/repos/" + owner + "/" + repo

// sourcesOf returns the sources of the served requests.
func sourcesOf(s []served) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = x.Method + " " + x.Path + " <- " + x.Source
	}
	return out
}

func TestPullRequest(t *testing.T) {
	r := newReplay(t)
	head := "6dcb09b5b57875f334f61aebed695e2e4193db5e"
	// The recorded combined status (two contexts, one failed) answers for
	// the head commit of the described pull request.
	r.force("GET", repoPath+"/commits/"+head+"/status", "create-status", 3)
	pr, err := r.client().PullRequest(context.Background(), 1347)
	require.NoError(t, err)
	assert.Equal(t, forge.PullRequest{Number: 1347, URL: "https://github.com/octocat/Hello-World/pull/1347", State: forge.StateOpen,
		Title: "Amazing new feature", Body: "Please pull these awesome changes in!", Author: "octocat", Head: "new-topic", Base: "master",
		HeadSHA: head, Labels: []string{"bug"},
		Reviews: []forge.Review{{User: "octocat", State: policy.ReviewApproved, CommitID: "ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091",
			SubmittedAt: pr.Reviews[0].SubmittedAt}},
		Commits: []string{head},
		Checks: []forge.Check{
			{Name: "mighty_readme", Outcome: forge.CheckSuccess, URL: "https://github.com/github/hello-world/runs/4"},
			{Name: "example/1", Outcome: forge.CheckFailure, URL: "https://example.com"},
			{Name: "example/2", Outcome: forge.CheckSuccess, URL: "https://example.com"},
		},
		ChangedFiles: []string{"file1.txt"}}, pr)
	assert.Equal(t, "2019-11-17T17:43:43Z", pr.Reviews[0].SubmittedAt.UTC().Format("2006-01-02T15:04:05Z"))
	assert.Empty(t, pr.Facts().Approvers, "the approval is of another commit than the head")
	assert.Equal(t, []string{
		"GET " + repoPath + "/pulls/1347 <- openapi pulls/get",
		"GET " + repoPath + "/pulls/1347/reviews <- openapi pulls/list-reviews",
		"GET " + repoPath + "/pulls/1347/commits <- openapi pulls/list-commits",
		"GET " + repoPath + "/pulls/1347/files <- openapi pulls/list-files",
		"GET " + repoPath + "/branches/master <- openapi repos/get-branch",
		"GET " + repoPath + "/rules/branches/master <- openapi repos/get-branch-rules",
		"GET " + repoPath + "/commits/" + head + "/check-runs <- openapi checks/list-for-ref",
		"GET " + repoPath + "/commits/" + head + "/status <- recorded create-status",
	}, sourcesOf(r.sources()))
}

func TestPullRequestNotFound(t *testing.T) {
	r := newReplay(t)
	// GitHub's recorded 404 (branch-protection) answers for a missing pull request.
	r.force("GET", repoPath+"/pulls/9999", "branch-protection", 0)
	_, err := r.client().PullRequest(context.Background(), 9999)
	var ae *forge.APIError
	require.True(t, errors.As(err, &ae), "%v", err)
	assert.ErrorIs(t, err, forge.ErrNotFound)
	assert.Equal(t, 404, ae.Status)
	assert.Equal(t, "GET", ae.Method)
	assert.Equal(t, "/api/v3"+repoPath+"/pulls/9999", ae.Path)
}

func TestFindAndOpenPullRequest(t *testing.T) {
	t.Run("update", func(t *testing.T) {
		r := newReplay(t, "labels")
		pr, err := r.client().OpenPullRequest(context.Background(), forge.NewPullRequest{Head: "new-topic", Base: "master",
			Title: "chore: release 1.2.0", Body: "release notes", Labels: []string{"bug", "test-label"}})
		require.NoError(t, err)
		assert.Equal(t, 1347, pr.Number)
		got := sourcesOf(r.sources())
		assert.Equal(t, []string{
			"GET " + repoPath + "/pulls <- openapi pulls/list",
			"PATCH " + repoPath + "/pulls/1347 <- openapi pulls/update",
			"GET " + repoPath + "/labels <- recorded labels",
			"POST " + repoPath + "/labels <- recorded labels",
			"PUT " + repoPath + "/issues/1347/labels <- openapi issues/set-labels",
			"GET " + repoPath + "/pulls/1347 <- openapi pulls/get",
		}, got[:6])
	})
	t.Run("create", func(t *testing.T) {
		r := newReplay(t)
		_, found, err := r.client().FindPullRequest(context.Background(), "release-please--branches--main", "main")
		require.NoError(t, err)
		assert.False(t, found, "the listed pull request is from another head")
		_, err = r.client().OpenPullRequest(context.Background(), forge.NewPullRequest{Head: "release-please--branches--main", Base: "main",
			Title: "chore: release 1.2.0", Body: "release notes"})
		require.NoError(t, err)
		got := sourcesOf(r.sources())
		assert.Equal(t, "POST "+repoPath+"/pulls <- openapi pulls/create", got[2])
	})
}

func TestSetLabels(t *testing.T) {
	r := newReplay(t, "labels")
	require.NoError(t, r.client().SetLabels(context.Background(), 1, []string{"BUG", "test-label"}))
	assert.Equal(t, []string{
		"GET " + repoPath + "/labels <- recorded labels",
		"POST " + repoPath + "/labels <- recorded labels", // test-label only: "bug" exists
		"PUT " + repoPath + "/issues/1/labels <- openapi issues/set-labels",
	}, sourcesOf(r.sources()))
}

func TestSetLabelsRefused(t *testing.T) {
	r := newReplay(t, "errors")
	r.force("GET", repoPath+"/labels", "labels", 0)
	err := r.client().SetLabels(context.Background(), 1, []string{"foo"})
	var ae *forge.APIError
	require.True(t, errors.As(err, &ae), "%v", err)
	assert.ErrorIs(t, err, forge.ErrInvalid)
	assert.Equal(t, 422, ae.Status)
	assert.Equal(t, "Validation Failed (Label color invalid)", ae.Message)
}

func TestComment(t *testing.T) {
	r := newReplay(t)
	c, err := r.client().Comment(context.Background(), 1347, "released in v1.2.0")
	require.NoError(t, err)
	assert.Equal(t, forge.Comment{ID: 1, URL: "https://github.com/octocat/Hello-World/issues/1347#issuecomment-1"}, c)
}

func TestCreateRelease(t *testing.T) {
	asset := forge.Asset{Name: "test-upload.txt", Data: []byte("Hello, world!\n")}
	t.Run("exists", func(t *testing.T) {
		r := newReplay(t, "release-assets")
		rel, err := r.client().CreateRelease(context.Background(), forge.NewRelease{Tag: "v1.0.0", Name: "v1.0.0", Notes: "notes", Assets: []forge.Asset{asset}})
		require.NoError(t, err)
		assert.Equal(t, forge.Release{ID: 1000, Tag: "v1.0.0", URL: "https://github.com/octokit-fixture-org/release-assets/releases/tag/v1.0.0", Existed: true}, rel)
		assert.Equal(t, []string{
			"GET " + repoPath + "/releases/tags/v1.0.0 <- recorded release-assets",
			"POST " + repoPath + "/releases/1000/assets <- recorded release-assets",
		}, sourcesOf(r.sources()))
	})
	t.Run("new", func(t *testing.T) {
		r := newReplay(t)
		r.force("GET", repoPath+"/releases/tags/v2.0.0", "branch-protection", 0) // GitHub's recorded 404
		rel, err := r.client().CreateRelease(context.Background(), forge.NewRelease{Tag: "v2.0.0", Name: "v2.0.0", Notes: "notes", Prerelease: true})
		require.NoError(t, err)
		assert.False(t, rel.Existed)
		assert.Equal(t, int64(1), rel.ID)
		assert.Equal(t, "POST "+repoPath+"/releases <- openapi repos/create-release", sourcesOf(r.sources())[1])
	})
	t.Run("upload refused", func(t *testing.T) {
		r := newReplay(t, "release-assets-conflict")
		_, err := r.client().CreateRelease(context.Background(), forge.NewRelease{Tag: "v1.0.0", Assets: []forge.Asset{asset}})
		assert.ErrorIs(t, err, forge.ErrInvalid)
		assert.ErrorContains(t, err, "upload asset test-upload.txt: forge: github: POST /api/uploads"+repoPath+"/releases/1000/assets: 422 Validation Failed (ReleaseAsset name already_exists)")
	})
}

func TestSetCommitStatus(t *testing.T) {
	r := newReplay(t, "create-status")
	c := r.client()
	err := c.SetCommitStatus(context.Background(), "0000000000000000000000000000000000000001",
		forge.CommitStatus{Context: "example/1", State: forge.CheckFailure, Description: "create-status failure test", URL: "https://example.com"})
	require.NoError(t, err)
	assert.Equal(t, []string{"POST " + repoPath + "/statuses/0000000000000000000000000000000000000001 <- recorded create-status"}, sourcesOf(r.sources()))
}

func TestSetDeploymentStatus(t *testing.T) {
	r := newReplay(t)
	err := r.client().SetDeploymentStatus(context.Background(), forge.DeploymentStatus{Ref: "v1.2.0", Environment: "production",
		State: forge.DeploySuccess, Description: "deployed", URL: "https://ci.example.com/run/1"})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"POST " + repoPath + "/deployments <- openapi repos/create-deployment",
		"POST " + repoPath + "/deployments/1/statuses <- openapi repos/create-deployment-status",
	}, sourcesOf(r.sources()))
}

func TestUpsertIssue(t *testing.T) {
	pages := []string{
		"GET " + repoPath + "/issues <- recorded paginate-issues",
		"GET " + repoPath + "/issues <- recorded paginate-issues",
		"GET " + repoPath + "/issues <- recorded paginate-issues",
		"GET " + repoPath + "/issues <- recorded paginate-issues",
		"GET " + repoPath + "/issues <- recorded paginate-issues",
	}
	t.Run("update on the last page", func(t *testing.T) {
		r := newReplay(t, "paginate-issues")
		is, err := r.client().UpsertIssue(context.Background(), forge.NewIssue{Title: "Test issue 1", Body: "deployed v1.2.0"})
		require.NoError(t, err)
		assert.False(t, is.Created)
		assert.Equal(t, append(pages, "PATCH "+repoPath+"/issues/1 <- openapi issues/update"), sourcesOf(r.sources()))
	})
	t.Run("create", func(t *testing.T) {
		r := newReplay(t, "paginate-issues", "add-labels-to-issue")
		is, err := r.client().UpsertIssue(context.Background(), forge.NewIssue{Title: "Issue without a label", Body: "deployed v1.2.0"})
		require.NoError(t, err)
		assert.Equal(t, forge.Issue{Number: 1, URL: "https://github.com/octokit-fixture-org/add-labels-to-issue/issues/1", Created: true}, is)
		assert.Equal(t, append(pages, "POST "+repoPath+"/issues <- recorded add-labels-to-issue"), sourcesOf(r.sources()))
	})
}

// A hostile or broken server whose Link header names the same page (or
// an earlier one) as the next page is not followed forever: the list is
// refused as unavailable after one round.
func TestPaginationMustAdvance(t *testing.T) {
	for _, next := range []int{1, 1001} {
		var n atomic.Int64
		var srv *httptest.Server
		srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.Header().Set("Content-Type", "application/json")
			switch r.URL.Path {
			case "/api/v3/repos/o/r/pulls/1":
				fmt.Fprint(w, `{"number":1,"state":"open","user":{"login":"a"},"head":{"ref":"x","sha":"abc"},"base":{"ref":"main"}}`)
			case "/api/v3/repos/o/r/pulls/1/reviews":
				w.Header().Set("Link", fmt.Sprintf(`<%s/api/v3/repos/o/r/pulls/1/reviews?page=%d>; rel="next"`, srv.URL, next))
				fmt.Fprint(w, `[{"user":{"login":"b"},"state":"APPROVED","commit_id":"abc"}]`)
			default:
				fmt.Fprint(w, `[]`)
			}
		}))
		c, err := ghf.New(srv.Client(), srv.URL, "o", "r", "tok")
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err = c.PullRequest(ctx, 1)
		cancel()
		srv.Close()
		assert.ErrorIs(t, err, forge.ErrUnavailable, "next page %d", next)
		var e *forge.APIError
		if assert.ErrorAs(t, err, &e) {
			assert.Equal(t, forge.PaginationMessage, e.Message)
		}
		assert.Less(t, n.Load(), int64(10), "the client followed page %d again and again", next)
	}
}

package github_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
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
		HeadRepository: "octocat/Hello-World", BaseRepository: "octocat/Hello-World",
		HeadSHA: head, Labels: []string{"bug"},
		// The description's example says octocat is an admin.
		Reviews: []forge.Review{{User: "octocat", State: policy.ReviewApproved, CommitID: "ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091",
			SubmittedAt: pr.Reviews[0].SubmittedAt, CanApprove: true}},
		Commits: []string{head},
		Checks: []forge.Check{
			{Name: "mighty_readme", Outcome: forge.CheckSuccess, URL: "https://github.com/github/hello-world/runs/4"},
			{Name: "example/1", Outcome: forge.CheckFailure, URL: "https://example.com"},
			{Name: "example/2", Outcome: forge.CheckSuccess, URL: "https://example.com"},
		},
		ChangedFiles: []string{"file1.txt"}}, pr)
	assert.Equal(t, "2019-11-17T17:43:43Z", pr.Reviews[0].SubmittedAt.UTC().Format("2006-01-02T15:04:05Z"))
	assert.Empty(t, pr.Facts().Approvers, "the approval is of another commit than the head")
	assert.Equal(t, "new-topic", pr.Facts().Head, "a branch of the repository itself")
	assert.Equal(t, []string{
		"GET " + repoPath + "/pulls/1347 <- openapi pulls/get",
		"GET " + repoPath + "/pulls/1347/reviews <- openapi pulls/list-reviews",
		"GET " + repoPath + "/collaborators/octocat/permission <- openapi repos/get-collaborator-permission-level",
		"GET " + repoPath + "/pulls/1347/commits <- openapi pulls/list-commits",
		"GET " + repoPath + "/pulls/1347/files <- openapi pulls/list-files",
		"GET " + repoPath + "/branches/master <- openapi repos/get-branch",
		"GET " + repoPath + "/rules/branches/master <- openapi repos/get-branch-rules",
		"GET " + repoPath + "/commits/" + head + "/check-runs <- openapi checks/list-for-ref",
		"GET " + repoPath + "/commits/" + head + "/status <- recorded create-status",
	}, sourcesOf(r.sources()))
}

// An approval counts only from a reviewer GitHub says has write access:
// when GitHub does not say (404: not a collaborator; 403: the token may
// not read permissions) the review cannot approve, and any other refusal
// fails the call rather than guess.
func TestPullRequestReviewerStanding(t *testing.T) {
	perm := repoPath + "/collaborators/octocat/permission"
	for _, tc := range []struct {
		name    string
		answer  func(r *replay)
		source  string
		wantErr error
	}{
		// GitHub's recorded 404 (branch-protection).
		{"not a collaborator", func(r *replay) { r.force("GET", perm, "branch-protection", 0) }, "recorded branch-protection", nil},
		{"permissions not readable", func(r *replay) { r.refuse("GET", perm, http.StatusForbidden, "Resource not accessible by integration") }, "refused 403", nil},
		{"server error", func(r *replay) { r.refuse("GET", perm, http.StatusBadGateway, "Server Error") }, "refused 502", forge.ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReplay(t)
			tc.answer(r)
			pr, err := r.client().PullRequest(context.Background(), 1347)
			assert.Contains(t, sourcesOf(r.sources()), "GET "+perm+" <- "+tc.source)
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
				var ae *forge.APIError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, "/api/v3"+perm, ae.Path)
				return
			}
			require.NoError(t, err)
			require.Len(t, pr.Reviews, 1)
			assert.Equal(t, "octocat", pr.Reviews[0].User)
			assert.False(t, pr.Reviews[0].CanApprove)
			// Were the approval of the head, it would still not count.
			pr.Reviews[0].CommitID = pr.HeadSHA
			assert.Empty(t, pr.Facts().Approvers)
		})
	}
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
			"GET " + repoPath + "/git/ref/tags/v1.0.0 <- openapi git/get-ref",
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
		assert.Equal(t, []string{
			"GET " + repoPath + "/git/ref/tags/v2.0.0 <- openapi git/get-ref",
			"GET " + repoPath + "/releases/tags/v2.0.0 <- recorded branch-protection",
			"POST " + repoPath + "/releases <- openapi repos/create-release",
		}, sourcesOf(r.sources()))
	})
	// GitHub creates the tag of a release it does not have, unsigned, at
	// the default branch: a release of a tag the repository lacks is
	// refused before anything is created.
	t.Run("no such tag", func(t *testing.T) {
		r := newReplay(t)
		r.force("GET", repoPath+"/git/ref/tags/v9.9.9", "branch-protection", 0) // GitHub's recorded 404
		_, err := r.client().CreateRelease(context.Background(), forge.NewRelease{Tag: "v9.9.9", Name: "v9.9.9", Notes: "notes"})
		assert.ErrorIs(t, err, forge.ErrNotFound)
		var ae *forge.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "/api/v3"+repoPath+"/git/ref/tags/v9.9.9", ae.Path)
		assert.ErrorContains(t, err, "release of tag v9.9.9: the repository has no such tag")
		assert.Equal(t, []string{"GET " + repoPath + "/git/ref/tags/v9.9.9 <- recorded branch-protection"}, sourcesOf(r.sources()),
			"nothing is created")
	})
	t.Run("no tag named", func(t *testing.T) {
		r := newReplay(t)
		_, err := r.client().CreateRelease(context.Background(), forge.NewRelease{Name: "v9.9.9"})
		assert.ErrorIs(t, err, forge.ErrInvalid)
		assert.Empty(t, r.sources())
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
	// Nothing under way of v1.2.0 (the description's example deployment is
	// of topic-branch): a new deployment and its status.
	r := newReplay(t)
	err := r.client().SetDeploymentStatus(context.Background(), forge.DeploymentStatus{Ref: "v1.2.0", Environment: "production",
		State: forge.DeploySuccess, Description: "deployed", URL: "https://ci.example.com/run/1"})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"GET /user <- openapi users/get-authenticated",
		"GET " + repoPath + "/deployments <- openapi repos/list-deployments",
		"POST " + repoPath + "/deployments <- openapi repos/create-deployment",
		"POST " + repoPath + "/deployments/1/statuses <- openapi repos/create-deployment-status",
	}, sourcesOf(r.sources()))

	// The example deployment of topic-branch to production is octocat's
	// (the token's account in the examples), but its latest status is
	// success: it is finished, so a new deployment is created.
	r = newReplay(t)
	err = r.client().SetDeploymentStatus(context.Background(), forge.DeploymentStatus{Ref: "topic-branch", Environment: "production", State: forge.DeployInProgress})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"GET /user <- openapi users/get-authenticated",
		"GET " + repoPath + "/deployments <- openapi repos/list-deployments",
		"GET " + repoPath + "/deployments/1/statuses <- openapi repos/list-deployment-statuses",
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
	// The recorded issues were opened by octokit-fixture-user-a, the
	// account of the recording's token: add-labels-to-issue recorded that
	// account as the author of the issue the token opened, and that
	// account answers GET /user when the token is to be the same.
	asRecorder := func(r *replay) { r.forceRecordedPart("GET", "/user", "add-labels-to-issue", 0, "user") }
	recorder := "GET /user <- recorded add-labels-to-issue (user)"
	t.Run("update our own on the last page", func(t *testing.T) {
		r := newReplay(t, "paginate-issues")
		asRecorder(r)
		is, err := r.client().UpsertIssue(context.Background(), forge.NewIssue{Title: "Test issue 1 ", Body: "deployed v1.2.0"})
		require.NoError(t, err)
		assert.False(t, is.Created, "the title is compared trimmed, as GitHub keeps it")
		want := append([]string{recorder}, pages...)
		assert.Equal(t, append(want, "PATCH "+repoPath+"/issues/1 <- openapi issues/update"), sourcesOf(r.sources()))
	})
	// The description's example of GET /user is octocat: the issue of
	// that title opened by octokit-fixture-user-a is someone else's.
	t.Run("someone else's is left alone", func(t *testing.T) {
		r := newReplay(t, "paginate-issues", "add-labels-to-issue")
		is, err := r.client().UpsertIssue(context.Background(), forge.NewIssue{Title: "Test issue 1", Body: "deployed v1.2.0"})
		require.NoError(t, err)
		assert.True(t, is.Created)
		want := append([]string{"GET /user <- openapi users/get-authenticated"}, pages...)
		assert.Equal(t, append(want, "POST "+repoPath+"/issues <- recorded add-labels-to-issue"), sourcesOf(r.sources()))
	})
	t.Run("create", func(t *testing.T) {
		r := newReplay(t, "paginate-issues", "add-labels-to-issue")
		asRecorder(r)
		is, err := r.client().UpsertIssue(context.Background(), forge.NewIssue{Title: "Issue without a label", Body: "deployed v1.2.0"})
		require.NoError(t, err)
		assert.Equal(t, forge.Issue{Number: 1, URL: "https://github.com/octokit-fixture-org/add-labels-to-issue/issues/1", Created: true}, is)
		want := append([]string{recorder}, pages...)
		assert.Equal(t, append(want, "POST "+repoPath+"/issues <- recorded add-labels-to-issue"), sourcesOf(r.sources()))
	})
}

// A GitHub App installation token may not read GET /user (403): the
// client asks GraphQL's viewer, which names the app's bot account. The
// GraphQL answers below are written here, in the form GitHub's GraphQL
// documentation gives for `query { viewer { login } }`: GitHub's OpenAPI
// description covers the REST API only.
func TestUpsertIssueAsApp(t *testing.T) {
	const forbidden = "Resource not accessible by integration" // GitHub's refusal of an installation token
	t.Run("viewer", func(t *testing.T) {
		r := newReplay(t, "paginate-issues", "add-labels-to-issue")
		r.refuse("GET", "/user", http.StatusForbidden, forbidden)
		r.graphql = func(q string) (int, string) {
			assert.Equal(t, "query { viewer { login } }", q)
			return http.StatusOK, `{"data":{"viewer":{"login":"releasekit[bot]"}}}`
		}
		is, err := r.client().UpsertIssue(context.Background(), forge.NewIssue{Title: "Test issue 1", Body: "deployed v1.2.0"})
		require.NoError(t, err)
		assert.True(t, is.Created, "Test issue 1 is octokit-fixture-user-a's")
		got := sourcesOf(r.sources())
		assert.Equal(t, []string{"GET /user <- refused 403", "POST /graphql <- graphql query { viewer { login } }"}, got[:2])
		assert.Equal(t, "POST "+repoPath+"/issues <- recorded add-labels-to-issue", got[len(got)-1])
	})
	for _, tc := range []struct {
		name   string
		status int
		answer string
	}{
		{"viewer refused", http.StatusOK, `{"errors":[{"type":"FORBIDDEN","message":"` + forbidden + `"}]}`},
		{"graphql refused", http.StatusUnauthorized, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/graphql"}`},
		{"no login", http.StatusOK, `{"data":{"viewer":null}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReplay(t, "paginate-issues", "add-labels-to-issue")
			r.refuse("GET", "/user", http.StatusForbidden, forbidden)
			r.graphql = func(string) (int, string) { return tc.status, tc.answer }
			_, err := r.client().UpsertIssue(context.Background(), forge.NewIssue{Title: "Test issue 1", Body: "deployed v1.2.0"})
			var ie *ghf.IdentityError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, "neither GET /user nor the GraphQL viewer names it", ie.Reason)
			assert.NotContains(t, err.Error(), "\n")
			assert.ErrorIs(t, err, forge.ErrUnauthorized, "GitHub's 403 on GET /user is kept")
			assert.Equal(t, []string{"GET /user <- refused 403", "POST /graphql <- graphql query { viewer { login } }"}, sourcesOf(r.sources()),
				"no issue is read or written")
		})
	}
	// A refusal of GET /user other than 403 is the error itself.
	t.Run("user unavailable", func(t *testing.T) {
		r := newReplay(t)
		r.refuse("GET", "/user", http.StatusServiceUnavailable, "Service Unavailable")
		_, err := r.client().UpsertIssue(context.Background(), forge.NewIssue{Title: "Test issue 1", Body: "deployed v1.2.0"})
		assert.ErrorIs(t, err, forge.ErrUnavailable)
		assert.Equal(t, []string{"GET /user <- refused 503"}, sourcesOf(r.sources()))
	})
}

// A redirect to another host (or port) is refused before anything goes
// there, so the token never leaves the forge's host; one on the same
// host is followed, token included.
func TestRedirectToAnotherHost(t *testing.T) {
	var seen atomic.Int64
	var leaked atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		if a := r.Header.Get("Authorization"); a != "" {
			leaked.Store(a)
		}
		w.WriteHeader(http.StatusNotFound)
	}))
	defer other.Close()
	var sameHostAuth atomic.Value
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v3/repos/o/r/pulls/1":
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
		case "/api/v3/repos/o/r/pulls/2":
			http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+r.URL.Path, http.StatusMovedPermanently)
		case "/api/v3/repos/o/r/pulls/3":
			http.Redirect(w, r, "/api/v3/repositories/1/pulls/3", http.StatusMovedPermanently)
		default:
			sameHostAuth.Store(r.Header.Get("Authorization"))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`)
		}
	}))
	defer origin.Close()
	c, err := ghf.New(origin.Client(), origin.URL, "o", "r", "ghp_SECRET")
	require.NoError(t, err)
	for _, n := range []int{1, 2} {
		_, err := c.PullRequest(context.Background(), n)
		assert.ErrorIs(t, err, forge.ErrRedirect, "pull %d", n)
		var ae *forge.APIError
		if assert.ErrorAs(t, err, &ae, "pull %d", n) {
			assert.Equal(t, "GET", ae.Method)
			assert.Equal(t, fmt.Sprintf("/api/v3/repos/o/r/pulls/%d", n), ae.Path)
			assert.Contains(t, []int{http.StatusFound, http.StatusMovedPermanently}, ae.Status)
			assert.Contains(t, ae.Message, "redirected to http://")
		}
	}
	assert.Zero(t, seen.Load(), "the other host was called")
	assert.Nil(t, leaked.Load(), "the token reached the other host")
	// The same host: followed, with the token.
	_, err = c.PullRequest(context.Background(), 3)
	assert.ErrorIs(t, err, forge.ErrNotFound)
	assert.NotErrorIs(t, err, forge.ErrRedirect)
	assert.Equal(t, "Bearer ghp_SECRET", sameHostAuth.Load())
	// The client given is not changed.
	assert.Nil(t, origin.Client().CheckRedirect)
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

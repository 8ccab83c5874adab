package gitlab_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/forge"
	glf "github.com/releasekit/releasekit/forge/gitlab"
)

// The write tests answer with client-go's shipped responses, chosen with
// use where the default would not fit. client-go ships no response of
// its own for some endpoints; the response it ships for the same entity
// answers there, as the comments say.

const (
	projectPath = "/api/v4/projects/1"
	// The first merge request of testdata/get_merge_requests.json.
	listedHead = "use-structured-logging-for-db-load-balancer"
	listedIID  = "15442"
	// The merge request of testdata/get_merge_request.json.
	gotIID = 14656
	// Shipped error responses: GitLab's JSON error bodies.
	resp400 = "group_hooks_test.go:446" // {"error": "trigger does not have a valid value"}
	resp403 = "orbit_test.go:509"       // {"message":"403 No Knowledge Graph enabled namespaces available"}
	resp404 = "search_test.go:186"      // {"message": "404 Project Not Found"}
	resp500 = "search_test.go:59"       // {"message": "Internal Server Error"}
	resp503 = "orbit_test.go:785"       // {"message":"503 Service Unavailable"}
)

// useMergeRequest answers what PullRequest reads after a write (as in
// TestPullRequest).
func useMergeRequest(r *replay) {
	r.use("GET", projectPath+"/merge_requests", "testdata/get_merge_requests.json")
	r.use("GET", mrPath+"/approvals", "testdata/get_merge_request_approvals.json")
	r.use("GET", mrPath+"/commits", "testdata/list_merge_request_context_commits.json")
	r.use("GET", mrPath+"/versions", "commits_test.go:74")
	// client-go ships no response for creating or updating a merge request:
	// its single merge request (the entity both return) answers.
	r.use("POST", projectPath+"/merge_requests", "testdata/get_merge_request.json")
	r.use("PUT", mrPath, "testdata/get_merge_request.json")
}

// paths is the method and path of every request after the first
// skip.
func (r *replay) paths(skip int) []string {
	var out []string
	for _, s := range r.sources()[skip:] {
		out = append(out, s[:strings.Index(s, " <- ")])
	}
	return out
}

func jsonBody(t *testing.T, s served) map[string]any {
	t.Helper()
	require.Equal(t, "application/json", s.ContentType, "%s %s", s.Method, s.Path)
	var m map[string]any
	require.NoError(t, json.Unmarshal(s.Body, &m))
	return m
}

func TestOpenPullRequestUpdatesTheOpenOne(t *testing.T) {
	r := newReplay(t)
	useMergeRequest(r)
	pr, err := r.client().OpenPullRequest(context.Background(), forge.NewPullRequest{Head: listedHead, Base: "master",
		Title: "chore: release 1.2.0", Body: "## 1.2.0", Labels: []string{"release", "autorelease: pending"}})
	require.NoError(t, err)
	assert.Equal(t, gotIID, pr.Number, "the merge request as it then is")
	assert.Equal(t, []string{
		"GET " + projectPath + "/merge_requests <- testdata/get_merge_requests.json",
		"PUT " + projectPath + "/merge_requests/" + listedIID + " <- testdata/get_merge_request.json",
		"GET " + projectPath + "/merge_requests/" + listedIID + " <- testdata/get_merge_request.json",
	}, r.sources()[:3])
	list := r.request(0)
	assert.Equal(t, url.Values{"state": {"opened"}, "source_branch": {listedHead}, "target_branch": {"master"}}, list.Query)
	assert.Equal(t, map[string]any{"title": "chore: release 1.2.0", "description": "## 1.2.0", "labels": "release,autorelease: pending"},
		jsonBody(t, r.request(1)), "title, description and labels, nothing else: the branches stay")
	for _, p := range r.paths(2) {
		assert.True(t, strings.HasPrefix(p, "GET "), "no second write: %s", p)
	}
}

func TestOpenPullRequestCreates(t *testing.T) {
	for name, labels := range map[string][]string{"with labels": {"release"}, "no labels": nil} {
		t.Run(name, func(t *testing.T) {
			r := newReplay(t)
			useMergeRequest(r)
			pr, err := r.client().OpenPullRequest(context.Background(), forge.NewPullRequest{Head: "release-please--main", Base: "main",
				Title: "chore: release 1.2.0", Body: "notes", Labels: labels})
			require.NoError(t, err)
			assert.Equal(t, gotIID, pr.Number)
			assert.Equal(t, []string{
				"GET " + projectPath + "/merge_requests",
				"POST " + projectPath + "/merge_requests",
				"GET " + projectPath + fmt.Sprintf("/merge_requests/%d", gotIID),
			}, r.paths(0)[:3], "no listed merge request is from release-please--main into main")
			want := map[string]any{"source_branch": "release-please--main", "target_branch": "main", "title": "chore: release 1.2.0",
				"description": "notes"}
			if labels != nil {
				want["labels"] = "release"
			}
			assert.Equal(t, want, jsonBody(t, r.request(1)))
		})
	}
}

func TestFindPullRequest(t *testing.T) {
	t.Run("open", func(t *testing.T) {
		r := newReplay(t)
		useMergeRequest(r)
		pr, ok, err := r.client().FindPullRequest(context.Background(), listedHead, "master")
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, gotIID, pr.Number)
		assert.Equal(t, "GET "+projectPath+"/merge_requests/"+listedIID, r.paths(1)[0], "the listed merge request is read by its IID")
	})
	t.Run("none from head into base", func(t *testing.T) {
		r := newReplay(t)
		useMergeRequest(r)
		// The first listed merge request's head, into another base: the
		// list is filtered by GitLab, and checked again here.
		_, ok, err := r.client().FindPullRequest(context.Background(), listedHead, "main")
		require.NoError(t, err)
		assert.False(t, ok)
		assert.Equal(t, []string{"GET " + projectPath + "/merge_requests"}, r.paths(0))
		assert.Equal(t, url.Values{"state": {"opened"}, "source_branch": {listedHead}, "target_branch": {"main"}}, r.request(0).Query)
	})
}

// editMergeRequests answers the merge request list with
// testdata/get_merge_requests.json as edit changes its merge requests
// (decoded with their numbers kept as written).
func editMergeRequests(t *testing.T, r *replay, edit func(mrs []map[string]any)) {
	r.edit("GET", projectPath+"/merge_requests", func(body string) string {
		d := json.NewDecoder(strings.NewReader(body))
		d.UseNumber()
		var mrs []map[string]any
		require.NoError(t, d.Decode(&mrs))
		require.Len(t, mrs, 3, "testdata/get_merge_requests.json")
		edit(mrs)
		out, err := json.Marshal(mrs)
		require.NoError(t, err)
		return string(out)
	})
}

// GitLab lists the merge requests from forks among a project's own. A
// fork's merge request from a branch named like the project's is not the
// project's: it is neither found nor rewritten, and a new merge request
// is opened beside it. One that names no source or target project (0,
// absent) is not taken either: fail closed.
func TestFindAndOpenSkipForks(t *testing.T) {
	for name, edit := range map[string]func(mr map[string]any){
		// client-go ships merge requests within one project only
		// (source_project_id = target_project_id = 278964): the test sets
		// the first one's source project to a fork's.
		"from a fork": func(mr map[string]any) { mr["source_project_id"] = json.Number("9") },
		// The project ids removed: a merge request that does not say
		// where it comes from.
		"no source project": func(mr map[string]any) { delete(mr, "source_project_id") },
		"no target project": func(mr map[string]any) { mr["target_project_id"] = json.Number("0") },
		// Equal, but no answer: both 0.
		"no projects": func(mr map[string]any) { delete(mr, "source_project_id"); delete(mr, "target_project_id") },
	} {
		t.Run(name, func(t *testing.T) {
			r := newReplay(t)
			useMergeRequest(r)
			editMergeRequests(t, r, func(mrs []map[string]any) {
				require.Equal(t, listedHead, mrs[0]["source_branch"])
				edit(mrs[0])
			})
			_, ok, err := r.client().FindPullRequest(context.Background(), listedHead, "master")
			require.NoError(t, err)
			assert.False(t, ok, "the listed merge request is not the project's own")
			assert.Equal(t, []string{"GET " + projectPath + "/merge_requests"}, r.paths(0), "and it is not read")

			pr, err := r.client().OpenPullRequest(context.Background(), forge.NewPullRequest{Head: listedHead, Base: "master",
				Title: "chore: release 1.2.0", Body: "## 1.2.0", Labels: []string{"autorelease: pending"}})
			require.NoError(t, err)
			assert.Equal(t, gotIID, pr.Number, "the merge request created")
			assert.Equal(t, []string{
				"GET " + projectPath + "/merge_requests",
				"GET " + projectPath + "/merge_requests",
				"POST " + projectPath + "/merge_requests",
				"GET " + projectPath + fmt.Sprintf("/merge_requests/%d", gotIID),
			}, r.paths(0)[:4], "created, not the listed one updated")
			for _, p := range r.paths(0) {
				assert.NotContains(t, p, "/merge_requests/"+listedIID, "the listed merge request is neither read nor written")
				assert.False(t, strings.HasPrefix(p, "PUT "), "no update: %s", p)
			}
			assert.Equal(t, map[string]any{"source_branch": listedHead, "target_branch": "master", "title": "chore: release 1.2.0",
				"description": "## 1.2.0", "labels": "autorelease: pending"}, jsonBody(t, r.request(2)))
		})
	}
}

// A fork's merge request listed before the project's own, from a branch
// of the same name: the project's own is found and updated.
func TestOpenPullRequestUpdatesTheOwnBesideAFork(t *testing.T) {
	r := newReplay(t)
	useMergeRequest(r)
	// client-go ships no fork's merge request, nor two from one branch:
	// the test makes the first listed one a fork's (source_project_id)
	// and gives the second, the project's own, the first one's branch.
	editMergeRequests(t, r, func(mrs []map[string]any) {
		mrs[0]["source_project_id"] = json.Number("9")
		mrs[1]["source_branch"] = listedHead
	})
	const ownIID = "15441"
	pr, ok, err := r.client().FindPullRequest(context.Background(), listedHead, "master")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, gotIID, pr.Number)
	assert.Equal(t, "GET "+projectPath+"/merge_requests/"+ownIID, r.paths(1)[0], "the project's own is read, not the fork's")

	skip := len(r.sources())
	_, err = r.client().OpenPullRequest(context.Background(), forge.NewPullRequest{Head: listedHead, Base: "master",
		Title: "chore: release 1.2.0", Body: "## 1.2.0", Labels: []string{"autorelease: pending"}})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"GET " + projectPath + "/merge_requests",
		"PUT " + projectPath + "/merge_requests/" + ownIID,
		"GET " + projectPath + "/merge_requests/" + ownIID,
	}, r.paths(skip)[:3])
	for _, p := range r.paths(0) {
		assert.NotContains(t, p, "/merge_requests/"+listedIID, "the fork's merge request is neither read nor written")
	}
}

func TestSetLabels(t *testing.T) {
	for name, tc := range map[string]struct {
		labels []string
		want   string
	}{
		"some": {[]string{"release", "bug"}, "release,bug"},
		// GitLab: "Set to an empty string to unassign all labels".
		"none": {nil, ""},
	} {
		t.Run(name, func(t *testing.T) {
			r := newReplay(t)
			useMergeRequest(r)
			require.NoError(t, r.client().SetLabels(context.Background(), 7, tc.labels))
			assert.Equal(t, []string{"PUT " + projectPath + "/merge_requests/7 <- testdata/get_merge_request.json"}, r.sources())
			assert.Equal(t, map[string]any{"labels": tc.want}, jsonBody(t, r.request(0)))
		})
	}
}

func TestCreateReleaseCreatesWithAssets(t *testing.T) {
	r := newReplay(t)
	r.use("GET", projectPath+"/releases/v0.1", resp404)
	r.use("GET", projectPath+"/repository/tags/v0.1", "tags_test.go:74")
	// The create release link test's response with link_type other.
	r.use("POST", projectPath+"/releases/v0.1/assets/links", "releaselinks_test.go:97")
	rel, err := r.client().CreateRelease(context.Background(), forge.NewRelease{Tag: "v0.1", Name: "v0.1", Notes: "## Features\n- x",
		Assets: []forge.Asset{{Name: "app_linux_amd64.tar.gz", ContentType: "application/gzip", Data: []byte("the archive")}}})
	require.NoError(t, err)
	assert.False(t, rel.Existed)
	assert.Equal(t, "v0.1", rel.Tag)
	assert.Equal(t, []string{
		"GET " + projectPath + "/releases/v0.1 <- " + resp404,
		"GET " + projectPath + "/repository/tags/v0.1 <- tags_test.go:74",
		"POST " + projectPath + "/releases <- releases_test.go:64",
		"POST " + projectPath + "/uploads <- project_markdown_uploads_test.go:18",
		"POST " + projectPath + "/releases/v0.1/assets/links <- releaselinks_test.go:97",
	}, r.sources())
	assert.Equal(t, map[string]any{"tag_name": "v0.1", "name": "v0.1", "description": "## Features\n- x"}, jsonBody(t, r.request(2)),
		"no ref: GitLab would make a missing tag from it")

	up := r.request(3)
	mt, params, err := mime.ParseMediaType(up.ContentType)
	require.NoError(t, err)
	require.Equal(t, "multipart/form-data", mt)
	part, err := multipart.NewReader(strings.NewReader(string(up.Body)), params["boundary"]).NextPart()
	require.NoError(t, err)
	assert.Equal(t, "file", part.FormName())
	assert.Equal(t, "app_linux_amd64.tar.gz", part.FileName())
	data, err := io.ReadAll(part)
	require.NoError(t, err)
	assert.Equal(t, "the archive", string(data))

	// The link points at the upload's full_path on the instance.
	assert.Equal(t, map[string]any{"name": "app_linux_amd64.tar.gz", "link_type": "other",
		"url": r.srv.URL + "/-/project/1234/uploads/66dbcd21ec5d24ed6ea225176098d52b/dk.png"}, jsonBody(t, r.request(4)))
}

// A release of a tag the project does not have is refused with the 404
// of the tag, and nothing is created: the client never sends the ref
// GitLab would make the tag from.
func TestCreateReleaseOfMissingTag(t *testing.T) {
	r := newReplay(t)
	r.use("GET", projectPath+"/releases/v9.9.9", resp404)
	r.use("GET", projectPath+"/repository/tags/v9.9.9", resp404)
	_, err := r.client().CreateRelease(context.Background(), forge.NewRelease{Tag: "v9.9.9", Name: "v9.9.9", Notes: "x"})
	require.ErrorIs(t, err, forge.ErrNotFound)
	var ae *forge.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, projectPath+"/repository/tags/v9.9.9", ae.Path)
	assert.Equal(t, []string{"GET " + projectPath + "/releases/v9.9.9", "GET " + projectPath + "/repository/tags/v9.9.9"}, r.paths(0),
		"nothing is created")

	_, err = r.client().CreateRelease(context.Background(), forge.NewRelease{})
	assert.ErrorIs(t, err, forge.ErrInvalid, "no tag")
}

func TestCreateReleaseExisting(t *testing.T) {
	r := newReplay(t)
	rel, err := r.client().CreateRelease(context.Background(), forge.NewRelease{Tag: "v0.1", Name: "v0.1", Notes: "other notes"})
	require.NoError(t, err)
	assert.True(t, rel.Existed)
	assert.Equal(t, []string{"GET " + projectPath + "/releases/v0.1"}, r.paths(0), "an existing release is kept as it is")
}

func TestSetDeploymentStatusCreates(t *testing.T) {
	const commit = "6104942438c14ec7bd21c6cd5bd995272b3faff6" // testdata/get_commit.json
	for name, tc := range map[string]struct {
		ref, state string
		tagSource  string
		wantTag    bool
		wantStatus string
	}{
		"branch, success": {ref: "main", state: forge.DeploySuccess, tagSource: resp404, wantStatus: "success"},
		"tag, queued":     {ref: "v5.0.0", state: forge.DeployQueued, tagSource: "tags_test.go:74", wantTag: true, wantStatus: "running"},
		"tag, failure":    {ref: "v5.0.0", state: forge.DeployFailure, tagSource: "tags_test.go:74", wantTag: true, wantStatus: "failed"},
	} {
		t.Run(name, func(t *testing.T) {
			r := newReplay(t)
			// client-go ships no commit response for a branch or tag name:
			// its single commit answers.
			r.use("GET", projectPath+"/repository/commits/"+tc.ref, "testdata/get_commit.json")
			r.use("GET", projectPath+"/repository/tags/"+tc.ref, tc.tagSource)
			err := r.client().SetDeploymentStatus(context.Background(), forge.DeploymentStatus{Ref: tc.ref, Environment: "production",
				State: tc.state, Description: "rolled out"})
			require.NoError(t, err)
			assert.Equal(t, []string{
				"GET " + projectPath + "/repository/commits/" + tc.ref + " <- testdata/get_commit.json",
				// Its only deployment is of main at another commit, created:
				// not one to update.
				"GET " + projectPath + "/deployments <- deployments_test.go:15",
				"GET " + projectPath + "/repository/tags/" + tc.ref + " <- " + tc.tagSource,
				"POST " + projectPath + "/deployments <- deployments_test.go:351",
			}, r.sources())
			assert.Equal(t, url.Values{"environment": {"production"}, "status": {"running"}, "order_by": {"id"}, "sort": {"desc"},
				"page": {"1"}, "per_page": {"100"}}, r.request(1).Query)
			assert.Equal(t, map[string]any{"environment": "production", "ref": tc.ref, "sha": commit, "tag": tc.wantTag,
				"status": tc.wantStatus}, jsonBody(t, r.request(3)))
		})
	}
}

// client-go ships no deployment list that holds a running deployment of
// a commit it also ships: this test's own server answers, with documented
// shapes, and its requests are checked against the reference too.
func TestSetDeploymentStatusUpdatesTheRunningOne(t *testing.T) {
	const sha = "a91957a858320c0e17f3a0eca7cfacbff50ea29a"
	var mu sync.Mutex
	var got []string
	var update map[string]any
	srv := httptest.NewServer(conforming(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r.Method+" "+r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		switch r.Method + " " + r.URL.Path {
		case "GET /api/v4/projects/1/repository/commits/main":
			fmt.Fprintf(w, `{"id":%q}`, sha)
		case "GET /api/v4/projects/1/deployments":
			fmt.Fprintf(w, `[{"id":43,"ref":"main","sha":%[1]q,"status":"running","environment":{"name":"staging"}},
				{"id":42,"ref":"main","sha":%[1]q,"status":"running","environment":{"name":"production"}}]`, sha)
		case "PUT /api/v4/projects/1/deployments/42":
			require.NoError(t, json.NewDecoder(r.Body).Decode(&update))
			fmt.Fprint(w, `{"id":42,"status":"success"}`)
		default:
			http.Error(w, `{"message":"404 Not Found"}`, http.StatusNotFound)
		}
	})))
	defer srv.Close()
	c, err := glf.New(srv.Client(), srv.URL, "1", "glpat-test")
	require.NoError(t, err)
	require.NoError(t, c.SetDeploymentStatus(context.Background(), forge.DeploymentStatus{Ref: "main", Environment: "production", State: forge.DeploySuccess}))
	assert.Equal(t, []string{"GET /api/v4/projects/1/repository/commits/main", "GET /api/v4/projects/1/deployments",
		"PUT /api/v4/projects/1/deployments/42"}, got, "the running deployment to production is updated, none created")
	assert.Equal(t, map[string]any{"status": "success"}, update)
}

func TestSetDeploymentStatusRefusesUnknownState(t *testing.T) {
	r := newReplay(t)
	err := r.client().SetDeploymentStatus(context.Background(), forge.DeploymentStatus{Ref: "main", Environment: "production", State: "done"})
	assert.ErrorIs(t, err, forge.ErrInvalid)
	assert.Empty(t, r.sources(), "nothing is sent")
}

// An open issue with the title that someone else opened is left alone:
// the token's user (client-go's single user, john_smith, ID 1) did not
// open client-go's listed issue (venky333, ID 13), so a new one is
// opened.
func TestUpsertIssueLeavesOthersIssues(t *testing.T) {
	r := newReplay(t)
	// client-go ships no response of GET /user: its single user answers.
	r.use("GET", "/api/v4/user", "testdata/get_user.json")
	// client-go's list of project issues has no issue number: its list of
	// an epic's issues (the same Issue entity) answers.
	r.use("GET", projectPath+"/issues", "epic_issues_test.go:15")
	c := r.client()
	const title = "Consequatur vero maxime deserunt laboriosam est voluptas dolorem."
	is, err := c.UpsertIssue(context.Background(), forge.NewIssue{Title: title, Body: "v1.2.0: production ok", Labels: []string{"deployment"}})
	require.NoError(t, err)
	assert.True(t, is.Created, "venky333's issue is not updated")
	assert.Equal(t, []string{
		"GET /api/v4/user <- testdata/get_user.json",
		"GET " + projectPath + "/issues <- epic_issues_test.go:15",
		"POST " + projectPath + "/issues <- issues_test.go:558",
	}, r.sources())
	assert.Equal(t, url.Values{"state": {"opened"}, "labels": {"deployment"}, "order_by": {"created_at"}, "sort": {"asc"},
		"page": {"1"}, "per_page": {"100"}}, r.request(1).Query)
	assert.Equal(t, map[string]any{"title": title, "description": "v1.2.0: production ok", "labels": "deployment"}, jsonBody(t, r.request(2)))

	_, err = c.UpsertIssue(context.Background(), forge.NewIssue{Title: title, Body: "again"})
	require.NoError(t, err)
	assert.Equal(t, "GET "+projectPath+"/issues", r.paths(3)[0], "the user is read once a client")
}

// When GitLab does not say whose the token is, no issue is read or
// written: an answer without a user, and a CI job token, which GitLab
// refuses GET /user.
func TestUpsertIssueUnknownUser(t *testing.T) {
	for name, tc := range map[string]struct {
		source string
		opts   []glf.Option
		status int
		want   []error
		says   string
	}{
		// client-go's test of a cookie jar answers GET /user with {}.
		"no user":   {source: "gitlab_test.go:961", status: 200, want: []error{forge.ErrUnauthorized}, says: "the answer names no user"},
		"job token": {source: resp403, opts: []glf.Option{glf.WithJobToken()}, status: 403, want: []error{forge.ErrUnauthorized}, says: "a CI job token cannot"},
	} {
		t.Run(name, func(t *testing.T) {
			r := newReplay(t)
			r.use("GET", "/api/v4/user", tc.source)
			_, err := r.client(tc.opts...).UpsertIssue(context.Background(), forge.NewIssue{Title: "Deployment status", Body: "x"})
			require.ErrorIs(t, err, glf.ErrUnknownUser)
			for _, w := range tc.want {
				assert.ErrorIs(t, err, w)
			}
			var ae *forge.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.status, ae.Status)
			assert.Equal(t, "/api/v4/user", ae.Path)
			assert.Contains(t, ae.Message, tc.says)
			assert.Contains(t, err.Error(), "issue reports need a token that can read its user")
			assert.Equal(t, []string{"GET /api/v4/user"}, r.paths(0), "nothing else is sent")
		})
	}
}

// The token's user's own open issue with the title is the one updated,
// even when someone else opened one with the title before. client-go
// ships no user and issue list of the same person: this test's own
// server answers, with documented shapes, and its requests are checked
// against the reference too.
func TestUpsertIssueUpdatesItsOwn(t *testing.T) {
	var mu sync.Mutex
	var got []string
	var update map[string]any
	srv := httptest.NewServer(conforming(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r.Method+" "+r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		switch r.Method + " " + r.URL.Path {
		case "GET /api/v4/user":
			fmt.Fprint(w, `{"id":42,"username":"release-bot"}`)
		case "GET /api/v4/projects/1/issues":
			fmt.Fprint(w, `[{"id":100,"iid":3,"title":"Deployment status","state":"opened","author":{"id":66,"username":"mallory"},"web_url":"https://gitlab.example/shop/app/-/issues/3"},
				{"id":101,"iid":4,"title":"Deployment status","state":"opened","author":{"id":42,"username":"release-bot"},"web_url":"https://gitlab.example/shop/app/-/issues/4"}]`)
		case "PUT /api/v4/projects/1/issues/4":
			require.NoError(t, json.NewDecoder(r.Body).Decode(&update))
			fmt.Fprint(w, `{"id":101,"iid":4,"web_url":"https://gitlab.example/shop/app/-/issues/4"}`)
		default:
			http.Error(w, `{"message":"404 Not Found"}`, http.StatusNotFound)
		}
	})))
	defer srv.Close()
	c, err := glf.New(srv.Client(), srv.URL, "1", "glpat-test")
	require.NoError(t, err)
	is, err := c.UpsertIssue(context.Background(), forge.NewIssue{Title: "Deployment status", Body: "production: v1.3.0"})
	require.NoError(t, err)
	assert.Equal(t, forge.Issue{Number: 4, URL: "https://gitlab.example/shop/app/-/issues/4"}, is)
	assert.Equal(t, []string{"GET /api/v4/user", "GET /api/v4/projects/1/issues", "PUT /api/v4/projects/1/issues/4"}, got,
		"mallory's older issue #3 is left alone")
	assert.Equal(t, map[string]any{"description": "production: v1.3.0"}, update, "only the description changes")
}

// Each write call refused by GitLab with one of client-go's shipped error
// responses is a *forge.APIError wrapping the error of its status, and
// the call stops there.
func TestWriteErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		use       [][3]string
		call      func(c *glf.Client) error
		want      error
		method    string
		path      string
		status    int
		lastWrite string // the last request sent
	}{
		{name: "open: list unavailable", use: [][3]string{{"GET", projectPath + "/merge_requests", resp503}},
			call: func(c *glf.Client) error {
				_, err := c.OpenPullRequest(ctx, forge.NewPullRequest{Head: "h", Base: "main", Title: "t"})
				return err
			}, want: forge.ErrUnavailable, method: "GET", path: projectPath + "/merge_requests", status: 503},
		{name: "open: create refused", use: [][3]string{{"GET", projectPath + "/merge_requests", "testdata/get_merge_requests.json"},
			{"POST", projectPath + "/merge_requests", resp400}},
			call: func(c *glf.Client) error {
				_, err := c.OpenPullRequest(ctx, forge.NewPullRequest{Head: "h", Base: "main", Title: "t"})
				return err
			}, want: forge.ErrInvalid, method: "POST", path: projectPath + "/merge_requests", status: 400},
		{name: "labels: forbidden", use: [][3]string{{"PUT", mrPath, resp403}},
			call: func(c *glf.Client) error { return c.SetLabels(ctx, 1, []string{"x"}) },
			want: forge.ErrUnauthorized, method: "PUT", path: mrPath, status: 403},
		{name: "release: lookup fails", use: [][3]string{{"GET", projectPath + "/releases/v0.1", resp500}},
			call: func(c *glf.Client) error {
				_, err := c.CreateRelease(ctx, forge.NewRelease{Tag: "v0.1"})
				return err
			}, want: forge.ErrUnavailable, method: "GET", path: projectPath + "/releases/v0.1", status: 500},
		{name: "release: upload fails", use: [][3]string{{"POST", projectPath + "/uploads", resp500}},
			call: func(c *glf.Client) error {
				_, err := c.CreateRelease(ctx, forge.NewRelease{Tag: "v0.1", Assets: []forge.Asset{{Name: "a", Data: []byte("x")}}})
				return err
			}, want: forge.ErrUnavailable, method: "POST", path: projectPath + "/uploads", status: 500},
		{name: "deployment: tag lookup forbidden is no branch", use: [][3]string{
			{"GET", projectPath + "/repository/commits/main", "testdata/get_commit.json"},
			{"GET", projectPath + "/repository/tags/main", resp403}},
			call: func(c *glf.Client) error {
				return c.SetDeploymentStatus(ctx, forge.DeploymentStatus{Ref: "main", Environment: "production", State: forge.DeploySuccess})
			}, want: forge.ErrUnauthorized, method: "GET", path: projectPath + "/repository/tags/main", status: 403},
		{name: "release: tag lookup forbidden", use: [][3]string{{"GET", projectPath + "/releases/v0.1", resp404},
			{"GET", projectPath + "/repository/tags/v0.1", resp403}},
			call: func(c *glf.Client) error {
				_, err := c.CreateRelease(ctx, forge.NewRelease{Tag: "v0.1"})
				return err
			}, want: forge.ErrUnauthorized, method: "GET", path: projectPath + "/repository/tags/v0.1", status: 403},
		{name: "issue: list unavailable", use: [][3]string{{"GET", "/api/v4/user", "testdata/get_user.json"},
			{"GET", projectPath + "/issues", resp503}},
			call: func(c *glf.Client) error {
				_, err := c.UpsertIssue(ctx, forge.NewIssue{Title: "Deployment status"})
				return err
			}, want: forge.ErrUnavailable, method: "GET", path: projectPath + "/issues", status: 503},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReplay(t)
			for _, u := range tc.use {
				r.use(u[0], u[1], u[2])
			}
			err := tc.call(r.client())
			require.ErrorIs(t, err, tc.want)
			var ae *forge.APIError
			require.True(t, errors.As(err, &ae), "%v", err)
			assert.Equal(t, "gitlab", ae.Forge)
			assert.Equal(t, tc.method, ae.Method)
			assert.Equal(t, tc.path, ae.Path)
			assert.Equal(t, tc.status, ae.Status)
			ps := r.paths(0)
			assert.Equal(t, tc.method+" "+tc.path, ps[len(ps)-1], "nothing is sent after the refusal")
		})
	}
}

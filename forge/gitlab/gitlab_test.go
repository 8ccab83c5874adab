package gitlab_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/forge"
	glf "github.com/releasekit/releasekit/forge/gitlab"
	"github.com/releasekit/releasekit/policy"
)

const mrPath = "/api/v4/projects/1/merge_requests/1"

func TestPullRequest(t *testing.T) {
	r := newReplay(t)
	r.use("GET", mrPath+"/approvals", "testdata/get_merge_request_approvals.json")
	// client-go has no test of a merge request's commits: its testdata of
	// a merge request's context commits (the same Commit entity) answers.
	r.use("GET", mrPath+"/commits", "testdata/list_merge_request_context_commits.json")
	// client-go has no test of a merge request's diff versions: an
	// unrelated list answers, so no version proves when the head was
	// pushed.
	r.use("GET", mrPath+"/versions", "commits_test.go:74")
	pr, err := r.client().PullRequest(context.Background(), 1)
	require.NoError(t, err)
	head := "8e0b45049b6253b8984cde9241830d2851168142"
	assert.Equal(t, 14656, pr.Number)
	assert.Equal(t, forge.StateOpen, pr.State)
	assert.Equal(t, "alexkalderimis", pr.Author)
	assert.Equal(t, "delete-designs-v2", pr.Head)
	assert.Equal(t, "master", pr.Base)
	assert.Equal(t, head, pr.HeadSHA)
	assert.Contains(t, pr.Labels, "database::reviewed")
	require.Len(t, pr.Reviews, 1, "reviewers user1 (unreviewed) and user2 (reviewed) give no review")
	assert.Equal(t, forge.Review{User: "root", State: policy.ReviewApproved, SubmittedAt: pr.Reviews[0].SubmittedAt, CanApprove: true}, pr.Reviews[0],
		"root (ID 1) is a member with access level 30, Developer")
	assert.Empty(t, pr.Facts().Approvers, "the project keeps approvals on push and no diff version proves the approval came after the head")
	assert.Equal(t, projectFullPath, pr.BaseRepository)
	assert.Equal(t, projectFullPath, pr.HeadRepository, "source_project_id is target_project_id")
	assert.Equal(t, "delete-designs-v2", pr.Facts().Head)
	assert.Equal(t, []string{"4a24d82dbca5c11c61556f3b35ca472b7463187e"}, pr.Commits)
	assert.Equal(t, []string{"README", "VERSION"}, pr.ChangedFiles)
	assert.Equal(t, []forge.Check{{Outcome: forge.CheckPending}}, pr.Checks, "client-go's statuses response is [{\"id\":1}]")
	assert.Equal(t, []string{
		"GET " + mrPath + " <- testdata/get_merge_request.json",
		"GET /api/v4/projects/1 <- " + projectSource,
		"GET " + mrPath + "/approvals <- testdata/get_merge_request_approvals.json",
		"GET " + mrPath + "/reviewers <- merge_requests_test.go:397",
		"GET /api/v4/projects/1/approvals <- projects_test.go:820",
		"GET " + mrPath + "/versions <- commits_test.go:74",
		"GET /api/v4/projects/1/members/all/1 <- project_members_test.go:233",
		"GET " + mrPath + "/commits <- testdata/list_merge_request_context_commits.json",
		"GET " + mrPath + "/diffs <- testdata/list_merge_request_diff.json",
		"GET /api/v4/projects/1/repository/commits/" + head + "/statuses <- commits_test.go:74",
	}, r.sources())
}

func TestWrites(t *testing.T) {
	ctx := context.Background()
	r := newReplay(t)
	c := r.client()
	_, err := c.Comment(ctx, 1, "released")
	require.NoError(t, err)
	require.NoError(t, c.SetCommitStatus(ctx, "b0b3a907f41409829b307a28b82fdbd552ee5a27", forge.CommitStatus{Context: "release", State: forge.CheckSuccess}))
	// client-go ships no response of GET /user: its single user answers.
	r.use("GET", "/api/v4/user", "testdata/get_user.json")
	is, err := r.client().UpsertIssue(ctx, forge.NewIssue{Title: "Deployment status", Body: "deployed"})
	require.NoError(t, err)
	assert.True(t, is.Created)
	rel, err := c.CreateRelease(ctx, forge.NewRelease{Tag: "v0.1", Name: "v0.1", Notes: "notes"})
	require.NoError(t, err)
	assert.True(t, rel.Existed)
	assert.Equal(t, "v0.1", rel.Tag)
	assert.Equal(t, []string{
		"POST " + mrPath + "/notes <- notes_test.go:663",
		"POST /api/v4/projects/1/statuses/b0b3a907f41409829b307a28b82fdbd552ee5a27 <- commits_test.go:122",
		"GET /api/v4/user <- testdata/get_user.json",
		"GET /api/v4/projects/1/issues <- issues_test.go:401",
		"POST /api/v4/projects/1/issues <- issues_test.go:558",
		"GET /api/v4/projects/1/releases/v0.1 <- releases_test.go:49",
	}, r.sources())
}

// A hostile or broken server whose X-Next-Page names the same page (or
// one past forge.MaxPages) is not followed forever.
func TestPaginationMustAdvance(t *testing.T) {
	for _, next := range []string{"1", "1001"} {
		var n atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.Header().Set("Content-Type", "application/json")
			switch r.URL.Path {
			case "/api/v4/projects/1":
				fmt.Fprint(w, `{"id":1,"path_with_namespace":"shop/app"}`)
			case "/api/v4/projects/1/approvals":
				fmt.Fprint(w, `{"reset_approvals_on_push":true}`)
			case "/api/v4/projects/1/merge_requests/1":
				fmt.Fprint(w, `{"iid":1,"state":"opened","sha":"abc","source_branch":"x","target_branch":"main","author":{"username":"a"}}`)
			case "/api/v4/projects/1/merge_requests/1/approvals":
				fmt.Fprint(w, `{"approved_by":[]}`)
			case "/api/v4/projects/1/merge_requests/1/commits":
				w.Header().Set("X-Next-Page", next)
				fmt.Fprint(w, `[{"id":"abc"}]`)
			default:
				fmt.Fprint(w, `[]`)
			}
		}))
		c, err := glf.New(srv.Client(), srv.URL, "1", "tok")
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err = c.PullRequest(ctx, 1)
		cancel()
		srv.Close()
		assert.ErrorIs(t, err, forge.ErrUnavailable, "next page %s", next)
		assert.Less(t, n.Load(), int64(20), "the client followed page %s again and again", next)
	}
}

// An approval given before the last push is not one of the head where the
// project keeps approvals on push: it counts only when given after the
// head was pushed (the head's diff version), or when the project resets
// approvals on push.
func TestStaleApprovalNotCounted(t *testing.T) {
	for name, c := range map[string]struct {
		settings string
		status   int
		versions string
		want     []string
	}{
		"kept on push, approved before the head": {`{"reset_approvals_on_push":false}`, 200, `[{"id":2,"head_commit_sha":"head2","created_at":"2026-01-01T11:00:00Z"},{"id":1,"head_commit_sha":"head1","created_at":"2026-01-01T09:00:00Z"}]`, []string{}},
		"kept on push, no version of the head":   {`{"reset_approvals_on_push":false}`, 200, `[{"id":1,"head_commit_sha":"head1","created_at":"2026-01-01T09:00:00Z"}]`, []string{}},
		"kept on push, approved after the head":  {`{"reset_approvals_on_push":false}`, 200, `[{"id":2,"head_commit_sha":"head2","created_at":"2026-01-01T09:30:00Z"}]`, []string{"b"}},
		"settings not readable, approved before": {`{"message":"404 Not Found"}`, 404, `[{"id":2,"head_commit_sha":"head2","created_at":"2026-01-01T11:00:00Z"}]`, []string{}},
		"reset on push":                          {`{"reset_approvals_on_push":true}`, 200, `[]`, []string{"b"}},
		"head pushed again after the approval":   {`{"reset_approvals_on_push":false}`, 200, `[{"id":3,"head_commit_sha":"head2","created_at":"2026-01-01T12:00:00Z"},{"id":2,"head_commit_sha":"head2","created_at":"2026-01-01T09:30:00Z"}]`, []string{}},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			switch r.URL.Path {
			case "/api/v4/projects/1/approvals":
				w.WriteHeader(c.status)
				fmt.Fprint(w, c.settings)
			case "/api/v4/projects/1/merge_requests/1":
				fmt.Fprint(w, `{"iid":1,"state":"opened","sha":"head2","source_branch":"feature/ABC-1-x","target_branch":"main","author":{"username":"a"}}`)
			case "/api/v4/projects/1":
				fmt.Fprint(w, `{"id":1,"path_with_namespace":"shop/app"}`)
			case "/api/v4/projects/1/members/all/5":
				fmt.Fprint(w, `{"id":5,"username":"b","access_level":30}`)
			case "/api/v4/projects/1/merge_requests/1/approvals":
				fmt.Fprint(w, `{"approved_by":[{"user":{"id":5,"username":"b"},"approved_at":"2026-01-01T10:00:00Z"}]}`)
			case "/api/v4/projects/1/merge_requests/1/versions":
				fmt.Fprint(w, c.versions)
			case "/api/v4/projects/1/merge_requests/1/commits":
				fmt.Fprint(w, `[{"id":"head2","created_at":"2026-01-01T08:00:00Z","committed_date":"2026-01-01T08:00:00Z"},{"id":"head1","created_at":"2026-01-01T07:00:00Z"}]`)
			default:
				fmt.Fprint(w, `[]`)
			}
		}))
		cl, err := glf.New(srv.Client(), srv.URL, "1", "tok")
		require.NoError(t, err)
		pr, err := cl.PullRequest(context.Background(), 1)
		srv.Close()
		require.NoError(t, err, name)
		assert.Equal(t, c.want, pr.Facts().Approvers, name)
		require.Len(t, pr.Reviews, 1, name)
		assert.Equal(t, policy.ReviewApproved, pr.Reviews[0].State, "the approval is kept for the record: %s", name)
	}
}

package gitlab_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/forge"
	"github.com/releasekit/releasekit/policy"
)

const mrPath = "/api/v4/projects/1/merge_requests/1"

func TestPullRequest(t *testing.T) {
	r := newReplay(t)
	r.use("GET", mrPath+"/approvals", "testdata/get_merge_request_approvals.json")
	// client-go has no test of a merge request's commits: its testdata of
	// a merge request's context commits (the same Commit entity) answers.
	r.use("GET", mrPath+"/commits", "testdata/list_merge_request_context_commits.json")
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
	assert.Equal(t, forge.Review{User: "root", State: policy.ReviewApproved, CommitID: head, SubmittedAt: pr.Reviews[0].SubmittedAt}, pr.Reviews[0])
	assert.Equal(t, []string{"root"}, pr.Facts().Approvers, "an approval is of the head read with it")
	assert.Equal(t, []string{"4a24d82dbca5c11c61556f3b35ca472b7463187e"}, pr.Commits)
	assert.Equal(t, []string{"README", "VERSION"}, pr.ChangedFiles)
	assert.Equal(t, []forge.Check{{Outcome: forge.CheckPending}}, pr.Checks, "client-go's statuses response is [{\"id\":1}]")
	assert.Equal(t, []string{
		"GET " + mrPath + " <- testdata/get_merge_request.json",
		"GET " + mrPath + "/approvals <- testdata/get_merge_request_approvals.json",
		"GET " + mrPath + "/reviewers <- merge_requests_test.go:397",
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
		"GET /api/v4/projects/1/issues <- issues_test.go:401",
		"POST /api/v4/projects/1/issues <- issues_test.go:558",
		"GET /api/v4/projects/1/releases/v0.1 <- releases_test.go:49",
	}, r.sources())
}

package forge_test

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
	"github.com/releasekit/releasekit/policy"
)

func TestFacts(t *testing.T) {
	head := "3f1c2a0b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a"
	pr := forge.PullRequest{Number: 7, Author: "alice", Head: "feature/ABC-1-x", Base: "main", HeadSHA: head, MergeMethod: "squash",
		HeadRepository: "shop/magento", BaseRepository: "Shop/Magento",
		Labels: []string{"release"},
		Reviews: []forge.Review{
			{User: "bob", State: policy.ReviewApproved, CommitID: "0000000000000000000000000000000000000000", CanApprove: true}, // stale
			{User: "carol", State: policy.ReviewApproved, CommitID: head, CanApprove: true},
			{User: "carol", State: policy.ReviewCommented, CommitID: head}, // a comment keeps the approval
			{User: "dave", State: policy.ReviewApproved, CommitID: head, CanApprove: true},
			{User: "dave", State: policy.ReviewDismissed, CommitID: head},   // dismissed
			{User: "mallory", State: policy.ReviewApproved, CommitID: head}, // no write access
		},
		Checks: []forge.Check{{Name: "test", Outcome: forge.CheckSuccess}, {Name: "sast", Outcome: forge.CheckFailure}}}
	f := pr.Facts()
	assert.Equal(t, []string{"carol"}, f.Approvers)
	assert.Equal(t, map[string]string{"test": "success", "sast": "failure"}, f.Checks)
	assert.Equal(t, "feature/ABC-1-x", f.Head)
	assert.Len(t, f.Reviews, 6, "every review is kept for REL-REVIEW-001")
	f.Labels[0] = "changed"
	assert.Equal(t, "release", pr.Labels[0], "the facts are a copy")
}

// The head branch of a pull request from a fork (or from a repository the
// forge did not name) is never read as the repository's own branch.
func TestFactsForkHead(t *testing.T) {
	for _, c := range []struct{ head, base, want string }{
		{"shop/magento", "shop/magento", "main"},
		{"mallory/magento", "shop/magento", "mallory/magento:main"},
		{"", "shop/magento", "unknown-repository:main"},
		{"shop/magento", "", "shop/magento:main"},
	} {
		pr := forge.PullRequest{Number: 1, Head: "main", Base: "main", HeadRepository: c.head, BaseRepository: c.base}
		assert.Equal(t, c.want, pr.Facts().Head, "%s into %s", c.head, c.base)
	}
	// REL-BRANCH-001 refuses the fork's "main" that it accepts from the
	// repository itself.
	ctl := policy.BranchNames{}
	for head, want := range map[string]policy.Status{"shop/magento": policy.Pass, "mallory/magento": policy.Fail} {
		pr := forge.PullRequest{Number: 1, Head: "main", Base: "main", HeadRepository: head, BaseRepository: "shop/magento"}
		res := ctl.Evaluate(context.Background(), policy.Facts{PullRequest: pr.Facts()})
		assert.Equal(t, want, res.Status, "%s: %s", head, res.Reason)
	}
}

// A redirect to another host, scheme or port is refused before the token
// goes there; one on the same host is followed.
func TestSameHostRedirects(t *testing.T) {
	var leaked atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Store(true)
		}
		fmt.Fprint(w, `{"facts": "forged"}`)
	}))
	defer other.Close()
	forgeSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/x", http.StatusFound)
		case "/here":
			http.Redirect(w, r, "/ok", http.StatusTemporaryRedirect)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			fmt.Fprint(w, "ok")
		}
	}))
	defer forgeSrv.Close()
	base := forgeSrv.Client()
	base.Timeout = 10 * time.Second // without the rule, /loop would be followed until the test's deadline
	c := forge.SameHostRedirects(base)
	get := func(path string) (*http.Response, error) {
		req, err := http.NewRequest("GET", forgeSrv.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer secret-token")
		return c.Do(req)
	}
	_, err := get("/away")
	assert.ErrorIs(t, err, forge.ErrRedirect)
	assert.False(t, leaked.Load(), "the token reached the other host")
	resp, err := get("/here")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	_, err = get("/loop")
	assert.ErrorIs(t, err, forge.ErrRedirect)
	assert.NotNil(t, forge.SameHostRedirects(nil).CheckRedirect)
	assert.Nil(t, http.DefaultClient.CheckRedirect, "the client given is not changed")
}

func TestToken(t *testing.T) {
	t.Setenv("RELEASEKIT_GITHUB_TOKEN", "")
	t.Setenv("GITHUB_TOKEN", "")
	t.Setenv("GH_TOKEN", "")
	_, _, err := forge.Token("github")
	assert.ErrorIs(t, err, forge.ErrUnauthorized)
	t.Setenv("GH_TOKEN", "ghs_x")
	tok, from, err := forge.Token("github")
	require.NoError(t, err)
	assert.Equal(t, "ghs_x", tok)
	assert.Equal(t, "GH_TOKEN", from)
	_, _, err = forge.Token("bitbucket")
	assert.ErrorIs(t, err, forge.ErrInvalid)
}

func TestAPIError(t *testing.T) {
	err := error(&forge.APIError{Forge: "github", Method: "GET", Path: "/repos/o/r/pulls/1", Status: 404, Message: "Not Found", Err: forge.ErrorFor(404)})
	assert.ErrorIs(t, err, forge.ErrNotFound)
	assert.Equal(t, "forge: github: GET /repos/o/r/pulls/1: 404 Not Found", err.Error())
	var ae *forge.APIError
	assert.True(t, errors.As(err, &ae))
	for status, want := range map[int]error{401: forge.ErrUnauthorized, 403: forge.ErrUnauthorized, 409: forge.ErrConflict, 422: forge.ErrInvalid, 429: forge.ErrRateLimited, 502: forge.ErrUnavailable} {
		assert.ErrorIs(t, forge.ErrorFor(status), want, status)
	}
}

// Two checks report under one name (a check run and a commit status, two
// apps, or a workflow of the pull request posting "build" itself): the
// facts keep the worst, never whichever came last.
func TestFactsDuplicateCheckName(t *testing.T) {
	for name, c := range map[string]struct {
		checks []forge.Check
		want   string
	}{
		"failure then success": {[]forge.Check{{Name: "build", Outcome: forge.CheckFailure, Required: true}, {Name: "build", Outcome: forge.CheckSuccess}}, forge.CheckFailure},
		"success then failure": {[]forge.Check{{Name: "build", Outcome: forge.CheckSuccess}, {Name: "build", Outcome: forge.CheckFailure}}, forge.CheckFailure},
		"pending then success": {[]forge.Check{{Name: "build", Outcome: forge.CheckPending, Required: true}, {Name: "build", Outcome: forge.CheckSuccess}}, forge.CheckPending},
		"error then pending":   {[]forge.Check{{Name: "build", Outcome: forge.CheckError}, {Name: "build", Outcome: forge.CheckPending}}, forge.CheckError},
		"skipped then success": {[]forge.Check{{Name: "build", Outcome: forge.CheckSkipped}, {Name: "build", Outcome: forge.CheckSuccess}}, forge.CheckSkipped},
		"unknown then success": {[]forge.Check{{Name: "build", Outcome: "cancelled"}, {Name: "build", Outcome: forge.CheckSuccess}}, "cancelled"},
	} {
		pr := forge.PullRequest{Number: 1, HeadSHA: "abc", Checks: c.checks}
		assert.Equal(t, c.want, pr.Facts().Checks["build"], name)
	}
}

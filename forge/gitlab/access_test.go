package gitlab_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/forge"
	glf "github.com/releasekit/releasekit/forge/gitlab"
	"github.com/releasekit/releasekit/policy"
)

// A redirect to another server (another port on 127.0.0.1) is refused
// before it is followed: the token, sent as PRIVATE-TOKEN or as a CI job
// token's JOB-TOKEN, never reaches that server, and the call fails with
// forge.ErrRedirect.
func TestRedirectKeepsTheToken(t *testing.T) {
	for name, opts := range map[string][]glf.Option{"token": nil, "job token": {glf.WithJobToken()}} {
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			var elsewhere []string
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				elsewhere = append(elsewhere, fmt.Sprintf("%s %s %v", r.Method, r.URL.Path, r.Header))
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"iid":1,"state":"merged","author":{"username":"mallory"}}`)
			}))
			defer other.Close()
			origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
			}))
			defer origin.Close()
			require.NotEqual(t, origin.Listener.Addr().String(), other.Listener.Addr().String())

			c, err := glf.New(origin.Client(), origin.URL, "g/p", "SECRET-GITLAB-TOKEN", opts...)
			require.NoError(t, err)
			_, err = c.PullRequest(context.Background(), 1)
			require.ErrorIs(t, err, forge.ErrRedirect)
			_, err = c.Comment(context.Background(), 1, "x")
			require.ErrorIs(t, err, forge.ErrRedirect)
			mu.Lock()
			defer mu.Unlock()
			assert.Empty(t, elsewhere, "no request reached the other server")
			for _, e := range elsewhere {
				assert.NotContains(t, e, "SECRET-GITLAB-TOKEN")
			}
		})
	}
	// The client given is not changed.
	hc := &http.Client{}
	_, err := glf.New(hc, "https://gitlab.example", "g/p", "t")
	require.NoError(t, err)
	assert.Nil(t, hc.CheckRedirect)
}

// mrServer answers a merge request of project 1 by mallory from source
// project src, approved by the users of approvals, with the members and
// projects given: documented shapes, every request checked against the
// reference.
func mrServer(t *testing.T, src int, approvals string, members map[string]string, projects map[string]string) *glf.Client {
	t.Helper()
	srv := httptest.NewServer(conforming(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		p := r.URL.Path
		switch {
		case p == "/api/v4/projects/1/merge_requests/1":
			fmt.Fprintf(w, `{"iid":1,"state":"opened","sha":"head","source_branch":"main","target_branch":"main",
				"source_project_id":%d,"target_project_id":1,"author":{"id":66,"username":"mallory"}}`, src)
		case p == "/api/v4/projects/1/approvals":
			fmt.Fprint(w, `{"reset_approvals_on_push":true}`)
		case p == "/api/v4/projects/1/merge_requests/1/approvals":
			fmt.Fprint(w, approvals)
		case strings.HasPrefix(p, "/api/v4/projects/1/members/all/"):
			body, ok := members[strings.TrimPrefix(p, "/api/v4/projects/1/members/all/")]
			if !ok {
				http.Error(w, `{"message":"404 Not found"}`, http.StatusNotFound)
				return
			}
			if strings.HasPrefix(body, "500 ") {
				http.Error(w, `{"message":"500 Internal Server Error"}`, http.StatusInternalServerError)
				return
			}
			fmt.Fprint(w, body)
		case strings.Count(p, "/") == 4 && strings.HasPrefix(p, "/api/v4/projects/"):
			body, ok := projects[strings.TrimPrefix(p, "/api/v4/projects/")]
			if !ok {
				http.Error(w, `{"message":"404 Project Not Found"}`, http.StatusNotFound)
				return
			}
			fmt.Fprint(w, body)
		default:
			fmt.Fprint(w, `[]`)
		}
	})))
	t.Cleanup(srv.Close)
	c, err := glf.New(srv.Client(), srv.URL, "1", "glpat-test")
	require.NoError(t, err)
	return c
}

const shopProject = `{"id":1,"path_with_namespace":"shop/app"}`

// An approval counts only from a member with at least the Developer
// role: not from a Reporter, nor from someone who is no member (404),
// nor from a user whose membership answers another user (an answer
// about someone else is no answer about the approver). A failure to read
// a membership fails the call.
func TestApprovalNeedsDeveloper(t *testing.T) {
	approvals := `{"approved_by":[{"user":{"id":5,"username":"dev"}},{"user":{"id":6,"username":"reporter"}},
		{"user":{"id":7,"username":"sock"}},{"user":{"id":8,"username":"maintainer"}},{"user":{"id":9,"username":"stranger"}}]}`
	members := map[string]string{
		"5": `{"id":5,"username":"dev","access_level":30}`,
		"6": `{"id":6,"username":"reporter","access_level":20}`,
		// Asked about user 7, the answer is of user 5 as a Maintainer.
		"7": `{"id":5,"username":"dev","access_level":40}`,
		"8": `{"id":8,"username":"maintainer","access_level":40}`,
	}
	c := mrServer(t, 1, approvals, members, map[string]string{"1": shopProject})
	pr, err := c.PullRequest(context.Background(), 1)
	require.NoError(t, err)
	may := map[string]bool{}
	for _, r := range pr.Reviews {
		assert.Equal(t, policy.ReviewApproved, r.State)
		may[r.User] = r.CanApprove
	}
	assert.Equal(t, map[string]bool{"dev": true, "reporter": false, "sock": false, "maintainer": true, "stranger": false}, may)
	assert.Equal(t, []string{"dev", "maintainer"}, pr.Facts().Approvers)

	members["5"] = "500 "
	_, err = mrServer(t, 1, approvals, members, map[string]string{"1": shopProject}).PullRequest(context.Background(), 1)
	assert.ErrorIs(t, err, forge.ErrUnavailable)
}

// A merge request from a fork names the fork as its head repository, so
// its "main" is not the project's: the fork's path, or nothing when the
// token may not read the fork.
func TestForkHeadRepository(t *testing.T) {
	for name, tc := range map[string]struct {
		src        int
		projects   map[string]string
		head, fact string
	}{
		"same project":      {1, map[string]string{"1": shopProject}, "shop/app", "main"},
		"readable fork":     {9, map[string]string{"1": shopProject, "9": `{"id":9,"path_with_namespace":"mallory/app"}`}, "mallory/app", "mallory/app:main"},
		"unreadable fork":   {9, map[string]string{"1": shopProject}, "", "unknown-repository:main"},
		"no source project": {0, map[string]string{"1": shopProject}, "", "unknown-repository:main"},
	} {
		t.Run(name, func(t *testing.T) {
			pr, err := mrServer(t, tc.src, `{"approved_by":[]}`, nil, tc.projects).PullRequest(context.Background(), 1)
			require.NoError(t, err)
			assert.Equal(t, "shop/app", pr.BaseRepository)
			assert.Equal(t, tc.head, pr.HeadRepository)
			assert.Equal(t, "main", pr.Head)
			assert.Equal(t, tc.fact, pr.Facts().Head)
			res := policy.BranchNames{}.Evaluate(context.Background(), policy.Facts{PullRequest: pr.Facts(), Branches: []string{pr.Facts().Head}})
			if tc.fact == "main" {
				assert.Equal(t, policy.Pass, res.Status, res.Reason)
			} else {
				assert.Equal(t, policy.Fail, res.Status, "a fork's main is not the project's: %s", res.Reason)
			}
		})
	}
	// A project without a path is no answer.
	_, err := mrServer(t, 1, `{"approved_by":[]}`, nil, map[string]string{"1": `{"id":1}`}).PullRequest(context.Background(), 1)
	assert.ErrorIs(t, err, forge.ErrUnavailable)
}

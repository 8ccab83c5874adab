package github

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	gh "github.com/google/go-github/v75/github"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/forge"
)

func TestMergeMethod(t *testing.T) {
	const head, other = "6dcb09b5b57875f334f61aebed695e2e4193db5e", "e5bd3914e2e596debea16f433f57875b5b90bcd6"
	for _, tc := range []struct {
		name             string
		parents          int
		merge, msg, last string
		want             string
	}{
		{"merge commit", 2, other, "Merge pull request #7 from o/feature", "fix: x", "merge"},
		{"octopus", 3, other, "Merge", "fix: x", "merge"},
		{"fast-forward", 1, head, "fix: x", "fix: x", "rebase"},
		{"rebased", 1, other, "fix: x\n\nbody\n", "fix: x\n\nbody", "rebase"},
		{"squashed", 1, other, "fix: x (#7)\n\n* fix: x\n* fix: y", "fix: y", "squash"},
		{"squashed one commit", 1, other, "fix: x (#7)", "fix: x", "squash"},
		{"no commits listed", 1, other, "fix: x", "", "squash"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, mergeMethod(tc.parents, tc.merge, head, tc.msg, tc.last))
		})
	}
}

// TestRequiredFrom decodes the branch protection GitHub returned in the
// recorded branch-protection scenario (required status check "foo/bar").
func TestRequiredFrom(t *testing.T) {
	dir := os.Getenv("RELEASEKIT_FORGE_FIXTURES")
	if dir == "" {
		t.Skip("RELEASEKIT_FORGE_FIXTURES is unset: run scripts/fetch-forge-fixtures and export its output (scripts/test does)")
	}
	data, err := os.ReadFile(filepath.Join(dir, "octokit-fixtures", "api.github.com", "branch-protection", "normalized-fixture.json"))
	require.NoError(t, err)
	var recs []struct {
		Response json.RawMessage `json:"response"`
	}
	require.NoError(t, json.Unmarshal(data, &recs))
	var p gh.Protection
	require.NoError(t, json.Unmarshal(recs[2].Response, &p))
	rules := []*gh.RequiredStatusChecksBranchRule{{Parameters: gh.RequiredStatusChecksRuleParameters{RequiredStatusChecks: []*gh.RuleStatusCheck{{Context: "ci/test"}}}}}
	req := requiredFrom(&p, rules)
	assert.Equal(t, requirements{"foo/bar": {}, "ci/test": {}}, req, "app_id null: any source")
	assert.Empty(t, requiredFrom(nil, nil), "an unprotected branch requires nothing")

	checks := checksOf([]*gh.CheckRun{{Name: gh.Ptr("ci/test"), Status: gh.Ptr("completed"), Conclusion: gh.Ptr("neutral")}},
		[]*gh.RepoStatus{{Context: gh.Ptr("lint"), State: gh.Ptr("error")}}, req)
	assert.Equal(t, []forge.Check{
		{Name: "ci/test", Outcome: forge.CheckSuccess, Required: true},
		{Name: "lint", Outcome: forge.CheckError},
		{Name: "foo/bar", Outcome: forge.CheckPending, Required: true}, // required, not reported
	}, checks)
}

// A required check bound to an app (branch protection's app_id, a
// ruleset's integration_id) is met only by a check run of that app: a
// commit status, which anyone allowed to post statuses can set, or
// another app's run of the same name, is not taken for it, and while the
// app has not reported the name reads as pending in the facts.
func TestRequiredChecksBoundToAnApp(t *testing.T) {
	const actions, other = 15368, 999
	p := &gh.Protection{RequiredStatusChecks: &gh.RequiredStatusChecks{Contexts: &[]string{"build", "lint", "any"},
		Checks: &[]*gh.RequiredStatusCheck{{Context: "build", AppID: gh.Ptr(int64(actions))}, {Context: "any", AppID: gh.Ptr(int64(-1))}}}}
	rules := []*gh.RequiredStatusChecksBranchRule{{Parameters: gh.RequiredStatusChecksRuleParameters{
		RequiredStatusChecks: []*gh.RuleStatusCheck{{Context: "lint", IntegrationID: gh.Ptr(int64(other))}, {Context: "build", IntegrationID: gh.Ptr(int64(actions))}}}}}
	req := requiredFrom(p, rules)
	assert.Equal(t, requirements{"build": {actions}, "lint": {other}, "any": {}}, req)

	run := func(name string, app int64, status, conclusion string) *gh.CheckRun {
		return &gh.CheckRun{Name: gh.Ptr(name), App: &gh.App{ID: gh.Ptr(app)}, Status: gh.Ptr(status), Conclusion: gh.Ptr(conclusion)}
	}
	status := func(name, state string) *gh.RepoStatus {
		return &gh.RepoStatus{Context: gh.Ptr(name), State: gh.Ptr(state)}
	}
	for _, tc := range []struct {
		name     string
		runs     []*gh.CheckRun
		statuses []*gh.RepoStatus
		want     []forge.Check
		facts    map[string]string
	}{
		{"a commit status of the name", nil, []*gh.RepoStatus{status("build", "success"), status("lint", "success"), status("any", "success")},
			[]forge.Check{{Name: "build", Outcome: forge.CheckSuccess}, {Name: "lint", Outcome: forge.CheckSuccess}, {Name: "any", Outcome: forge.CheckSuccess, Required: true},
				{Name: "build", Outcome: forge.CheckPending, Required: true}, {Name: "lint", Outcome: forge.CheckPending, Required: true}},
			map[string]string{"build": forge.CheckPending, "lint": forge.CheckPending, "any": forge.CheckSuccess}},
		{"another app's run", []*gh.CheckRun{run("build", other, "completed", "success"), run("lint", actions, "completed", "success"), run("any", other, "completed", "success")}, nil,
			[]forge.Check{{Name: "build", Outcome: forge.CheckSuccess}, {Name: "lint", Outcome: forge.CheckSuccess}, {Name: "any", Outcome: forge.CheckSuccess, Required: true},
				{Name: "build", Outcome: forge.CheckPending, Required: true}, {Name: "lint", Outcome: forge.CheckPending, Required: true}},
			map[string]string{"build": forge.CheckPending, "lint": forge.CheckPending, "any": forge.CheckSuccess}},
		{"the app's run, still running, and a spoofed success", []*gh.CheckRun{run("build", actions, "in_progress", ""), run("build", other, "completed", "success")},
			[]*gh.RepoStatus{status("build", "success")},
			[]forge.Check{{Name: "build", Outcome: forge.CheckPending, Required: true}, {Name: "build", Outcome: forge.CheckSuccess}, {Name: "build", Outcome: forge.CheckSuccess},
				{Name: "any", Outcome: forge.CheckPending, Required: true}, {Name: "lint", Outcome: forge.CheckPending, Required: true}},
			map[string]string{"build": forge.CheckPending, "lint": forge.CheckPending, "any": forge.CheckPending}},
		{"the apps' runs", []*gh.CheckRun{run("build", actions, "completed", "success"), run("lint", other, "completed", "success"), run("any", actions, "completed", "success")}, nil,
			[]forge.Check{{Name: "build", Outcome: forge.CheckSuccess, Required: true}, {Name: "lint", Outcome: forge.CheckSuccess, Required: true}, {Name: "any", Outcome: forge.CheckSuccess, Required: true}},
			map[string]string{"build": forge.CheckSuccess, "lint": forge.CheckSuccess, "any": forge.CheckSuccess}},
		{"a failure from anyone still fails", []*gh.CheckRun{run("build", actions, "completed", "success"), run("lint", other, "completed", "success"), run("any", actions, "completed", "success")},
			[]*gh.RepoStatus{status("build", "failure")},
			[]forge.Check{{Name: "build", Outcome: forge.CheckSuccess, Required: true}, {Name: "lint", Outcome: forge.CheckSuccess, Required: true}, {Name: "any", Outcome: forge.CheckSuccess, Required: true},
				{Name: "build", Outcome: forge.CheckFailure}},
			map[string]string{"build": forge.CheckFailure, "lint": forge.CheckSuccess, "any": forge.CheckSuccess}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checks := checksOf(tc.runs, tc.statuses, req)
			assert.Equal(t, tc.want, checks)
			assert.Equal(t, tc.facts, forge.PullRequest{Checks: checks}.Facts().Checks)
		})
	}
}

// The head and base repositories come from head.repo and base.repo; the
// head repository of a pull request whose fork was deleted is null, and
// then unknown.
func TestPullOf(t *testing.T) {
	repo := func(name string) *gh.Repository { return &gh.Repository{FullName: gh.Ptr(name)} }
	for _, tc := range []struct {
		name       string
		head, base *gh.Repository
		wantHead   string
		wantFacts  string
	}{
		{"the repository's branch", repo("shop/app"), repo("shop/app"), "shop/app", "main"},
		{"a fork", repo("mallory/app"), repo("shop/app"), "mallory/app", "mallory/app:main"},
		{"a deleted fork", nil, repo("shop/app"), "", "unknown-repository:main"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &gh.PullRequest{Number: gh.Ptr(7), State: gh.Ptr("open"), Head: &gh.PullRequestBranch{Ref: gh.Ptr("main"), Repo: tc.head},
				Base: &gh.PullRequestBranch{Ref: gh.Ptr("main"), Repo: tc.base}}
			pr := pullOf(p)
			assert.Equal(t, tc.wantHead, pr.HeadRepository)
			assert.Equal(t, "shop/app", pr.BaseRepository)
			assert.Equal(t, tc.wantFacts, pr.Facts().Head)
			// The release pull request is never taken from a fork.
			assert.Equal(t, tc.wantFacts == "main", sameRepoHead(p, "main", "main"))
		})
	}
}

// Each reviewer's standing is asked once, whatever the number of their
// reviews; a review of a deleted account (no user) cannot approve.
func TestReviewsOf(t *testing.T) {
	review := func(user, state string) *gh.PullRequestReview {
		r := &gh.PullRequestReview{State: gh.Ptr(state), CommitID: gh.Ptr("abc")}
		if user != "" {
			r.User = &gh.User{Login: gh.Ptr(user)}
		}
		return r
	}
	var asked []string
	got, err := reviewsOf([]*gh.PullRequestReview{review("ada", "COMMENTED"), review("bob", "APPROVED"), review("ada", "APPROVED"), review("", "APPROVED")},
		func(user string) (bool, error) { asked = append(asked, user); return user == "ada", nil })
	require.NoError(t, err)
	assert.Equal(t, []string{"ada", "bob"}, asked)
	assert.Equal(t, []forge.Review{
		{User: "ada", State: "COMMENTED", CommitID: "abc", CanApprove: true},
		{User: "bob", State: "APPROVED", CommitID: "abc"},
		{User: "ada", State: "APPROVED", CommitID: "abc", CanApprove: true},
		{User: "", State: "APPROVED", CommitID: "abc"},
	}, got)
	_, err = reviewsOf([]*gh.PullRequestReview{review("ada", "APPROVED")}, func(string) (bool, error) { return false, forge.ErrUnavailable })
	assert.ErrorIs(t, err, forge.ErrUnavailable)
}

func TestCanApprove(t *testing.T) {
	for perm, want := range map[string]bool{"admin": true, "maintain": true, "write": true, "triage": false, "read": false, "none": false, "": false, "Admin": false} {
		got, err := canApprove(&gh.RepositoryPermissionLevel{Permission: gh.Ptr(perm), RoleName: gh.Ptr(perm)}, nil)
		require.NoError(t, err)
		assert.Equal(t, want, got, "%q", perm)
	}
	got, err := canApprove(nil, nil)
	require.NoError(t, err)
	assert.False(t, got, "no answer")
	for status, want := range map[int]error{404: nil, 403: nil, 401: forge.ErrUnauthorized, 500: forge.ErrUnavailable} {
		refusal := &forge.APIError{Forge: "github", Status: status, Err: forge.ErrorFor(status)}
		got, err := canApprove(&gh.RepositoryPermissionLevel{Permission: gh.Ptr("admin")}, refusal)
		assert.False(t, got, "%d", status)
		if want == nil {
			assert.NoError(t, err, "%d", status)
		} else {
			assert.ErrorIs(t, err, want, "%d", status)
		}
	}
}

func TestGraphQLURL(t *testing.T) {
	for base, want := range map[string]string{
		"":                                  "https://api.github.com/graphql",
		"https://ghe.example.com":           "https://ghe.example.com/api/graphql",
		"https://ghe.example.com/api/v3/":   "https://ghe.example.com/api/graphql",
		"https://example.com/github/":       "https://example.com/github/api/graphql",
		"https://example.com/github/api/v3": "https://example.com/github/api/graphql",
	} {
		c, err := New(nil, base, "o", "r", "")
		require.NoError(t, err)
		assert.Equal(t, want, c.graphQLURL(), "%q", base)
	}
}

func TestRunOutcome(t *testing.T) {
	for _, tc := range [][3]string{
		{"queued", "", forge.CheckPending}, {"in_progress", "", forge.CheckPending},
		{"completed", "success", forge.CheckSuccess}, {"completed", "neutral", forge.CheckSuccess},
		{"completed", "skipped", forge.CheckSkipped}, {"completed", "failure", forge.CheckFailure},
		{"completed", "cancelled", forge.CheckFailure}, {"completed", "timed_out", forge.CheckFailure},
		{"completed", "action_required", forge.CheckFailure}, {"completed", "stale", forge.CheckFailure},
	} {
		assert.Equal(t, tc[2], runOutcome(tc[0], tc[1]), "%s/%s", tc[0], tc[1])
	}
}

// rateLimited serves GitHub's documented primary rate-limit refusal (403,
// X-RateLimit-Remaining 0, the reset as epoch seconds) for the first
// `refusals` requests, then the given body.
func rateLimited(t *testing.T, refusals int32, reset time.Time, secondary bool) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if n.Add(1) <= refusals {
			if secondary {
				w.Header().Set("Retry-After", "30")
				w.WriteHeader(http.StatusForbidden)
				w.Write([]byte(`{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`))
				return
			}
			w.Header().Set("X-RateLimit-Limit", "5000")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Used", "5000")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
			w.Header().Set("X-RateLimit-Resource", "core")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}`))
			return
		}
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"id":1,"html_url":"https://github.com/o/r/issues/1#issuecomment-1"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// fakeClock makes the client's waits count instead of pass.
func fakeClock(c *Client, now time.Time) *[]time.Duration {
	var waits []time.Duration
	c.wait.Now = func() time.Time { return now }
	c.wait.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	return &waits
}

func TestRateLimitWait(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	t.Run("primary", func(t *testing.T) {
		srv, n := rateLimited(t, 1, now.Add(30*time.Second), false)
		c, err := New(srv.Client(), srv.URL, "o", "r", "t")
		require.NoError(t, err)
		waits := fakeClock(c, now)
		_, err = c.Comment(context.Background(), 1, "x")
		require.NoError(t, err)
		assert.Equal(t, []time.Duration{31 * time.Second}, *waits, "until the reset, and a second")
		assert.Equal(t, int32(2), n.Load())
	})
	t.Run("secondary", func(t *testing.T) {
		srv, n := rateLimited(t, 1, now, true)
		c, err := New(srv.Client(), srv.URL, "o", "r", "t")
		require.NoError(t, err)
		waits := fakeClock(c, now)
		_, err = c.Comment(context.Background(), 1, "x")
		require.NoError(t, err)
		assert.Equal(t, []time.Duration{30 * time.Second}, *waits, "Retry-After")
		assert.Equal(t, int32(2), n.Load())
	})
	t.Run("refused past the deadline", func(t *testing.T) {
		srv, n := rateLimited(t, 1, time.Now().Add(time.Hour), false)
		c, err := New(srv.Client(), srv.URL, "o", "r", "t")
		require.NoError(t, err)
		waits := fakeClock(c, time.Now())
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err = c.Comment(ctx, 1, "x")
		assert.ErrorIs(t, err, forge.ErrRateLimited)
		var ae *forge.APIError
		require.True(t, errors.As(err, &ae))
		assert.Equal(t, "POST", ae.Method)
		assert.Equal(t, "/api/v3/repos/o/r/issues/1/comments", ae.Path)
		assert.Empty(t, *waits)
		assert.Equal(t, int32(1), n.Load())
	})
	t.Run("refused past the maximum wait", func(t *testing.T) {
		srv, _ := rateLimited(t, 1, now.Add(time.Hour), false)
		c, err := New(srv.Client(), srv.URL, "o", "r", "t", WithMaxRateLimitWait(10*time.Minute))
		require.NoError(t, err)
		waits := fakeClock(c, now)
		_, err = c.Comment(context.Background(), 1, "x")
		assert.ErrorIs(t, err, forge.ErrRateLimited)
		assert.Empty(t, *waits)
	})
	t.Run("gives up after retries", func(t *testing.T) {
		srv, n := rateLimited(t, 100, now.Add(time.Second), false)
		c, err := New(srv.Client(), srv.URL, "o", "r", "t")
		require.NoError(t, err)
		waits := fakeClock(c, now)
		_, err = c.Comment(context.Background(), 1, "x")
		assert.ErrorIs(t, err, forge.ErrRateLimited)
		assert.Len(t, *waits, maxRetries)
		assert.Equal(t, int32(maxRetries+1), n.Load())
	})
}

// TestUnauthorized maps GitHub's documented 401 ("Bad credentials").
func TestUnauthorized(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}`))
	}))
	defer srv.Close()
	c, err := New(srv.Client(), srv.URL, "o", "r", "expired")
	require.NoError(t, err)
	err = c.SetCommitStatus(context.Background(), "0000000000000000000000000000000000000001", forge.CommitStatus{Context: "c", State: forge.CheckSuccess})
	assert.ErrorIs(t, err, forge.ErrUnauthorized)
	assert.EqualError(t, err, "forge: github: POST /api/v3/repos/o/r/statuses/0000000000000000000000000000000000000001: 401 Bad credentials")
}

// A deployment under way (queued, pending, in_progress, or no status
// yet) of the same ref and environment by the token's own account is
// continued; a finished one, another account's, or another ref's or
// environment's (a server that ignored the filters) is not.
func TestContinuedDeployment(t *testing.T) {
	dep := func(id int64, ref, env, creator string) *gh.Deployment {
		return &gh.Deployment{ID: gh.Ptr(id), Ref: gh.Ptr(ref), Environment: gh.Ptr(env), Creator: &gh.User{Login: gh.Ptr(creator)}}
	}
	d := forge.DeploymentStatus{Ref: "v1.2.0", Environment: "production", State: forge.DeploySuccess}
	states := map[int64]string{1: "in_progress", 2: "success", 3: "queued", 4: "", 5: "failure"}
	latest := func(id int64) (string, error) { return states[id], nil }
	for name, c := range map[string]struct {
		deps []*gh.Deployment
		want int64
	}{
		"ours, in progress":    {[]*gh.Deployment{dep(1, "v1.2.0", "production", "Release-Bot")}, 1},
		"ours, queued":         {[]*gh.Deployment{dep(3, "v1.2.0", "production", "release-bot")}, 3},
		"ours, no status yet":  {[]*gh.Deployment{dep(4, "v1.2.0", "production", "release-bot")}, 4},
		"ours, finished":       {[]*gh.Deployment{dep(2, "v1.2.0", "production", "release-bot"), dep(1, "v1.2.0", "production", "release-bot")}, 0},
		"ours, failed":         {[]*gh.Deployment{dep(5, "v1.2.0", "production", "release-bot")}, 0},
		"another account's":    {[]*gh.Deployment{dep(1, "v1.2.0", "production", "mallory")}, 0},
		"another ref":          {[]*gh.Deployment{dep(1, "v1.2.1", "production", "release-bot")}, 0},
		"another environment":  {[]*gh.Deployment{dep(1, "v1.2.0", "staging", "release-bot")}, 0},
		"another's, then ours": {[]*gh.Deployment{dep(5, "v1.2.0", "production", "mallory"), dep(1, "v1.2.0", "production", "release-bot")}, 1},
		"nothing deployed":     {nil, 0},
	} {
		got, err := continued(c.deps, "release-bot", d, latest)
		require.NoError(t, err, name)
		assert.Equal(t, c.want, got, name)
	}
	_, err := continued([]*gh.Deployment{dep(1, "v1.2.0", "production", "release-bot")}, "release-bot", d,
		func(int64) (string, error) { return "", errors.New("boom") })
	assert.Error(t, err, "a status that cannot be read fails the call")
}

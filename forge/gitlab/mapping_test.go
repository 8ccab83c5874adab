package gitlab

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/releasekit/releasekit/forge"
	"github.com/releasekit/releasekit/policy"
)

func TestMergeMethod(t *testing.T) {
	for _, tc := range []struct {
		squash              bool
		squashSHA, mergeSHA string
		wantMethod, wantSHA string
	}{
		{true, "s", "", "squash", "s"},
		{true, "s", "m", "squash", "m"},
		{false, "", "m", "merge", "m"},
		{false, "", "", "rebase", "h"},
	} {
		m, sha := mergeMethod(tc.squash, tc.squashSHA, tc.mergeSHA, "h")
		assert.Equal(t, tc.wantMethod, m)
		assert.Equal(t, tc.wantSHA, sha)
	}
}

func TestReviewsAtHead(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ap := &gl.MergeRequestApprovals{ApprovedBy: []*gl.MergeRequestApproverUser{{User: &gl.BasicUser{ID: 7, Username: "bob"}, ApprovedAt: &at},
		{User: &gl.BasicUser{ID: 8, Username: "guest"}, ApprovedAt: &at}, nil}}
	may := map[int64]bool{7: true, 8: false}
	rv := []*gl.MergeRequestReviewer{
		{User: &gl.BasicUser{Username: "carol"}, State: "requested_changes", CreatedAt: &at},
		{User: &gl.BasicUser{Username: "dave"}, State: "reviewed"},
	}
	got := reviews(ap, rv, "h1", approvalTime{reset: true}, may)
	assert.Equal(t, []forge.Review{
		{User: "bob", State: policy.ReviewApproved, CommitID: "h1", SubmittedAt: at, CanApprove: true},
		{User: "guest", State: policy.ReviewApproved, CommitID: "h1", SubmittedAt: at},
		{User: "carol", State: policy.ReviewChangesRequested, CommitID: "h1", SubmittedAt: at},
	}, got)
	assert.Equal(t, []forge.Review{}, reviews(nil, nil, "h1", approvalTime{reset: true}, may))
	assert.False(t, reviews(ap, nil, "h1", approvalTime{reset: true}, nil)[0].CanApprove, "a user whose role is unknown may not approve")

	// Approvals kept on push: an approval is of the head only when given
	// after the head was pushed.
	for since, want := range map[time.Time]string{{}: "", at.Add(-time.Second): "h1", at: "", at.Add(time.Hour): ""} {
		got := reviews(ap, nil, "h1", approvalTime{since: since}, may)
		assert.Equal(t, forge.Review{User: "bob", State: policy.ReviewApproved, CommitID: want, SubmittedAt: at, CanApprove: true}, got[0], since)
	}
	noTime := &gl.MergeRequestApprovals{ApprovedBy: []*gl.MergeRequestApproverUser{{User: &gl.BasicUser{Username: "bob"}}}}
	assert.Empty(t, reviews(noTime, nil, "h1", approvalTime{since: at}, may)[0].CommitID, "an approval of unknown time")
}

func TestStatusOutcome(t *testing.T) {
	for s, want := range map[string]string{"success": forge.CheckSuccess, "failed": forge.CheckFailure, "canceled": forge.CheckFailure,
		"skipped": forge.CheckSkipped, "running": forge.CheckPending, "manual": forge.CheckPending, "created": forge.CheckPending} {
		assert.Equal(t, want, statusOutcome(s), s)
	}
}

// refusing answers the first n requests with GitLab's documented 429
// (Retry-After, RateLimit-Reset) and then a note.
func refusing(t *testing.T, n int32, status int, body string, reset time.Time) (*httptest.Server, *atomic.Int32) {
	var count atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if count.Add(1) <= n {
			if status == http.StatusTooManyRequests {
				w.Header().Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
			}
			w.WriteHeader(status)
			w.Write([]byte(body))
			return
		}
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"id":302,"body":"closed"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &count
}

func TestRateLimit(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	fake := func(c *Client, now time.Time) *[]time.Duration {
		var waits []time.Duration
		c.wait.Now = func() time.Time { return now }
		c.wait.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
		return &waits
	}
	t.Run("waits for the reset", func(t *testing.T) {
		srv, n := refusing(t, 1, http.StatusTooManyRequests, `{"message":"Retry later"}`, now.Add(20*time.Second))
		c, err := New(srv.Client(), srv.URL, "1", "t")
		require.NoError(t, err)
		waits := fake(c, now)
		_, err = c.Comment(context.Background(), 1, "x")
		require.NoError(t, err)
		assert.Equal(t, []time.Duration{21 * time.Second}, *waits)
		assert.Equal(t, int32(2), n.Load())
	})
	t.Run("refused past the deadline", func(t *testing.T) {
		srv, n := refusing(t, 1, http.StatusTooManyRequests, `{"message":"Retry later"}`, time.Now().Add(time.Hour))
		c, err := New(srv.Client(), srv.URL, "1", "t")
		require.NoError(t, err)
		waits := fake(c, time.Now())
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err = c.Comment(ctx, 1, "x")
		assert.ErrorIs(t, err, forge.ErrRateLimited)
		assert.Empty(t, *waits)
		assert.Equal(t, int32(1), n.Load())
	})
}

func TestErrors(t *testing.T) {
	for status, want := range map[int]error{404: forge.ErrNotFound, 401: forge.ErrUnauthorized, 422: forge.ErrInvalid, 409: forge.ErrConflict} {
		srv, _ := refusing(t, 1, status, `{"message":"`+http.StatusText(status)+`"}`, time.Time{})
		c, err := New(srv.Client(), srv.URL, "1", "t")
		require.NoError(t, err)
		_, err = c.Comment(context.Background(), 1, "x")
		assert.ErrorIs(t, err, want, status)
		var ae *forge.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "POST", ae.Method)
		assert.Equal(t, "/api/v4/projects/1/merge_requests/1/notes", ae.Path)
	}
}

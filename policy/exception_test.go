package policy_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/policy"
)

func validException() policy.Exception {
	return policy.Exception{
		ID: "EXC-7", Owner: "Engineering Manager", Type: "temporary", Policy: "§1.11.3 linear history",
		Controls: []string{"REL-HISTORY-001"}, Scope: "repo api, branch main", Risk: "low: one merge commit",
		Compensating: "extra review", Requester: "alice", Approvers: []string{"bob"},
		Expires: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Rollback: "revert the merge", Evidence: []string{"https://tickets/EXC-7"},
	}
}

func TestExceptions(t *testing.T) {
	merge := policy.Facts{Now: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		PullRequest: &policy.PullRequest{Number: 4, MergeMethod: "merge"}, Commits: nil}
	merge.Commits = logRangeEmpty()
	for _, tc := range []struct {
		name   string
		edit   func(e *policy.Exception)
		want   policy.Status
		reason string
	}{
		{"valid", func(*policy.Exception) {}, policy.Waived, "waived by exception EXC-7"},
		{"expired", func(e *policy.Exception) { e.Expires = time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC) }, policy.Fail, "expired"},
		{"expires now", func(e *policy.Exception) { e.Expires = merge.Now }, policy.Fail, "expired"},
		{"no owner", func(e *policy.Exception) { e.Owner = "" }, policy.Fail, "missing owner"},
		{"self-approved", func(e *policy.Exception) { e.Approvers = []string{"alice"} }, policy.Fail, "no approver other than the requester"},
		{"temporary without expiry", func(e *policy.Exception) { e.Expires = time.Time{} }, policy.Fail, "without expires"},
		{"permanent with review", func(e *policy.Exception) {
			e.Type, e.Expires, e.Review = "permanent", time.Time{}, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
		}, policy.Waived, "review 2027-01-01"},
		{"permanent without review", func(e *policy.Exception) { e.Type = "permanent" }, policy.Fail, "without review"},
		{"bad type", func(e *policy.Exception) { e.Type = "forever" }, policy.Fail, "not temporary or permanent"},
		{"other control", func(e *policy.Exception) { e.Controls = []string{"REL-TAG-001"} }, policy.Fail, "merge_method"},
		{"no evidence", func(e *policy.Exception) { e.Evidence = nil }, policy.Fail, "missing evidence links"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := validException()
			tc.edit(&e)
			r := policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{policy.LinearHistory{}}, Exceptions: []policy.Exception{e}}, merge)
			res := r.Results[0]
			assert.Equal(t, tc.want, res.Status, res.Reason)
			assert.Contains(t, res.Reason, tc.reason)
			if tc.want == policy.Waived {
				assert.NoError(t, r.Err())
				assert.Equal(t, "EXC-7", res.Waiver.ID)
			} else {
				assert.Error(t, r.Err())
				assert.Nil(t, res.Waiver)
			}
		})
	}
}

// An exception waives a failed control, never an evaluator that could not
// decide (a panic, an error, a cancelled evaluation).
func TestExceptionDoesNotWaiveControlError(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for name, fn := range map[string]func(context.Context) policy.Result{
		"panic": func(context.Context) policy.Result { panic("boom") },
		"error": func(context.Context) policy.Result {
			return policy.Result{Status: policy.Pass, Err: errors.New("backend down")}
		},
	} {
		t.Run(name, func(t *testing.T) {
			p := policy.Policy{Controls: []policy.Control{funcControl{id: "X-1", fn: fn}}, Exceptions: []policy.Exception{testException("X-1")}}
			rep := policy.Evaluate(context.Background(), p, policy.Facts{Now: now})
			require.Len(t, rep.Results, 1)
			assert.Equal(t, policy.Fail, rep.Results[0].Status)
			assert.ErrorIs(t, rep.Err(), &policy.ReportError{Reason: "controls failed"})
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ok := funcControl{id: "X-1", fn: func(context.Context) policy.Result { return policy.Result{Status: policy.Pass} }}
		p := policy.Policy{Controls: []policy.Control{ok}, Exceptions: []policy.Exception{testException("X-1")}}
		rep := policy.Evaluate(ctx, p, policy.Facts{Now: now})
		assert.Equal(t, policy.Fail, rep.Results[0].Status)
	})
}

// A blank approver is no approver: separation of duties needs a real
// second person.
func TestExceptionBlankApprover(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, a := range []string{" ", "\t", " alice", "ALICE "} {
		e := testException("X-1")
		e.Approvers = []string{a}
		assert.NotEmpty(t, e.Problems(now), "approver %q", a)
	}
	e := testException("X-1")
	assert.Empty(t, e.Problems(now))
	e.Expires = now
	assert.NotEmpty(t, e.Problems(now), "expires exactly at the evaluation instant")
}

// TestPermanentExceptionReviewBounded: a permanent exception is
// reconsidered at least yearly; a review date further ahead (9999-12-31)
// waives nothing.
func TestPermanentExceptionReviewBounded(t *testing.T) {
	now := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	e := validException()
	e.Type, e.Expires = "permanent", time.Time{}
	e.Review = now.AddDate(0, 11, 0)
	if p := e.Problems(now); len(p) != 0 {
		t.Fatalf("a review 11 months ahead: %v", p)
	}
	e.Review = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	p := e.Problems(now)
	if len(p) != 1 || !strings.Contains(p[0], "reconsidered at least yearly") {
		t.Fatalf("a review in 9999: %v", p)
	}
}

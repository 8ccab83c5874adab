package policy_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/policy"
)

// fake is a hand-written Control for the evaluator's own tests.
type fake struct {
	meta     policy.Meta
	EvalFunc func(ctx context.Context, f policy.Facts) policy.Result
}

func (c fake) Meta() policy.Meta { return c.meta }
func (c fake) Evaluate(ctx context.Context, f policy.Facts) policy.Result {
	return c.EvalFunc(ctx, f)
}

func control(id string, fn func(ctx context.Context, f policy.Facts) policy.Result) fake {
	return fake{meta: policy.Meta{ID: id, Title: id}, EvalFunc: fn}
}

func TestEvaluateDenies(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func(ctx context.Context, f policy.Facts) policy.Result
		want error
	}{
		{"panic", func(context.Context, policy.Facts) policy.Result { panic("boom") }, policy.ErrControlFailed},
		{"error with pass", func(context.Context, policy.Facts) policy.Result {
			return policy.Result{Status: policy.Pass, Err: errors.New("cannot read")}
		}, policy.ErrControlFailed},
		{"unknown status", func(context.Context, policy.Facts) policy.Result { return policy.Result{Status: "maybe"} }, policy.ErrControlFailed},
		{"self-declared waiver", func(context.Context, policy.Facts) policy.Result { return policy.Result{Status: policy.Waived} }, policy.ErrControlFailed},
		{"zero result", func(context.Context, policy.Facts) policy.Result { return policy.Result{} }, policy.ErrControlFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{control("X-1", tc.fn)}}, policy.Facts{})
			require.Len(t, r.Results, 1)
			res := r.Results[0]
			assert.Equal(t, policy.Fail, res.Status)
			assert.ErrorIs(t, res.Err, tc.want)
			assert.NotEmpty(t, res.Reason)
			assert.ErrorIs(t, r.Err(), &policy.ReportError{Reason: "controls failed"})
		})
	}
}

func TestEvaluateCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	pass := control("X-1", func(context.Context, policy.Facts) policy.Result {
		return policy.Result{Status: policy.Pass, Reason: "ok"}
	})
	r := policy.Evaluate(ctx, policy.Policy{Controls: []policy.Control{pass}}, policy.Facts{})
	assert.Equal(t, policy.Fail, r.Results[0].Status)
	assert.ErrorIs(t, r.Results[0].Err, context.Canceled)
}

func TestEmptyPolicy(t *testing.T) {
	r := policy.Evaluate(context.Background(), policy.Policy{}, policy.Facts{})
	assert.ErrorIs(t, r.Err(), policy.ErrEmptyPolicy)
}

func TestReportErr(t *testing.T) {
	ok := control("A-1", func(context.Context, policy.Facts) policy.Result {
		return policy.Result{Status: policy.Pass, Reason: "fine"}
	})
	na := control("A-2", func(context.Context, policy.Facts) policy.Result {
		return policy.Result{Status: policy.NotApplicable, Reason: "n/a"}
	})
	bad := control("A-3", func(context.Context, policy.Facts) policy.Result {
		return policy.Result{Status: policy.Fail, Reason: "rename it"}
	})
	r := policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{ok, na}}, policy.Facts{})
	assert.NoError(t, r.Err())
	r = policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{ok, na, bad}}, policy.Facts{})
	require.ErrorIs(t, r.Err(), &policy.ReportError{Reason: "controls failed"})
	assert.Contains(t, r.Err().Error(), "A-3: rename it")
	assert.Equal(t, map[policy.Status]int{policy.Pass: 1, policy.NotApplicable: 1, policy.Fail: 1}, r.Counts())
	assert.Equal(t, policy.High, r.Results[0].Control.Severity, "zero severity reads as high")
}

func TestControlWithoutID(t *testing.T) {
	c := control("", func(context.Context, policy.Facts) policy.Result {
		return policy.Result{Status: policy.Pass, Reason: "ok"}
	})
	r := policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{c}}, policy.Facts{})
	assert.Equal(t, policy.Fail, r.Results[0].Status)
	assert.ErrorIs(t, r.Results[0].Err, policy.ErrControlFailed)
}

// A context cancelled while a control runs denies even when the control,
// having stopped early, reports a pass.
func TestEvaluateCancelledMidway(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := funcControl{id: "X-1", fn: func(ctx context.Context) policy.Result {
		cancel()
		return policy.Result{Status: policy.Pass, Reason: "nothing checked"}
	}}
	rep := policy.Evaluate(ctx, policy.Policy{Controls: []policy.Control{c}}, policy.Facts{})
	assert.Equal(t, policy.Fail, rep.Results[0].Status)
	assert.ErrorIs(t, rep.Err(), &policy.ReportError{Reason: "controls failed"})
}

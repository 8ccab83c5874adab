package policy_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

func TestChangeWindow(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday}
	ctl := policy.ChangeWindow{
		Windows: []policy.Window{{Days: weekdays, Start: "09:00", End: "16:00", Zone: "Europe/Berlin"}},
		Freezes: []policy.Freeze{{From: time.Date(2026, 12, 18, 0, 0, 0, 0, berlin), To: time.Date(2027, 1, 4, 0, 0, 0, 0, berlin), Reason: "year-end freeze"}},
	}
	complete := &manifest.EmergencyChange{Reason: "INC-1 outage", Approver: "oncall-manager", Scope: "api", RollbackPlan: "redeploy v1.4.1", FollowUp: "PIR-1"}
	for _, tc := range []struct {
		name string
		at   time.Time
		env  string
		em   *manifest.EmergencyChange
		want policy.Status
	}{
		{"inside, Berlin", time.Date(2026, 3, 2, 9, 0, 0, 0, berlin), "production", nil, policy.Pass},
		{"end is exclusive", time.Date(2026, 3, 2, 16, 0, 0, 0, berlin), "production", nil, policy.Fail},
		{"before start", time.Date(2026, 3, 2, 8, 59, 0, 0, berlin), "production", nil, policy.Fail},
		{"Friday", time.Date(2026, 3, 6, 10, 0, 0, 0, berlin), "production", nil, policy.Fail},
		// 03:30 in New York is 09:30 in Berlin in winter (CET, UTC+1 / EST, UTC-5).
		{"other zone, same instant", time.Date(2026, 3, 2, 3, 30, 0, 0, ny), "production", nil, policy.Pass},
		// In UTC the day is still Sunday 23:30 → Monday 00:30 Berlin: outside.
		{"UTC day differs", time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC), "production", nil, policy.Fail},
		// Berlin moves to CEST (UTC+2) on 2026-03-29: 07:30 UTC is 09:30 local after, 08:30 before.
		{"after DST start", time.Date(2026, 3, 30, 7, 30, 0, 0, time.UTC), "production", nil, policy.Pass},
		{"before DST start", time.Date(2026, 3, 23, 7, 30, 0, 0, time.UTC), "production", nil, policy.Fail},
		// New York moved to EDT on 2026-03-08, Berlin not yet: 04:30 EDT is 09:30 CET.
		{"zones out of step", time.Date(2026, 3, 9, 4, 30, 0, 0, ny), "production", nil, policy.Pass},
		{"freeze beats window", time.Date(2026, 12, 21, 10, 0, 0, 0, berlin), "production", nil, policy.Fail},
		{"emergency in freeze", time.Date(2026, 12, 21, 10, 0, 0, 0, berlin), "production", complete, policy.Pass},
		{"emergency outside window", time.Date(2026, 3, 6, 22, 0, 0, 0, berlin), "production", complete, policy.Pass},
		{"staging has no windows", time.Date(2026, 3, 6, 22, 0, 0, 0, berlin), "staging", nil, policy.NotApplicable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := eval(t, ctl, policy.Facts{Deployment: &policy.Deployment{Environment: tc.env, At: tc.at, Emergency: tc.em}})
			assert.Equal(t, tc.want, res.Status, res.Reason)
		})
	}

	t.Run("emergency record missing a field", func(t *testing.T) {
		for _, field := range []string{"reason", "approver", "scope", "rollback", "follow_ups"} {
			em := *complete
			switch field {
			case "reason":
				em.Reason = ""
			case "approver":
				em.Approver = " "
			case "scope":
				em.Scope = ""
			case "rollback":
				em.RollbackPlan = ""
			case "follow_ups":
				em.FollowUp = " "
			}
			res := eval(t, ctl, policy.Facts{Deployment: &policy.Deployment{Environment: "production", At: time.Date(2026, 3, 6, 22, 0, 0, 0, berlin), Emergency: &em}})
			assert.Equal(t, policy.Fail, res.Status, field)
			assert.Contains(t, res.Reason, field)
		}
	})
	t.Run("clock from facts", func(t *testing.T) {
		res := eval(t, ctl, policy.Facts{Now: time.Date(2026, 3, 2, 10, 0, 0, 0, berlin), Deployment: &policy.Deployment{Environment: "production"}})
		assert.Equal(t, policy.Pass, res.Status, res.Reason)
		res = eval(t, ctl, policy.Facts{Deployment: &policy.Deployment{Environment: "production"}})
		assert.ErrorIs(t, res.Err, policy.ErrMissingEvidence)
	})
	t.Run("no windows", func(t *testing.T) {
		res := eval(t, policy.ChangeWindow{}, policy.Facts{Deployment: &policy.Deployment{Environment: "production", At: time.Date(2026, 3, 2, 10, 0, 0, 0, berlin)}})
		assert.Equal(t, policy.Fail, res.Status)
	})
	t.Run("bad zone", func(t *testing.T) {
		bad := policy.ChangeWindow{Windows: []policy.Window{{Days: weekdays, Start: "09:00", End: "16:00", Zone: "Mars/Olympus"}}}
		res := eval(t, bad, policy.Facts{Deployment: &policy.Deployment{Environment: "production", At: time.Date(2026, 3, 2, 10, 0, 0, 0, berlin)}})
		assert.Equal(t, policy.Fail, res.Status)
		assert.ErrorIs(t, res.Err, policy.ErrControlFailed)
	})
}

// A freeze without an end (or ending before it starts) is a configuration
// error that denies, never a freeze that silently never applies.
func TestOpenFreezeDenies(t *testing.T) {
	at := time.Date(2026, 12, 21, 10, 0, 0, 0, time.UTC) // a Monday
	win := []policy.Window{{Days: []time.Weekday{time.Monday}, Start: "09:00", End: "16:00"}}
	for name, fr := range map[string]policy.Freeze{
		"no end":   {From: at.Add(-time.Hour), Reason: "year end"},
		"reversed": {From: at.Add(-time.Hour), To: at.Add(-2 * time.Hour)},
	} {
		t.Run(name, func(t *testing.T) {
			c := policy.ChangeWindow{Windows: win, Freezes: []policy.Freeze{fr}}
			f := policy.Facts{Now: at, Deployment: &policy.Deployment{Environment: "production", At: at}}
			res := policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{c}}, f).Results[0]
			assert.Equal(t, policy.Fail, res.Status, res.Reason)
		})
	}
	// A freeze given in another zone is the same instant range.
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	c := policy.ChangeWindow{Windows: win, Freezes: []policy.Freeze{{From: at.In(tokyo), To: at.Add(time.Minute).In(tokyo)}}}
	f := policy.Facts{Now: at, Deployment: &policy.Deployment{Environment: "production", At: at}}
	assert.Equal(t, policy.Fail, policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{c}}, f).Results[0].Status)
	f.Deployment.At = at.Add(time.Minute)
	assert.Equal(t, policy.Pass, policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{c}}, f).Results[0].Status)
}

// Windows are wall-clock hours in their zone across DST changes.
func TestWindowDST(t *testing.T) {
	w := policy.ChangeWindow{Windows: []policy.Window{{Days: []time.Weekday{time.Sunday}, Start: "02:00", End: "03:00", Zone: "Europe/Berlin"}}}
	eval := func(at time.Time) policy.Status {
		f := policy.Facts{Now: at, Deployment: &policy.Deployment{Environment: "production", At: at}}
		return policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{w}}, f).Results[0].Status
	}
	// 2026-03-29: 02:00-03:00 CET does not exist (01:00 UTC is 03:00 CEST).
	assert.Equal(t, policy.Fail, eval(time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)))
	assert.Equal(t, policy.Fail, eval(time.Date(2026, 3, 29, 0, 59, 0, 0, time.UTC))) // 01:59 CET
	// 2026-10-25: 02:00-03:00 happens twice (00:00-01:00 and 01:00-02:00 UTC).
	assert.Equal(t, policy.Pass, eval(time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)))
	assert.Equal(t, policy.Pass, eval(time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)))
	assert.Equal(t, policy.Fail, eval(time.Date(2026, 10, 25, 2, 0, 0, 0, time.UTC)))
	// Across midnight is not expressible; it denies instead of allowing.
	w.Windows[0] = policy.Window{Days: []time.Weekday{time.Sunday}, Start: "22:00", End: "02:00"}
	assert.Equal(t, policy.Fail, eval(time.Date(2026, 10, 25, 23, 0, 0, 0, time.UTC)))
}

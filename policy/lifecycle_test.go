package policy_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

// lifecycle is a real DirStore in which v1.4.1 (a first release) ran in
// dev, staging and prod, and v1.4.2 (rolling back to v1.4.1) is recorded.
type lifecycle struct {
	st   *manifest.DirStore
	opts []manifest.Option
}

func newLifecycle(t *testing.T) lifecycle {
	t.Helper()
	st, err := manifest.NewDirStore(t.TempDir())
	require.NoError(t, err)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l := lifecycle{st: st, opts: []manifest.Option{
		manifest.WithClock(func() time.Time { at = at.Add(time.Minute); return at }),
		manifest.WithSkipSignatureUnsafe(), manifest.WithSkipAuthorizationUnsafe(),
	}}
	first := completeRecord(t, "v1.4.1")
	first.Rollback = manifest.RollbackPlan{Method: "remove the deployment", Version: manifest.RollbackNone}
	require.NoError(t, st.PutRecord(t.Context(), first))
	second := completeRecord(t, "v1.4.2")
	second.Artifacts = []manifest.Artifact{{Name: "app", Digest: build2}}
	second.Rollback = manifest.RollbackPlan{Method: "redeploy", Version: "v1.4.1", Digest: build1}
	require.NoError(t, st.PutRecord(t.Context(), second))
	l.promote(t, "v1.4.1", build1, "dev", "staging", "prod")
	return l
}

func (l lifecycle) promote(t *testing.T, release, digest string, envs ...string) {
	t.Helper()
	for _, env := range envs {
		_, err := manifest.Promote(t.Context(), l.st, manifest.PromoteRequest{
			Release: release, Env: env, Digest: digest, Releaser: "ci-bot", Approver: "carol", Reason: "CHG-1",
		}, l.opts...)
		require.NoError(t, err, "%s to %s", release, env)
	}
}

// promotions returns the verified log's promotions.
func (l lifecycle) promotions(t *testing.T) []manifest.Promotion {
	t.Helper()
	es, err := manifest.VerifyStore(t.Context(), l.st, nil)
	require.NoError(t, err)
	out := []manifest.Promotion{}
	for _, e := range es {
		if e.Kind == manifest.KindPromotion {
			out = append(out, *e.Promotion)
		}
	}
	return out
}

func (l lifecycle) record(t *testing.T, tag string) *manifest.Record {
	t.Helper()
	r, err := l.st.Record(t.Context(), tag)
	require.NoError(t, err)
	return &r
}

// TestRollbackTarget: REL-ROLLBACK-001 passes for a rollback target that
// ran in production with its digest and for a first release, fails for a
// target never released, not in production, with another digest, or a
// "first release" after another, and is not applicable without a record.
func TestRollbackTarget(t *testing.T) {
	l := newLifecycle(t)
	hist := l.promotions(t)
	v141, v142 := l.record(t, "v1.4.1"), l.record(t, "v1.4.2")
	with := func(r *manifest.Record, rb manifest.RollbackPlan) *manifest.Record {
		c := *r
		c.Rollback = rb
		return &c
	}
	tests := []struct {
		name   string
		facts  policy.Facts
		status policy.Status
		reason string
	}{
		{"target ran in production", policy.Facts{Record: v142, RollbackTarget: v141, Promotions: hist}, policy.Pass, "rollback target v1.4.1 of v1.4.2 ran in production (prod)"},
		{"first release", policy.Facts{Record: v141, Promotions: hist}, policy.Pass, "first release"},
		{"first release, empty log", policy.Facts{Record: v141, Promotions: []manifest.Promotion{}}, policy.Pass, "first release"},
		{"first release after another", policy.Facts{Record: with(v142, manifest.RollbackPlan{Method: "x", Version: "none"}), Promotions: hist}, policy.Fail, "prod ran v1.4.1 in production"},
		{"never released", policy.Facts{Record: with(v142, manifest.RollbackPlan{Method: "x", Version: "v9.9.9"}), Promotions: hist}, policy.Fail, "missing evidence"},
		{"target record of another release", policy.Facts{Record: with(v142, manifest.RollbackPlan{Method: "x", Version: "v9.9.9"}), RollbackTarget: v141, Promotions: hist}, policy.Fail, "not v9.9.9"},
		{"digest not the target's", policy.Facts{Record: with(v142, manifest.RollbackPlan{Method: "x", Version: "v1.4.1", Digest: build2}), RollbackTarget: v141, Promotions: hist}, policy.Fail, "is not an artifact of v1.4.1"},
		{"target ran another digest", policy.Facts{Record: with(v142, manifest.RollbackPlan{Method: "x", Version: "v1.4.1", Digest: worker}), RollbackTarget: v141, Promotions: hist}, policy.Fail, "not rollback.digest"},
		{"never in production", policy.Facts{Record: with(v142, manifest.RollbackPlan{Method: "x", Version: "v1.4.1"}), RollbackTarget: v141, Promotions: hist[:2]}, policy.Fail, "never ran in production"},
		{"no target", policy.Facts{Record: with(v142, manifest.RollbackPlan{Method: "x"}), Promotions: hist}, policy.Fail, "names no rollback target"},
		{"itself", policy.Facts{Record: with(v142, manifest.RollbackPlan{Method: "x", Version: "v1.4.2"}), Promotions: hist}, policy.Fail, "names itself"},
		{"no log", policy.Facts{Record: v142, RollbackTarget: v141}, policy.Fail, "missing evidence"},
		{"no record", policy.Facts{Promotions: hist}, policy.NotApplicable, "no release record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := eval(t, policy.RollbackTarget{}, tt.facts)
			assert.Equal(t, tt.status, res.Status, res.Reason)
			assert.Contains(t, res.Reason, tt.reason)
		})
	}

	// An environment the log does not mark as production counts when
	// configured.
	old := hist[:2] // dev and staging
	for i := range old {
		old[i].Production = false
	}
	res := eval(t, policy.RollbackTarget{Environments: []string{"staging"}}, policy.Facts{Record: v142, RollbackTarget: v141, Promotions: old})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)
}

// TestRollbackTargetRolledBackFrom: REL-ROLLBACK-001 fails a rollback
// target production was rolled back from (it is not known-good), until
// production runs it again.
func TestRollbackTargetRolledBackFrom(t *testing.T) {
	l := newLifecycle(t)
	l.promote(t, "v1.4.2", build2, "dev", "staging", "prod")
	_, err := manifest.Rollback(t.Context(), l.st, manifest.RollbackRequest{Env: "prod", Approver: "carol", Reason: "INC-9 v1.4.2 corrupts carts", Releaser: "ci-bot"}, l.opts...)
	require.NoError(t, err)
	v142 := l.record(t, "v1.4.2")
	next := completeRecord(t, "v1.4.3")
	next.Rollback = manifest.RollbackPlan{Method: "redeploy", Version: "v1.4.2", Digest: build2}

	res := eval(t, policy.RollbackTarget{}, policy.Facts{Record: &next, RollbackTarget: v142, Promotions: l.promotions(t)})
	assert.Equal(t, policy.Fail, res.Status, res.Reason)
	assert.Contains(t, res.Reason, "rollback target v1.4.2 of v1.4.3 was rolled back from in production (prod)")

	l.promote(t, "v1.4.2", build2, "prod")
	res = eval(t, policy.RollbackTarget{}, policy.Facts{Record: &next, RollbackTarget: v142, Promotions: l.promotions(t)})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)
}

// TestLifecycleConfig: the lifecycle controls are configured through the
// release configuration's policy.
func TestLifecycleConfig(t *testing.T) {
	p, err := policy.ReadConfig(strings.NewReader("controls:\n  REL-ROLLBACK-001: {environments: [production, live]}\n"))
	require.NoError(t, err)
	assert.Equal(t, []policy.Control{policy.RollbackTarget{Environments: []string{"production", "live"}}}, p.Controls)
	p, err = policy.ReadConfig(strings.NewReader("controls:\n  REL-ROLLBACK-001: {}\n"))
	require.NoError(t, err)
	assert.Equal(t, []policy.Control{policy.RollbackTarget{}}, p.Controls)
}

// A first release stays a valid rollback target after later releases: a
// rollback to it is not refused because production has since run others.
// A release that claims to be the first after another ran is refused.
func TestRollbackTargetFirstReleaseLater(t *testing.T) {
	first := completeRecord(t, "v1.0.0")
	first.Rollback = manifest.RollbackPlan{Method: "uninstall", Version: "none (first release)"}
	log := []manifest.Promotion{
		{Release: "v1.0.0", Env: "production", Production: true},
		{Release: "v1.1.0", Env: "production", Production: true},
		{Release: "v1.0.0", Env: "production", Production: true, RollbackFrom: "v1.1.0"},
	}
	res := eval(t, policy.RollbackTarget{}, policy.Facts{Record: &first, Promotions: log})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)

	late := completeRecord(t, "v1.2.0")
	late.Rollback = manifest.RollbackPlan{Method: "uninstall", Version: "none"}
	res = eval(t, policy.RollbackTarget{}, policy.Facts{Record: &late, Promotions: log})
	assert.Equal(t, policy.Fail, res.Status, res.Reason)
	assert.Contains(t, res.Reason, "says it is a first release")
}

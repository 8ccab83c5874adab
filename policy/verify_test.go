package policy_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

// verify records a verification of release in env at, with the checks
// given (name → passed), in l's store.
func (l lifecycle) verify(t *testing.T, release, env string, at time.Time, checks map[string]bool) {
	t.Helper()
	var cs []manifest.CheckResult
	for name, ok := range checks {
		cs = append(cs, manifest.CheckResult{Name: name, Passed: ok, URL: "https://ci.example.com/" + name})
	}
	_, err := manifest.RecordVerification(t.Context(), l.st, manifest.VerificationRequest{Release: release, Env: env, Checks: cs, Verifier: "erin"},
		manifest.WithClock(func() time.Time { return at }))
	require.NoError(t, err)
}

// verifications returns the verified log's verifications.
func (l lifecycle) verifications(t *testing.T) []manifest.Verification {
	t.Helper()
	es, err := manifest.VerifyStore(t.Context(), l.st, nil)
	require.NoError(t, err)
	return manifest.Verifications(es)
}

// TestVerifyProduction: REL-VERIFY-001 passes when the latest production
// promotion was verified with every check passed within the deadline (or
// the deadline is still ahead), fails when a check failed, the
// verification came late or never came, and is not applicable when the
// release never reached production. The facts come from real stores,
// filled by manifest.Promote and manifest.RecordVerification.
func TestVerifyProduction(t *testing.T) {
	l := newLifecycle(t) // v1.4.1 ran in dev, staging, prod
	hist := l.promotions(t)
	prod := hist[len(hist)-1]
	require.Equal(t, "prod", prod.Env)
	require.True(t, prod.Production)
	v141, v142 := l.record(t, "v1.4.1"), l.record(t, "v1.4.2")

	// Verified 10 minutes after the promotion, every check passed.
	ok := newLifecycle(t)
	ok.verify(t, "v1.4.1", "staging", prod.PromotedAt.Add(-time.Minute), map[string]bool{"smoke": false}) // not production
	ok.verify(t, "v1.4.1", "prod", prod.PromotedAt.Add(10*time.Minute), map[string]bool{"smoke": true, "error-rate": true})
	// A check failed.
	bad := newLifecycle(t)
	bad.verify(t, "v1.4.1", "prod", prod.PromotedAt.Add(5*time.Minute), map[string]bool{"smoke": true})
	bad.verify(t, "v1.4.1", "prod", prod.PromotedAt.Add(10*time.Minute), map[string]bool{"smoke": true, "error-rate": false})
	// Verified three hours later.
	late := newLifecycle(t)
	late.verify(t, "v1.4.1", "prod", prod.PromotedAt.Add(3*time.Hour), map[string]bool{"smoke": true})

	soon, later := prod.PromotedAt.Add(30*time.Minute), prod.PromotedAt.Add(2*time.Hour)
	tests := []struct {
		name    string
		c       policy.VerifyProduction
		facts   policy.Facts
		status  policy.Status
		reason  string
		missing bool
	}{
		{"verified", policy.VerifyProduction{}, policy.Facts{Now: later, Record: v141, Promotions: hist, Verifications: ok.verifications(t)}, policy.Pass, "1 production promotion(s) verified, 0 due", false},
		{"every release", policy.VerifyProduction{}, policy.Facts{Now: later, Promotions: hist, Verifications: ok.verifications(t)}, policy.Pass, "verified", false},
		{"due", policy.VerifyProduction{}, policy.Facts{Now: soon, Record: v141, Promotions: hist}, policy.Pass, "0 production promotion(s) verified, 1 due within 1h0m0s", false},
		{"check failed", policy.VerifyProduction{}, policy.Facts{Now: later, Record: v141, Promotions: hist, Verifications: bad.verifications(t)}, policy.Fail, "failed [error-rate]", false},
		{"late", policy.VerifyProduction{}, policy.Facts{Now: later.Add(2 * time.Hour), Record: v141, Promotions: hist, Verifications: late.verifications(t)}, policy.Fail, "after its deadline", false},
		{"late is in time with within 4h", policy.VerifyProduction{Within: 4 * time.Hour}, policy.Facts{Now: later.Add(2 * time.Hour), Record: v141, Promotions: hist, Verifications: late.verifications(t)}, policy.Pass, "1 production promotion(s) verified", false},
		{"never verified", policy.VerifyProduction{}, policy.Facts{Now: later, Record: v141, Promotions: hist, Verifications: ok.verifications(t)[:1]}, policy.Fail, "it was due by", true},
		{"no time", policy.VerifyProduction{}, policy.Facts{Record: v141, Promotions: hist}, policy.Fail, "evaluation time", true},
		{"no log", policy.VerifyProduction{}, policy.Facts{Now: later, Record: v141}, policy.Fail, "the promotion log", true},
		{"another digest", policy.VerifyProduction{}, policy.Facts{Now: later, Record: v141, Promotions: hist,
			Verifications: func() []manifest.Verification {
				vs := ok.verifications(t)
				vs[1].Digest = build2
				return vs
			}()}, policy.Fail, "it was due by", true},
		{"not in production", policy.VerifyProduction{}, policy.Facts{Now: later, Record: v142, Promotions: hist}, policy.NotApplicable, "never promoted to production", false},
		{"nothing in production", policy.VerifyProduction{}, policy.Facts{Now: later, Promotions: hist[:2]}, policy.NotApplicable, "no release was promoted to production", false},
		{"a promotion being decided", policy.VerifyProduction{}, policy.Facts{Now: later, Record: v141, Promotions: hist, Promotion: &prod}, policy.NotApplicable, "its verification follows it", false},
		{"no record, no log", policy.VerifyProduction{}, policy.Facts{Now: later}, policy.NotApplicable, "no release record and no promotion log", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := eval(t, tt.c, tt.facts)
			assert.Equal(t, tt.status, res.Status, res.Reason)
			assert.Contains(t, res.Reason, tt.reason)
			assert.Equal(t, tt.missing, errors.Is(res.Err, policy.ErrMissingEvidence), res.Reason)
		})
	}

	// A rollback is a promotion to verify: after v1.4.2 and a rollback to
	// v1.4.1, the verification of v1.4.1's first promotion no longer counts.
	l.verify(t, "v1.4.1", "prod", prod.PromotedAt, map[string]bool{"smoke": true})
	l.promote(t, "v1.4.2", build2, "dev", "staging", "prod")
	_, err := manifest.Rollback(t.Context(), l.st, manifest.RollbackRequest{Env: "prod", Releaser: "ci-bot", Approver: "carol", Reason: "errors"}, l.opts...)
	require.NoError(t, err)
	hist = l.promotions(t)
	rb := hist[len(hist)-1]
	require.Equal(t, "v1.4.1", rb.Release)
	res := eval(t, policy.VerifyProduction{}, policy.Facts{Now: rb.PromotedAt.Add(2 * time.Hour), Record: v141, Promotions: hist, Verifications: l.verifications(t)})
	assert.Equal(t, policy.Fail, res.Status, res.Reason)
	assert.ErrorIs(t, res.Err, policy.ErrMissingEvidence)
	l.verify(t, "v1.4.1", "prod", rb.PromotedAt.Add(time.Minute), map[string]bool{"smoke": true})
	res = eval(t, policy.VerifyProduction{}, policy.Facts{Now: rb.PromotedAt.Add(2 * time.Hour), Record: v141, Promotions: hist, Verifications: l.verifications(t)})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)

	// An environment the log does not mark as production counts when
	// configured.
	staging := notProduction(hist[:2])
	res = eval(t, policy.VerifyProduction{Environments: []string{"staging"}}, policy.Facts{Now: later, Promotions: staging})
	assert.Equal(t, policy.Fail, res.Status, res.Reason)
	assert.Contains(t, res.Reason, "v1.4.1 in staging")
}

func notProduction(ps []manifest.Promotion) []manifest.Promotion {
	out := append([]manifest.Promotion{}, ps...)
	for i := range out {
		out[i].Production = false
	}
	return out
}

// TestVerifyProductionConfig: REL-VERIFY-001 takes production
// environments and the time within which a verification is due.
func TestVerifyProductionConfig(t *testing.T) {
	p, err := policy.ReadConfig(strings.NewReader("controls:\n  REL-VERIFY-001: {environments: [live], within: 30m}\n"))
	require.NoError(t, err)
	assert.Equal(t, []policy.Control{policy.VerifyProduction{Environments: []string{"live"}, Within: 30 * time.Minute}}, p.Controls)
	p, err = policy.ReadConfig(strings.NewReader("controls:\n  REL-VERIFY-001: {}\n"))
	require.NoError(t, err)
	assert.Equal(t, []policy.Control{policy.VerifyProduction{}}, p.Controls)
	for _, c := range []struct{ yaml, msg string }{
		{"controls:\n  REL-VERIFY-001:\n    within: -1h\n", "policy: config line 3: within \"-1h\""},
		{"controls:\n  REL-VERIFY-001:\n    within: soon\n", "policy: config line 3: within \"soon\""},
		{"controls:\n  REL-VERIFY-001:\n    environments: [\"\"]\n", "policy: config line 3: environments: empty entry"},
		{"controls:\n  REL-VERIFY-001:\n    whithin: 1h\n", "policy: config line 3"},
	} {
		_, err := policy.ReadConfig(strings.NewReader(c.yaml))
		var ce *policy.ConfigError
		require.ErrorAs(t, err, &ce, c.yaml)
		assert.Contains(t, err.Error(), c.msg)
	}
}

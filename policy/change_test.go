package policy_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/identity"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

// TestChangeRecords: REL-CHANGE-001 passes for production flag and
// configuration changes with a ticket, a separate approver, a pull request
// (configuration) and a window or a logged emergency record; fails for an
// approver who is the actor (through the people directory), a change
// without window or emergency, an emergency record the log does not carry
// and a configuration change without pull request; is not applicable
// without production changes. The changes come from a real DirStore
// through manifest.RecordChange.
func TestChangeRecords(t *testing.T) {
	ctx := t.Context()
	l := newLifecycle(t) // v1.4.1 ran in dev, staging, prod
	at := time.Date(2026, 3, 6, 22, 0, 0, 0, time.UTC)
	em := &manifest.EmergencyChange{ID: "INC-7", Reason: "checkout down", Scope: "api", Approver: "oncall@example.com",
		RollbackPlan: "redeploy v1.4.1", FollowUp: "PIR-7", Expires: at.Add(4 * time.Hour)}
	_, err := manifest.Promote(ctx, l.st, manifest.PromoteRequest{Release: "v1.4.2", Env: "dev", Digest: build2, Releaser: "ci-bot",
		Approver: "carol", Reason: "hotfix", Emergency: em}, l.opts...)
	require.NoError(t, err)
	hist := l.promotions(t)

	flag := manifest.Change{Kind: manifest.ChangeFlag, Name: "checkout.new-flow", Env: "prod", Before: "10%", After: "50%",
		Actor: "dana@example.com", Approver: "carol@example.com", Ticket: "CHG-88", At: at, Window: "tue-10-12", Reason: "ramp"}
	config := flag
	config.Kind, config.Name, config.Before, config.After, config.PR, config.Window, config.Emergency = manifest.ChangeConfig, "db.pool_size", "20", "40", "#77", "", "INC-7"
	staging := flag
	staging.Env, staging.Window = "staging", ""
	noWindow := flag
	noWindow.Window = ""
	otherEmergency := config
	otherEmergency.Emergency = "INC-9"
	noPR := config
	noPR.PR = ""
	alias := flag
	alias.Approver = "dgh" // dana's login

	logged := func(cs ...manifest.Change) []manifest.Change {
		t.Helper()
		st, err := manifest.NewDirStore(t.TempDir())
		require.NoError(t, err)
		for _, c := range cs {
			_, err := manifest.RecordChange(ctx, st, c)
			require.NoError(t, err)
		}
		es, err := manifest.VerifyStore(ctx, st, nil)
		require.NoError(t, err)
		return manifest.LoggedChanges(es)
	}
	people, err := identity.NewDirectory(map[string][]string{"dana": {"dana@example.com", "dgh"}})
	require.NoError(t, err)

	tests := []struct {
		name    string
		c       policy.ChangeRecords
		facts   policy.Facts
		status  policy.Status
		reason  string
		missing bool
	}{
		{"window and emergency", policy.ChangeRecords{}, policy.Facts{Changes: logged(flag, config, staging), Promotions: hist}, policy.Pass, "2 production change(s) recorded", false},
		{"configured environment", policy.ChangeRecords{Environments: []string{"staging"}}, policy.Facts{Changes: logged(staging), Promotions: hist}, policy.Fail, "neither a change window nor an emergency", false},
		{"approver is the actor", policy.ChangeRecords{}, policy.Facts{Changes: logged(alias), Promotions: hist}, policy.Fail, "who made it", false},
		{"no window", policy.ChangeRecords{}, policy.Facts{Changes: logged(noWindow), Promotions: hist}, policy.Fail, "neither a change window nor an emergency", false},
		{"emergency not logged", policy.ChangeRecords{}, policy.Facts{Changes: logged(otherEmergency), Promotions: hist}, policy.Fail, "which no logged promotion or rollback carries", false},
		{"config without pull request", policy.ChangeRecords{}, policy.Facts{Changes: logged(noPR), Promotions: hist}, policy.Fail, "names no pull request", false},
		{"emergency without log", policy.ChangeRecords{}, policy.Facts{Changes: logged(config)}, policy.Fail, "the promotion log", true},
		{"malformed", policy.ChangeRecords{}, policy.Facts{Changes: []manifest.Change{{Kind: manifest.ChangeFlag, Env: "prod"}}, Promotions: hist}, policy.Fail, "not a complete change record", false},
		{"not production", policy.ChangeRecords{}, policy.Facts{Changes: logged(staging), Promotions: hist}, policy.NotApplicable, "none of the 1 change(s) is to production", false},
		{"no changes", policy.ChangeRecords{}, policy.Facts{Promotions: hist}, policy.NotApplicable, "no configuration or feature-flag change", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{tt.c}, People: people}, tt.facts)
			require.Len(t, r.Results, 1)
			res := r.Results[0]
			assert.Equal(t, tt.status, res.Status, res.Reason)
			assert.Contains(t, res.Reason, tt.reason)
			assert.Equal(t, tt.missing, errors.Is(res.Err, policy.ErrMissingEvidence), res.Reason)
		})
	}

	// The log marks prod as production; another environment counts once a
	// promotion there was to production.
	live := flag
	live.Env, live.Window = "live", ""
	res := eval(t, policy.ChangeRecords{}, policy.Facts{Changes: logged(live), Promotions: append(hist, manifest.Promotion{Release: "v1.4.1", Env: "live", Production: true})})
	assert.Equal(t, policy.Fail, res.Status, res.Reason)
}

// TestChangeRecordsConfig: REL-CHANGE-001 takes production environments.
func TestChangeRecordsConfig(t *testing.T) {
	p, err := policy.ReadConfig(strings.NewReader("controls:\n  REL-CHANGE-001: {environments: [live]}\n"))
	require.NoError(t, err)
	assert.Equal(t, []policy.Control{policy.ChangeRecords{Environments: []string{"live"}}}, p.Controls)
	_, err = policy.ReadConfig(strings.NewReader("controls:\n  REL-CHANGE-001:\n    environments: [\" \"]\n"))
	var ce *policy.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 3, ce.Line, err.Error())
	_, err = policy.ReadConfig(strings.NewReader("controls:\n  REL-CHANGE-001:\n    approvers: [x]\n"))
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 3, ce.Line, err.Error())
}

package policy_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/policy"
)

func TestEnvironmentSeparation(t *testing.T) {
	g := gittest.New(t)
	c := g.Commit("feat: one ABC-1")
	signer, verifier := newKey(t, "ci@example.com")
	tag := signTag(t, g, "v1.0.0", c, signer, verifier)
	fp := tag.Verification.Signer.Fingerprint

	good := policy.EnvironmentSeparation{Environments: map[string]policy.Environment{
		"production": {Identities: []string{"ci@example.com"}, Keys: []string{fp}, Approvers: []string{"carol"}},
		"staging":    {Identities: []string{"staging@example.com"}, Keys: []string{"SHA256:staging"}, Approvers: []string{"dave", "carol"}},
	}}
	deploy := &policy.Deployment{Environment: "production", Approvers: []string{"carol"}}
	res := eval(t, good, policy.Facts{Tag: tag, Deployment: deploy})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)

	for _, tc := range []struct {
		name string
		ctl  policy.EnvironmentSeparation
		d    *policy.Deployment
		want string
	}{
		{"shared identity", policy.EnvironmentSeparation{Environments: map[string]policy.Environment{
			"production": {Identities: []string{"ci@example.com"}, Approvers: []string{"carol"}},
			"staging":    {Identities: []string{"CI@example.com"}}}}, nil, "identity allowed in production and staging"},
		{"shared key", policy.EnvironmentSeparation{Environments: map[string]policy.Environment{
			"production": {Keys: []string{fp}, Approvers: []string{"carol"}},
			"dev":        {Keys: []string{fp}}}}, nil, "key allowed in production and dev"},
		{"approver not allowed", good, &policy.Deployment{Environment: "production", Approvers: []string{"dave"}}, "dave (may not approve production)"},
		{"no approver", good, &policy.Deployment{Environment: "production"}, "deployment without approver"},
		{"staging key", policy.EnvironmentSeparation{Environments: map[string]policy.Environment{
			"production": {Keys: []string{"SHA256:other"}, Approvers: []string{"carol"}}}}, deploy, "not a production key"},
		{"unknown environment", good, &policy.Deployment{Environment: "qa"}, "qa (environment not configured)"},
		{"no production", policy.EnvironmentSeparation{}, nil, "no production environment"},
		{"no production approvers", policy.EnvironmentSeparation{Environments: map[string]policy.Environment{"production": {}}}, nil, "names no approvers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := eval(t, tc.ctl, policy.Facts{Tag: tag, Deployment: tc.d})
			assert.Equal(t, policy.Fail, res.Status)
			assert.Contains(t, res.Reason, tc.want)
		})
	}
}

func TestSeparationOfDutiesProduction(t *testing.T) {
	pr := &policy.PullRequest{Number: 5, Author: "alice", Approvers: []string{"bob"}}
	for _, tc := range []struct {
		name string
		d    *policy.Deployment
		want policy.Status
	}{
		{"independent gate", &policy.Deployment{Environment: "production", Approvers: []string{"carol"}, Releaser: "alice"}, policy.Pass},
		{"reviewer is sole gate approver", &policy.Deployment{Environment: "production", Approvers: []string{"bob"}}, policy.Fail},
		{"author approves own release", &policy.Deployment{Environment: "production", Approvers: []string{"alice"}, Releaser: "alice"}, policy.Fail},
		{"releaser approves", &policy.Deployment{Environment: "production", Approvers: []string{"erin"}, Releaser: "erin"}, policy.Fail},
		{"no gate approver", &policy.Deployment{Environment: "production"}, policy.Fail},
		{"staging", &policy.Deployment{Environment: "staging", Approvers: []string{"bob"}}, policy.Pass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := eval(t, policy.SeparationOfDuties{}, policy.Facts{PullRequest: pr, Deployment: tc.d})
			assert.Equal(t, tc.want, res.Status, res.Reason)
		})
	}
}

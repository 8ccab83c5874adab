package policy_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/identity"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

// evalPolicy evaluates the one control c under p's people and lifetime.
func evalPolicy(p policy.Policy, c policy.Control, f policy.Facts) policy.Result {
	p.Controls = []policy.Control{c}
	return policy.Evaluate(context.Background(), p, f).Results[0]
}

// The issue 19 vectors: the author ada approving her own change under
// another spelling fails separation of duties, whether the spelling
// normalises to her (ADA, ａｄａ, @ada, ada@example.com) or is refused as
// an identity (a zero-width space, a Cyrillic а, a newline, ESC).
func TestSeparationOfDutiesIdentities(t *testing.T) {
	for _, tc := range []struct {
		approver string
		invalid  bool
	}{
		{"ada", false}, {"ADA", false}, {"ａｄａ", false}, {"@ada", false}, {"ada@example.com", false}, {" Ada ", false},
		{"ada\u200b", true}, {"аda", true}, {"ada\n", true}, {"ada\x1b[0m", true}, {"a\u00adda", true}, {"ada\u2060", true}, {"\ufeffada", true},
	} {
		t.Run(tc.approver, func(t *testing.T) {
			pr := &policy.PullRequest{Number: 1, Author: "ada", Approvers: []string{tc.approver}}
			res := eval(t, policy.SeparationOfDuties{}, policy.Facts{PullRequest: pr})
			assert.Equal(t, policy.Fail, res.Status, res.Reason)
			assert.Equal(t, tc.invalid, strings.Contains(res.Reason, "is not a valid identity"), res.Reason)

			// The same spelling as the production approver.
			pr = &policy.PullRequest{Number: 1, Author: "ada", Approvers: []string{"bob"}}
			d := &policy.Deployment{Environment: "production", Approvers: []string{tc.approver}}
			res = eval(t, policy.SeparationOfDuties{}, policy.Facts{PullRequest: pr, Deployment: d})
			assert.Equal(t, policy.Fail, res.Status, res.Reason)
			// And as the releaser approving what they release.
			d = &policy.Deployment{Environment: "production", Releaser: "ada", Approvers: []string{"cleo"}}
			pr = &policy.PullRequest{Number: 1, Author: "erin", Approvers: []string{"bob"}}
			d.Approvers = []string{tc.approver}
			res = eval(t, policy.SeparationOfDuties{}, policy.Facts{PullRequest: pr, Deployment: d})
			assert.Equal(t, policy.Fail, res.Status, res.Reason)
		})
	}
	// An invalid author or releaser fails too.
	res := eval(t, policy.SeparationOfDuties{}, policy.Facts{PullRequest: &policy.PullRequest{Number: 1, Author: "ada\u200b", Approvers: []string{"bob"}}})
	assert.Equal(t, policy.Fail, res.Status)
	assert.Contains(t, res.Reason, `the pull request's author "ada\u200b" is not a valid identity (invisible character U+200B)`)
	res = eval(t, policy.SeparationOfDuties{}, policy.Facts{PullRequest: &policy.PullRequest{Number: 1, Author: "ada", Approvers: []string{"bob"}},
		Deployment: &policy.Deployment{Environment: "production", Releaser: "rel\x1b", Approvers: []string{"cleo"}}})
	assert.Equal(t, policy.Fail, res.Status)
	assert.Contains(t, res.Reason, "the releaser")
	// The passing path.
	res = eval(t, policy.SeparationOfDuties{}, policy.Facts{PullRequest: &policy.PullRequest{Number: 1, Author: "ada", Approvers: []string{"bob"}},
		Deployment: &policy.Deployment{Environment: "production", Releaser: "release-bot", Approvers: []string{"cleo@example.com"}}})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)
}

// Policy.People maps a person's logins and addresses: an alias of the
// author is the author, and people the directory tells apart are apart.
func TestSeparationOfDutiesPeople(t *testing.T) {
	people, err := identity.NewDirectory(map[string][]string{
		"ada":  {"ada@example.com", "ada-gh"},
		"adam": {"ada@corp.example"},
	})
	require.NoError(t, err)
	p := policy.Policy{People: people}
	pr := &policy.PullRequest{Number: 1, Author: "ada@example.com", Approvers: []string{"ADA-GH"}}
	res := evalPolicy(p, policy.SeparationOfDuties{}, policy.Facts{PullRequest: pr})
	assert.Equal(t, policy.Fail, res.Status, "ada-gh is ada")
	res = evalPolicy(policy.Policy{}, policy.SeparationOfDuties{}, policy.Facts{PullRequest: pr})
	assert.Equal(t, policy.Pass, res.Status, "without the directory ada-gh is someone else: %s", res.Reason)
	pr = &policy.PullRequest{Number: 1, Author: "ada", Approvers: []string{"ada@corp.example"}}
	res = evalPolicy(p, policy.SeparationOfDuties{}, policy.Facts{PullRequest: pr})
	assert.Equal(t, policy.Pass, res.Status, "the directory says adam is not ada: %s", res.Reason)
	res = evalPolicy(policy.Policy{}, policy.SeparationOfDuties{}, policy.Facts{PullRequest: pr})
	assert.Equal(t, policy.Fail, res.Status, "without it, ada@corp.example may be ada")
}

// The emergency approver of a production change is none of the author,
// the releaser and the code reviewers.
func TestSeparationOfDutiesEmergencyApprover(t *testing.T) {
	pr := &policy.PullRequest{Number: 1, Author: "ada", Approvers: []string{"bob"}}
	for approver, want := range map[string]policy.Status{"dana": policy.Pass, "ADA@example.com": policy.Fail, "@bob": policy.Fail, "rel": policy.Fail, "dana\u200b": policy.Fail} {
		em := &manifest.EmergencyChange{Reason: "outage", Scope: "app", Approver: approver, RollbackPlan: "redeploy", FollowUp: "PIR"}
		d := &policy.Deployment{Environment: "production", Releaser: "rel", Approvers: []string{"cleo"}, Emergency: em}
		res := eval(t, policy.SeparationOfDuties{}, policy.Facts{PullRequest: pr, Deployment: d})
		assert.Equal(t, want, res.Status, "%q: %s", approver, res.Reason)
	}
}

// An exception approved by its requester under another spelling waives
// nothing, and neither does one whose expiry lies beyond the maximum
// lifetime.
func TestExceptionIdentitiesAndLifetime(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, a := range []string{"alice\u200b", "аlice", "ALICE", "@alice", "alice@example.com", "ａｌｉｃｅ", "alice\x1b"} {
		e := testException("X-1")
		e.Approvers = []string{a}
		assert.NotEmpty(t, e.Problems(now), "approver %q", a)
	}
	e := testException("X-1")
	e.Approvers = []string{"bob", "alice\u200b"}
	assert.Contains(t, strings.Join(e.Problems(now), "; "), `approver "alice\u200b" is not a valid identity: invisible character U+200B`)
	e = testException("X-1")
	e.Requester = "alice\n"
	assert.Contains(t, e.Problems(now), "requester is not a valid identity: control character U+000A")

	people, err := identity.NewDirectory(map[string][]string{"alice": {"al-gh"}})
	require.NoError(t, err)
	e = testException("X-1")
	e.Approvers = []string{"al-gh"}
	assert.Empty(t, e.Problems(now), "without the directory al-gh is someone else")
	assert.Equal(t, []string{"no approver other than the requester"}, e.Problems(now, policy.WithPeople(people)))

	e = testException("X-1")
	e.Expires = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, []string{"expiry 9999-12-31 is more than 90 days after the evaluation time"}, e.Problems(now))
	e.Expires = now.Add(policy.DefaultMaxExceptionLifetime)
	assert.Empty(t, e.Problems(now), "exactly the maximum lifetime")
	e.Expires = now.Add(policy.DefaultMaxExceptionLifetime + time.Second)
	assert.NotEmpty(t, e.Problems(now))
	assert.Empty(t, e.Problems(now, policy.WithMaxLifetime(365*24*time.Hour)))
	e.Expires, e.Approved = now.Add(50*24*time.Hour), now.Add(-30*24*time.Hour)
	assert.Equal(t, []string{"expiry 2026-04-21 is more than 60 days after the approval"}, e.Problems(now, policy.WithMaxLifetime(60*24*time.Hour)))
	e.Expires, e.Approved = now.Add(24*time.Hour), now.Add(time.Hour)
	assert.Equal(t, []string{"approved after the evaluation time"}, e.Problems(now))

	// Through Evaluate, with the policy's lifetime and people.
	fails := funcControl{id: "X-1", fn: func(context.Context) policy.Result { return policy.Result{Status: policy.Fail, Reason: "no"} }}
	e = testException("X-1")
	e.Expires = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	f := policy.Facts{Now: now}
	res := evalPolicy(policy.Policy{Exceptions: []policy.Exception{e}}, fails, f)
	assert.Equal(t, policy.Fail, res.Status)
	assert.Contains(t, res.Reason, "more than 90 days")
	res = evalPolicy(policy.Policy{Exceptions: []policy.Exception{e}, MaxExceptionLifetime: 300 * 24 * time.Hour}, fails, f)
	assert.Equal(t, policy.Waived, res.Status, res.Reason)
	e.Approvers = []string{"al-gh"}
	res = evalPolicy(policy.Policy{Exceptions: []policy.Exception{e}, MaxExceptionLifetime: 300 * 24 * time.Hour, People: people}, fails, f)
	assert.Equal(t, policy.Fail, res.Status, res.Reason)
}

// REL-ENV-001 compares approvers through the directory, and an approver
// that does not normalise fails it.
func TestEnvironmentSeparationIdentities(t *testing.T) {
	c := policy.EnvironmentSeparation{Environments: map[string]policy.Environment{
		"production": {Identities: []string{"release-bot@example.com"}, Approvers: []string{"carol@example.com"}},
		"staging":    {Identities: []string{"staging-bot@example.com"}, Approvers: []string{"dave"}},
	}}
	for approver, want := range map[string]policy.Status{
		"carol@example.com": policy.Pass, "CAROL@example.com": policy.Pass, "ｃａｒｏｌ@example.com": policy.Pass,
		"carol@example.com\u200b": policy.Fail, "cаrol@example.com": policy.Fail, "carol": policy.Fail, "dave": policy.Fail,
	} {
		res := eval(t, c, policy.Facts{Deployment: &policy.Deployment{Environment: "production", Approvers: []string{approver}}})
		assert.Equal(t, want, res.Status, "%q: %s", approver, res.Reason)
	}
	people, err := identity.NewDirectory(map[string][]string{"carol": {"carol@example.com", "carol-gh"}})
	require.NoError(t, err)
	res := evalPolicy(policy.Policy{People: people}, c, policy.Facts{Deployment: &policy.Deployment{Environment: "production", Approvers: []string{"Carol-GH"}}})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)

	// A production identity shared with staging under another spelling.
	c.Environments["staging"] = policy.Environment{Identities: []string{"RELEASE-BOT@example.com"}, Approvers: []string{"dave"}}
	res = eval(t, c, policy.Facts{})
	assert.Equal(t, policy.Fail, res.Status, res.Reason)
}

// REL-WINDOW-001: an emergency record of zero-width spaces is empty, and
// its approver must be a valid identity.
func TestChangeWindowEmergencyIdentities(t *testing.T) {
	c := policy.ChangeWindow{}
	at := time.Date(2026, 3, 7, 3, 0, 0, 0, time.UTC) // outside every window
	em := &manifest.EmergencyChange{Reason: "\u200b", Scope: "\u200b", Approver: "\u200b", RollbackPlan: "\u200b", FollowUp: "\u200b"}
	res := eval(t, c, policy.Facts{Deployment: &policy.Deployment{Environment: "production", At: at, Emergency: em}})
	assert.Equal(t, policy.Fail, res.Status)
	assert.Contains(t, res.Reason, "lacks reason, approver, scope, rollback, follow_ups")
	em = &manifest.EmergencyChange{Reason: "outage", Scope: "app", Approver: "dana\x1b]0;x\a", RollbackPlan: "redeploy", FollowUp: "PIR"}
	res = eval(t, c, policy.Facts{Deployment: &policy.Deployment{Environment: "production", At: at, Emergency: em}})
	assert.Equal(t, policy.Fail, res.Status)
	assert.Contains(t, res.Reason, "the emergency-change approver")
	em.Approver = "dana"
	res = eval(t, c, policy.Facts{Deployment: &policy.Deployment{Environment: "production", At: at, Emergency: em}})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)
}

// A promotion request whose emergency record repeats a key is refused.
func TestReadPromotionRequestDuplicateEmergencyKey(t *testing.T) {
	_, err := policy.ReadPromotionRequest(strings.NewReader(`{"release":"v1.0.0","env":"prod","digest":"sha256:` + strings.Repeat("a", 64) +
		`","emergency":{"reason":"","reason":"outage","scope":"app","approver":"dana","rollback_plan":"r","follow_up":"f"}}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "duplicate key")
}

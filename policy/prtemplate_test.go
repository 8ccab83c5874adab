package policy_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/policy"
)

// policyPRTemplate returns the §2.5.3 PR template as the release policy
// prints it, untouched.
func policyPRTemplate(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("release-policy.md")
	require.NoError(t, err)
	s := string(b)
	i := strings.Index(s, "Create `.github/pull_request_template.md`:")
	require.Positive(t, i)
	s = s[i:]
	j := strings.Index(s, "### Exception")
	require.Positive(t, j)
	return s[strings.Index(s, "\n"):j]
}

// filledPR is the §2.5.3 template as an author fills it in.
const filledPR = "## Summary\n\n- What changed: retry on timeout\n- Why: flaky upstream\n\n" +
	"## Ticket / Change record\n\n- Ticket: https://jira.example.com/browse/ABC-123\n- Related incidents / problems: N/A\n\n" +
	"## Risk assessment\n\n- User impact if wrong: slow checkout\n- Data migration: none\n\n" +
	"### ## Rollout plan (deploy decoupled from release where possible)\n\n- Feature flag(s): `checkout_retry` (default off)\n- Rollout steps:\n  - 1. enable for 5% in staging\n  - 2. ramp to 100%\n\n" +
	"## Rollback plan\n\n- Primary rollback: disable `checkout_retry`, else redeploy v1.4.2\n\n" +
	"## Testing evidence\n\n<!-- link CI runs -->\n- Unit tests: pass https://ci.example.com/run/77\n- E2E/DAST (if applicable): N/A (no UI change)\n\n" +
	"## Security and compliance\n\n- SAST: pass https://ci.example.com/run/77#sast\n- Secrets check: N/A - no new configuration\n"

func TestPullRequestTemplate(t *testing.T) {
	template := policyPRTemplate(t)
	replace := func(old, new string) string {
		require.Contains(t, filledPR, old)
		return strings.Replace(filledPR, old, new, 1)
	}
	tests := []struct {
		name     string
		c        policy.PullRequestTemplate
		pr       *policy.PullRequest
		want     policy.Status
		missing  bool
		contains []string
	}{
		{"filled template", policy.PullRequestTemplate{}, &policy.PullRequest{Number: 9, Body: filledPR}, policy.Pass, false, []string{"fills the §2.5 PR template"}},
		{"ticket key and expand/contract checkbox", policy.PullRequestTemplate{}, &policy.PullRequest{Number: 9, Body: replace("- Data migration: none", "- Data migration:\n  - [ ] none\n  - [x] expand/contract")}, policy.Pass, false, nil},
		{"other with a description", policy.PullRequestTemplate{}, &policy.PullRequest{Number: 9, Body: replace("- Data migration: none", "- Data migration: other (backfill job, idempotent)")}, policy.Pass, false, nil},
		{"equivalent template configured", policy.PullRequestTemplate{Headings: map[string]string{policy.PRRollout: "deployment"}, MigrationField: "schema change"},
			&policy.PullRequest{Number: 9, Body: strings.Replace(strings.Replace(filledPR, "### ## Rollout plan", "## Deployment", 1), "Data migration", "Schema change", 1)}, policy.Pass, false, nil},
		{"untouched policy template", policy.PullRequestTemplate{}, &policy.PullRequest{Number: 9, Body: template}, policy.Fail, false,
			[]string{"6 required part(s)", "ticket (section Ticket / Change record is not filled in)", "rollout (section Rollout plan", "rollback (section Rollback plan", "testing (section Testing evidence", "security (section Security and compliance", "database (the data migration field does not declare"}},
		{"ticket placeholder", policy.PullRequestTemplate{}, &policy.PullRequest{Number: 9, Body: replace("https://jira.example.com/browse/ABC-123", "`<link>`")}, policy.Fail, false, []string{"1 required part(s)", "links no ticket"}},
		{"no rollback section", policy.PullRequestTemplate{}, &policy.PullRequest{Number: 9, Body: replace("## Rollback plan", "## Notes")}, policy.Fail, false, []string{`no section whose heading names "rollback"`}},
		{"unchecked checkboxes only", policy.PullRequestTemplate{}, &policy.PullRequest{Number: 9, Body: replace("- Primary rollback: disable `checkout_retry`, else redeploy v1.4.2", "- [ ] redeploy prior version\n- Data rollback considerations:")}, policy.Fail, false, []string{"Rollback plan is not filled in"}},
		{"security N/A without rationale", policy.PullRequestTemplate{}, &policy.PullRequest{Number: 9, Body: replace("N/A - no new configuration", "N/A")}, policy.Fail, false, []string{"marks secrets check N/A without a rationale"}},
		{"migration alternatives left unchosen", policy.PullRequestTemplate{}, &policy.PullRequest{Number: 9, Body: replace("- Data migration: none", "- Data migration: none | expand/contract | other (describe)")}, policy.Fail, false, []string{"does not declare none, expand/contract"}},
		{"no migration field", policy.PullRequestTemplate{}, &policy.PullRequest{Number: 9, Body: replace("- Data migration: none\n", "")}, policy.Fail, false, []string{"no data migration field"}},
		{"headings inside a code block", policy.PullRequestTemplate{}, &policy.PullRequest{Number: 9, Body: "```\n" + filledPR + "```\n"}, policy.Fail, false, []string{"6 required part(s)"}},
		{"no description", policy.PullRequestTemplate{}, &policy.PullRequest{Number: 9}, policy.Fail, true, []string{"description (body) of pull request #9"}},
		{"no pull request", policy.PullRequestTemplate{}, nil, policy.NotApplicable, false, []string{"no pull request"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{tt.c}}, policy.Facts{PullRequest: tt.pr}).Results[0]
			assert.Equal(t, tt.want, r.Status, r.Reason)
			assert.Equal(t, tt.missing, errors.Is(r.Err, policy.ErrMissingEvidence), r.Reason)
			for _, s := range tt.contains {
				assert.Contains(t, r.Reason, s)
			}
			if tt.want == policy.Pass {
				assert.Contains(t, r.Evidence, policy.Evidence{Kind: "ticket", Value: "https://jira.example.com/browse/ABC-123", Note: "under Ticket / Change record"})
			}
		})
	}
}

// TestReadPullRequestBody: the description is read, and JSON without it
// still reads.
func TestReadPullRequestBody(t *testing.T) {
	pr, err := policy.ReadPullRequest(strings.NewReader(`{"number": 3, "body": "## Ticket\n- ABC-1"}`))
	require.NoError(t, err)
	assert.Equal(t, "## Ticket\n- ABC-1", pr.Body)
	pr, err = policy.ReadPullRequest(strings.NewReader(`{"number": 3, "author": "alice"}`))
	require.NoError(t, err)
	assert.Empty(t, pr.Body)
}

func TestReadConfigPRTemplate(t *testing.T) {
	p, err := policy.ReadConfig(strings.NewReader("controls:\n  REL-PRTEMPLATE-001:\n    headings: {rollout: Deployment, testing: Verification}\n    migration_field: Schema change\n"))
	require.NoError(t, err)
	assert.Equal(t, []policy.Control{policy.PullRequestTemplate{Headings: map[string]string{"rollout": "Deployment", "testing": "Verification"}, MigrationField: "Schema change"}}, p.Controls)
	p, err = policy.ReadConfig(strings.NewReader("controls:\n  REL-PRTEMPLATE-001: {}\n"))
	require.NoError(t, err)
	assert.Equal(t, []policy.Control{policy.PullRequestTemplate{}}, p.Controls)

	for _, tc := range []struct {
		name, in string
		line     int
		msg      string
	}{
		{"unknown part", "controls:\n  REL-PRTEMPLATE-001:\n    headings:\n      rollout: Deploy\n      ticekt: Ticket\n", 5, `headings: unknown part "ticekt"`},
		{"empty heading", "controls:\n  REL-PRTEMPLATE-001:\n    headings:\n      rollback: ''\n", 4, "headings: rollback: empty heading"},
		{"empty migration field", "controls:\n  REL-PRTEMPLATE-001:\n    migration_field: ' '\n", 3, "migration_field: empty field name"},
		{"key typo", "controls:\n  REL-PRTEMPLATE-001:\n    sections: [ticket]\n", 3, `unknown key "sections" (want headings, migration_field)`},
		{"headings as list", "controls:\n  REL-PRTEMPLATE-001:\n    headings: [ticket]\n", 3, "want a mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policy.ReadConfig(strings.NewReader(tc.in))
			var ce *policy.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tc.line, ce.Line, err.Error())
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

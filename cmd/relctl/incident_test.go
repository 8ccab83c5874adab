package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An incident and the review of an emergency change go into the log with
// relctl incident, and relctl policy --store reads them back for
// REL-INCIDENT-001 and REL-BREAKGLASS-001; REL-FREEZE-001 judges --main.
func TestIncidentCommandAndPolicy(t *testing.T) {
	f := newStoreFixture(t)
	commit, storeDir := f.rec.Commit, f.storeDir
	f.emergencyCanary(t, time.Date(2026, 3, 6, 22, 0, 0, 0, time.UTC))
	write := func(name, content string) string { return f.write(t, name, content) }
	incident := write("incident.json", `{"id": "INC-7", "severity": "SEV1", "summary": "checkout down", "env": "production",
  "impact_start": "2026-03-06T21:40:00Z", "impact_end": "2026-03-06T22:30:00Z", "release": "v1.4.1", "reporter": "erin",
  "mechanism": "hotfix", "approvers": ["oncall@example.com"], "emergency": "INC-7",
  "verification": [{"name": "checkout-smoke", "passed": true, "url": "https://ci.example.com/run/9"}],
  "follow_ups": [{"action": "timeout test", "ticket": "ABC-9", "maps_to": ["test:TestCheckoutTimeout"]}]}`)
	out, errOut, code := relctl(t, "", "incident", "record", "--file", incident, "--store", storeDir)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "logged incident INC-7 (SEV1, closed) as entry 2\n", out)

	unverified := write("bad.json", strings.Replace(string(mustRead(t, incident)), `"passed": true`, `"passed": false`, 1))
	_, errOut, code = relctl(t, "", "incident", "record", "--file", unverified, "--store", storeDir)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "verification[0]: failed")
	_, errOut, code = relctl(t, "", "incident", "record", "--file", write("unknown.json", `{"id": "INC-8", "sev": 1}`), "--store", storeDir)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "sev")

	cfg := write("policy.yml", `controls:
  REL-BREAKGLASS-001: {approvers: [oncall@example.com], review_within: 1d}
  REL-INCIDENT-001: {}
  REL-FREEZE-001: {checks: [build, test]}
`)
	main := write("main.json", `{"branch": "main", "commit": "`+commit+`", "checks": [{"name": "build", "passed": true, "commit": "`+commit+`"}, {"name": "test", "passed": true, "commit": "`+commit+`"}]}`)
	args := []string{"--config", cfg, "--repo", history(t).Dir, "--main-checks", main, "--store", storeDir, "--format", "json"}
	out, errOut, code = runPolicy(t, "", append(args, "--now", "2026-03-08T09:00:00Z")...)
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, out, "the post-incident review of emergency change INC-7 (v1.4.2 to canary at 2026-03-06T22:00:00Z) was due at 2026-03-07T22:00:00Z")

	review := write("review.json", `{"emergency": "INC-7", "incident": "INC-7", "reviewer": "frank", "completed_at": "2026-03-07T16:00:00Z",
  "release": "v1.4.2", "commits": ["`+commit+`"], "prs": ["#12"], "summary": "pool exhausted",
  "access_revoked_at": "2026-03-07T01:00:00Z", "credentials_rotated_at": "2026-03-07T02:00:00Z",
  "actions": [{"action": "alert on pool size", "ticket": "ABC-10", "maps_to": ["gate:prod-smoke"]}]}`)
	out, errOut, code = relctl(t, "", "incident", "review", "--file", review, "--store", storeDir)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "logged the review of emergency change INC-7 as entry 3\n", out)
	out, errOut, code = runPolicy(t, "", append(args, "--now", "2026-03-08T09:00:00Z")...)
	assert.Equal(t, 0, code, "%s\n%s", out, errOut)
	for _, id := range []string{"REL-BREAKGLASS-001", "REL-INCIDENT-001", "REL-FREEZE-001"} {
		assert.Contains(t, out, `"id": "`+id+`"`)
	}
	assert.NotContains(t, out, `"status": "fail"`)

	// Without --main-checks, REL-FREEZE-001 has nothing to judge: missing evidence.
	out, _, code = runPolicy(t, "", "--config", cfg, "--repo", history(t).Dir, "--store", storeDir, "--now", "2026-03-08T09:00:00Z")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "missing evidence: the head of main")
}

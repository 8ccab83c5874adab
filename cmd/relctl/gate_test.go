package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPromoteWithPolicy decides promotions with --policy: production is
// refused inside a freeze and when the author or the code reviewer approves
// it, and allowed to an independent approver inside the window; a refusal
// names the control.
func TestPromoteWithPolicy(t *testing.T) {
	g := evidenceRepo(t)
	store := t.TempDir()
	d := releaseRecord(t, g, store, "v1.1.0", "build 2")
	dir := t.TempDir()
	// Two windows covering every minute of every day, whatever the clock.
	open := `controls:
  REL-WINDOW-001:
    windows:
      - {days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "23:59"}
      - {days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "23:59", zone: Etc/GMT-6}
  REL-SOD-001: {}
  REL-RECORD-001: {}
`
	frozen := `controls:
  REL-WINDOW-001:
    windows:
      - {days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "23:59"}
    freezes:
      - {from: 2000-01-01T00:00:00Z, to: 2100-01-01T00:00:00Z, reason: change freeze}
`
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	openFile, frozenFile := write("open.yml", open), write("frozen.yml", frozen)
	pr := write("pr.json", `{"number": 2, "author": "alice", "approvers": ["bob"]}`)

	promote := func(env, approver, policyFile string, extra ...string) (string, string, int) {
		args := append([]string{"--store", store, "--release", "v1.1.0", "--env", env, "--digest", d,
			"--approver", approver, "--reason", "CHG-1", "--policy", policyFile, "--pr", pr, "--releaser", "release-bot"}, extra...)
		return runTagCmd(t, cmdPromote, args...)
	}
	for _, env := range []string{"dev", "staging"} {
		_, errOut, code := promote(env, "bob", openFile)
		require.Equal(t, 0, code, errOut)
	}
	_, errOut, code := promote("prod", "bob", frozenFile)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "REL-WINDOW-001")
	_, errOut, code = promote("prod", "alice", openFile)
	assert.Equal(t, 1, code, "the author approves her own change")
	assert.Contains(t, errOut, "REL-SOD-001")

	_, errOut, code = promote("prod", "bob", openFile)
	assert.Equal(t, 1, code, "the code reviewer approves the deployment")
	assert.Contains(t, errOut, "REL-SOD-001")
	out, errOut, code := promote("prod", "carol", openFile, "--json")
	require.Equal(t, 0, code, errOut)
	var res promoteResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "prod", res.Promotion.Env)
	assert.NotEmpty(t, res.Promotion.Window, "the window used is logged")
	require.NotEmpty(t, res.Promotion.Gate, "the policy report's digest is logged")
	_, err := os.Stat(filepath.Join(store, "evidence", strings.TrimPrefix(res.Promotion.Gate, "sha256:")))
	assert.NoError(t, err, "the policy report is kept in the store")

	_, _, code = runTagCmd(t, cmdPromote, "--store", store, "--release", "v1.1.0", "--env", "prod", "--digest", d, "--approver", "bob", "--reason", "x", "--pr", pr)
	assert.Equal(t, 2, code, "--pr without --policy")
	_, _, code = promote("prod", "bob", write("bad.yml", "controls:\n  REL-NOPE-001: {}\n"))
	assert.Equal(t, 2, code, "an unknown control is bad input")
}

// TestRollbackEmergency: a rollback inside a freeze is refused by the
// policy unless it carries a complete emergency-change record, which is
// then logged with it.
func TestRollbackEmergency(t *testing.T) {
	g := evidenceRepo(t)
	store := t.TempDir()
	d1 := releaseRecord(t, g, store, "v1.0.0", "build 1")
	d2 := releaseRecord(t, g, store, "v1.1.0", "build 2")
	for _, rel := range []struct{ tag, digest string }{{"v1.0.0", d1}, {"v1.1.0", d2}} {
		for _, env := range []string{"dev", "staging", "prod"} {
			_, errOut, code := runTagCmd(t, cmdPromote, "--store", store, "--release", rel.tag, "--env", env, "--digest", rel.digest, "--approver", "carol", "--reason", "ok")
			require.Equal(t, 0, code, errOut)
		}
	}
	dir := t.TempDir()
	frozen := filepath.Join(dir, "frozen.yml")
	require.NoError(t, os.WriteFile(frozen, []byte(`controls:
  REL-WINDOW-001:
    windows:
      - {days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "23:59"}
    freezes:
      - {from: 2000-01-01T00:00:00Z, to: 2100-01-01T00:00:00Z, reason: change freeze}
`), 0o644))
	emergency := filepath.Join(dir, "emergency.json")
	require.NoError(t, os.WriteFile(emergency, []byte(`{"id": "CHG-E-7", "reason": "checkout errors", "scope": "prod", "approver": "dana", "rollback_plan": "promote v1.1.0 again", "follow_up": "post-incident review"}`), 0o644))

	rollback := func(extra ...string) (string, string, int) {
		return runTagCmd(t, cmdRollback, append([]string{"--store", store, "--env", "prod", "--approver", "carol", "--reason", "INC-7", "--policy", frozen}, extra...)...)
	}
	_, errOut, code := rollback()
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "REL-WINDOW-001")
	out, errOut, code := rollback("--emergency", emergency, "--json")
	require.Equal(t, 0, code, errOut)
	var res promoteResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "v1.0.0", res.Promotion.Release)
	require.NotNil(t, res.Promotion.Emergency)
	assert.Equal(t, "CHG-E-7", res.Promotion.Emergency.ID)
	assert.NotEmpty(t, res.Promotion.Gate, "the policy report's digest is logged")
}

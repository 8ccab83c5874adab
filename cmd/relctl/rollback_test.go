package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
			_, errOut, code := runTagCmd(t, cmdPromote, "--repo", g.Dir, "--releaser", "release-bot", "--store", store, "--release", rel.tag, "--env", env, "--digest", rel.digest, "--approver", "carol", "--reason", "ok")
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
		return runTagCmd(t, cmdRollback, append([]string{"--repo", g.Dir, "--releaser", "release-bot", "--store", store, "--env", "prod", "--approver", "carol", "--reason", "INC-7", "--policy", frozen}, extra...)...)
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

// TestRollbackMechanism: --mechanism is validated (exit 2 for an unknown
// one) and recorded in the rollback's log entry.
func TestRollbackMechanism(t *testing.T) {
	g := evidenceRepo(t)
	store := t.TempDir()
	d1 := releaseRecord(t, g, store, "v1.0.0", "build 1")
	d2 := releaseRecord(t, g, store, "v1.1.0", "build 2")
	for _, rel := range []struct{ tag, digest string }{{"v1.0.0", d1}, {"v1.1.0", d2}} {
		for _, env := range []string{"dev", "staging", "prod"} {
			_, errOut, code := runTagCmd(t, cmdPromote, "--repo", g.Dir, "--releaser", "release-bot", "--store", store, "--release", rel.tag, "--env", env, "--digest", rel.digest, "--approver", "carol", "--reason", "ok")
			require.Equal(t, 0, code, errOut)
		}
	}
	rollback := func(extra ...string) (string, string, int) {
		return runTagCmd(t, cmdRollback, append([]string{"--repo", g.Dir, "--releaser", "release-bot", "--store", store, "--env", "prod", "--approver", "carol", "--reason", "INC-7", "--json"}, extra...)...)
	}
	_, errOut, code := rollback("--mechanism", "prayer")
	assert.NotEqual(t, 0, code)
	assert.Contains(t, errOut, "unknown mechanism")
	out, errOut, code := rollback("--mechanism", "feature-flag")
	require.Equal(t, 0, code, errOut)
	var e struct {
		Promotion struct {
			Release, Mechanism string
		} `json:"promotion"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &e), out)
	assert.Equal(t, "v1.0.0", e.Promotion.Release)
	assert.Equal(t, "feature-flag", e.Promotion.Mechanism)
}

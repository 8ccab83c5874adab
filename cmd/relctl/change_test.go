package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
)

// relctl change record logs a flag or configuration change, refuses one
// its actor approved, and relctl policy --store reads the changes back for
// REL-CHANGE-001.
func TestChangeCommandAndPolicy(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	storeDir := filepath.Join(dir, "store")
	st, err := manifest.NewDirStore(storeDir)
	require.NoError(t, err)
	digest := manifest.Digest([]byte("app"))
	rec, err := manifest.ParseRecord(mustRead(t, recordFile(t, dir, true, digest)))
	require.NoError(t, err)
	require.NoError(t, st.PutRecord(ctx, rec))
	at := time.Date(2026, 3, 6, 22, 0, 0, 0, time.UTC)
	em := &manifest.EmergencyChange{ID: "INC-7", Reason: "checkout down", Scope: "api", Approver: "oncall@example.com",
		RollbackPlan: "redeploy v1.4.1", FollowUp: "PIR-7", Expires: at.Add(4 * time.Hour)}
	_, err = manifest.Promote(ctx, st, manifest.PromoteRequest{Release: "v1.4.2", Env: "canary", Digest: digest, Approver: "carol",
		Reason: "hotfix", Emergency: em}, manifest.WithClock(func() time.Time { return at }), manifest.WithOrder("canary", "production"))
	require.NoError(t, err)

	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	flag := write("flag.json", `{"kind": "flag", "name": "checkout.new-flow", "env": "production", "before": "10%", "after": "50%",
  "actor": "dana@example.com", "approver": "carol@example.com", "ticket": "CHG-88", "at": "2026-03-03T10:00:00Z",
  "window": "tue-10-12", "reason": "ramp after a clean 10% day"}`)
	out, errOut, code := relctl(t, "", "change", "record", "--file", flag, "--store", storeDir)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "logged the flag change checkout.new-flow in production as entry 2\n", out)

	self := write("self.json", strings.Replace(string(mustRead(t, flag)), `"carol@example.com"`, `"Dana@example.com"`, 1))
	_, errOut, code = relctl(t, "", "change", "record", "--file", self, "--store", storeDir)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "approver: is the actor")
	_, errOut, code = relctl(t, "", "change", "record", "--file", write("unknown.json", `{"kind": "flag", "value": 1}`), "--store", storeDir)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "value")
	_, errOut, code = relctl(t, "", "change", "record", "--store", storeDir)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--file is required")

	cfg := write("policy.yml", "controls:\n  REL-CHANGE-001: {}\n")
	args := []string{"--config", cfg, "--repo", history(t).Dir, "--store", storeDir, "--format", "json", "--now", "2026-03-08T09:00:00Z"}
	out, errOut, code = runPolicy(t, "", args...)
	assert.Equal(t, 0, code, "%s\n%s", out, errOut)
	assert.Contains(t, out, "1 production change(s) recorded")

	// A config change without a pull request, under an emergency record
	// the log carries, fails for want of the pull request.
	config := write("config.json", `{"kind": "config", "name": "db.pool_size", "env": "production", "before": "20", "after": "40",
  "actor": "dana@example.com", "approver": "carol@example.com", "ticket": "CHG-89", "at": "2026-03-06T22:10:00Z",
  "emergency": "INC-7", "reason": "pool exhausted"}`)
	out, errOut, code = relctl(t, "", "change", "record", "--file", config, "--store", storeDir, "--json")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"kind": "change"`)
	out, _, code = runPolicy(t, "", args...)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "names no pull request")
}

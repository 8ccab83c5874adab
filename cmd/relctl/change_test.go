package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// relctl change record logs a flag or configuration change, refuses one
// its actor approved, and relctl policy --store reads the changes back for
// REL-CHANGE-001.
func TestChangeCommandAndPolicy(t *testing.T) {
	f := newStoreFixture(t)
	storeDir := f.storeDir
	f.emergencyCanary(t, time.Date(2026, 3, 6, 22, 0, 0, 0, time.UTC))
	write := func(name, content string) string { return f.write(t, name, content) }
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

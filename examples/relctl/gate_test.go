package main

import (
	"encoding/json"
	"os"
	"path/filepath"
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

	_, _, code = runTagCmd(t, cmdPromote, "--store", store, "--release", "v1.1.0", "--env", "prod", "--digest", d, "--approver", "bob", "--reason", "x", "--pr", pr)
	assert.Equal(t, 2, code, "--pr without --policy")
	_, _, code = promote("prod", "bob", write("bad.yml", "controls:\n  REL-NOPE-001: {}\n"))
	assert.Equal(t, 2, code, "an unknown control is bad input")
}

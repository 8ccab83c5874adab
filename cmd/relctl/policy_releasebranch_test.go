package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

// TestPolicyReleaseBranchFromMain: relctl policy gathers the fork point,
// main's commits and the patch IDs REL-RELBRANCH-002 and -003 need.
func TestPolicyReleaseBranchFromMain(t *testing.T) {
	g := gittest.New(t)
	cut := g.Commit("feat: base ABC-1")
	cutoff := g.Clock().Format(time.RFC3339)
	g.Tick()
	g.Branch("release/1.4", cut)
	fix := g.CommitFiles("fix: crash ABC-2", map[string]string{"app.txt": "fixed\n"})
	g.Checkout("release/1.4")
	g.CherryPick(fix)
	g.Checkout("main")
	dir := t.TempDir()
	config := filepath.Join(dir, "policy.yml")
	require.NoError(t, os.WriteFile(config, []byte("controls:\n  REL-RELBRANCH-002: {}\n  REL-RELBRANCH-003: {}\n"), 0o644))
	args := []string{"--config", config, "--repo", g.Dir, "--release-branch", "release/1.4", "--cutoff", cutoff, "--cutoff-commit", cut, "--release-captain", "carol"}
	out, _, code := runPolicy(t, "", args...)
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "cut from main at its recorded cutoff commit")

	g.Checkout("release/1.4")
	only := g.CommitFiles("fix: branch only ABC-3", map[string]string{"other.txt": "x\n"})
	g.Checkout("main")
	out, _, code = runPolicy(t, "", args...)
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, only+" (no counterpart on main")

	exc := filepath.Join(dir, "exceptions.json")
	require.NoError(t, os.WriteFile(exc, []byte(`[{"commit": "`+only+`", "reason": "release-only config", "approver": "carol", "ticket": "REL-9"}]`), 0o644))
	out, _, code = runPolicy(t, "", append(args, "--branch-exceptions", exc)...)
	assert.Equal(t, 0, code, out)

	out, _, code = runPolicy(t, "", "--config", config, "--repo", g.Dir, "--release-branch", "release/1.4", "--cutoff", cutoff)
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "missing evidence")
	_, _, code = runPolicy(t, "", "--repo", g.Dir, "--cutoff-commit", cut)
	assert.Equal(t, 2, code)
}

package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

func TestTagAndVerifySSH(t *testing.T) {
	g := gittest.New(t)
	c1 := g.Commit("feat: first\n")
	c2 := g.Commit("fix: second\n")
	key, allowed := tagSSHKey(t)
	remote := filepath.Join(t.TempDir(), "remote.git")
	g.Git("init", "--bare", "-q", remote)

	out, errOut, code := runTagCmd(t, cmdTag, "--repo", g.Dir, "--name", "v1.0.0", "--rev", c1, "--sign", "ssh", "--key", key,
		"--tagger", "Release Bot <bot@example.com>", "--push", "file://"+remote, "--json")
	require.Equal(t, 0, code, errOut)
	var tr map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &tr))
	assert.Equal(t, "v1.0.0", tr["tag"])
	assert.Equal(t, c1, tr["commit"])
	assert.Equal(t, "ssh", tr["format"])
	assert.Equal(t, true, tr["created"])
	assert.Equal(t, tr["object"], strings.TrimSpace(g.Git("--git-dir", remote, "rev-parse", "refs/tags/v1.0.0")))

	// Re-run: same commit is an idempotent success; another commit fails.
	out, errOut, code = runTagCmd(t, cmdTag, "--repo", g.Dir, "--name", "v1.0.0", "--rev", c1, "--sign", "ssh", "--key", key, "--tagger", "Release Bot <bot@example.com>")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "exists (unchanged)")
	_, errOut, code = runTagCmd(t, cmdTag, "--repo", g.Dir, "--name", "v1.0.0", "--rev", c2, "--sign", "ssh", "--key", key, "--tagger", "Release Bot <bot@example.com>")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, c1)
	assert.Contains(t, errOut, c2)

	out, errOut, code = runTagCmd(t, cmdVerify, "--repo", g.Dir, "--tag", "v1.0.0", "--allowed-signers", allowed, "--json")
	require.Equal(t, 0, code, errOut)
	var vr map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &vr))
	assert.Equal(t, "v1.0.0", vr["tag"])
	assert.Equal(t, c1, vr["commit"])
	assert.Equal(t, "bot@example.com", vr["signer"])
	assert.Equal(t, "ssh", vr["format"])
	assert.True(t, strings.HasPrefix(vr["fingerprint"].(string), "SHA256:"))
	assert.Equal(t, true, vr["valid"])

	// Fails closed: wrong principal, unsigned tag, missing tag.
	out, _, code = runTagCmd(t, cmdVerify, "--repo", g.Dir, "--tag", "v1.0.0", "--allowed-signers", allowed, "--principal", "eve@example.com", "--json")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, `"valid": false`)
	_, _, code = runTagCmd(t, cmdTag, "--repo", g.Dir, "--name", "v1.1.0", "--rev", c2, "--unsigned", "--tagger", "Release Bot <bot@example.com>")
	require.Equal(t, 0, code)
	_, errOut, code = runTagCmd(t, cmdVerify, "--repo", g.Dir, "--tag", "v1.1.0", "--allowed-signers", allowed)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "not signed")
	_, _, code = runTagCmd(t, cmdVerify, "--repo", g.Dir, "--tag", "v9.0.0", "--allowed-signers", allowed)
	assert.Equal(t, 1, code)
}

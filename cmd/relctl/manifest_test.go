package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestManifestCommands(t *testing.T) {
	g := evidenceRepo(t)
	store := t.TempDir()
	releaseRecord(t, g, store, "v1.0.0", "api 1")
	releaseRecord(t, g, store, "v1.1.0", "web 1")
	dir := t.TempDir()
	m1, m2 := filepath.Join(dir, "m1.json"), filepath.Join(dir, "m2.json")

	out, errOut, code := runTagCmd(t, cmdManifest, "build", "--store", store, "--name", "2026.01", "--out", m1, "api=v1.0.0", "web=v1.1.0")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "sha256:"), out)
	_, errOut, code = runTagCmd(t, cmdManifest, "build", "--store", store, "--name", "2026.01", "--out", m2, "api=v1.0.0", "web=v1.0.0")
	require.Equal(t, 0, code, errOut)

	key, allowed := tagSSHKey(t)
	_, errOut, code = runTagCmd(t, cmdManifest, "sign", "--manifest", m1, "--key", key)
	require.Equal(t, 0, code, errOut)
	out, errOut, code = runTagCmd(t, cmdManifest, "verify", "--manifest", m1, "--allowed-signers", allowed, "--json")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"valid": true`)

	// Tampered manifest, and a signature checked against the wrong key.
	b, err := os.ReadFile(m1)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(m1, []byte(strings.Replace(string(b), "v1.1.0", "v1.0.0", 1)), 0o644))
	_, _, code = runTagCmd(t, cmdManifest, "verify", "--manifest", m1, "--allowed-signers", allowed)
	assert.Equal(t, 1, code)
	require.NoError(t, os.WriteFile(m1, b, 0o644))
	_, other := tagSSHKey(t)
	_, _, code = runTagCmd(t, cmdManifest, "verify", "--manifest", m1, "--allowed-signers", other)
	assert.Equal(t, 1, code)

	out, errOut, code = runTagCmd(t, cmdManifest, "diff", m1, m2)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "~ web: tag, commit, sbom, artifacts") // each build's SBOM describes its own artifact
	out, _, code = runTagCmd(t, cmdManifest, "diff", m1, m1)
	assert.Equal(t, 0, code)
	assert.Equal(t, "no changes\n", out)
}

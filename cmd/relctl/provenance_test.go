package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
)

func TestProvenanceCommand(t *testing.T) {
	for _, k := range []string{"GITHUB_ACTIONS", "GITLAB_CI"} {
		t.Setenv(k, "")
	}
	dir, artifact, _, priv, pub := sbomFixture(t)
	envFile := filepath.Join(dir, "app.intoto.json")
	_, _, err := runSBOM(t, provCmd, "--artifact", artifact, "--key", priv, "--out", envFile)
	require.True(t, isUsage(err), "outside CI the builder is required: %v", err)

	args := []string{"--artifact", artifact, "--builder-id", "https://ci.example/builder", "--build-type", "https://ci.example/type/v1", "--started", "2026-02-01T12:00:00Z"}
	stdout, _, err := runSBOM(t, provCmd, args...)
	require.NoError(t, err)
	assert.Contains(t, stdout, `"predicateType":"https://slsa.dev/provenance/v1"`)

	_, _, err = runSBOM(t, provCmd, append(args, "--key", priv, "--out", envFile)...)
	require.NoError(t, err)
	stdout, _, err = runSBOM(t, provCmd, "verify", "--envelope", envFile, "--artifact", artifact, "--key", pub, "--json")
	require.NoError(t, err)
	assert.Contains(t, stdout, `"ok": true`)

	// Wrong artifact, wrong key, tampered envelope: exit 1 with a typed error.
	other := filepath.Join(dir, "other")
	require.NoError(t, os.WriteFile(other, []byte("other"), 0o644))
	_, _, err = runSBOM(t, provCmd, "verify", "--envelope", envFile, "--artifact", other, "--key", pub)
	require.ErrorIs(t, err, sbom.ErrSubjectMismatch)

	otherKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	der, _ := x509.MarshalPKIXPublicKey(otherKey.Public())
	otherPub := filepath.Join(dir, "other.pem")
	require.NoError(t, os.WriteFile(otherPub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644))
	_, _, err = runSBOM(t, provCmd, "verify", "--envelope", envFile, "--artifact", artifact, "--key", otherPub)
	require.ErrorIs(t, err, signature.ErrBadSignature)

	env, err := os.ReadFile(envFile)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(envFile, bytes.Replace(env, []byte(`"payloadType": "application/vnd.in-toto+json"`), []byte(`"payloadType": "application/json"`), 1), 0o644))
	_, _, err = runSBOM(t, provCmd, "verify", "--envelope", envFile, "--artifact", artifact, "--key", pub)
	require.ErrorIs(t, err, &sbom.Error{Reason: "unexpected DSSE payload type"})
}

func TestProvenanceFromGitHubEnv(t *testing.T) {
	t.Setenv("GITLAB_CI", "")
	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITHUB_REPOSITORY", "acme/app")
	t.Setenv("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
	t.Setenv("GITHUB_REF", "refs/tags/v1.0.0")
	_, artifact, _, _, _ := sbomFixture(t)
	stdout, _, err := runSBOM(t, provCmd, "--artifact", artifact)
	require.NoError(t, err)
	assert.Contains(t, stdout, `"gitCommit":"0123456789abcdef0123456789abcdef01234567"`)
	assert.Contains(t, stdout, sbom.GitHubActionsBuildType)
}

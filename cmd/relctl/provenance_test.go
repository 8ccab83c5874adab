package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
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

func TestProvenanceJSON(t *testing.T) {
	for _, k := range []string{"GITHUB_ACTIONS", "GITLAB_CI"} {
		t.Setenv(k, "")
	}
	dir, artifact, _, priv, pub := sbomFixture(t)
	args := []string{"--artifact", artifact, "--builder-id", "https://ci.example/builder", "--build-type", "https://ci.example/type/v1", "--json"}

	_, _, err := runSBOM(t, provCmd, args...)
	require.True(t, isUsage(err), "--json without --out: the statement itself is the output: %v", err)

	for _, signed := range []bool{false, true} {
		out := filepath.Join(dir, "prov.json")
		a := append(slices.Clone(args), "--out", out)
		if signed {
			a = append(a, "--key", priv)
		}
		stdout, _, err := runSBOM(t, provCmd, a...)
		require.NoError(t, err)
		var res map[string]any
		require.NoError(t, json.Unmarshal([]byte(stdout), &res))
		written, err := os.ReadFile(out)
		require.NoError(t, err)
		sum := sha256.Sum256(written)
		s, err := subjectOfFile(artifact)
		require.NoError(t, err)
		assert.Equal(t, s.Digest(), res["subject"])
		assert.Equal(t, "app.tar.gz", res["name"])
		assert.Equal(t, sbom.StatementType, res["statement_type"])
		assert.Equal(t, sbom.SLSAProvenancePredicate, res["predicate_type"])
		assert.Equal(t, "https://ci.example/builder", res["builder_id"])
		assert.Equal(t, "https://ci.example/type/v1", res["build_type"])
		assert.Equal(t, out, res["path"])
		assert.Equal(t, hex.EncodeToString(sum[:]), res["sha256"])
		assert.Equal(t, signed, res["signed"])
		assert.Equal(t, true, res["ok"])
		if !signed {
			assert.NotContains(t, res, "key_id")
			assert.Contains(t, string(written), `"predicateType":"https://slsa.dev/provenance/v1"`)
			continue
		}
		v, err := provenanceKeyFile(pub)
		require.NoError(t, err)
		assert.Equal(t, v.KeyID(), res["key_id"])
		assert.Equal(t, sbom.PayloadType, res["payload_type"])
		_, _, err = runSBOM(t, provCmd, "verify", "--envelope", out, "--artifact", artifact, "--key", pub)
		require.NoError(t, err)
	}
}

// TestProvenanceVerifyStatementV01 verifies provenance as cosign attest-blob
// --type slsaprovenance1 writes it: an in-toto Statement v0.1 with a SLSA v1
// predicate (the envelope as cosign writes it is sbom's test).
func TestProvenanceVerifyStatementV01(t *testing.T) {
	dir, artifact, _, priv, pub := sbomFixture(t)
	s, err := subjectOfFile(artifact)
	require.NoError(t, err)
	statement := func(predicateType string) []byte {
		return []byte(`{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"` + predicateType + `",` +
			`"subject":[{"name":"app.tar.gz","digest":{"sha256":"` + s.SHA256 + `"}}],` +
			`"predicate":{"buildDefinition":{"buildType":"https://ci.example/type/v1","externalParameters":null},` +
			`"runDetails":{"builder":{"id":"https://ci.example/builder"},"metadata":{}}}}`)
	}
	signer, err := provenanceSigner(priv)
	require.NoError(t, err)
	write := func(name string, payload []byte) string {
		env, err := sbom.SignEnvelope(t.Context(), sbom.PayloadType, payload, signer)
		require.NoError(t, err)
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, env, 0o644))
		return path
	}

	env := write("v01.intoto.json", statement(sbom.SLSAProvenancePredicate))
	stdout, _, err := runSBOM(t, provCmd, "verify", "--envelope", env, "--artifact", artifact, "--key", pub, "--json")
	require.NoError(t, err)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	assert.Equal(t, true, res["ok"])
	assert.Equal(t, "https://ci.example/builder", res["builder_id"])

	// SLSA v0.2 (cosign's --type slsaprovenance) is not a predicate relctl reads.
	env = write("v02.intoto.json", statement("https://slsa.dev/provenance/v0.2"))
	_, _, err = runSBOM(t, provCmd, "verify", "--envelope", env, "--artifact", artifact, "--key", pub)
	require.ErrorIs(t, err, &sbom.Error{Reason: "invalid in-toto statement"})
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

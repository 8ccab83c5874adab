package policy_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
)

// artifact returns an artifact named name with its SBOM and a provenance
// signed by key.
func artifact(t *testing.T, name, content string, key ed25519.PrivateKey) policy.Artifact {
	t.Helper()
	subj, err := sbom.SubjectOf(name, strings.NewReader(content))
	require.NoError(t, err)
	doc, err := sbom.ForArtifact(subj)
	require.NoError(t, err)
	bom, err := doc.Bytes(sbom.JSON)
	require.NoError(t, err)
	signer, err := signature.NewKeySigner(key)
	require.NoError(t, err)
	prov, err := sbom.SignProvenance(context.Background(), []sbom.Subject{subj},
		sbom.Provenance{BuildType: sbom.GitHubActionsBuildType, BuilderID: "https://github.com/actions/runner"}, signer)
	require.NoError(t, err)
	return policy.Artifact{Name: name, Digest: "sha256:" + subj.SHA256, SBOM: bom, Provenance: prov}
}

func TestArtifactEvidence(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	_, other, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	v, err := signature.NewKeyVerifier(pub)
	require.NoError(t, err)
	ctl := policy.ArtifactEvidence{Verifiers: []signature.Verifier{v}}

	app := artifact(t, "app.tar.gz", "app v1", priv)
	res := eval(t, ctl, policy.Facts{Artifacts: []policy.Artifact{app}})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)
	assert.Equal(t, app.Digest, res.Evidence[0].Value)

	rebuilt := artifact(t, "app.tar.gz", "app v1, rebuilt", priv)
	for _, tc := range []struct {
		name string
		edit func(a *policy.Artifact)
		want string
	}{
		{"no SBOM", func(a *policy.Artifact) { a.SBOM = nil }, "no SBOM"},
		{"SBOM of another build", func(a *policy.Artifact) { a.SBOM = rebuilt.SBOM }, "SBOM: "},
		{"SBOM not CycloneDX", func(a *policy.Artifact) { a.SBOM = []byte(`{"spdxVersion": "SPDX-2.3"}`) }, "SBOM: "},
		{"no provenance", func(a *policy.Artifact) { a.Provenance = nil }, "no provenance"},
		{"provenance of another build", func(a *policy.Artifact) { a.Provenance = rebuilt.Provenance }, "provenance: "},
		{"untrusted signer", func(a *policy.Artifact) { a.Provenance = artifact(t, "app.tar.gz", "app v1", other).Provenance }, "provenance: "},
		{"bad digest", func(a *policy.Artifact) { a.Digest = "md5:abc" }, "md5:abc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := app
			tc.edit(&a)
			res := eval(t, ctl, policy.Facts{Artifacts: []policy.Artifact{a}})
			assert.Equal(t, policy.Fail, res.Status)
			assert.Contains(t, res.Reason, tc.want)
		})
	}
	res = eval(t, policy.ArtifactEvidence{}, policy.Facts{Artifacts: []policy.Artifact{app}})
	assert.Equal(t, policy.Fail, res.Status)
	assert.Contains(t, res.Reason, "no trusted provenance keys")
	res = eval(t, ctl, policy.Facts{})
	assert.ErrorIs(t, res.Err, policy.ErrMissingEvidence)

	// The keys come from the configuration as PEM.
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	key := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	p, err := policy.ReadConfig(strings.NewReader("controls:\n  REL-SBOM-001:\n    provenance_keys: [" + strconv.Quote(key) + "]\n"))
	require.NoError(t, err)
	r := policy.Evaluate(context.Background(), p, policy.Facts{Artifacts: []policy.Artifact{app}})
	assert.NoError(t, r.Err())
	_, err = policy.ReadConfig(strings.NewReader("controls:\n  REL-SBOM-001:\n    provenance_keys:\n      - not a key\n"))
	var ce *policy.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 4, ce.Line)
}

package sbom_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
)

// provenanceNamespace is the sshsig namespace for provenance envelopes: a
// signature made for a git tag (namespace "git") can never verify here.
const provenanceNamespace = "releasekit-provenance"

// TestProvenanceSignedWithSSHKey signs provenance with the SSH signer
// of the tagging package (sshsig over the DSSE PAE) and verifies it with an
// allowed_signers file, as a pipeline that already signs its tags with SSH
// would.
func TestProvenanceSignedWithSSHKey(t *testing.T) {
	ctx := t.Context()
	_, priv, err := ed25519.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{7}, 64)))
	require.NoError(t, err)
	sshKey, err := ssh.NewSignerFromKey(priv)
	require.NoError(t, err)
	signer, err := signature.NewSSHSigner(sshKey, provenanceNamespace)
	require.NoError(t, err)

	artifact := []byte("the artifact bytes")
	sum := sha256.Sum256(artifact)
	subject := sbom.Subject{Name: "app", SHA256: hex.EncodeToString(sum[:])}
	env, err := sbom.SignProvenance(ctx, []sbom.Subject{subject}, sbom.Provenance{
		BuildType: "https://example.com/build/v1",
		BuilderID: "https://ci.example.com/runner",
	}, signer)
	require.NoError(t, err)

	allowed, err := signature.ParseAllowedSigners([]byte("ci@example.com namespaces=\"" + provenanceNamespace + "\" " + string(ssh.MarshalAuthorizedKey(sshKey.PublicKey()))))
	require.NoError(t, err)
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	p, err := sbom.VerifyProvenance(ctx, env, subject, at, signature.NewSSHVerifier(allowed, provenanceNamespace))
	require.NoError(t, err)
	assert.Equal(t, "https://ci.example.com/runner", p.BuilderID)

	// The same key allowed only for git tags does not verify provenance.
	gitOnly, err := signature.ParseAllowedSigners([]byte("ci@example.com namespaces=\"git\" " + string(ssh.MarshalAuthorizedKey(sshKey.PublicKey()))))
	require.NoError(t, err)
	_, err = sbom.VerifyProvenance(ctx, env, subject, at, signature.NewSSHVerifier(gitOnly, "git"))
	require.Error(t, err)
	assert.True(t, errors.Is(err, signature.ErrBadSignature), "got %v", err)

	// Another artifact's digest does not match the statement.
	other := sha256.Sum256([]byte("another artifact"))
	_, err = sbom.VerifyProvenance(ctx, env, sbom.Subject{SHA256: hex.EncodeToString(other[:])}, at, signature.NewSSHVerifier(allowed, provenanceNamespace))
	assert.ErrorIs(t, err, sbom.ErrSubjectMismatch)
}

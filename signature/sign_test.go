package signature_test

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/signature"
)

// TestOpenPGPSignerKeys: an encrypted key needs its passphrase; key
// material that cannot sign is refused.
func TestOpenPGPSignerKeys(t *testing.T) {
	e := pgpKey(t, "ed25519", nil)
	armored := armoredPrivate(t, e, "s3cret")

	_, err := signature.NewOpenPGPSigner(bytes.NewReader(armored), nil)
	require.ErrorIs(t, err, signature.ErrKeyLocked)
	_, err = signature.NewOpenPGPSigner(bytes.NewReader(armored), []byte("wrong"))
	require.ErrorIs(t, err, signature.ErrBadPassphrase)
	_, err = signature.NewOpenPGPSigner(strings.NewReader("not a key"), nil)
	require.ErrorIs(t, err, signature.ErrInvalidKey)
	_, err = signature.NewOpenPGPSigner(bytes.NewReader(armoredPublic(t, e)), nil)
	require.ErrorIs(t, err, signature.ErrInvalidKey)

	s, err := signature.NewOpenPGPSigner(bytes.NewReader(armored), []byte("s3cret"), signature.WithClock(func() time.Time { return verifyAt.Add(-time.Hour) }))
	require.NoError(t, err)
	assert.Len(t, s.Fingerprint(), 40)
	msg := []byte("release v1.0.0\n")
	sig, err := s.Sign(t.Context(), bytes.NewReader(msg))
	require.NoError(t, err)
	v, err := signature.NewOpenPGPVerifier(bytes.NewReader(armoredPublic(t, e)))
	require.NoError(t, err)
	id, err := v.Verify(t.Context(), msg, sig, verifyAt)
	require.NoError(t, err)
	assert.Equal(t, signature.OpenPGP, id.Format)
	assert.Equal(t, s.Fingerprint(), id.Fingerprint)
	assert.Equal(t, "Release Bot <bot@example.com>", id.Identity)
	_, err = v.Verify(t.Context(), []byte("release v1.0.1\n"), sig, verifyAt)
	require.ErrorIs(t, err, signature.ErrBadSignature)
}

func TestSSHSignerKeys(t *testing.T) {
	need(t, "ssh-keygen")
	key := sshKey(t, "ed25519")
	out, err := exec.Command("ssh-keygen", "-q", "-p", "-a", "1", "-N", "s3cret", "-f", key).CombinedOutput()
	require.NoError(t, err, string(out))
	pemBytes, err := os.ReadFile(key)
	require.NoError(t, err)
	_, err = signature.ParseSSHPrivateKey(pemBytes, nil)
	require.ErrorIs(t, err, signature.ErrKeyLocked)
	_, err = signature.ParseSSHPrivateKey(pemBytes, []byte("wrong"))
	require.ErrorIs(t, err, signature.ErrBadPassphrase)
	_, err = signature.ParseSSHPrivateKey([]byte("junk"), nil)
	require.ErrorIs(t, err, signature.ErrInvalidKey)
	k, err := signature.ParseSSHPrivateKey(pemBytes, []byte("s3cret"))
	require.NoError(t, err)
	_, err = signature.NewSSHSigner(k, "")
	require.ErrorIs(t, err, signature.ErrInvalidKey)
	s, err := signature.NewSSHSigner(k, gitNamespace)
	require.NoError(t, err)
	assert.Equal(t, gitNamespace, s.Namespace())
	assert.True(t, strings.HasPrefix(s.Fingerprint(), "SHA256:"))
}

package signature_test

import (
	"bytes"
	"crypto"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/ProtonMail/go-crypto/openpgp/s2k"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/signature"
)

// gitNamespace is the SSH namespace git signs tags in.
const gitNamespace = "git"

// verifyAt is the verification time of the tests.
var verifyAt = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)

func need(t testing.TB, bins ...string) {
	t.Helper()
	for _, b := range bins {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("%s is not installed (.ci/run installs it): %v", b, err)
		}
	}
}

// pgpKey generates an OpenPGP key with go-crypto: "rsa" (2048 bits) or
// "ed25519" (EdDSA, readable by gpg 2.2).
func pgpKey(t testing.TB, kind string, mod func(*packet.Config)) *openpgp.Entity {
	t.Helper()
	cfg := &packet.Config{DefaultHash: crypto.SHA256, Time: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}
	switch kind {
	case "rsa":
		cfg.Algorithm, cfg.RSABits = packet.PubKeyAlgoRSA, 2048
	case "ed25519":
		cfg.Algorithm = packet.PubKeyAlgoEdDSA
	}
	if mod != nil {
		mod(cfg)
	}
	e, err := openpgp.NewEntity("Release Bot", "", "bot@example.com", cfg)
	require.NoError(t, err)
	return e
}

func armoredPublic(t testing.TB, e *openpgp.Entity) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PublicKeyType, nil)
	require.NoError(t, err)
	require.NoError(t, e.Serialize(w))
	require.NoError(t, w.Close())
	return b.Bytes()
}

func armoredPrivate(t testing.TB, e *openpgp.Entity, passphrase string) []byte {
	t.Helper()
	if passphrase != "" {
		fast := &packet.Config{S2KConfig: &s2k.Config{S2KMode: s2k.IteratedSaltedS2K, S2KCount: 65536}}
		require.NoError(t, e.EncryptPrivateKeys([]byte(passphrase), fast))
	}
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PrivateKeyType, nil)
	require.NoError(t, err)
	require.NoError(t, e.SerializePrivateWithoutSigning(w, nil))
	require.NoError(t, w.Close())
	return b.Bytes()
}

// sshKey generates a key with ssh-keygen and returns the private key path.
func sshKey(t testing.TB, typ string) string {
	t.Helper()
	need(t, "ssh-keygen")
	dir := t.TempDir()
	path := filepath.Join(dir, "id_"+typ)
	args := []string{"-q", "-t", typ, "-N", "", "-C", "bot@example.com", "-f", path}
	if typ == "rsa" {
		args = append(args, "-b", "3072")
	}
	out, err := exec.Command("ssh-keygen", args...).CombinedOutput()
	require.NoError(t, err, string(out))
	return path
}

func sshSigner(t testing.TB, keyPath, namespace string) *signature.SSHSigner {
	t.Helper()
	pemBytes, err := os.ReadFile(keyPath)
	require.NoError(t, err)
	k, err := signature.ParseSSHPrivateKey(pemBytes, nil)
	require.NoError(t, err)
	s, err := signature.NewSSHSigner(k, namespace)
	require.NoError(t, err)
	return s
}

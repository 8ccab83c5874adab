// Package keytest makes signing keys for tests: OpenPGP keys with
// go-crypto, SSH keys with the real ssh-keygen, and the signers of the
// signature package built from them. Only tests import it.
package keytest

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

	"github.com/releasekit/releasekit/signature"
)

// Need skips t unless every program in bins is on the PATH.
func Need(t testing.TB, bins ...string) {
	t.Helper()
	for _, b := range bins {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("%s is not installed (.ci/run installs it): %v", b, err)
		}
	}
}

// PGPKey generates an OpenPGP key for "Release Bot <bot@example.com>",
// created 2026-01-01: kind "rsa" (2048 bits) or "ed25519" (EdDSA, readable
// by gpg 2.2). mod, when not nil, changes the configuration first.
func PGPKey(t testing.TB, kind string, mod func(*packet.Config)) *openpgp.Entity {
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
	check(t, err)
	return e
}

// ArmoredPublic returns e's public key, armored.
func ArmoredPublic(t testing.TB, e *openpgp.Entity) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PublicKeyType, nil)
	check(t, err)
	check(t, e.Serialize(w))
	check(t, w.Close())
	return b.Bytes()
}

// ArmoredPrivate returns e's private key, armored, encrypted with
// passphrase unless it is empty (with a cheap S2K count, for speed).
func ArmoredPrivate(t testing.TB, e *openpgp.Entity, passphrase string) []byte {
	t.Helper()
	if passphrase != "" {
		fast := &packet.Config{S2KConfig: &s2k.Config{S2KMode: s2k.IteratedSaltedS2K, S2KCount: 65536}}
		check(t, e.EncryptPrivateKeys([]byte(passphrase), fast))
	}
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PrivateKeyType, nil)
	check(t, err)
	check(t, e.SerializePrivateWithoutSigning(w, nil))
	check(t, w.Close())
	return b.Bytes()
}

// SSHKey generates a key of type typ ("ed25519", "ecdsa", "rsa") with
// ssh-keygen in a temporary directory and returns the private key's path.
func SSHKey(t testing.TB, typ string) string {
	t.Helper()
	Need(t, "ssh-keygen")
	path := filepath.Join(t.TempDir(), "id_"+typ)
	args := []string{"-q", "-t", typ, "-N", "", "-C", "bot@example.com", "-f", path}
	if typ == "rsa" {
		args = append(args, "-b", "3072")
	}
	if out, err := exec.Command("ssh-keygen", args...).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	return path
}

// SSHSigner signs in namespace with the unencrypted private key at keyPath.
func SSHSigner(t testing.TB, keyPath, namespace string) *signature.SSHSigner {
	t.Helper()
	pemBytes, err := os.ReadFile(keyPath)
	check(t, err)
	k, err := signature.ParseSSHPrivateKey(pemBytes, nil)
	check(t, err)
	s, err := signature.NewSSHSigner(k, namespace)
	check(t, err)
	return s
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

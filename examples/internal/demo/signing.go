package demo

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// Keys is an example's signing setup: one SSH key, the signer that signs
// release tags with it, and the allowed_signers file that trusts it for
// Release Bot.
type Keys struct {
	// Key is the private key. Sign in another namespace with
	// signature.NewSSHSigner(k.Key, namespace).
	Key ssh.Signer
	// Tag signs tags with Key in tagging.GitNamespace.
	Tag *signature.SSHSigner
	// Allowed is the allowed_signers file, parsed.
	Allowed []signature.AllowedSigner
	// File is the path of the allowed_signers file.
	File string
}

// SetupSigning loads the SSH key at keyPath (a new Ed25519 key when keyPath
// is empty, see SSHKey), writes work/allowed_signers trusting it for Release
// Bot's e-mail in namespaces (tagging.GitNamespace when none is given) and
// reads the file back. A key error starts "signing key: ", a file error
// "allowed_signers: ".
func SetupSigning(work, keyPath string, namespaces ...string) (*Keys, error) {
	key, err := SSHKey(keyPath)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	tag, err := signature.NewSSHSigner(key, tagging.GitNamespace)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	ns := tagging.GitNamespace
	if len(namespaces) > 0 {
		ns = namespaces[0]
		for _, n := range namespaces[1:] {
			ns += "," + n
		}
	}
	file := filepath.Join(work, "allowed_signers")
	data := AllowedSigners(Email("Release Bot"), ns, key.PublicKey())
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return nil, fmt.Errorf("allowed_signers: %w", err)
	}
	allowed, err := signature.ParseAllowedSigners(data)
	if err != nil {
		return nil, fmt.Errorf("allowed_signers: %w", err)
	}
	return &Keys{Key: key, Tag: tag, Allowed: allowed, File: file}, nil
}

// Verifier returns a verifier that trusts the allowed_signers file in
// namespace: tagging.GitNamespace for tags.
func (k *Keys) Verifier(namespace string) *signature.SSHVerifier {
	return signature.NewSSHVerifier(k.Allowed, namespace)
}

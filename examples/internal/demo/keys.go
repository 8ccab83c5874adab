package demo

import (
	"crypto/ed25519"
	"fmt"
	"os"

	"github.com/releasekit/releasekit/signature"
	"golang.org/x/crypto/ssh"
)

// SSHKey returns an SSH signing key: the OpenSSH private key in the file at
// path (unencrypted), or a new Ed25519 key when path is empty.
func SSHKey(path string) (ssh.Signer, error) {
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		return signature.ParseSSHPrivateKey(data, nil)
	}
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	return ssh.NewSignerFromKey(priv)
}

// AllowedSigners returns the allowed_signers file that trusts key for
// principal in namespace (one namespace, or several separated by commas),
// as `git config gpg.ssh.allowedSignersFile` reads it: one line, ending in
// a newline.
func AllowedSigners(principal, namespace string, key ssh.PublicKey) []byte {
	return fmt.Appendf(nil, "%s namespaces=%q %s", principal, namespace, ssh.MarshalAuthorizedKey(key))
}

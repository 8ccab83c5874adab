package signature

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// An OpenPGPSigner signs with an OpenPGP private key, producing binary
// detached signatures (SHA-256) as git's `gpg -bsau` does. It is safe for
// concurrent use.
type OpenPGPSigner struct {
	entity *openpgp.Entity
	now    func() time.Time
}

// A SignerOption configures a signer.
type SignerOption func(*signerConfig)

type signerConfig struct{ now func() time.Time }

// WithClock makes the signer take the signature creation time from now
// instead of the wall clock (for tests and reproducible examples).
func WithClock(now func() time.Time) SignerOption {
	return func(c *signerConfig) { c.now = now }
}

// NewOpenPGPSigner reads one armored OpenPGP private key and decrypts it with
// passphrase when it is encrypted. Read the passphrase from an environment
// variable or a file, never from the command line. It returns ErrInvalidKey
// for unreadable key material or a key that cannot sign, ErrKeyLocked for an
// encrypted key and an empty passphrase, and ErrBadPassphrase.
func NewOpenPGPSigner(armoredKey io.Reader, passphrase []byte, opts ...SignerOption) (*OpenPGPSigner, error) {
	list, err := openpgp.ReadArmoredKeyRing(armoredKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	if len(list) != 1 || list[0].PrivateKey == nil {
		return nil, fmt.Errorf("%w: want exactly one private key, got %d entities", ErrInvalidKey, len(list))
	}
	e := list[0]
	if e.PrivateKey.Encrypted || anySubkeyEncrypted(e) {
		if len(passphrase) == 0 {
			return nil, ErrKeyLocked
		}
		if err := e.DecryptPrivateKeys(passphrase); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadPassphrase, err)
		}
	}
	return NewOpenPGPSignerFromEntity(e, opts...)
}

func anySubkeyEncrypted(e *openpgp.Entity) bool {
	for _, s := range e.Subkeys {
		if s.PrivateKey != nil && s.PrivateKey.Encrypted {
			return true
		}
	}
	return false
}

// NewOpenPGPSignerFromEntity signs with an entity whose private keys are
// already decrypted. It returns ErrInvalidKey when the entity has no usable
// signing key now and ErrKeyLocked when that key is still encrypted.
func NewOpenPGPSignerFromEntity(e *openpgp.Entity, opts ...SignerOption) (*OpenPGPSigner, error) {
	c := signerConfig{now: time.Now}
	for _, o := range opts {
		o(&c)
	}
	k, ok := e.SigningKey(c.now())
	if !ok || k.PrivateKey == nil {
		return nil, fmt.Errorf("%w: no valid signing key", ErrInvalidKey)
	}
	if k.PrivateKey.Encrypted {
		return nil, ErrKeyLocked
	}
	return &OpenPGPSigner{entity: e, now: c.now}, nil
}

// Fingerprint returns the primary key fingerprint in upper-case hex.
func (s *OpenPGPSigner) Fingerprint() string {
	if s == nil || s.entity == nil || s.entity.PrimaryKey == nil {
		return ""
	}
	return fmt.Sprintf("%X", s.entity.PrimaryKey.Fingerprint)
}

// Sign returns an armored detached signature of message.
func (s *OpenPGPSigner) Sign(ctx context.Context, message io.Reader) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s == nil || s.entity == nil {
		return nil, fmt.Errorf("%w: no key", ErrSign)
	}
	var bin bytes.Buffer
	cfg := &packet.Config{DefaultHash: crypto.SHA256, Time: s.now}
	if err := openpgp.DetachSign(&bin, s.entity, message, cfg); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSign, err)
	}
	var out bytes.Buffer
	w, err := armor.Encode(&out, openpgp.SignatureType, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSign, err)
	}
	if _, err := w.Write(bin.Bytes()); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSign, err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSign, err)
	}
	if !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
		out.WriteByte('\n')
	}
	return out.Bytes(), nil
}

// An SSHSigner signs in the sshsig format (ssh-keygen -Y sign) with a
// namespace bound at construction: GitNamespace for tags, another for other
// kinds of documents, so that a signature made for one is never valid for
// the other. It uses SHA-512, as ssh-keygen does. It is safe for concurrent
// use when the underlying ssh.Signer is.
type SSHSigner struct {
	signer    ssh.Signer
	namespace string
}

// NewSSHSigner signs with signer (from a key file, see ParseSSHPrivateKey, or
// from an ssh-agent) in namespace. It returns ErrInvalidKey for an empty
// namespace, a certificate, or an RSA key under 2048 bits.
func NewSSHSigner(signer ssh.Signer, namespace string) (*SSHSigner, error) {
	if signer == nil || namespace == "" {
		return nil, fmt.Errorf("%w: a signer and a namespace are required", ErrInvalidKey)
	}
	if err := checkSSHKey(signer.PublicKey()); err != nil {
		return nil, err
	}
	return &SSHSigner{signer: signer, namespace: namespace}, nil
}

// ParseSSHPrivateKey reads an OpenSSH or PEM private key (Ed25519, ECDSA or
// RSA), decrypting it with passphrase when it is encrypted. It returns
// ErrKeyLocked, ErrBadPassphrase or ErrInvalidKey.
func ParseSSHPrivateKey(pemBytes, passphrase []byte) (ssh.Signer, error) {
	s, err := ssh.ParsePrivateKey(pemBytes)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		if len(passphrase) == 0 {
			return nil, ErrKeyLocked
		}
		s, err = ssh.ParsePrivateKeyWithPassphrase(pemBytes, passphrase)
		if errors.Is(err, x509.IncorrectPasswordError) {
			return nil, fmt.Errorf("%w: %v", ErrBadPassphrase, err)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	return s, nil
}

// Namespace returns the namespace the signer signs in.
func (s *SSHSigner) Namespace() string { return s.namespace }

// Fingerprint returns the SHA256 fingerprint of the public key, as
// ssh-keygen -l prints it.
func (s *SSHSigner) Fingerprint() string {
	if s == nil || s.signer == nil {
		return ""
	}
	return ssh.FingerprintSHA256(s.signer.PublicKey())
}

// Sign returns an armored SSH signature of message, wrapped at 70 columns
// exactly as ssh-keygen writes it.
func (s *SSHSigner) Sign(ctx context.Context, message io.Reader) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s == nil || s.signer == nil {
		return nil, fmt.Errorf("%w: no key", ErrSign)
	}
	sig, err := sshsig.Sign(message, s.signer, sshsig.HashSHA512, s.namespace)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSign, err)
	}
	return armorSSH(sig.Marshal()), nil
}

func armorSSH(blob []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(blob)
	var b bytes.Buffer
	b.WriteString("-----BEGIN SSH SIGNATURE-----\n")
	for len(enc) > 70 {
		b.WriteString(enc[:70])
		b.WriteByte('\n')
		enc = enc[70:]
	}
	b.WriteString(enc)
	b.WriteString("\n-----END SSH SIGNATURE-----\n")
	return b.Bytes()
}

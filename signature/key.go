package signature

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"time"
)

// A KeySigner signs with a crypto.Signer: Ed25519 (pure), ECDSA (SHA-256,
// ASN.1) or RSA (PKCS #1 v1.5, SHA-256). It is safe for concurrent use when
// the key is.
type KeySigner struct {
	key   crypto.Signer
	keyID string
}

// NewKeySigner returns a signer for key, whose KeyID is the hex SHA-256 of
// its public key in PKIX DER form. It returns ErrInvalidKey for other key
// types.
func NewKeySigner(key crypto.Signer) (*KeySigner, error) {
	id, err := keyID(key.Public())
	if err != nil {
		return nil, err
	}
	return &KeySigner{key: key, keyID: id}, nil
}

// KeyID returns the hex SHA-256 of the public key (PKIX DER).
func (s *KeySigner) KeyID() string { return s.keyID }

// Sign returns the signature of message.
func (s *KeySigner) Sign(ctx context.Context, message io.Reader) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	msg, err := io.ReadAll(message)
	if err != nil {
		return nil, err
	}
	switch s.key.Public().(type) {
	case ed25519.PublicKey:
		return s.key.Sign(rand.Reader, msg, crypto.Hash(0))
	default:
		sum := sha256.Sum256(msg)
		return s.key.Sign(rand.Reader, sum[:], crypto.SHA256)
	}
}

// A KeyVerifier verifies signatures made by one public key, as KeySigner
// makes them. It is safe for concurrent use.
type KeyVerifier struct {
	pub   crypto.PublicKey
	keyID string
}

// NewKeyVerifier returns a verifier that trusts pub (Ed25519, ECDSA or RSA).
// It returns ErrInvalidKey for other key types.
func NewKeyVerifier(pub crypto.PublicKey) (*KeyVerifier, error) {
	id, err := keyID(pub)
	if err != nil {
		return nil, err
	}
	return &KeyVerifier{pub: pub, keyID: id}, nil
}

// KeyID returns the hex SHA-256 of the public key (PKIX DER).
func (v *KeyVerifier) KeyID() string { return v.keyID }

// Verify returns who signed: a Key identity naming the key id. It returns
// ErrBadSignature unless signature is the key's over message. A bare key has
// no validity window, so at is not consulted.
func (v *KeyVerifier) Verify(ctx context.Context, message, signature []byte, at time.Time) (Identity, error) {
	if err := ctx.Err(); err != nil {
		return Identity{}, err
	}
	if v == nil {
		return Identity{}, fmt.Errorf("%w: no key", ErrUntrustedKey)
	}
	ok := false
	switch k := v.pub.(type) {
	case ed25519.PublicKey:
		ok = ed25519.Verify(k, message, signature)
	case *ecdsa.PublicKey:
		sum := sha256.Sum256(message)
		ok = ecdsa.VerifyASN1(k, sum[:], signature)
	case *rsa.PublicKey:
		sum := sha256.Sum256(message)
		ok = rsa.VerifyPKCS1v15(k, crypto.SHA256, sum[:], signature) == nil
	}
	if !ok {
		return Identity{}, ErrBadSignature
	}
	return Identity{Format: Key, Fingerprint: v.keyID, Identity: v.keyID}, nil
}

func keyID(pub crypto.PublicKey) (string, error) {
	switch pub.(type) {
	case ed25519.PublicKey, *ecdsa.PublicKey, *rsa.PublicKey:
	default:
		return "", fmt.Errorf("%w: unsupported key type %T", ErrInvalidKey, pub)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:]), nil
}

// ParsePrivateKeyPEM reads a PEM "PRIVATE KEY" (PKCS #8) block holding an
// Ed25519, ECDSA or RSA key, as `openssl genpkey` writes it. It returns
// ErrInvalidKey otherwise.
func ParsePrivateKeyPEM(data []byte) (*KeySigner, error) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%w: want a PEM PRIVATE KEY block (PKCS #8)", ErrInvalidKey)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: key cannot sign", ErrInvalidKey)
	}
	return NewKeySigner(s)
}

// ParsePublicKeyPEM reads a PEM "PUBLIC KEY" (PKIX) block, or takes the
// public half of a PEM "PRIVATE KEY". It returns ErrInvalidKey otherwise.
func ParsePublicKeyPEM(data []byte) (*KeyVerifier, error) {
	b, _ := pem.Decode(data)
	if b == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrInvalidKey)
	}
	switch b.Type {
	case "PUBLIC KEY":
		pub, err := x509.ParsePKIXPublicKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		return NewKeyVerifier(pub)
	case "PRIVATE KEY":
		s, err := ParsePrivateKeyPEM(data)
		if err != nil {
			return nil, err
		}
		return NewKeyVerifier(s.key.Public())
	}
	return nil, fmt.Errorf("%w: PEM block %q", ErrInvalidKey, b.Type)
}

package sbom

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"

	"github.com/releasekit/releasekit/internal/strictjson"
)

// A Signer signs a message and returns the signature bytes. It is the
// method set DESIGN.md fixes for every package; the tagging package's
// OpenPGP and SSH signers implement it, and so does KeySigner for any
// crypto.Signer. A Signer that also has a KeyID() string method names the
// key in the envelope.
type Signer interface {
	Sign(ctx context.Context, message io.Reader) ([]byte, error)
}

// A Verifier checks a signature over message against the keys it trusts
// and returns nil only when one of them made it. KeyVerifier implements it;
// wrap the tagging package's verifiers to use OpenPGP or SSH keys.
type Verifier interface {
	Verify(ctx context.Context, message io.Reader, signature []byte) error
}

// A VerifierFunc is a function used as a Verifier, to adapt verifiers with
// another method set, such as the tagging package's:
//
//	sbom.VerifierFunc(func(ctx context.Context, msg io.Reader, sig []byte) error {
//		b, err := io.ReadAll(msg)
//		if err != nil {
//			return err
//		}
//		_, err = keyring.Verify(ctx, b, sig, time.Now())
//		return err
//	})
type VerifierFunc func(ctx context.Context, message io.Reader, signature []byte) error

// Verify calls f.
func (f VerifierFunc) Verify(ctx context.Context, message io.Reader, signature []byte) error {
	return f(ctx, message, signature)
}

// envelope is a DSSE envelope, read strictly (see OpenEnvelope).
type envelope struct {
	PayloadType string           `json:"payloadType"`
	Payload     string           `json:"payload"`
	Signatures  []dsse.Signature `json:"signatures"`
}

// SignEnvelope returns a DSSE envelope (JSON) of payload with payload type
// payloadType, signed by each signer over the DSSE pre-authentication
// encoding (PAE) of the type and the payload, never the raw payload. It
// returns ErrSign when there is no signer or one fails or returns nothing,
// and ctx's error.
func SignEnvelope(ctx context.Context, payloadType string, payload []byte, signers ...Signer) ([]byte, error) {
	if len(signers) == 0 {
		return nil, fmt.Errorf("sign envelope: %w: no signer", ErrSign)
	}
	pae := dsse.PAE(payloadType, payload)
	env := envelope{PayloadType: payloadType, Payload: base64.StdEncoding.EncodeToString(payload)}
	for _, s := range signers {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("sign envelope: %w", err)
		}
		sig, err := s.Sign(ctx, bytes.NewReader(pae))
		if err != nil {
			return nil, fmt.Errorf("sign envelope: %w: %w", ErrSign, err)
		}
		if len(sig) == 0 {
			return nil, fmt.Errorf("sign envelope: %w: empty signature", ErrSign)
		}
		var keyID string
		if k, ok := s.(interface{ KeyID() string }); ok {
			keyID = k.KeyID()
		}
		env.Signatures = append(env.Signatures, dsse.Signature{KeyID: keyID, Sig: base64.StdEncoding.EncodeToString(sig)})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(env); err != nil {
		return nil, fmt.Errorf("sign envelope: %w", err)
	}
	return buf.Bytes(), nil
}

// maxEnvelope is the largest envelope OpenEnvelope reads.
const maxEnvelope = 64 << 20

// OpenEnvelope parses a DSSE envelope strictly (one JSON object, no unknown
// or duplicate fields, field names spelled exactly, standard or URL-safe
// base64, at least one
// signature, none of them empty or badly encoded), checks that its payload
// type is payloadType, and verifies the signatures over the PAE encoding:
// it returns the payload when at least one signature is accepted by one of
// the verifiers. Other signatures that no verifier accepts (from keys the
// caller does not trust, or replayed from another envelope) neither help
// nor hurt: the policy is "one trusted valid signature, none malformed". It returns
// ErrMalformedEnvelope, ErrPayloadType, ErrBadSignature (also when no
// verifier is given) and ctx's error; it fails closed on any change to the
// type, the payload or a signature.
func OpenEnvelope(ctx context.Context, data []byte, payloadType string, verifiers ...Verifier) ([]byte, error) {
	payload, env, err := parseEnvelope(data)
	if err != nil {
		return nil, fmt.Errorf("open envelope: %w", err)
	}
	if env.PayloadType != payloadType {
		return nil, fmt.Errorf("open envelope: %w: %q, want %q", ErrPayloadType, env.PayloadType, payloadType)
	}
	pae := dsse.PAE(env.PayloadType, payload)
	// Every signature is decoded before any is verified, so that a
	// malformed one is refused wherever it stands in the list.
	sigs := make([][]byte, 0, len(env.Signatures))
	for _, s := range env.Signatures {
		sig, err := b64(s.Sig)
		if err != nil || len(sig) == 0 {
			return nil, fmt.Errorf("open envelope: %w: bad signature encoding", ErrMalformedEnvelope)
		}
		sigs = append(sigs, sig)
	}
	var last error
	for _, sig := range sigs {
		for _, v := range verifiers {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("open envelope: %w", err)
			}
			if err := v.Verify(ctx, bytes.NewReader(pae), sig); err == nil {
				return payload, nil
			} else {
				last = err
			}
		}
	}
	if last != nil {
		return nil, fmt.Errorf("open envelope: %w: %v", ErrBadSignature, last)
	}
	return nil, fmt.Errorf("open envelope: %w: no verifier", ErrBadSignature)
}

func parseEnvelope(data []byte) ([]byte, envelope, error) {
	var env envelope
	if len(data) > maxEnvelope {
		return nil, env, fmt.Errorf("%w: over %d bytes", ErrMalformedEnvelope, maxEnvelope)
	}
	if err := strictJSON(data, 8); err != nil {
		return nil, env, fmt.Errorf("%w: %w", ErrMalformedEnvelope, err)
	}
	if err := strictjson.Unmarshal(data, &env, strictjson.Options{MaxDepth: 8}); err != nil {
		return nil, env, fmt.Errorf("%w: %v", ErrMalformedEnvelope, err)
	}
	if err := exactKeys(data, &env); err != nil {
		return nil, env, fmt.Errorf("%w: %w", ErrMalformedEnvelope, err)
	}
	if env.PayloadType == "" {
		return nil, env, fmt.Errorf("%w: no payloadType", ErrMalformedEnvelope)
	}
	if len(env.Signatures) == 0 {
		return nil, env, fmt.Errorf("%w: no signatures", ErrMalformedEnvelope)
	}
	payload, err := b64(env.Payload)
	if err != nil {
		return nil, env, fmt.Errorf("%w: payload: %v", ErrMalformedEnvelope, err)
	}
	return payload, env, nil
}

func b64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.URLEncoding.DecodeString(s)
	}
	return b, err
}

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

// Verify returns ErrBadSignature unless signature is the key's over
// message.
func (v *KeyVerifier) Verify(ctx context.Context, message io.Reader, signature []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	msg, err := io.ReadAll(message)
	if err != nil {
		return err
	}
	ok := false
	switch k := v.pub.(type) {
	case ed25519.PublicKey:
		ok = ed25519.Verify(k, msg, signature)
	case *ecdsa.PublicKey:
		sum := sha256.Sum256(msg)
		ok = ecdsa.VerifyASN1(k, sum[:], signature)
	case *rsa.PublicKey:
		sum := sha256.Sum256(msg)
		ok = rsa.VerifyPKCS1v15(k, crypto.SHA256, sum[:], signature) == nil
	}
	if !ok {
		return ErrBadSignature
	}
	return nil
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

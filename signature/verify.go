package signature

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// An OpenPGPVerifier verifies OpenPGP signatures against a keyring. It is
// safe for concurrent use.
type OpenPGPVerifier struct {
	keyring openpgp.EntityList
}

// NewOpenPGPVerifier reads an armored keyring (public or private keys) of the
// keys to trust. It returns ErrInvalidKey for unreadable or empty input.
func NewOpenPGPVerifier(armoredKeyring io.Reader) (*OpenPGPVerifier, error) {
	list, err := openpgp.ReadArmoredKeyRing(armoredKeyring)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("%w: empty keyring", ErrInvalidKey)
	}
	return &OpenPGPVerifier{keyring: list}, nil
}

// NewOpenPGPVerifierFromEntities trusts the given entities.
func NewOpenPGPVerifierFromEntities(keys openpgp.EntityList) *OpenPGPVerifier {
	return &OpenPGPVerifier{keyring: keys}
}

var strongHashes = map[crypto.Hash]bool{
	crypto.SHA224: true, crypto.SHA256: true, crypto.SHA384: true, crypto.SHA512: true,
	crypto.SHA3_256: true, crypto.SHA3_512: true,
}

// Verify checks an armored OpenPGP signature. The key must be trusted, valid
// (neither expired nor revoked) both at the time the signature was made and
// at at, and the signature must not be dated after at. Errors:
// ErrUntrustedKey, ErrBadSignature, ErrKeyExpired, and an *Error for the
// other refusals (a malformed signature, an unsupported or weak algorithm,
// a revoked key, an expired signature, a signature made after at, a zero
// at).
func (v *OpenPGPVerifier) Verify(ctx context.Context, message, signature []byte, at time.Time) (Identity, error) {
	if err := ctx.Err(); err != nil {
		return Identity{}, err
	}
	if v == nil {
		return Identity{}, fmt.Errorf("%w: no keyring", ErrUntrustedKey)
	}
	if at.IsZero() {
		return Identity{}, &Error{Reason: "verification time not given"}
	}
	if !bytes.HasPrefix(signature, []byte("-----BEGIN PGP SIGNATURE-----\n")) {
		return Identity{}, fmt.Errorf("%w: not an OpenPGP signature", ErrUntrustedKey)
	}
	block, err := armor.Decode(bytes.NewReader(signature))
	if err != nil || block.Type != openpgp.SignatureType {
		return Identity{}, &Error{Reason: "malformed signature", Detail: "bad armor"}
	}
	body, err := io.ReadAll(block.Body)
	if err != nil {
		return Identity{}, &Error{Reason: "malformed signature", Detail: fmt.Sprintf("%v", err)}
	}
	// packet.Read, not packet.Reader.Next: Next silently skips a packet it
	// cannot parse (an unknown critical subpacket), which would hide why.
	rd := bytes.NewReader(body)
	p, err := packet.Read(rd)
	if err != nil {
		if m := mapPGP(err); errors.Is(m, &Error{Reason: "unsupported signature"}) || errors.Is(m, &Error{Reason: "weak algorithm"}) {
			return Identity{}, m
		}
		return Identity{}, &Error{Reason: "malformed signature", Detail: fmt.Sprintf("%v", err)}
	}
	sig, ok := p.(*packet.Signature)
	if !ok {
		return Identity{}, &Error{Reason: "malformed signature", Detail: "not a signature packet"}
	}
	if rd.Len() != 0 {
		return Identity{}, &Error{Reason: "malformed signature", Detail: "more than one packet in the signature"}
	}
	if sig.IssuerKeyId == nil {
		return Identity{}, &Error{Reason: "malformed signature", Detail: "no issuer"}
	}
	if sig.SigType != packet.SigTypeBinary && sig.SigType != packet.SigTypeText {
		return Identity{}, &Error{Reason: "unsupported signature", Detail: fmt.Sprintf("signature type %d", sig.SigType)}
	}
	if sig.SigType == packet.SigTypeText && bytes.IndexByte(message, '\r') >= 0 {
		// A text-mode signature hashes line ends canonically (LF as CRLF),
		// so it would also accept the message with a CR added before any
		// LF. Git signs in binary mode; a text-mode signature is accepted
		// only over a message without CR, whose canonical form is unique.
		return Identity{}, fmt.Errorf("%w: text-mode signature over a message containing CR", ErrBadSignature)
	}
	if !strongHashes[sig.Hash] {
		return Identity{}, &Error{Reason: "weak algorithm", Detail: fmt.Sprintf("hash %v", sig.Hash)}
	}
	if sig.CreationTime.After(at) {
		return Identity{}, &Error{Reason: "signature made after the verification time", Detail: fmt.Sprintf("signed %s, verified at %s", sig.CreationTime.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))}
	}
	var info Identity
	for _, when := range []time.Time{at, sig.CreationTime} {
		cfg := &packet.Config{Time: func() time.Time { return when }}
		_, signer, err := openpgp.VerifyDetachedSignature(v.keyring, bytes.NewReader(message), bytes.NewReader(body), cfg)
		if err != nil {
			return Identity{}, mapPGP(err)
		}
		if err := checkPGPKey(v.keyring, *sig.IssuerKeyId); err != nil {
			return Identity{}, err
		}
		info = Identity{Format: OpenPGP, Fingerprint: fmt.Sprintf("%X", signer.PrimaryKey.Fingerprint), SignedAt: sig.CreationTime}
		if id := signer.PrimaryIdentity(); id != nil {
			info.Identity = id.Name
		}
	}
	return info, nil
}

func checkPGPKey(keyring openpgp.EntityList, id uint64) error {
	for _, k := range keyring.KeysById(id) {
		switch k.PublicKey.PubKeyAlgo {
		case packet.PubKeyAlgoDSA, packet.PubKeyAlgoElGamal:
			return &Error{Reason: "weak algorithm", Detail: "DSA key"}
		case packet.PubKeyAlgoRSA, packet.PubKeyAlgoRSASignOnly:
			if n, err := k.PublicKey.BitLength(); err != nil || n < 2048 {
				return &Error{Reason: "weak algorithm", Detail: fmt.Sprintf("RSA key of %d bits", n)}
			}
		}
	}
	return nil
}

// mapPGP turns go-crypto errors into ours.
func mapPGP(err error) error {
	var weak pgperrors.WeakAlgorithmError
	var unsup pgperrors.UnsupportedError
	var sigErr pgperrors.SignatureError
	var structural pgperrors.StructuralError
	switch {
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		return fmt.Errorf("%w: %v", ErrUntrustedKey, err)
	case errors.Is(err, pgperrors.ErrKeyRevoked):
		return &Error{Reason: "signing key revoked", Detail: fmt.Sprintf("%v", err)}
	case errors.Is(err, pgperrors.ErrKeyExpired):
		return fmt.Errorf("%w: %v", ErrKeyExpired, err)
	case errors.Is(err, pgperrors.ErrSignatureExpired):
		return &Error{Reason: "signature expired", Detail: fmt.Sprintf("%v", err)}
	case errors.As(err, &weak):
		return &Error{Reason: "weak algorithm", Detail: fmt.Sprintf("%v", err)}
	case errors.As(err, &unsup):
		return &Error{Reason: "unsupported signature", Detail: fmt.Sprintf("%v", err)}
	case errors.As(err, &structural):
		return &Error{Reason: "malformed signature", Detail: fmt.Sprintf("%v", err)}
	case errors.As(err, &sigErr):
		if strings.Contains(string(sigErr), "critical") {
			return &Error{Reason: "unsupported signature", Detail: fmt.Sprintf("%v", err)}
		}
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return fmt.Errorf("%w: %v", ErrBadSignature, err)
}

// An SSHVerifier verifies SSH signatures (sshsig) against allowed signers in
// one namespace, as `git verify-tag` does with gpg.ssh.allowedSignersFile.
// It is safe for concurrent use.
type SSHVerifier struct {
	signers   []AllowedSigner
	namespace string
	principal string
}

// NewSSHVerifier trusts signers for signatures in namespace (GitNamespace
// for tags).
func NewSSHVerifier(signers []AllowedSigner, namespace string) *SSHVerifier {
	return &SSHVerifier{signers: signers, namespace: namespace}
}

// WithPrincipal returns a copy of v that also requires the matching
// allowed_signers entry to allow principal (as `ssh-keygen -Y verify -I`).
func (v *SSHVerifier) WithPrincipal(principal string) *SSHVerifier {
	var c SSHVerifier
	if v != nil {
		c = *v
	}
	c.principal = principal
	return &c
}

// Verify checks an armored SSH signature. The signature's namespace must be
// the verifier's; an allowed_signers entry (not a cert-authority) must hold
// the key, allow the namespace, be valid at at, and allow the required
// principal, if any. Errors: ErrUntrustedKey, ErrBadSignature,
// ErrKeyExpired, and an *Error for the other refusals (a malformed
// signature, another namespace, a weak or unsupported algorithm, an entry
// not yet valid, a principal not allowed, a zero at).
func (v *SSHVerifier) Verify(ctx context.Context, message, signature []byte, at time.Time) (Identity, error) {
	if err := ctx.Err(); err != nil {
		return Identity{}, err
	}
	if v == nil {
		return Identity{}, fmt.Errorf("%w: no allowed signers", ErrUntrustedKey)
	}
	if at.IsZero() {
		return Identity{}, &Error{Reason: "verification time not given"}
	}
	if !bytes.HasPrefix(signature, []byte("-----BEGIN SSH SIGNATURE-----\n")) {
		return Identity{}, fmt.Errorf("%w: not an SSH signature", ErrUntrustedKey)
	}
	blob, err := unarmorSSH(signature)
	if err != nil {
		return Identity{}, err
	}
	sig, err := sshsig.ParseSignature(blob)
	if err != nil {
		return Identity{}, &Error{Reason: "malformed signature", Detail: fmt.Sprintf("%v", err)}
	}
	if sig.Namespace != v.namespace {
		return Identity{}, &Error{Reason: "wrong signature namespace", Detail: fmt.Sprintf("signed for %q, want %q", sig.Namespace, v.namespace)}
	}
	if sig.HashAlgorithm != sshsig.HashSHA256 && sig.HashAlgorithm != sshsig.HashSHA512 {
		return Identity{}, &Error{Reason: "weak algorithm", Detail: fmt.Sprintf("hash %s", sig.HashAlgorithm)}
	}
	if _, ok := sig.PublicKey.(*ssh.Certificate); ok {
		return Identity{}, &Error{Reason: "unsupported signature", Detail: "SSH certificates"}
	}
	if err := checkSSHKey(sig.PublicKey); err != nil {
		return Identity{}, err
	}
	var matches []AllowedSigner
	for _, a := range v.signers {
		if !a.CertAuthority && a.Key != nil && bytes.Equal(a.Key.Marshal(), sig.PublicKey.Marshal()) {
			matches = append(matches, a)
		}
	}
	if len(matches) == 0 {
		return Identity{}, fmt.Errorf("%w: %s", ErrUntrustedKey, ssh.FingerprintSHA256(sig.PublicKey))
	}
	if err := sshsig.Verify(bytes.NewReader(message), sig, sig.PublicKey, sig.HashAlgorithm, v.namespace); err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	var first error
	for _, a := range matches {
		err := a.allows(v.namespace, v.principal, at)
		if err == nil {
			return Identity{Format: SSH, Fingerprint: ssh.FingerprintSHA256(sig.PublicKey), Identity: strings.Join(a.Principals, ",")}, nil
		}
		if first == nil {
			first = err
		}
	}
	return Identity{}, first
}

func checkSSHKey(pub ssh.PublicKey) error {
	switch pub.Type() {
	case ssh.KeyAlgoED25519, ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521,
		ssh.KeyAlgoSKED25519, ssh.KeyAlgoSKECDSA256:
		return nil
	case ssh.KeyAlgoRSA:
		cpk, ok := pub.(ssh.CryptoPublicKey)
		if !ok {
			return fmt.Errorf("%w: RSA key", ErrInvalidKey)
		}
		rk, ok := cpk.CryptoPublicKey().(*rsa.PublicKey)
		if !ok || rk.N.BitLen() < 2048 {
			return &Error{Reason: "weak algorithm", Detail: "RSA key under 2048 bits"}
		}
		return nil
	case ssh.KeyAlgoDSA:
		return &Error{Reason: "weak algorithm", Detail: "DSA key"}
	}
	return &Error{Reason: "unsupported signature", Detail: fmt.Sprintf("key type %s", pub.Type())}
}

// unarmorSSH decodes exactly one SSH SIGNATURE block with nothing around it.
func unarmorSSH(b []byte) ([]byte, error) {
	const begin, end = "-----BEGIN SSH SIGNATURE-----\n", "-----END SSH SIGNATURE-----\n"
	if !bytes.HasPrefix(b, []byte(begin)) || !bytes.HasSuffix(b, []byte(end)) || len(b) < len(begin)+len(end) {
		return nil, &Error{Reason: "malformed signature", Detail: "bad armor"}
	}
	inner := string(b[len(begin) : len(b)-len(end)])
	if strings.ContainsAny(inner, " \t\r-:") {
		return nil, &Error{Reason: "malformed signature", Detail: "bad armor"}
	}
	blob, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(inner, "\n", ""))
	if err != nil || len(blob) == 0 {
		return nil, &Error{Reason: "malformed signature", Detail: "bad base64"}
	}
	return blob, nil
}

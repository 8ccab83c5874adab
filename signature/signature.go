package signature

import (
	"context"
	"io"
	"time"
)

// A Format is a signature format, named as in git's gpg.format setting.
type Format string

// The signature formats.
const (
	// OpenPGP is an armored OpenPGP detached signature (OpenPGPSigner).
	OpenPGP Format = "openpgp"
	// SSH is an armored sshsig signature (SSHSigner).
	SSH Format = "ssh"
	// Key is a raw signature by a bare public key (KeySigner), as DSSE
	// envelopes carry it; the key is named by its key id.
	Key Format = "key"
)

// A Signer signs a message and returns the signature. OpenPGPSigner and
// SSHSigner return one armored signature block ending in a newline, as
// `gpg --detach-sign --armor` or `ssh-keygen -Y sign` print it; KeySigner
// returns the raw signature bytes. A Signer that also has a KeyID() string
// method names its key (DSSE envelopes record it).
type Signer interface {
	Sign(ctx context.Context, message io.Reader) ([]byte, error)
}

// A Verifier checks a signature over message against the keys it trusts, at
// the explicit time at (never a date taken from the signed data), and says
// who signed. OpenPGPVerifier, SSHVerifier and KeyVerifier implement it.
type Verifier interface {
	Verify(ctx context.Context, message, signature []byte, at time.Time) (Identity, error)
}

// An Identity tells who made a valid signature.
type Identity struct {
	Format Format `json:"format"`
	// Fingerprint is the OpenPGP primary key fingerprint in upper-case hex,
	// the SSH key's "SHA256:..." fingerprint, or a bare key's key id (the
	// hex SHA-256 of its PKIX DER public key).
	Fingerprint string `json:"fingerprint"`
	// Identity is the OpenPGP primary user ID ("Name <email>"), the
	// principals of the matching allowed_signers entry, or a bare key's key
	// id.
	Identity string `json:"identity"`
	// SignedAt is the signature creation time (OpenPGP only; zero for SSH
	// and bare keys, whose signatures carry no time).
	SignedAt time.Time `json:"signed_at,omitzero"`
}

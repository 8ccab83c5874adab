package signature

import (
	"errors"
	"fmt"
)

// Sentinel errors. Each is documented on the functions that return it and is
// matched with errors.Is; most reach the caller wrapped with the operation.
var (
	// ErrSign reports a signer that failed or returned something that is not a
	// single armored signature block.
	ErrSign = errors.New("signature: signing failed")
	// ErrKeyLocked reports an encrypted private key given without a passphrase.
	ErrKeyLocked = errors.New("signature: private key is encrypted")
	// ErrBadPassphrase reports a passphrase that does not decrypt the key.
	ErrBadPassphrase = errors.New("signature: wrong passphrase")
	// ErrInvalidKey reports key material that cannot be read or cannot sign.
	ErrInvalidKey = errors.New("signature: invalid key")
	// ErrMalformedSignature reports a signature block that is not exactly one
	// well-formed signature (trailing data, bad armor, extra packets).
	ErrMalformedSignature = errors.New("signature: malformed signature")
	// ErrBadSignature reports a signature that does not match the signed
	// bytes: a changed message, tagger, name or target, or a signature taken
	// from another object.
	ErrBadSignature = errors.New("signature: bad signature")
	// ErrUntrustedKey reports a signature by a key that is not in the trusted
	// keyring or allowed_signers file.
	ErrUntrustedKey = errors.New("signature: signing key is not trusted")
	// ErrKeyExpired reports a key that was expired at the verification time or
	// when it signed, or an allowed_signers entry past its valid-before.
	ErrKeyExpired = errors.New("signature: signing key expired")
	// ErrKeyNotYetValid reports an allowed_signers entry whose valid-after is
	// later than the verification time, or a signature made after it.
	ErrKeyNotYetValid = errors.New("signature: signing key not yet valid")
	// ErrKeyRevoked reports a revoked OpenPGP key.
	ErrKeyRevoked = errors.New("signature: signing key revoked")
	// ErrSignatureExpired reports an OpenPGP signature past its own expiry.
	ErrSignatureExpired = errors.New("signature: signature expired")
	// ErrNamespace reports an SSH signature made for another namespace, or an
	// allowed_signers entry whose namespaces= does not include it.
	ErrNamespace = errors.New("signature: wrong signature namespace")
	// ErrPrincipalNotAllowed reports an SSH signer whose principals do not
	// include the required one.
	ErrPrincipalNotAllowed = errors.New("signature: principal not allowed")
	// ErrWeakAlgorithm reports a signature or key that uses a broken or weak
	// algorithm (SHA-1, DSA, RSA under 2048 bits).
	ErrWeakAlgorithm = errors.New("signature: weak algorithm")
	// ErrUnsupported reports a signature format or feature not supported here
	// (X.509 signatures, SSH certificates, unknown critical subpackets).
	ErrUnsupported = errors.New("signature: unsupported signature")
	// ErrFutureSignature reports a signature created after the verification time.
	ErrFutureSignature = errors.New("signature: signature made after the verification time")
	// ErrNoTime reports a zero verification time: the time is always explicit.
	ErrNoTime = errors.New("signature: verification time not given")
	// ErrAllowedSigners reports a line of an allowed_signers file that does not
	// parse; match *AllowedSignersError for the line number.
	ErrAllowedSigners = errors.New("signature: invalid allowed_signers entry")
)

// An AllowedSignersError reports the line of an allowed_signers file that
// does not parse. It matches ErrAllowedSigners.
type AllowedSignersError struct {
	Line   int
	Reason string
}

// Error returns the line number and the reason.
func (e *AllowedSignersError) Error() string {
	return fmt.Sprintf("signature: allowed_signers line %d: %s", e.Line, e.Reason)
}

// Unwrap returns ErrAllowedSigners.
func (e *AllowedSignersError) Unwrap() error { return ErrAllowedSigners }

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
)

// An AllowedSignersError reports the line of an allowed_signers file that
// does not parse.
type AllowedSignersError struct {
	Line   int
	Reason string
}

// Error returns the line number and the reason.
func (e *AllowedSignersError) Error() string {
	return fmt.Sprintf("signature: allowed_signers line %d: %s", e.Line, e.Reason)
}

// An Error reports a signature or key refused for a reason callers do not
// branch on: a malformed signature, a weak algorithm, another namespace, a
// principal not allowed, a revoked key, ... Reason is a short lower-case
// phrase ("malformed signature", "weak algorithm", "wrong signature
// namespace", "principal not allowed", "signing key not yet valid",
// "signing key revoked", "signature expired", "unsupported signature",
// "signature made after the verification time", "verification time not
// given"); Detail says more, when there is more to say.
type Error struct {
	Reason string
	Detail string
}

// Error returns the reason and the detail.
func (e *Error) Error() string {
	if e.Detail == "" {
		return "signature: " + e.Reason
	}
	return "signature: " + e.Reason + ": " + e.Detail
}

// Is reports whether target is an *Error with the same Reason, so that
// errors.Is(err, &signature.Error{Reason: "weak algorithm"}) matches any
// detail.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Reason == e.Reason
}

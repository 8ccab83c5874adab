// Package signature is the one signing vocabulary of releasekit: a [Signer]
// and a [Verifier] that every package which signs or verifies takes (tags,
// manifests, log checkpoints, deployment events, DSSE envelopes), the
// [Identity] a verifier returns, and one set of signature errors.
//
// A [Verifier] always takes the verification time explicitly, never a date
// from the signed data, and says who signed:
//
//	signers, err := signature.ParseAllowedSigners(allowedSignersFile)
//	v := signature.NewSSHVerifier(signers, "git").WithPrincipal("bot@example.com")
//	id, err := v.Verify(ctx, message, sig, at)
//
// # Implementations
//
//   - OpenPGP: [OpenPGPSigner] ([NewOpenPGPSigner], [NewOpenPGPSignerFromEntity])
//     makes armored detached signatures (SHA-256) as `gpg -bsau` does;
//     [OpenPGPVerifier] ([NewOpenPGPVerifier]) checks them against a keyring.
//     A key must be valid both when it signed and at the verification time.
//   - SSH: [SSHSigner] ([NewSSHSigner], [ParseSSHPrivateKey]) signs in the
//     sshsig format of `ssh-keygen -Y sign`, in a namespace bound when it is
//     made, so that a signature made for one kind of document never verifies
//     as another; [SSHVerifier] checks them against an allowed_signers file
//     ([ParseAllowedSigners], [AllowedSigner]) with its namespaces=,
//     valid-after= and valid-before= restrictions.
//   - Bare keys: [KeySigner] ([NewKeySigner], [ParsePrivateKeyPEM]) signs
//     with any Ed25519, ECDSA or RSA crypto.Signer, as DSSE envelopes carry
//     signatures; [KeyVerifier] ([NewKeyVerifier], [ParsePublicKeyPEM])
//     returns an Identity naming the key id.
//
// # Errors
//
// Callers branch on [ErrBadSignature] (the signature does not match),
// [ErrUntrustedKey] (no trusted key made it), [ErrKeyExpired], [ErrInvalidKey]
// (key material that cannot be used), [ErrKeyLocked], [ErrBadPassphrase] and
// [ErrSign]. Verifiers fail closed: any signature they cannot read or whose
// key or algorithm they do not accept is an error.
//
// # Concurrency
//
// Signers and verifiers are safe for concurrent use (an SSHSigner when its
// ssh.Signer is).
package signature

// Package tagging creates, verifies, lists and pushes signed annotated
// release tags that never move, byte for byte as git writes them and checked
// the way `git verify-tag` checks them.
//
// It serves the release policy's tag rules: release tags are annotated,
// follow vMAJOR.MINOR.PATCH and reference the exact commit that was built
// (§1.12.3.3), are signed and verified before promotion (§1.12.3.4), and are
// signed, immutable references created by CI (§1.21.3.3); a release tag is
// the production release marker an auditor checks (§1.5.2 item 6).
//
// A release job signs and creates the tag on the commit it planned, then
// pushes it; a promotion job verifies it against the keys it trusts:
//
//	key, err := signature.ParseSSHPrivateKey(pemBytes, passphrase)
//	signer, err := signature.NewSSHSigner(key, tagging.GitNamespace)
//	tag, err := tagging.Create(ctx, repo, tagging.Request{
//		Name:    "v1.4.2",
//		Target:  planned, // a commit hash, never "HEAD"
//		Tagger:  tagging.Identity{Name: "Release Bot", Email: "bot@example.com", When: now},
//		Message: "Release v1.4.2",
//	}, signer, tagging.WithScheme(semver.Scheme{Prefix: "v"}))
//	err = tagging.Push(ctx, repo, "origin", "v1.4.2")
//
//	signers, err := signature.ParseAllowedSigners(allowedSignersFile)
//	res, err := tagging.Verify(ctx, repo, "v1.4.2",
//		signature.NewSSHVerifier(signers, tagging.GitNamespace).WithPrincipal("bot@example.com"), time.Now())
//
// # Sections
//
//   - Creating tags: [Create], [CreateUnsigned], [Request], [Tag], [WithScheme],
//     [WithRequiredRef]
//   - Signing: [Create] takes a signature.Signer, tags are signed in
//     [GitNamespace]
//   - Verifying: [Verify], [VerifyObject], [RepoVerifier], [NewRepoVerifier],
//     [Verification]; keys are a signature.Verifier
//   - Reading objects and names: [Parse], [Object], [ValidateName], [CleanMessage]
//   - Listing and pushing: [List], [Release], [SemverTags], [Push]
//   - Errors: [ExistsError], [RemoteExistsError], [NameError] and the ErrXxx
//     sentinels (signature errors are package signature's)
//
// # Creating tags
//
// [Create] builds the tag object itself ("object", "type", "tag", "tagger",
// a blank line, the message cleaned up as `git tag -m` does, then the
// armored signature), so the object is the one `git tag -s` writes: for an
// SSH Ed25519 key, whose signatures are deterministic, the very same bytes.
// Unsigned tags come only from [CreateUnsigned], which a caller must choose.
//
// A tag never moves. The reference is created the way git creates one:
// refs/tags/NAME.lock is opened with O_CREATE|O_EXCL, the reference is
// checked again (loose and packed-refs) under the lock, the value is written,
// fsynced and hard-linked into place (link fails if the reference exists, so
// not even a writer that ignores the lock is overwritten; git's rename is the
// fallback where links are unsupported). Of several goroutines or processes racing
// for one name exactly one creates it; a call for the same commit then
// returns the existing tag (an idempotent re-run of a half-failed job) and a
// call for another commit gets an [*ExistsError] naming both commits. The
// package has no function that moves, re-creates or deletes a tag, and
// [Push] never forces.
//
// # Signing
//
// [Create] signs with a signature.Signer, the one signing interface of
// releasekit: signature.OpenPGPSigner, or signature.SSHSigner made with
// [GitNamespace] for tags (another namespace for manifests or envelopes, so
// that a signature made for one kind of document never verifies as another).
//
// # Verifying
//
// [Verify] reads the raw object bytes (never a re-encoding, so no parser
// differential), parses them strictly ([Parse]) and fails closed: a changed
// message, tagger, name or target, or a signature taken from another object
// is signature.ErrBadSignature; an unknown key signature.ErrUntrustedKey;
// an expired OpenPGP key or allowed_signers entry signature.ErrKeyExpired;
// duplicate headers or a second signature block an *Error ("ambiguous tag object"); an unsigned
// or lightweight tag [ErrUnsigned]; the other refusals of the verifier (a
// revoked key, another SSH namespace, a principal not allowed, a weak
// algorithm) are signature errors too. [RepoVerifier] binds a repository
// and the trusted keys into the tag check manifest.Promote and audit take.
//
// The verification time is always a parameter. It is never taken from the
// tagger date, which the signer controls. An OpenPGP key must be valid both
// at that time and when it signed; an audit of an old release that passes
// the release date and gets signature.ErrKeyExpired for today learns
// "signature good, key expired since".
//
// # Concurrency
//
// Signers and verifiers are safe for concurrent use. Create, Verify, List and
// Push may run concurrently on one repository directory, from several
// goroutines (each with its own *git.Repository, as go-git asks) and from
// several processes. Slices returned are owned by the caller.
package tagging

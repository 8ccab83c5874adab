// Package bundle collects one release's audit evidence into a
// self-contained evidence bundle and verifies it offline (policy
// §1.21.3.4).
//
// # Building (§1.21.3.4)
//
// [Build] reads an [audit.Sources] and collects one release's evidence into
// a [Bundle]: the record, the tag object and its verification, SBOM,
// provenance envelope, the log from its first entry with the signed
// checkpoint (its promotions, refused attempts and deployment outcomes
// among the entries), the policy reports that allowed its promotions and
// refused its attempts, the changed-files
// manifests its deployment outcomes name, and an [Index] of SHA-256
// digests.
// The same inputs give the same bytes ([Bundle.WriteTarGz],
// [Bundle.WriteDir]).
//
// # Reading and verifying
//
// [Read] and [ReadDir] read a bundle back strictly, within the limits
// [MaxFiles], [MaxFileSize], [MaxSize] and [MaxName] (a *[FormatError]
// says why one is refused). [Verify] re-checks every digest, signature and
// the hash chain offline with the auditor's [Keys] only, never with a key
// found in the bundle, and returns a [Report] of every [Check]; each check
// is [audit.Verified] ("pass"), [audit.Failed] ("fail") or
// [audit.Recorded] ("not-checked": it could not be made, never a pass). A
// changed-files manifest is checked against the digest and summary of the
// log entry that names it (audit.VerifyChangedFiles); a bundle built before
// deployment outcomes were logged has none and still verifies.
//
// A Bundle is not safe for concurrent modification; its methods that only
// read it may run concurrently.
package bundle

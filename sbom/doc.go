// Package sbom makes, reads and binds software bills of materials
// (CycloneDX) and build provenance (SLSA v1 in in-toto statements, signed
// as DSSE envelopes) to the exact digest of a published artifact.
//
// Policy §1.20.3.5, §1.21.3.3 and §1.31.3.5 require every published
// artifact to have an SBOM and provenance tied to its exact digest,
// immutable once published and referenced by the release record. This
// package provides each piece and fails closed, with a typed error, on
// anything that does not bind.
//
// # Generating SBOMs
//
// [FromBinary] reads a built Go binary's embedded build information: the
// binary is metadata.component (with its SHA-256 and SHA-512), the Go
// version and build settings are properties, and every linked module is a
// component with its version, pkg:golang package URL and recorded sum.
// [FromModule] lists a module directory's module graph with `go list -m
// -json all`, offline, or falls back to go.mod and go.sum, and says which
// in the [PropSource] and [PropPrecision] properties; no dependency is made
// up and nothing is fetched. [ForArtifact] makes a minimal SBOM for any
// other artifact, to be completed with [Merge] from other tools' SBOMs.
//
// Documents are CycloneDX 1.6 by default ([WithSpecVersion] selects 1.5 or
// 1.7), encoded as [JSON] or [XML] by [Document.Encode]. Output is
// deterministic: components, hashes and properties are sorted, there is no
// timestamp unless [WithTimestamp] gives one, and the serial number is
// derived from the content unless [WithSerialNumber] gives one, so the same
// input yields the same bytes and the SBOM's own digest is reproducible.
//
// # Reading SBOMs from other tools
//
// [Read] reads CycloneDX 1.4 to 1.7 JSON or XML as cyclonedx-gomod, syft
// and others write it, with metadata.tools in its legacy (array) or current
// (object) form. It rejects, with [ErrTooLarge], [ErrMalformed],
// [ErrWrongFormat], [ErrUnsupportedSpecVersion] or a [*ValidationError]:
// oversized input, trailing data, duplicate JSON keys, excessive nesting,
// XML DOCTYPE and entity declarations, SPDX and the other encoding, and
// JSON that breaks the official CycloneDX JSON schema of its version (the
// schemas are embedded, Apache-2.0, see schema/README.md). [Check] binds a
// document to an artifact's digests ([ErrNoSubject], [*MismatchError]).
//
// # Attaching
//
// [Attach] returns the [Reference] a release record keeps: location, media
// type and the SHA-256 of the SBOM's bytes. [Reference.Open] refuses a
// location that could climb out of its base ([Reference.Validate],
// [ErrInvalidReference]), re-hashes, decodes and checks the subject, so a
// swapped or edited SBOM is detected ([ErrReferenceMismatch]). [BOMStatement] wraps an SBOM in an in-toto
// Statement v1 of predicate type [CycloneDXPredicate] whose subject is the
// artifact.
//
// # Provenance
//
// [ProvenanceFromCI] fills a SLSA Provenance v1 predicate from GitHub
// Actions or GitLab CI variables; [SignProvenance] makes the statement and
// signs the DSSE pre-authentication encoding (never the raw payload) with
// any signature.Signer: an OpenPGP or SSH signer, or a signature.KeySigner
// around a crypto.Signer. [VerifyProvenance] accepts an envelope only if its
// payload type is [PayloadType], a trusted signature.Verifier accepts a
// signature at the verification time, the statement's _type is exactly in-toto v1 or
// v0.1 ([StatementTypeV01], which cosign attest-blob still writes; the two
// have the same fields), the predicate is SLSA v1 (v0.2 is refused) and a
// subject is the artifact. This package writes v1 statements only.
//
// # Example
//
//	doc, err := sbom.FromBinaryFile("dist/relctl")
//	...
//	data, err := doc.Bytes(sbom.JSON)
//	ref := sbom.Attach("sbom/relctl.cdx.json", data, sbom.JSON, doc.SpecVersion())
//	art, _ := doc.Subject()
//	env, err := sbom.SignProvenance(ctx, []sbom.Subject{art}, prov, signer)
//	...
//	_, err = sbom.VerifyProvenance(ctx, env, art, at, verifier)
//
// # Concurrency and ownership
//
// Functions are safe for concurrent use. A [Document] is immutable; slices
// it returns belong to the caller. Embedded schemas are compiled once, on
// first use, and shared.
package sbom

// Package ocistore keeps release evidence on an OCI registry (OCI
// distribution specification 1.1), the system organisations already run
// for artifacts and attestations: release records, gate reports, SBOMs
// and provenance as OCI artifacts attached to the release artifact's
// digest, and the promotion log, with its RFC 6962 Merkle tree and its
// checkpoints, as artifacts of a log repository. A [Store] is a
// [manifest.Store], a [manifest.TreeLog] and a [manifest.EvidenceStore],
// beside manifest's DirStore and GitStore. It serves policy §1.13.3.2
// and §1.21.3.4 (evidence of every release and promotion, kept so that it
// cannot be altered unnoticed) and §1.22 (immutable deployment logs,
// retained for the audit period; seed 001: "immutable logs of every
// deployment — who, what, when, where").
//
//	st, err := ocistore.Open(ctx, "registry.example.com/acme/releases",
//		ocistore.WithDockerConfig("")) // credentials from ~/.docker/config.json
//	e, err := st.Append(ctx, manifest.Entry{Kind: manifest.KindNote, Note: "freeze lifted"})
//	d, err := st.Attach(ctx, ocistore.AttachRequest{Subject: imageDigest,
//		ArtifactType: ocistore.ArtifactTypeSBOM, Data: sbom})
//
// # What is where
//
// Everything lives in the one repository given to [Open]:
//
//   - A log entry is a blob: its canonical JSON, named by its digest,
//     which is the entry's [manifest.Entry.Hash] (the next entry's Prev).
//     It never changes: a changed entry is another blob.
//   - The log's head is an image manifest (artifactType [ArtifactTypeLog])
//     tagged [LogTag]. Its annotations hold the tree state (tlog.Tree: size
//     and compact range); its layers name the partial pages below and the
//     entries not yet in a full page.
//   - Pages: the entry index (each entry's digest and size) and the tree's
//     nodes (one sequence per tree level, tlog.NodeID order) are kept in
//     pages of 32 items; level k+1 of a sequence lists the digests of the
//     full pages of level k. A full page never changes; a manifest
//     ([ArtifactTypeLogSeal]) names it, and the entries it indexes, so
//     that garbage collection keeps them. An append therefore writes the
//     entry, the partial page of each sequence it changes (on average
//     two, at most one per tree level, each at most 32×40 bytes) and the
//     head: O(log N) small blobs, never the whole log; an inclusion or
//     consistency proof reads O(log N) hashes, a page at a time.
//   - A release record is an artifact ([ArtifactTypeRecord]) tagged
//     "releasekit-record-" + the hex SHA-256 of the release tag, and
//     attached to each of its artifacts that is an image of the repository.
//   - Gate evidence is a blob named by its digest, kept by an artifact
//     manifest ([ArtifactTypeEvidence]) pushed by digest.
//   - An attached artifact ([Store.Attach]) is an image manifest v1.1 with
//     artifactType and subject: [Store.Referrers], cosign, oras and
//     go-containerregistry list it through the referrers API, or through
//     the referrers tag schema ("sha256-<hex>") of a registry without it.
//   - A signed checkpoint is an artifact tagged
//     "releasekit-checkpoint-<size>", written once ([Store.PutCheckpoint]).
//
// A writer that loses a compare-and-swap leaves the blobs it pushed for
// its attempt, which no head names and garbage collection reclaims, and,
// when its attempt filled a page, that page's seal manifest.
//
// The store relies on manifests pushed by digest being kept: distribution's
// garbage collector keeps them unless told to delete untagged manifests,
// and a registry's retention policy must not remove untagged manifests
// from a log repository (the audit period of §1.22).
//
// # Compare-and-swap
//
// Tags are the only mutable state of a registry, and the OCI distribution
// specification makes a tag update last-writer-wins: two CI jobs that read
// the same head and each push a successor lose one job's entry (measured:
// 8 writers appending 32 entries at once to distribution as shipped kept
// 4). The store therefore updates every tag it owns (the log's head, a
// record, a referrers index, a checkpoint) with RFC 7232 preconditions:
// If-None-Match: * to create it, If-Match: "<digest of the manifest read>"
// to advance it, and starts again from the new state on 412 Precondition
// Failed. These are the conditional requests proposed for the
// specification in opencontainers/distribution-spec pull request #251; a
// registry that evaluates them atomically per repository and tag makes
// every append lossless, for any number of writers on any number of
// machines.
//
// A registry that ignores the preconditions would let the update through,
// so the store does not trust them blindly: before its first tag update a
// Store probes the registry once, on a probe tag it creates if need be
// (If-None-Match: *): once the tag exists, a tag update with
// If-None-Match: * and one whose If-Match cannot hold must both be
// refused with 412 (a registry that refuses If-Match only on a missing
// tag is not taken for one that enforces it). On a registry that applied
// a probe update, every write that needs a compare-and-swap fails closed
// with an [*UnsupportedError] ([ErrUnsupported]), unless the store was
// opened with [WithSingleWriterUnsafe]: the caller then promises that it
// is the only writer, and every manifest the store writes says so
// ([AnnotationWriter]). Evidence and attached artifacts with a registry
// that has the referrers API need no tag update and work everywhere.
//
// A tag update that got no answer is not sent again: a retried append could
// log its entry twice, since two identical entries are indistinguishable.
// It returns [ErrOutcomeUnknown]; read the log to know.
//
// The tests run distribution v3.1.2's registry with a repository middleware
// that enforces the preconditions (internal/testkit/registrytest); a
// production registry needs the same, as a registry feature, a middleware
// or a proxy in front of it that serialises tag updates per repository and
// tag.
//
// # Verifying
//
// [Store.Entry] and [Store.Entries] check each entry against the digest
// the index holds (a [*TamperError], wrapping manifest.ErrTampered, for an
// entry rewritten in the registry's storage); [manifest.VerifyStore]
// checks the hash chain and a checkpoint; [Store.Tree] checks the head's
// tree state against the stored nodes; tlog.InclusionProof and
// tlog.ConsistencyProof read the store as a tlog.NodeReader, so that a log
// cut back to an older head, or cut back and grown again, is caught by a
// consistency check between two checkpoints without reading its entries.
//
// # Connections
//
// Credentials come from the Docker configuration and its credential
// helpers through oras-go's credentials store ([WithDockerConfig]) or
// from the caller ([WithCredentialFunc]), never from the command line.
// Plain HTTP is used only for 127.0.0.1, ::1 and localhost, unless
// [WithPlainHTTPUnsafe]. Every call takes a context; every response is
// bounded ([MaxManifest] for a manifest, [MaxBlob] for a blob; more is
// [ErrTooLarge]) and every blob read is checked against its digest.
//
// # Errors
//
// A missing object wraps manifest.ErrNotFound; a lost compare-and-swap
// with a set Seq, or too many lost in a row, wraps manifest.ErrConflict;
// tampered content is a [*TamperError] (manifest.ErrTampered); a registry
// that lacks what is needed is an [*UnsupportedError]; any other answer of
// the registry is a [*RegistryError].
//
// # Concurrency
//
// A Store is safe for concurrent use by goroutines; any number of Stores,
// in any number of processes, may write one repository at once on a
// registry that enforces the preconditions. Slices returned are the
// caller's.
package ocistore

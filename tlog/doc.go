// Package tlog is the transparency-log half of the promotion log: the
// RFC 6962 / RFC 9162 Merkle tree over its entries, inclusion and
// consistency proofs, and checkpoints in the C2SP tlog-checkpoint format
// signed as notes (golang.org/x/mod/sumdb/note), with optional witness
// cosignatures (C2SP tlog-cosignature) — the formats of Go's checksum
// database and Rekor v2. It serves policy §1.13.3.2 and §1.21.3.4
// (evidence that cannot be altered unnoticed) and §1.22 (immutable
// deployment logs kept for the audit period, seed 001).
//
// # The tree
//
// A leaf is one log entry's bytes, hashed as [LeafHash]; interior nodes
// are [NodeHash] (github.com/transparency-dev/merkle computes both, and
// its verifier checks the proofs this package writes). A [Tree] is the
// size and the compact range of a log: what appending needs, at most 64
// hashes. [Tree.Append] reports the nodes each leaf completes, which a
// store keeps ([FileNodes], [MemNodes]) so that [InclusionProof] and
// [ConsistencyProof] read O(log N) hashes. Appending never reads the log.
//
// # Proofs
//
// [VerifyInclusion] shows that one entry is in a checkpointed log;
// [VerifyConsistency] shows that a newer checkpoint's tree extends an
// older one's, so a log cut back to an older state, or rewritten between
// two checkpoints, is caught without reading its entries. Both return an
// error wrapping [ErrProof] when the proof fails.
package tlog

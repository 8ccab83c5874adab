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
//
// # Checkpoints
//
// A [Checkpoint] is a tree's head in the C2SP tlog-checkpoint format
// (https://c2sp.org/tlog-checkpoint): the log's origin line, the decimal
// tree size, the base64 root hash and optional extension lines.
// [Checkpoint.Marshal] writes that text and [ParseCheckpoint] reads it
// back, strictly: any other shape is an error wrapping [ErrFormat].
// [SignCheckpoint] signs it as a note (golang.org/x/mod/sumdb/note, the
// format of Go's checksum database and Rekor v2) with Ed25519 keys
// ([NewSigner]; [ParseSSHKey] reads an OpenSSH or PKCS #8 key file), and
// [OpenCheckpoint] verifies one with the keys the caller trusts
// ([NewVerifier], [ParseVerifierKeys], [Ed25519Keys]). A checkpoint this
// package signs verifies with note.Open alone, given its verifier key
// ([VerifierKey]).
//
// [VerifyCheckpoints] checks that a newer checkpoint extends an older one
// with a consistency proof: a log truncated to an older state, or with an
// entry rewritten, between the two fails with an error wrapping [ErrProof].
//
// # Witnesses
//
// A [Witness] cosigns checkpoints (C2SP tlog-cosignature,
// https://c2sp.org/tlog-cosignature): [Cosign] adds its timestamped
// Ed25519 cosignature (signature type 0x04) to a checkpoint the log signed,
// only when that checkpoint's tree extends the last one the witness
// cosigned; [VerifyCosignature] checks one. Checkpoints cosigned by
// witnesses the log does not control show that a second party saw the same
// tree: a log cannot show one history to an auditor and another to
// everyone else.
//
// A log signs with one key named after its origin:
//
//	key, _ := tlog.ParseSSHKey(pemBytes, nil) // ssh-keygen -t ed25519
//	s, _ := tlog.NewSigner("example.com/log", key)
//	msg, _ := tlog.SignCheckpoint(tlog.Checkpoint{Origin: "example.com/log", Size: tree.Size, Root: root}, s)
//
// and an auditor who was given the log's verifier key opens it:
//
//	known, _ := tlog.ParseVerifierKeys(vkeyFile)
//	cp, _, err := tlog.OpenCheckpoint(msg, known)
//
// # Errors
//
// Signed notes that do not verify are [*SignatureError]s wrapping
// [ErrUnknownKey] or [ErrBadSignature] and the note package's own error;
// malformed text is a [*CheckpointError] wrapping [ErrFormat]; unusable keys
// a [*KeyError] wrapping [ErrKey]; checkpoints that do not extend each
// other a [*ConsistencyError] wrapping [ErrProof]. Nothing here panics on
// any input.
//
// # Concurrency
//
// Functions are safe for concurrent use; a [Witness] and the signers and
// verifiers this package returns are immutable. Slices passed in are not
// kept; slices returned are the caller's.
package tlog

package tlog

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// A Witness is a cosigner of checkpoints (C2SP tlog-cosignature,
// https://c2sp.org/tlog-cosignature): an Ed25519 key and its name. With
// [Cosign] it adds to a log's signed checkpoint a timestamped cosignature
// (signature type 0x04), its statement that, as of that time, this is the
// largest tree of the log it has seen and that the tree extends every
// tree of the log it saw before. A Witness is safe for concurrent use; the
// state it cosigns against (the last checkpoint it cosigned) is the
// caller's, passed in each [CosignRequest].
type Witness struct {
	name string
	key  ed25519.PrivateKey
	hash uint32
}

// NewWitness returns the witness of the Ed25519 private key key, named
// name (by the format's advice a schema-less URL). It returns a
// [*KeyError] for a key that is not 64 bytes or a name the note format
// refuses. A cosigner that makes different statements uses a different
// key for each: the cosigned message does not name the cosigner.
func NewWitness(name string, key ed25519.PrivateKey) (*Witness, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if len(key) != ed25519.PrivateKeySize {
		return nil, &KeyError{Reason: fmt.Sprintf("Ed25519 private key of %d bytes", len(key))}
	}
	pub := key.Public().(ed25519.PublicKey)
	return &Witness{name: name, key: key, hash: keyID(name, algCosignature, pub)}, nil
}

// Name returns the witness's key name.
func (w *Witness) Name() string { return w.name }

// KeyHash returns the witness's key ID: the first four bytes of
// SHA-256(name || "\n" || 0x04 || public key).
func (w *Witness) KeyHash() uint32 { return w.hash }

// VerifierKey returns the witness's verifier key,
// "name+hash+base64(0x04||public key)", which [ParseVerifierKey] reads.
func (w *Witness) VerifierKey() string {
	return vkey(w.name, algCosignature, w.key.Public().(ed25519.PublicKey))
}

// Verifier returns the verifier of the witness's cosignatures, for
// [VerifyCosignature] (or note.Open).
func (w *Witness) Verifier() note.Verifier {
	return &cosignatureVerifier{name: w.name, hash: w.hash, key: w.key.Public().(ed25519.PublicKey)}
}

// NewCosignatureVerifier returns the verifier of the cosignatures of the
// witness whose Ed25519 public key is key, named name. It returns a
// [*KeyError] for a key that is not 32 bytes or a name the note format
// refuses.
func NewCosignatureVerifier(name string, key ed25519.PublicKey) (note.Verifier, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if len(key) != ed25519.PublicKeySize {
		return nil, &KeyError{Reason: fmt.Sprintf("Ed25519 public key of %d bytes", len(key))}
	}
	return &cosignatureVerifier{name: name, hash: keyID(name, algCosignature, key), key: key}, nil
}

// cosignatureLen is the length of a cosignature after the key ID: the
// 8-byte timestamp and the Ed25519 signature.
const cosignatureLen = 8 + ed25519.SignatureSize

// cosignedMessage is what a cosignature signs: "cosignature/v1\n", "time
// T\n" and the checkpoint's note text.
func cosignedMessage(t uint64, text []byte) []byte {
	m := make([]byte, 0, 32+len(text))
	m = append(m, "cosignature/v1\ntime "...)
	m = strconv.AppendUint(m, t, 10)
	m = append(m, '\n')
	return append(m, text...)
}

// cosignatureVerifier verifies timestamped Ed25519 cosignatures.
type cosignatureVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func (v *cosignatureVerifier) Name() string    { return v.name }
func (v *cosignatureVerifier) KeyHash() uint32 { return v.hash }

// Verify reports whether sig (timestamp || Ed25519 signature) is the
// witness's cosignature of the checkpoint text msg.
func (v *cosignatureVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != cosignatureLen {
		return false
	}
	t := binary.BigEndian.Uint64(sig)
	if t > math.MaxInt64 {
		return false
	}
	if _, err := ParseCheckpoint(msg); err != nil {
		return false
	}
	return ed25519.Verify(v.key, cosignedMessage(t, msg), sig[8:])
}

// A CosignRequest is what a [Witness] checks before it cosigns a
// checkpoint: who signed it, and that its tree extends the last one the
// witness cosigned for the same origin.
type CosignRequest struct {
	// Log holds the log's keys: the checkpoint must carry a good
	// signature by one ([OpenCheckpoint]).
	Log note.Verifiers
	// Previous is the last checkpoint of this origin the witness
	// cosigned; the zero Checkpoint when it has cosigned none (the first
	// checkpoint it sees is trusted on first use).
	Previous Checkpoint
	// Proof is the consistency proof from Previous's tree to the
	// checkpoint's ([ConsistencyProof]); empty when Previous is zero or
	// of the same size.
	Proof []Hash
	// Time is the cosignature's timestamp, whole seconds since the Unix
	// epoch; it must not be before the epoch.
	Time time.Time
}

// Cosign returns the signed checkpoint msg with w's cosignature added as
// its last signature line, and the checkpoint it cosigned (the witness's
// next req.Previous). Other signature lines are kept as they are, but an
// older cosignature by w is replaced. It cosigns only a checkpoint that
// req.Log's keys signed ([OpenCheckpoint] errors) and whose tree extends
// req.Previous by req.Proof ([VerifyCheckpoints] errors, wrapping
// [ErrProof]); a req.Time before the epoch is an error.
func Cosign(msg []byte, w *Witness, req CosignRequest) ([]byte, Checkpoint, error) {
	if w == nil {
		return nil, Checkpoint{}, errors.New("tlog: cosign: no witness")
	}
	if req.Time.Before(time.Unix(0, 0)) {
		return nil, Checkpoint{}, fmt.Errorf("tlog: cosign: time %s is before the Unix epoch", req.Time.UTC().Format(time.RFC3339))
	}
	c, _, err := OpenCheckpoint(msg, req.Log)
	if err != nil {
		return nil, Checkpoint{}, err
	}
	if req.Previous.Origin != "" {
		if err := VerifyCheckpoints(req.Previous, c, req.Proof); err != nil {
			return nil, Checkpoint{}, err
		}
	}
	text, sigs, err := splitNote(msg)
	if err != nil {
		return nil, Checkpoint{}, err
	}
	t := uint64(req.Time.Unix())
	sig := binary.BigEndian.AppendUint64(nil, t)
	sig = append(sig, ed25519.Sign(w.key, cosignedMessage(t, []byte(text)))...)
	var b strings.Builder
	b.WriteString(text)
	b.WriteByte('\n')
	for _, s := range sigs {
		if s.name == w.name && s.hash == w.hash {
			continue
		}
		b.WriteString(s.line)
		b.WriteByte('\n')
	}
	line := binary.BigEndian.AppendUint32(nil, w.hash)
	line = append(line, sig...)
	b.WriteString("— " + w.name + " " + base64.StdEncoding.EncodeToString(line) + "\n")
	return []byte(b.String()), c, nil
}

// VerifyCosignature checks that the signed checkpoint msg carries a good
// cosignature by the witness whose verifier is witness ([Witness.Verifier],
// [NewCosignatureVerifier], or a 0x04 key of [ParseVerifierKey]), and
// returns the checkpoint and the time the witness cosigned it. It does not
// check the log's own signature: that is [OpenCheckpoint]'s.
//
// It returns a [*SignatureError] wrapping [ErrUnknownKey] when witness did
// not cosign msg, [ErrBadSignature] when its cosignature does not verify;
// a [*CheckpointError] wrapping [ErrFormat] when msg is not a signed
// checkpoint.
func VerifyCosignature(msg []byte, witness note.Verifier) (Checkpoint, time.Time, error) {
	n, err := openNote(msg, note.VerifierList(witness))
	if err != nil {
		return Checkpoint{}, time.Time{}, err
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return Checkpoint{}, time.Time{}, err
	}
	for _, s := range n.Sigs {
		raw, err := base64.StdEncoding.DecodeString(s.Base64)
		if err != nil || len(raw) != 4+cosignatureLen {
			return Checkpoint{}, time.Time{}, &SignatureError{Name: s.Name, KeyHash: s.Hash, Err: ErrBadSignature}
		}
		return c, time.Unix(int64(binary.BigEndian.Uint64(raw[4:])), 0).UTC(), nil
	}
	return Checkpoint{}, time.Time{}, &SignatureError{Name: witness.Name(), KeyHash: witness.KeyHash(), Err: ErrUnknownKey}
}

// VerifyCheckpoints checks that the tree of newer extends the tree of
// older, given the consistency proof between them ([ConsistencyProof] of
// the sizes, from the log): a log cut back to an older state, or with an
// entry rewritten, between the two checkpoints fails. It returns a
// [*ConsistencyError] wrapping [ErrProof] when the origins differ, newer's
// tree is smaller (the log was truncated), the trees are of one size but
// different roots, or the proof does not verify.
func VerifyCheckpoints(older, newer Checkpoint, proof []Hash) error {
	switch {
	case older.Origin != newer.Origin:
		return &ConsistencyError{Reason: fmt.Sprintf("origins differ: %q and %q", bound(older.Origin), bound(newer.Origin))}
	case newer.Size < older.Size:
		return &ConsistencyError{Reason: fmt.Sprintf("tree shrank from %d to %d leaves (truncated)", older.Size, newer.Size)}
	case older.Size == 0 && older.Root != EmptyRoot:
		return &ConsistencyError{Reason: "tree of size 0 with a root other than the empty tree's"}
	case newer.Size == older.Size && newer.Root != older.Root:
		return &ConsistencyError{Reason: fmt.Sprintf("two roots for the tree of %d leaves (rewritten)", older.Size)}
	}
	if err := VerifyConsistency(older.Size, newer.Size, proof, older.Root, newer.Root); err != nil {
		return &ConsistencyError{Reason: fmt.Sprintf("tree of %d leaves does not extend the tree of %d (rewritten)", newer.Size, older.Size), Err: err}
	}
	return nil
}

// A ConsistencyError says why a checkpoint does not extend another. It
// wraps [ErrProof].
type ConsistencyError struct {
	Reason string // a short lower-case phrase
	Err    error  // the proof's error, if any
}

func (e *ConsistencyError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("tlog: checkpoints: %s: %v", e.Reason, e.Err)
	}
	return "tlog: checkpoints: " + e.Reason
}

// Unwrap returns [ErrProof] (and the proof's error, which wraps it too).
func (e *ConsistencyError) Unwrap() error {
	if e.Err != nil {
		return e.Err
	}
	return ErrProof
}

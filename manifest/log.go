package manifest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/releasekit/releasekit/signature"
)

// Errors about the append-only log.
var (
	// ErrTampered is wrapped by the *ChainError [VerifyLog] returns when an
	// entry was edited, removed, reordered or inserted.
	ErrTampered = errors.New("manifest: log tampered")
	// ErrTruncated is returned (wrapped) by [VerifyLog] when the log is
	// shorter than, or does not contain, the checkpoint it is checked against.
	ErrTruncated = errors.New("manifest: log truncated")
)

// Kinds of log entries.
const (
	KindPromotion    = "promotion"     // a Promotion (also a rollback)
	KindNote         = "note"          // a free-form audit note
	KindDeployResult = "deploy-result" // a DeployResult reported by a deploy agent
)

// An Entry is one element of the append-only promotion and audit log. Each
// entry carries the hash of the one before it (Prev), so that an edit,
// removal, reordering or insertion breaks the chain; see [VerifyLog].
type Entry struct {
	Seq       uint64        `json:"seq"`                  // 1 for the first entry
	Prev      string        `json:"prev"`                 // Hash of entry Seq-1; "" for the first
	Kind      string        `json:"kind"`                 // KindPromotion, KindDenied, KindDeployment, KindDeployResult, KindIncident, KindReview, KindVerification, KindChange or KindNote
	Promotion *Promotion    `json:"promotion,omitempty"`  // for KindPromotion
	Note      string        `json:"note,omitempty"`       // for KindNote
	Result    *DeployResult `json:"result,omitempty"`     // for KindDeployResult
	Denial    *Denial       `json:"denial,omitempty"`     // for KindDenied
	Deploy    *Deployment   `json:"deployment,omitempty"` // for KindDeployment
	Incident  *Incident     `json:"incident,omitempty"`   // for KindIncident
	Review    *Review       `json:"review,omitempty"`     // for KindReview
	// Verification is for KindVerification.
	Verification *Verification `json:"verification,omitempty"`
	// Change is for KindChange.
	Change *Change `json:"change,omitempty"`
}

// Hash returns the entry's identity: the SHA-256 digest of its canonical
// JSON ([MarshalEntry]).
func (e Entry) Hash() (string, error) {
	b, err := MarshalEntry(e)
	if err != nil {
		return "", fmt.Errorf("hash log entry %d: %w", e.Seq, err)
	}
	return Digest(b), nil
}

// MarshalEntry returns e's canonical JSON, the form stores write and Hash
// digests.
func MarshalEntry(e Entry) ([]byte, error) {
	return canonical(e)
}

// ParseEntry decodes one log entry strictly; its errors are a *[FormatError]
// "invalid log entry".
// The manifest of a manifest promotion must hash to the promotion's digest.
// A [KindDenied] entry must hold a Denial with a refusal and a
// [KindDeployment] entry a Deployment with a known result (and neither
// may appear in another kind), and the digests they name must be digests.
// Entries written before these kinds existed parse and hash as they did.
func ParseEntry(data []byte) (Entry, error) {
	var e Entry
	if err := decodeStrict(data, &e); err != nil {
		return Entry{}, malformed("invalid log entry", err, "")
	}
	return checkEntry(e)
}

// checkEntry makes ParseEntry's checks of a decoded entry.
func checkEntry(e Entry) (Entry, error) {
	if e.Seq == 0 {
		return Entry{}, malformed("invalid log entry", nil, "seq 0")
	}
	if e.Prev != "" {
		if err := ValidateDigest(e.Prev); err != nil {
			return Entry{}, malformed("invalid log entry", err, "prev")
		}
	}
	if p := e.Promotion; p != nil && p.Gate != "" {
		if err := ValidateDigest(p.Gate); err != nil {
			return Entry{}, malformed("invalid log entry", err, "gate")
		}
	}
	if p := e.Promotion; p != nil && p.Manifest != nil {
		if d, err := p.Manifest.Digest(); err != nil || d != p.Digest {
			return Entry{}, malformed("invalid log entry", nil, "promoted manifest does not hash to %s", p.Digest)
		}
	}
	if err := checkAttempt(e); err != nil {
		return Entry{}, err
	}
	return e, nil
}

// checkAttempt checks the entries of every attempt: a KindDenied entry
// holds a Denial with a refusal, a KindDeployment entry a Deployment with a
// known result, each only in its own kind, and the digests they name
// (evidence, the promoted artifact, the changed files) are digests.
func checkAttempt(e Entry) error {
	if (e.Kind == KindDenied) != (e.Denial != nil) {
		return malformed("invalid log entry", nil, "kind %q with denial %t", e.Kind, e.Denial != nil)
	}
	if (e.Kind == KindDeployment) != (e.Deploy != nil) {
		return malformed("invalid log entry", nil, "kind %q with deployment %t", e.Kind, e.Deploy != nil)
	}
	if (e.Kind == KindIncident) != (e.Incident != nil) {
		return malformed("invalid log entry", nil, "kind %q with incident %t", e.Kind, e.Incident != nil)
	}
	if (e.Kind == KindReview) != (e.Review != nil) {
		return malformed("invalid log entry", nil, "kind %q with review %t", e.Kind, e.Review != nil)
	}
	if (e.Kind == KindVerification) != (e.Verification != nil) {
		return malformed("invalid log entry", nil, "kind %q with verification %t", e.Kind, e.Verification != nil)
	}
	if (e.Kind == KindChange) != (e.Change != nil) {
		return malformed("invalid log entry", nil, "kind %q with change %t", e.Kind, e.Change != nil)
	}
	if c := e.Change; c != nil {
		if err := c.Check(); err != nil {
			return malformed("invalid log entry", err, "change")
		}
	}
	if v := e.Verification; v != nil {
		if len(v.Checks) == 0 {
			return malformed("invalid log entry", nil, "verification without checks")
		}
		if err := ValidateDigest(v.Digest); err != nil {
			return malformed("invalid log entry", err, "verification digest")
		}
	}
	if d := e.Denial; d != nil {
		if invisible(d.Refusal) {
			return malformed("invalid log entry", nil, "denial without a refusal")
		}
		if d.Gate != "" {
			if err := ValidateDigest(d.Gate); err != nil {
				return malformed("invalid log entry", err, "denial gate")
			}
		}
	}
	if d := e.Deploy; d != nil {
		if !knownResult(d.Result) {
			return malformed("invalid log entry", nil, "deployment result %q", d.Result)
		}
		if d.Digest != "" {
			if err := ValidateDigest(d.Digest); err != nil {
				return malformed("invalid log entry", err, "deployment digest")
			}
		}
		if d.Changes != nil {
			if err := ValidateDigest(d.Changes.Digest); err != nil {
				return malformed("invalid log entry", err, "deployment changes")
			}
		}
	}
	return nil
}

// A ChainError reports where a log's hash chain breaks.
type ChainError struct {
	Index  int    // position in the slice checked (0-based)
	Seq    uint64 // the entry's Seq
	Reason string
}

// Error describes where the chain breaks.
func (e *ChainError) Error() string {
	return fmt.Sprintf("manifest: log tampered at entry %d (seq %d): %s", e.Index, e.Seq, e.Reason)
}

// Unwrap returns [ErrTampered].
func (e *ChainError) Unwrap() error { return ErrTampered }

// A Checkpoint commits to a log's length and head. Signed and kept apart
// from the log, it lets [VerifyLog] detect truncation and an edited last
// entry, which a hash chain alone cannot.
type Checkpoint struct {
	Count uint64 `json:"count"`
	Head  string `json:"head"` // Hash of entry Count; "" when Count is 0
}

// NewCheckpoint returns the checkpoint of entries, which should verify.
func NewCheckpoint(entries []Entry) (Checkpoint, error) {
	if len(entries) == 0 {
		return Checkpoint{}, nil
	}
	last := entries[len(entries)-1]
	h, err := last.Hash()
	if err != nil {
		return Checkpoint{}, err
	}
	return Checkpoint{Count: last.Seq, Head: h}, nil
}

// VerifyLog checks that entries form one unbroken chain: Seq runs 1, 2, 3…
// and each Prev is the Hash of the entry before. Given a checkpoint cp it
// also checks that the log holds at least cp.Count entries and that entry
// cp.Count hashes to cp.Head, so a truncated log, or a rewritten log that
// ends differently, is detected. It returns a *ChainError (wrapping
// [ErrTampered]) or an error wrapping [ErrTruncated].
func VerifyLog(entries []Entry, cp *Checkpoint) error {
	prev := ""
	for i, e := range entries {
		if e.Seq != uint64(i)+1 {
			return &ChainError{Index: i, Seq: e.Seq, Reason: fmt.Sprintf("seq %d, want %d (entry removed, reordered or inserted)", e.Seq, i+1)}
		}
		if e.Prev != prev {
			return &ChainError{Index: i, Seq: e.Seq, Reason: "prev does not match the hash of the entry before (entry edited, removed, reordered or inserted)"}
		}
		h, err := e.Hash()
		if err != nil {
			return &ChainError{Index: i, Seq: e.Seq, Reason: err.Error()}
		}
		prev = h
	}
	if cp == nil {
		return nil
	}
	if uint64(len(entries)) < cp.Count {
		return fmt.Errorf("%w: %d entries, checkpoint has %d", ErrTruncated, len(entries), cp.Count)
	}
	if cp.Count == 0 {
		return nil
	}
	if got, err := entries[cp.Count-1].Hash(); err != nil || got != cp.Head {
		return &ChainError{Index: int(cp.Count - 1), Seq: cp.Count, Reason: "does not match the checkpoint head"}
	}
	return nil
}

// MarshalCheckpoint returns cp's canonical JSON, the bytes that are signed.
func MarshalCheckpoint(cp Checkpoint) ([]byte, error) {
	return canonical(struct {
		Type string `json:"type"`
		Checkpoint
	}{"releasekit-log-checkpoint", cp})
}

// SignCheckpoint returns the canonical JSON of cp and s's detached
// signature over it.
func SignCheckpoint(ctx context.Context, cp Checkpoint, s signature.Signer) (data, sig []byte, err error) {
	data, err = MarshalCheckpoint(cp)
	if err != nil {
		return nil, nil, err
	}
	sig, err = s.Sign(ctx, bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	return data, sig, nil
}

// OpenCheckpoint parses a checkpoint written by [SignCheckpoint] and
// verifies its signature with v at time at. It returns an error wrapping
// signature.ErrBadSignature if the signature does not verify.
func OpenCheckpoint(ctx context.Context, data, sig []byte, v signature.Verifier, at time.Time) (Checkpoint, error) {
	var w struct {
		Type  string `json:"type"`
		Count uint64 `json:"count"`
		Head  string `json:"head"`
	}
	if err := decodeStrict(data, &w); err != nil || w.Type != "releasekit-log-checkpoint" {
		return Checkpoint{}, fmt.Errorf("manifest: invalid checkpoint: %v", err)
	}
	cp := Checkpoint{Count: w.Count, Head: w.Head}
	if canon, _ := MarshalCheckpoint(cp); !bytes.Equal(canon, data) {
		return Checkpoint{}, errors.New("manifest: invalid checkpoint: not in canonical form")
	}
	if _, err := v.Verify(ctx, data, sig, at); err != nil {
		return Checkpoint{}, badSignature(err)
	}
	return cp, nil
}

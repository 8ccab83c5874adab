package manifest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/releasekit/releasekit/internal/atomicfile"
	"github.com/releasekit/releasekit/signature"
)

// EventVersion is the version of the deployment event's JSON form.
const EventVersion = 1

// Errors about deployment events.
var (
	// ErrEventExpired is returned (wrapped) by OpenEvent for an event past
	// its expiry: an agent must not act on a stale instruction.
	ErrEventExpired = errors.New("manifest: deployment event expired")
)

// An Event is the minimal instruction a promotion sends to a deploy agent
// ("A Better Deployments Pattern"): deploy Digest of Release to Env, as
// approved by Approver, before Expires. Record is the digest of the release
// record's JSON and Entry the hash of the promotion's log entry, so the
// agent's result can point back to both.
type Event struct {
	Version  int       `json:"version"`
	Release  string    `json:"release"`
	Env      string    `json:"env"`
	Digest   string    `json:"digest"`
	Approver string    `json:"approver"`
	Record   string    `json:"record"`
	Entry    string    `json:"entry"`
	Expires  time.Time `json:"expires"`
}

// A SignedEvent is an event's canonical JSON and a detached signature over
// exactly those bytes.
type SignedEvent struct {
	Payload   []byte `json:"payload"`
	Signature []byte `json:"signature"`
}

// NewEvent returns the event for the promotion logged as e, of release
// record rec, expiring at expires.
func NewEvent(e Entry, rec Record, expires time.Time) (Event, error) {
	if e.Kind != KindPromotion || e.Promotion == nil {
		return Event{}, malformed("invalid deployment event", nil, "entry %d is not a promotion", e.Seq)
	}
	recJSON, err := MarshalRecord(rec)
	if err != nil {
		return Event{}, err
	}
	h, err := e.Hash()
	if err != nil {
		return Event{}, err
	}
	p := e.Promotion
	return Event{Version: EventVersion, Release: p.Release, Env: p.Env, Digest: p.Digest, Approver: p.Approver,
		Record: Digest(recJSON), Entry: h, Expires: expires.UTC()}, nil
}

// SignEvent signs ev's canonical JSON with s. Use an SSH signer built with
// [Namespace].
func SignEvent(ctx context.Context, ev Event, s signature.Signer) (SignedEvent, error) {
	ev.Version = EventVersion
	payload, err := canonical(ev)
	if err != nil {
		return SignedEvent{}, malformed("invalid deployment event", err, "")
	}
	sig, err := s.Sign(ctx, bytes.NewReader(payload))
	if err != nil {
		return SignedEvent{}, fmt.Errorf("sign event: %w", err)
	}
	return SignedEvent{Payload: payload, Signature: sig}, nil
}

// OpenEvent verifies se with v at time at, offline, and returns the event.
// It returns an error wrapping signature.ErrBadSignature if the signature does not
// verify, a *[FormatError] "invalid deployment event" for a malformed or non-canonical payload, and
// [ErrEventExpired] if at is not before the event's expiry.
func OpenEvent(ctx context.Context, se SignedEvent, v signature.Verifier, at time.Time) (Event, error) {
	if _, err := v.Verify(ctx, se.Payload, se.Signature, at); err != nil {
		return Event{}, badSignature(err)
	}
	var ev Event
	if err := decodeStrict(se.Payload, &ev); err != nil {
		return Event{}, malformed("invalid deployment event", err, "")
	}
	if canon, err := canonical(ev); err != nil || !bytes.Equal(canon, se.Payload) || ev.Version != EventVersion {
		return Event{}, malformed("invalid deployment event", nil, "not a canonical version %d event", EventVersion)
	}
	if err := ValidateDigest(ev.Digest); err != nil {
		return Event{}, malformed("invalid deployment event", err, "")
	}
	if !at.Before(ev.Expires) {
		return Event{}, fmt.Errorf("%w: %s to %s expired at %s", ErrEventExpired, ev.Release, ev.Env, ev.Expires.Format(time.RFC3339))
	}
	return ev, nil
}

// A DeployResult is what a deploy agent reports after acting on an event;
// [RecordResult] appends it to the log as its own entry.
type DeployResult struct {
	Event     string    `json:"event"` // Digest of the SignedEvent payload acted on
	Release   string    `json:"release"`
	Env       string    `json:"env"`
	Digest    string    `json:"digest"`
	Agent     string    `json:"agent"`
	Succeeded bool      `json:"succeeded"`
	Changed   string    `json:"changed"` // what changed (or why it failed)
	At        time.Time `json:"at"`
}

// RecordResult appends the agent's result to st's log as a KindDeployResult
// entry.
func RecordResult(ctx context.Context, st Log, r DeployResult) (Entry, error) {
	if err := ValidateDigest(r.Event); err != nil {
		return Entry{}, fmt.Errorf("record deploy result: event: %w", err)
	}
	rr := r
	return st.Append(ctx, Entry{Kind: KindDeployResult, Result: &rr})
}

// A DirTransport carries signed events through a directory (a mounted
// bucket, a shared volume): Publish writes one file per event atomically;
// an agent lists Pending events and Acks those it handled. Other transports
// (object storage, a queue) implement the same methods.
// A DirTransport is safe for concurrent use.
type DirTransport struct {
	dir string
}

// NewDirTransport returns a transport in dir, creating it.
func NewDirTransport(dir string) (*DirTransport, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open event directory: %w", err)
	}
	return &DirTransport{dir: dir}, nil
}

// eventName is the file name of an event: its payload digest.
func eventName(se SignedEvent) string {
	return strings.TrimPrefix(Digest(se.Payload), "sha256:") + ".event.json"
}

// Publish writes se to the directory.
func (d *DirTransport) Publish(ctx context.Context, se SignedEvent) error {
	b, err := json.Marshal(se)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(d.dir, eventName(se), b); err != nil {
		return fmt.Errorf("publish event: %w", err)
	}
	return nil
}

// Pending returns the events not yet acknowledged, in name order. A file
// that does not decode is a *[FormatError] "invalid deployment event"; signatures
// are checked by [OpenEvent], not here.
func (d *DirTransport) Pending(ctx context.Context) ([]SignedEvent, error) {
	des, err := os.ReadDir(d.dir)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	var out []SignedEvent
	for _, de := range des {
		if !strings.HasSuffix(de.Name(), ".event.json") {
			continue
		}
		b, err := readStored(filepath.Join(d.dir, de.Name()))
		if err != nil {
			return nil, fmt.Errorf("read event: %w", err)
		}
		var se SignedEvent
		if err := decodeStrict(b, &se); err != nil {
			return nil, malformed("invalid deployment event", err, "%s", de.Name())
		}
		out = append(out, se)
	}
	slices.SortFunc(out, func(a, b SignedEvent) int { return strings.Compare(eventName(a), eventName(b)) })
	return out, nil
}

// Ack removes se from the pending events.
func (d *DirTransport) Ack(ctx context.Context, se SignedEvent) error {
	err := os.Remove(filepath.Join(d.dir, eventName(se)))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("ack event: %w", err)
	}
	return nil
}

package sbom

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/releasekit/releasekit/signature"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"

	"github.com/releasekit/releasekit/internal/strictjson"
)

// envelope is a DSSE envelope, read strictly (see OpenEnvelope).
type envelope struct {
	PayloadType string           `json:"payloadType"`
	Payload     string           `json:"payload"`
	Signatures  []dsse.Signature `json:"signatures"`
}

// SignEnvelope returns a DSSE envelope (JSON) of payload with payload type
// payloadType, signed by each signer over the DSSE pre-authentication
// encoding (PAE) of the type and the payload, never the raw payload. It
// returns signature.ErrSign when there is no signer or one fails or returns nothing,
// and ctx's error.
func SignEnvelope(ctx context.Context, payloadType string, payload []byte, signers ...signature.Signer) ([]byte, error) {
	if len(signers) == 0 {
		return nil, fmt.Errorf("sign envelope: %w: no signer", signature.ErrSign)
	}
	pae := dsse.PAE(payloadType, payload)
	env := envelope{PayloadType: payloadType, Payload: base64.StdEncoding.EncodeToString(payload)}
	for _, s := range signers {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("sign envelope: %w", err)
		}
		sig, err := s.Sign(ctx, bytes.NewReader(pae))
		if err != nil {
			return nil, fmt.Errorf("sign envelope: %w: %w", signature.ErrSign, err)
		}
		if len(sig) == 0 {
			return nil, fmt.Errorf("sign envelope: %w: empty signature", signature.ErrSign)
		}
		var keyID string
		if k, ok := s.(interface{ KeyID() string }); ok {
			keyID = k.KeyID()
		}
		env.Signatures = append(env.Signatures, dsse.Signature{KeyID: keyID, Sig: base64.StdEncoding.EncodeToString(sig)})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(env); err != nil {
		return nil, fmt.Errorf("sign envelope: %w", err)
	}
	return buf.Bytes(), nil
}

// maxEnvelope is the largest envelope OpenEnvelope reads.
const maxEnvelope = 64 << 20

// OpenEnvelope parses a DSSE envelope strictly (one JSON object, no unknown
// or duplicate fields, field names spelled exactly, standard or URL-safe
// base64, at least one
// signature, none of them empty or badly encoded), checks that its payload
// type is payloadType, and verifies the signatures over the PAE encoding:
// it returns the payload when at least one signature is accepted by one of
// the verifiers. Other signatures that no verifier accepts (from keys the
// caller does not trust, or replayed from another envelope) neither help
// nor hurt: the policy is "one trusted valid signature, none malformed". It returns
// an *Error ("malformed DSSE envelope", "unexpected DSSE payload type"),
// signature.ErrBadSignature (also
// when no verifier is given) and ctx's error; it fails closed on any change
// to the type, the payload or a signature. The verifiers check the
// signatures at time at.
func OpenEnvelope(ctx context.Context, data []byte, payloadType string, at time.Time, verifiers ...signature.Verifier) ([]byte, error) {
	payload, sigs, err := decodeEnvelope(data, payloadType)
	if err != nil {
		return nil, err
	}
	pae := dsse.PAE(payloadType, payload)
	var last error
	for _, sig := range sigs {
		for _, v := range verifiers {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("open envelope: %w", err)
			}
			if _, err := v.Verify(ctx, pae, sig, at); err == nil {
				return payload, nil
			} else {
				last = err
			}
		}
	}
	if last != nil {
		return nil, fmt.Errorf("open envelope: %w: %v", signature.ErrBadSignature, last)
	}
	return nil, fmt.Errorf("open envelope: %w: no verifier", signature.ErrBadSignature)
}

// decodeEnvelope parses a DSSE envelope strictly, checks its payload type
// and decodes every signature, without verifying any of them.
func decodeEnvelope(data []byte, payloadType string) (payload []byte, sigs [][]byte, err error) {
	payload, env, err := parseEnvelope(data)
	if err != nil {
		return nil, nil, fmt.Errorf("open envelope: %w", err)
	}
	if env.PayloadType != payloadType {
		return nil, nil, fmt.Errorf("open envelope: %w: %q, want %q", &Error{Reason: "unexpected DSSE payload type"}, env.PayloadType, payloadType)
	}
	// Every signature is decoded before any is verified, so that a
	// malformed one is refused wherever it stands in the list.
	sigs = make([][]byte, 0, len(env.Signatures))
	for _, s := range env.Signatures {
		sig, err := b64(s.Sig)
		if err != nil || len(sig) == 0 {
			return nil, nil, fmt.Errorf("open envelope: %w: bad signature encoding", &Error{Reason: "malformed DSSE envelope"})
		}
		sigs = append(sigs, sig)
	}
	return payload, sigs, nil
}

func parseEnvelope(data []byte) ([]byte, envelope, error) {
	var env envelope
	if len(data) > maxEnvelope {
		return nil, env, fmt.Errorf("%w: over %d bytes", &Error{Reason: "malformed DSSE envelope"}, maxEnvelope)
	}
	if err := strictJSON(data, 8); err != nil {
		return nil, env, fmt.Errorf("%w: %w", &Error{Reason: "malformed DSSE envelope"}, err)
	}
	if err := strictjson.Unmarshal(data, &env, strictjson.Options{MaxDepth: 8}); err != nil {
		return nil, env, fmt.Errorf("%w: %v", &Error{Reason: "malformed DSSE envelope"}, err)
	}
	if err := exactKeys(data, &env); err != nil {
		return nil, env, fmt.Errorf("%w: %w", &Error{Reason: "malformed DSSE envelope"}, err)
	}
	if env.PayloadType == "" {
		return nil, env, fmt.Errorf("%w: no payloadType", &Error{Reason: "malformed DSSE envelope"})
	}
	if len(env.Signatures) == 0 {
		return nil, env, fmt.Errorf("%w: no signatures", &Error{Reason: "malformed DSSE envelope"})
	}
	payload, err := b64(env.Payload)
	if err != nil {
		return nil, env, fmt.Errorf("%w: payload: %v", &Error{Reason: "malformed DSSE envelope"}, err)
	}
	return payload, env, nil
}

func b64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.URLEncoding.DecodeString(s)
	}
	return b, err
}

package sbom_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
)

// TestEnvelopeSignatureOrder: a malformed signature is refused wherever it
// stands, not only before the good one.
func TestEnvelopeSignatureOrder(t *testing.T) {
	s := newEdSigner(1)
	env, err := sbom.SignEnvelope(context.Background(), sbom.PayloadType, []byte(`{}`), s)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(env, &m))
	good := m["signatures"].([]any)[0]
	bad := map[string]any{"keyid": "", "sig": "!!!"}
	for name, sigs := range map[string][]any{"bad first": {bad, good}, "bad last": {good, bad}} {
		m["signatures"] = sigs
		b, _ := json.Marshal(m)
		_, err := sbom.OpenEnvelope(context.Background(), b, sbom.PayloadType, verifyAt, s.verifier())
		assert.ErrorIs(t, err, &sbom.Error{Reason: "malformed DSSE envelope"}, name)
	}
}

// TestEnvelopeReplayAndNearMisses: a signature lifted from another envelope,
// payload types that are almost right, and statements that are almost v1.
func TestEnvelopeReplayAndNearMisses(t *testing.T) {
	ctx := context.Background()
	art := subjectOf(t, "app", []byte("app"))
	s := newEdSigner(1)
	p := sbom.Provenance{BuildType: "https://example.com/bt", BuilderID: "https://example.com/b"}
	envA, err := sbom.SignProvenance(ctx, []sbom.Subject{art}, p, s)
	require.NoError(t, err)
	p.BuilderID = "https://evil.example.com/b"
	envB, err := sbom.SignProvenance(ctx, []sbom.Subject{art}, p, newEdSigner(9))
	require.NoError(t, err)
	var a, b map[string]any
	require.NoError(t, json.Unmarshal(envA, &a))
	require.NoError(t, json.Unmarshal(envB, &b))
	b["signatures"] = a["signatures"]
	replayed, _ := json.Marshal(b)
	_, err = sbom.VerifyProvenance(ctx, replayed, art, verifyAt, s.verifier())
	assert.ErrorIs(t, err, signature.ErrBadSignature)

	st, err := sbom.ProvenanceStatement([]sbom.Subject{art}, p)
	require.NoError(t, err)
	for _, pt := range []string{"application/vnd.in-toto+json ", "Application/vnd.in-toto+json", "application/vnd.in-toto+json; charset=utf-8", ""} {
		env, err := sbom.SignEnvelope(ctx, pt, st, s)
		require.NoError(t, err)
		_, err = sbom.VerifyProvenance(ctx, env, art, verifyAt, s.verifier())
		assert.Error(t, err, "%q", pt)
	}
	for _, edit := range [][2]string{
		{"https://in-toto.io/Statement/v1", "https://in-toto.io/Statement/v1/"},
		{"https://in-toto.io/Statement/v1", "http://in-toto.io/Statement/v1"},
		{"https://slsa.dev/provenance/v1", "https://slsa.dev/provenance/v0.2"},
		{"https://slsa.dev/provenance/v1", "https://slsa.dev/provenance/v1 "},
		{`"_type"`, `"_Type"`},
	} {
		edited := bytes.Replace(st, []byte(edit[0]), []byte(edit[1]), 1)
		require.NotEqual(t, st, edited)
		env, err := sbom.SignEnvelope(ctx, sbom.PayloadType, edited, s)
		require.NoError(t, err)
		_, err = sbom.VerifyProvenance(ctx, env, art, verifyAt, s.verifier())
		assert.ErrorIs(t, err, &sbom.Error{Reason: "invalid in-toto statement"}, "%q", edit[1])
	}
}

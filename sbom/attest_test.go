package sbom_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"time"

	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
)

func TestReference(t *testing.T) {
	art := subjectOf(t, "app.tar.gz", []byte("app"))
	doc, err := sbom.ForArtifact(art)
	require.NoError(t, err)
	data, err := doc.Bytes(sbom.JSON)
	require.NoError(t, err)
	ref := sbom.Attach("https://example.com/app.cdx.json", data, sbom.JSON, doc.SpecVersion())
	assert.Equal(t, "application/vnd.cyclonedx+json; version=1.6", ref.MediaType)
	assert.Equal(t, sha256Hex(data), ref.SHA256)

	got, err := ref.Open(data, art)
	require.NoError(t, err)
	assert.Equal(t, doc.SerialNumber(), got.SerialNumber())

	// The JSON form round-trips.
	j, err := json.Marshal(ref)
	require.NoError(t, err)
	var back sbom.Reference
	require.NoError(t, json.Unmarshal(j, &back))
	assert.Equal(t, ref, back)

	// An edited SBOM: one byte changed, or whitespace only.
	edited := bytes.Replace(data, []byte(`"version": 1`), []byte(`"version": 2`), 1)
	for name, b := range map[string][]byte{"edited": edited, "reformatted": append(data, '\n')} {
		t.Run(name, func(t *testing.T) {
			_, err := ref.Open(b, art)
			var me *sbom.MismatchError
			require.ErrorAs(t, err, &me)
			require.ErrorIs(t, err, sbom.ErrReferenceMismatch)
			assert.Equal(t, "sha256:"+ref.SHA256, me.Want)
		})
	}

	// A swapped SBOM: valid, with a correct reference of its own, for
	// another artifact.
	other := subjectOf(t, "other.tar.gz", []byte("other"))
	odoc, err := sbom.ForArtifact(other)
	require.NoError(t, err)
	odata, err := odoc.Bytes(sbom.JSON)
	require.NoError(t, err)
	oref := sbom.Attach("https://example.com/app.cdx.json", odata, sbom.JSON, odoc.SpecVersion())
	_, err = oref.Open(odata, art)
	require.ErrorIs(t, err, sbom.ErrSubjectMismatch)
	_, err = ref.Open(odata, art)
	require.ErrorIs(t, err, sbom.ErrReferenceMismatch)

	// The media type says XML but the document is JSON.
	xref := ref
	xref.MediaType = sbom.MediaType(sbom.XML, sbom.Spec1_6)
	_, err = xref.Open(data, art)
	require.ErrorIs(t, err, sbom.ErrWrongFormat)
	xref.MediaType = "application/spdx+json"
	_, err = xref.Open(data, art)
	require.ErrorIs(t, err, sbom.ErrWrongFormat)
}

func TestBOMStatement(t *testing.T) {
	art := subjectOf(t, "app", []byte("app"))
	doc, err := sbom.ForArtifact(art)
	require.NoError(t, err)
	st, err := sbom.BOMStatement(doc, art)
	require.NoError(t, err)
	read, err := sbom.ParseStatement(st, sbom.CycloneDXPredicate, art)
	require.NoError(t, err)
	require.Len(t, read.Subjects, 1)
	assert.Equal(t, art, read.Subjects[0])
	inner, err := sbom.Read(bytes.NewReader(read.Predicate), sbom.JSON)
	require.NoError(t, err)
	require.NoError(t, sbom.Check(inner, art))

	other := subjectOf(t, "other", []byte("other"))
	_, err = sbom.BOMStatement(doc, other)
	require.ErrorIs(t, err, sbom.ErrSubjectMismatch)
	_, err = sbom.ParseStatement(st, sbom.CycloneDXPredicate, other)
	require.ErrorIs(t, err, sbom.ErrSubjectMismatch)
	_, err = sbom.ParseStatement(st, sbom.SLSAProvenancePredicate, art)
	require.ErrorIs(t, err, &sbom.Error{Reason: "invalid in-toto statement"})
}

func TestReadStatementErrors(t *testing.T) {
	art := subjectOf(t, "app", []byte("app"))
	good := `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app","digest":{"sha256":"` + art.SHA256 + `"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{}}`
	st, err := sbom.ParseStatement([]byte(good), sbom.SLSAProvenancePredicate, art)
	require.NoError(t, err)
	assert.Equal(t, sbom.StatementType, st.Type)
	st, err = sbom.ParseStatement([]byte(strings.Replace(good, "Statement/v1", "Statement/v0.1", 1)), sbom.SLSAProvenancePredicate, art)
	require.NoError(t, err, "in-toto Statement v0.1, as cosign attest-blob writes it")
	assert.Equal(t, sbom.StatementTypeV01, st.Type)
	for name, tc := range map[string]struct {
		in   string
		want error
	}{
		"v0.2 type":       {strings.Replace(good, "Statement/v1", "Statement/v0.2", 1), &sbom.Error{Reason: "invalid in-toto statement"}},
		"v0.1/ type":      {strings.Replace(good, "Statement/v1", "Statement/v0.1/", 1), &sbom.Error{Reason: "invalid in-toto statement"}},
		"v0.1 SLSA v0.2":  {strings.Replace(strings.Replace(good, "Statement/v1", "Statement/v0.1", 1), "provenance/v1", "provenance/v0.2", 1), &sbom.Error{Reason: "invalid in-toto statement"}},
		"no type":         {strings.Replace(good, `"_type":"https://in-toto.io/Statement/v1",`, ``, 1), &sbom.Error{Reason: "invalid in-toto statement"}},
		"unknown field":   {strings.Replace(good, `"predicate":{}`, `"predicate":{},"x":1`, 1), &sbom.Error{Reason: "invalid in-toto statement"}},
		"duplicate field": {strings.Replace(good, `"predicate":{}`, `"predicate":{},"predicate":{}`, 1), sbom.ErrMalformed},
		"no subject":      {strings.Replace(good, `[{"name":"app","digest":{"sha256":"`+art.SHA256+`"}}]`, `[]`, 1), &sbom.Error{Reason: "invalid in-toto statement"}},
		"empty digest":    {strings.Replace(good, `{"sha256":"`+art.SHA256+`"}`, `{}`, 1), &sbom.Error{Reason: "invalid in-toto statement"}},
		"bad digest":      {strings.Replace(good, art.SHA256, "XYZ", 1), sbom.ErrInvalidDigest},
		"predicate array": {strings.Replace(good, `"predicate":{}`, `"predicate":[]`, 1), &sbom.Error{Reason: "invalid in-toto statement"}},
		"trailing":        {good + "{}", sbom.ErrMalformed},
		"other digest":    {strings.Replace(good, `"sha256":"`+art.SHA256, `"sha512":"`+art.SHA512, 1), sbom.ErrSubjectMismatch},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := sbom.ParseStatement([]byte(tc.in), sbom.SLSAProvenancePredicate, art)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

var (
	started  = time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)
	finished = started.Add(3 * time.Minute)
)

func githubEnv() map[string]string {
	return map[string]string{
		"GITHUB_ACTIONS":             "true",
		"GITHUB_SERVER_URL":          "https://github.com",
		"GITHUB_REPOSITORY":          "acme/shop",
		"GITHUB_REF":                 "refs/tags/v1.2.3",
		"GITHUB_SHA":                 "0123456789abcdef0123456789abcdef01234567",
		"GITHUB_WORKFLOW_REF":        "acme/shop/.github/workflows/release.yml@refs/tags/v1.2.3",
		"GITHUB_RUN_ID":              "42",
		"GITHUB_RUN_ATTEMPT":         "2",
		"GITHUB_EVENT_NAME":          "push",
		"GITHUB_REPOSITORY_ID":       "7",
		"GITHUB_REPOSITORY_OWNER_ID": "8",
		"RUNNER_ENVIRONMENT":         "github-hosted",
	}
}

func TestProvenanceFromCI(t *testing.T) {
	p, ok := sbom.ProvenanceFromCI(githubEnv())
	require.True(t, ok)
	assert.Equal(t, sbom.GitHubActionsBuildType, p.BuildType)
	assert.Equal(t, "https://github.com/actions/runner/github-hosted", p.BuilderID)
	assert.Equal(t, "https://github.com/acme/shop/actions/runs/42/attempts/2", p.InvocationID)
	assert.Equal(t, map[string]any{"ref": "refs/tags/v1.2.3", "repository": "https://github.com/acme/shop", "path": ".github/workflows/release.yml"}, p.ExternalParameters["workflow"])
	require.Len(t, p.ResolvedDependencies, 1)
	assert.Equal(t, "git+https://github.com/acme/shop@refs/tags/v1.2.3", p.ResolvedDependencies[0].URI)
	assert.Equal(t, "0123456789abcdef0123456789abcdef01234567", p.ResolvedDependencies[0].Digest["gitCommit"])

	p, ok = sbom.ProvenanceFromCI(map[string]string{
		"GITLAB_CI": "true", "CI_SERVER_URL": "https://gitlab.example.com", "CI_PROJECT_PATH": "acme/shop",
		"CI_PROJECT_URL": "https://gitlab.example.com/acme/shop", "CI_COMMIT_SHA": "89abcdef0123456789abcdef0123456789abcdef",
		"CI_COMMIT_TAG": "v1.2.3", "CI_COMMIT_REF_NAME": "v1.2.3", "CI_PIPELINE_ID": "100", "CI_JOB_ID": "200",
		"CI_JOB_URL": "https://gitlab.example.com/acme/shop/-/jobs/200", "CI_RUNNER_ID": "5", "CI_PIPELINE_SOURCE": "push",
	})
	require.True(t, ok)
	assert.Equal(t, sbom.GitLabCIBuildType, p.BuildType)
	assert.Equal(t, "https://gitlab.example.com/acme/shop/-/runners/5", p.BuilderID)
	assert.Equal(t, "refs/tags/v1.2.3", p.ExternalParameters["ref"])
	assert.Equal(t, "https://gitlab.example.com/acme/shop/-/jobs/200", p.InvocationID)
	assert.Equal(t, "git+https://gitlab.example.com/acme/shop@refs/tags/v1.2.3", p.ResolvedDependencies[0].URI)

	_, ok = sbom.ProvenanceFromCI(map[string]string{"CI": "true"})
	assert.False(t, ok)
}

func signedProvenance(t *testing.T, art sbom.Subject, s signature.Signer) []byte {
	t.Helper()
	p, _ := sbom.ProvenanceFromCI(githubEnv())
	p.StartedOn, p.FinishedOn = started, finished
	env, err := sbom.SignProvenance(context.Background(), []sbom.Subject{art}, p, s)
	require.NoError(t, err)
	return env
}

// reenvelope rewrites an envelope's fields, keeping its signatures.
func reenvelope(t *testing.T, env []byte, edit func(e *dsse.Envelope)) []byte {
	t.Helper()
	var e dsse.Envelope
	require.NoError(t, json.Unmarshal(env, &e))
	edit(&e)
	out, err := json.Marshal(e)
	require.NoError(t, err)
	return out
}

func TestProvenanceRoundTrip(t *testing.T) {
	ctx := context.Background()
	art := subjectOf(t, "app", []byte("app"))
	signer := newEdSigner(1)
	env := signedProvenance(t, art, signer)
	p, err := sbom.VerifyProvenance(ctx, env, art, verifyAt, signer.verifier())
	require.NoError(t, err)
	assert.Equal(t, sbom.GitHubActionsBuildType, p.BuildType)
	assert.Equal(t, started, p.StartedOn)
	assert.Equal(t, finished, p.FinishedOn)
	assert.Equal(t, "https://github.com/acme/shop/actions/runs/42/attempts/2", p.InvocationID)

	// Deterministic: Ed25519 signatures and the statement both are.
	assert.Equal(t, env, signedProvenance(t, art, signer))

	// The signature covers the PAE, never the raw payload.
	var e dsse.Envelope
	require.NoError(t, json.Unmarshal(env, &e))
	payload, err := base64.StdEncoding.DecodeString(e.Payload)
	require.NoError(t, err)
	sig, _ := base64.StdEncoding.DecodeString(e.Signatures[0].Sig)
	assert.True(t, ed25519.Verify(signer.verifier().pub, dsse.PAE(sbom.PayloadType, payload), sig))
	assert.False(t, ed25519.Verify(signer.verifier().pub, payload, sig))
}

// cosignStatement is an in-toto Statement v0.1 as cosign attest-blob
// --type slsaprovenance1 writes it (in-toto-golang's StatementHeader and
// slsa_provenance/v1 predicate, in their field order: metadata always
// present, times with nanoseconds), predicate type predicateType.
func cosignStatement(art sbom.Subject, predicateType string) []byte {
	return []byte(`{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"` + predicateType + `",` +
		`"subject":[{"name":"dist/app","digest":{"sha256":"` + art.SHA256 + `"}}],` +
		`"predicate":{"buildDefinition":{"buildType":"https://example.com/build/v1",` +
		`"externalParameters":{"repository":"https://github.com/acme/app","ref":"refs/tags/v1.2.0"},` +
		`"resolvedDependencies":[{"uri":"git+https://github.com/acme/app@refs/tags/v1.2.0","digest":{"gitCommit":"0123456789abcdef0123456789abcdef01234567"}}]},` +
		`"runDetails":{"builder":{"id":"https://example.com/builder","version":{"cosign":"v2.4.1"}},` +
		`"metadata":{"invocationId":"https://example.com/runs/7","startedOn":"2026-01-05T10:00:00.123456789Z","finishedOn":"2026-01-05T10:05:00Z"}}}}`)
}

// cosignEnvelope signs payload into a DSSE envelope as cosign writes it:
// compact JSON, one signature with an empty keyid.
func cosignEnvelope(t *testing.T, payload []byte, s *edSigner) []byte {
	t.Helper()
	sig := ed25519.Sign(s.key, dsse.PAE(sbom.PayloadType, payload))
	env, err := json.Marshal(dsse.Envelope{
		PayloadType: sbom.PayloadType,
		Payload:     base64.StdEncoding.EncodeToString(payload),
		Signatures:  []dsse.Signature{{KeyID: "", Sig: base64.StdEncoding.EncodeToString(sig)}},
	})
	require.NoError(t, err)
	return env
}

func TestVerifyProvenanceStatementV01(t *testing.T) {
	ctx := context.Background()
	art := subjectOf(t, "app", []byte("app"))
	signer := newEdSigner(1)

	env := cosignEnvelope(t, cosignStatement(art, sbom.SLSAProvenancePredicate), signer)
	p, err := sbom.VerifyProvenance(ctx, env, art, verifyAt, signer.verifier())
	require.NoError(t, err)
	assert.Equal(t, "https://example.com/build/v1", p.BuildType)
	assert.Equal(t, "https://example.com/builder", p.BuilderID)
	assert.Equal(t, map[string]string{"cosign": "v2.4.1"}, p.BuilderVersion)
	assert.Equal(t, "https://example.com/runs/7", p.InvocationID)
	assert.Equal(t, time.Date(2026, 1, 5, 10, 0, 0, 123456789, time.UTC), p.StartedOn)
	assert.Equal(t, "0123456789abcdef0123456789abcdef01234567", p.ResolvedDependencies[0].Digest["gitCommit"])

	// The statement's version is relaxed, nothing else: the signature, the
	// subject and the predicate type are checked as for v1. SLSA v0.2, which
	// cosign's --type slsaprovenance writes, is another predicate shape.
	for name, tc := range map[string]struct {
		env      []byte
		artifact sbom.Subject
		want     error
	}{
		"wrong key":      {cosignEnvelope(t, cosignStatement(art, sbom.SLSAProvenancePredicate), newEdSigner(2)), art, signature.ErrBadSignature},
		"other artifact": {env, subjectOf(t, "other", []byte("other")), sbom.ErrSubjectMismatch},
		"SLSA v0.2":      {cosignEnvelope(t, cosignStatement(art, "https://slsa.dev/provenance/v0.2"), signer), art, &sbom.Error{Reason: "invalid in-toto statement"}},
		"statement v0.2": {cosignEnvelope(t, bytes.Replace(cosignStatement(art, sbom.SLSAProvenancePredicate), []byte("Statement/v0.1"), []byte("Statement/v0.2"), 1), signer), art, &sbom.Error{Reason: "invalid in-toto statement"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := sbom.VerifyProvenance(ctx, tc.env, tc.artifact, verifyAt, signer.verifier())
			require.ErrorIs(t, err, tc.want)
		})
	}

	// What this package writes stays v1.
	st, err := sbom.ProvenanceStatement([]sbom.Subject{art}, p)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(st, []byte(`{"_type":"`+sbom.StatementType+`"`)), "%s", st)
}

func TestProvenanceTampering(t *testing.T) {
	ctx := context.Background()
	art := subjectOf(t, "app", []byte("app"))
	signer := newEdSigner(1)
	env := signedProvenance(t, art, signer)
	var e dsse.Envelope
	require.NoError(t, json.Unmarshal(env, &e))
	payload, _ := base64.StdEncoding.DecodeString(e.Payload)
	rawSig := base64.StdEncoding.EncodeToString(ed25519.Sign(signer.key, payload))
	otherArt := subjectOf(t, "other", []byte("other"))
	unsigned, _ := sbom.ProvenanceStatement([]sbom.Subject{art}, sbom.Provenance{BuildType: "b", BuilderID: "i"})
	v02 := bytes.Replace(unsigned, []byte("Statement/v1"), []byte("Statement/v0.2"), 1)
	v02env, err := sbom.SignEnvelope(ctx, sbom.PayloadType, v02, signer)
	require.NoError(t, err)
	wrongType, err := sbom.SignEnvelope(ctx, "application/json", payload, signer)
	require.NoError(t, err)

	for _, tc := range []struct {
		name     string
		env      []byte
		artifact sbom.Subject
		verifier signature.Verifier
		want     error
	}{
		{"payload edited", reenvelope(t, env, func(e *dsse.Envelope) {
			e.Payload = base64.StdEncoding.EncodeToString(bytes.Replace(payload, []byte("acme"), []byte("evil"), 1))
		}), art, signer.verifier(), signature.ErrBadSignature},
		{"payload type changed", reenvelope(t, env, func(e *dsse.Envelope) { e.PayloadType = "application/json" }), art, signer.verifier(), &sbom.Error{Reason: "unexpected DSSE payload type"}},
		{"signed with another payload type", wrongType, art, signer.verifier(), &sbom.Error{Reason: "unexpected DSSE payload type"}},
		{"signature over the raw payload", reenvelope(t, env, func(e *dsse.Envelope) { e.Signatures[0].Sig = rawSig }), art, signer.verifier(), signature.ErrBadSignature},
		{"signature removed", reenvelope(t, env, func(e *dsse.Envelope) { e.Signatures = nil }), art, signer.verifier(), &sbom.Error{Reason: "malformed DSSE envelope"}},
		{"signature not base64", reenvelope(t, env, func(e *dsse.Envelope) { e.Signatures[0].Sig = "!!" }), art, signer.verifier(), &sbom.Error{Reason: "malformed DSSE envelope"}},
		{"payload not base64", reenvelope(t, env, func(e *dsse.Envelope) { e.Payload = "!!" }), art, signer.verifier(), &sbom.Error{Reason: "malformed DSSE envelope"}},
		{"wrong key", env, art, newEdSigner(2).verifier(), signature.ErrBadSignature},
		{"no verifier", env, art, nil, signature.ErrBadSignature},
		{"subject mismatch", env, otherArt, signer.verifier(), sbom.ErrSubjectMismatch},
		{"statement v0.2", v02env, art, signer.verifier(), &sbom.Error{Reason: "invalid in-toto statement"}},
		{"unknown envelope field", bytes.Replace(env, []byte(`"payloadType"`), []byte(`"x": 1, "payloadType"`), 1), art, signer.verifier(), &sbom.Error{Reason: "malformed DSSE envelope"}},
		{"duplicate envelope field", bytes.Replace(env, []byte(`"payloadType"`), []byte(`"payload": "", "payloadType"`), 1), art, signer.verifier(), &sbom.Error{Reason: "malformed DSSE envelope"}},
		{"trailing data", append(bytes.Clone(env), "{}"...), art, signer.verifier(), &sbom.Error{Reason: "malformed DSSE envelope"}},
		{"not json", []byte("DSSEv1"), art, signer.verifier(), &sbom.Error{Reason: "malformed DSSE envelope"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var vs []signature.Verifier
			if tc.verifier != nil {
				vs = append(vs, tc.verifier)
			}
			_, err := sbom.VerifyProvenance(ctx, tc.env, tc.artifact, verifyAt, vs...)
			require.ErrorIs(t, err, tc.want)
		})
	}
	t.Run("mismatch details", func(t *testing.T) {
		_, err := sbom.VerifyProvenance(ctx, env, otherArt, verifyAt, signer.verifier())
		var me *sbom.MismatchError
		require.ErrorAs(t, err, &me)
		assert.Equal(t, otherArt.Digest(), me.Want)
	})
	t.Run("verifier called once", func(t *testing.T) {
		v := signer.verifier()
		_, err := sbom.VerifyProvenance(ctx, env, art, verifyAt, v)
		require.NoError(t, err)
		assert.Equal(t, 1, v.calls)
	})
	t.Run("a second, trusted signature suffices", func(t *testing.T) {
		two, err := sbom.SignProvenance(ctx, []sbom.Subject{art}, sbom.Provenance{BuildType: "b", BuilderID: "i"}, newEdSigner(3), signer)
		require.NoError(t, err)
		_, err = sbom.VerifyProvenance(ctx, two, art, verifyAt, signer.verifier())
		require.NoError(t, err)
	})
}

func TestSignErrors(t *testing.T) {
	ctx := context.Background()
	art := subjectOf(t, "app", []byte("app"))
	p := sbom.Provenance{BuildType: "b", BuilderID: "i"}
	failing := &edSigner{SignFunc: func([]byte) ([]byte, error) { return nil, errors.New("token expired") }}
	empty := &edSigner{SignFunc: func([]byte) ([]byte, error) { return nil, nil }}
	for name, s := range map[string]signature.Signer{"failing": failing, "empty": empty} {
		t.Run(name, func(t *testing.T) {
			_, err := sbom.SignProvenance(ctx, []sbom.Subject{art}, p, s)
			require.ErrorIs(t, err, signature.ErrSign)
		})
	}
	_, err := sbom.SignProvenance(ctx, []sbom.Subject{art}, p)
	require.ErrorIs(t, err, signature.ErrSign)
	_, err = sbom.SignProvenance(ctx, nil, p, newEdSigner(1))
	require.ErrorIs(t, err, &sbom.Error{Reason: "invalid in-toto statement"})
	_, err = sbom.SignProvenance(ctx, []sbom.Subject{art}, sbom.Provenance{}, newEdSigner(1))
	require.ErrorIs(t, err, &sbom.Error{Reason: "invalid in-toto statement"})
	_, err = sbom.SignProvenance(ctx, []sbom.Subject{{SHA256: "x"}}, p, newEdSigner(1))
	require.ErrorIs(t, err, sbom.ErrInvalidDigest)
	c, cancel := context.WithCancel(ctx)
	cancel()
	_, err = sbom.SignProvenance(c, []sbom.Subject{art}, p, newEdSigner(1))
	require.ErrorIs(t, err, context.Canceled)
}

// TestKeySigner covers the crypto.Signer adapter with Ed25519 and ECDSA
// keys read from PEM.
func TestKeySigner(t *testing.T) {
	ctx := context.Background()
	art := subjectOf(t, "app", []byte("app"))
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	for name, key := range map[string]any{"ed25519": edKey, "ecdsa": ecKey} {
		t.Run(name, func(t *testing.T) {
			der, err := x509.MarshalPKCS8PrivateKey(key)
			require.NoError(t, err)
			priv := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
			s, err := signature.ParsePrivateKeyPEM(priv)
			require.NoError(t, err)
			v, err := signature.ParsePublicKeyPEM(priv)
			require.NoError(t, err)
			assert.Equal(t, s.KeyID(), v.KeyID())
			env, err := sbom.SignProvenance(ctx, []sbom.Subject{art}, sbom.Provenance{BuildType: "b", BuilderID: "i"}, s)
			require.NoError(t, err)
			assert.Contains(t, string(env), s.KeyID())
			_, err = sbom.VerifyProvenance(ctx, env, art, verifyAt, v)
			require.NoError(t, err)
		})
	}
	_, err = signature.ParsePrivateKeyPEM([]byte("not pem"))
	require.ErrorIs(t, err, signature.ErrInvalidKey)
	_, err = signature.ParsePublicKeyPEM([]byte("-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"))
	require.ErrorIs(t, err, signature.ErrInvalidKey)
}

func FuzzOpenEnvelope(f *testing.F) {
	art := sbom.Subject{Name: "app", SHA256: strings.Repeat("ab", 32)}
	signer := newEdSigner(1)
	env, err := sbom.SignProvenance(context.Background(), []sbom.Subject{art}, sbom.Provenance{BuildType: "b", BuilderID: "i"}, signer)
	require.NoError(f, err)
	f.Add(env)
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"","signatures":[{"keyid":"","sig":"AA=="}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		payload, err := sbom.OpenEnvelope(context.Background(), data, sbom.PayloadType, verifyAt, signer.verifier())
		if err != nil {
			return
		}
		// Only an envelope the key signed opens: its payload is the one
		// signed (the fuzzer cannot forge Ed25519).
		if _, err := sbom.ParseStatement(payload, sbom.SLSAProvenancePredicate, art); err != nil {
			t.Fatalf("a signed payload does not read back: %v", err)
		}
	})
}

func TestReferenceLocation(t *testing.T) {
	art := sbom.Subject{Name: "x", SHA256: strings.Repeat("a", 64)}
	doc, err := sbom.ForArtifact(art)
	require.NoError(t, err)
	data, err := doc.Bytes(sbom.JSON)
	require.NoError(t, err)
	for _, loc := range []string{"sbom/x.cdx.json", "https://ci.example.com/runs/42/sbom.cdx.json", "/abs/x.json", "x..json"} {
		ref := sbom.Attach(loc, data, sbom.JSON, sbom.Spec1_6)
		require.NoError(t, ref.Validate(), loc)
		_, err := ref.Open(data, art)
		require.NoError(t, err, loc)
	}
	for _, loc := range []string{"", "../x.json", "sbom/../../x.json", "https://h/a/%2e%2E/x", `sbom\..\x`, "a\x00b", "sbom/..", ".."} {
		ref := sbom.Attach(loc, data, sbom.JSON, sbom.Spec1_6)
		_, err := ref.Open(data, art)
		assert.ErrorIs(t, err, sbom.ErrInvalidReference, "%q", loc)
	}
	ref := sbom.Attach("x.json", data, sbom.JSON, sbom.Spec1_6)
	ref.SHA256 = strings.ToUpper(ref.SHA256)
	_, err = ref.Open(data, art)
	assert.ErrorIs(t, err, sbom.ErrInvalidReference)
}

// TestProvenanceFromOtherTools: SLSA v1 fields this package does not write
// (builderDependencies, a resource's content, downloadLocation, mediaType,
// annotations) are read, not refused.
func TestProvenanceFromOtherTools(t *testing.T) {
	ctx := context.Background()
	art := subjectOf(t, "app", []byte("app"))
	s := newEdSigner(1)
	st := `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app","digest":{"sha256":"` + art.SHA256 + `"}}],` +
		`"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"https://example.com/bt","externalParameters":{},` +
		`"resolvedDependencies":[{"uri":"git+https://example.com/r","digest":{"gitCommit":"abc"},"downloadLocation":"https://example.com/r","mediaType":"text/plain","annotations":{"k":"v"},"content":"aGk="}]},` +
		`"runDetails":{"builder":{"id":"https://example.com/b","builderDependencies":[{"uri":"https://example.com/tool","digest":{"sha256":"` + art.SHA256 + `"}}]}}}}`
	env, err := sbom.SignEnvelope(ctx, sbom.PayloadType, []byte(st), s)
	require.NoError(t, err)
	p, err := sbom.VerifyProvenance(ctx, env, art, verifyAt, s.verifier())
	require.NoError(t, err)
	require.Len(t, p.ResolvedDependencies, 1)
	assert.Equal(t, []byte("hi"), p.ResolvedDependencies[0].Content)
	require.Len(t, p.BuilderDependencies, 1)
}

package sbom_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/sbom"
)

// TestFromBinaryDirectoryReplace: a module replaced by a directory is listed
// under its own path, without a made-up version or a purl of the directory.
func TestFromBinaryDirectoryReplace(t *testing.T) {
	dir := t.TempDir()
	w := func(p, s string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644))
	}
	w("go.mod", "module example.com/rep\n\ngo 1.22\n\nrequire github.com/Foo/Bar v1.0.0\n\nreplace github.com/Foo/Bar => ./bar\n")
	w("bar/go.mod", "module github.com/Foo/Bar\n\ngo 1.22\n")
	w("bar/bar.go", "package bar\n\nfunc X() string { return \"x\" }\n")
	w("main.go", "package main\n\nimport \"github.com/Foo/Bar\"\n\nfunc main() { println(bar.X()) }\n")
	out := filepath.Join(dir, "rep")
	buildGo(t, dir, out, ".")
	doc, err := sbom.FromBinaryFile(out)
	require.NoError(t, err)
	cs := doc.Components()
	require.Len(t, cs, 1)
	assert.Equal(t, "github.com/Foo/Bar", cs[0].Name)
	assert.Equal(t, "pkg:golang/github.com/Foo/Bar", cs[0].PURL)
	assert.Empty(t, cs[0].Version)
	assert.Contains(t, cs[0].Properties, sbom.Property{Name: sbom.PropGoReplace, Value: "./bar"})
	b, err := doc.Bytes(sbom.JSON)
	require.NoError(t, err)
	_, err = sbom.Decode(bytes.NewReader(b), sbom.JSON)
	require.NoError(t, err)
}

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
		_, err := sbom.OpenEnvelope(context.Background(), b, sbom.PayloadType, s.verifier())
		assert.ErrorIs(t, err, sbom.ErrMalformedEnvelope, name)
	}
}

// TestJSONCaseFoldDuplicates: encoding/json matches keys without regard to
// case, so "Payload" after "payload" would silently win.
func TestJSONCaseFoldDuplicates(t *testing.T) {
	s := newEdSigner(1)
	env, err := sbom.SignEnvelope(context.Background(), sbom.PayloadType, []byte(`{"a":1}`), s)
	require.NoError(t, err)
	other := base64.StdEncoding.EncodeToString([]byte(`{"a":2}`))
	edited := bytes.Replace(env, []byte(`"payload":`), []byte(`"Payload":"`+other+`","payload":`), 1)
	_, err = sbom.OpenEnvelope(context.Background(), edited, sbom.PayloadType, s.verifier())
	assert.ErrorIs(t, err, sbom.ErrMalformedEnvelope)
	edited = bytes.Replace(env, []byte(`"signatures":`), []byte(`"payloadType":"x","signatures":`), 1)
	edited = bytes.Replace(edited, []byte(`"payloadType":"x"`), []byte(`"payloadtype":"x"`), 1)
	_, err = sbom.OpenEnvelope(context.Background(), edited, sbom.PayloadType, s.verifier())
	assert.ErrorIs(t, err, sbom.ErrMalformedEnvelope)

	art := sbom.Subject{Name: "a", SHA256: strings.Repeat("a", 64)}
	doc, err := sbom.ForArtifact(art)
	require.NoError(t, err)
	b, err := doc.Bytes(sbom.JSON)
	require.NoError(t, err)
	// a second metadata under another case
	b2 := bytes.Replace(b, []byte(`"metadata": {`), []byte(`"Metadata": {"component":{"type":"file","name":"x","hashes":[{"alg":"SHA-256","content":"`+strings.Repeat("b", 64)+`"}]}},
  "metadata": {`), 1)
	require.NotEqual(t, b, b2)
	_, err = sbom.Decode(bytes.NewReader(b2), sbom.JSON)
	assert.Error(t, err)
}

// TestSubjectAmbiguous: two different SHA-256 hashes on the subject do not
// name one artifact.
func TestSubjectAmbiguous(t *testing.T) {
	a, b := strings.Repeat("a", 64), strings.Repeat("b", 64)
	doc, err := sbom.ForArtifact(sbom.Subject{Name: "x", SHA256: a})
	require.NoError(t, err)
	data, err := doc.Bytes(sbom.JSON)
	require.NoError(t, err)
	two := bytes.Replace(data, []byte(`"content": "`+a+`"`), []byte(`"content": "`+a+`"}, {"alg": "SHA-256", "content": "`+b+`"`), 1)
	require.NotEqual(t, data, two)
	d2, err := sbom.Decode(bytes.NewReader(two), sbom.JSON)
	require.NoError(t, err)
	assert.Error(t, sbom.Check(d2, sbom.Subject{SHA256: b}))
	assert.Error(t, sbom.Check(d2, sbom.Subject{SHA256: a}))
}

// TestXMLTrailing: text or a second element after the root is refused.
func TestXMLTrailing(t *testing.T) {
	doc, err := sbom.ForArtifact(sbom.Subject{Name: "x", SHA256: strings.Repeat("a", 64)})
	require.NoError(t, err)
	data, err := doc.Bytes(sbom.XML)
	require.NoError(t, err)
	_, err = sbom.Decode(bytes.NewReader(data), sbom.XML)
	require.NoError(t, err)
	for _, tail := range []string{"junk", "<bom/>", "<!-- c -->x"} {
		_, err = sbom.Decode(bytes.NewReader(append(bytes.Clone(data), tail...)), sbom.XML)
		assert.Error(t, err, tail)
	}
	for _, head := range []string{`<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x "y">]>`, `<!DOCTYPE bom SYSTEM "file:///etc/passwd">`} {
		body := bytes.TrimPrefix(data, []byte(`<?xml version="1.0" encoding="UTF-8"?>`))
		_, err = sbom.Decode(bytes.NewReader(append([]byte(head), body...)), sbom.XML)
		assert.ErrorIs(t, err, sbom.ErrMalformed, head)
	}
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
	_, err = sbom.VerifyProvenance(ctx, replayed, art, s.verifier())
	assert.ErrorIs(t, err, sbom.ErrBadSignature)

	st, err := sbom.ProvenanceStatement([]sbom.Subject{art}, p)
	require.NoError(t, err)
	for _, pt := range []string{"application/vnd.in-toto+json ", "Application/vnd.in-toto+json", "application/vnd.in-toto+json; charset=utf-8", ""} {
		env, err := sbom.SignEnvelope(ctx, pt, st, s)
		require.NoError(t, err)
		_, err = sbom.VerifyProvenance(ctx, env, art, s.verifier())
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
		_, err = sbom.VerifyProvenance(ctx, env, art, s.verifier())
		assert.ErrorIs(t, err, sbom.ErrStatement, "%q", edit[1])
	}
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
	p, err := sbom.VerifyProvenance(ctx, env, art, s.verifier())
	require.NoError(t, err)
	require.Len(t, p.ResolvedDependencies, 1)
	assert.Equal(t, []byte("hi"), p.ResolvedDependencies[0].Content)
	require.Len(t, p.BuilderDependencies, 1)
}

func TestDecodeSPDXTagValue(t *testing.T) {
	for _, f := range []sbom.Format{sbom.JSON, sbom.XML} {
		_, err := sbom.Decode(strings.NewReader("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n"), f)
		assert.ErrorIs(t, err, sbom.ErrWrongFormat, f)
	}
}

// TestMergeBOMRefUnique: a merged component cannot take the subject's
// bom-ref.
func TestMergeBOMRefUnique(t *testing.T) {
	art := sbom.Subject{Name: "x", SHA256: strings.Repeat("a", 64)}
	base, err := sbom.ForArtifact(art)
	require.NoError(t, err)
	other := `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","name":"lib","version":"1","bom-ref":"artifact:` + art.Digest() + `"}]}`
	o, err := sbom.Decode(strings.NewReader(other), sbom.JSON)
	require.NoError(t, err)
	m, err := sbom.Merge(base, []*sbom.Document{o})
	require.NoError(t, err)
	b, err := m.Bytes(sbom.JSON)
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(b), `"bom-ref": "artifact:`+art.Digest()+`"`))
	assert.Len(t, m.Components(), 1)
}

package manifest_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/sbom"
)

// sbomFor returns the CycloneDX JSON of a real SBOM whose subject is the
// artifact with content, and the document read back from it.
func sbomFor(t *testing.T, content string) ([]byte, *sbom.Document) {
	t.Helper()
	s, err := sbom.SubjectOf("app", strings.NewReader(content))
	require.NoError(t, err)
	doc, err := sbom.ForArtifact(s, sbom.WithSerialNumber("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"))
	require.NoError(t, err)
	data, err := doc.Bytes(sbom.JSON)
	require.NoError(t, err)
	read, err := sbom.Read(strings.NewReader(string(data)), sbom.JSON)
	require.NoError(t, err)
	return data, read
}

// noSubject is an SBOM document that names no artifact.
type noSubject struct{}

func (noSubject) SubjectDigest() (string, error) { return "", sbom.ErrNoSubject }

// TestWithSBOM: an SBOM is attached to a record's artifact only when it
// describes that artifact (§1.31.3.5, §1.20.3.1), checked at attach.
func TestWithSBOM(t *testing.T) {
	rec := completeRecord("v1.0.0", "build-1")
	rec.SBOM = manifest.SBOMRef{}
	good, goodDoc := sbomFor(t, "build-1")
	other, otherDoc := sbomFor(t, "build-2") // another build of the same artifact

	got, err := rec.WithSBOM("APP", "dist/app.cdx.json", good, goodDoc)
	require.NoError(t, err)
	assert.Equal(t, manifest.Digest(good), got.Artifacts[0].SBOM)
	assert.Equal(t, manifest.SBOMRef{Ref: "dist/app.cdx.json", Digest: manifest.Digest(good)}, got.SBOM)
	assert.Empty(t, rec.Artifacts[0].SBOM, "the record WithSBOM was called on is unchanged")

	tests := []struct {
		name string
		art  string
		data []byte
		doc  manifest.SBOMDocument
		want error
	}{
		{"another build's SBOM", "app", other, otherDoc, &manifest.RefusalError{Reason: "sbom describes another artifact"}},
		{"SBOM without a subject", "app", good, noSubject{}, &manifest.RefusalError{Reason: "sbom names no subject"}},
		{"no such artifact", "web", good, goodDoc, &manifest.FieldError{Field: "artifact", Reason: "not in the record"}},
		{"no bytes", "app", nil, goodDoc, &manifest.FieldError{Field: "sbom", Reason: "required"}},
		{"no document", "app", good, nil, &manifest.FieldError{Field: "sbom", Reason: "required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := rec.WithSBOM(tt.art, "x.json", tt.data, tt.doc)
			require.ErrorIs(t, err, tt.want)
			assert.Equal(t, rec, out, "a refused SBOM changes nothing")
		})
	}
	_, err = rec.WithSBOM("app", "x.json", good, noSubject{})
	assert.ErrorIs(t, err, sbom.ErrNoSubject)
}

package sbom_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/sbom"
)

var one = sbom.Subject{Name: "app", SHA256: strings.Repeat("0", 63) + "1"}

// TestDecodeOtherTools reads SBOMs shaped like cyclonedx-gomod's and
// syft's, with metadata.tools as the legacy array and as the 1.5+ object.
func TestReadOtherTools(t *testing.T) {
	for _, tc := range []struct {
		file string
		f    sbom.Format
		spec sbom.SpecVersion
	}{
		{"tools-array-1.4.json", sbom.JSON, "1.4"},
		{"tools-object-1.5.json", sbom.JSON, "1.5"},
		{"syft-1.6.xml", sbom.XML, "1.6"},
		{"tools-legacy-1.4.xml", sbom.XML, "1.4"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "read", tc.file))
			require.NoError(t, err)
			doc, err := sbom.Read(bytes.NewReader(data), tc.f)
			require.NoError(t, err)
			assert.Equal(t, tc.spec, doc.SpecVersion())
			require.NoError(t, sbom.Check(doc, one))
			other := one
			other.SHA256 = strings.Repeat("0", 63) + "2"
			err = sbom.Check(doc, other)
			var me *sbom.MismatchError
			require.ErrorAs(t, err, &me)
			assert.Equal(t, "sha256:"+other.SHA256, me.Want)
			assert.Equal(t, "sha256:"+one.SHA256, me.Got)
			assert.ErrorIs(t, err, sbom.ErrSubjectMismatch)
		})
	}
}

func TestReadErrors(t *testing.T) {
	valid, err := os.ReadFile("testdata/read/tools-object-1.5.json")
	require.NoError(t, err)
	validXML, err := os.ReadFile("testdata/read/syft-1.6.xml")
	require.NoError(t, err)
	swap := func(b []byte, old, new string) string { return strings.Replace(string(b), old, new, 1) }
	deep := strings.Repeat("[", 100) + strings.Repeat("]", 100)
	for _, tc := range []struct {
		name string
		in   string
		f    sbom.Format
		want error
		opts []sbom.ReadOption
	}{
		{"spec 1.3", swap(valid, `"1.5"`, `"1.3"`), sbom.JSON, sbom.ErrUnsupportedSpecVersion, nil},
		{"spec 1.8", swap(valid, `"1.5"`, `"1.8"`), sbom.JSON, sbom.ErrUnsupportedSpecVersion, nil},
		{"spec number", swap(valid, `"1.5"`, `1.5`), sbom.JSON, sbom.ErrWrongFormat, nil},
		{"no spec", swap(valid, `"specVersion": "1.5",`, ``), sbom.JSON, sbom.ErrUnsupportedSpecVersion, nil},
		{"xml spec 1.2", swap(validXML, "bom/1.6", "bom/1.2"), sbom.XML, sbom.ErrUnsupportedSpecVersion, nil},
		{"spdx json", `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT"}`, sbom.JSON, sbom.ErrWrongFormat, nil},
		{"spdx xml", `<SpdxDocument/>`, sbom.XML, sbom.ErrWrongFormat, nil},
		{"other json", `{"bomFormat":"Other","specVersion":"1.6"}`, sbom.JSON, sbom.ErrWrongFormat, nil},
		{"json array", `[]`, sbom.JSON, sbom.ErrWrongFormat, nil},
		{"xml for json", string(validXML), sbom.JSON, sbom.ErrWrongFormat, nil},
		{"json for xml", string(valid), sbom.XML, sbom.ErrWrongFormat, nil},
		{"xml other namespace", swap(validXML, "http://cyclonedx.org/schema/bom/1.6", "urn:x"), sbom.XML, sbom.ErrWrongFormat, nil},
		{"unknown format", string(valid), sbom.Format("yaml"), sbom.ErrWrongFormat, nil},
		{"trailing data", string(valid) + `{}`, sbom.JSON, sbom.ErrMalformed, nil},
		{"trailing garbage", string(valid) + `x`, sbom.JSON, sbom.ErrMalformed, nil},
		{"duplicate key", swap(valid, `"version": 1,`, `"version": 1, "version": 2,`), sbom.JSON, sbom.ErrMalformed, nil},
		{"duplicate nested key", swap(valid, `"name": "app.tar.gz",`, `"name": "app.tar.gz", "name": "x",`), sbom.JSON, sbom.ErrMalformed, nil},
		{"too deep", swap(valid, `"version": 1,`, `"version": 1, "x": `+deep+`,`), sbom.JSON, sbom.ErrMalformed, nil},
		{"depth limit", string(valid), sbom.JSON, sbom.ErrMalformed, []sbom.ReadOption{sbom.WithMaxDepth(3)}},
		{"too large", string(valid), sbom.JSON, sbom.ErrTooLarge, []sbom.ReadOption{sbom.WithMaxSize(100)}},
		{"xml too large", string(validXML), sbom.XML, sbom.ErrTooLarge, []sbom.ReadOption{sbom.WithMaxSize(100)}},
		{"xml too deep", string(validXML), sbom.XML, sbom.ErrMalformed, []sbom.ReadOption{sbom.WithMaxDepth(3)}},
		{"empty", ``, sbom.JSON, sbom.ErrMalformed, nil},
		{"truncated", string(valid[:len(valid)/2]), sbom.JSON, sbom.ErrMalformed, nil},
		{"doctype", swap(validXML, "<bom ", `<!DOCTYPE bom [<!ENTITY x "y">]><bom `), sbom.XML, sbom.ErrMalformed, nil},
		{"external entity", swap(validXML, "<bom ", `<!DOCTYPE bom SYSTEM "file:///etc/passwd"><bom `), sbom.XML, sbom.ErrMalformed, nil},
		{"entity reference", swap(validXML, "<name>app.tar.gz</name>", "<name>&xxe;</name>"), sbom.XML, sbom.ErrMalformed, nil},
		{"bad xml", `<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><metadata></bom>`, sbom.XML, sbom.ErrMalformed, nil},
		{"schema: component without name", swap(valid, `"name": "golang.org/x/text",`, ``), sbom.JSON, sbom.ErrInvalid, nil},
		{"schema: unknown field", swap(valid, `"version": 1,`, `"version": 1, "extra": true,`), sbom.JSON, sbom.ErrInvalid, nil},
		{"schema: bad serial", swap(valid, `urn:uuid:2b671687`, `urn:x:2b671687`), sbom.JSON, sbom.ErrInvalid, nil},
		{"schema: bad hash", swap(valid, `"content": "0000`, `"content": "zz00`), sbom.JSON, sbom.ErrInvalid, nil},
		{"xml: bad type", swap(validXML, `type="library"`, `type="gadget"`), sbom.XML, sbom.ErrInvalid, nil},
		{"xml: bad hash", swap(validXML, `">0000000`, `">zz00000`), sbom.XML, sbom.ErrInvalid, nil},
		{"xml: bad timestamp", swap(validXML, `<metadata>`, `<metadata><timestamp>x</timestamp>`), sbom.XML, sbom.ErrInvalid, nil},
		{"xml: no name", swap(validXML, `<name>golang.org/x/text</name>`, ``), sbom.XML, sbom.ErrInvalid, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sbom.Read(strings.NewReader(tc.in), tc.f, tc.opts...)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestValidationErrorLists(t *testing.T) {
	valid, err := os.ReadFile("testdata/read/tools-object-1.5.json")
	require.NoError(t, err)
	bad := strings.Replace(string(valid), `"type": "library",`, `"type": "gadget",`, 1)
	_, err = sbom.Read(strings.NewReader(bad), sbom.JSON)
	var ve *sbom.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.NotEmpty(t, ve.Problems)
	assert.Contains(t, strings.Join(ve.Problems, "\n"), "/components/0/type")
}

func TestCheckNoSubject(t *testing.T) {
	in := `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}`
	doc, err := sbom.Read(strings.NewReader(in), sbom.JSON)
	require.NoError(t, err)
	require.ErrorIs(t, sbom.Check(doc, one), sbom.ErrNoSubject)
	in = `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"component":{"type":"file","name":"x","hashes":[{"alg":"MD5","content":"00000000000000000000000000000000"}]}}}`
	doc, err = sbom.Read(strings.NewReader(in), sbom.JSON)
	require.NoError(t, err)
	require.ErrorIs(t, sbom.Check(doc, one), sbom.ErrNoSubject)
	require.ErrorIs(t, sbom.Check(doc, sbom.Subject{SHA256: "x"}), sbom.ErrInvalidDigest)
}

func TestSHA512Mismatch(t *testing.T) {
	a := subjectOf(t, "a", []byte("a"))
	doc, err := sbom.ForArtifact(a)
	require.NoError(t, err)
	b := subjectOf(t, "b", []byte("b"))
	b.SHA256 = a.SHA256 // a forged SHA-256 with a SHA-512 that does not follow
	err = sbom.Check(doc, b)
	var me *sbom.MismatchError
	require.ErrorAs(t, err, &me)
	assert.True(t, strings.HasPrefix(me.Want, "sha512:"))
}

func FuzzRead(f *testing.F) {
	for _, name := range []string{"tools-array-1.4.json", "tools-object-1.5.json", "syft-1.6.xml", "tools-legacy-1.4.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", "read", name))
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6"}`))
	f.Add([]byte(`<!DOCTYPE x><bom/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []sbom.Format{sbom.JSON, sbom.XML} {
			doc, err := sbom.Read(bytes.NewReader(data), format, sbom.WithMaxSize(1<<20))
			if err != nil {
				continue
			}
			// What Read accepts re-encodes and reads back as the same
			// document.
			out, err := doc.Bytes(format)
			if err != nil {
				t.Fatalf("re-encode: %v", err)
			}
			again, err := sbom.Read(bytes.NewReader(out), format)
			if err != nil {
				t.Fatalf("decode re-encoded %s: %v\n%s", format, err, out)
			}
			out2, err := again.Bytes(format)
			if err != nil || !bytes.Equal(out, out2) {
				t.Fatalf("second round trip differs: %v", err)
			}
			_, _ = doc.Subject()
		}
	})
}

// TestJSONCaseFoldDuplicates: encoding/json matches keys without regard to
// case, so "Payload" after "payload" would silently win.
func TestJSONCaseFoldDuplicates(t *testing.T) {
	s := newEdSigner(1)
	env, err := sbom.SignEnvelope(context.Background(), sbom.PayloadType, []byte(`{"a":1}`), s)
	require.NoError(t, err)
	other := base64.StdEncoding.EncodeToString([]byte(`{"a":2}`))
	edited := bytes.Replace(env, []byte(`"payload":`), []byte(`"Payload":"`+other+`","payload":`), 1)
	_, err = sbom.OpenEnvelope(context.Background(), edited, sbom.PayloadType, verifyAt, s.verifier())
	assert.ErrorIs(t, err, &sbom.Error{Reason: "malformed DSSE envelope"})
	edited = bytes.Replace(env, []byte(`"signatures":`), []byte(`"payloadType":"x","signatures":`), 1)
	edited = bytes.Replace(edited, []byte(`"payloadType":"x"`), []byte(`"payloadtype":"x"`), 1)
	_, err = sbom.OpenEnvelope(context.Background(), edited, sbom.PayloadType, verifyAt, s.verifier())
	assert.ErrorIs(t, err, &sbom.Error{Reason: "malformed DSSE envelope"})

	art := sbom.Subject{Name: "a", SHA256: strings.Repeat("a", 64)}
	doc, err := sbom.ForArtifact(art)
	require.NoError(t, err)
	b, err := doc.Bytes(sbom.JSON)
	require.NoError(t, err)
	// a second metadata under another case
	b2 := bytes.Replace(b, []byte(`"metadata": {`), []byte(`"Metadata": {"component":{"type":"file","name":"x","hashes":[{"alg":"SHA-256","content":"`+strings.Repeat("b", 64)+`"}]}},
  "metadata": {`), 1)
	require.NotEqual(t, b, b2)
	_, err = sbom.Read(bytes.NewReader(b2), sbom.JSON)
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
	d2, err := sbom.Read(bytes.NewReader(two), sbom.JSON)
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
	_, err = sbom.Read(bytes.NewReader(data), sbom.XML)
	require.NoError(t, err)
	for _, tail := range []string{"junk", "<bom/>", "<!-- c -->x"} {
		_, err = sbom.Read(bytes.NewReader(append(bytes.Clone(data), tail...)), sbom.XML)
		assert.Error(t, err, tail)
	}
	for _, head := range []string{`<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x "y">]>`, `<!DOCTYPE bom SYSTEM "file:///etc/passwd">`} {
		body := bytes.TrimPrefix(data, []byte(`<?xml version="1.0" encoding="UTF-8"?>`))
		_, err = sbom.Read(bytes.NewReader(append([]byte(head), body...)), sbom.XML)
		assert.ErrorIs(t, err, sbom.ErrMalformed, head)
	}
}

func TestReadSPDXTagValue(t *testing.T) {
	for _, f := range []sbom.Format{sbom.JSON, sbom.XML} {
		_, err := sbom.Read(strings.NewReader("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n"), f)
		assert.ErrorIs(t, err, sbom.ErrWrongFormat, f)
	}
}

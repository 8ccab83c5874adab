package sbom

import (
	"bytes"
	"embed"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/releasekit/releasekit/internal/strictjson"
)

// Default limits of Read.
const (
	DefaultMaxSize  = 64 << 20 // bytes
	DefaultMaxDepth = 64       // nested objects and arrays (JSON) or elements (XML)
)

// A ReadOption configures Read.
type ReadOption func(*readConfig)

type readConfig struct {
	maxSize  int64
	maxDepth int
}

// WithMaxSize sets the largest document Read accepts, in bytes
// (default DefaultMaxSize).
func WithMaxSize(n int64) ReadOption { return func(c *readConfig) { c.maxSize = n } }

// WithMaxDepth sets the deepest nesting Read accepts (default
// DefaultMaxDepth).
func WithMaxDepth(n int) ReadOption { return func(c *readConfig) { c.maxDepth = n } }

// Read reads one CycloneDX SBOM in format f, as made by this package or
// by other tools (cyclonedx-gomod, syft, ...), spec versions 1.4 to 1.7,
// and checks it before returning it:
//
//   - at most the size limit (ErrTooLarge);
//   - JSON: one value with no trailing data, no duplicate object keys (nor
//     keys that differ only in case), no nesting deeper than the limit; XML:
//     no DOCTYPE or entity declaration, one root element and no text outside
//     it, no nesting deeper than the limit (ErrMalformed);
//   - CycloneDX in format f: bomFormat "CycloneDX" in JSON, the CycloneDX
//     namespace on a bom element in XML; SPDX or the other encoding is
//     ErrWrongFormat;
//   - a specVersion from 1.4 to 1.7 (ErrUnsupportedSpecVersion);
//   - valid against the official CycloneDX JSON schema of that version,
//     embedded in this package (XML is checked through its JSON encoding,
//     after checking component types and names and the serial number:
//     there is no XSD validator in Go). A violation is a *ValidationError
//     wrapping ErrInvalid.
//
// metadata.tools may be the legacy array or the 1.5+ object. Read does
// not check the subject: call Check.
func Read(r io.Reader, f Format, opts ...ReadOption) (*Document, error) {
	c := readConfig{maxSize: DefaultMaxSize, maxDepth: DefaultMaxDepth}
	for _, o := range opts {
		o(&c)
	}
	data, err := io.ReadAll(io.LimitReader(r, c.maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read sbom: %w", err)
	}
	if int64(len(data)) > c.maxSize {
		return nil, fmt.Errorf("read sbom: %w: over %d bytes", ErrTooLarge, c.maxSize)
	}
	d, err := decode(data, f, c)
	if err != nil {
		return nil, fmt.Errorf("read sbom: %w", err)
	}
	return d, nil
}

func decode(data []byte, f Format, c readConfig) (*Document, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	looksXML := len(trimmed) > 0 && trimmed[0] == '<'
	switch f {
	case JSON:
		if looksXML {
			return nil, fmt.Errorf("%w: XML where JSON was expected", ErrWrongFormat)
		}
		if bytes.HasPrefix(trimmed, []byte("SPDXVersion:")) {
			return nil, fmt.Errorf("%w: SPDX tag-value document", ErrWrongFormat)
		}
		return decodeJSON(data, c)
	case XML:
		if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
			return nil, fmt.Errorf("%w: JSON where XML was expected", ErrWrongFormat)
		}
		if bytes.HasPrefix(trimmed, []byte("SPDXVersion:")) {
			return nil, fmt.Errorf("%w: SPDX tag-value document", ErrWrongFormat)
		}
		return decodeXML(data, c)
	}
	return nil, fmt.Errorf("%w: unknown format %q", ErrWrongFormat, f)
}

func decodeJSON(data []byte, c readConfig) (*Document, error) {
	if err := strictJSON(data, c.maxDepth); err != nil {
		return nil, err
	}
	var head struct {
		BOMFormat   *string `json:"bomFormat"`
		SpecVersion *string `json:"specVersion"`
		SPDXVersion *string `json:"spdxVersion"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrWrongFormat, err)
	}
	switch {
	case head.SPDXVersion != nil:
		return nil, fmt.Errorf("%w: SPDX document (spdxVersion %q)", ErrWrongFormat, *head.SPDXVersion)
	case head.BOMFormat == nil || *head.BOMFormat != "CycloneDX":
		return nil, fmt.Errorf("%w: bomFormat is not \"CycloneDX\"", ErrWrongFormat)
	case head.SpecVersion == nil:
		return nil, fmt.Errorf("%w: no specVersion", ErrUnsupportedSpecVersion)
	}
	v := SpecVersion(*head.SpecVersion)
	if _, ok := specVersions[v]; !ok {
		return nil, fmt.Errorf("%w: %q (read 1.4 to 1.7)", ErrUnsupportedSpecVersion, v)
	}
	if err := validateSchema(data, v); err != nil {
		return nil, err
	}
	bom := new(cdx.BOM)
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(bom); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if bom.Version == 0 {
		bom.Version = 1 // the schema's default, so that the document re-encodes validly
	}
	return &Document{bom: bom, spec: v}, nil
}

// strictJSON checks that data is exactly one JSON value, without duplicate
// keys in any object (also keys that differ only in case, which
// encoding/json does not tell apart) and nested at most maxDepth deep.
func strictJSON(data []byte, maxDepth int) error {
	if err := strictjson.Check(data, strictjson.Options{MaxDepth: maxDepth}); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return nil
}

const cdxNamespacePrefix = "http://cyclonedx.org/schema/bom/"

func decodeXML(data []byte, c readConfig) (*Document, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	depth := 0
	var ns string
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, fmt.Errorf("%w: XML directive (DOCTYPE or ENTITY) not allowed", ErrMalformed)
		case xml.StartElement:
			if depth == 0 {
				if ns != "" {
					return nil, fmt.Errorf("%w: more than one root element", ErrMalformed)
				}
				if t.Name.Local != "bom" {
					if t.Name.Local == "SpdxDocument" || strings.Contains(t.Name.Space, "spdx") {
						return nil, fmt.Errorf("%w: SPDX document", ErrWrongFormat)
					}
					return nil, fmt.Errorf("%w: root element is <%s>, not a CycloneDX <bom>", ErrWrongFormat, t.Name.Local)
				}
				for _, a := range t.Attr {
					if a.Name.Space == "" && a.Name.Local == "xmlns" {
						ns = a.Value
					}
				}
				if ns == "" {
					ns = "none"
				}
			}
			depth++
			if depth > c.maxDepth {
				return nil, fmt.Errorf("%w: nesting deeper than %d", ErrMalformed, c.maxDepth)
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return nil, fmt.Errorf("%w: text outside the root element", ErrMalformed)
			}
		}
	}
	v, ok := strings.CutPrefix(ns, cdxNamespacePrefix)
	if !ok {
		return nil, fmt.Errorf("%w: namespace %q is not CycloneDX", ErrWrongFormat, ns)
	}
	if _, ok := specVersions[SpecVersion(v)]; !ok {
		return nil, fmt.Errorf("%w: %q (read 1.4 to 1.7)", ErrUnsupportedSpecVersion, v)
	}
	bom := new(cdx.BOM)
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatXML).Decode(bom); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if err := checkStructure(bom); err != nil {
		return nil, err
	}
	if bom.Version == 0 {
		bom.Version = 1
	}
	bom.BOMFormat = cdx.BOMFormat // not an XML field; the JSON schema requires it
	// Go has no XSD validator: hold what was read to the JSON schema of the
	// same version, through the JSON encoding of the same model.
	var js bytes.Buffer
	if err := cdx.NewBOMEncoder(&js, cdx.BOMFileFormatJSON).EncodeVersion(bom, specVersions[SpecVersion(v)]); err != nil {
		return nil, &ValidationError{Problems: []string{err.Error()}}
	}
	if err := validateSchema(js.Bytes(), SpecVersion(v)); err != nil {
		return nil, err
	}
	return &Document{bom: bom, spec: SpecVersion(v)}, nil
}

// checkStructure applies the schema rules an XML document is held to here
// (there is no XSD validator in Go).
func checkStructure(bom *cdx.BOM) error {
	var problems []string
	if bom.SerialNumber != "" && !validSerialAnyCase(bom.SerialNumber) {
		problems = append(problems, fmt.Sprintf("serialNumber %q is not urn:uuid:<uuid>", bom.SerialNumber))
	}
	check := func(where string, c *cdx.Component) {
		if c.Name == "" {
			problems = append(problems, where+": component without a name")
		}
		if !validComponentType(c.Type) {
			problems = append(problems, fmt.Sprintf("%s: component type %q", where, c.Type))
		}
	}
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		check("metadata.component", bom.Metadata.Component)
	}
	if bom.Components != nil {
		for i := range *bom.Components {
			check(fmt.Sprintf("components[%d]", i), &(*bom.Components)[i])
		}
	}
	if len(problems) > 0 {
		return &ValidationError{Problems: problems}
	}
	return nil
}

func validSerialAnyCase(s string) bool {
	return validSerial(strings.ToLower(s))
}

func validComponentType(t cdx.ComponentType) bool {
	switch t {
	case cdx.ComponentTypeApplication, cdx.ComponentTypeContainer, cdx.ComponentTypeData,
		cdx.ComponentTypeDevice, cdx.ComponentTypeDeviceDriver, cdx.ComponentTypeFile,
		cdx.ComponentTypeFirmware, cdx.ComponentTypeFramework, cdx.ComponentTypeLibrary,
		cdx.ComponentTypeMachineLearningModel, cdx.ComponentTypeOS, cdx.ComponentTypePlatform,
		cdx.ComponentTypeCryptographicAsset:
		return true
	}
	return false
}

//go:embed schema/*.json
var schemaFS embed.FS

// schemas compiles each embedded schema once, on first use. Like a
// compiled regexp, a compiled schema is immutable and safe to share.
var schemas = map[SpecVersion]func() (*jsonschema.Schema, error){
	"1.4": sync.OnceValues(func() (*jsonschema.Schema, error) { return compileSchema("1.4") }),
	"1.5": sync.OnceValues(func() (*jsonschema.Schema, error) { return compileSchema("1.5") }),
	"1.6": sync.OnceValues(func() (*jsonschema.Schema, error) { return compileSchema("1.6") }),
	"1.7": sync.OnceValues(func() (*jsonschema.Schema, error) { return compileSchema("1.7") }),
}

// cryptoDefsStandIn replaces cryptography-defs.schema.json, which
// cyclonedx-go does not ship (see schema/README.md).
const cryptoDefsStandIn = `{"$schema":"http://json-schema.org/draft-07/schema#",
"$id":"http://cyclonedx.org/schema/cryptography-defs.schema.json",
"definitions":{"algorithmFamiliesEnum":{"type":"string"},"ellipticCurvesEnum":{"type":"string"}}}`

func compileSchema(v SpecVersion) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{})
	add := func(url string, data []byte) error {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return err
		}
		return c.AddResource(url, doc)
	}
	for _, f := range []struct{ url, file string }{
		{"http://cyclonedx.org/schema/spdx.schema.json", "schema/spdx.schema.json"},
		{"http://cyclonedx.org/schema/jsf-0.82.schema.json", "schema/jsf-0.82.schemax.json"},
		{"http://cyclonedx.org/schema/bom-" + string(v) + ".schema.json", "schema/bom-" + string(v) + ".schema.json"},
	} {
		data, err := schemaFS.ReadFile(f.file)
		if err != nil {
			return nil, err
		}
		if err := add(f.url, data); err != nil {
			return nil, err
		}
	}
	if err := add("http://cyclonedx.org/schema/cryptography-defs.schema.json", []byte(cryptoDefsStandIn)); err != nil {
		return nil, err
	}
	return c.Compile("http://cyclonedx.org/schema/bom-" + string(v) + ".schema.json")
}

// noLoader refuses every URL not added as a resource: no network, no files.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not embedded", url)
}

func validateSchema(data []byte, v SpecVersion) error {
	compile, ok := schemas[v]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnsupportedSpecVersion, v)
	}
	sch, err := compile()
	if err != nil {
		return fmt.Errorf("compile CycloneDX %s schema: %w", v, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if err := sch.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return &ValidationError{Problems: leafProblems(ve)}
		}
		return &ValidationError{Problems: []string{err.Error()}}
	}
	return nil
}

func leafProblems(ve *jsonschema.ValidationError) []string {
	if len(ve.Causes) == 0 {
		// The last line of the error is "- at '/path': reason".
		msg := strings.TrimSpace(ve.Error())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		return []string{strings.TrimPrefix(strings.TrimSpace(msg), "- ")}
	}
	var out []string
	for _, c := range ve.Causes {
		out = append(out, leafProblems(c)...)
	}
	return out
}

// Check returns nil when doc's subject (metadata.component) carries the
// artifact's SHA-256 (and its SHA-512, when both sides have one). It
// returns ErrNoSubject when doc names no digest and a *MismatchError
// wrapping ErrSubjectMismatch when the digests differ.
func Check(doc *Document, artifact Subject) error {
	if err := artifact.Validate(); err != nil {
		return fmt.Errorf("check sbom: %w", err)
	}
	s, err := doc.Subject()
	if err != nil {
		return fmt.Errorf("check sbom: %w", err)
	}
	if err := artifact.matches(s); err != nil {
		return fmt.Errorf("check sbom: %w", err)
	}
	return nil
}

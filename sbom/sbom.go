package sbom

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// A Subject is an artifact named by its digests: what an SBOM, a statement
// or a provenance is about. SHA256 is required; SHA512 is checked when both
// sides have it. Digests are lower-case hex.
type Subject struct {
	Name   string // file name or image reference; informative, never compared
	SHA256 string
	SHA512 string
}

// SubjectOf reads r to its end and returns the subject name with the SHA-256
// and SHA-512 of what it read.
func SubjectOf(name string, r io.Reader) (Subject, error) {
	h256, h512 := sha256.New(), sha512.New()
	if _, err := io.Copy(io.MultiWriter(h256, h512), r); err != nil {
		return Subject{}, fmt.Errorf("digest %s: %w", name, err)
	}
	return Subject{
		Name:   name,
		SHA256: hex.EncodeToString(h256.Sum(nil)),
		SHA512: hex.EncodeToString(h512.Sum(nil)),
	}, nil
}

// Validate returns ErrInvalidDigest unless SHA256 is 64 lower-case hex
// digits and SHA512, when set, is 128.
func (s Subject) Validate() error {
	if !isHex(s.SHA256, sha256.Size) {
		return fmt.Errorf("%w: sha256 %q", ErrInvalidDigest, s.SHA256)
	}
	if s.SHA512 != "" && !isHex(s.SHA512, sha512.Size) {
		return fmt.Errorf("%w: sha512 %q", ErrInvalidDigest, s.SHA512)
	}
	return nil
}

// Digest returns "sha256:<hex>".
func (s Subject) Digest() string { return "sha256:" + s.SHA256 }

// ParseDigest reads "sha256:<hex>" or "sha512:<hex>" into a subject with
// that one digest. It returns ErrInvalidDigest for anything else.
func ParseDigest(name, digest string) (Subject, error) {
	alg, h, ok := strings.Cut(digest, ":")
	switch {
	case ok && alg == "sha256" && isHex(h, sha256.Size):
		return Subject{Name: name, SHA256: h}, nil
	case ok && alg == "sha512" && isHex(h, sha512.Size):
		return Subject{}, fmt.Errorf("%w: a sha256 digest is required, got %q", ErrInvalidDigest, digest)
	}
	return Subject{}, fmt.Errorf("%w: %q", ErrInvalidDigest, digest)
}

func isHex(s string, n int) bool {
	if len(s) != 2*n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// matches returns the mismatch between the subject s expects and got, or nil.
func (s Subject) matches(got Subject) error {
	if got.SHA256 != s.SHA256 {
		return &MismatchError{Kind: ErrSubjectMismatch, Want: "sha256:" + s.SHA256, Got: prefixed("sha256", got.SHA256)}
	}
	if s.SHA512 != "" && got.SHA512 != "" && s.SHA512 != got.SHA512 {
		return &MismatchError{Kind: ErrSubjectMismatch, Want: "sha512:" + s.SHA512, Got: "sha512:" + got.SHA512}
	}
	return nil
}

func prefixed(alg, h string) string {
	if h == "" {
		return ""
	}
	return alg + ":" + h
}

// A Format is an SBOM encoding.
type Format string

// The formats.
const (
	JSON Format = "json"
	XML  Format = "xml"
)

// ParseFormat reads "json" or "xml"; it returns ErrWrongFormat otherwise.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case JSON, XML:
		return Format(s), nil
	}
	return "", fmt.Errorf("%w: unknown format %q", ErrWrongFormat, s)
}

// A SpecVersion is a CycloneDX specification version, "1.6".
type SpecVersion string

// The specification versions this package writes. It reads 1.4 too.
const (
	Spec1_5 SpecVersion = "1.5"
	Spec1_6 SpecVersion = "1.6"
	Spec1_7 SpecVersion = "1.7"
	// DefaultSpec is the version written when none is chosen.
	DefaultSpec = Spec1_6
)

var specVersions = map[SpecVersion]cdx.SpecVersion{
	"1.4": cdx.SpecVersion1_4,
	"1.5": cdx.SpecVersion1_5,
	"1.6": cdx.SpecVersion1_6,
	"1.7": cdx.SpecVersion1_7,
}

// ParseSpecVersion reads a version this package can write (1.5, 1.6, 1.7);
// it returns ErrUnsupportedSpecVersion otherwise.
func ParseSpecVersion(s string) (SpecVersion, error) {
	v := SpecVersion(s)
	if _, ok := specVersions[v]; !ok || v == "1.4" {
		return "", fmt.Errorf("%w: %q (write 1.5, 1.6 or 1.7)", ErrUnsupportedSpecVersion, s)
	}
	return v, nil
}

// MediaType returns the IANA media type of a CycloneDX document in format f
// and version v, "application/vnd.cyclonedx+json; version=1.6".
func MediaType(f Format, v SpecVersion) string {
	return "application/vnd.cyclonedx+" + string(f) + "; version=" + string(v)
}

// A Component is one entry of an SBOM, as this package reports it.
type Component struct {
	Type       string     // CycloneDX component type: "application", "library", "file", ...
	Name       string     // for Go modules, the module path
	Version    string     // for Go modules, the module version
	PURL       string     // package URL, "pkg:golang/golang.org/x/text@v0.3.0"
	Hashes     []Hash     // sorted by algorithm
	Properties []Property // sorted by name, then value
}

// A Hash is a CycloneDX hash: algorithm as CycloneDX spells it ("SHA-256")
// and lower-case hex content.
type Hash struct {
	Algorithm string
	Value     string
}

// A Property is a CycloneDX name/value property.
type Property struct {
	Name  string
	Value string
}

// A Document is a CycloneDX SBOM: one this package generated, or one it read
// and checked. A Document is immutable; its methods are safe for concurrent
// use and return fresh slices.
type Document struct {
	bom  *cdx.BOM
	spec SpecVersion
}

// SpecVersion returns the version the document is written in.
func (d *Document) SpecVersion() SpecVersion { return d.spec }

// SerialNumber returns the document's serial number, "urn:uuid:...".
func (d *Document) SerialNumber() string { return d.bom.SerialNumber }

// Subject returns the artifact the SBOM describes: metadata.component with
// its SHA-256 and SHA-512 hashes. It returns ErrNoSubject when there is no
// metadata.component, no SHA-256 hash on it, or two different hashes of
// the same algorithm (an ambiguous subject).
func (d *Document) Subject() (Subject, error) {
	if d.bom.Metadata == nil || d.bom.Metadata.Component == nil {
		return Subject{}, fmt.Errorf("%w: no metadata.component", ErrNoSubject)
	}
	c := d.bom.Metadata.Component
	s := Subject{Name: c.Name}
	if c.Hashes != nil {
		for _, h := range *c.Hashes {
			var dst *string
			switch h.Algorithm {
			case cdx.HashAlgoSHA256:
				dst = &s.SHA256
			case cdx.HashAlgoSHA512:
				dst = &s.SHA512
			default:
				continue
			}
			v := strings.ToLower(h.Value)
			if *dst != "" && *dst != v {
				// Two digests of one algorithm name two artifacts: binding
				// to either would depend on their order.
				return Subject{}, fmt.Errorf("%w: metadata.component %q has two different %s hashes", ErrNoSubject, c.Name, h.Algorithm)
			}
			*dst = v
		}
	}
	if s.SHA256 == "" {
		return Subject{}, fmt.Errorf("%w: metadata.component %q has no SHA-256 hash", ErrNoSubject, c.Name)
	}
	return s, nil
}

// SubjectDigest returns the "sha256:<hex>" digest of the artifact the SBOM
// describes ([Document.Subject]), or ErrNoSubject as Subject does. It is
// what a release record checks an SBOM against when it is attached
// (manifest.Record.WithSBOM).
func (d *Document) SubjectDigest() (string, error) {
	s, err := d.Subject()
	if err != nil {
		return "", err
	}
	return s.Digest(), nil
}

// Component returns the subject component (metadata.component) and whether
// the document has one.
func (d *Document) Component() (Component, bool) {
	if d.bom.Metadata == nil || d.bom.Metadata.Component == nil {
		return Component{}, false
	}
	return fromCDX(d.bom.Metadata.Component), true
}

// Components returns the document's top-level components in document order.
// The slice is the caller's.
func (d *Document) Components() []Component {
	if d.bom.Components == nil {
		return nil
	}
	out := make([]Component, 0, len(*d.bom.Components))
	for i := range *d.bom.Components {
		out = append(out, fromCDX(&(*d.bom.Components)[i]))
	}
	return out
}

// Property returns the value of the first document-level property (metadata
// properties) named name.
func (d *Document) Property(name string) (string, bool) {
	if d.bom.Metadata == nil || d.bom.Metadata.Properties == nil {
		return "", false
	}
	for _, p := range *d.bom.Metadata.Properties {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

func fromCDX(c *cdx.Component) Component {
	out := Component{Type: string(c.Type), Name: c.Name, Version: c.Version, PURL: c.PackageURL}
	if c.Hashes != nil {
		for _, h := range *c.Hashes {
			out.Hashes = append(out.Hashes, Hash{Algorithm: string(h.Algorithm), Value: h.Value})
		}
	}
	if c.Properties != nil {
		for _, p := range *c.Properties {
			out.Properties = append(out.Properties, Property{Name: p.Name, Value: p.Value})
		}
	}
	return out
}

// Encode writes the document to w in format f, in the document's spec
// version, indented, with a final newline. The same document always encodes
// to the same bytes.
func (d *Document) Encode(w io.Writer, f Format) error {
	var buf bytes.Buffer
	if err := d.encode(&buf, f); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Bytes returns the document encoded as by Encode.
func (d *Document) Bytes(f Format) ([]byte, error) {
	var buf bytes.Buffer
	if err := d.encode(&buf, f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (d *Document) encode(buf *bytes.Buffer, f Format) error {
	var cf cdx.BOMFileFormat
	switch f {
	case JSON:
		cf = cdx.BOMFileFormatJSON
	case XML:
		cf = cdx.BOMFileFormatXML
	default:
		return fmt.Errorf("encode sbom: %w: unknown format %q", ErrWrongFormat, f)
	}
	v, ok := specVersions[d.spec]
	if !ok {
		return fmt.Errorf("encode sbom: %w: %q", ErrUnsupportedSpecVersion, d.spec)
	}
	enc := cdx.NewBOMEncoder(buf, cf).SetPretty(true).SetEscapeHTML(false)
	if err := enc.EncodeVersion(d.bom, v); err != nil {
		return fmt.Errorf("encode sbom: %w", err)
	}
	if f == XML {
		buf.WriteByte('\n')
	}
	return nil
}

func sortComponents(cs []cdx.Component) {
	for i := range cs {
		if cs[i].Hashes != nil {
			slices.SortFunc(*cs[i].Hashes, func(a, b cdx.Hash) int { return strings.Compare(string(a.Algorithm), string(b.Algorithm)) })
		}
		if cs[i].Properties != nil {
			slices.SortStableFunc(*cs[i].Properties, func(a, b cdx.Property) int {
				if c := strings.Compare(a.Name, b.Name); c != 0 {
					return c
				}
				return strings.Compare(a.Value, b.Value)
			})
		}
	}
	slices.SortFunc(cs, func(a, b cdx.Component) int {
		if c := strings.Compare(a.BOMRef, b.BOMRef); c != 0 {
			return c
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Version, b.Version)
	})
}

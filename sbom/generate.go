package sbom

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Property names this package writes.
const (
	PropGoVersion  = "releasekit:go:version"         // Go toolchain that built the binary
	PropGoSetting  = "releasekit:go:build:"          // prefix of one build setting, "releasekit:go:build:vcs.revision"
	PropGoSum      = "releasekit:go:sum"             // the h1: sum go.sum or the build recorded
	PropGoReplace  = "releasekit:go:replace"         // the directory a module was replaced by
	PropGoReplaces = "releasekit:go:replaces"        // "path@version" of the module a replacement stands for
	PropGoMain     = "releasekit:go:main"            // main module path
	PropIndirect   = "releasekit:go:indirect"        // "true" for an indirect requirement
	PropSource     = "releasekit:source"             // what the components were read from
	PropPrecision  = "releasekit:precision"          // what the component list does and does not claim
	PropFallback   = "releasekit:go:list:error"      // why `go list` could not be used
	toolName       = "releasekit-sbom"               // metadata.tools component name
	serialNamePref = "releasekit-sbom-serial-v1\x00" // domain of derived serial numbers
)

// An Option configures generation and merging.
type Option func(*config)

type config struct {
	spec      SpecVersion
	serial    string
	timestamp time.Time
	goCmd     string
	noGo      bool
	env       []string
}

func newConfig(opts []Option) (config, error) {
	c := config{spec: DefaultSpec, goCmd: "go"}
	for _, o := range opts {
		o(&c)
	}
	if _, err := ParseSpecVersion(string(c.spec)); err != nil {
		return c, err
	}
	if c.serial != "" && !validSerial(c.serial) {
		return c, fmt.Errorf("%w: serial number %q is not urn:uuid:<uuid>", ErrInvalid, c.serial)
	}
	return c, nil
}

// WithSpecVersion selects the CycloneDX version written (1.5, 1.6 or 1.7;
// default 1.6). An unsupported version makes generation fail with
// ErrUnsupportedSpecVersion.
func WithSpecVersion(v SpecVersion) Option { return func(c *config) { c.spec = v } }

// WithSerialNumber sets the serial number, "urn:uuid:<uuid>". By default it
// is derived from the subject and the components, so the same input gives
// the same document.
func WithSerialNumber(urn string) Option { return func(c *config) { c.serial = urn } }

// WithTimestamp sets metadata.timestamp. By default there is none, so the
// same input gives the same document.
func WithTimestamp(t time.Time) Option { return func(c *config) { c.timestamp = t } }

// WithGoCommand runs path instead of "go" for `go list` in FromModule.
func WithGoCommand(path string) Option { return func(c *config) { c.goCmd = path } }

// WithoutGoCommand makes FromModule read go.mod and go.sum only.
func WithoutGoCommand() Option { return func(c *config) { c.noGo = true } }

// WithEnv sets the whole environment of the go command FromModule runs
// (default: the process environment). GOFLAGS=-mod=readonly, GOPROXY=off,
// GOWORK=off and GOTOOLCHAIN=local are always added after it.
func WithEnv(env []string) Option {
	return func(c *config) { c.env = slices.Clone(env) }
}

func validSerial(s string) bool {
	u, ok := strings.CutPrefix(s, "urn:uuid:")
	if !ok || len(u) != 36 {
		return false
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// newBOM returns a BOM with the tool and the options applied; finish sorts
// it and sets the serial number.
func newBOM(c config, subject *cdx.Component, props []cdx.Property) *cdx.BOM {
	bom := cdx.NewBOM()
	bom.JSONSchema = ""
	bom.XMLNS = ""
	bom.Metadata = &cdx.Metadata{
		Tools:     &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication, Name: toolName}}},
		Component: subject,
	}
	if !c.timestamp.IsZero() {
		bom.Metadata.Timestamp = c.timestamp.UTC().Format(time.RFC3339)
	}
	if len(props) > 0 {
		sortProps(props)
		bom.Metadata.Properties = &props
	}
	return bom
}

func finish(c config, bom *cdx.BOM) *Document {
	if bom.Components != nil {
		sortComponents(*bom.Components)
	}
	if bom.Dependencies != nil {
		for i := range *bom.Dependencies {
			if d := (*bom.Dependencies)[i].Dependencies; d != nil {
				slices.Sort(*d)
				*d = slices.Compact(*d)
			}
		}
		slices.SortFunc(*bom.Dependencies, func(a, b cdx.Dependency) int { return strings.Compare(a.Ref, b.Ref) })
	}
	if c.serial != "" {
		bom.SerialNumber = c.serial
	} else {
		bom.SerialNumber = derivedSerial(bom, c.spec)
	}
	return &Document{bom: bom, spec: c.spec}
}

// derivedSerial is a UUID (version 8, RFC 9562) from the SHA-256 of the spec
// version, the subject and every component reference.
func derivedSerial(bom *cdx.BOM, spec SpecVersion) string {
	h := sha256.New()
	io.WriteString(h, serialNamePref+string(spec)+"\x00")
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		m := bom.Metadata.Component
		io.WriteString(h, m.Name+"\x00"+m.Version+"\x00"+m.PackageURL+"\x00")
		if m.Hashes != nil {
			for _, x := range *m.Hashes {
				io.WriteString(h, string(x.Algorithm)+"="+x.Value+"\x00")
			}
		}
	}
	if bom.Components != nil {
		for _, c := range *bom.Components {
			io.WriteString(h, c.BOMRef+"\x00"+c.Name+"\x00"+c.Version+"\x00")
		}
	}
	b := h.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x80 // version 8
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	x := hex.EncodeToString(b)
	return "urn:uuid:" + x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

func sortProps(ps []cdx.Property) {
	slices.SortStableFunc(ps, func(a, b cdx.Property) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
}

func subjectHashes(s Subject) *[]cdx.Hash {
	hs := []cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: s.SHA256}}
	if s.SHA512 != "" {
		hs = append(hs, cdx.Hash{Algorithm: cdx.HashAlgoSHA512, Value: s.SHA512})
	}
	return &hs
}

// ForArtifact returns a minimal SBOM for any artifact (a tarball, an OCI
// image): metadata.component is a "file" component named s.Name with its
// digests, and there are no components yet. Complete it with Merge. It
// returns ErrInvalidDigest for a bad subject and ErrUnsupportedSpecVersion.
func ForArtifact(s Subject, opts ...Option) (*Document, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, fmt.Errorf("sbom for artifact: %w", err)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("sbom for artifact: %w", err)
	}
	name := s.Name
	if name == "" {
		name = s.Digest()
	}
	subj := &cdx.Component{
		BOMRef: "artifact:" + s.Digest(),
		Type:   cdx.ComponentTypeFile,
		Name:   name,
		Hashes: subjectHashes(s),
	}
	bom := newBOM(c, subj, []cdx.Property{{Name: PropPrecision, Value: "subject only: components come from SBOMs merged in"}})
	return finish(c, bom), nil
}

// WithSubject returns a copy of d whose metadata.component carries the
// digests of s (replacing any it had), binding an SBOM made from sources,
// such as FromModule's, to the artifact built from them.
func (d *Document) WithSubject(s Subject) (*Document, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("bind sbom: %w", err)
	}
	bom, err := cloneBOM(d.bom)
	if err != nil {
		return nil, err
	}
	if bom.Metadata == nil {
		bom.Metadata = &cdx.Metadata{}
	}
	if bom.Metadata.Component == nil {
		bom.Metadata.Component = &cdx.Component{Type: cdx.ComponentTypeFile, Name: s.Name, BOMRef: "artifact:" + s.Digest()}
	}
	bom.Metadata.Component.Hashes = subjectHashes(s)
	c := config{spec: d.spec}
	return finish(c, bom), nil
}

// cloneBOM deep-copies bom through its JSON encoding (the 1.7 model is a
// superset of every version read).
func cloneBOM(bom *cdx.BOM) (*cdx.BOM, error) {
	var buf strings.Builder
	if err := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON).Encode(bom); err != nil {
		return nil, fmt.Errorf("copy sbom: %w", err)
	}
	out := new(cdx.BOM)
	if err := cdx.NewBOMDecoder(strings.NewReader(buf.String()), cdx.BOMFileFormatJSON).Decode(out); err != nil {
		return nil, fmt.Errorf("copy sbom: %w", err)
	}
	return out, nil
}

// Merge returns a new document with base's metadata and subject and the
// components and dependencies of base and every other document. A component
// that appears more than once (same package URL, or same name and version
// when there is none) is kept once, from the first document that has it.
// Another document that names a subject must name base's; otherwise Merge
// returns ErrSubjectMismatch (a *MismatchError). Merge does not modify its
// arguments.
func Merge(base *Document, others []*Document, opts ...Option) (*Document, error) {
	c, err := newConfig(append([]Option{WithSpecVersion(base.spec)}, opts...))
	if err != nil {
		return nil, fmt.Errorf("merge sbom: %w", err)
	}
	bs, baseErr := base.Subject()
	out, err := cloneBOM(base.bom)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var comps []cdx.Component
	refs := map[string]bool{}
	if out.Metadata != nil && out.Metadata.Component != nil && out.Metadata.Component.BOMRef != "" {
		refs[out.Metadata.Component.BOMRef] = true // bom-refs are unique across the document
	}
	add := func(cs *[]cdx.Component) {
		if cs == nil {
			return
		}
		for _, x := range *cs {
			key := x.PackageURL
			if key == "" {
				key = x.Name + "@" + x.Version
			}
			if seen[key] {
				continue
			}
			if x.BOMRef != "" && refs[x.BOMRef] {
				x.BOMRef = "" // would collide; keep the component, drop its reference
			}
			seen[key] = true
			if x.BOMRef != "" {
				refs[x.BOMRef] = true
			}
			comps = append(comps, x)
		}
	}
	add(out.Components)
	deps := map[string][]string{}
	addDeps := func(ds *[]cdx.Dependency) {
		if ds == nil {
			return
		}
		for _, d := range *ds {
			if d.Dependencies != nil {
				deps[d.Ref] = append(deps[d.Ref], *d.Dependencies...)
			} else if _, ok := deps[d.Ref]; !ok {
				deps[d.Ref] = nil
			}
		}
	}
	addDeps(out.Dependencies)
	for _, o := range others {
		os, err := o.Subject()
		if err == nil {
			if baseErr != nil {
				return nil, fmt.Errorf("merge sbom: base has no subject but another SBOM names %s: %w", os.Digest(), baseErr)
			}
			if err := bs.matches(os); err != nil {
				return nil, fmt.Errorf("merge sbom: %w", err)
			}
		}
		oc, err := cloneBOM(o.bom)
		if err != nil {
			return nil, err
		}
		add(oc.Components)
		addDeps(oc.Dependencies)
	}
	if len(comps) > 0 {
		out.Components = &comps
	}
	if len(deps) > 0 {
		ds := make([]cdx.Dependency, 0, len(deps))
		for ref, d := range deps {
			dd := slices.Clone(d)
			var p *[]string
			if len(dd) > 0 {
				p = &dd
			}
			ds = append(ds, cdx.Dependency{Ref: ref, Dependencies: p})
		}
		out.Dependencies = &ds
	}
	if !c.timestamp.IsZero() {
		out.Metadata.Timestamp = c.timestamp.UTC().Format(time.RFC3339)
	}
	return finish(c, out), nil
}

// goPURL returns the package URL of a Go module, "pkg:golang/path@version",
// each path segment and the version percent-encoded (every byte outside
// the purl unreserved set A-Z a-z 0-9 - . _ ~, so "+incompatible" becomes
// "%2Bincompatible" and a stray "@", "?" or "#" cannot end the name). The
// module path keeps its case: Go module paths are case-sensitive, as the
// purl golang type definition (case_sensitive: true), cyclonedx-gomod and
// syft have it.
func goPURL(path, version string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = purlEscape(s)
	}
	p := "pkg:golang/" + strings.Join(segs, "/")
	if version != "" && version != "(devel)" {
		p += "@" + purlEscape(version)
	}
	return p
}

func purlEscape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// sumHash turns a Go checksum "h1:<base64>" into a SHA-256 hash: h1 is the
// SHA-256 of the module's file list (golang.org/x/mod/sumdb/dirhash), so the
// hex is a SHA-256, not the hash of a file. Other forms give nothing.
func sumHash(sum string) (cdx.Hash, bool) {
	b64, ok := strings.CutPrefix(sum, "h1:")
	if !ok {
		return cdx.Hash{}, false
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(b) != sha256.Size {
		return cdx.Hash{}, false
	}
	return cdx.Hash{Algorithm: cdx.HashAlgoSHA256, Value: hex.EncodeToString(b)}, true
}

// moduleComponent is one Go module as a library component.
func moduleComponent(path, version, sum string, props ...cdx.Property) cdx.Component {
	purl := goPURL(path, version)
	c := cdx.Component{BOMRef: purl, Type: cdx.ComponentTypeLibrary, Name: path, Version: version, PackageURL: purl}
	if h, ok := sumHash(sum); ok {
		c.Hashes = &[]cdx.Hash{h}
		props = append(props, cdx.Property{Name: PropGoSum, Value: sum})
	}
	if len(props) > 0 {
		sortProps(props)
		c.Properties = &props
	}
	return c
}

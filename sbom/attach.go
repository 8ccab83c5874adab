package sbom

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/releasekit/releasekit/internal/strictjson"
)

// A Reference is what a release record keeps about its SBOM: where it is,
// its media type, and the SHA-256 of the document's bytes. Its JSON form is
// the record's field.
type Reference struct {
	Location  string `json:"location"`  // URL or path of the SBOM document
	MediaType string `json:"mediaType"` // "application/vnd.cyclonedx+json; version=1.6"
	SHA256    string `json:"sha256"`    // lower-case hex of the SHA-256 of the document
}

// Attach returns the reference to the SBOM document sbom (the exact bytes
// published) at location, in format f and spec version v. Reference.Open
// refuses a location that Reference.Validate refuses.
func Attach(location string, sbom []byte, f Format, v SpecVersion) Reference {
	sum := sha256.Sum256(sbom)
	return Reference{Location: location, MediaType: MediaType(f, v), SHA256: hex.EncodeToString(sum[:])}
}

// Format returns the format of the referenced document from its media type.
func (r Reference) Format() (Format, error) {
	base, _, _ := strings.Cut(r.MediaType, ";")
	switch strings.TrimSpace(base) {
	case "application/vnd.cyclonedx+json":
		return JSON, nil
	case "application/vnd.cyclonedx+xml":
		return XML, nil
	}
	return "", fmt.Errorf("%w: media type %q", ErrWrongFormat, r.MediaType)
}

// Verify returns nil when sbom's SHA-256 is the one recorded, and a
// *MismatchError wrapping ErrReferenceMismatch when the document was
// swapped or edited.
func (r Reference) Verify(sbom []byte) error {
	sum := sha256.Sum256(sbom)
	got := hex.EncodeToString(sum[:])
	if got != r.SHA256 {
		return &MismatchError{Kind: ErrReferenceMismatch, Want: "sha256:" + r.SHA256, Got: "sha256:" + got}
	}
	return nil
}

// Validate returns ErrInvalidReference unless the reference is usable: a
// location that is not empty, has no control character or backslash, and
// has no ".." element (also percent-encoded), so that resolving it against
// the release's base directory or URL cannot climb out of it; and a SHA-256
// of 64 lower-case hex digits.
func (r Reference) Validate() error {
	if r.Location == "" {
		return fmt.Errorf("%w: empty location", ErrInvalidReference)
	}
	for _, c := range r.Location {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return fmt.Errorf("%w: location %q has a control character or a backslash", ErrInvalidReference, r.Location)
		}
	}
	loc := r.Location
	if _, rest, ok := strings.Cut(loc, "://"); ok {
		loc = rest // scheme://host/path: check the path
	}
	loc, _, _ = strings.Cut(loc, "?")
	loc, _, _ = strings.Cut(loc, "#")
	for _, el := range strings.Split(loc, "/") {
		if el == ".." || strings.EqualFold(strings.ReplaceAll(strings.ReplaceAll(el, "%2e", "."), "%2E", "."), "..") {
			return fmt.Errorf("%w: location %q climbs out with \"..\"", ErrInvalidReference, r.Location)
		}
	}
	if !isHex(r.SHA256, sha256.Size) {
		return fmt.Errorf("%w: sha256 %q is not 64 lower-case hex digits", ErrInvalidReference, r.SHA256)
	}
	return nil
}

// Open validates the reference (Validate), verifies sbom against it,
// decodes it in the referenced format and checks that it describes
// artifact. It returns ErrInvalidReference and the errors of Verify, Read
// and Check.
func (r Reference) Open(sbom []byte, artifact Subject, opts ...ReadOption) (*Document, error) {
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("open sbom: %w", err)
	}
	if err := r.Verify(sbom); err != nil {
		return nil, fmt.Errorf("open sbom %s: %w", r.Location, err)
	}
	f, err := r.Format()
	if err != nil {
		return nil, fmt.Errorf("open sbom %s: %w", r.Location, err)
	}
	doc, err := Read(bytes.NewReader(sbom), f, opts...)
	if err != nil {
		return nil, fmt.Errorf("open sbom %s: %w", r.Location, err)
	}
	if err := Check(doc, artifact); err != nil {
		return nil, fmt.Errorf("open sbom %s: %w", r.Location, err)
	}
	return doc, nil
}

// In-toto identifiers.
const (
	// StatementType is the _type of an in-toto Statement v1, the one this
	// package writes.
	StatementType = "https://in-toto.io/Statement/v1"
	// StatementTypeV01 is the _type of an in-toto Statement v0.1, which
	// cosign attest-blob and in-toto-golang still write. Its fields are
	// those of v1 (_type, subject with name and digest, predicateType,
	// predicate); ParseStatement and VerifyProvenance accept it, and no
	// function of this package writes it.
	StatementTypeV01 = "https://in-toto.io/Statement/v0.1"
	// PayloadType is the DSSE payload type of an in-toto statement.
	PayloadType = "application/vnd.in-toto+json"
	// CycloneDXPredicate is the predicate type of a statement carrying a
	// CycloneDX SBOM.
	CycloneDXPredicate = "https://cyclonedx.org/bom"
	// SLSAProvenancePredicate is the predicate type of SLSA Provenance v1.
	SLSAProvenancePredicate = "https://slsa.dev/provenance/v1"
)

// statement is an in-toto Statement v1. It is marshalled with encoding/json
// (fields in this order), so the same input gives the same bytes.
type statement struct {
	Type          string             `json:"_type"`
	Subject       []statementSubject `json:"subject"`
	PredicateType string             `json:"predicateType"`
	Predicate     json.RawMessage    `json:"predicate"`
}

type statementSubject struct {
	Name   string            `json:"name,omitempty"`
	Digest map[string]string `json:"digest"`
}

func toStatementSubject(s Subject) statementSubject {
	d := map[string]string{"sha256": s.SHA256}
	if s.SHA512 != "" {
		d["sha512"] = s.SHA512
	}
	return statementSubject{Name: s.Name, Digest: d}
}

// BOMStatement returns an in-toto Statement v1 (JSON) whose subject is
// artifact and whose predicate, of type CycloneDXPredicate, is the JSON SBOM
// doc. The SBOM must describe artifact: Check's errors are returned
// otherwise. Sign the statement with SignEnvelope.
func BOMStatement(doc *Document, artifact Subject) ([]byte, error) {
	if err := Check(doc, artifact); err != nil {
		return nil, fmt.Errorf("sbom statement: %w", err)
	}
	var buf bytes.Buffer
	if err := doc.encode(&buf, JSON); err != nil {
		return nil, fmt.Errorf("sbom statement: %w", err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, buf.Bytes()); err != nil {
		return nil, fmt.Errorf("sbom statement: %w", err)
	}
	return marshalStatement(statement{
		Type:          StatementType,
		Subject:       []statementSubject{toStatementSubject(artifact)},
		PredicateType: CycloneDXPredicate,
		Predicate:     compact.Bytes(),
	})
}

func marshalStatement(st statement) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(st); err != nil {
		return nil, fmt.Errorf("encode statement: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// A Statement is an in-toto Statement (v1 or v0.1) read by ParseStatement.
type Statement struct {
	Type          string    // the _type read: StatementType or StatementTypeV01
	Subjects      []Subject // one per subject entry with a sha256 digest
	PredicateType string
	Predicate     json.RawMessage // the predicate's JSON, as read
}

// ParseStatement parses an in-toto Statement strictly: field names
// spelled exactly (encoding/json alone would take "_Type" for "_type"),
// a _type that is exactly StatementType (v1) or StatementTypeV01 (v0.1, as
// cosign attest-blob writes it), at least one subject, each with a sha256 digest
// of the right form, the predicate type wanted (the predicate's own version
// is not relaxed: a v0.1 statement must carry the predicate type asked for),
// and a JSON object as predicate. It returns an *Error ("invalid in-toto statement", with
// ErrMalformed for bad JSON) and,
// when artifact.SHA256 is set, a *MismatchError wrapping ErrSubjectMismatch
// unless some subject names artifact.
func ParseStatement(data []byte, predicateType string, artifact Subject) (*Statement, error) {
	if err := strictJSON(data, DefaultMaxDepth); err != nil {
		return nil, fmt.Errorf("read statement: %w", err)
	}
	var st statement
	if err := strictjson.Unmarshal(data, &st, strictjson.Options{MaxDepth: DefaultMaxDepth}); err != nil {
		return nil, fmt.Errorf("read statement: %w: %v", &Error{Reason: "invalid in-toto statement"}, err)
	}
	if err := exactKeys(data, &st); err != nil {
		return nil, fmt.Errorf("read statement: %w: %w", &Error{Reason: "invalid in-toto statement"}, err)
	}
	switch {
	case st.Type != StatementType && st.Type != StatementTypeV01:
		return nil, fmt.Errorf("read statement: %w: _type %q, want %q or %q", &Error{Reason: "invalid in-toto statement"}, st.Type, StatementType, StatementTypeV01)
	case st.PredicateType != predicateType:
		return nil, fmt.Errorf("read statement: %w: predicateType %q, want %q", &Error{Reason: "invalid in-toto statement"}, st.PredicateType, predicateType)
	case len(st.Subject) == 0:
		return nil, fmt.Errorf("read statement: %w: no subject", &Error{Reason: "invalid in-toto statement"})
	case len(st.Predicate) == 0 || st.Predicate[0] != '{':
		return nil, fmt.Errorf("read statement: %w: predicate is not an object", &Error{Reason: "invalid in-toto statement"})
	}
	out := &Statement{Type: st.Type, PredicateType: st.PredicateType, Predicate: st.Predicate}
	for _, s := range st.Subject {
		sub := Subject{Name: s.Name, SHA256: s.Digest["sha256"], SHA512: s.Digest["sha512"]}
		if sub.SHA256 == "" {
			if len(s.Digest) == 0 {
				return nil, fmt.Errorf("read statement: %w: subject %q has no digest", &Error{Reason: "invalid in-toto statement"}, s.Name)
			}
			continue // another algorithm only: not one this package binds to
		}
		if err := sub.Validate(); err != nil {
			return nil, fmt.Errorf("read statement: %w: %w", &Error{Reason: "invalid in-toto statement"}, err)
		}
		out.Subjects = append(out.Subjects, sub)
	}
	if artifact.SHA256 != "" {
		if err := matchAny(artifact, out.Subjects); err != nil {
			return nil, fmt.Errorf("read statement: %w", err)
		}
	}
	return out, nil
}

// matchAny returns nil when one of subjects is artifact, else the mismatch
// with the closest one (same SHA-256, different SHA-512) or the first.
func matchAny(artifact Subject, subjects []Subject) error {
	var first error
	for _, s := range subjects {
		err := artifact.matches(s)
		if err == nil {
			return nil
		}
		if s.SHA256 == artifact.SHA256 {
			return err
		}
		if first == nil {
			first = err
		}
	}
	if first == nil {
		first = &MismatchError{Kind: ErrSubjectMismatch, Want: artifact.Digest()}
	}
	return first
}

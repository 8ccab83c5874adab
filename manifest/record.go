package manifest

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/releasekit/releasekit/semver"
)

// RecordVersion is the version of the release record's JSON form written by
// this package. [ParseRecord] accepts only this version.
const RecordVersion = 1

// Errors returned when reading or checking records.
var (
	// ErrInvalidRecord is wrapped by every error ParseRecord returns for
	// input that is not a well-formed release record.
	ErrInvalidRecord = errors.New("manifest: invalid release record")
)

// A Record is the release record of §1.20.3.1 and §1.12.6.3: the system of
// record for one production-bound release tag. Its JSON form is versioned
// ([RecordVersion]); field names are the JSON keys shown in the tags.
//
// A Record is a value: the slices it holds are owned by whoever built it, and
// the methods that change it return a new Record.
type Record struct {
	Version     int           `json:"version"`              // always RecordVersion
	Tag         string        `json:"tag"`                  // vMAJOR.MINOR.PATCH
	Commit      string        `json:"commit"`               // full SHA the tag points to
	Tickets     []string      `json:"tickets,omitempty"`    // change request / ticket IDs or links
	PRs         []PR          `json:"prs,omitempty"`        // pull requests included
	Artifacts   []Artifact    `json:"artifacts,omitempty"`  // immutable artifacts and digests
	Provenance  Provenance    `json:"provenance"`           // build run and attestation
	SBOM        SBOMRef       `json:"sbom"`                 // SBOM location and digest
	Checks      []CheckResult `json:"checks,omitempty"`     // required-check results at release time
	Promotions  []Promotion   `json:"promotions,omitempty"` // promotion log (filled from the store's log)
	Rollback    RollbackPlan  `json:"rollback"`             // method and last known-good version
	Migration   *Migration    `json:"migration,omitempty"`  // a data migration the release crosses, or nil
	GoNoGo      *GoNoGo       `json:"go_no_go,omitempty"`   // the go/no-go decision for production, or nil
	KnownIssues []string      `json:"known_issues"`         // known issues, mitigations, monitoring notes; empty (not null) for none
	Window      Window        `json:"production_window"`    // planned production window
	Extra       Extras        `json:"extra,omitempty"`      // free-form KEY=VALUE annotations
}

// A GoNoGo is the go/no-go decision of a release for production (§1.14.3/10:
// decision, attendees, risks accepted, rollback plan and approver;
// §2.6.2/2: made by the Release Manager or a delegated approver): Decision
// is [Go] or [NoGo], Risks the risks accepted (an empty list for none), At
// when the decision was made. [Check] reports a GoNoGo missing any of
// them; policy's REL-GONOGO-001 requires a "go" before a production
// promotion.
type GoNoGo struct {
	Decision     string    `json:"decision"`
	Approver     string    `json:"approver"`
	Attendees    []string  `json:"attendees"`
	Risks        []string  `json:"risks"`
	RollbackPlan string    `json:"rollback_plan"`
	At           time.Time `json:"at"`
}

// The decisions of a [GoNoGo].
const (
	Go   = "go"
	NoGo = "no-go"
)

// Problems returns what g lacks or gets wrong, as field (relative to
// "go_no_go.") and message pairs, in field order; nil when complete.
func (g GoNoGo) Problems() []Problem {
	var ps []Problem
	add := func(field, msg string) { ps = append(ps, Problem{Field: field, Message: msg}) }
	switch g.Decision {
	case Go, NoGo:
	case "":
		add("decision", "missing: go or no-go")
	default:
		add("decision", fmt.Sprintf("%q is not go or no-go", g.Decision))
	}
	if strings.TrimSpace(g.Approver) == "" {
		add("approver", "missing: the Release Manager or delegated approver")
	}
	if len(g.Attendees) == 0 {
		add("attendees", "missing: who took part in the decision")
	}
	for i, a := range g.Attendees {
		if strings.TrimSpace(a) == "" {
			add(fmt.Sprintf("attendees[%d]", i), "empty")
		}
	}
	if g.Risks == nil {
		add("risks", "missing: the risks accepted, or an empty list for none")
	}
	if strings.TrimSpace(g.RollbackPlan) == "" {
		add("rollback_plan", "missing")
	}
	if g.At.IsZero() {
		add("at", "missing: when the decision was made")
	}
	return ps
}

// Extras are free-form annotations of a record.
type Extras map[string]string

// A PR is a pull request included in a release. A backport names the
// original PR and commit it was picked from.
type PR struct {
	Ref         string `json:"ref"`                    // "#123" or a URL
	OriginalPR  string `json:"original_pr,omitempty"`  // for a backport
	OriginalSHA string `json:"original_sha,omitempty"` // for a backport
}

// An Artifact is one immutable build output: its name (unique in a record,
// case-insensitively), where it is published, and its digest.
type Artifact struct {
	Name   string `json:"name"`
	URI    string `json:"uri,omitempty"`
	Digest string `json:"digest"`           // "sha256:" + 64 lowercase hex
	SHA512 string `json:"sha512,omitempty"` // optional "sha512:" + 128 lowercase hex
	SBOM   string `json:"sbom,omitempty"`   // digest of this artifact's SBOM, if attached
}

// Provenance names the build run and its provenance attestation.
type Provenance struct {
	BuildID string `json:"build_id"`
	Ref     string `json:"ref"`
}

// An SBOMRef is where a release's SBOM is and its digest.
type SBOMRef struct {
	Ref    string `json:"ref"`
	Digest string `json:"digest"`
}

// A CheckResult is the result of one required gate at release time. Kind,
// Commit and Findings are what a scan or test run reports beyond its
// outcome; they are optional (a record without them keeps its JSON form).
type CheckResult struct {
	Name   string `json:"name"`
	Passed bool   `json:"passed"`
	URL    string `json:"url,omitempty"` // evidence
	// Kind is what the check does: "lint", "test", "build", "sast",
	// "dast", "dependency-scan", "license-scan", "secret-scan", "sbom", or
	// another lower-case word the policy names.
	Kind string `json:"kind,omitempty"`
	// Commit is the full SHA the check ran on.
	Commit string `json:"commit,omitempty"`
	// Findings are the open findings a scan reported, by severity; nil
	// when the check reports none (a test run).
	Findings *Findings `json:"findings,omitempty"`
}

// Findings count a scan's open findings by severity.
type Findings struct {
	Critical int `json:"critical,omitempty"`
	High     int `json:"high,omitempty"`
	Medium   int `json:"medium,omitempty"`
	Low      int `json:"low,omitempty"`
}

// A RollbackPlan is the rollback method and the last known-good release.
type RollbackPlan struct {
	Method  string `json:"method"`
	Version string `json:"version"`
	Digest  string `json:"digest"`
}

// A Window is a planned production change window.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// ParseRecord decodes a release record strictly: unknown fields, trailing
// data, a version other than [RecordVersion] (a *[FormatError]
// "unsupported format version"), a malformed digest ([ErrInvalidDigest])
// and duplicate artifact names (a *FormatError "duplicate artifact name")
// are errors, all wrapping [ErrInvalidRecord]. A record that parses may
// still be incomplete; see [Check].
func ParseRecord(data []byte) (Record, error) {
	var r Record
	if err := decodeStrict(data, &r); err != nil {
		return Record{}, fmt.Errorf("%w: %w", ErrInvalidRecord, err)
	}
	if r.Version != RecordVersion {
		return Record{}, fmt.Errorf("%w: %w", ErrInvalidRecord, malformed("unsupported format version", nil, "%d", r.Version))
	}
	if err := validateArtifacts(r.Artifacts); err != nil {
		return Record{}, fmt.Errorf("%w: %w", ErrInvalidRecord, err)
	}
	if r.SBOM.Digest != "" {
		if err := ValidateDigest(r.SBOM.Digest); err != nil {
			return Record{}, fmt.Errorf("%w: sbom: %w", ErrInvalidRecord, err)
		}
	}
	if r.Rollback.Digest != "" {
		if err := ValidateDigest(r.Rollback.Digest); err != nil {
			return Record{}, fmt.Errorf("%w: rollback: %w", ErrInvalidRecord, err)
		}
	}
	return r, nil
}

func validateArtifacts(as []Artifact) error {
	seen := make(map[string]bool, len(as))
	for _, a := range as {
		key := strings.ToLower(a.Name)
		if seen[key] {
			return malformed("duplicate artifact name", nil, "%q", a.Name)
		}
		seen[key] = true
		if err := ValidateDigest(a.Digest); err != nil {
			return fmt.Errorf("artifact %q: %w", a.Name, err)
		}
		if a.SHA512 != "" {
			if err := ValidateSHA512(a.SHA512); err != nil {
				return fmt.Errorf("artifact %q: %w", a.Name, err)
			}
		}
		if a.SBOM != "" {
			if err := ValidateDigest(a.SBOM); err != nil {
				return fmt.Errorf("artifact %q sbom: %w", a.Name, err)
			}
		}
	}
	return nil
}

// MarshalRecord returns r's JSON form: canonical JSON (sorted keys, no
// insignificant whitespace) with the version set to [RecordVersion].
func MarshalRecord(r Record) ([]byte, error) {
	r.Version = RecordVersion
	b, err := canonical(r)
	if err != nil {
		return nil, fmt.Errorf("marshal record %s: %w", r.Tag, err)
	}
	return b, nil
}

// WithArtifact returns a copy of r with a added, or with the artifact of the
// same name (case-insensitively) replaced. It returns an error wrapping
// [ErrInvalidDigest] if a's digests are malformed.
func (r Record) WithArtifact(a Artifact) (Record, error) {
	if err := validateArtifacts([]Artifact{a}); err != nil {
		return r, err
	}
	out := make([]Artifact, 0, len(r.Artifacts)+1)
	replaced := false
	for _, old := range r.Artifacts {
		if strings.EqualFold(old.Name, a.Name) {
			out = append(out, a)
			replaced = true
			continue
		}
		out = append(out, old)
	}
	if !replaced {
		out = append(out, a)
	}
	r.Artifacts = out
	return r, nil
}

// HasDigest reports whether one of r's artifacts has digest d.
func (r Record) HasDigest(d string) bool {
	for _, a := range r.Artifacts {
		if a.Digest == d {
			return true
		}
	}
	return false
}

// A Problem is one missing or malformed field found by [Check].
type Problem struct {
	Field   string `json:"field"`   // JSON path, e.g. "artifacts[0].digest"
	Message string `json:"message"` // what is wrong
}

// A CheckReport lists every problem [Check] found, in field order.
type CheckReport struct {
	Tag      string    `json:"tag"`
	Problems []Problem `json:"problems"`
}

// Err returns nil for a complete record, or a *[FormatError] "release
// record incomplete" that lists every problem (§2.4: an incomplete record
// must not be promoted).
func (c CheckReport) Err() error {
	if len(c.Problems) == 0 {
		return nil
	}
	var b strings.Builder
	for i, p := range c.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Field + ": " + p.Message)
	}
	return malformed("release record incomplete", nil, "%s: %s", c.Tag, b.String())
}

// Check returns every missing or malformed field of r against §1.20.3.1:
// a vMAJOR.MINOR.PATCH tag, a full commit SHA, at least one ticket, PR,
// artifact and required check (all passed; a check's commit, when
// recorded, a full SHA and its findings counts not negative), build provenance, the SBOM
// reference and digest, a rollback plan with a last known-good version
// (its digest optional for a first release), a go/no-go decision complete
// when there is one ([GoNoGo.Problems]), a non-nil known-issues list
// and a production window. It never stops at the first problem.
func Check(r Record) CheckReport {
	rep := CheckReport{Tag: r.Tag}
	add := func(field, format string, args ...any) {
		rep.Problems = append(rep.Problems, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if r.Version != RecordVersion {
		add("version", "is %d, want %d", r.Version, RecordVersion)
	}
	switch v, err := semver.Parse(strings.TrimPrefix(r.Tag, "v")); {
	case r.Tag == "":
		add("tag", "missing")
	case err != nil || !strings.HasPrefix(r.Tag, "v") || v.String() != strings.TrimPrefix(r.Tag, "v") || strings.ContainsAny(r.Tag, "-+"):
		add("tag", "%q is not vMAJOR.MINOR.PATCH", r.Tag)
	}
	switch {
	case r.Commit == "":
		add("commit", "missing")
	case !isCommit(r.Commit):
		add("commit", "%q is not a full lowercase commit SHA", r.Commit)
	}
	if len(r.Tickets) == 0 {
		add("tickets", "missing: link the authoritative change record")
	}
	for i, t := range r.Tickets {
		if strings.TrimSpace(t) == "" {
			add(fmt.Sprintf("tickets[%d]", i), "empty")
		}
	}
	if len(r.PRs) == 0 {
		add("prs", "missing: link the pull requests included")
	}
	for i, p := range r.PRs {
		if strings.TrimSpace(p.Ref) == "" {
			add(fmt.Sprintf("prs[%d].ref", i), "missing")
		}
		if p.OriginalSHA != "" && !isCommit(p.OriginalSHA) {
			add(fmt.Sprintf("prs[%d].original_sha", i), "%q is not a full lowercase commit SHA", p.OriginalSHA)
		}
	}
	if len(r.Artifacts) == 0 {
		add("artifacts", "missing: at least one immutable artifact digest")
	}
	seen := map[string]int{}
	for i, a := range r.Artifacts {
		f := fmt.Sprintf("artifacts[%d]", i)
		if a.Name == "" {
			add(f+".name", "missing")
		} else if j, ok := seen[strings.ToLower(a.Name)]; ok {
			add(f+".name", "%q duplicates artifacts[%d]", a.Name, j)
		} else {
			seen[strings.ToLower(a.Name)] = i
		}
		if a.Digest == "" {
			add(f+".digest", "missing")
		} else if err := ValidateDigest(a.Digest); err != nil {
			add(f+".digest", "%q is not sha256:<64 lowercase hex>", a.Digest)
		}
		if a.SHA512 != "" && ValidateSHA512(a.SHA512) != nil {
			add(f+".sha512", "%q is not sha512:<128 lowercase hex>", a.SHA512)
		}
		if a.SBOM != "" && ValidateDigest(a.SBOM) != nil {
			add(f+".sbom", "%q is not sha256:<64 lowercase hex>", a.SBOM)
		}
	}
	if r.Provenance.BuildID == "" {
		add("provenance.build_id", "missing")
	}
	if r.Provenance.Ref == "" {
		add("provenance.ref", "missing")
	}
	if r.SBOM.Ref == "" {
		add("sbom.ref", "missing")
	}
	switch {
	case r.SBOM.Digest == "":
		add("sbom.digest", "missing")
	case ValidateDigest(r.SBOM.Digest) != nil:
		add("sbom.digest", "%q is not sha256:<64 lowercase hex>", r.SBOM.Digest)
	}
	if len(r.Checks) == 0 {
		add("checks", "missing: record the required gates")
	}
	for i, c := range r.Checks {
		if c.Name == "" {
			add(fmt.Sprintf("checks[%d].name", i), "missing")
		}
		if !c.Passed {
			add(fmt.Sprintf("checks[%d].passed", i), "required check %q did not pass", c.Name)
		}
		if c.Commit != "" && !isCommit(c.Commit) {
			add(fmt.Sprintf("checks[%d].commit", i), "%q is not a full lowercase commit SHA", c.Commit)
		}
		if f := c.Findings; f != nil && (f.Critical < 0 || f.High < 0 || f.Medium < 0 || f.Low < 0) {
			add(fmt.Sprintf("checks[%d].findings", i), "negative count")
		}
	}
	if r.Rollback.Method == "" {
		add("rollback.method", "missing")
	}
	if r.Rollback.Version == "" {
		add("rollback.version", "missing: name the last known-good version (or \"none\" for a first release)")
	}
	if r.Rollback.Digest != "" && ValidateDigest(r.Rollback.Digest) != nil {
		add("rollback.digest", "%q is not sha256:<64 lowercase hex>", r.Rollback.Digest)
	}
	if m := r.Migration; m != nil {
		if strings.TrimSpace(m.Description) == "" {
			add("migration.description", "missing: say what the migration changes")
		}
		if m.Irreversible() && strings.TrimSpace(m.ForwardFix) == "" {
			add("migration.forward_fix", "missing: a migration without a safe rollback needs its forward-only remediation")
		}
	}
	if r.GoNoGo != nil {
		for _, p := range r.GoNoGo.Problems() {
			add("go_no_go."+p.Field, "%s", p.Message)
		}
	}
	if r.KnownIssues == nil {
		add("known_issues", "missing: record known issues, or an empty list for none")
	}
	switch {
	case r.Window.Start.IsZero() || r.Window.End.IsZero():
		add("production_window", "missing")
	case !r.Window.End.After(r.Window.Start):
		add("production_window", "end %s is not after start %s", r.Window.End.Format(time.RFC3339), r.Window.Start.Format(time.RFC3339))
	}
	return rep
}

package changelog

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"text/template"
	"time"
)

// Metadata is what the release notes of policy §2.6.3.1 need besides the
// commits: the release record's facts, given by the caller (relctl or a
// release service fills it from its manifest record; changelog does not
// import manifest). Empty fields print as "not provided", never guessed.
type Metadata struct {
	Tag          string     // release tag, vMAJOR.MINOR.PATCH
	Signed       bool       // the tag is annotated and signed
	SourceBranch string     // main, release/X.Y or hotfix/X.Y.Z-<ticket>
	Commit       string     // the commit SHA the tag points to
	Artifacts    []Artifact // artifacts with immutable digests
	Provenance   string     // build provenance (SLSA attestation) link
	SBOM         string     // SBOM link
	PipelineRun  string     // CI pipeline run link
	Checks       []Check    // required checks and their results
	Promotions   []Promotion
	RiskLevel    string // low, medium or high, with rationale
	FeatureFlags []string
	KnownIssues  []string
	Rollback     Rollback
}

// Artifact is one published artifact of a release.
type Artifact struct {
	Type     string // container, package or binary
	Name     string
	Registry string // registry URL or reference
	Digest   string // "sha256:…" (immutable)
}

// Check is the result of one required check.
type Check struct {
	Name   string // "Lint/unit", "SAST", …
	Result string // pass, fail or N/A (rationale)
	Link   string
}

// Promotion is one environment's deployment of the release.
type Promotion struct {
	Environment string // dev, staging, prod
	Time        time.Time
	Link        string
	Approver    string
	Decision    string // go or no-go, for production
}

// Rollback is the rollback plan: the last known-good version and digest.
type Rollback struct {
	Version string
	Digest  string
	Steps   []string
}

// releaseNotesData is the data of the §2.6.3.1 template.
type releaseNotesData struct {
	Notes
	Meta     Metadata
	Features []Entry
	Fixes    []Entry
	Security []Entry
}

//go:embed releasenotes.md.tmpl
var releaseNotesText string

// releaseNotesTemplate compiles the §2.6.3.1 template, which is fixed in
// code (a test executes it, so Must cannot fail at run time).
func releaseNotesTemplate() *template.Template {
	return template.Must(template.New("releasenotes").Funcs(templateFuncs()).Funcs(template.FuncMap{
		"or_na": func(s string) string {
			if s == "" {
				return "not provided"
			}
			return Escape(s)
		},
		"link": func(s string) string {
			if s == "" {
				return "not provided"
			}
			if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
				return Escape(s) // not a web link: printed as text, never linked
			}
			return "<" + escapeURL(s) + ">"
		},
		"inc":   func(i int) int { return i + 1 },
		"short": func(h string) string { return Escape(short(h)) }, // hashes are text too
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "not provided"
			}
			return t.UTC().Format(time.RFC3339)
		},
	}).Parse(releaseNotesText))
}

// WriteReleaseNotes writes the per-version release notes of policy
// §2.6.3.1 (stored as docs/releases/vMAJOR.MINOR.PATCH.md): the release
// metadata, the scope (features, fixes, security fixes, breaking changes
// with their migration notes), risk and rollout, validation evidence, the
// promotion record and the rollback plan, from n and m. Every text is
// escaped; the output is written to w in one call.
func WriteReleaseNotes(w io.Writer, n Notes, m Metadata) error {
	d := releaseNotesData{Notes: n, Meta: m}
	if d.Meta.Tag == "" {
		d.Meta.Tag = n.Version
	}
	for _, s := range n.Sections {
		switch kacTitle(s.Type) {
		case "Added":
			d.Features = append(d.Features, s.Entries...)
		case "Fixed":
			d.Fixes = append(d.Fixes, s.Entries...)
		case "Security":
			d.Security = append(d.Security, s.Entries...)
		}
	}
	var buf bytes.Buffer
	if err := releaseNotesTemplate().Execute(&buf, d); err != nil {
		return &TemplateError{Reason: "execute", Err: err, op: "release notes: "}
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write release notes: %w", err)
	}
	return nil
}

package changelog

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/template"
	"time"
)

// Metadata is what the release notes of policy §2.6.3.1 and §1.20.3.2 need
// besides the commits: the release record's facts and the promotion log,
// given by the caller (relctl release-notes or a release service fills it
// from its manifest record and log; changelog does not import manifest).
//
// Nothing is guessed. An empty string prints as "not provided"
// ([NotProvided]). A list distinguishes "not recorded" from "none": a nil
// list is data nobody recorded (printed "Not recorded.", [NotRecorded]),
// an empty non-nil list says there is none (printed "None."), as the
// record's known_issues does. [IsPlaceholder] tells the placeholders
// apart.
type Metadata struct {
	Tag          string     `json:"tag"`           // release tag, vMAJOR.MINOR.PATCH
	Signed       bool       `json:"signed"`        // the tag is annotated and signed
	SourceBranch string     `json:"source_branch"` // main, release/X.Y or hotfix/X.Y.Z-<ticket>
	Commit       string     `json:"commit"`        // the commit SHA the tag points to
	Artifacts    []Artifact `json:"artifacts"`     // artifacts with immutable digests
	Provenance   string     `json:"provenance"`    // build provenance (SLSA attestation) link
	SBOM         string     `json:"sbom"`          // SBOM link
	SBOMDigest   string     `json:"sbom_digest"`   // the SBOM's digest
	PipelineRun  string     `json:"pipeline_run"`  // CI pipeline run link (or build run ID)
	Checks       []Check    `json:"checks"`        // required checks and their results
	// Promotions and Deployments are the release's entries of the
	// promotion log, oldest first; a nil list is a log that was not read.
	Promotions  []Promotion  `json:"promotions"`
	Deployments []Deployment `json:"deployments"`
	Window      string       `json:"production_window"` // planned production window
	// Summary is the release manager's summary; the change counts of the
	// changelog are always given besides it.
	Summary string `json:"summary"`
	// Highlights are the release manager's highlights; when nil, the
	// breaking changes and features of the changelog are the highlights.
	Highlights []string `json:"highlights"`
	// Deprecations are deprecations announced besides the changelog's
	// deprecation commits.
	Deprecations []string `json:"deprecations"`
	// OperationalNotes are runbook updates and configuration changes.
	OperationalNotes []string `json:"operational_notes"`
	FeatureFlags     []string `json:"feature_flags"` // feature flags and config gates the changes are behind
	RiskLevel        string   `json:"risk_level"`    // low, medium or high, with rationale
	Mitigations      []string `json:"mitigations"`   // risk mitigations and monitoring to watch
	KnownIssues      []string `json:"known_issues"`
	Rollback         Rollback `json:"rollback"`
}

// The placeholders the release notes print where data is absent (see
// [Metadata]): NotProvided for a value nobody gave, NotRecorded for a list
// nobody recorded ("Not recorded." on a line of its own). "None." and
// "none" say instead that there is none. [IsPlaceholder] recognises them.
const (
	NotProvided = "not provided"
	NotRecorded = "not recorded"
)

// IsPlaceholder reports whether a line of release notes says only that its
// data is absent: "Not recorded.", or an item whose value is one of the
// placeholders ("- Risk level: not provided", "- Rollback artifact
// version/digest: not provided / not provided"). "None.", "none" and a
// value that says more ("none in the changelog, others not recorded") are
// not placeholders.
func IsPlaceholder(line string) bool {
	s := strings.TrimSpace(line)
	s = strings.TrimSpace(strings.TrimPrefix(s, "- "))
	if _, v, ok := strings.Cut(s, ": "); ok {
		s = v
	}
	s = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), "."))
	if s == "" {
		return false
	}
	for _, part := range strings.Split(s, " / ") {
		if p := strings.TrimSpace(part); p != NotProvided && p != NotRecorded {
			return false
		}
	}
	return true
}

// Artifact is one published artifact of a release.
type Artifact struct {
	Type     string `json:"type"` // container, package or binary
	Name     string `json:"name"`
	Registry string `json:"registry"` // registry URL or reference
	Digest   string `json:"digest"`   // "sha256:…" (immutable)
}

// Check is the result of one required check.
type Check struct {
	Name   string `json:"name"`   // "Lint/unit", "SAST", …
	Result string `json:"result"` // pass, fail or N/A (rationale)
	Link   string `json:"link"`
}

// Promotion is one environment's promotion of the release.
type Promotion struct {
	Environment string    `json:"environment"` // dev, staging, prod
	Time        time.Time `json:"time"`
	Link        string    `json:"link"`
	Approver    string    `json:"approver"`
	Decision    string    `json:"decision"` // go or no-go, for production
	Emergency   bool      `json:"emergency"`
	Rollback    bool      `json:"rollback"` // the promotion rolled back to this release
}

// Deployment is the reported outcome of deploying the release to an
// environment.
type Deployment struct {
	Environment string    `json:"environment"`
	Result      string    `json:"result"` // started, succeeded or failed
	Time        time.Time `json:"time"`
	Targets     []string  `json:"targets"`
	Error       string    `json:"error"`
}

// Rollback is the rollback plan: the method and the last known-good
// version and digest.
type Rollback struct {
	Method  string   `json:"method"` // flag, config, redeploy, hotfix, …
	Version string   `json:"version"`
	Digest  string   `json:"digest"`
	Steps   []string `json:"steps"`
}

// ReleaseNotesSections returns the headings, in order, of the sections
// [WriteReleaseNotes] writes: the union of what policy §1.20.3.2 (release
// notes MUST include), §1.20.5.2 (minimal template) and §2.6.3.1 (the
// per-version template) ask for. The slice is new on every call.
//
//   - Summary, Highlights: §1.20.3.2 "Summary/highlights", §1.20.5.2.
//   - Release metadata: §2.6.3.1 (tag, branch, commit).
//   - Customer-impacting changes: §1.20.3.2 (behavioural changes,
//     migrations, deprecations), §1.20.5.2 "Breaking changes / migrations",
//     §2.6.3.1 Scope (features, breaking changes).
//   - Fixes: §1.20.3.2 (bug/security), §2.6.3.1 Scope (fixes, security).
//   - Operational notes: §1.20.3.2 (runbook updates, feature flags,
//     configs), §2.6.3.1 "Feature flags/config gates".
//   - Known issues, Risks and mitigations: §1.20.3.2, §1.20.5.2, §2.6.3.1
//     "Risk and rollout".
//   - Artifacts: §1.20.5.2 (with digests), §2.6.3.1.
//   - SBOM and provenance: §1.20.5.1/5, §2.6.3.1.
//   - Validation evidence: §2.6.3.1 (pipeline run, required checks).
//   - Approvals and promotion status: §1.20.5.2, §2.6.3.1 "Promotion
//     record" (promotions, production window, go/no-go).
//   - Rollback plan: §1.20.3.2 (target version and digest), §1.20.5.2,
//     §2.6.3.1 "Rollback".
func ReleaseNotesSections() []string {
	return []string{
		"Summary", "Highlights", "Release metadata", "Customer-impacting changes", "Fixes",
		"Operational notes", "Known issues", "Risks and mitigations", "Artifacts",
		"SBOM and provenance", "Validation evidence", "Approvals and promotion status", "Rollback plan",
	}
}

// releaseNotesData is the data of the release-notes template.
type releaseNotesData struct {
	Notes
	Meta         Metadata
	Summary      string
	Features     []Entry
	Fixes        []Entry
	Security     []Entry
	Deprecations []Entry
}

//go:embed releasenotes.md.tmpl
var releaseNotesText string

// releaseNotesTemplate compiles the release-notes template, which is fixed
// in code (a test executes it, so Must cannot fail at run time).
func releaseNotesTemplate() *template.Template {
	return template.Must(template.New("releasenotes").Funcs(templateFuncs()).Funcs(template.FuncMap{
		"or_na": func(s string) string {
			if s == "" {
				return NotProvided
			}
			return Escape(s)
		},
		"link": func(s string) string {
			if s == "" {
				return NotProvided
			}
			if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
				return Escape(s) // not a web link: printed as text, never linked
			}
			return "<" + escapeURL(s) + ">"
		},
		// recorded reports whether a list was recorded (is not nil).
		"recorded": func(v any) bool {
			rv := reflect.ValueOf(v)
			return rv.IsValid() && !(rv.Kind() == reflect.Slice && rv.IsNil())
		},
		"inc":   func(i int) int { return i + 1 },
		"short": func(h string) string { return Escape(short(h)) }, // hashes are text too
		"when": func(t time.Time) string {
			if t.IsZero() {
				return NotProvided
			}
			return t.UTC().Format(time.RFC3339)
		},
	}).Parse(releaseNotesText))
}

// summary states the release's change counts from the changelog.
func (d releaseNotesData) summary() string {
	var b strings.Builder
	b.WriteString(Escape(d.Meta.Tag))
	if d.Previous != "" {
		b.WriteString(" (changes since " + Escape(d.Previous) + ")")
	} else {
		b.WriteString(" (no previous release: every commit of the history)")
	}
	fmt.Fprintf(&b, ": %s, %s, %s, %s.", count(len(d.Features), "feature"), count(len(d.Fixes), "bug fix"),
		count(len(d.Security), "security fix"), count(len(d.Breaking), "breaking change"))
	return b.String()
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if strings.HasSuffix(what, "x") {
		return fmt.Sprintf("%d %ses", n, what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// WriteReleaseNotes writes the release notes of policy §1.20.3.2 from the
// template of §2.6.3.1 (stored as docs/releases/vMAJOR.MINOR.PATCH.md),
// with one "## " section per heading of [ReleaseNotesSections], in that
// order: the summary (change counts and m.Summary), highlights, release
// metadata, customer-impacting changes (breaking changes with their
// migration notes, features, deprecations), fixes (bug and security),
// operational notes (runbook and configuration changes, feature flags),
// known issues, risks and mitigations, artifacts and digests, SBOM and
// provenance, validation evidence, approvals and promotion status, and the
// rollback plan, from n and m. A section whose data is absent says so
// ("Not recorded.", "not provided") or that there is none ("None.") — see
// [Metadata]; nothing is invented. Every text is escaped; the output is
// written to w in one call.
func WriteReleaseNotes(w io.Writer, n Notes, m Metadata) error {
	b, err := releaseNotes(n, m)
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write release notes: %w", err)
	}
	return nil
}

// ReleaseNotesSection is one section of the release notes in their JSON
// form: its heading and its Markdown body.
type ReleaseNotesSection struct {
	Title    string `json:"title"`
	Markdown string `json:"markdown"`
}

// WriteReleaseNotesJSON writes the release notes of [WriteReleaseNotes] as
// one JSON object: "release" and "previous" (the tags), "sections" (each
// section's "title" and "markdown" body, in the order of
// [ReleaseNotesSections]), "markdown" (the whole document, as
// WriteReleaseNotes writes it) and "metadata" (m).
func WriteReleaseNotesJSON(w io.Writer, n Notes, m Metadata) error {
	md, err := releaseNotes(n, m)
	if err != nil {
		return err
	}
	doc := struct {
		Release  string                `json:"release"`
		Previous string                `json:"previous"`
		Sections []ReleaseNotesSection `json:"sections"`
		Markdown string                `json:"markdown"`
		Metadata Metadata              `json:"metadata"`
	}{Release: tagOf(n, m), Previous: n.Previous, Sections: splitSections(string(md)), Markdown: string(md), Metadata: m}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("release notes: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write release notes: %w", err)
	}
	return nil
}

func tagOf(n Notes, m Metadata) string {
	if m.Tag == "" {
		return n.Version
	}
	return m.Tag
}

// splitSections cuts the Markdown at its "## " headings.
func splitSections(md string) []ReleaseNotesSection {
	secs := []ReleaseNotesSection{}
	for _, line := range strings.SplitAfter(md, "\n") {
		if t, ok := strings.CutPrefix(line, "## "); ok {
			secs = append(secs, ReleaseNotesSection{Title: strings.TrimSpace(t)})
			continue
		}
		if len(secs) > 0 {
			secs[len(secs)-1].Markdown += line
		}
	}
	for i := range secs {
		secs[i].Markdown = strings.TrimSpace(secs[i].Markdown) + "\n"
	}
	return secs
}

func releaseNotes(n Notes, m Metadata) ([]byte, error) {
	d := releaseNotesData{Notes: n, Meta: m}
	d.Meta.Tag = tagOf(n, m)
	for _, s := range n.Sections {
		switch kacTitle(s.Type) {
		case "Added":
			d.Features = append(d.Features, s.Entries...)
		case "Fixed":
			d.Fixes = append(d.Fixes, s.Entries...)
		case "Security":
			d.Security = append(d.Security, s.Entries...)
		case "Deprecated":
			d.Deprecations = append(d.Deprecations, s.Entries...)
		}
	}
	d.Summary = d.summary()
	var buf bytes.Buffer
	if err := releaseNotesTemplate().Execute(&buf, d); err != nil {
		return nil, &TemplateError{Reason: "execute", Err: err, op: "release notes: "}
	}
	return buf.Bytes(), nil
}

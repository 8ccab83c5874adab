package policy

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// The release policy this module serves, and its traceability: which
// controls, APIs and tests meet each of its MUST sentences.
var (
	//go:embed release-policy.md
	releasePolicy []byte
	//go:embed traceability.yaml
	traceabilityYAML []byte
)

// A TraceStatus says how a MUST sentence of the policy is met.
type TraceStatus string

// The statuses of a [Trace].
const (
	// Automated: a control or an API enforces the sentence and a test
	// proves it.
	Automated TraceStatus = "automated"
	// Automatable: software could check the sentence but nothing does
	// yet; the trace's Reason names what would.
	Automatable TraceStatus = "automatable"
	// Organisational: only people can meet the sentence (training,
	// meetings, roles, judgement); the trace's Reason says why.
	Organisational TraceStatus = "organisational"
)

// A Trace is one row of the traceability matrix: a MUST sentence of the
// release policy and how it is met. Its JSON form has the fields id,
// section, sentence, status, controls, apis, tests and reason, always
// present (empty lists as []).
type Trace struct {
	Requirement
	Status TraceStatus `json:"status"`
	// Controls are the built-in controls that enforce the sentence
	// ([ControlRequirements]), by ID.
	Controls []string `json:"controls"`
	// APIs are the functions, types and methods of the module that
	// enforce it: "manifest.Promote", "config.Config.Authorize",
	// "audit/bundle.Verify".
	APIs []string `json:"apis"`
	// Tests are the tests that prove it: "manifest.TestPromotion".
	Tests []string `json:"tests"`
	// Reason says, for an organisational sentence, why only people can
	// meet it; for an automatable one, what would enforce it; for an
	// automated one, what is left to people, if anything.
	Reason string `json:"reason"`
}

// A Matrix is the traceability matrix of a release policy: one [Trace]
// per MUST sentence, in policy order.
type Matrix struct {
	Traces []Trace
}

// MatrixCounts are the totals of a [Matrix].
type MatrixCounts struct {
	Total          int `json:"total"`
	Automated      int `json:"automated"`
	Automatable    int `json:"automatable"`
	Organisational int `json:"organisational"`
}

// Counts returns how many MUST sentences the matrix has, and how many have
// each status.
func (m Matrix) Counts() MatrixCounts {
	c := MatrixCounts{Total: len(m.Traces)}
	for _, t := range m.Traces {
		switch t.Status {
		case Automated:
			c.Automated++
		case Automatable:
			c.Automatable++
		case Organisational:
			c.Organisational++
		}
	}
	return c
}

// Lookup returns the trace of the MUST sentence id ("§1.21.3.2/2").
func (m Matrix) Lookup(id string) (Trace, bool) {
	i := slices.IndexFunc(m.Traces, func(t Trace) bool { return t.ID == id })
	if i < 0 {
		return Trace{}, false
	}
	return m.Traces[i], true
}

var traceability = sync.OnceValues(func() (Matrix, error) {
	return parseMatrix(releasePolicy, traceabilityYAML, true)
})

// Traceability returns the traceability matrix of the release policy the
// module serves (the policy and its traceability data are embedded in the
// package): every MUST sentence, the built-in controls and the APIs that
// enforce it and the tests that prove it, or why it is left to people.
// The matrix is shared: callers must not modify its slices.
func Traceability() (Matrix, error) { return traceability() }

// ReleasePolicy returns the text of the release policy the module serves
// (Markdown), from which [Traceability] extracts the MUST sentences.
func ReleasePolicy() []byte { return slices.Clone(releasePolicy) }

// traceEntry is one entry of the traceability data.
type traceEntry struct {
	ID     string      `yaml:"id"`
	Sum    string      `yaml:"sum"`
	Status TraceStatus `yaml:"status"`
	APIs   []string    `yaml:"apis"`
	Tests  []string    `yaml:"tests"`
	Reason string      `yaml:"reason"`
}

// ParseMatrix builds the traceability matrix of the policy text (Markdown,
// read with [ParseRequirements]) from its traceability data (YAML, in the
// form of the package's traceability.yaml) and the built-in controls'
// requirements ([ControlRequirements]). It refuses, naming every problem
// at once: a sentence without an entry or an entry without a sentence,
// entries out of policy order, an entry whose sum is not the sentence's
// ([Requirement.Sum]: the policy changed, review the entry), an unknown
// status, an automated sentence without a control or an API or without a
// test, and an automatable or organisational one without a reason or with
// controls, APIs or tests. Only the built-in controls' requirements that
// name a sentence of the policy text are used; for the policy the module
// serves, [Traceability] also refuses one that names no sentence.
func ParseMatrix(policyText, traceData []byte) (Matrix, error) {
	return parseMatrix(policyText, traceData, false)
}

func parseMatrix(policyText, traceData []byte, builtinPolicy bool) (Matrix, error) {
	reqs, err := ParseRequirements(policyText)
	if err != nil {
		return Matrix{}, err
	}
	var data struct {
		Requirements []traceEntry `yaml:"requirements"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(traceData))
	dec.KnownFields(true)
	if err := dec.Decode(&data); err != nil {
		return Matrix{}, fmt.Errorf("policy: traceability data: %w", err)
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	entries := map[string]traceEntry{}
	for _, e := range data.Requirements {
		if _, dup := entries[e.ID]; dup {
			bad("%s: listed twice", e.ID)
		}
		entries[e.ID] = e
	}
	controls := map[string][]string{}
	for _, c := range builtinControlIDs() {
		for _, id := range controlTrace[c].requirements {
			controls[id] = append(controls[id], c)
		}
	}
	for c := range controlTrace {
		if !slices.Contains(builtinControlIDs(), c) {
			bad("%s: not a built-in control", c)
		}
	}
	m := Matrix{Traces: make([]Trace, 0, len(reqs))}
	known := map[string]bool{}
	for _, r := range reqs {
		known[r.ID] = true
		e, ok := entries[r.ID]
		if !ok {
			bad("%s: no traceability entry (%q)", r.ID, cut(r.Text, 60))
			continue
		}
		if e.Sum != r.Sum() {
			bad("%s: the sentence changed (sum %s, recorded %s): review the entry and update its sum: %q", r.ID, r.Sum(), e.Sum, cut(r.Text, 60))
		}
		t := Trace{Requirement: r, Status: e.Status, Controls: controls[r.ID], APIs: e.APIs, Reason: e.Reason}
		if t.Controls == nil {
			t.Controls = []string{}
		}
		if t.APIs == nil {
			t.APIs = []string{}
		}
		for _, c := range t.Controls {
			t.Tests = appendNew(t.Tests, controlTrace[c].tests...)
		}
		t.Tests = appendNew(t.Tests, e.Tests...)
		if t.Tests == nil {
			t.Tests = []string{}
		}
		switch e.Status {
		case Automated:
			if len(t.Controls) == 0 && len(t.APIs) == 0 {
				bad("%s: automated without a control or an API", r.ID)
			}
			if len(t.Tests) == 0 {
				bad("%s: automated without a test", r.ID)
			}
		case Automatable, Organisational:
			if strings.TrimSpace(e.Reason) == "" {
				bad("%s: %s without a reason", r.ID, e.Status)
			}
			if len(t.Controls) > 0 || len(t.APIs) > 0 || len(e.Tests) > 0 {
				bad("%s: %s, yet names controls %v, APIs %v or tests %v", r.ID, e.Status, t.Controls, t.APIs, e.Tests)
			}
		default:
			bad("%s: status %q: want automated, automatable or organisational", r.ID, e.Status)
		}
		m.Traces = append(m.Traces, t)
	}
	for _, e := range data.Requirements {
		if !known[e.ID] {
			bad("%s: not a MUST sentence of the policy", e.ID)
		}
	}
	if len(problems) == 0 {
		for i, e := range data.Requirements {
			if e.ID != reqs[i].ID {
				bad("%s: entry %d is %s's place (keep the entries in policy order)", e.ID, i+1, reqs[i].ID)
				break
			}
		}
	}
	for c, tr := range controlTrace {
		for _, id := range tr.requirements {
			if builtinPolicy && !known[id] {
				bad("%s: requirement %s is not a MUST sentence of the policy", c, id)
			}
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return Matrix{}, fmt.Errorf("policy: traceability: %w", errors.New(strings.Join(problems, "; ")))
	}
	return m, nil
}

// builtinControlIDs are the IDs of the built-in controls: those of
// [Builtin] and the gate's REL-GATE-001.
func builtinControlIDs() []string {
	var ids []string
	for _, c := range Builtin() {
		ids = append(ids, c.Meta().ID)
	}
	return append(ids, bindMeta.ID)
}

func appendNew(list []string, more ...string) []string {
	for _, s := range more {
		if !slices.Contains(list, s) {
			list = append(list, s)
		}
	}
	return list
}

// cut returns s cut to at most n runes, with "…" when cut.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// WriteJSON writes the matrix as one JSON object: "counts" (total,
// automated, automatable, organisational) and "requirements", the traces
// in policy order with the fields id, section, sentence, status, controls,
// apis, tests and reason.
func (m Matrix) WriteJSON(w io.Writer) error {
	traces := m.Traces
	if traces == nil {
		traces = []Trace{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		Counts       MatrixCounts `json:"counts"`
		Requirements []Trace      `json:"requirements"`
	}{m.Counts(), traces})
}

// WriteMarkdown writes the matrix as the Markdown of docs/policy-matrix.md:
// the counts, then one table per section of the policy (§1.13, …), in
// policy order, with each sentence cut to 160 characters.
func (m Matrix) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	c := m.Counts()
	b.WriteString("# Release policy traceability matrix\n\n")
	b.WriteString("<!-- Generated by `go test ./policy -run TestMatrixDoc -update` from policy/release-policy.md,\n")
	b.WriteString("     policy/traceability.yaml and the built-in controls; do not edit. -->\n\n")
	b.WriteString("Every MUST sentence of the release policy (`policy/release-policy.md`), with the controls\n")
	b.WriteString("and APIs that enforce it and the tests that prove it (**automated**), what would enforce it\n")
	b.WriteString("when nothing does yet (**automatable**), or why only people can meet it (**organisational**).\n")
	b.WriteString("A sentence ID is its section and its ordinal among the section's MUST sentences.\n")
	b.WriteString("`relctl policy controls` prints the same matrix (`--format json` for tools).\n\n")
	b.WriteString("| MUST sentences | automated | automatable, not yet | organisational |\n")
	b.WriteString("|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d |\n", c.Total, c.Automated, c.Automatable, c.Organisational)
	group := ""
	for _, t := range m.Traces {
		if g := topSection(t.Section); g != group {
			group = g
			fmt.Fprintf(&b, "\n## %s\n\n", g)
			b.WriteString("| ID | Sentence | Status | Controls and APIs | Tests | Reason or note |\n")
			b.WriteString("|---|---|---|---|---|---|\n")
		}
		enforced := append(slices.Clone(t.Controls), t.APIs...)
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", mdCell(t.ID), mdCell(cut(t.Text, 160)), t.Status,
			mdCode(enforced), mdCode(t.Tests), mdCell(t.Reason))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// topSection returns the first two levels of a section: §1.13 for
// §1.13.3.1, §2.6 for §2.6.3.1.
func topSection(s string) string {
	parts := strings.SplitN(s, ".", 3)
	if len(parts) < 2 {
		return s
	}
	return parts[0] + "." + parts[1]
}

var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "&", "&amp;", "\n", " ",
)

func mdCell(s string) string { return mdEscaper.Replace(s) }

func mdCode(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "`" + strings.ReplaceAll(n, "|", `\|`) + "`"
	}
	return strings.Join(out, ", ")
}

package policy

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/releasekit/releasekit/internal/textsafe"
)

// WriteText writes r for people: one block per control with its status,
// reason and evidence, and a summary line.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, res := range r.Results {
		q := textsafe.OneLine
		fmt.Fprintf(&b, "%-14s %s %s (%s)\n", q(strings.ToUpper(string(res.Status))), q(res.Control.ID), q(res.Control.Title), q(res.Control.Section))
		fmt.Fprintf(&b, "    %s\n", q(res.Reason))
		for _, e := range res.Evidence {
			if e.Note != "" {
				fmt.Fprintf(&b, "    - %s %s: %s\n", q(e.Kind), q(e.Value), q(e.Note))
			} else {
				fmt.Fprintf(&b, "    - %s %s\n", q(e.Kind), q(e.Value))
			}
		}
	}
	c := r.Counts()
	fmt.Fprintf(&b, "%d controls: %d pass, %d fail, %d waived, %d not applicable\n", len(r.Results), c[Pass], c[Fail], c[Waived], c[NotApplicable])
	if err := r.Err(); err != nil && r.Advisory {
		b.WriteString("result: DENY (advisory policy: not enforced)\n")
	} else if err != nil {
		b.WriteString("result: DENY\n")
	} else {
		b.WriteString("result: ALLOW\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// reportJSON is the JSON form of a Report.
type reportJSON struct {
	Allowed  bool     `json:"allowed"`
	Advisory bool     `json:"advisory"`
	Error    string   `json:"error,omitempty"`
	Results  []Result `json:"results"`
}

// WriteJSON writes r as one indented JSON object: {"allowed", "advisory", "error",
// "results": [{"control", "status", "reason", "evidence", "waiver"}]}.
func (r Report) WriteJSON(w io.Writer) error {
	// A copy: empty evidence is written as [] without touching r's results.
	out := reportJSON{Allowed: r.Err() == nil, Advisory: r.Advisory, Results: slices.Clone(r.Results)}
	if err := r.Err(); err != nil {
		out.Error = err.Error()
	}
	if out.Results == nil {
		out.Results = []Result{}
	}
	for i := range out.Results {
		if out.Results[i].Evidence == nil {
			out.Results[i].Evidence = []Evidence{}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// ReadReport reads a report written by [Report.WriteJSON], strictly: it
// refuses, with a *[ReportError] "invalid report", input over 16 MiB,
// anything but one JSON object, unknown or repeated keys (also keys that
// differ only in case, which encoding/json would match to one field),
// trailing data, a status other than pass, fail, not-applicable and
// waived, a waiver on a result that is not waived or a waived result
// without one, and "allowed" or "error" values that are not those the
// results give. Errors reading r are returned wrapped as they are.
//
// Writing the report read with WriteJSON gives back the bytes WriteJSON
// wrote. The causes of failed results (Result.Err) are not part of the
// JSON form and stay nil; empty evidence reads as nil.
func ReadReport(r io.Reader) (Report, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxJSON+1))
	if err != nil {
		return Report{}, fmt.Errorf("read report: %w", err)
	}
	if len(data) > maxJSON {
		return Report{}, &ReportError{Reason: reasonInvalid, Detail: "larger than 16 MiB"}
	}
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return Report{}, &ReportError{Reason: reasonInvalid, Detail: "not a JSON object"}
	}
	var in reportJSON
	if err := unmarshalStrict(data, &in, true); err != nil {
		return Report{}, &ReportError{Reason: reasonInvalid, Err: err}
	}
	rep := Report{Results: in.Results, Advisory: in.Advisory}
	for i := range rep.Results {
		res := &rep.Results[i]
		switch res.Status {
		case Pass, Fail, NotApplicable, Waived:
		default:
			return Report{}, &ReportError{Reason: reasonInvalid, Detail: fmt.Sprintf("result %d (%s): unknown status %q", i, res.Control.ID, res.Status)}
		}
		if res.Status == Waived && res.Waiver == nil {
			return Report{}, &ReportError{Reason: reasonInvalid, Detail: fmt.Sprintf("result %d (%s): waived without its exception", i, res.Control.ID)}
		}
		if res.Status != Waived && res.Waiver != nil {
			return Report{}, &ReportError{Reason: reasonInvalid, Detail: fmt.Sprintf("result %d (%s): exception on a result that is %s", i, res.Control.ID, res.Status)}
		}
		if len(res.Evidence) == 0 {
			res.Evidence = nil
		}
	}
	if len(rep.Results) == 0 {
		rep.Results = nil
	}
	verdict := ""
	if err := rep.Err(); err != nil {
		verdict = err.Error()
	}
	if in.Allowed != (verdict == "") || in.Error != verdict {
		return Report{}, &ReportError{Reason: reasonInvalid, Detail: `"allowed" and "error" do not match the results`}
	}
	return rep, nil
}

// SARIFSchema is the JSON schema URI of the SARIF 2.1.0 logs WriteSARIF
// writes.
const SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"

type sarifLog struct {
	Version string     `json:"version"`
	Schema  string     `json:"$schema"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name,omitempty"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	DefaultConfiguration map[string]any `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifResult struct {
	RuleID       string            `json:"ruleId"`
	RuleIndex    int               `json:"ruleIndex"`
	Level        string            `json:"level"`
	Kind         string            `json:"kind"`
	Message      sarifText         `json:"message"`
	Locations    []sarifLocation   `json:"locations"`
	Suppressions []sarifSuppressed `json:"suppressions,omitempty"`
	Properties   map[string]any    `json:"properties,omitempty"`
}

type sarifSuppressed struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation struct {
		URI string `json:"uri"`
	} `json:"artifactLocation"`
	Region *sarifRegion `json:"region,omitempty"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

// WriteSARIF writes r as a SARIF 2.1.0 log for code-scanning tools (GitHub
// code scanning reads version, $schema, runs[].tool.driver.name and
// rules[].id, and results[].ruleId, level, message.text and locations).
// A fail is level "error", a waiver a result with an external suppression,
// a pass or not-applicable a "none" result of kind "pass" or
// "notApplicable". A result is located at the file of its first file
// evidence ("path" or "path:line"), else at defaultURI (for example
// ".github/release-policy.yml").
func (r Report) WriteSARIF(w io.Writer, defaultURI string) error {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "releasekit-policy", InformationURI: "https://github.com/releasekit/releasekit", Rules: []sarifRule{}}}, Results: []sarifResult{}}
	index := map[string]int{}
	for _, res := range r.Results {
		m := res.Control
		i, ok := index[m.ID]
		if !ok {
			i = len(run.Tool.Driver.Rules)
			index[m.ID] = i
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
				ID: m.ID, Name: m.ID, ShortDescription: sarifText{m.Title},
				FullDescription:      sarifText{fmt.Sprintf("%s (policy %s; SOC 2 %s)", m.Title, m.Section, strings.Join(m.Criteria, ", "))},
				DefaultConfiguration: map[string]any{"level": "error"},
				Properties:           map[string]any{"tags": append([]string{"release-policy"}, m.Criteria...), "security-severity": severityScore(m.Severity)},
			})
		}
		sr := sarifResult{RuleID: m.ID, RuleIndex: i, Message: sarifText{res.Reason}, Locations: []sarifLocation{location(res, defaultURI)},
			Properties: map[string]any{"status": string(res.Status)}}
		switch res.Status {
		case Fail:
			sr.Level, sr.Kind = "error", "fail"
		case Waived:
			sr.Level, sr.Kind = "error", "fail"
			sr.Suppressions = []sarifSuppressed{{Kind: "external", Justification: res.Reason}}
		case Pass:
			sr.Level, sr.Kind = "none", "pass"
		default:
			sr.Level, sr.Kind = "none", "notApplicable"
		}
		run.Results = append(run.Results, sr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Version: "2.1.0", Schema: SARIFSchema, Runs: []sarifRun{run}})
}

func severityScore(s Severity) string {
	switch s {
	case Low:
		return "3.0"
	case Medium:
		return "5.5"
	case Critical:
		return "9.5"
	}
	return "8.0"
}

func location(res Result, def string) sarifLocation {
	var loc sarifLocation
	loc.PhysicalLocation.ArtifactLocation.URI = def
	for _, e := range res.Evidence {
		if e.Kind != "file" && e.Kind != "digest" {
			continue
		}
		if strings.HasPrefix(e.Value, "sha256:") || strings.HasPrefix(e.Value, "sha512:") {
			continue // a digest, not a path
		}
		p, line, ok := strings.Cut(e.Value, ":")
		if strings.ContainsAny(p, " ()") || p == "" {
			continue
		}
		u := (&url.URL{Path: p}).String()
		if _, err := url.Parse(u); err != nil || strings.Contains(u, "\\") {
			continue
		}
		loc.PhysicalLocation.ArtifactLocation.URI = u
		if n, err := strconv.Atoi(line); ok && err == nil && n > 0 {
			loc.PhysicalLocation.Region = &sarifRegion{StartLine: n}
		}
		break
	}
	return loc
}

type junitSuites struct {
	XMLName  xml.Name   `xml:"testsuites"`
	Name     string     `xml:"name,attr"`
	Tests    int        `xml:"tests,attr"`
	Failures int        `xml:"failures,attr"`
	Skipped  int        `xml:"skipped,attr"`
	Suites   []junitSet `xml:"testsuite"`
}

type junitSet struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes r as JUnit XML: one test case per control (name "ID:
// title", class "policy"), a failure for a fail, skipped for
// not-applicable and waived (with the reason), and the evidence as
// system-out.
func (r Report) WriteJUnit(w io.Writer) error {
	set := junitSet{Name: "release-policy"}
	for _, res := range r.Results {
		c := junitCase{Name: res.Control.ID + ": " + res.Control.Title, ClassName: "policy"}
		switch res.Status {
		case Fail:
			c.Failure = &junitMessage{Message: res.Reason, Type: string(res.Control.Severity), Text: res.Reason}
			set.Failures++
		case Waived, NotApplicable:
			c.Skipped = &junitMessage{Message: string(res.Status) + ": " + res.Reason}
			set.Skipped++
		}
		var ev strings.Builder
		for _, e := range res.Evidence {
			fmt.Fprintf(&ev, "%s %s %s\n", e.Kind, e.Value, e.Note)
		}
		c.SystemOut = ev.String()
		set.Cases = append(set.Cases, c)
	}
	set.Tests = len(set.Cases)
	doc := junitSuites{Name: "releasekit-policy", Tests: set.Tests, Failures: set.Failures, Skipped: set.Skipped, Suites: []junitSet{set}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

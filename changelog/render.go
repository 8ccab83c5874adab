package changelog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// Format is an output format of [Write].
type Format int

// The formats of [Write].
const (
	// Markdown is the conventional-changelog style: "## [v1.2.0](compare)
	// (2026-01-05)", a "⚠ BREAKING CHANGES" section, then one section per
	// commit type with "* **scope:** description (#PR) (hash)" entries.
	Markdown Format = iota
	// KeepAChangelog is the keepachangelog.com 1.1.0 style: "## [v1.2.0] -
	// 2026-01-05" with Added, Changed, Deprecated, Removed, Fixed and
	// Security sections.
	KeepAChangelog
	// JSON is one object: version, previous, date (YYYY-MM-DD or ""),
	// sections (title and entries with hash, scope, description, breaking,
	// pr, tickets and backport_of) and breaking (the migration notes).
	JSON
)

// A FormatError reports a format that cannot be used. Format is the name
// given to [ParseFormat] or the [Format] value in decimal. Reason is
// "unknown format", or "cannot go into a CHANGELOG.md" for [JSON] given to
// [Insert] or [Update].
type FormatError struct {
	Format string
	Reason string

	text string // the message
}

// Error returns "changelog: unknown format: " and the format.
func (e *FormatError) Error() string {
	if e.text != "" {
		return e.text
	}
	return "changelog: " + e.Reason + ": " + e.Format
}

// formatError returns the error for format f, which has no Markdown
// section, or is not a format at all.
func formatError(f Format) *FormatError {
	n := strconv.Itoa(int(f))
	if f == JSON {
		return &FormatError{Format: n, Reason: "cannot go into a CHANGELOG.md", text: "changelog: unknown format: " + n + " cannot go into a CHANGELOG.md"}
	}
	return &FormatError{Format: n, Reason: "unknown format"}
}

// A TemplateError reports a template that could not be parsed (Reason
// "parse") or executed (Reason "execute"). Err is the error of
// text/template.
type TemplateError struct {
	Reason string
	Err    error

	op string // what the message names, such as "release notes: "
}

// Error returns "changelog: template error: " and the error of
// text/template.
func (e *TemplateError) Error() string {
	return fmt.Sprintf("changelog: template error: %s%v", e.op, e.Err)
}

// Unwrap returns Err.
func (e *TemplateError) Unwrap() error { return e.Err }

// ParseFormat returns the format named "markdown", "keepachangelog" or
// "json", or a [*FormatError].
func ParseFormat(s string) (Format, error) {
	switch s {
	case "markdown", "md":
		return Markdown, nil
	case "keepachangelog", "keep-a-changelog":
		return KeepAChangelog, nil
	case "json":
		return JSON, nil
	}
	return 0, &FormatError{Format: s, Reason: "unknown format", text: fmt.Sprintf("changelog: unknown format: %q", s)}
}

// Write renders n in format f to w. Text that came from commits is escaped
// (see [Escape]); JSON carries it unchanged. Write renders into memory first
// and then calls w.Write once, so w never receives half of the notes.
func Write(w io.Writer, n Notes, f Format) error {
	var b []byte
	switch f {
	case Markdown:
		b = []byte(markdown(n, "\n"))
	case KeepAChangelog:
		b = []byte(keepAChangelog(n, "\n"))
	case JSON:
		var err error
		b, err = marshalJSON(n)
		if err != nil {
			return err
		}
		b = append(b, '\n')
	default:
		return &FormatError{Format: strconv.Itoa(int(f)), Reason: "unknown format"}
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write notes: %w", err)
	}
	return nil
}

// render returns the Markdown section of n in format f with line ending nl,
// for Update.
func render(n Notes, f Format, nl string) (string, error) {
	switch f {
	case Markdown:
		return markdown(n, nl), nil
	case KeepAChangelog:
		return keepAChangelog(n, nl), nil
	}
	return "", formatError(f)
}

const dateLayout = "2006-01-02"

func (n Notes) dateString() string {
	if n.Date.IsZero() {
		return ""
	}
	return n.Date.UTC().Format(dateLayout)
}

func markdown(n Notes, nl string) string {
	var b strings.Builder
	b.WriteString("## ")
	if n.Version == "" {
		b.WriteString("Unreleased")
	} else if n.CompareURL != "" {
		b.WriteString("[")
		escapeTo(&b, n.Version)
		b.WriteString("](" + escapeURL(n.CompareURL) + ")")
	} else {
		escapeTo(&b, n.Version)
	}
	if d := n.dateString(); d != "" && n.Version != "" {
		b.WriteString(" (" + d + ")")
	}
	b.WriteString(nl)
	writeBreaking(&b, n, nl, "*")
	for _, s := range n.Sections {
		b.WriteString(nl + "### ")
		escapeTo(&b, s.Title)
		b.WriteString(nl + nl)
		for _, e := range s.Entries {
			writeEntry(&b, e, "*")
			b.WriteString(nl)
		}
	}
	return b.String()
}

func writeBreaking(b *strings.Builder, n Notes, nl, bullet string) {
	if len(n.Breaking) == 0 {
		return
	}
	b.WriteString(nl + "### ⚠ BREAKING CHANGES" + nl + nl)
	for _, br := range n.Breaking {
		b.WriteString(bullet + " ")
		if br.Scope != "" {
			b.WriteString("**")
			escapeTo(b, br.Scope)
			b.WriteString(":** ")
		}
		var note strings.Builder
		escapeBlock(&note, br.Note, "  ")
		b.WriteString(strings.ReplaceAll(note.String(), "\n", nl))
		b.WriteString(" (")
		writeLink(b, short(br.Hash), br.CommitURL)
		b.WriteString(")" + nl)
	}
}

func writeEntry(b *strings.Builder, e Entry, bullet string) {
	b.WriteString(bullet + " ")
	if e.Breaking {
		b.WriteString("**⚠** ")
	}
	if e.Scope != "" {
		b.WriteString("**")
		escapeTo(b, e.Scope)
		b.WriteString(":** ")
	}
	escapeTo(b, e.Description)
	if e.PR != 0 {
		b.WriteString(" (")
		writeRawLink(b, fmt.Sprintf("#%d", e.PR), e.PRURL)
		b.WriteString(")")
	}
	b.WriteString(" (")
	writeLink(b, short(e.Hash), e.CommitURL)
	b.WriteString(")")
	if e.BackportOf != "" {
		b.WriteString(", backport of ")
		writeLink(b, short(e.BackportOf), e.BackportURL)
	}
	if len(e.Tickets) > 0 {
		b.WriteString(", refs ")
		for i, t := range e.Tickets {
			if i > 0 {
				b.WriteString(", ")
			}
			u := ""
			if i < len(e.TicketURLs) {
				u = e.TicketURLs[i]
			}
			writeLink(b, t, u)
		}
	}
}

// writeLink writes text as a link to u, or as plain text when u is empty.
// The text is escaped; u comes from the configured templates.
func writeLink(b *strings.Builder, text, u string) {
	if u == "" {
		escapeTo(b, text)
		return
	}
	b.WriteString("[")
	escapeTo(b, text)
	b.WriteString("](" + escapeURL(u) + ")")
}

// writeRawLink is writeLink for text generated here (a PR number).
func writeRawLink(b *strings.Builder, text, u string) {
	if u == "" {
		b.WriteString(text)
		return
	}
	b.WriteString("[" + text + "](" + escapeURL(u) + ")")
}

func short(h string) string {
	if len(h) > 7 && isHex(h) {
		return h[:7]
	}
	return h
}

// kacTitle returns the Keep a Changelog section of a commit type; shown
// types without a section of their own go to Changed.
func kacTitle(typ string) string {
	switch typ {
	case "feat":
		return "Added"
	case "fix":
		return "Fixed"
	case "revert":
		return "Removed"
	case "security", "sec":
		return "Security"
	case "deprecate", "deprecated", "deprecation":
		return "Deprecated"
	}
	return "Changed"
}

func keepAChangelog(n Notes, nl string) string {
	var b strings.Builder
	b.WriteString("## [")
	if n.Version == "" {
		b.WriteString("Unreleased]")
	} else {
		escapeTo(&b, n.Version)
		b.WriteString("]")
		if d := n.dateString(); d != "" {
			b.WriteString(" - " + d)
		}
	}
	b.WriteString(nl)
	writeBreaking(&b, n, nl, "-")
	groups := map[string][]Entry{}
	for _, s := range n.Sections {
		t := kacTitle(s.Type)
		groups[t] = append(groups[t], s.Entries...)
	}
	for _, t := range []string{"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"} {
		if len(groups[t]) == 0 {
			continue
		}
		b.WriteString(nl + "### " + t + nl + nl)
		for _, e := range groups[t] {
			writeEntry(&b, e, "-")
			b.WriteString(nl)
		}
	}
	return b.String()
}

// jsonNotes is the JSON contract of the notes.
type jsonNotes struct {
	Version  string    `json:"version"`
	Previous string    `json:"previous"`
	Date     string    `json:"date"`
	Sections []Section `json:"sections"`
	Breaking []string  `json:"breaking"`
}

func marshalJSON(n Notes) ([]byte, error) {
	j := jsonNotes{Version: n.Version, Previous: n.Previous, Date: n.dateString(), Sections: n.Sections, Breaking: []string{}}
	if j.Sections == nil {
		j.Sections = []Section{}
	}
	for _, br := range n.Breaking {
		j.Breaking = append(j.Breaking, br.Note)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true)
	enc.SetIndent("", "  ")
	if err := enc.Encode(j); err != nil {
		return nil, fmt.Errorf("encode notes: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// MarshalJSON encodes n with the fields of the [JSON] format.
func (n Notes) MarshalJSON() ([]byte, error) { return marshalJSON(n) }

// ParseTemplate parses a user text/template for [WriteTemplate] with these
// functions added:
//
//   - md: escape a string as inert Markdown text (see [Escape]);
//   - date: format a time.Time as YYYY-MM-DD ("" for the zero time);
//   - short: the first 7 characters of a commit hash.
//
// Its error is a [*TemplateError].
func ParseTemplate(name, text string) (*template.Template, error) {
	t, err := template.New(name).Funcs(templateFuncs()).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, &TemplateError{Reason: "parse", Err: err}
	}
	return t, nil
}

func templateFuncs() template.FuncMap {
	return template.FuncMap{"md": Escape, "date": dateOf, "short": short}
}

func dateOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(dateLayout)
}

// WriteTemplate executes t (made by [ParseTemplate] or by the caller) with
// n as its data: .Version, .Previous, .Date (time.Time), .CompareURL,
// .Sections (each .Title, .Type and .Entries), .Breaking (each .Hash,
// .Scope, .Description, .Note, .CommitURL) and .Skipped. Each entry has
// .Hash, .Type, .Scope, .Description, .Breaking, .PR, .Tickets,
// .BackportOf, .CommitURL, .PRURL, .TicketURLs and .BackportURL.
//
// The data is not escaped: pipe commit text through md ({{md
// .Description}}) when the output is Markdown or HTML. Commit text is only
// ever data: "{{…}}" in a message is printed, never executed. The output
// is built in memory and written to w once; an execution error is a
// [*TemplateError] and writes nothing.
func WriteTemplate(w io.Writer, n Notes, t *template.Template) error {
	var buf bytes.Buffer
	if err := t.Execute(&buf, n); err != nil {
		return &TemplateError{Reason: "execute", Err: err}
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write notes: %w", err)
	}
	return nil
}

// escapeURL keeps a configured URL from ending a Markdown link early.
func escapeURL(u string) string {
	return strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "\n", "%0A", "\r", "%0D").Replace(u)
}

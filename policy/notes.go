package policy

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/releasekit/releasekit/changelog"
)

// ReleaseNotesSections returns the sections release notes must have, by
// heading, in the order changelog.WriteReleaseNotes writes them: what
// §1.20.3.2 (release notes MUST include), §1.20.5.2 (the minimal template)
// and §2.6.3.1 (the per-version template) ask for — Summary, Highlights,
// Release metadata, Customer-impacting changes (behavioural changes,
// migrations, deprecations), Fixes (bug and security), Operational notes
// (runbook updates, feature flags, configs), Known issues, Risks and
// mitigations, Artifacts (with digests), SBOM and provenance, Validation
// evidence, Approvals and promotion status, and Rollback plan (target
// version and digest). The slice is new on every call.
func ReleaseNotesSections() []string {
	return []string{
		"Summary", "Highlights", "Release metadata", "Customer-impacting changes", "Fixes",
		"Operational notes", "Known issues", "Risks and mitigations", "Artifacts",
		"SBOM and provenance", "Validation evidence", "Approvals and promotion status", "Rollback plan",
	}
}

// ReleaseNotes (REL-NOTES-001) requires the release evaluated to have
// release notes from the standard template with every required section
// (§1.20.3.2 sentences 1, 3 and 4; §1.20.5.1 item 3; §1.20.6.1: notes kept
// on a VCS platform must still include all required fields). It reads
// Facts.ReleaseNotes, the Markdown notes (as relctl release-notes and
// changelog.WriteReleaseNotes write them): each "## " heading outside a
// fenced code block and outside HTML comments is a section, compared
// case-insensitively; a section whose body is blank (or only a comment)
// counts as missing, and so does one of the sections §1.20.3.2 says notes
// MUST include (Summary, Highlights, Customer-impacting changes, Fixes,
// Operational notes, Known issues, Artifacts, Rollback plan) whose body
// says only that its data was not recorded: the placeholders
// changelog.WriteReleaseNotes prints for absent data ("Not recorded.",
// "- Rollback method: not provided"; [changelog.IsPlaceholder]), while
// "None." records that there is none; when the notes have a "# " title
// and Facts.Record names the release, the title must name its tag (notes
// of another release are not this release's).
//
// Sections lists the required headings; nil means
// [ReleaseNotesSections]. The release evaluated is Facts.Record's (or
// Facts.Tag's): with neither and no notes, no release is evaluated and the
// control is not applicable; a release without notes fails with
// [ErrMissingEvidence]; notes missing a section fail naming every missing
// one.
type ReleaseNotes struct {
	Sections []string
}

// Meta describes the control.
func (ReleaseNotes) Meta() Meta {
	return Meta{ID: "REL-NOTES-001", Title: "Each release has release notes with every required section",
		Section: "§1.20.3.2, §1.20.5.1, §1.20.6.1, §2.6.3.1", Criteria: []string{"CC8.1"}, Severity: Medium}
}

// Evaluate checks f.ReleaseNotes against f.Record (or f.Tag).
func (c ReleaseNotes) Evaluate(_ context.Context, f Facts) Result {
	release := ""
	switch {
	case f.Record != nil && f.Record.Tag != "":
		release = f.Record.Tag
	case f.Tag != nil:
		release = f.Tag.Name
	}
	if release == "" && f.ReleaseNotes == nil {
		return na("no release evaluated (no record, tag or release notes)")
	}
	name := release
	if name == "" {
		name = "(release not named)"
	}
	if len(bytes.TrimSpace(f.ReleaseNotes)) == 0 {
		return missing("release notes of " + name + " (relctl release-notes --release " + name + " writes them)")
	}
	title, sections := notesHeadings(f.ReleaseNotes)
	if release != "" && title != "" && !strings.Contains(" "+title+" ", " "+release+" ") {
		return fail(fmt.Sprintf("the release notes are titled %q, not notes of %s; publish the notes of %s", title, release, release),
			Evidence{Kind: "title", Value: title})
	}
	want := c.Sections
	if want == nil {
		want = ReleaseNotesSections()
	}
	var ev []Evidence
	var absent []string
	for _, w := range want {
		body, ok := sections[strings.ToLower(strings.TrimSpace(w))]
		switch {
		case !ok:
			absent = append(absent, w)
			ev = append(ev, Evidence{Kind: "section", Value: w, Note: "missing"})
		case strings.TrimSpace(body) == "":
			absent = append(absent, w)
			ev = append(ev, Evidence{Kind: "section", Value: w, Note: "empty"})
		case mustRecord(w) && !recorded(body):
			absent = append(absent, w+" (not recorded)")
			ev = append(ev, Evidence{Kind: "section", Value: w, Note: "not recorded: only placeholders"})
		default:
			ev = append(ev, Evidence{Kind: "section", Value: w, Note: "present"})
		}
	}
	if len(absent) > 0 {
		return fail(fmt.Sprintf("the release notes of %s lack %d required section(s): %s; generate them from the standard template (relctl release-notes) and fill what is missing",
			name, len(absent), strings.Join(absent, ", ")), ev...)
	}
	return pass(fmt.Sprintf("the release notes of %s have all %d required sections", name, len(want)), ev...)
}

// recordedSections are the sections §1.20.3.2 says release notes MUST
// include (summary and highlights, customer-impacting changes, fixes,
// operational notes, known issues, artifacts with digests, rollback
// instructions): one that says only that its data was not recorded
// counts as missing.
var recordedSections = []string{"summary", "highlights", "customer-impacting changes", "fixes", "operational notes",
	"known issues", "artifacts", "rollback plan"}

// mustRecord reports whether the section headed h is one of
// recordedSections.
func mustRecord(h string) bool {
	return slices.Contains(recordedSections, strings.ToLower(strings.TrimSpace(h)))
}

// recorded reports whether a section body records something: a line that
// is neither blank, nor a bare label ("- Bug fixes:"), nor one of the
// placeholders changelog.WriteReleaseNotes prints for absent data
// ([changelog.IsPlaceholder]: "Not recorded.", "- X: not provided").
// "None." records that there is none.
func recorded(body string) bool {
	for _, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasSuffix(t, ":") || changelog.IsPlaceholder(t) {
			continue
		}
		return true
	}
	return false
}

// notesHeadings returns the "# " title of Markdown notes and the body of
// each "## " section by lower-case heading (a heading given twice keeps
// both bodies). Headings inside fenced code blocks are text; HTML comments
// ("<!-- ... -->", over several lines too) outside them are not rendered,
// so the headings and text in them count for nothing.
func notesHeadings(md []byte) (title string, sections map[string]string) {
	sections = map[string]string{}
	var cur string
	inSection, fence, comment := false, "", false
	for _, line := range strings.Split(strings.ReplaceAll(string(md), "\r\n", "\n"), "\n") {
		if fence == "" {
			line, comment = uncomment(line, comment)
		}
		trimmed := strings.TrimLeft(line, " ")
		if len(line)-len(trimmed) < 4 {
			if f := fenceOf(trimmed); f != "" {
				switch {
				case fence == "":
					fence = f
				case strings.HasPrefix(f, fence):
					fence = ""
				}
			}
			if fence == "" && len(line)-len(trimmed) < 4 {
				if h, ok := atxHeading(trimmed, 2); ok {
					cur, inSection = strings.ToLower(h), true
					if _, seen := sections[cur]; !seen {
						sections[cur] = ""
					}
					continue
				}
				if h, ok := atxHeading(trimmed, 1); ok && title == "" {
					title, inSection = h, false
					continue
				}
				if _, ok := atxHeading(trimmed, 1); ok {
					inSection = false
					continue
				}
			}
		}
		if inSection && fenceOf(trimmed) == "" {
			sections[cur] += line + "\n"
		}
	}
	return title, sections
}

// uncomment returns line without its HTML comments, the comment open at
// its start when in is set, and whether a comment is still open at its
// end.
func uncomment(line string, in bool) (string, bool) {
	var b strings.Builder
	for {
		if in {
			_, rest, ok := strings.Cut(line, "-->")
			if !ok {
				return b.String(), true
			}
			line, in = rest, false
			continue
		}
		before, rest, ok := strings.Cut(line, "<!--")
		b.WriteString(before)
		if !ok {
			return b.String(), false
		}
		line, in = rest, true
	}
}

// atxHeading returns the text of an ATX heading of exactly level, without
// closing #s.
func atxHeading(line string, level int) (string, bool) {
	p := strings.Repeat("#", level)
	if !strings.HasPrefix(line, p) {
		return "", false
	}
	rest := line[level:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", false // "###", or "#x" (not a heading)
	}
	rest = strings.TrimSpace(rest)
	if t := strings.TrimRight(rest, "#"); t != rest && (t == "" || strings.HasSuffix(t, " ")) {
		rest = strings.TrimSpace(t)
	}
	return rest, true
}

// fenceOf returns the fence a line opens or closes ("```" or "~~~", as
// long as written), or "".
func fenceOf(line string) string {
	for _, c := range []string{"`", "~"} {
		n := len(line) - len(strings.TrimLeft(line, c))
		if n >= 3 {
			return line[:n]
		}
	}
	return ""
}

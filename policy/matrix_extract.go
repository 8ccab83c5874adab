package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
)

// A Requirement is one MUST sentence of the release policy: a sentence
// that says MUST or MUST NOT, under the numbered section whose heading is
// the nearest above it.
type Requirement struct {
	// ID is the section and the ordinal of the sentence among the MUST
	// sentences of that section, from 1: "§1.13.3.1/2".
	ID string `json:"id"`
	// Section is the numbered section ("§1.13.3.1").
	Section string `json:"section"`
	// Text is the sentence with its list marker, call-out label
	// ("[!Guardrail]") and Markdown emphasis removed and its spaces
	// collapsed.
	Text string `json:"sentence"`
	// Line is the line of the policy the sentence is on, from 1.
	Line int `json:"-"`
}

// Sum is a short fingerprint of the sentence's text: the first eight hex
// digits of its SHA-256. The traceability data records it, so a change to
// the sentence is noticed.
func (r Requirement) Sum() string {
	h := sha256.Sum256([]byte(r.Text))
	return hex.EncodeToString(h[:4])
}

var (
	mustRE     = regexp.MustCompile(`\bMUST\b`)
	headingRE  = regexp.MustCompile(`^#{1,6}\s`)
	sectionRE  = regexp.MustCompile(`^(\d+(?:\.\d+)+)(?:\s|$)`)
	tocRE      = regexp.MustCompile(`^\s*[-*]\s+\[.*\]\(#.*\)\s*$`)
	listRE     = regexp.MustCompile(`^(?:[-*+]\s+|\d+[.)]\s+)`)
	calloutRE  = regexp.MustCompile(`^\[![A-Za-z]+\]\s*`)
	spaceRE    = regexp.MustCompile(`[ \t]+`)
	htmlRE     = regexp.MustCompile(`</?(?:b|i|em|strong|code)>`)
	abbrevTail = []string{"e.g.", "i.e.", "vs.", "etc.", "approx.", "cf."}
)

// ParseRequirements extracts the MUST sentences of a release policy
// written in Markdown: every sentence, outside headings and the table of
// contents, that says MUST (MUST NOT included), with the numbered section
// of the nearest heading above it ("1.13.3.1 Required pipeline stages"
// gives §1.13.3.1; unnumbered headings such as "Guardrail" keep the
// section they are in). A paragraph or list item is split into sentences
// at a full stop, question or exclamation mark followed by a space and a
// capital letter. A MUST sentence before any numbered heading is an
// error: it would have no section to be traced by.
func ParseRequirements(text []byte) ([]Requirement, error) {
	var (
		out     []Requirement
		section string
		ordinal = map[string]int{}
	)
	lines := strings.Split(strings.ReplaceAll(string(text), "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if headingRE.MatchString(line) {
			title := strings.TrimSpace(strings.ReplaceAll(strings.TrimLeft(line, "# "), "*", ""))
			if m := sectionRE.FindStringSubmatch(title); m != nil {
				section = "§" + m[1]
			}
			continue
		}
		if tocRE.MatchString(line) || !mustRE.MatchString(line) {
			continue
		}
		n := i + 1
		sentences := splitSentences(clean(line))
		// A sentence that ends in a colon introduces a list: the list
		// is part of it.
		if last := len(sentences) - 1; strings.HasSuffix(sentences[last], ":") {
			items, next := listAfter(lines, i)
			if len(items) > 0 {
				sentences[last] += " " + strings.Join(items, "; ")
				i = next - 1
			}
		}
		for _, s := range sentences {
			if !mustRE.MatchString(s) {
				continue
			}
			if section == "" {
				return nil, fmt.Errorf("policy: line %d: a MUST sentence before any numbered section", n)
			}
			ordinal[section]++
			out = append(out, Requirement{
				ID:      fmt.Sprintf("%s/%d", section, ordinal[section]),
				Section: section,
				Text:    s,
				Line:    n,
			})
		}
	}
	return out, nil
}

// listAfter returns the list items that follow lines[i], cleaned and
// without their trailing punctuation, and the index of the first line after
// them. Under a list item they are the items indented deeper; under a
// paragraph, the items up to the next line that is not one.
func listAfter(lines []string, i int) ([]string, int) {
	indent := func(s string) int { return len(s) - len(strings.TrimLeft(s, " \t")) }
	isItem := listRE.MatchString(strings.TrimSpace(lines[i]))
	base := indent(lines[i])
	var items []string
	j := i + 1
	for ; j < len(lines); j++ {
		l := lines[j]
		if strings.TrimSpace(l) == "" {
			continue
		}
		if headingRE.MatchString(l) || !listRE.MatchString(strings.TrimSpace(l)) || (isItem && indent(l) <= base) {
			break
		}
		items = append(items, strings.TrimRight(clean(l), ".,;"))
	}
	// Blank lines after the last item belong to what follows.
	for j > i+1 && strings.TrimSpace(lines[j-1]) == "" {
		j--
	}
	return items, j
}

// clean removes a line's list marker, call-out label and emphasis and
// collapses its spaces.
func clean(line string) string {
	s := strings.TrimSpace(line)
	s = listRE.ReplaceAllString(s, "")
	s = calloutRE.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "**", "")
	s = strings.ReplaceAll(s, "\\", "")
	s = htmlRE.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "\t", " — ")
	return strings.TrimSpace(spaceRE.ReplaceAllString(s, " "))
}

// splitSentences splits s after ".", "!" or "?", and any closing quote,
// followed by a space and a capital letter, except after the abbreviations
// of abbrevTail.
func splitSentences(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(".!?", rune(s[i])) {
			continue
		}
		end := i + 1
		for _, q := range []string{"”", "’", "\"", "'"} {
			if strings.HasPrefix(s[end:], q) {
				end += len(q)
				break
			}
		}
		if end+1 >= len(s) || s[end] != ' ' || s[end+1] < 'A' || s[end+1] > 'Z' {
			continue
		}
		head := s[start:end]
		if abbreviated(head) {
			continue
		}
		out = append(out, strings.TrimSpace(head))
		start = end + 1
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

func abbreviated(head string) bool {
	lower := strings.ToLower(head)
	for _, a := range abbrevTail {
		if strings.HasSuffix(lower, " "+a) || strings.HasSuffix(lower, "("+a) || lower == a {
			return true
		}
	}
	return false
}

package policy

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// The parts of the §2.5 pull-request template that [PullRequestTemplate]
// requires, the keys of its Headings.
const (
	PRTicket   = "ticket"   // §2.5.2/2: link to the tracking ticket
	PRRollout  = "rollout"  // §2.5.2/2: rollout guidance
	PRRollback = "rollback" // §2.5.2/2: rollback guidance
	PRTesting  = "testing"  // §2.5.2/3: test evidence
	PRSecurity = "security" // §2.5.2/3: security testing performed, or N/A with rationale
)

// DefaultPRTemplateHeadings returns the words that name each required
// section of the §2.5.3 template ("## Ticket / Change record", "## Rollout
// plan", "## Rollback plan", "## Testing evidence", "## Security and
// compliance"), by key. The map is new on every call.
func DefaultPRTemplateHeadings() map[string]string {
	return map[string]string{PRTicket: "ticket", PRRollout: "rollout", PRRollback: "rollback", PRTesting: "test", PRSecurity: "security"}
}

// DefaultMigrationField is the field of the §2.5.3 template ("- Data
// migration: none | expand/contract | other (describe)", under "Risk
// assessment") that declares whether database changes follow
// expand/contract.
const DefaultMigrationField = "data migration"

// PullRequestTemplate (REL-PRTEMPLATE-001) requires the description of the
// pull request evaluated (PullRequest.Body, Markdown) to fill the required
// parts of the §2.5 PR template (§2.5.2/1-4, §2.5.3): a ticket section
// that links the tracking ticket (a URL, a key such as ABC-123, or #123),
// rollout and rollback sections with guidance, a testing section with
// test evidence, a security section that marks security testing as
// performed or N/A with a rationale, and the migration field declaring
// whether database changes follow expand/contract ("none",
// "expand/contract", or "other" with a description).
//
// A section is the text under a Markdown heading (any level; the
// policy's "### ## Rollout plan" form is read too) whose words include
// its Headings phrase (nil or a missing key: [DefaultPRTemplateHeadings];
// configure the phrases of an equivalent template). It is filled when one
// of its lines carries a value: a list item or paragraph, or the value of
// a "Field: value" line, or a checked checkbox ("- [x] …"); an unchecked
// checkbox, an HTML comment, a template placeholder ("<link>", an
// unchosen "yes | no | N/A", "pass (link)", "(rationale)",
// "(describe)") and an empty field are not values. In the testing and
// security sections a value that says "N/A" must give a rationale. The
// migration field is the "Field:" line whose name includes
// MigrationField (empty: [DefaultMigrationField]; "database" and
// "expand/contract" fields are read too), anywhere in the description, or
// the checked checkbox under it.
//
// No pull request: not applicable. A pull request without a description
// fails with [ErrMissingEvidence] (gather its body). The evidence names
// each part and the heading it was found under; the reason lists every
// part missing or unfilled.
type PullRequestTemplate struct {
	Headings       map[string]string
	MigrationField string
}

// Meta describes the control.
func (PullRequestTemplate) Meta() Meta {
	return Meta{ID: "REL-PRTEMPLATE-001", Title: "The pull request's description fills the PR template's required sections", Section: "§2.5.2, §2.5.3", Criteria: []string{"CC8.1"}, Severity: Medium}
}

var (
	ticketRefRE   = regexp.MustCompile(`https?://\S+|\b[A-Z][A-Z0-9]{1,9}-[0-9]+\b|(^|\s)#[0-9]+\b`)
	placeholderRE = regexp.MustCompile(`(?i)\((link[^)]*|rationale|describe|details|default state)\)|<[a-z][a-z0-9 _/()-]*>|<[^>]*$|\bvX\.Y\.Z\b`)
	htmlCommentRE = regexp.MustCompile(`(?s)<!--.*?-->`)
	listMarkerRE  = regexp.MustCompile(`^(?:[-*+]|[0-9]+[.)])(?:\s+|$)`)
	checkboxRE    = regexp.MustCompile(`^\[([ xX])\](?:\s+|$)`)
	fieldRE       = regexp.MustCompile(`^([^:]{1,80}?):(?:\s+(.*))?$`)
	naRE          = regexp.MustCompile(`(?i)^(?:n/?a|not applicable)\b[\s:;,.\-–—()]*`)
)

// prItem is one line of a pull-request description.
type prItem struct {
	indent int
	field  string // lower-case field name of a "Field: value" line
	value  string // the value: the line's text, or a field's value
	box    int    // 1: checked checkbox, -1: unchecked, 0: none
}

// prSection is the text under one heading.
type prSection struct {
	heading string
	items   []prItem
}

// parsePRBody splits a Markdown description into sections by heading; the
// text before the first heading is a section with an empty heading.
func parsePRBody(body string) []prSection {
	body = htmlCommentRE.ReplaceAllString(strings.ReplaceAll(body, "\r\n", "\n"), "")
	secs := []prSection{{}}
	fence := ""
	for _, line := range strings.Split(body, "\n") {
		trimmed := strings.TrimLeft(line, " \t")
		indent := len(line) - len(trimmed)
		if f := fenceOf(trimmed); f != "" && indent < 4 {
			switch {
			case fence == "":
				fence = f
			case strings.HasPrefix(f, fence):
				fence = ""
			}
			continue
		}
		if fence != "" {
			if t := strings.TrimSpace(line); t != "" {
				secs[len(secs)-1].items = append(secs[len(secs)-1].items, prItem{indent: indent, value: t})
			}
			continue
		}
		if h, ok := prHeading(trimmed); ok && indent < 4 {
			secs = append(secs, prSection{heading: h})
			continue
		}
		t := strings.TrimSpace(trimmed)
		for m := listMarkerRE.FindString(t); m != ""; m = listMarkerRE.FindString(t) {
			t = strings.TrimSpace(t[len(m):])
		}
		it := prItem{indent: indent}
		if m := checkboxRE.FindStringSubmatch(t); m != nil {
			it.box = 1
			if m[1] == " " {
				it.box = -1
			}
			t = strings.TrimSpace(t[len(m[0]):])
		}
		if m := fieldRE.FindStringSubmatch(t); m != nil && !strings.HasPrefix(m[2], "//") {
			it.field = strings.ToLower(strings.Trim(strings.TrimSpace(m[1]), "*_`"))
			t = m[2]
		}
		it.value = strings.TrimSpace(t)
		if it.value == "" && it.field == "" && it.box == 0 {
			continue
		}
		secs[len(secs)-1].items = append(secs[len(secs)-1].items, it)
	}
	return secs
}

// prHeading returns the text of an ATX heading of any level, with the
// extra "## " of the policy's "### ## Rollout plan" form and backticks
// around the line removed.
func prHeading(line string) (string, bool) {
	line = strings.Trim(strings.TrimSpace(line), "`")
	found := false
	for {
		n := len(line) - len(strings.TrimLeft(line, "#"))
		if n == 0 || n > 6 {
			break
		}
		h, ok := atxHeading(line, n)
		if !ok {
			break
		}
		line, found = h, true
	}
	return line, found
}

// filled reports whether v is a value and not a template placeholder.
func filled(v string) bool {
	v = strings.TrimSpace(strings.Trim(strings.TrimSpace(v), "`*_"))
	if strings.Trim(v, " .:-–—") == "" {
		return false
	}
	if strings.Contains(v, " | ") || strings.HasSuffix(v, " |") {
		return false // unchosen alternatives: "yes | no | N/A"
	}
	if strings.HasSuffix(v, ":") {
		return false // a label still waiting for its value: "(details):"
	}
	return !placeholderRE.MatchString(v) || strings.Contains(v, "://")
}

// naWithoutRationale reports whether v says N/A and gives no reason.
func naWithoutRationale(v string) bool {
	v = strings.TrimSpace(strings.Trim(strings.TrimSpace(v), "`*_"))
	m := naRE.FindString(v)
	if m == "" {
		return false
	}
	rest := strings.Trim(v[len(m):], " .:;,-–—()")
	return len(strings.Fields(rest)) == 0
}

// prValues returns the items that carry a value.
func prValues(items []prItem) []prItem {
	var out []prItem
	for _, it := range items {
		if it.box == -1 || !filled(it.value) {
			continue
		}
		out = append(out, it)
	}
	return out
}

// Evaluate checks f.PullRequest's body.
func (c PullRequestTemplate) Evaluate(_ context.Context, f Facts) Result {
	pr := f.PullRequest
	if pr == nil {
		return na("no pull request")
	}
	if strings.TrimSpace(pr.Body) == "" {
		return missing(fmt.Sprintf("the description (body) of pull request #%d, which must fill the §2.5 PR template", pr.Number))
	}
	headings := DefaultPRTemplateHeadings()
	for k, v := range c.Headings {
		if strings.TrimSpace(v) != "" {
			headings[k] = v
		}
	}
	secs := parsePRBody(pr.Body)
	var ev, bad []Evidence
	for _, key := range []string{PRTicket, PRRollout, PRRollback, PRTesting, PRSecurity} {
		re := regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(strings.TrimSpace(headings[key])))
		var found []string
		var items []prItem
		for _, s := range secs {
			if s.heading != "" && re.MatchString(s.heading) {
				found = append(found, s.heading)
				items = append(items, s.items...)
			}
		}
		e := Evidence{Kind: "section", Value: key}
		vals := prValues(items)
		switch {
		case len(found) == 0:
			e.Note = fmt.Sprintf("no section whose heading names %q", headings[key])
		case len(vals) == 0:
			e.Note = "section " + strings.Join(found, ", ") + " is not filled in"
		case key == PRTicket:
			ref := ""
			for _, it := range vals {
				if ref = ticketRefRE.FindString(it.value); ref != "" {
					break
				}
			}
			if ref == "" {
				e.Note = "section " + found[0] + " links no ticket (a URL, ABC-123 or #123)"
			} else {
				ev = append(ev, Evidence{Kind: "ticket", Value: strings.TrimSpace(ref), Note: "under " + found[0]})
				continue
			}
		case key == PRTesting || key == PRSecurity:
			var naOnly []string
			for _, it := range vals {
				if naWithoutRationale(it.value) {
					naOnly = append(naOnly, fieldOr(it.field, it.value))
				}
			}
			if len(naOnly) > 0 {
				e.Note = "section " + found[0] + " marks " + strings.Join(naOnly, ", ") + " N/A without a rationale"
			}
		}
		if e.Note != "" {
			bad = append(bad, e)
			ev = append(ev, e)
			continue
		}
		ev = append(ev, Evidence{Kind: "section", Value: key, Note: fmt.Sprintf("%d value(s) under %s", len(vals), strings.Join(found, ", "))})
	}
	if e, ok := c.migration(secs); ok {
		ev = append(ev, e)
	} else {
		bad = append(bad, e)
		ev = append(ev, e)
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("the description of pull request #%d does not fill %d required part(s) of the §2.5 PR template: %s; fill them in (ticket link, rollout and rollback guidance, test evidence, security testing or N/A with rationale, expand/contract declaration)",
			pr.Number, len(bad), notes(bad)), ev...)
	}
	return pass(fmt.Sprintf("the description of pull request #%d fills the §2.5 PR template's required parts", pr.Number), ev...)
}

func fieldOr(field, value string) string {
	if field != "" {
		return field
	}
	return value
}

// migration finds the expand/contract declaration among the sections.
func (c PullRequestTemplate) migration(secs []prSection) (Evidence, bool) {
	field := strings.ToLower(strings.TrimSpace(c.MigrationField))
	if field == "" {
		field = DefaultMigrationField
	}
	names := []string{field, "database", "expand/contract"}
	e := Evidence{Kind: "section", Value: "database"}
	seen := false
	for _, s := range secs {
		for i, it := range s.items {
			if it.field == "" || !slices.ContainsFunc(names, func(n string) bool { return strings.Contains(it.field, n) }) {
				continue
			}
			seen = true
			cands := []string{it.value}
			for _, sub := range s.items[i+1:] {
				if sub.indent <= it.indent && sub.box == 0 {
					break
				}
				if sub.box == 1 {
					cands = append(cands, strings.TrimSpace(sub.field+" "+sub.value))
				}
			}
			for _, v := range cands {
				if d := migrationDeclared(it.field, v); d != "" {
					e.Note = it.field + ": " + d
					return e, true
				}
			}
		}
	}
	if seen {
		e.Note = "the " + field + " field does not declare none, expand/contract, or other with a description"
	} else {
		e.Note = "no " + field + " field declaring whether database changes follow expand/contract"
	}
	return e, false
}

// migrationDeclared returns what the value v of field declares about
// database changes, or "".
func migrationDeclared(field, v string) string {
	if !filled(v) {
		return ""
	}
	l := strings.ToLower(strings.TrimSpace(strings.Trim(v, "`*_")))
	switch {
	case strings.Contains(l, "expand/contract"), strings.Contains(l, "expand-contract"), strings.Contains(l, "expand and contract"):
		return "expand/contract"
	case regexp.MustCompile(`^(none|no)\b`).MatchString(l):
		if strings.Contains(field, "expand") {
			return "does not follow expand/contract: " + v
		}
		return "none"
	case strings.HasPrefix(l, "yes") && strings.Contains(field, "expand"):
		return "expand/contract"
	case strings.HasPrefix(l, "other"):
		if rest := strings.Trim(l[len("other"):], " :;,-–—()"); rest != "" {
			return "other: " + v
		}
	case naRE.MatchString(l) && !naWithoutRationale(l):
		return v
	}
	return ""
}

// loadPRTemplate reads REL-PRTEMPLATE-001's parameters:
// {headings: {rollout: Deployment plan, ...}, migration_field: Schema change}.
func loadPRTemplate(v *yaml.Node) (Control, error) {
	var pr struct {
		Headings       map[string]string `yaml:"headings"`
		MigrationField *string           `yaml:"migration_field"`
	}
	if err := decodeStrict(v, &pr); err != nil {
		return nil, err
	}
	c := PullRequestTemplate{Headings: pr.Headings}
	if h := mapValue(v, "headings"); h != nil {
		for j := 0; j+1 < len(h.Content); j += 2 {
			k, val := h.Content[j], h.Content[j+1]
			if _, ok := DefaultPRTemplateHeadings()[k.Value]; !ok {
				return nil, cfgErr(k, "headings: unknown part %q (want %s, %s, %s, %s or %s)", k.Value, PRTicket, PRRollout, PRRollback, PRTesting, PRSecurity)
			}
			if strings.TrimSpace(val.Value) == "" {
				return nil, cfgErr(val, "headings: %s: empty heading", k.Value)
			}
		}
	}
	if pr.MigrationField != nil {
		if strings.TrimSpace(*pr.MigrationField) == "" {
			return nil, cfgErr(mapValue(v, "migration_field"), "migration_field: empty field name (omit it for %q)", DefaultMigrationField)
		}
		c.MigrationField = *pr.MigrationField
	}
	return c, nil
}

package commits

import (
	"strings"
)

// isBullet reports a line that starts with "* " or "- ".
func isBullet(line string) bool {
	return len(line) >= 2 && (line[0] == '*' || line[0] == '-') && line[1] == ' '
}

func stripBullet(line string) string {
	if isBullet(line) {
		return strings.TrimLeft(line[2:], " ")
	}
	return line
}

// looksLikeChange is the cheap test for a line that may start a further
// change: an unindented header whose type is lower-case letters and digits.
func looksLikeChange(line string) bool {
	line = stripBullet(line)
	if len(line) == 0 || line[0] < 'a' || line[0] > 'z' {
		return false
	}
	i := 1
	for i < len(line) && ((line[i] >= 'a' && line[i] <= 'z') || isDigit(line[i])) {
		i++
	}
	return i < len(line) && (line[i] == '(' || line[i] == '!' || line[i] == ':')
}

// isTrailerType reports keys of common trailers that read like
// lower-case headers ("refs: #1"): they never start a further change.
func isTrailerType(t string) bool {
	switch t {
	case "refs", "ref", "references", "closes", "close", "closed", "fixes", "fixed", "resolves", "resolve",
		"resolved", "see", "risk", "owners", "owner", "cc", "bug", "issue", "issues", "link", "links", "note",
		"notes", "http", "https":
		return true
	}
	return false
}

// changeHeader returns the header of a line that starts a further
// change: a strict header with a lower-case type that is not a trailer key.
func changeHeader(line string) (string, bool) {
	if !looksLikeChange(line) {
		return "", false
	}
	h := stripBullet(line)
	f, err := parseHeader(h, false)
	if err != nil {
		return "", false
	}
	if isTrailerType(f.typ) {
		return "", false
	}
	return h, true
}

// addAdditional reads release-please's additional headers: the trailing
// run of body paragraphs that each start with an unindented header. Every
// unindented header line of the run starts a change, which runs until the
// next one or the end of the body.
func addAdditional(m *Message, text string, b *body, cfg *parseConfig) {
	from := -1
	for i := len(b.paras) - 1; i >= 0; i-- {
		p := b.paras[i]
		if !p.change {
			break
		}
		if _, ok := changeHeader(firstLine(text[p.off:])); !ok {
			break
		}
		from = p.off
	}
	if from < 0 {
		return
	}
	var starts []int
	inner := b.inner
	for _, p := range b.paras {
		if p.off < from {
			continue
		}
		for len(inner) > 0 && inner[0] < p.off {
			if inner[0] > from {
				if _, ok := changeHeader(firstLine(text[inner[0]:])); ok {
					starts = append(starts, inner[0])
				}
			}
			inner = inner[1:]
		}
		starts = append(starts, p.off)
	}
	for _, s := range inner {
		if s > from {
			if _, ok := changeHeader(firstLine(text[s:])); ok {
				starts = append(starts, s)
			}
		}
	}
	var set changeSet
	for i, s := range starts {
		end := b.bodyEnd
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		x := parseSegment(text[s:end], cfg)
		if x.Conventional {
			x.Origin = OriginAdditional
		}
		set.addExtra(m, x)
	}
}

// changeKey identifies a change for de-duplication: GitHub's squash
// bodies repeat the pull request's title, without its "(#n)".
type changeKey struct {
	typ, scope, desc string
	breaking         bool
}

// changeSet holds the changes of a message, to add each only once.
type changeSet map[changeKey]struct{}

// addExtra appends x to m.Extra unless it repeats m or an earlier change.
// Messages that are not conventional are always added.
func (set *changeSet) addExtra(m *Message, x Message) {
	if !x.Conventional {
		m.Extra = append(m.Extra, x)
		return
	}
	if *set == nil {
		*set = changeSet{}
		if m.Conventional {
			(*set)[changeKey{m.Type, m.Scope, stripPR(m.Description), m.Breaking}] = struct{}{}
		}
	}
	k := changeKey{x.Type, x.Scope, stripPR(x.Description), x.Breaking}
	if _, dup := (*set)[k]; dup {
		return
	}
	(*set)[k] = struct{}{}
	m.Extra = append(m.Extra, x)
}

// stripPR removes a " (#123)" suffix.
func stripPR(s string) string {
	if subjectPR(s) == 0 {
		return s
	}
	return strings.TrimRight(s[:strings.LastIndex(s, "(#")], " ")
}

// parseSegment parses one change of an override block or of the additional
// headers: its
// first line (without bullet) is the header, and the following lines,
// without their common indentation, its body and footers.
func parseSegment(seg string, cfg *parseConfig) Message {
	seg = trimBlankLines(seg)
	first := firstLine(seg)
	header := stripBullet(first)
	rest := ""
	if len(first) < len(seg) {
		rest = trimBlankLines(seg[len(first)+1:])
	}
	if rest == "" {
		x, _ := parse(header, cfg, true)
		return x
	}
	var sb strings.Builder
	sb.Grow(len(seg) + 2)
	sb.WriteString(header)
	sb.WriteString("\n\n")
	dedent(&sb, rest)
	x, _ := parse(sb.String(), cfg, true)
	return x
}

// dedent writes s without the indentation common to its non-blank lines.
func dedent(sb *strings.Builder, s string) {
	indent := -1
	for rest := s; ; {
		line := firstLine(rest)
		if !isBlank(line) {
			k := 0
			for k < len(line) && isSpace(line[k]) {
				k++
			}
			if indent < 0 || k < indent {
				indent = k
			}
		}
		if len(line) == len(rest) {
			break
		}
		rest = rest[len(line)+1:]
	}
	if indent <= 0 {
		sb.WriteString(s)
		return
	}
	for rest := s; ; {
		line := firstLine(rest)
		if len(line) >= indent {
			sb.WriteString(line[indent:])
		}
		if len(line) == len(rest) {
			break
		}
		sb.WriteByte('\n')
		rest = rest[len(line)+1:]
	}
}

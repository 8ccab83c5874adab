package changelog

import (
	"strings"
	"unicode"
)

// Escape returns s as inert Markdown text on one line. Line breaks (CR,
// LF, U+0085, U+2028, U+2029), other control characters and bidirectional
// controls (which can make text read differently from what it is) become
// spaces, so the text cannot start a heading or a list item; leading
// white space is dropped and a leading list marker ("- ", "+ ", "1. ") or
// other block marker is escaped, so the text cannot open a nested list,
// a thematic break or a code block where it follows a list marker. The
// characters that make emphasis, code, links, images, tables and headings
// are escaped with a backslash, and <, > and & become HTML entities, so no
// HTML tag, comment or autolink can be formed. The result renders as the
// text it was given.
//
// Escape is the "md" function of templates run by [WriteTemplate].
func Escape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	escapeTo(&b, s)
	return b.String()
}

func escapeTo(b *strings.Builder, s string) {
	// Leading white space (and what becomes a space) is dropped, and a
	// leading block marker escaped, so that the text cannot open an
	// indented code block, a nested list or a thematic break when it
	// starts a line or follows a list marker.
	s = strings.TrimLeftFunc(s, blank)
	if i := numberedPrefix(s); i > 0 {
		b.WriteString(s[:i])
		b.WriteByte('\\')
		s = s[i:]
	} else if s != "" && needsLineGuard(s) {
		b.WriteByte('\\')
	}
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '#', '|', '~', '!', '{', '}':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\t', '\n', '\r', '\u0085', '\u2028', '\u2029':
			b.WriteByte(' ')
		default:
			if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
				b.WriteByte(' ')
				continue
			}
			b.WriteRune(r)
		}
	}
}

// blank reports whether r is white space or becomes a space in escapeTo.
func blank(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029'
}

// escapeBlock escapes multi-line text (a migration note) for a list item:
// each line is escaped as by Escape, stripped of leading white space (no
// code blocks), guarded against starting a block (list markers, setext
// underlines, ordered-list numbers), and indented by indent.
func escapeBlock(b *strings.Builder, s, indent string) {
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n").Replace(s)
	first := true
	for line := range strings.SplitSeq(strings.TrimSpace(s), "\n") {
		line = strings.TrimLeftFunc(line, unicode.IsSpace)
		if !first {
			b.WriteByte('\n')
			if line != "" {
				b.WriteString(indent)
			}
		}
		first = false
		if line == "" {
			continue
		}
		escapeTo(b, line) // guards a leading block marker
	}
}

// needsLineGuard reports whether a line would start a block construct.
func needsLineGuard(line string) bool {
	switch line[0] {
	case '-', '+', '=', ':':
		return true
	}
	return false
}

// numberedPrefix returns the length of the digits of an ordered-list
// marker ("12. " or "3)" followed by white space or the end) that starts
// line, or 0.
func numberedPrefix(line string) int {
	i := 0
	for i < len(line) && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	if i > 0 && i < len(line) && (line[i] == '.' || line[i] == ')') &&
		(i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t') {
		return i
	}
	return 0
}

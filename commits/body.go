package commits

import (
	"strings"
)

// body is what one pass over the lines after the header finds.
type body struct {
	line2NonBlank bool // the second line is not blank
	badFooter     int  // offset of the first misspelt breaking footer, or -1
	breaking      int  // number of BREAKING CHANGE footers
	mergeRequest  int  // GitLab "See merge request …!n"
	bodyStart     int  // body region [bodyStart, bodyEnd) in the text
	bodyEnd       int
	hashForm      []int // indexes in Footers of "Key #value" footers

	// With additional headers wanted, the body lines that may start one:
	// paragraph starts (every one, for the trailing run) and unindented
	// header-like lines inside paragraphs.
	wantStarts bool
	paras      []para
	inner      []int
}

// para is a paragraph start of the body; change reports that its first
// line looks like a header (not a bullet).
type para struct {
	off    int
	change bool
}

// scan fills m.Body, m.Footers and the line-level fields from the text
// after the header at restOff, in time linear in its length.
//
// The footer block starts at the final paragraph when that paragraph is a
// footer block, or earlier at the first paragraph that starts with a
// BREAKING CHANGE (or BREAKING-CHANGE) token: a footer's value runs until
// the next footer token, blank lines included (Conventional Commits rules
// 8 to 10), so a migration note followed by a list or a code block stays
// in the footer. Inside a fenced code block (``` or ~~~) no line is a
// token. Footers are only looked for at or after footersFrom.
func (b *body) scan(m *Message, text string, restOff, footersFrom int) {
	b.badFooter = -1
	n := len(text)
	if restOff >= n {
		b.bodyStart, b.bodyEnd = n, n
		return
	}
	// The final paragraph: after the last blank line.
	final := restOff
	for e := n; ; {
		s := strings.LastIndexByte(text[restOff:e], '\n')
		if s < 0 {
			s = restOff
		} else {
			s += restOff + 1
		}
		if isBlank(text[s:e]) {
			final = e + 1
			break
		}
		if s == restOff {
			break
		}
		e = s - 1
	}
	footers := final < n && final >= footersFrom && isFooterBlock(text[final:])
	if bp := breakingParagraph(text, max(restOff, footersFrom)); bp >= 0 && (!footers || bp < final) {
		final, footers = bp, true
	}
	if footers {
		m.Footers = make([]Footer, 0, strings.Count(text[final:], "\n")+1)
	}
	b.bodyStart, b.bodyEnd = restOff, n
	if footers {
		b.bodyEnd = final
	}
	b.line2NonBlank = !isBlank(firstLine(text[restOff:]))

	// One pass over every line after the header.
	var coAuthors stringSet
	prevBlank := false
	fence := false // inside a fenced code block of the footer block
	blanks := 0    // blank lines not yet added to buf
	var buf []byte
	bufFor := -1   // index in m.Footers of the value gathered in buf
	cur := -1      // index in m.Footers of the footer being read
	curStart := 0  // offset of its value in text
	contig := true // its value is text[curStart:end of its last line]
	// emptyValue: the current footer is a breaking token with an empty
	// value so far ("BREAKING CHANGE:" then the note in the next lines).
	emptyValue := false
	for s := restOff; s < n; {
		if text[s] == '\n' && s < b.bodyEnd {
			// An empty line of the body (the final paragraph has none).
			prevBlank = true
			s++
			continue
		}
		e := strings.IndexByte(text[s:], '\n')
		if e < 0 {
			e = n
		} else {
			e += s
		}
		line := text[s:e]
		cherry := false
		if len(line) > 0 {
			switch line[0] {
			case '(':
				if h, ok := cherryPick(line); ok {
					m.CherryPickedFrom = append(m.CherryPickedFrom, h)
					cherry = true
				}
			case 'C', 'c':
				const co = "co-authored-by:"
				if len(line) > len(co) && strings.EqualFold(line[:len(co)], co) {
					if v := strings.TrimSpace(line[len(co):]); v != "" {
						m.CoAuthors = coAuthors.add(m.CoAuthors, v)
					}
				}
			case 'T':
				if rest, ok := strings.CutPrefix(line, "This reverts commit "); ok {
					if m.Revert == nil {
						m.Revert = &Revert{}
					}
					if m.Revert.Hash == "" {
						m.Revert.Hash = hexPrefix(rest)
					}
				}
			case 'S':
				if b.mergeRequest == 0 && strings.HasPrefix(line, "See merge request ") {
					b.mergeRequest = mergeRequestNumber(line)
				}
			}
		}
		switch {
		case footers && s >= final:
			if cherry {
				contig = false
				break
			}
			key, vi, kind := "", 0, footerOther
			startsEmpty := false
			if isFence(line) {
				fence = !fence
			} else if !fence {
				key, vi, kind = footerLine(line)
				if kind == footerEmptyBreaking {
					kind = footerOther
					if !isBlank(text[e:]) {
						kind, startsEmpty = footerToken, true
					}
				}
			}
			if kind == footerOther {
				// A continuation line (Conventional Commits rule 10),
				// blank lines included: the value ends at its last
				// non-blank line.
				if cur < 0 {
					break
				}
				if isBlank(line) {
					blanks++
					break
				}
				if emptyValue {
					// The first line of a value that started empty: the
					// value starts here, without the blank lines before.
					emptyValue, blanks = false, 0
					if contig {
						curStart = s
					} else {
						bufFor = -1
						m.Footers[cur].Value = ""
						curStart, contig = s, true
					}
				}
				if contig {
					m.Footers[cur].Value = strings.TrimRight(text[curStart:e], " \t")
					blanks = 0
					break
				}
				// After a cherry-pick line the value is no longer one
				// piece of text: gather it in buf.
				if bufFor != cur {
					buf = append(buf[:0], m.Footers[cur].Value...)
					bufFor = cur
				}
				for ; blanks > 0; blanks-- {
					buf = append(buf, '\n')
				}
				buf = append(buf, '\n')
				buf = append(buf, strings.TrimRight(line, " \t")...)
				break
			}
			blanks = 0
			if bufFor >= 0 {
				m.Footers[bufFor].Value = string(buf)
				bufFor = -1
			}
			if kind == footerBadBreaking && b.badFooter < 0 {
				b.badFooter = s
			}
			if kind == footerToken && isBreakingKey(key) {
				b.breaking++
			}
			if kind == footerHash {
				b.hashForm = append(b.hashForm, len(m.Footers))
			}
			for vi < len(line) && isSpace(line[vi]) {
				vi++
			}
			m.Footers = append(m.Footers, Footer{Key: key, Value: strings.TrimRight(line[vi:], " \t")})
			cur, curStart, contig = len(m.Footers)-1, s+vi, true
			emptyValue = startsEmpty
		case s < b.bodyEnd:
			blank := isBlank(line)
			if b.wantStarts && !blank {
				switch {
				case prevBlank:
					b.paras = append(b.paras, para{off: s, change: !isBullet(line) && looksLikeChange(line)})
				case !isBullet(line) && looksLikeChange(line):
					b.inner = append(b.inner, s)
				}
			}
			prevBlank = blank
		}
		s = e + 1
	}
	if bufFor >= 0 {
		m.Footers[bufFor].Value = string(buf)
	}
	if len(m.Footers) == 0 {
		m.Footers = nil
	}
	m.Body = trimBlankLines(text[b.bodyStart:b.bodyEnd])
	footerFields(m, b.hashForm)
}

// breakingParagraph returns the offset of the first paragraph at or after
// from (a line after a blank line, or the line at from) whose first line
// is a BREAKING CHANGE or BREAKING-CHANGE footer token, or -1. Lines inside
// fenced code blocks are skipped.
func breakingParagraph(text string, from int) int {
	if from >= len(text) || !strings.Contains(text[from:], "BREAKING") {
		return -1
	}
	prevBlank, fence := true, false
	for s := from; s < len(text); {
		e := strings.IndexByte(text[s:], '\n')
		if e < 0 {
			e = len(text)
		} else {
			e += s
		}
		line := text[s:e]
		switch {
		case isFence(line):
			fence = !fence
			prevBlank = false
		case isBlank(line):
			prevBlank = true
		default:
			if prevBlank && !fence && line[0] == 'B' {
				key, _, kind := footerLine(line)
				if kind == footerToken && isBreakingKey(key) || kind == footerEmptyBreaking && !isBlank(text[e:]) {
					return s
				}
			}
			prevBlank = false
		}
		s = e + 1
	}
	return -1
}

// isFence reports a line that opens or closes a fenced code block.
func isFence(line string) bool {
	return strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~")
}

// trimBlankLines removes leading and trailing blank lines.
func trimBlankLines(s string) string {
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			start = i + 1
		} else if !isSpace(s[i]) {
			break
		}
	}
	if isBlank(s[start:]) {
		return ""
	}
	return trimTrailingBlank(s[start:])
}

// isFooterBlock reports whether a final paragraph is a footer block:
// its first line that is not a cherry-pick line is a footer token (or a
// misspelt breaking-change token) and not the header of a further change,
// or it only holds cherry-pick lines.
func isFooterBlock(p string) bool {
	for len(p) > 0 {
		line := firstLine(p)
		if _, ok := cherryPick(line); !ok {
			_, _, kind := footerLine(line)
			if kind == footerOther || kind == footerEmptyBreaking && isBlank(p[len(line):]) {
				return false
			}
			// "fix: x" reads as a footer but is a further change.
			_, change := changeHeader(line)
			return !change
		}
		if len(line) == len(p) {
			break
		}
		p = p[len(line)+1:]
	}
	return true
}

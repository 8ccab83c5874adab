package commits

import (
	"strings"
)

// overrideBlock is a BEGIN_COMMIT_OVERRIDE … END_COMMIT_OVERRIDE block.
type overrideBlock struct {
	text string // its content, without blank lines around it
	off  int    // offset of text in the message
	end  int    // offset just after the block
}

// findOverride finds an override block after the header; a missing end
// marker runs to the end of the message. ok is false without a block or
// when the block is empty.
func findOverride(text string, restOff int) (overrideBlock, bool) {
	const begin, end = "BEGIN_COMMIT_OVERRIDE", "END_COMMIT_OVERRIDE"
	var o overrideBlock
	if restOff >= len(text) {
		return o, false
	}
	// The markers count only on a line of their own, so that a message
	// that merely mentions them in prose is not rewritten.
	i := markerLine(text[restOff:], begin)
	if i < 0 {
		return o, false
	}
	o.off = restOff + i + len(begin)
	ov := text[o.off:]
	o.end = len(text)
	if j := markerLine(ov, end); j >= 0 {
		ov = ov[:j]
		o.end = o.off + j + len(end)
	}
	// Skip leading blank lines (the rest of the marker's line, often).
	for len(ov) > 0 {
		line := firstLine(ov)
		if !isBlank(line) {
			break
		}
		if len(line) == len(ov) {
			ov = ""
			break
		}
		o.off += len(line) + 1
		ov = ov[len(line)+1:]
	}
	o.text = trimTrailingBlank(ov)
	return o, o.text != ""
}

// markerLine returns the offset of marker in text where it stands alone
// on its line (surrounding blanks allowed), or -1.
func markerLine(text, marker string) int {
	from := 0
	for {
		i := strings.Index(text[from:], marker)
		if i < 0 {
			return -1
		}
		i += from
		ls := strings.LastIndexByte(text[:i], '\n') + 1
		le := strings.IndexByte(text[i:], '\n')
		if le < 0 {
			le = len(text)
		} else {
			le += i
		}
		if strings.TrimSpace(text[ls:le]) == marker {
			return i
		}
		from = i + len(marker)
	}
}

// applyOverride parses an override block: every unindented line that is
// a header starts a change; the first change is the message's own.
func applyOverride(m *Message, info *parseInfo, text string, o overrideBlock, cfg *parseConfig) {
	ov, off := o.text, o.off
	var starts []int
	for s := 0; s < len(ov); {
		line := firstLine(ov[s:])
		if s > 0 {
			if _, ok := changeHeader(line); ok {
				starts = append(starts, s)
			}
		}
		s += len(line) + 1
	}
	var set changeSet
	for i := -1; i < len(starts); i++ {
		s, end := 0, len(ov)
		if i >= 0 {
			s = starts[i]
		}
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		x := parseSegment(ov[s:end], cfg)
		if x.Conventional {
			x.Origin = OriginOverride
		}
		if i >= 0 {
			set.addExtra(m, x)
			continue
		}
		m.Conventional = x.Conventional
		m.Type, m.Scope, m.Description = x.Type, x.Scope, x.Description
		m.Breaking, m.BreakingNotes = x.Breaking, x.BreakingNotes
		m.Origin, m.BreakingFrom = x.Origin, x.BreakingFrom
		if pe, ok := x.Err.(*ParseError); ok {
			// Point into the message: at the error in the change's header
			// line, or at that line for an error further down.
			first := firstLine(ov)
			p := off + s
			if pe.Line <= 1 {
				p += len(first) - len(stripBullet(first)) + pe.Pos
			}
			m.Err = &ParseError{Pos: p, Line: lineOf(text, p), Reason: pe.Reason, Err: pe.Err}
		} else {
			m.Err = x.Err
		}
		if x.Conventional {
			first := firstLine(ov)
			hdr, err := parseHeader(stripBullet(first), cfg.lenient)
			info.hdr, info.hdrOK = hdr, err == nil
			info.hdrOff = off + len(first) - len(stripBullet(first))
		}
	}
}

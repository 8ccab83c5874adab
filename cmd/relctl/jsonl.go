package main

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/releasekit/releasekit/commits"
)

// This file holds the JSON form of commits: parseResult, the document of
// `relctl parse --json` and the message part of each `relctl log` line, and
// appendLogLine, the fast encoder of `relctl log` lines.

// parseResult is the JSON contract of `relctl parse --json` (and the parse
// part of each `relctl log` line).
type parseResult struct {
	Conventional     bool             `json:"conventional"`
	Type             string           `json:"type"`
	Scope            string           `json:"scope"`
	Breaking         bool             `json:"breaking"`
	Description      string           `json:"description"`
	Subject          string           `json:"subject"`
	Body             string           `json:"body"`
	Footers          []commits.Footer `json:"footers"`
	BreakingNotes    []string         `json:"breaking_notes"`
	Tickets          []string         `json:"tickets"`
	PR               *int             `json:"pr"`
	Refs             []string         `json:"refs"`
	Closes           []string         `json:"closes"`
	Risk             string           `json:"risk"`
	Owners           []string         `json:"owners"`
	CoAuthors        []string         `json:"co_authors"`
	CherryPickedFrom []string         `json:"cherry_picked_from"`
	Reverts          *commits.Revert  `json:"reverts"`
	Merge            bool             `json:"merge"`
	MergeInfo        *commits.Merge   `json:"merge_info,omitempty"`
	ReleaseAs        string           `json:"release_as,omitempty"`
	Ignored          bool             `json:"ignored"`
	Extra            []parseResult    `json:"extra,omitempty"`
	Error            string           `json:"error,omitempty"`
}

func toParseResult(m commits.Message) parseResult {
	r := parseResult{
		Conventional:     m.Conventional,
		Type:             m.Type,
		Scope:            m.Scope,
		Breaking:         m.Breaking,
		Description:      m.Description,
		Subject:          m.Subject,
		Body:             m.Body,
		Footers:          nonNil(m.Footers),
		BreakingNotes:    nonNil(m.BreakingNotes),
		Tickets:          nonNil(m.Tickets),
		Refs:             nonNil(m.Refs),
		Closes:           nonNil(m.Closes),
		Risk:             m.Risk,
		Owners:           nonNil(m.Owners),
		CoAuthors:        nonNil(m.CoAuthors),
		CherryPickedFrom: nonNil(m.CherryPickedFrom),
		Reverts:          m.Revert,
		Merge:            m.Merge != nil,
		MergeInfo:        m.Merge,
		ReleaseAs:        m.ReleaseAs,
		Ignored:          m.Ignored,
	}
	if m.PR != 0 {
		pr := m.PR
		r.PR = &pr
	}
	for _, e := range m.Extra {
		r.Extra = append(r.Extra, toParseResult(e))
	}
	if m.Err != nil {
		r.Error = m.Err.Error()
	}
	return r
}

// appendLogLine appends the JSON form of one `relctl log` line, the same
// document encoding/json produces for logLine (the test checks that), at a
// fraction of its cost: a history of a million commits is a million lines.
func appendLogLine(b []byte, c commits.Commit) []byte {
	b = append(b, `{"hash":`...)
	b = appendString(b, c.Hash)
	b = append(b, `,"parents":`...)
	b = appendStrings(b, c.Parents)
	b = append(b, `,"author":`...)
	b = appendSignature(b, c.Author)
	b = append(b, `,"committer":`...)
	b = appendSignature(b, c.Committer)
	b = append(b, ',')
	b = appendParseFields(b, c.Message)
	return append(b, '}', '\n')
}

func appendParseFields(b []byte, m commits.Message) []byte {
	b = append(b, `"conventional":`...)
	b = strconv.AppendBool(b, m.Conventional)
	b = append(b, `,"type":`...)
	b = appendString(b, m.Type)
	b = append(b, `,"scope":`...)
	b = appendString(b, m.Scope)
	b = append(b, `,"breaking":`...)
	b = strconv.AppendBool(b, m.Breaking)
	b = append(b, `,"description":`...)
	b = appendString(b, m.Description)
	b = append(b, `,"subject":`...)
	b = appendString(b, m.Subject)
	b = append(b, `,"body":`...)
	b = appendString(b, m.Body)
	b = append(b, `,"footers":[`...)
	for i, f := range m.Footers {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"key":`...)
		b = appendString(b, f.Key)
		b = append(b, `,"value":`...)
		b = appendString(b, f.Value)
		b = append(b, '}')
	}
	b = append(b, `],"breaking_notes":`...)
	b = appendStrings(b, m.BreakingNotes)
	b = append(b, `,"tickets":`...)
	b = appendStrings(b, m.Tickets)
	b = append(b, `,"pr":`...)
	if m.PR != 0 {
		b = strconv.AppendInt(b, int64(m.PR), 10)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"refs":`...)
	b = appendStrings(b, m.Refs)
	b = append(b, `,"closes":`...)
	b = appendStrings(b, m.Closes)
	b = append(b, `,"risk":`...)
	b = appendString(b, m.Risk)
	b = append(b, `,"owners":`...)
	b = appendStrings(b, m.Owners)
	b = append(b, `,"co_authors":`...)
	b = appendStrings(b, m.CoAuthors)
	b = append(b, `,"cherry_picked_from":`...)
	b = appendStrings(b, m.CherryPickedFrom)
	b = append(b, `,"reverts":`...)
	if m.Revert != nil {
		b = append(b, '{')
		sep := false
		if m.Revert.Header != "" {
			b = append(b, `"header":`...)
			b = appendString(b, m.Revert.Header)
			sep = true
		}
		if m.Revert.Hash != "" {
			if sep {
				b = append(b, ',')
			}
			b = append(b, `"hash":`...)
			b = appendString(b, m.Revert.Hash)
		}
		b = append(b, '}')
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"merge":`...)
	b = strconv.AppendBool(b, m.Merge != nil)
	if m.Merge != nil {
		b = append(b, `,"merge_info":{`...)
		sep := false
		if m.Merge.PR != 0 {
			b = append(b, `"pr":`...)
			b = strconv.AppendInt(b, int64(m.Merge.PR), 10)
			sep = true
		}
		if m.Merge.Source != "" {
			if sep {
				b = append(b, ',')
			}
			b = append(b, `"source":`...)
			b = appendString(b, m.Merge.Source)
			sep = true
		}
		if sep {
			b = append(b, ',')
		}
		b = append(b, `"kind":`...)
		b = appendString(b, m.Merge.Kind)
		if m.Merge.Title != "" {
			b = append(b, `,"title":`...)
			b = appendString(b, m.Merge.Title)
		}
		b = append(b, '}')
	}
	if m.ReleaseAs != "" {
		b = append(b, `,"release_as":`...)
		b = appendString(b, m.ReleaseAs)
	}
	b = append(b, `,"ignored":`...)
	b = strconv.AppendBool(b, m.Ignored)
	if len(m.Extra) > 0 {
		b = append(b, `,"extra":[`...)
		for i, e := range m.Extra {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			b = appendParseFields(b, e)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if m.Err != nil {
		b = append(b, `,"error":`...)
		b = appendString(b, m.Err.Error())
	}
	return b
}

func appendSignature(b []byte, s commits.Signature) []byte {
	b = append(b, `{"name":`...)
	b = appendString(b, s.Name)
	b = append(b, `,"email":`...)
	b = appendString(b, s.Email)
	b = append(b, `,"when":"`...)
	b = s.When.AppendFormat(b, time.RFC3339Nano)
	return append(b, `"}`...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string the way encoding/json does with
// HTML escaping off: invalid UTF-8 becomes U+FFFD, U+2028 and U+2029 are
// escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

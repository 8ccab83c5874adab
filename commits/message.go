package commits

import (
	"regexp"
	"strings"

	"github.com/releasekit/releasekit/semver"
)

// gives {Fixes 3}.
type Footer struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Revert describes a commit made by git revert: Header is the reverted
// header taken from a `Revert "<header>"` subject, and Hash the commit named
// by a "This reverts commit <sha>." line. Either may be empty.
type Revert struct {
	Header string `json:"header,omitempty"`
	Hash   string `json:"hash,omitempty"`
}

// The kinds of merge, the values of Merge.Kind.
const (
	// MergePullRequest is GitHub's "Merge pull request #n from user/branch"
	// and Bitbucket Cloud's "Merged in branch (pull request #n)". Bitbucket
	// writes that subject for its squash strategy too (one parent): the
	// squash's change is then its Title, the pull request's title.
	MergePullRequest = "pull-request"
	// MergeMergeRequest is GitLab's "Merge branch 'x' into 'y'" with a
	// "See merge request group/project!n" line.
	MergeMergeRequest = "merge-request"
	// MergeBranch is git's "Merge branch 'x'", "Merge branches 'x' and
	// 'y'" and "Merge remote-tracking branch 'x'".
	MergeBranch = "branch"
	// MergeTag is git's "Merge tag 'v1'".
	MergeTag = "tag"
	// MergeCommit is git's "Merge commit 'abc'".
	MergeCommit = "commit"
)

// Merge describes a merge commit recognised by its subject. PR is the pull
// or merge request number (0 when unknown) and Source the merged branch,
// tag or commit. Title is the first line of the body of a pull-request or
// merge-request merge, which the forges fill with the request's title; in a
// first-parent walk it is the only record of the merged change, and
// Parse(m.Merge.Title) reads it.
type Merge struct {
	PR     int    `json:"pr,omitempty"`
	Source string `json:"source,omitempty"`
	Kind   string `json:"kind"`
	Title  string `json:"title,omitempty"`
}

// Message is a parsed commit message. [Parse] fills every field it can
// whether or not the header is a Conventional Commit: such messages are
// kept and flagged (Conventional false, Err set), never dropped.
//
// Type, Scope, Description, Breaking and BreakingNotes are set only when
// Conventional is true. The strings of a Message share memory with the
// message given to Parse; its slices belong to the caller.
type Message struct {
	// Conventional reports whether the message is a valid Conventional
	// Commit in the chosen mode.
	Conventional bool `json:"conventional"`
	// Type is the type of the header, lower-cased: types compare
	// case-insensitively.
	Type string `json:"type"`
	// Scope is the scope of the header as written, without parentheses.
	Scope string `json:"scope"`
	// Breaking reports a "!" before the colon or a BREAKING CHANGE (or
	// BREAKING-CHANGE) footer.
	Breaking bool `json:"breaking"`
	// Description is the text after the colon, trimmed.
	Description string `json:"description"`
	// Subject is the first line of the message.
	Subject string `json:"subject"`
	// Body is everything between the header and the footer block, without
	// the footers and without leading or trailing blank lines.
	Body string `json:"body"`
	// Footers are the trailers of the final paragraph, in message order.
	Footers []Footer `json:"footers"`
	// BreakingNotes are the values of the BREAKING CHANGE and
	// BREAKING-CHANGE footers; for a "!" without such a footer, the
	// description (Conventional Commits rule 13).
	BreakingNotes []string `json:"breaking_notes,omitempty"`
	// Tickets are the ticket IDs found by the ticket pattern in the whole
	// message, unique, in order of first appearance.
	Tickets []string `json:"tickets"`
	// PR is the number of the pull request: a "(#123)" subject suffix, the
	// merge's request, or GitLab's "See merge request group/project!123".
	PR int `json:"pr,omitempty"`
	// Refs are the values of Refs, Ref and References footers, split on
	// commas and spaces: "#123", "PROJ-1", "676104e".
	Refs []string `json:"refs,omitempty"`
	// Closes are the values of Closes, Fixes and Resolves footers (and
	// their other tenses, in any case), split on commas and spaces; the
	// "Fixes #3" form gives "#3".
	Closes []string `json:"closes,omitempty"`
	// Risk is the value of the Risk footer, lower-cased and trimmed.
	Risk string `json:"risk,omitempty"`
	// Owners are the values of Owners and Owner footers, split on commas
	// and spaces ("@team", "user").
	Owners []string `json:"owners,omitempty"`
	// CoAuthors are the "Name <email>" values of Co-authored-by lines,
	// unique, in order.
	CoAuthors []string `json:"co_authors,omitempty"`
	// CherryPickedFrom are the commits of the "(cherry picked from commit
	// <sha>)" lines that git cherry-pick -x writes, every one, in order.
	CherryPickedFrom []string `json:"cherry_picked_from,omitempty"`
	// Revert is set for a `Revert "<header>"` subject or a "This reverts
	// commit <sha>." line.
	Revert *Revert `json:"reverts,omitempty"`
	// Merge is set for a merge subject.
	Merge *Merge `json:"merge,omitempty"`
	// ReleaseAs is the value of the Release-As footer, trimmed; callers
	// check that it is a version.
	ReleaseAs string `json:"release_as,omitempty"`
	// Ignored marks messages that never bump a version and are never a
	// lint violation: fixup!, squash! and amend! commits and merges.
	Ignored bool `json:"ignored,omitempty"`
	// Extra are further changes carried by the same commit, only through
	// the conventions enabled by options: the changes after the first in a
	// BEGIN_COMMIT_OVERRIDE block ([WithOverride]), and release-please's
	// additional Conventional Commit headers at the end of the body
	// ([WithAdditionalHeaders]), less those repeating an earlier change.
	// Each is parsed as a message of its own. By default there are none: a
	// squash body's bullet list of intermediate commits is never a change.
	// Merges, reverts and fixups have none: the changes a merge brings are
	// its parents' (and, for a first-parent walk, Merge.Title).
	Extra []Message `json:"extra,omitempty"`
	// Origin says where the change of a conventional message was read:
	// [OriginHeader], [OriginOverride] or [OriginAdditional]. It is empty
	// when Conventional is false.
	Origin string `json:"origin,omitempty"`
	// BreakingFrom says what made a breaking change breaking:
	// [BreakingFromFooter] for a BREAKING CHANGE (or BREAKING-CHANGE)
	// footer, with or without a "!", else [BreakingFromHeader] for the "!".
	// It is empty when Breaking is false.
	BreakingFrom string `json:"breaking_from,omitempty"`
	// Err says why the message is not conventional. It is nil when
	// Conventional is true and for the forms git generates (reverts,
	// merges, fixups).
	Err error `json:"-"`
}

// The values of Message.Origin.
const (
	// OriginHeader is the message's own header (and its footers).
	OriginHeader = "header"
	// OriginOverride is a change of a BEGIN_COMMIT_OVERRIDE …
	// END_COMMIT_OVERRIDE block, read with [WithOverride].
	OriginOverride = "override"
	// OriginAdditional is one of release-please's additional Conventional
	// Commit headers at the end of the body, read with
	// [WithAdditionalHeaders].
	OriginAdditional = "additional"
)

// The values of Message.BreakingFrom.
const (
	// BreakingFromHeader is a "!" before the colon of the header.
	BreakingFromHeader = "header"
	// BreakingFromFooter is a BREAKING CHANGE or BREAKING-CHANGE footer.
	BreakingFromFooter = "footer"
)

// Change returns the message's type, scope and breaking flag, or the zero
// Change when the message is not conventional.
func (m Message) Change() semver.Change {
	if !m.Conventional {
		return semver.Change{}
	}
	return semver.Change{Type: m.Type, Scope: m.Scope, Breaking: m.Breaking}
}

// Changes returns the change of m itself, when it is conventional, followed
// by the change of each conventional message in m.Extra. It returns nil when
// there is none. The slice is new on each call.
func (m Message) Changes() []semver.Change {
	n := 0
	if m.Conventional {
		n++
	}
	for i := range m.Extra {
		if m.Extra[i].Conventional {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]semver.Change, 0, n)
	if m.Conventional {
		out = append(out, m.Change())
	}
	for i := range m.Extra {
		if m.Extra[i].Conventional {
			out = append(out, m.Extra[i].Change())
		}
	}
	return out
}

// ParseOption configures [Parse].
type ParseOption func(*parseConfig)

type parseConfig struct {
	lenient    bool
	override   bool           // read BEGIN_COMMIT_OVERRIDE blocks
	additional bool           // read additional headers at the end of the body
	tickets    *regexp.Regexp // nil: the default pattern, matched without a regexp
	maxLength  int
}

// DefaultMaxLength is the length above which [Parse] returns [ErrTooLong]
// unless [WithMaxLength] sets another limit.
const DefaultMaxLength = 1 << 20

// DefaultTicketPattern is the ticket pattern used unless
// [WithTicketPattern] sets another.
const DefaultTicketPattern = `\b[A-Z][A-Z0-9]+-[0-9]+\b`

// WithLenient makes [Parse] keep partial parses where strict mode rejects the
// message: a free-form type such as "bpf, selftests", an empty scope, a
// missing blank line after the header, and a misspelt breaking-change footer
// (kept as an ordinary footer that is not breaking).
func WithLenient() ParseOption {
	return func(c *parseConfig) { c.lenient = true }
}

// WithOverride makes [Parse] read a BEGIN_COMMIT_OVERRIDE …
// END_COMMIT_OVERRIDE block of the body, release-please's way of correcting
// a squash commit: the block's first change replaces the header's (type,
// scope, description, breaking flag and notes, and the error) and its other
// changes go to Message.Extra. Each change starts at an unindented line
// (a "* " or "- " bullet allowed) that is a Conventional Commit header; the
// lines up to the next one, without their common indentation, are its body
// and footers. The markers count only on a line of their own.
//
// Off by default: the specification reads only the header and the
// footers, so without this option the block is body text. With or without
// it, an override block is never a footer block.
func WithOverride() ParseOption {
	return func(c *parseConfig) { c.override = true }
}

// WithAdditionalHeaders makes [Parse] read release-please's additional
// changes: when the header is a Conventional Commit, the paragraphs at the
// end of the body (before the footer block) that each start with an
// unindented Conventional Commit header are further changes, one per
// unindented header line, each with the indented lines under it as its
// body and footers (see the release-please documentation, "What if my PR
// contains multiple fixes or features?"). Bullets ("* feat: x", "- fix: y")
// are never headers: they are the intermediate commits GitHub, GitLab and
// Bitbucket list in squash commits.
//
// Off by default: the specification reads only the header and the
// footers.
func WithAdditionalHeaders() ParseOption {
	return func(c *parseConfig) { c.additional = true }
}

// WithTicketPattern sets the pattern of ticket IDs; nil restores
// [DefaultTicketPattern]. Every non-overlapping match, as
// regexp.FindAllString finds them, is a ticket.
func WithTicketPattern(re *regexp.Regexp) ParseOption {
	return func(c *parseConfig) { c.tickets = re }
}

// WithMaxLength sets the length in bytes above which [Parse] returns
// [ErrTooLong] without reading the message; n <= 0 restores
// [DefaultMaxLength].
func WithMaxLength(n int) ParseOption {
	return func(c *parseConfig) {
		if n <= 0 {
			n = DefaultMaxLength
		}
		c.maxLength = n
	}
}

// Parse parses a commit message as a Conventional Commit 1.0 and extracts
// the metadata audits need (tickets, pull request, references, risk,
// owners, co-authors, cherry-pick provenance, reverts, merges).
//
// Parse always returns a filled [Message]. It returns a non-nil error, also
// stored in Message.Err, only when the header is not a valid Conventional
// Commit in the chosen mode or when the input is invalid; the error is a
// *[ParseError] that wraps [ErrNotConventional], says what is wrong in its
// Reason, and also wraps [ErrEmpty], [ErrInvalidUTF8], [ErrControlChar] or
// [ErrTooLong] when the input itself is at fault. The forms git generates (`Revert "…"`,
// merge subjects, fixup!/squash!/amend!) give a nil error with Conventional
// false. CRLF and lone CR line endings are read as "\n".
//
// Strict mode, the default, follows the specification: the type is a word,
// a scope is not empty, the header is followed by a blank line, and only
// the footers of the final paragraph count, with BREAKING CHANGE in upper
// case. [WithLenient] relaxes these rules.
//
// A message yields the change of its header, made breaking by a "!" or a
// BREAKING CHANGE footer, and nothing else: the body, including a squash
// commit's bullet list of intermediate commits, never adds a change. A
// footer's value runs until the next footer token, blank lines included,
// so a BREAKING CHANGE footer followed by a list or a code block is read
// whole; "BREAKING CHANGE:" alone on its line with the note in the
// following lines or paragraphs (Angular's habit) is a breaking footer
// whose value is that note (alone at the end of the message, with no note
// after it, it is not a footer). Merge subjects (git, GitHub, GitLab, and
// Bitbucket Cloud's "Merged in <branch> (pull request #n)", which its
// squash strategy writes too) yield no change: [Message.Merge] holds the
// pull request's title. [WithOverride] and [WithAdditionalHeaders] enable the two
// documented ways to carry several changes in one commit; the metadata
// (subject, body, footers, tickets …) stay those of the real message.
//
// Parse takes time linear in the length of the message and is safe for
// concurrent use.
func Parse(message string, opts ...ParseOption) (Message, error) {
	cfg := parseConfig{maxLength: DefaultMaxLength}
	if len(opts) > 0 {
		c := &parseConfig{maxLength: DefaultMaxLength}
		for _, o := range opts {
			if o != nil {
				o(c)
			}
		}
		cfg = *c
	}
	m, _ := parse(message, &cfg, false)
	return m, m.Err
}

// revertedHeader returns the header quoted by a `Revert "<header>"`
// subject: without the closing quote, and without the " (#123)" that
// GitHub adds after it. A subject GitHub truncated (`Revert "fix: a lo…"
// (#12)`) gives the truncated header.
func revertedHeader(subject string) string {
	h := subject[len(`Revert "`):]
	if subjectPR(h) > 0 {
		t := strings.TrimRight(h[:strings.LastIndex(h, "(#")], " ")
		if strings.HasSuffix(t, `"`) {
			h = t
		}
	}
	if strings.HasSuffix(h, `"`) {
		h = h[:len(h)-1]
	}
	return h
}

// parsedHeader is what a valid header holds, with positions for Lint.
type parsedHeader struct {
	typ, scope, desc string
	bang             bool
	scopePos         int // offset of the scope's first byte
}

// parseInfo is what Lint needs beyond the Message.
type parseInfo struct {
	text   string       // the normalised message
	hdr    parsedHeader // valid when hdrOK
	hdrOK  bool         // the header is valid in the chosen mode
	hdrOff int          // offset of the header in text: not 0 for an override
}

// parse parses one message. nested messages (the changes of a squash
// or an override) are not searched for further changes.
func parse(message string, cfg *parseConfig, nested bool) (Message, parseInfo) {
	var m Message
	var info parseInfo
	if len(message) > cfg.maxLength {
		m.Err = newParseError(cfg.maxLength, 0, ErrTooLong)
		return m, info
	}
	text := message
	if strings.IndexByte(text, '\r') >= 0 {
		text = normalizeNewlines(text)
	}
	text = trimTrailingBlank(text)
	info.text = text

	var inputErr error
	if pos, err := checkBytes(text); err != nil {
		inputErr = newParseError(pos, lineOf(text, pos), err)
	}

	subject, restOff := text, len(text)
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		subject, restOff = text[:i], i+1
	}
	m.Subject = subject

	var override overrideBlock
	hasOverride := false
	if !nested {
		override, hasOverride = findOverride(text, restOff)
	}
	var b body
	b.wantStarts = cfg.additional && !nested
	footersFrom := restOff
	if hasOverride {
		// An override block is never a footer block.
		footersFrom = override.end
	}
	b.scan(&m, text, restOff, footersFrom)

	// Tickets, in the whole message.
	m.Tickets = findTickets(text, cfg.tickets)
	m.PR = subjectPR(subject)

	switch {
	case isFixup(subject):
		m.Ignored = true
	case strings.HasPrefix(subject, "Merge "), strings.HasPrefix(subject, "Merged in "):
		if mg := parseMerge(subject); mg != nil {
			m.Ignored = true
			if mg.Kind == MergeBranch && b.mergeRequest > 0 {
				mg.Kind = MergeMergeRequest
				mg.PR = b.mergeRequest
			}
			if mg.Kind == MergePullRequest || mg.Kind == MergeMergeRequest {
				mg.Title = firstLine(m.Body)
			}
			m.Merge = mg
			if m.PR == 0 {
				m.PR = mg.PR
			}
			break
		}
		fallthrough
	default:
		if strings.HasPrefix(subject, `Revert "`) {
			h := revertedHeader(subject)
			if m.Revert == nil {
				m.Revert = &Revert{}
			}
			m.Revert.Header = h
			break
		}
		if inputErr != nil {
			break
		}
		if hasOverride && cfg.override {
			applyOverride(&m, &info, text, override, cfg)
			break
		}
		parseConventional(&m, &info, text, restOff, &b, cfg)
		if !nested && cfg.additional && m.Conventional {
			addAdditional(&m, text, &b, cfg)
		}
	}
	if m.PR == 0 {
		m.PR = b.mergeRequest
	}
	if inputErr != nil {
		m.Err = inputErr
		m.Conventional = false
	}
	if m.Conventional {
		m.Err = nil
	}
	return m, info
}

// parseConventional reads the header and applies the footer rules.
func parseConventional(m *Message, info *parseInfo, text string, restOff int, b *body, cfg *parseConfig) {
	h, err := parseHeader(m.Subject, cfg.lenient)
	if err != nil {
		m.Err = err
		return
	}
	info.hdr, info.hdrOK = h, true
	if !cfg.lenient {
		if b.line2NonBlank {
			m.Err = newParseError(restOff, 2, errMissingBlankLine)
			return
		}
		if b.badFooter >= 0 {
			m.Err = newParseError(b.badFooter, lineOf(text, b.badFooter), errInvalidFooter)
			return
		}
	}
	m.Conventional = true
	m.Type = strings.ToLower(h.typ)
	m.Scope = h.scope
	m.Description = h.desc
	m.Origin = OriginHeader
	m.Breaking = h.bang || b.breaking > 0
	switch {
	case b.breaking > 0:
		m.BreakingFrom = BreakingFromFooter
	case h.bang:
		m.BreakingFrom = BreakingFromHeader
	}
	if b.breaking > 0 {
		m.BreakingNotes = make([]string, 0, b.breaking)
		for _, f := range m.Footers {
			if isBreakingKey(f.Key) {
				m.BreakingNotes = append(m.BreakingNotes, f.Value)
			}
		}
	} else if h.bang {
		m.BreakingNotes = []string{h.desc}
	}
}

package commits

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	conventionalcommits "github.com/leodido/go-conventionalcommits"
	ccparser "github.com/leodido/go-conventionalcommits/parser"

	"github.com/releasekit/releasekit/semver"
)

// Errors returned by [Parse] and reported by [Lint]. A *[ParseError] wraps
// exactly one of them together with [ErrNotConventional], so
// errors.Is(err, ErrNotConventional) holds for every parse error.
var (
	// ErrNotConventional is wrapped by every error of [Parse]: the message
	// is not a valid Conventional Commit in the chosen mode.
	ErrNotConventional = errors.New("commits: not a conventional commit")
	// ErrEmpty means that the message, or its first line, is empty.
	ErrEmpty = errors.New("commits: empty message")
	// ErrEmptyScope means that the header has parentheses with no scope in
	// them, as in "fix(): x". Strict mode only.
	ErrEmptyScope = errors.New("commits: empty scope")
	// ErrMissingSpace means that the colon after the type is not followed
	// by a space, as in "fix:x" or "fix:\tx".
	ErrMissingSpace = errors.New("commits: missing space after colon")
	// ErrEmptyDescription means that nothing but white space follows the
	// colon and space of the header.
	ErrEmptyDescription = errors.New("commits: empty description")
	// ErrIncompleteHeader means that the header stops before its colon, as
	// in "fix", "fix(scope)" or "fix(scope)!".
	ErrIncompleteHeader = errors.New("commits: incomplete header")
	// ErrMalformedScope means that the scope is not closed or holds a
	// character a scope cannot hold, as in "fix(scope" or "fix((".
	ErrMalformedScope = errors.New("commits: malformed scope")
	// ErrColon means that the type, scope and "!" are not followed by a
	// colon, as in "fix(a))" or "some(scope)text: a".
	ErrColon = errors.New("commits: expected colon")
	// ErrInvalidType means that the type is not a word: in strict mode it
	// must match [A-Za-z][A-Za-z0-9_-]*; in lenient mode it must start with
	// a letter and may also hold spaces, commas, dots, slashes and "+".
	ErrInvalidType = errors.New("commits: invalid type")
	// ErrMissingBlankLine means that the second line of the message is not
	// blank. Strict mode only.
	ErrMissingBlankLine = errors.New("commits: missing blank line after header")
	// ErrInvalidFooter means that the footer block holds a misspelt or
	// wrongly cased breaking-change token, such as "breaking change: x" or
	// "BREAKING CHANG: x". Strict mode only: lenient mode keeps such a
	// line as an ordinary, non-breaking footer.
	ErrInvalidFooter = errors.New("commits: invalid footer")
	// ErrInvalidUTF8 means that the message is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("commits: invalid UTF-8")
	// ErrControlChar means that the message holds NUL, another C0 control
	// character other than tab, line feed and carriage return, or DEL.
	ErrControlChar = errors.New("commits: control character")
	// ErrTooLong means that the message is longer than the limit set with
	// [WithMaxLength]. Nothing of such a message is read.
	ErrTooLong = errors.New("commits: message too long")
)

// ParseError describes why a message is not a valid Conventional Commit.
//
// Pos is the 0-based byte offset, in the message with its line endings
// normalised to "\n", of the byte where the problem was found. For a
// problem in the header (Line 1) it is the column that
// go-conventionalcommits reports, which can also be read as the 1-based
// column of the last byte accepted: "fix:x" gives 4. Line is the 1-based
// line of that byte, or 0 when the message was not read (ErrTooLong, where
// Pos is the limit).
type ParseError struct {
	Pos  int
	Line int
	Err  error
}

// Error returns the sentinel's text followed by the position.
func (e *ParseError) Error() string {
	return fmt.Sprintf("%v (line %d, pos %d)", e.Err, e.Line, e.Pos)
}

// Unwrap returns the sentinel and [ErrNotConventional].
func (e *ParseError) Unwrap() []error {
	if e.Err == nil || e.Err == ErrNotConventional {
		return []error{ErrNotConventional}
	}
	return []error{e.Err, ErrNotConventional}
}

// Footer is one trailer of a commit message, in message order. Key is as
// written ("Signed-off-by", "BREAKING CHANGE"); Value is trimmed and holds
// the continuation lines of a multi-line value joined by "\n". For the
// "Key #value" form the "#" is a separator and not part of Value: "Fixes #3"
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
	// MergePullRequest is GitHub's "Merge pull request #n from user/branch".
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
	// Extra are further changes carried by the same commit: the changes
	// after the first in a BEGIN_COMMIT_OVERRIDE block, or, without one,
	// the body paragraphs (and "* " or "- " bullets) that are themselves
	// Conventional Commit headers, less those repeating an earlier change.
	// Each is parsed as a message of its own. Merges, reverts and fixups
	// have none: the changes a merge brings are its parents' (and, for a
	// first-parent walk, Merge.Title).
	Extra []Message `json:"extra,omitempty"`
	// Err says why the message is not conventional. It is nil when
	// Conventional is true and for the forms git generates (reverts,
	// merges, fixups).
	Err error `json:"-"`
}

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
	lenient   bool
	tickets   *regexp.Regexp // nil: the default pattern, matched without a regexp
	maxLength int
}

// DefaultMaxLength is the length above which [Parse] returns [ErrTooLong]
// unless [WithMaxLength] sets another limit.
const DefaultMaxLength = 1 << 20

// DefaultTicketPattern is the ticket pattern used unless
// [WithTicketPattern] sets another.
const DefaultTicketPattern = `\b[A-Z][A-Z0-9]+-[0-9]+\b`

// Lenient makes [Parse] keep partial parses where strict mode rejects the
// message: a free-form type such as "bpf, selftests", an empty scope, a
// missing blank line after the header, and a misspelt breaking-change footer
// (kept as an ordinary footer that is not breaking).
func Lenient() ParseOption {
	return func(c *parseConfig) { c.lenient = true }
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
// *[ParseError] that wraps [ErrNotConventional] and one of [ErrEmpty],
// [ErrEmptyScope], [ErrMissingSpace], [ErrEmptyDescription],
// [ErrIncompleteHeader], [ErrMalformedScope], [ErrColon], [ErrInvalidType],
// [ErrMissingBlankLine], [ErrInvalidFooter], [ErrInvalidUTF8],
// [ErrControlChar] or [ErrTooLong]. The forms git generates (`Revert "…"`,
// merge subjects, fixup!/squash!/amend!) give a nil error with Conventional
// false. CRLF and lone CR line endings are read as "\n".
//
// Strict mode, the default, follows the specification: the type is a word,
// a scope is not empty, the header is followed by a blank line, and only
// the footers of the final paragraph count, with BREAKING CHANGE in upper
// case. [Lenient] relaxes these rules.
//
// A BEGIN_COMMIT_OVERRIDE … END_COMMIT_OVERRIDE block in the body replaces
// the conventional part of the message (type, scope, description, breaking
// flag and notes, and the error) with its first change; its other changes
// go to Message.Extra. The metadata (subject, body, footers, tickets …)
// stay those of the real message.
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
	m, _ := msgParse(message, &cfg, false)
	return m, m.Err
}

// msgHeader is what a valid header holds, with positions for Lint.
type msgHeader struct {
	typ, scope, desc string
	bang             bool
	scopePos         int // offset of the scope's first byte
}

// msgInfo is what Lint needs beyond the Message.
type msgInfo struct {
	text   string    // the normalised message
	hdr    msgHeader // valid when hdrOK
	hdrOK  bool      // the header is valid in the chosen mode
	hdrOff int       // offset of the header in text: not 0 for an override
}

// msgParse parses one message. nested messages (the changes of a squash
// or an override) are not searched for further changes.
func msgParse(message string, cfg *parseConfig, nested bool) (Message, msgInfo) {
	var m Message
	var info msgInfo
	if len(message) > cfg.maxLength {
		m.Err = &ParseError{Pos: cfg.maxLength, Err: ErrTooLong}
		return m, info
	}
	text := message
	if strings.IndexByte(text, '\r') >= 0 {
		text = msgNormalizeNewlines(text)
	}
	text = msgTrimTrailingBlank(text)
	info.text = text

	var inputErr error
	if pos, err := msgCheckBytes(text); err != nil {
		inputErr = &ParseError{Pos: pos, Line: msgLineOf(text, pos), Err: err}
	}

	subject, restOff := text, len(text)
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		subject, restOff = text[:i], i+1
	}
	m.Subject = subject

	var override msgOverride
	hasOverride := false
	if !nested {
		override, hasOverride = msgFindOverride(text, restOff)
	}
	var b msgBody
	footersFrom := restOff
	if hasOverride {
		// An override block is never a footer block.
		footersFrom = override.end
	}
	b.scan(&m, text, restOff, footersFrom)

	// Tickets, in the whole message.
	m.Tickets = msgFindTickets(text, cfg.tickets)
	m.PR = msgSubjectPR(subject)

	switch {
	case msgIsFixup(subject):
		m.Ignored = true
	case strings.HasPrefix(subject, "Merge "):
		if mg := msgParseMerge(subject); mg != nil {
			m.Ignored = true
			if mg.Kind == MergeBranch && b.mergeRequest > 0 {
				mg.Kind = MergeMergeRequest
				mg.PR = b.mergeRequest
			}
			if mg.Kind == MergePullRequest || mg.Kind == MergeMergeRequest {
				mg.Title = msgFirstLine(m.Body)
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
			h := subject[len(`Revert "`):]
			if strings.HasSuffix(h, `"`) {
				h = h[:len(h)-1]
			}
			if m.Revert == nil {
				m.Revert = &Revert{}
			}
			m.Revert.Header = h
			break
		}
		if inputErr != nil {
			break
		}
		if hasOverride {
			msgApplyOverride(&m, &info, text, override, cfg)
			break
		}
		msgParseConventional(&m, &info, text, restOff, &b, cfg)
		if !nested {
			msgAddExtras(&m, text, &b, cfg)
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

// msgParseConventional reads the header and applies the footer rules.
func msgParseConventional(m *Message, info *msgInfo, text string, restOff int, b *msgBody, cfg *parseConfig) {
	h, err := msgParseHeader(m.Subject, cfg.lenient)
	if err != nil {
		m.Err = err
		return
	}
	info.hdr, info.hdrOK = h, true
	if !cfg.lenient {
		if b.line2NonBlank {
			m.Err = &ParseError{Pos: restOff, Line: 2, Err: ErrMissingBlankLine}
			return
		}
		if b.badFooter >= 0 {
			m.Err = &ParseError{Pos: b.badFooter, Line: msgLineOf(text, b.badFooter), Err: ErrInvalidFooter}
			return
		}
	}
	m.Conventional = true
	m.Type = strings.ToLower(h.typ)
	m.Scope = h.scope
	m.Description = h.desc
	m.Breaking = h.bang || b.breaking > 0
	if b.breaking > 0 {
		m.BreakingNotes = make([]string, 0, b.breaking)
		for _, f := range m.Footers {
			if msgIsBreakingKey(f.Key) {
				m.BreakingNotes = append(m.BreakingNotes, f.Value)
			}
		}
	} else if h.bang {
		m.BreakingNotes = []string{h.desc}
	}
}

// ---- header ----

// msgParseHeader validates a header line with go-conventionalcommits in
// free-form mode, maps its verdict and column to our errors, and applies
// the checks it does not make (strict type, empty scope).
//
// go-conventionalcommits costs 1.5 µs and 14 allocations for a valid
// header and up to 10 µs and 90 allocations to reject a plain sentence (its
// logging calls box their arguments even without a logger), several times
// the budget of a history read. Two byte scanners therefore answer for it
// on the shapes most headers have: msgHeaderFast accepts the common valid
// headers, and msgHeaderReject rejects the common plain subjects ("Update
// README", "Fix the parser (#12)") with the error and column it gives.
// Every other header goes to the machine. FuzzParse checks, on every
// input, that the verdict, fields, error and column equal the machine's.
func msgParseHeader(h string, lenient bool) (msgHeader, error) {
	f, ok := msgHeaderFast(h)
	if ok {
		return f, nil
	}
	if sentinel, pos, ok := msgHeaderReject(h); ok {
		return msgHeader{}, &ParseError{Pos: pos, Line: 1, Err: sentinel}
	}
	if err := msgHeaderMachine(h); err != nil {
		return msgHeader{}, err
	}
	f, pos, err := msgHeaderFields(h, lenient)
	if err != nil {
		return msgHeader{}, &ParseError{Pos: pos, Line: 1, Err: err}
	}
	return f, nil
}

func msgIsLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func msgIsDigit(c byte) bool  { return c >= '0' && c <= '9' }
func msgIsAlnum(c byte) bool  { return msgIsLetter(c) || msgIsDigit(c) }

// msgIsTypeByte reports the bytes of a strict type after its first letter.
func msgIsTypeByte(c byte) bool { return msgIsAlnum(c) || c == '_' || c == '-' }

// msgHeaderFast accepts type[(scope)][!]: description with a strict type,
// a printable ASCII scope that is not blank, and a description that starts
// with neither a tab nor white space only. It returns ok false for anything
// else, valid or not.
func msgHeaderFast(h string) (msgHeader, bool) {
	var f msgHeader
	n := len(h)
	if n == 0 || !msgIsLetter(h[0]) {
		return f, false
	}
	i := 1
	for i < n && msgIsTypeByte(h[i]) {
		i++
	}
	f.typ = h[:i]
	if i < n && h[i] == '(' {
		j := i + 1
		blank := true
		for ; j < n && h[j] != ')'; j++ {
			c := h[j]
			if c < 0x20 || c > 0x7e || c == '(' {
				return f, false
			}
			if c != ' ' {
				blank = false
			}
		}
		if j == n || blank {
			return f, false
		}
		f.scope, f.scopePos = h[i+1:j], i+1
		i = j + 1
	}
	if i < n && h[i] == '!' {
		f.bang = true
		i++
	}
	if i+1 >= n || h[i] != ':' || h[i+1] != ' ' {
		return f, false
	}
	i += 2
	for i < n && h[i] == ' ' {
		i++
	}
	if i == n || h[i] == '\t' {
		return f, false
	}
	f.desc = strings.TrimRight(h[i:], " \t")
	return f, true
}

// msgHeaderReject returns the error go-conventionalcommits gives for the
// shapes of plain subjects: printable ASCII without "(", "!" or ":" (an
// early exit, at the end); a non-ASCII byte before any of them (an illegal
// type character at the start, a missing colon after it); and such a
// prefix followed by one complete "(…)" group that ends the header (an
// early exit) or is followed by anything but "!" or ":" (a missing colon).
// ok is false for every other header.
func msgHeaderReject(h string) (sentinel error, pos int, ok bool) {
	n := len(h)
	if n == 0 {
		return ErrEmpty, 0, true
	}
	i := 0
	for ; i < n; i++ {
		c := h[i]
		if c >= 0x80 {
			if i == 0 {
				return ErrInvalidType, 0, true
			}
			return ErrColon, i, true
		}
		if c < 0x20 || c == 0x7f {
			return nil, 0, false
		}
		if c == '(' || c == '!' || c == ':' {
			break
		}
	}
	if i == n {
		return ErrIncompleteHeader, n, true
	}
	if h[i] != '(' || i == 0 {
		return nil, 0, false
	}
	j := i + 1
	for ; j < n && h[j] != ')'; j++ {
		if c := h[j]; c < 0x20 || c > 0x7e || c == '(' {
			return nil, 0, false
		}
	}
	switch {
	case j == n:
		return nil, 0, false
	case j == n-1:
		return ErrIncompleteHeader, n, true
	case h[j+1] == '!' || h[j+1] == ':':
		return nil, 0, false
	}
	return ErrColon, j + 1, true
}

// msgHeaderMachine runs go-conventionalcommits on the header alone and maps
// its error, if any. The machine is not safe for concurrent use, so each
// call makes its own; this path only runs for unusual headers.
func msgHeaderMachine(h string) error {
	mc := ccparser.NewMachine(ccparser.WithTypes(conventionalcommits.TypesFreeForm))
	_, err := mc.Parse([]byte(h))
	if err == nil {
		return nil
	}
	return msgMapMachineError(h, err.Error())
}

// msgMatchTemplate reports whether s was made from the template t (one %s
// at most) and returns what %s stood for.
func msgMatchTemplate(s, t string) (string, bool) {
	pre, suf, ok := strings.Cut(t, "%s")
	if !ok {
		return "", strings.HasPrefix(s, t)
	}
	if !strings.HasPrefix(s, pre) {
		return "", false
	}
	arg, _, ok := strings.Cut(s[len(pre):], suf)
	return arg, ok
}

// msgMapMachineError turns one of go-conventionalcommits' error texts into
// a *ParseError. Its column is kept, except that an early exit, which it
// reports at the last byte read, is moved to the end of the header; an
// early exit after the colon is an empty description.
func msgMapMachineError(h, s string) error {
	pos := 0
	if i := strings.LastIndex(s, ": col="); i >= 0 {
		if n, err := strconv.Atoi(s[i+len(": col="):]); err == nil && n >= 0 && n <= len(h) {
			pos = n
		}
	}
	// go-conventionalcommits' untyped error templates and our sentinels.
	machineErrors := [...]struct {
		template string
		err      error
	}{
		{ccparser.ErrTypeIncomplete, ErrIncompleteHeader},
		{ccparser.ErrType, ErrInvalidType},
		{ccparser.ErrColon, ErrColon},
		{ccparser.ErrScopeIncomplete, ErrMalformedScope},
		{ccparser.ErrScope, ErrMalformedScope},
		{ccparser.ErrEmpty, ErrEmpty},
		{ccparser.ErrEarly, ErrIncompleteHeader},
		{ccparser.ErrDescriptionInit, ErrMissingSpace},
		{ccparser.ErrDescription, ErrEmptyDescription},
		{ccparser.ErrNewline, ErrMissingBlankLine},
		{ccparser.ErrMissingBlankLineAtBeginning, ErrMissingBlankLine},
		{ccparser.ErrTrailerIncomplete, ErrInvalidFooter},
		{ccparser.ErrTrailer, ErrInvalidFooter},
	}
	sentinel := ErrNotConventional
	for _, e := range machineErrors {
		arg, ok := msgMatchTemplate(s, e.template)
		if !ok {
			continue
		}
		sentinel = e.err
		switch e.template {
		case ccparser.ErrEarly:
			pos = len(h)
			if arg == ":" {
				sentinel = ErrEmptyDescription
			}
		case ccparser.ErrEmpty:
			pos = 0
		}
		break
	}
	return &ParseError{Pos: pos, Line: 1, Err: sentinel}
}

// msgHeaderFields reads the fields of a header that go-conventionalcommits
// accepted, from the original bytes (the machine lower-cases the scope),
// and applies the checks it does not make. It returns the error and its
// offset.
func msgHeaderFields(h string, lenient bool) (msgHeader, int, error) {
	var f msgHeader
	i := strings.IndexAny(h, "(!:")
	if i < 0 {
		return f, 0, ErrColon
	}
	f.typ = h[:i]
	if pos, ok := msgCheckType(f.typ, lenient); !ok {
		return f, pos, ErrInvalidType
	}
	if h[i] == '(' {
		j := strings.IndexByte(h[i+1:], ')')
		if j < 0 {
			return f, len(h), ErrMalformedScope
		}
		f.scope, f.scopePos = h[i+1:i+1+j], i+1
		if strings.TrimSpace(f.scope) == "" && !lenient {
			return f, i + 1, ErrEmptyScope
		}
		i += j + 2
	}
	if i < len(h) && h[i] == '!' {
		f.bang = true
		i++
	}
	if i >= len(h) || h[i] != ':' {
		return f, i, ErrColon
	}
	f.desc = strings.Trim(h[i+1:], " \t")
	if f.desc == "" {
		return f, len(h), ErrEmptyDescription
	}
	return f, 0, nil
}

// msgCheckType checks a type: strict types match [A-Za-z][A-Za-z0-9_-]*;
// lenient types start with a letter, end with no space and may also hold
// " ,./+". It returns the offset of the first bad byte.
func msgCheckType(t string, lenient bool) (int, bool) {
	if t == "" || !msgIsLetter(t[0]) {
		return 0, false
	}
	for i := 1; i < len(t); i++ {
		c := t[i]
		if msgIsTypeByte(c) {
			continue
		}
		if lenient && (c == ' ' || c == ',' || c == '.' || c == '/' || c == '+') {
			continue
		}
		return i, false
	}
	if t[len(t)-1] == ' ' {
		return len(t) - 1, false
	}
	return 0, true
}

// ---- input ----

// msgNormalizeNewlines turns CRLF and lone CR into LF.
func msgNormalizeNewlines(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' {
			c = '\n'
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		}
		out = append(out, c)
	}
	return string(out)
}

func msgIsSpace(c byte) bool { return c == ' ' || c == '\t' }

// msgTrimTrailingBlank removes trailing blank lines, keeping the last
// non-blank line as written.
func msgTrimTrailingBlank(s string) string {
	k := len(s) - 1
	for k >= 0 && (s[k] == '\n' || s[k] == ' ' || s[k] == '\t') {
		k--
	}
	if k < 0 {
		return ""
	}
	if e := strings.IndexByte(s[k:], '\n'); e >= 0 {
		return s[:k+e]
	}
	return s
}

// msgCheckBytes returns the offset of the first byte that is not valid
// UTF-8 or is a control character other than tab and line feed. Eight
// bytes at a time are skipped when none of them is below 0x20, DEL or
// above 0x7f.
func msgCheckBytes(s string) (int, error) {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	i := 0
	for i < len(s) {
		if i+8 <= len(s) {
			x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			del := x ^ (0x7f * ones)
			if (x|((x-0x20*ones)&^x)|((del-ones)&^del))&highs == 0 {
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
				return i, ErrControlChar
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return i, ErrInvalidUTF8
		}
		i += size
	}
	return 0, nil
}

// msgLineOf returns the 1-based line of offset pos.
func msgLineOf(s string, pos int) int {
	if pos > len(s) {
		pos = len(s)
	}
	return strings.Count(s[:pos], "\n") + 1
}

func msgIsBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if !msgIsSpace(s[i]) {
			return false
		}
	}
	return true
}

func msgFirstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// ---- body and footers ----

// msgBody is what one pass over the lines after the header finds.
type msgBody struct {
	line2NonBlank bool // the second line is not blank
	badFooter     int  // offset of the first misspelt breaking footer, or -1
	breaking      int  // number of BREAKING CHANGE footers
	mergeRequest  int  // GitLab "See merge request …!n"
	bodyStart     int  // body region [bodyStart, bodyEnd) in the text
	bodyEnd       int
	starts        []int // offsets of lines that start a further change
	hashForm      []int // indexes in Footers of "Key #value" footers
}

// scan fills m.Body, m.Footers and the line-level fields from the text
// after the header at restOff, in time linear in its length.
// Footers are only looked for in a final paragraph that starts at or
// after footersFrom.
func (b *msgBody) scan(m *Message, text string, restOff, footersFrom int) {
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
		if msgIsBlank(text[s:e]) {
			final = e + 1
			break
		}
		if s == restOff {
			break
		}
		e = s - 1
	}
	footers := final < n && final >= footersFrom && msgIsFooterBlock(text[final:])
	if footers {
		m.Footers = make([]Footer, 0, strings.Count(text[final:], "\n")+1)
	}
	b.bodyStart, b.bodyEnd = restOff, n
	if footers {
		b.bodyEnd = final
	}
	b.line2NonBlank = !msgIsBlank(msgFirstLine(text[restOff:]))

	// One pass over every line after the header.
	var coAuthors msgSet
	prevBlank := false
	var buf []byte
	bufFor := -1   // index in m.Footers of the value gathered in buf
	cur := -1      // index in m.Footers of the footer being read
	curStart := 0  // offset of its value in text
	contig := true // its value is text[curStart:end of its last line]
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
				if h, ok := msgCherryPick(line); ok {
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
						m.Revert.Hash = msgHexPrefix(rest)
					}
				}
			case 'S':
				if b.mergeRequest == 0 && strings.HasPrefix(line, "See merge request ") {
					b.mergeRequest = msgMergeRequestNumber(line)
				}
			}
		}
		switch {
		case footers && s >= final:
			if cherry {
				contig = false
				break
			}
			key, vi, kind := msgFooterLine(line)
			if kind == msgFooterOther {
				// A continuation line (Conventional Commits rule 10).
				if cur < 0 {
					break
				}
				if contig {
					m.Footers[cur].Value = strings.TrimRight(text[curStart:e], " \t")
					break
				}
				// After a cherry-pick line the value is no longer one
				// piece of text: gather it in buf.
				if bufFor != cur {
					buf = append(buf[:0], m.Footers[cur].Value...)
					bufFor = cur
				}
				buf = append(buf, '\n')
				buf = append(buf, strings.TrimRight(line, " \t")...)
				break
			}
			if bufFor >= 0 {
				m.Footers[bufFor].Value = string(buf)
				bufFor = -1
			}
			if kind == msgFooterBadBreaking && b.badFooter < 0 {
				b.badFooter = s
			}
			if kind == msgFooterToken && msgIsBreakingKey(key) {
				b.breaking++
			}
			if kind == msgFooterHash {
				b.hashForm = append(b.hashForm, len(m.Footers))
			}
			for vi < len(line) && msgIsSpace(line[vi]) {
				vi++
			}
			m.Footers = append(m.Footers, Footer{Key: key, Value: strings.TrimRight(line[vi:], " \t")})
			cur, curStart, contig = len(m.Footers)-1, s+vi, true
		case s < b.bodyEnd:
			blank := msgIsBlank(line)
			if !blank && (prevBlank || msgIsBullet(line)) && msgLooksLikeChange(line) {
				b.starts = append(b.starts, s)
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
	m.Body = msgTrimBlankLines(text[b.bodyStart:b.bodyEnd])
	msgFooterFields(m, b.hashForm)
}

// msgTrimBlankLines removes leading and trailing blank lines.
func msgTrimBlankLines(s string) string {
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			start = i + 1
		} else if !msgIsSpace(s[i]) {
			break
		}
	}
	if msgIsBlank(s[start:]) {
		return ""
	}
	return msgTrimTrailingBlank(s[start:])
}

// msgIsFooterBlock reports whether a final paragraph is a footer block:
// its first line that is not a cherry-pick line is a footer token (or a
// misspelt breaking-change token) and not the header of a further change,
// or it only holds cherry-pick lines.
func msgIsFooterBlock(p string) bool {
	for len(p) > 0 {
		line := msgFirstLine(p)
		if _, ok := msgCherryPick(line); !ok {
			if _, _, kind := msgFooterLine(line); kind == msgFooterOther {
				return false
			}
			// "fix: x" reads as a footer but is a further change.
			_, change := msgChangeHeader(line)
			return !change
		}
		if len(line) == len(p) {
			break
		}
		p = p[len(line)+1:]
	}
	return true
}

const (
	msgFooterOther       = iota // not a token: a continuation line
	msgFooterToken              // "Key: value"
	msgFooterHash               // "Key #value"
	msgFooterBadBreaking        // a misspelt breaking-change token
)

// msgFooterLine classifies one line of a footer block and returns the key
// and the offset of the value in the line. A token is "BREAKING CHANGE:
// value", or "Key: value" or "Key #value" with a key of ASCII letters,
// digits, "_" and "-" that starts with a letter or digit. A key that starts
// with "breaking" in any case but is neither "BREAKING CHANGE" nor
// "BREAKING-CHANGE", followed by ": ", is a misspelt breaking token; the
// breaking tokens only take the ": " separator (so "BREAKING CHANGE #5" is
// not a token).
func msgFooterLine(line string) (key string, vi int, kind int) {
	const bc = "BREAKING CHANGE: "
	if strings.HasPrefix(line, bc) {
		if !msgIsBlank(line[len(bc):]) {
			return line[:len(bc)-2], len(bc), msgFooterToken
		}
		return "", 0, msgFooterOther
	}
	n := len(line)
	i := 0
	for i < n && msgIsTypeByte(line[i]) {
		i++
	}
	if i > 0 && msgIsAlnum(line[0]) && i+2 < n {
		key = line[:i]
		breakingLike := msgIsBreakingLike(key)
		switch {
		case line[i] == ':' && line[i+1] == ' ' && !msgIsBlank(line[i+2:]):
			if breakingLike && key != "BREAKING-CHANGE" {
				return key, i + 2, msgFooterBadBreaking
			}
			return key, i + 2, msgFooterToken
		case line[i] == ' ' && line[i+1] == '#' && !breakingLike && !msgIsBlank(line[i+2:]):
			return key, i + 2, msgFooterHash
		}
	}
	// A misspelt breaking token with spaces in its key: "breaking change:".
	if msgIsBreakingLike(line) {
		c := strings.Index(line, ": ")
		if c > 0 && c <= 40 && !msgIsBlank(line[c+2:]) {
			k := line[:c]
			for j := 0; j < len(k); j++ {
				if !msgIsTypeByte(k[j]) && k[j] != ' ' {
					return "", 0, msgFooterOther
				}
			}
			return k, c + 2, msgFooterBadBreaking
		}
	}
	return "", 0, msgFooterOther
}

func msgIsBreakingLike(s string) bool {
	return len(s) >= 8 && strings.EqualFold(s[:8], "breaking")
}

func msgIsBreakingKey(k string) bool {
	return k == "BREAKING CHANGE" || k == "BREAKING-CHANGE"
}

const (
	msgKeyOther = iota
	msgKeyRefs
	msgKeyCloses
	msgKeyOwners
	msgKeyRisk
	msgKeyReleaseAs
)

// msgKeyKind classifies the footer keys that fill Message fields, in any
// case.
func msgKeyKind(k string) int {
	if len(k) < 3 || len(k) > 10 {
		return msgKeyOther
	}
	switch k[0] | 0x20 {
	case 'r':
		switch {
		case strings.EqualFold(k, "refs"), strings.EqualFold(k, "ref"), strings.EqualFold(k, "references"):
			return msgKeyRefs
		case strings.EqualFold(k, "risk"):
			return msgKeyRisk
		case strings.EqualFold(k, "release-as"):
			return msgKeyReleaseAs
		case strings.EqualFold(k, "resolves"), strings.EqualFold(k, "resolve"), strings.EqualFold(k, "resolved"):
			return msgKeyCloses
		}
	case 'c':
		if strings.EqualFold(k, "closes") || strings.EqualFold(k, "close") || strings.EqualFold(k, "closed") {
			return msgKeyCloses
		}
	case 'f':
		if strings.EqualFold(k, "fixes") || strings.EqualFold(k, "fix") || strings.EqualFold(k, "fixed") {
			return msgKeyCloses
		}
	case 'o':
		if strings.EqualFold(k, "owners") || strings.EqualFold(k, "owner") {
			return msgKeyOwners
		}
	}
	return msgKeyOther
}

// msgFooterFields derives Refs, Closes, Risk, Owners and ReleaseAs. hash
// lists the footers written "Key #value", whose first item gets its "#"
// back.
func msgFooterFields(m *Message, hash []int) {
	var refs, closes, owners msgSet
	for i, f := range m.Footers {
		h := len(hash) > 0 && hash[0] == i
		if h {
			hash = hash[1:]
		}
		switch msgKeyKind(f.Key) {
		case msgKeyRefs:
			m.Refs = msgSplitList(m.Refs, &refs, f.Value, h)
		case msgKeyCloses:
			m.Closes = msgSplitList(m.Closes, &closes, f.Value, h)
		case msgKeyOwners:
			m.Owners = msgSplitList(m.Owners, &owners, f.Value, h)
		case msgKeyRisk:
			if m.Risk == "" {
				m.Risk = strings.ToLower(strings.TrimSpace(f.Value))
			}
		case msgKeyReleaseAs:
			if m.ReleaseAs == "" {
				m.ReleaseAs = strings.TrimSpace(f.Value)
			}
		}
	}
}

// msgSplitList appends the items of a footer value, split on commas and
// white space. hash puts back the "#" of a "Key #value" footer.
func msgSplitList(dst []string, set *msgSet, v string, hash bool) []string {
	for len(v) > 0 {
		i := strings.IndexAny(v, ", \t\n")
		tok := v
		if i >= 0 {
			tok, v = v[:i], v[i+1:]
		} else {
			v = ""
		}
		if tok == "" {
			continue
		}
		if hash {
			tok = "#" + tok
			hash = false
		}
		dst = set.add(dst, tok)
	}
	return dst
}

// msgSet is a set of strings for de-duplication in linear time.
type msgSet struct{ m map[string]struct{} }

// add appends s to dst unless dst already holds it.
func (set *msgSet) add(dst []string, s string) []string {
	if set.m == nil {
		if len(dst) < 16 {
			for _, x := range dst {
				if x == s {
					return dst
				}
			}
			return append(dst, s)
		}
		set.m = make(map[string]struct{}, 2*len(dst))
		for _, x := range dst {
			set.m[x] = struct{}{}
		}
	}
	if _, ok := set.m[s]; ok {
		return dst
	}
	set.m[s] = struct{}{}
	return append(dst, s)
}

// msgCherryPick reads "(cherry picked from commit <hex>)".
func msgCherryPick(line string) (string, bool) {
	const p = "(cherry picked from commit "
	if !strings.HasPrefix(line, p) {
		return "", false
	}
	rest := strings.TrimRight(line[len(p):], " \t")
	if !strings.HasSuffix(rest, ")") {
		return "", false
	}
	h := rest[:len(rest)-1]
	if len(h) < 4 || msgHexPrefix(h) != h {
		return "", false
	}
	return h, true
}

// msgHexPrefix returns the leading lower-case hex digits of s when there
// are at least 4 of them.
func msgHexPrefix(s string) string {
	i := 0
	for i < len(s) && (msgIsDigit(s[i]) || (s[i] >= 'a' && s[i] <= 'f')) {
		i++
	}
	if i < 4 {
		return ""
	}
	return s[:i]
}

// msgMergeRequestNumber reads n from "See merge request group/project!n".
func msgMergeRequestNumber(line string) int {
	line = strings.TrimRight(line, " \t.")
	i := strings.LastIndexByte(line, '!')
	if i < 0 {
		return 0
	}
	return msgAtoi(line[i+1:])
}

// msgAtoi parses 1 to 9 decimal digits; anything else gives 0.
func msgAtoi(s string) int {
	if len(s) == 0 || len(s) > 9 {
		return 0
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !msgIsDigit(s[i]) {
			return 0
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// msgSubjectPR reads a "(#123)" subject suffix.
func msgSubjectPR(s string) int {
	s = strings.TrimRight(s, " \t")
	if !strings.HasSuffix(s, ")") {
		return 0
	}
	i := strings.LastIndex(s, "(#")
	if i < 0 {
		return 0
	}
	return msgAtoi(s[i+2 : len(s)-1])
}

// ---- tickets ----

// msgFindTickets returns the unique tickets in s. The default pattern
// \b[A-Z][A-Z0-9]+-[0-9]+\b is matched around each "-" without a regexp:
// the match must start the run of [A-Z0-9] before the dash, after a byte
// that is not a word byte, and the digits after the dash must end the
// word. FuzzParse checks this against the regexp.
func msgFindTickets(s string, re *regexp.Regexp) []string {
	var out []string
	var set msgSet
	if re != nil {
		for _, loc := range re.FindAllStringIndex(s, -1) {
			out = set.add(out, s[loc[0]:loc[1]])
		}
		return out
	}
	n := len(s)
	for d := 0; d < n; d++ {
		j := strings.IndexByte(s[d:], '-')
		if j < 0 {
			break
		}
		d += j
		i := d - 1
		for i >= 0 && ((s[i] >= 'A' && s[i] <= 'Z') || msgIsDigit(s[i])) {
			i--
		}
		if d-i < 3 || (i >= 0 && msgIsWordByte(s[i])) || s[i+1] < 'A' || s[i+1] > 'Z' {
			continue
		}
		k := d + 1
		for k < n && msgIsDigit(s[k]) {
			k++
		}
		if k == d+1 || (k < n && msgIsWordByte(s[k])) {
			continue
		}
		out = set.add(out, s[i+1:k])
		d = k - 1
	}
	return out
}

func msgIsWordByte(c byte) bool { return msgIsAlnum(c) || c == '_' }

// ---- git-generated forms ----

func msgIsFixup(s string) bool {
	return strings.HasPrefix(s, "fixup! ") || strings.HasPrefix(s, "squash! ") || strings.HasPrefix(s, "amend! ")
}

// msgParseMerge recognises the merge subjects of git, GitHub and GitLab.
func msgParseMerge(s string) *Merge {
	if rest, ok := strings.CutPrefix(s, "Merge pull request #"); ok {
		i := 0
		for i < len(rest) && msgIsDigit(rest[i]) {
			i++
		}
		pr := msgAtoi(rest[:i])
		src, ok := strings.CutPrefix(rest[i:], " from ")
		if pr == 0 || !ok {
			return nil
		}
		if j := strings.IndexAny(src, " \t"); j >= 0 {
			src = src[:j]
		}
		return &Merge{PR: pr, Source: src, Kind: MergePullRequest}
	}
	for _, f := range [...]struct{ prefix, kind string }{
		{"Merge branch '", MergeBranch},
		{"Merge branches '", MergeBranch},
		{"Merge remote-tracking branch '", MergeBranch},
		{"Merge tag '", MergeTag},
		{"Merge commit '", MergeCommit},
	} {
		if rest, ok := strings.CutPrefix(s, f.prefix); ok {
			if j := strings.IndexByte(rest, '\''); j >= 0 {
				rest = rest[:j]
			}
			return &Merge{Source: rest, Kind: f.kind}
		}
	}
	return nil
}

// ---- squash merges ----

// msgIsBullet reports a line that starts with "* " or "- ".
func msgIsBullet(line string) bool {
	return len(line) >= 2 && (line[0] == '*' || line[0] == '-') && line[1] == ' '
}

func msgStripBullet(line string) string {
	if msgIsBullet(line) {
		return strings.TrimLeft(line[2:], " ")
	}
	return line
}

// msgLooksLikeChange is the cheap test for a line that may start a further
// change: an unindented header whose type is lower-case letters and digits.
func msgLooksLikeChange(line string) bool {
	line = msgStripBullet(line)
	if len(line) == 0 || line[0] < 'a' || line[0] > 'z' {
		return false
	}
	i := 1
	for i < len(line) && ((line[i] >= 'a' && line[i] <= 'z') || msgIsDigit(line[i])) {
		i++
	}
	return i < len(line) && (line[i] == '(' || line[i] == '!' || line[i] == ':')
}

// msgIsTrailerType reports keys of common trailers that read like
// lower-case headers ("refs: #1"): they never start a further change.
func msgIsTrailerType(t string) bool {
	switch t {
	case "refs", "ref", "references", "closes", "close", "closed", "fixes", "fixed", "resolves", "resolve",
		"resolved", "see", "risk", "owners", "owner", "cc", "bug", "issue", "issues", "link", "links", "note",
		"notes", "http", "https":
		return true
	}
	return false
}

// msgChangeHeader returns the header of a line that starts a further
// change: a strict header with a lower-case type that is not a trailer key.
func msgChangeHeader(line string) (string, bool) {
	if !msgLooksLikeChange(line) {
		return "", false
	}
	h := msgStripBullet(line)
	f, err := msgParseHeader(h, false)
	if err != nil {
		return "", false
	}
	if msgIsTrailerType(f.typ) {
		return "", false
	}
	return h, true
}

// msgAddExtras parses the body paragraphs that are headers as further
// changes. A change runs until the next one or the end of the body.
func msgAddExtras(m *Message, text string, b *msgBody, cfg *parseConfig) {
	var starts []int
	for _, s := range b.starts {
		if _, ok := msgChangeHeader(msgFirstLine(text[s:])); ok {
			starts = append(starts, s)
		}
	}
	if len(starts) == 0 {
		return
	}
	var set msgChangeSet
	for i, s := range starts {
		end := b.bodyEnd
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		set.addExtra(m, msgParseSegment(text[s:end], cfg))
	}
}

// msgChangeKey identifies a change for de-duplication: GitHub's squash
// bodies repeat the pull request's title, without its "(#n)".
type msgChangeKey struct {
	typ, scope, desc string
	breaking         bool
}

// msgChangeSet holds the changes of a message, to add each only once.
type msgChangeSet map[msgChangeKey]struct{}

// addExtra appends x to m.Extra unless it repeats m or an earlier change.
// Messages that are not conventional are always added.
func (set *msgChangeSet) addExtra(m *Message, x Message) {
	if !x.Conventional {
		m.Extra = append(m.Extra, x)
		return
	}
	if *set == nil {
		*set = msgChangeSet{}
		if m.Conventional {
			(*set)[msgChangeKey{m.Type, m.Scope, msgStripPR(m.Description), m.Breaking}] = struct{}{}
		}
	}
	k := msgChangeKey{x.Type, x.Scope, msgStripPR(x.Description), x.Breaking}
	if _, dup := (*set)[k]; dup {
		return
	}
	(*set)[k] = struct{}{}
	m.Extra = append(m.Extra, x)
}

// msgStripPR removes a " (#123)" suffix.
func msgStripPR(s string) string {
	if msgSubjectPR(s) == 0 {
		return s
	}
	return strings.TrimRight(s[:strings.LastIndex(s, "(#")], " ")
}

// msgParseSegment parses one change of a squash body or override: its
// first line (without bullet) is the header, and the following lines,
// without their common indentation, its body and footers.
func msgParseSegment(seg string, cfg *parseConfig) Message {
	seg = msgTrimBlankLines(seg)
	first := msgFirstLine(seg)
	header := msgStripBullet(first)
	rest := ""
	if len(first) < len(seg) {
		rest = msgTrimBlankLines(seg[len(first)+1:])
	}
	if rest == "" {
		x, _ := msgParse(header, cfg, true)
		return x
	}
	var sb strings.Builder
	sb.Grow(len(seg) + 2)
	sb.WriteString(header)
	sb.WriteString("\n\n")
	msgDedent(&sb, rest)
	x, _ := msgParse(sb.String(), cfg, true)
	return x
}

// msgDedent writes s without the indentation common to its non-blank lines.
func msgDedent(sb *strings.Builder, s string) {
	indent := -1
	for rest := s; ; {
		line := msgFirstLine(rest)
		if !msgIsBlank(line) {
			k := 0
			for k < len(line) && msgIsSpace(line[k]) {
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
		line := msgFirstLine(rest)
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

// msgOverride is a BEGIN_COMMIT_OVERRIDE … END_COMMIT_OVERRIDE block.
type msgOverride struct {
	text string // its content, without blank lines around it
	off  int    // offset of text in the message
	end  int    // offset just after the block
}

// msgFindOverride finds an override block after the header; a missing end
// marker runs to the end of the message. ok is false without a block or
// when the block is empty.
func msgFindOverride(text string, restOff int) (msgOverride, bool) {
	const begin, end = "BEGIN_COMMIT_OVERRIDE", "END_COMMIT_OVERRIDE"
	var o msgOverride
	if restOff >= len(text) {
		return o, false
	}
	// The markers count only on a line of their own, so that a message
	// that merely mentions them in prose is not rewritten.
	i := msgMarkerLine(text[restOff:], begin)
	if i < 0 {
		return o, false
	}
	o.off = restOff + i + len(begin)
	ov := text[o.off:]
	o.end = len(text)
	if j := msgMarkerLine(ov, end); j >= 0 {
		ov = ov[:j]
		o.end = o.off + j + len(end)
	}
	// Skip leading blank lines (the rest of the marker's line, often).
	for len(ov) > 0 {
		line := msgFirstLine(ov)
		if !msgIsBlank(line) {
			break
		}
		if len(line) == len(ov) {
			ov = ""
			break
		}
		o.off += len(line) + 1
		ov = ov[len(line)+1:]
	}
	o.text = msgTrimTrailingBlank(ov)
	return o, o.text != ""
}

// msgMarkerLine returns the offset of marker in text where it stands alone
// on its line (surrounding blanks allowed), or -1.
func msgMarkerLine(text, marker string) int {
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

// msgApplyOverride parses an override block: every unindented line that is
// a header starts a change; the first change is the message's own.
func msgApplyOverride(m *Message, info *msgInfo, text string, o msgOverride, cfg *parseConfig) {
	ov, off := o.text, o.off
	var starts []int
	for s := 0; s < len(ov); {
		line := msgFirstLine(ov[s:])
		if s > 0 {
			if _, ok := msgChangeHeader(line); ok {
				starts = append(starts, s)
			}
		}
		s += len(line) + 1
	}
	var set msgChangeSet
	for i := -1; i < len(starts); i++ {
		s, end := 0, len(ov)
		if i >= 0 {
			s = starts[i]
		}
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		x := msgParseSegment(ov[s:end], cfg)
		if i >= 0 {
			set.addExtra(m, x)
			continue
		}
		m.Conventional = x.Conventional
		m.Type, m.Scope, m.Description = x.Type, x.Scope, x.Description
		m.Breaking, m.BreakingNotes = x.Breaking, x.BreakingNotes
		if pe, ok := x.Err.(*ParseError); ok {
			// Point into the message: at the error in the change's header
			// line, or at that line for an error further down.
			first := msgFirstLine(ov)
			p := off + s
			if pe.Line <= 1 {
				p += len(first) - len(msgStripBullet(first)) + pe.Pos
			}
			m.Err = &ParseError{Pos: p, Line: msgLineOf(text, p), Err: pe.Err}
		} else {
			m.Err = x.Err
		}
		if x.Conventional {
			first := msgFirstLine(ov)
			hdr, err := msgParseHeader(msgStripBullet(first), cfg.lenient)
			info.hdr, info.hdrOK = hdr, err == nil
			info.hdrOff = off + len(first) - len(msgStripBullet(first))
		}
	}
}

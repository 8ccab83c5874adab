package commits

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Problems reported by [Lint] besides those of [Parse]; a [Violation]'s
// Rule tells them apart.
var (
	// errDisallowedType means that the type is not one of Rules.Types.
	errDisallowedType = errors.New("commits: type not allowed")
	// errDisallowedScope means that a scope is not one of Rules.Scopes.
	errDisallowedScope = errors.New("commits: scope not allowed")
	// errMissingScope means that Rules.RequireScope is set and the header
	// has no scope.
	errMissingScope = errors.New("commits: missing scope")
	// errMissingTicket means that Rules.RequireTicket is set and the
	// message names no ticket.
	errMissingTicket = errors.New("commits: missing ticket")
	// errSubjectTooLong means that the subject has more characters than
	// Rules.MaxSubjectLength.
	errSubjectTooLong = errors.New("commits: subject too long")
)

// Rules are the constraints [Lint] checks. The zero value requires a
// Conventional Commit in strict mode, of any type, and nothing else.
type Rules struct {
	// Types are the allowed types, compared case-insensitively; nil allows
	// any type.
	Types []string
	// Scopes are the allowed scopes, compared exactly; nil allows any
	// scope. A scope holding commas, as in "feat(api,cli): x", is a list
	// of scopes, each of which must be allowed.
	Scopes []string
	// RequireScope requires a scope.
	RequireScope bool
	// RequireTicket requires a ticket ID (see TicketPattern) anywhere in
	// the message (§1.11.3.1).
	RequireTicket bool
	// MaxSubjectLength is the largest number of characters (runes) in
	// the subject; 0 means no limit.
	MaxSubjectLength int
	// Lenient parses with [WithLenient].
	Lenient bool
	// Override parses with [WithOverride]: the first change of a
	// BEGIN_COMMIT_OVERRIDE block is checked instead of the header.
	Override bool
	// TicketPattern is the pattern of ticket IDs; nil means
	// [DefaultTicketPattern].
	TicketPattern *regexp.Regexp
}

// Violation is one problem [Lint] found.
//
// Rule names the broken rule: "header" (the header is not a Conventional
// Commit), "body-leading-blank", "footer", "encoding" (invalid UTF-8 or a
// control character), "max-length" (over [DefaultMaxLength]), "type-enum",
// "scope-enum", "scope-empty" (a scope is required), "ticket" and
// "subject-max-length". Line and Column are 1-based and point at the
// problem in the message with its line endings normalised to "\n"; both
// are 0 for a problem of the whole message (a missing ticket, a message
// too long to read). Column counts bytes. Err is the error, a
// *[ParseError] for the rules that [Parse] checks.
type Violation struct {
	Rule    string `json:"rule"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
	Err     error  `json:"-"`
}

// LintReport is the result of [Lint]: the parsed message and every
// violation found, in the order of the rules above.
type LintReport struct {
	Message    Message
	Violations []Violation
}

// Err returns nil when r has no violation, and otherwise an error joining
// those of all violations (errors.Join): errors.Is finds the sentinels of
// [Parse] among them.
func (r LintReport) Err() error {
	if len(r.Violations) == 0 {
		return nil
	}
	errs := make([]error, len(r.Violations))
	for i, v := range r.Violations {
		errs[i] = v.Err
	}
	return errors.Join(errs...)
}

// Lint parses message and checks it against rules, for commit-msg hooks
// and release policy. It returns every violation, not only the first: a
// message that is not a Conventional Commit is still checked for its
// subject length and ticket, and one whose header is valid but whose body
// is not is still checked for its type and scope. The forms git generates
// and [Parse] marks as ignored or as reverts (merges, fixup!/squash!/amend!,
// `Revert "…"`) give no violation unless the input itself is invalid.
// With Rules.Override and a BEGIN_COMMIT_OVERRIDE block, the type and scope
// checked are those of its first change. Lint is safe for concurrent use.
func Lint(message string, rules Rules) LintReport {
	cfg := parseConfig{lenient: rules.Lenient, override: rules.Override, tickets: rules.TicketPattern, maxLength: DefaultMaxLength}
	m, info := parse(message, &cfg, false)
	r := LintReport{Message: m}
	text := info.text

	if m.Err != nil {
		v := Violation{Rule: "header", Err: m.Err, Message: m.Err.Error()}
		var pe *ParseError
		if errors.As(m.Err, &pe) {
			switch {
			case errors.Is(pe.Err, ErrTooLong):
				v.Rule = "max-length"
			case errors.Is(pe.Err, ErrInvalidUTF8), errors.Is(pe.Err, ErrControlChar):
				v.Rule = "encoding"
			case pe.Reason == reason(errMissingBlankLine):
				v.Rule = "body-leading-blank"
			case pe.Reason == reason(errInvalidFooter):
				v.Rule = "footer"
			}
			if pe.Line > 0 {
				v.Line, v.Column = pe.Line, pe.Pos-lineStart(text, pe.Line)+1
			}
		}
		r.Violations = append(r.Violations, v)
	}
	if m.Ignored || (m.Revert != nil && !m.Conventional && m.Err == nil) || errors.Is(m.Err, ErrTooLong) {
		return r
	}

	if info.hdrOK {
		h := info.hdr
		if rules.Types != nil && !containsFold(rules.Types, h.typ) {
			r.addAt(text, "type-enum", info.hdrOff, errDisallowedType,
				fmt.Sprintf("%q is not one of %s", h.typ, strings.Join(rules.Types, ", ")))
		}
		if strings.TrimSpace(h.scope) == "" {
			if rules.RequireScope {
				r.addAt(text, "scope-empty", info.hdrOff+len(h.typ), errMissingScope, "the header has no scope")
			}
		} else if rules.Scopes != nil {
			for off := 0; off <= len(h.scope); {
				part := h.scope[off:]
				if i := strings.IndexByte(part, ','); i >= 0 {
					part = part[:i]
				}
				trimmed := strings.TrimSpace(part)
				if !contains(rules.Scopes, trimmed) {
					lead := len(part) - len(strings.TrimLeft(part, " \t"))
					r.addAt(text, "scope-enum", info.hdrOff+h.scopePos+off+lead, errDisallowedScope,
						fmt.Sprintf("%q is not one of %s", trimmed, strings.Join(rules.Scopes, ", ")))
				}
				off += len(part) + 1
			}
		}
	}
	if rules.RequireTicket && len(m.Tickets) == 0 {
		pattern := DefaultTicketPattern
		if rules.TicketPattern != nil {
			pattern = rules.TicketPattern.String()
		}
		r.add("ticket", 0, 0, errMissingTicket, "no ticket matching "+pattern)
	}
	if max := rules.MaxSubjectLength; max > 0 {
		if n := utf8.RuneCountInString(m.Subject); n > max {
			col, runes := len(m.Subject), 0
			for i := range m.Subject {
				if runes == max {
					col = i
					break
				}
				runes++
			}
			r.add("subject-max-length", 1, col+1, errSubjectTooLong,
				fmt.Sprintf("%d characters, more than %d", n, max))
		}
	}
	return r
}

// add appends a violation of a lint rule.
func (r *LintReport) add(rule string, line, col int, sentinel error, detail string) {
	err := fmt.Errorf("%w: %s", sentinel, detail)
	r.Violations = append(r.Violations, Violation{Rule: rule, Line: line, Column: col, Message: err.Error(), Err: err})
}

// addAt appends a violation at offset off of text.
func (r *LintReport) addAt(text, rule string, off int, sentinel error, detail string) {
	line := strings.Count(text[:off], "\n") + 1
	r.add(rule, line, off-lineStart(text, line)+1, sentinel, detail)
}

// lineStart returns the offset of the 1-based line in s.
func lineStart(s string, line int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(s[off:], '\n')
		if i < 0 {
			return off
		}
		off += i + 1
	}
	return off
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

package commits_test

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	conventionalcommits "github.com/leodido/go-conventionalcommits"
	ccparser "github.com/leodido/go-conventionalcommits/parser"

	"github.com/releasekit/releasekit/commits"
)

var (
	defaultTicketRE = regexp.MustCompile(commits.DefaultTicketPattern)
	strictTypeRE    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
	lenientTypeRE   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_\-., /+]*$`)
)

// FuzzParse checks, on any input:
//   - Parse does not panic and is deterministic;
//   - a conventional result has a type and a description and no error,
//     and an error is a *ParseError wrapping ErrNotConventional, with a
//     position inside the message, and never comes with Conventional;
//   - no field of any result holds a carriage return;
//   - lenient mode accepts every message strict mode accepts;
//   - the default ticket scanner finds what the regexp finds;
//   - the header verdict, fields, error and column are those of
//     go-conventionalcommits (plus our strict checks), whichever of our
//     scanners or the machine produced them;
//   - Lint does not panic and its report is consistent;
//   - by default a message yields at most its header's change (no Extra),
//     and the options WithOverride and WithAdditionalHeaders give
//     consistent results too, the metadata of the real message unchanged.
func FuzzParse(f *testing.F) {
	for _, c := range corpus {
		if len(c.in) <= 4096 {
			f.Add(c.in)
		}
	}
	for _, s := range []string{
		"Update README.md", "Update foo (#123)", "Update foo (#123) bar", "a(b)!", "a(b):", "ab(c(d)", "x ()",
		"feat(a b): x", "feat!!: x", "!: x", "a!: x", "fix : x", "feat:  \t x", "feat(x)y: z", "f-_9: x",
		"fix: a\n\nBREAKING-CHANGE #5\nRefs #1, #2", "fix: a\n\n- feat: b\n- fix(c)!: d\n  BREAKING CHANGE: e",
		"fix: x\r\n\r\nRefs: AB-1\rCloses #2", "AB-12-CD-34 X_AB-9 ab-1 AB1-2x", "feat: x\n\nBEGIN_COMMIT_OVERRIDE",
		"feat: x\n\nBEGIN_COMMIT_OVERRIDE\n\nEND_COMMIT_OVERRIDE", "Merge pull request #x from y", "Revert \"",
		"fix: a\n\nBREAKING CHANGE: b\n\n```\nRefs: c\n```\n\nRefs: d", "fix: a\n\nBREAKING CHANGE: b\n(cherry picked from commit abcd)\n\nc\n\nd",
		"Revert \"fix: a (#1…\" (#2)\n\nThis reverts commit abcdef0.", "feat: a\n\nfix: b\nfeat(c): d\n  BREAKING-CHANGE: e\n\nRefs: f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		strict, serr := commits.Parse(in)
		again, aerr := commits.Parse(in)
		if !reflect.DeepEqual(withoutErrs(strict), withoutErrs(again)) || fmt.Sprint(serr) != fmt.Sprint(aerr) {
			t.Fatalf("Parse(%q) is not deterministic", in)
		}
		lenient, lerr := commits.Parse(in, commits.WithLenient())
		if len(strict.Extra) > 0 || len(lenient.Extra) > 0 {
			t.Fatalf("Parse(%q): further changes without an option", in)
		}
		multi, merr := commits.Parse(in, commits.WithOverride(), commits.WithAdditionalHeaders())
		checkResult(t, in, multi, merr)
		if multi.Subject != strict.Subject || multi.Body != strict.Body || !reflect.DeepEqual(multi.Footers, strict.Footers) {
			t.Fatalf("Parse(%q): the options changed the message's metadata", in)
		}
		checkResult(t, in, strict, serr)
		checkResult(t, in, lenient, lerr)
		if strict.Conventional && !lenient.Conventional {
			t.Fatalf("Parse(%q): strict accepts, lenient rejects: %v", in, lerr)
		}

		// The ticket scanner is the regexp.
		re, _ := commits.Parse(in, commits.WithTicketPattern(defaultTicketRE))
		if !reflect.DeepEqual(strict.Tickets, re.Tickets) {
			t.Fatalf("tickets of %q: scanner %q, regexp %q", in, strict.Tickets, re.Tickets)
		}

		checkHeaderAgainstMachine(t, in)

		r := commits.Lint(in, commits.Rules{Types: []string{"feat", "fix"}, Scopes: []string{"api"}, RequireScope: true,
			RequireTicket: true, MaxSubjectLength: 20})
		if (r.Err() == nil) != (len(r.Violations) == 0) {
			t.Fatalf("Lint(%q): Err %v with %d violations", in, r.Err(), len(r.Violations))
		}
		for _, v := range r.Violations {
			if v.Err == nil || v.Rule == "" || !errors.Is(r.Err(), v.Err) {
				t.Fatalf("Lint(%q): bad violation %+v", in, v)
			}
		}
	})
}

func checkResult(t *testing.T, in string, m commits.Message, err error) {
	t.Helper()
	if err != m.Err {
		t.Fatalf("Parse(%q): returned %v, Message.Err %v", in, err, m.Err)
	}
	if m.Conventional {
		if err != nil || m.Type == "" || m.Description == "" {
			t.Fatalf("Parse(%q): conventional with type %q, description %q, error %v", in, m.Type, m.Description, err)
		}
	}
	if err != nil {
		var pe *commits.ParseError
		if !errors.As(err, &pe) || !errors.Is(err, commits.ErrNotConventional) {
			t.Fatalf("Parse(%q): error %v is not a *ParseError wrapping ErrNotConventional", in, err)
		}
		if pe.Pos < 0 || pe.Line < 0 || (pe.Line > 0 && pe.Pos > len(in)) {
			t.Fatalf("Parse(%q): position line %d pos %d out of range", in, pe.Line, pe.Pos)
		}
	}
	walkStrings(reflect.ValueOf(m), func(s string) {
		if strings.Contains(s, "\r") {
			t.Fatalf("Parse(%q): carriage return in %q", in, s)
		}
	})
	for _, x := range m.Extra {
		checkResult(t, in, x, x.Err)
		if len(x.Extra) > 0 {
			t.Fatalf("Parse(%q): a further change has further changes", in)
		}
	}
}

// machineReason maps go-conventionalcommits' error texts as
// RELIABILITY.md's table does, independently of the package's mapping.
func machineReason(h, s string) (string, int) {
	i := strings.LastIndex(s, ": col=")
	col, _ := strconv.Atoi(s[i+len(": col="):])
	has := func(t string) bool {
		pre, suf, _ := strings.Cut(t, "%s")
		return strings.HasPrefix(s, pre) && strings.Contains(s[len(pre):], suf)
	}
	switch {
	case has(ccparser.ErrEmpty):
		return reasonEmpty, 0
	case has(ccparser.ErrEarly):
		if strings.HasPrefix(s, "early exit after ':'") {
			return reasonEmptyDescription, len(h)
		}
		return reasonIncompleteHeader, len(h)
	case has(ccparser.ErrTypeIncomplete):
		return reasonIncompleteHeader, col
	case has(ccparser.ErrType):
		return reasonInvalidType, col
	case has(ccparser.ErrColon):
		return reasonColon, col
	case has(ccparser.ErrScopeIncomplete), has(ccparser.ErrScope):
		return reasonMalformedScope, col
	case has(ccparser.ErrDescriptionInit):
		return reasonMissingSpace, col
	case has(ccparser.ErrDescription):
		return reasonEmptyDescription, col
	}
	return reasonNotConventional, col
}

// checkHeaderAgainstMachine parses the first line of in alone and compares
// the result with go-conventionalcommits'.
func checkHeaderAgainstMachine(t *testing.T, in string) {
	t.Helper()
	h := strings.ReplaceAll(in, "\r\n", "\n")
	h = strings.ReplaceAll(h, "\r", "\n")
	if i := strings.IndexByte(h, '\n'); i >= 0 {
		h = h[:i]
	}
	if !utf8.ValidString(h) || strings.ContainsFunc(h, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) ||
		strings.TrimSpace(h) == "" && h != "" || strings.HasPrefix(h, "Merge ") || strings.HasPrefix(h, `Revert "`) ||
		strings.HasPrefix(h, "fixup! ") || strings.HasPrefix(h, "squash! ") || strings.HasPrefix(h, "amend! ") {
		return
	}
	machine := ccparser.NewMachine(ccparser.WithTypes(conventionalcommits.TypesFreeForm))
	res, merr := machine.Parse([]byte(h))
	for _, lenient := range []bool{false, true} {
		var opts []commits.ParseOption
		if lenient {
			opts = append(opts, commits.WithLenient())
		}
		m, err := commits.Parse(h, opts...)
		if merr != nil {
			reason, pos := machineReason(h, merr.Error())
			var pe *commits.ParseError
			if !errors.As(err, &pe) || pe.Reason != reason || pe.Err != sentinels[reason] || pe.Pos != pos || pe.Line != 1 {
				t.Fatalf("header %q (lenient %v): machine says %q (%v at %d), Parse says %v", h, lenient, merr, reason, pos, err)
			}
			continue
		}
		cc := res.(*conventionalcommits.ConventionalCommit)
		// The machine accepted h: read its fields from the bytes, as the
		// package does, and apply our checks in the package's order.
		typ := h[:strings.IndexAny(h, "(!:")]
		var wantReason string
		if !lenient && !strictTypeRE.MatchString(typ) || lenient && (!lenientTypeRE.MatchString(typ) || strings.HasSuffix(typ, " ")) {
			wantReason = reasonInvalidType
		}
		rest := h[len(typ):]
		scope, hasScope := "", false
		if j := strings.IndexByte(rest, ')'); wantReason == "" && strings.HasPrefix(rest, "(") && j > 0 {
			scope, hasScope, rest = rest[1:j], true, rest[j+1:]
		}
		desc := strings.Trim(rest[strings.IndexByte(rest, ':')+1:], " \t")
		switch {
		case wantReason != "":
		case !lenient && hasScope && strings.TrimSpace(scope) == "":
			wantReason = reasonEmptyScope
		case desc == "":
			wantReason = reasonEmptyDescription
		}
		if wantReason != "" {
			if reasonOf(err) != wantReason {
				t.Fatalf("header %q (lenient %v): machine accepts, want %v, Parse says %v", h, lenient, wantReason, err)
			}
			continue
		}
		ccScope := ""
		if cc.Scope != nil {
			ccScope = *cc.Scope
		}
		if err != nil || !m.Conventional || m.Type != cc.Type || strings.ToLower(m.Scope) != ccScope || m.Scope != scope ||
			m.Breaking != cc.Exclamation || m.Description != strings.Trim(cc.Description, " \t") {
			t.Fatalf("header %q (lenient %v): machine %+v (scope %q), Parse %+v, %v", h, lenient, *cc, ccScope, m, err)
		}
	}
}

// Package textsafe makes untrusted text safe to print on one line of a
// terminal report (CONVENTIONS §7). It serves the text reports of policy
// (policy §1.6) and audit (policy §1.5.2): text taken from a commit, a
// record or a report must not start a line of its own (forging a result or
// a verdict), reorder what follows (bidirectional overrides) or drive a
// terminal (escape sequences).
//
// # Escaping
//
// [OneLine] writes control characters (C0 and C1, NEL included), the line
// and paragraph separators U+2028 and U+2029, format characters (Unicode
// category Cf: the bidirectional overrides and isolates, zero-width
// characters) and invalid UTF-8 as Go escapes; everything else, the space
// included, is kept:
//
//	textsafe.OneLine("ok\n\u202egnp.exe") == `ok\n\u202egnp.exe`
//
// OneLine is safe for concurrent use.
package textsafe

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// OneLine returns s with every character that could break the line or
// drive a terminal written as a Go escape (\n, \x1b, \u202e; \xff for a
// byte of invalid UTF-8). It returns s itself when there is none.
func OneLine(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// unsafeRune reports whether r must be escaped: a control character (C0 or
// C1, U+0085 NEL among them), a line or paragraph separator, or a format
// character (Cf: bidirectional controls, zero-width characters).
func unsafeRune(r rune) bool {
	return r != ' ' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\u0085' || unicode.Is(unicode.Cf, r))
}

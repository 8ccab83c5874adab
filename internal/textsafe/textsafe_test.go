package textsafe_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/releasekit/releasekit/internal/textsafe"
)

var cases = []struct{ in, want string }{
	{"", ""},
	{"plain text", "plain text"},
	{"tab\there", `tab\there`},
	{"two\nlines", `two\nlines`},
	{"cr\rreturn", `cr\rreturn`},
	{"\x1b[31mred", `\x1b[31mred`},
	{"nel\u0085", `nel\u0085`},
	{"c1\u009b", `c1\u009b`},
	{"line\u2028sep", `line\u2028sep`},
	{"para\u2029sep", `para\u2029sep`},
	{"rlo\u202egnp.exe", `rlo\u202egnp.exe`},
	{"isolate\u2066x\u2069", `isolate\u2066x\u2069`},
	{"zero\u200bwidth", `zero\u200bwidth`},
	{"bom\ufeff", `bom\ufeff`},
	{"bad\xffutf8", `bad\xffutf8`},
	{"truncated\xe2\x82", `truncated\xe2\x82`},
	{"keeps é, 日本, emoji 🙂 and  spaces", "keeps é, 日本, emoji 🙂 and  spaces"},
}

func TestOneLine(t *testing.T) {
	for _, tc := range cases {
		if got := textsafe.OneLine(tc.in); got != tc.want {
			t.Errorf("OneLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzOneLine(f *testing.F) {
	for _, tc := range cases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := textsafe.OneLine(s)
		if !utf8.ValidString(got) {
			t.Fatalf("OneLine(%q) = %q: not UTF-8", s, got)
		}
		for _, r := range got {
			if r != ' ' && (r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')) {
				t.Fatalf("OneLine(%q) = %q keeps %U", s, got, r)
			}
		}
		if textsafe.OneLine(got) != got {
			t.Fatalf("OneLine is not idempotent on %q", got)
		}
		if utf8.ValidString(s) && !strings.ContainsAny(s, "\\") && got == s && strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) {
			t.Fatalf("OneLine(%q) kept a control character", s)
		}
	})
}

package identity_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/identity"
)

// normalizeVectors are identities Normalize accepts, with their normal form.
var normalizeVectors = []struct{ in, want string }{
	{"ada", "ada"},
	{"ADA", "ada"},
	{"Ada", "ada"},
	{"  ada  ", "ada"},
	{"@ada", "ada"},
	{"＠ada", "ada"}, // fullwidth commercial at
	{"ａｄａ", "ada"},  // fullwidth letters
	{"ＡＤＡ", "ada"},  // fullwidth capitals
	{"ada@example.com", "ada@example.com"},
	{"Ada@Example.COM", "ada@example.com"},
	{"@ada@example.com", "ada@example.com"},
	{"\u3000ada\u3000", "ada"}, // ideographic space, trimmed
	{"\u00a0ada", "ada"},       // no-break space, trimmed
	{"ﬁnn", "finn"},            // ligature, NFKC
	{"straße", "strasse"},      // full case folding
	{"ΣΊΣΥΦΟΣ", "σίσυφοσ"},     // Greek, final sigma folded
	{"e\u0301", "é"},           // combining mark composed (NFKC)
	{"release-bot@example.com", "release-bot@example.com"},
	{"ci+prod@example.com", "ci+prod@example.com"},
	{"ユーザー", "ユーザー"},         // Katakana with the prolonged sound mark (Common)
	{"ﾕｰｻﾞｰ", "ユーザー"},        // halfwidth Katakana, width-folded
	{"田中たなか", "田中たなか"},       // Han and Hiragana: Japanese
	{"tanaka田中", "tanaka田中"}, // Latin and Han
	{"김민준kim", "김민준kim"},     // Hangul and Latin: Korean
	{"иван", "иван"},         // Cyrillic alone
	{"user_1.2-3", "user_1.2-3"},
}

func TestNormalize(t *testing.T) {
	for _, v := range normalizeVectors {
		got, err := identity.Normalize(v.in)
		require.NoError(t, err, "Normalize(%q)", v.in)
		assert.Equal(t, v.want, got, "Normalize(%q)", v.in)
		again, err := identity.Normalize(got)
		require.NoError(t, err, "Normalize(%q)", got)
		assert.Equal(t, got, again, "Normalize is not idempotent on %q", v.in)
	}
}

// refusedVectors are identities Normalize refuses, with the reason: the
// vectors of issue 19 and the bad-input catalog (RELIABILITY.md: control
// characters, invalid UTF-8, NUL, over-long input).
var refusedVectors = []struct{ in, reason string }{
	{"", "empty"},
	{"   ", "empty"},
	{"@", "empty"},
	{"@@ada", "more than one leading @"},
	{"ada\u200b", "invisible character"},     // zero width space
	{"\u200bada", "invisible character"},     // leading zero width space
	{"a\u200dda", "invisible character"},     // zero width joiner
	{"a\u200cda", "invisible character"},     // zero width non-joiner
	{"ada\u2060", "invisible character"},     // word joiner
	{"a\u00adda", "invisible character"},     // soft hyphen
	{"\ufeffada", "invisible character"},     // byte order mark
	{"ada\ufe0f", "invisible character"},     // variation selector
	{"ada\u034f", "invisible character"},     // combining grapheme joiner
	{"\u3164ada", "invisible character"},     // Hangul filler
	{"ada\U000e0041", "invisible character"}, // tag character
	{"ada\u202e", "bidi control"},            // right-to-left override
	{"\u2067ada", "bidi control"},            // right-to-left isolate
	{"ada\u200f", "bidi control"},            // right-to-left mark
	{"ada\n", "control character"},           // newline
	{"ada\nbob", "control character"},
	{"ada\r", "control character"},
	{"ada\t", "control character"},
	{"ada\x1b[31m", "control character"}, // ESC
	{"ada\x00evil", "control character"}, // NUL
	{"ada\x7f", "control character"},     // DEL
	{"ada\u0085", "control character"},   // next line
	{"ada\u2028", "line separator"},
	{"ada\u2029", "line separator"},
	{"ada\xff", "invalid utf-8"},
	{"\xfe\xff", "invalid utf-8"},
	{"ada\ue000", "private-use character"},
	{"ada\U000f0000", "private-use character"},
	{"ada\ufdd0", "noncharacter"},
	{"ada\U0010ffff", "noncharacter"},
	{"ada\u0378", "unassigned character"},
	{"ada lovelace", "whitespace inside"},
	{"ada\u3000lovelace", "whitespace inside"}, // ideographic space
	{"ada\u00a0lovelace", "whitespace inside"}, // no-break space
	{"аda", "mixed scripts"},                   // Cyrillic а, Latin da
	{"pаypal@example.com", "mixed scripts"},    // Cyrillic а
	{"adа", "mixed scripts"},                   // Latin ad, Cyrillic а
	{"αda", "mixed scripts"},                   // Greek α
	{"иванivan", "mixed scripts"},
	{"김민준たなか", "mixed scripts"},      // Hangul and Hiragana
	{"ada✓", "disallowed character"}, // a symbol outside ASCII
	{"ada😀", "disallowed character"},
	{"ada\ufffd", "disallowed character"}, // the replacement character
	{strings.Repeat("a", identity.MaxLen+1), "too long"},
	{strings.Repeat("\ufdfa", 20), "too long"}, // 60 bytes that NFKC expands 18-fold
}

func TestNormalizeRefuses(t *testing.T) {
	for _, v := range refusedVectors {
		got, err := identity.Normalize(v.in)
		require.Error(t, err, "Normalize(%q) = %q", v.in, got)
		assert.Empty(t, got)
		assert.ErrorIs(t, err, identity.ErrInvalid)
		var ie *identity.Error
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, v.reason, ie.Reason, "Normalize(%q): %v", v.in, err)
		assert.Equal(t, v.in, ie.Input)
	}
}

func TestErrorText(t *testing.T) {
	_, err := identity.Normalize("ada\u200b")
	assert.EqualError(t, err, `identity: invalid identity "ada\u200b": invisible character (U+200B)`)
	_, err = identity.Normalize("аda")
	assert.EqualError(t, err, `identity: invalid identity "аda": mixed scripts (Cyrillic, Latin)`)
	_, err = identity.Normalize("ada\x1b[2J")
	assert.EqualError(t, err, `identity: invalid identity "ada\x1b[2J": control character (U+001B)`)
	_, err = identity.Normalize(strings.Repeat("a", 300))
	assert.Equal(t, `identity: invalid identity "`+strings.Repeat("a", 64)+`...": too long (300 bytes, at most 256)`, err.Error())
}

// The issue 19 vectors: none of these is a way for ada to be someone else.
func TestIssueVectors(t *testing.T) {
	var people *identity.Directory // no mapping: normalisation alone
	for _, approver := range []string{"ada", "ADA", "@ada", "ａｄａ", " Ada ", "ada@example.com", "ADA@example.org", "ada+ci@example.com"} {
		conflict, err := people.Conflict("ada", approver)
		require.NoError(t, err, approver)
		assert.True(t, conflict, "ada and %q may be the same person", approver)
	}
	for _, approver := range []string{"ada\u200b", "аda", "ada\n", "ada\x1b", "a\u00adda", "ada\u2060", "\ufeffada"} {
		_, err := people.Conflict("ada", approver)
		assert.ErrorIs(t, err, identity.ErrInvalid, "%q", approver)
		_, err = people.Same("ada", approver)
		assert.ErrorIs(t, err, identity.ErrInvalid, "%q", approver)
		_, err = people.Contains([]string{"cleo"}, approver)
		assert.ErrorIs(t, err, identity.ErrInvalid, "%q", approver)
	}
}

func TestDirectory(t *testing.T) {
	people, err := identity.NewDirectory(map[string][]string{
		"ada":  {"ada@example.com", "ADA-GH", "ada@example.com"},
		"cleo": {"cleo@example.com", "c.approver"},
		"adam": {"ada@corp.example"},
	})
	require.NoError(t, err)

	for _, c := range []struct {
		id, person string
	}{
		{"ada", "ada"}, {"@ADA-GH", "ada"}, {"ａｄａ@example.com", "ada"},
		{"C.Approver", "cleo"}, {"cleo", "cleo"},
		{"ada@corp.example", "adam"},
		{"stranger@example.com", "stranger@example.com"},
	} {
		p, err := people.Person(c.id)
		require.NoError(t, err)
		assert.Equal(t, c.person, p, c.id)
	}

	same := func(a, b string) bool {
		t.Helper()
		ok, err := people.Same(a, b)
		require.NoError(t, err)
		return ok
	}
	conflict := func(a, b string) bool {
		t.Helper()
		ok, err := people.Conflict(a, b)
		require.NoError(t, err)
		return ok
	}
	assert.True(t, same("ada-gh", "ada@example.com"))
	assert.True(t, same("cleo", "c.approver"))
	assert.False(t, same("ada", "cleo"))
	assert.False(t, same("ada", "ada@evil.example"), "not the same for certain")

	assert.True(t, conflict("ada-gh", "ada@example.com"))
	assert.False(t, conflict("ada", "cleo@example.com"))
	// Mapped to different people: the directory decides, even though the
	// local part of adam's address is ada.
	assert.False(t, conflict("ada", "ada@corp.example"))
	// An unknown address whose local part is an alias of ada may be ada.
	assert.True(t, conflict("ada-gh", "ada@evil.example"))
	assert.True(t, conflict("c.approver@elsewhere.example", "cleo"))
	assert.True(t, conflict("stranger", "stranger@example.com"))
	assert.False(t, conflict("stranger", "other@example.com"))

	ok, err := people.Contains([]string{"cleo@example.com", "bob"}, "C.APPROVER")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = people.Contains([]string{"cleo@example.com", "bob"}, "cleo@evil.example")
	require.NoError(t, err)
	assert.False(t, ok, "Contains is strict")
	_, err = people.Contains([]string{"cleo", "bob\u200b"}, "cleo")
	assert.ErrorIs(t, err, identity.ErrInvalid, "an invalid entry in the list fails closed")
	_, err = people.Contains([]string{""}, "cleo")
	assert.ErrorIs(t, err, identity.ErrInvalid)
}

func TestNilDirectory(t *testing.T) {
	var people *identity.Directory
	p, err := people.Person("@ADA")
	require.NoError(t, err)
	assert.Equal(t, "ada", p)
	ok, err := people.Same("ａｄａ", "ada")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = people.Contains([]string{"bob", "ADA"}, "ada")
	require.NoError(t, err)
	assert.True(t, ok)
	zero := &identity.Directory{}
	ok, err = zero.Conflict("ada", "ada@example.com")
	require.NoError(t, err)
	assert.True(t, ok)
}

func TestNewDirectoryRefuses(t *testing.T) {
	for name, people := range map[string]map[string][]string{
		"invalid alias":       {"ada": {"ada\u200b@example.com"}},
		"invalid person":      {"Ada Lovelace": {"ada@example.com"}},
		"mixed scripts":       {"ada": {"аda@example.com"}},
		"shared alias":        {"ada": {"shared@example.com"}, "bob": {"SHARED@example.com"}},
		"person is an alias":  {"ada": {"bob"}, "bob": {"bob@example.com"}},
		"two names, one form": {"ada": nil, "ADA": nil},
	} {
		t.Run(name, func(t *testing.T) {
			d, err := identity.NewDirectory(people)
			assert.Nil(t, d)
			assert.ErrorIs(t, err, identity.ErrInvalid)
			var de *identity.DirectoryError
			assert.ErrorAs(t, err, &de)
		})
	}
	_, err := identity.NewDirectory(map[string][]string{"ada": {"x"}, "bob": {"X"}})
	assert.EqualError(t, err, `identity: person "bob": "X" is listed for "ada" too`)
	d, err := identity.NewDirectory(nil)
	require.NoError(t, err)
	p, err := d.Person("Ada")
	require.NoError(t, err)
	assert.Equal(t, "ada", p)
}

func TestErrorsAs(t *testing.T) {
	_, err := identity.Normalize("ada\u200b")
	var ie *identity.Error
	require.True(t, errors.As(err, &ie))
	assert.Equal(t, "U+200B", ie.Detail)
}

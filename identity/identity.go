package identity

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/secure/precis"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// MaxLen is the longest identity [Normalize] accepts, in bytes, before and
// after normalisation (an e-mail address has at most 254).
const MaxLen = 256

// ErrInvalid is wrapped by every refusal of an identity: an *[Error] from
// [Normalize] and the [Directory] methods, and a *[DirectoryError] from
// [NewDirectory].
var ErrInvalid = errors.New("identity: invalid identity")

// An Error is an identity [Normalize] refuses. Input is the identity as
// written; Reason is one of "empty", "too long", "invalid utf-8",
// "control character", "line separator", "bidi control", "invisible
// character", "private-use character", "noncharacter", "unassigned
// character", "whitespace inside", "more than one leading @",
// "disallowed character", "mixed scripts" and "unstable normalisation".
// Detail says where, when it can: the code point ("U+200B") or the scripts
// ("Cyrillic, Latin").
type Error struct {
	Input  string
	Reason string
	Detail string
}

// Error returns `identity: invalid identity "input": reason (detail)`,
// with Input quoted by %q (escaping control and invisible characters) and
// cut after 64 bytes.
func (e *Error) Error() string {
	in := e.Input
	if len(in) > 64 {
		in = in[:64] + "..."
	}
	msg := fmt.Sprintf("identity: invalid identity %q: %s", in, e.Reason)
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

// Unwrap returns [ErrInvalid].
func (e *Error) Unwrap() error { return ErrInvalid }

// Normalize returns the canonical form of the identity s (an e-mail
// address, a login, a principal), the only form in which releasekit
// compares identities: width-folded, NFKC, case-folded, trimmed of white
// space at both ends, without one leading '@'. It refuses the identities
// the package documentation lists with an *[Error] wrapping [ErrInvalid].
// For every s it accepts, Normalize(Normalize(s)) is Normalize(s).
func Normalize(s string) (string, error) {
	bad := func(reason, detail string) (string, error) {
		return "", &Error{Input: s, Reason: reason, Detail: detail}
	}
	if len(s) > MaxLen {
		return bad("too long", fmt.Sprintf("%d bytes, at most %d", len(s), MaxLen))
	}
	if !utf8.ValidString(s) {
		return bad("invalid utf-8", "")
	}
	if r, reason := refused(s); reason != "" {
		return bad(reason, codePoint(r))
	}
	t := s
	for i := 0; ; i++ {
		u := fold(t)
		if u == t {
			break
		}
		if i == 3 {
			return bad("unstable normalisation", "")
		}
		t = u
	}
	t = strings.TrimFunc(t, unicode.IsSpace)
	t = strings.TrimPrefix(t, "@")
	switch {
	case t == "":
		return bad("empty", "")
	case len(t) > MaxLen:
		return bad("too long", fmt.Sprintf("%d bytes once normalised, at most %d", len(t), MaxLen))
	case strings.HasPrefix(t, "@"):
		return bad("more than one leading @", "")
	}
	if i := strings.IndexFunc(t, unicode.IsSpace); i >= 0 {
		r, _ := utf8.DecodeRuneInString(t[i:])
		return bad("whitespace inside", codePoint(r))
	}
	if r, reason := refused(t); reason != "" {
		return bad(reason, codePoint(r))
	}
	if _, err := precis.UsernameCasePreserved.String(t); err != nil {
		detail := ""
		for _, r := range t {
			if _, err := precis.UsernameCasePreserved.String(string(r)); err != nil {
				detail = codePoint(r)
				break
			}
		}
		return bad("disallowed character", detail)
	}
	if scripts := mixedScripts(t); scripts != nil {
		return bad("mixed scripts", strings.Join(scripts, ", "))
	}
	return t, nil
}

// fold is one round of the normalisation: width folding, NFKC, case
// folding, NFKC (Unicode's NFKC_Casefold, UAX #15 and §3.13, is defined
// the same way).
func fold(s string) string {
	s = width.Fold.String(s)
	s = norm.NFKC.String(s)
	s = cases.Fold().String(s)
	return norm.NFKC.String(s)
}

// refused returns the first character of s an identity cannot hold, and
// why, or "" when there is none. White space is left to the caller: it is
// trimmed at the ends and refused inside.
func refused(s string) (rune, string) {
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Cc, r):
			return r, "control character"
		case unicode.In(r, unicode.Zl, unicode.Zp):
			return r, "line separator"
		case isBidiControl(r):
			return r, "bidi control"
		case unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector):
			return r, "invisible character"
		case unicode.Is(unicode.Co, r):
			return r, "private-use character"
		case unicode.Is(unicode.Noncharacter_Code_Point, r):
			return r, "noncharacter"
		case !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs):
			return r, "unassigned character"
		}
	}
	return 0, ""
}

// isBidiControl reports whether r is one of the explicit directional
// formatting characters (UAX #9 §2): ALM, LRM, RLM, the embeddings and
// overrides, and the isolates.
func isBidiControl(r rune) bool {
	return r == 0x061C || r == 0x200E || r == 0x200F || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

func codePoint(r rune) string { return fmt.Sprintf("U+%04X", r) }

// mixedScripts returns the scripts of s, sorted, when they mix in a way
// "highly restrictive" refuses, and nil otherwise. Common and Inherited
// characters (digits, punctuation, combining marks) belong to any script.
func mixedScripts(s string) []string {
	set := map[string]bool{}
	for _, r := range s {
		if unicode.In(r, unicode.Common, unicode.Inherited) {
			continue
		}
		for name, table := range unicode.Scripts {
			if unicode.Is(table, r) {
				set[name] = true
				break
			}
		}
	}
	if len(set) <= 1 {
		return nil
	}
	scripts := make([]string, 0, len(set))
	for name := range set {
		scripts = append(scripts, name)
	}
	sort.Strings(scripts)
	// The script sets that UTS #39 §5.2 "highly restrictive" allows
	// together: Japanese, Chinese (with Bopomofo) and Korean, each with
	// Latin.
	allowed := [][]string{
		{"Han", "Hiragana", "Katakana", "Latin"},
		{"Bopomofo", "Han", "Latin"},
		{"Hangul", "Han", "Latin"},
	}
	for _, mix := range allowed {
		if !slices.ContainsFunc(scripts, func(s string) bool { return !slices.Contains(mix, s) }) {
			return nil
		}
	}
	return scripts
}

// A Directory maps the e-mail addresses and logins of each person to that
// person. The zero Directory and a nil *Directory map nothing: every
// identity is then a person of its own, in its normal form. A Directory is
// immutable and safe for concurrent use.
type Directory struct {
	person  map[string]string   // normal form of an alias or a person -> the person's normal form
	aliases map[string][]string // person -> the normal forms of the person and their aliases, sorted
}

// A DirectoryError is a mapping [NewDirectory] refuses: Alias, listed for
// Person, is not a valid identity (Err is its *[Error]), or is listed for
// Other too. It wraps [ErrInvalid].
type DirectoryError struct {
	Person, Alias, Other string
	Err                  error
}

// Error names the person and the alias.
func (e *DirectoryError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("identity: person %q: %v", e.Person, e.Err)
	}
	return fmt.Sprintf("identity: person %q: %q is listed for %q too", e.Person, e.Alias, e.Other)
}

// Unwrap returns the *Error of an invalid alias, or [ErrInvalid].
func (e *DirectoryError) Unwrap() error {
	if e.Err != nil {
		return e.Err
	}
	return ErrInvalid
}

// NewDirectory returns the Directory of people, a map from each person to
// their aliases (e-mail addresses and logins): {"ada": {"ada@example.com",
// "ada-gh"}}. A person's name is an alias of that person too. Names and
// aliases are normalised; one that does not normalise, or that two people
// share (after normalisation), is a *[DirectoryError]. NewDirectory does
// not keep people.
func NewDirectory(people map[string][]string) (*Directory, error) {
	d := &Directory{person: map[string]string{}, aliases: map[string][]string{}}
	names := make([]string, 0, len(people))
	for name := range people {
		names = append(names, name)
	}
	sort.Strings(names)
	owner := map[string]string{} // normal form -> person as written
	for _, name := range names {
		p, err := Normalize(name)
		if err != nil {
			return nil, &DirectoryError{Person: name, Alias: name, Err: err}
		}
		for _, alias := range append([]string{name}, people[name]...) {
			a, err := Normalize(alias)
			if err != nil {
				return nil, &DirectoryError{Person: name, Alias: alias, Err: err}
			}
			if other, ok := owner[a]; ok {
				if other != name {
					return nil, &DirectoryError{Person: name, Alias: alias, Other: other}
				}
				continue // listed twice for the same person
			}
			owner[a] = name
			d.person[a] = p
			d.aliases[p] = append(d.aliases[p], a)
		}
		slices.Sort(d.aliases[p])
	}
	return d, nil
}

// lookup returns the person of the normal form n and whether d maps it.
func (d *Directory) lookup(n string) (string, bool) {
	if d != nil {
		if p, ok := d.person[n]; ok {
			return p, true
		}
	}
	return n, false
}

// Person returns the person id denotes: the person d maps it to, or, when
// d does not map it (d may be nil), its normal form. An id that does not
// normalise is an *[Error].
func (d *Directory) Person(id string) (string, error) {
	n, err := Normalize(id)
	if err != nil {
		return "", err
	}
	p, _ := d.lookup(n)
	return p, nil
}

// Same reports whether a and b are the same person for certain: the same
// normal form, or aliases of one person in d. Use it to authorise. An
// identity that does not normalise is an *[Error] (and Same is false).
func (d *Directory) Same(a, b string) (bool, error) {
	pa, err := d.Person(a)
	if err != nil {
		return false, err
	}
	pb, err := d.Person(b)
	if err != nil {
		return false, err
	}
	return pa == pb, nil
}

// Conflict reports whether a and b may be the same person, for separation
// of duties: [Directory.Same], or, unless d maps both to people (different
// ones), an e-mail address of one whose local part (before any "+tag") is
// the other, or the local part of the other's address: "ada" and
// "ada@example.com", "ada+ci@example.com" and "ada@corp.example". When one
// of them is mapped, each alias of that person is compared so. An identity
// that does not normalise is an *[Error]; callers must then deny.
func (d *Directory) Conflict(a, b string) (bool, error) {
	na, err := Normalize(a)
	if err != nil {
		return false, err
	}
	nb, err := Normalize(b)
	if err != nil {
		return false, err
	}
	pa, mappedA := d.lookup(na)
	pb, mappedB := d.lookup(nb)
	if pa == pb {
		return true, nil
	}
	if mappedA && mappedB {
		return false, nil
	}
	for _, x := range d.forms(na, pa, mappedA) {
		for _, y := range d.forms(nb, pb, mappedB) {
			if local(x) == local(y) {
				return true, nil
			}
		}
	}
	return false, nil
}

// forms returns n and, when it is mapped to person p, p's aliases.
func (d *Directory) forms(n, p string, mapped bool) []string {
	if !mapped {
		return []string{n}
	}
	return d.aliases[p]
}

// local returns the local part of an e-mail address without its "+tag",
// or n when it is not an address.
func local(n string) string {
	i := strings.LastIndexByte(n, '@')
	if i <= 0 {
		return n
	}
	l := n[:i]
	if j := strings.IndexByte(l, '+'); j > 0 {
		l = l[:j]
	}
	return l
}

// Contains reports whether id is, for certain, one of the identities of
// list (see [Directory.Same]). Use it for permissions. Every identity of
// list must normalise, and id too: the first that does not is an *[Error]
// and Contains is false.
func (d *Directory) Contains(list []string, id string) (bool, error) {
	p, err := d.Person(id)
	if err != nil {
		return false, err
	}
	found := false
	for _, x := range list {
		px, err := d.Person(x)
		if err != nil {
			return false, err
		}
		found = found || px == p
	}
	return found, nil
}

package semver

import (
	"cmp"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MaxLength is the longest version text, in bytes, that [Parse] and
// [ParseCalVer] accept. Longer input fails with a [*ParseError] before any byte
// is scanned.
const MaxLength = 256

// A Version is a Semantic Versioning 2.0.0 version: MAJOR.MINOR.PATCH with an
// optional pre-release and optional build metadata.
//
// The zero Version is 0.0.0. A Version is an immutable value, comparable with
// ==, which is exact (see [Version.Equal]); use [Compare] for precedence.
type Version struct {
	major, minor, patch uint64
	pre, build          string // validated, without the leading '-' or '+'
}

// New returns the stable version major.minor.patch.
func New(major, minor, patch uint64) Version {
	return Version{major: major, minor: minor, patch: patch}
}

// Parse parses s as a strict Semantic Versioning 2.0.0 version:
// MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD].
//
// Parse takes no "v" prefix (tag prefixes belong to a [Scheme]), no spaces and
// no other surrounding bytes. Numbers and numeric pre-release identifiers
// have no leading zeros, MAJOR, MINOR and PATCH fit in a uint64, and s is at
// most [MaxLength] bytes.
//
// Every error is a [*ParseError] that matches [ErrInvalidVersion]; its
// Reason tells a leading zero, a number past 64 bits or over-long input
// apart.
func Parse(s string) (Version, error) {
	v, fail := scan(s)
	if fail.kind != failNone {
		return Version{}, fail.parseError(s)
	}
	return v, nil
}

// MustParse is like [Parse] but panics on error. It is for versions fixed in
// code.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// Major returns the major version number.
func (v Version) Major() uint64 { return v.major }

// Minor returns the minor version number.
func (v Version) Minor() uint64 { return v.minor }

// Patch returns the patch version number.
func (v Version) Patch() uint64 { return v.patch }

// Prerelease returns the pre-release identifiers without the leading '-', or
// "" for a stable version.
func (v Version) Prerelease() string { return v.pre }

// Build returns the build metadata without the leading '+', or "".
func (v Version) Build() string { return v.build }

// IsPrerelease reports whether v has a pre-release part.
func (v Version) IsPrerelease() bool { return v.pre != "" }

// String returns v in canonical form. For every version that [Parse] accepts,
// Parse(s).String() == s.
func (v Version) String() string {
	var buf [64]byte
	return string(v.appendTo(buf[:0]))
}

func (v Version) appendTo(b []byte) []byte {
	b = strconv.AppendUint(b, v.major, 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, v.minor, 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, v.patch, 10)
	if v.pre != "" {
		b = append(b, '-')
		b = append(b, v.pre...)
	}
	if v.build != "" {
		b = append(b, '+')
		b = append(b, v.build...)
	}
	return b
}

// Core returns MAJOR.MINOR.PATCH of v, without pre-release and build
// metadata.
func (v Version) Core() Version {
	return Version{major: v.major, minor: v.minor, patch: v.patch}
}

// WithPrerelease returns v with its pre-release set to pre (without the
// leading '-'); "" removes it. Build metadata is kept. An invalid pre
// returns a [*ParseError] whose Input is pre.
func (v Version) WithPrerelease(pre string) (Version, error) {
	if pre != "" {
		if fail := scanIdentifiers(pre, 0, sectionPre); fail.kind != failNone {
			return v, fail.parseError(pre)
		}
	}
	v.pre = pre
	return v, nil
}

// WithBuild returns v with its build metadata set to build (without the
// leading '+'); "" removes it. An invalid build returns a [*ParseError] whose
// Input is build.
func (v Version) WithBuild(build string) (Version, error) {
	if build != "" {
		if fail := scanIdentifiers(build, 0, sectionBuild); fail.kind != failNone {
			return v, fail.parseError(build)
		}
	}
	v.build = build
	return v, nil
}

// Compare returns -1, 0 or +1 as a has lower, equal or higher precedence than
// b, following Semantic Versioning 2.0.0 §11. Build metadata is ignored, so
// 1.0.0+a and 1.0.0+b compare equal.
//
// Compare does not allocate. Its signature fits [slices.SortFunc].
func Compare(a, b Version) int {
	if c := cmp.Compare(a.major, b.major); c != 0 {
		return c
	}
	if c := cmp.Compare(a.minor, b.minor); c != 0 {
		return c
	}
	if c := cmp.Compare(a.patch, b.patch); c != 0 {
		return c
	}
	return comparePrerelease(a.pre, b.pre)
}

// comparePrerelease compares two valid pre-release strings (§11.3, §11.4): a
// version without pre-release ranks higher; otherwise identifiers compare
// left to right, and a shorter list that is a prefix of a longer one ranks
// lower.
func comparePrerelease(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return +1
	case b == "":
		return -1
	}
	// Identifiers in the common prefix compare equal: skip to the start of
	// the identifier where a and b first differ.
	n := min(len(a), len(b))
	k := 0
	for k < n && a[k] == b[k] {
		k++
	}
	start := strings.LastIndexByte(a[:k], '.') + 1
	a, b = a[start:], b[start:]
	for a != "" && b != "" {
		var x, y string
		x, a = nextIdentifier(a)
		y, b = nextIdentifier(b)
		if c := compareIdentifier(x, y); c != 0 {
			return c
		}
	}
	// Valid identifiers are never empty, so an empty rest means "no more".
	return cmp.Compare(len(a), len(b))
}

// nextIdentifier splits the first identifier off a pre-release.
func nextIdentifier(s string) (id, rest string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// compareIdentifier compares two pre-release identifiers: numeric ones by
// value, alphanumeric ones in ASCII order, numeric below alphanumeric.
// Numeric identifiers have no leading zeros, so comparing by length first
// and then bytewise compares by value at any size.
func compareIdentifier(x, y string) int {
	xn, yn := isNumeric(x), isNumeric(y)
	switch {
	case xn && yn:
		if c := cmp.Compare(len(x), len(y)); c != 0 {
			return c
		}
		return strings.Compare(x, y)
	case xn:
		return -1
	case yn:
		return +1
	}
	return strings.Compare(x, y)
}

func isNumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// Compare is [Compare](v, o).
func (v Version) Compare(o Version) int { return Compare(v, o) }

// Less reports whether v has lower precedence than o.
func (v Version) Less(o Version) bool { return Compare(v, o) < 0 }

// Equal reports whether v and o are the same version, build metadata
// included: 1.0.0+a and 1.0.0+b are not equal although they have the same
// precedence. It is the same as v == o.
func (v Version) Equal(o Version) bool { return v == o }

// Bump returns the version that follows v at level l. Pre-release and build
// metadata are dropped.
//
// For a pre-release, a bump that its core version already covers returns the
// core: 1.0.0-rc.1 bumped at [Patch] is 1.0.0, 1.3.0-rc.1 at [Minor] is
// 1.3.0, 2.0.0-rc.1 at [Major] is 2.0.0, but 1.3.1-rc.1 at Minor is 1.4.0.
// [None] returns v unchanged. Bump applies no 0.x rule: see [Next] for that.
//
// Bump returns a [*ValueError] when a number would pass the largest uint64
// or for an unknown level.
func (v Version) Bump(l Level) (Version, error) {
	core := v.Core()
	switch l {
	case None:
		return v, nil
	case Patch:
		if v.pre != "" {
			return core, nil
		}
		if v.patch == math.MaxUint64 {
			return v, &ValueError{Op: fmt.Sprintf("bump patch of %s", v), Reason: "version number overflows"}
		}
		return New(v.major, v.minor, v.patch+1), nil
	case Minor:
		if v.pre != "" && v.patch == 0 {
			return core, nil
		}
		if v.minor == math.MaxUint64 {
			return v, &ValueError{Op: fmt.Sprintf("bump minor of %s", v), Reason: "version number overflows"}
		}
		return New(v.major, v.minor+1, 0), nil
	case Major:
		if v.pre != "" && v.minor == 0 && v.patch == 0 {
			return core, nil
		}
		if v.major == math.MaxUint64 {
			return v, &ValueError{Op: fmt.Sprintf("bump major of %s", v), Reason: "version number overflows"}
		}
		return New(v.major+1, 0, 0), nil
	}
	return v, &ValueError{Op: fmt.Sprintf("bump %s: level %d", v, int(l)), Reason: "invalid bump level"}
}

// MarshalText implements [encoding.TextMarshaler] with [Version.String].
func (v Version) MarshalText() ([]byte, error) {
	return v.appendTo(nil), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler] with [Parse]. On error
// v is left unchanged.
func (v *Version) UnmarshalText(text []byte) error {
	p, err := Parse(string(text))
	if err != nil {
		return err
	}
	*v = p
	return nil
}

// The scanner below reports failures as a small value, so that callers that
// only need a yes or no ([Select] over thousands of tags) do not allocate;
// [Parse] turns the value into a *ParseError.

type failKind uint8

const (
	failNone failKind = iota
	failEmpty
	failTooLong
	failDigit        // want a digit
	failLeadingZero  // number with a leading zero
	failOverflow     // number does not fit uint64
	failDot          // want '.'
	failEmptyIdent   // empty pre-release or build identifier
	failUnexpected   // unexpected byte after a complete part
	failMonth        // CalVer month out of 01-12
	failYear         // CalVer year not 4 digits from 1000
	failBadCharIdent // byte not allowed in an identifier
	failHotfixZero   // CalVer hotfix number 0 (hotfixes count from 1)
)

type section uint8

const (
	sectionMajor section = iota
	sectionMinor
	sectionPatch
	sectionPre
	sectionBuild
	sectionYear
	sectionMonth
	sectionMicro
	sectionHotfix
)

func (s section) String() string {
	return [...]string{"major", "minor", "patch", "pre-release", "build metadata", "year", "month", "micro", "hotfix"}[s]
}

type scanFail struct {
	kind    failKind
	section section
	pos     int
}

// parseError describes f for input s.
func (f scanFail) parseError(s string) *ParseError {
	e := &ParseError{Input: s, Pos: f.pos}
	if f.section >= sectionYear {
		e.kind = ErrInvalidCalVer
	}
	found := "end of input"
	if f.pos < len(s) {
		found = strconv.Quote(s[f.pos : f.pos+1])
	}
	switch f.kind {
	case failEmpty:
		e.Reason = "empty string"
	case failTooLong:
		e.Reason = fmt.Sprintf("%d bytes, longer than %d", len(s), MaxLength)
	case failDigit:
		e.Reason = fmt.Sprintf("%s: want a digit, found %s", f.section, found)
		if f.pos == 0 && f.pos < len(s) && (s[0] == 'v' || s[0] == 'V') {
			e.Reason += ` (a tag prefix such as "v" belongs to a Scheme)`
		}
	case failLeadingZero:
		e.Reason = fmt.Sprintf("%s: number has a leading zero", f.section)
	case failOverflow:
		e.Reason = fmt.Sprintf("%s: number does not fit in 64 bits", f.section)
	case failDot:
		e.Reason = fmt.Sprintf("after %s: want '.', found %s", f.section, found)
	case failEmptyIdent:
		e.Reason = fmt.Sprintf("%s: empty identifier", f.section)
	case failBadCharIdent:
		e.Reason = fmt.Sprintf("%s: %s is not in [0-9A-Za-z-]", f.section, found)
	case failUnexpected:
		e.Reason = fmt.Sprintf("unexpected %s after %s", found, f.section)
	case failMonth:
		e.Reason = "month: want two digits from 01 to 12"
	case failYear:
		e.Reason = "year: want four digits from 1000"
	case failHotfixZero:
		e.Reason = "hotfix: want a number from 1 (YYYY.0M.MICRO is the release itself)"
	}
	return e
}

// scan parses a strict SemVer 2.0.0 version.
func scan(s string) (Version, scanFail) {
	if len(s) > MaxLength {
		return Version{}, scanFail{kind: failTooLong, pos: MaxLength}
	}
	if s == "" {
		return Version{}, scanFail{kind: failEmpty}
	}
	var v Version
	var fail scanFail
	i := 0
	if v.major, i, fail = scanNumber(s, i, sectionMajor); fail.kind != failNone {
		return Version{}, fail
	}
	if i, fail = expectDot(s, i, sectionMajor); fail.kind != failNone {
		return Version{}, fail
	}
	if v.minor, i, fail = scanNumber(s, i, sectionMinor); fail.kind != failNone {
		return Version{}, fail
	}
	if i, fail = expectDot(s, i, sectionMinor); fail.kind != failNone {
		return Version{}, fail
	}
	if v.patch, i, fail = scanNumber(s, i, sectionPatch); fail.kind != failNone {
		return Version{}, fail
	}
	last := sectionPatch
	if i < len(s) && s[i] == '-' {
		start := i + 1
		if i, fail = scanIdentifiersTo(s, start, sectionPre); fail.kind != failNone {
			return Version{}, fail
		}
		v.pre, last = s[start:i], sectionPre
	}
	if i < len(s) && s[i] == '+' {
		start := i + 1
		if i, fail = scanIdentifiersTo(s, start, sectionBuild); fail.kind != failNone {
			return Version{}, fail
		}
		v.build, last = s[start:i], sectionBuild
	}
	if i < len(s) {
		return Version{}, scanFail{kind: failUnexpected, section: last, pos: i}
	}
	return v, scanFail{}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isIdentByte(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-'
}

// scanNumber reads a decimal number at s[i:] with no leading zero that fits
// in a uint64, and returns it with the offset just past it.
func scanNumber(s string, i int, sec section) (uint64, int, scanFail) {
	start := i
	var n uint64
	overflow := false
	for ; i < len(s) && isDigit(s[i]); i++ {
		d := uint64(s[i] - '0')
		if n > (math.MaxUint64-d)/10 {
			overflow = true
		}
		n = n*10 + d
	}
	switch {
	case i == start:
		return 0, i, scanFail{kind: failDigit, section: sec, pos: i}
	case s[start] == '0' && i-start > 1:
		return 0, i, scanFail{kind: failLeadingZero, section: sec, pos: start}
	case overflow:
		return 0, i, scanFail{kind: failOverflow, section: sec, pos: start}
	}
	return n, i, scanFail{}
}

func expectDot(s string, i int, after section) (int, scanFail) {
	if i < len(s) && s[i] == '.' {
		return i + 1, scanFail{}
	}
	return i, scanFail{kind: failDot, section: after, pos: i}
}

// scanIdentifiersTo reads dot-separated identifiers at s[i:] and returns the
// offset just past them. Pre-release identifiers end at '+' or at the end of
// s; build identifiers end at the end of s (any other byte is left for the
// caller to report).
func scanIdentifiersTo(s string, i int, sec section) (int, scanFail) {
	for {
		start := i
		numeric := true
		for ; i < len(s) && isIdentByte(s[i]); i++ {
			if !isDigit(s[i]) {
				numeric = false
			}
		}
		if i == start {
			if i < len(s) && s[i] != '.' && s[i] != '+' {
				return i, scanFail{kind: failBadCharIdent, section: sec, pos: i}
			}
			return i, scanFail{kind: failEmptyIdent, section: sec, pos: i}
		}
		if sec == sectionPre && numeric && s[start] == '0' && i-start > 1 {
			return i, scanFail{kind: failLeadingZero, section: sec, pos: start}
		}
		if i == len(s) {
			return i, scanFail{}
		}
		switch s[i] {
		case '.':
			i++
		case '+':
			if sec == sectionPre {
				return i, scanFail{}
			}
			return i, scanFail{kind: failUnexpected, section: sec, pos: i}
		default:
			return i, scanFail{kind: failBadCharIdent, section: sec, pos: i}
		}
	}
}

// scanIdentifiers checks that all of s is a pre-release or build part.
func scanIdentifiers(s string, i int, sec section) scanFail {
	if len(s) > MaxLength {
		return scanFail{kind: failTooLong, pos: MaxLength}
	}
	i, fail := scanIdentifiersTo(s, i, sec)
	if fail.kind == failNone && i < len(s) {
		return scanFail{kind: failUnexpected, section: sec, pos: i}
	}
	return fail
}

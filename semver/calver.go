package semver

import (
	"cmp"
	"fmt"
	"math"
	"strings"
	"time"
)

// A CalVer is a calendar version YYYY.0M.MICRO, the optional scheme of
// policy §1.12.5 (tag v2026.02.0), or YYYY.0M.MICRO.HOTFIX, a hotfix of
// that release (tag v2026.02.0.1). Year and month say which release train
// it belongs to; Micro counts the train's releases within the month from
// 0; Hotfix, from 1, counts the hotfixes of release YYYY.0M.MICRO, and is
// 0 for the release itself.
//
// How hotfixes are written (the §1.12.5 decision record asks it be
// documented): a hotfix of v2026.02.0 is v2026.02.0.1, then v2026.02.0.2,
// made with [CalVer.NextHotfix]; the next train release is v2026.02.1
// ([CalVer.Next]). The two can never be the same version: a train release
// has three components and a hotfix four, with a hotfix number of at least
// 1 (ParseCalVer refuses YYYY.0M.MICRO.0), so however many hotfixes and
// train releases a month has, neither takes the other's tag. The hotfix
// names the release it patches (its first three components), which is how
// a hotfix or backport relates to the prior CalVer tag, and it sorts after
// that release and before the train's next one: 2026.02.0 < 2026.02.0.1 <
// 2026.02.0.2 < 2026.02.1. A pre-release suffix (2026.02.0-hotfix.1) was
// not chosen because SemVer orders it before the release it patches. All
// artifacts of a release share its one version and tag.
//
// A CalVer is not a [Version]: its zero-padded month is not strict SemVer.
// The zero CalVer, 0000.00.0, is not a valid calendar version but sorts
// before every one, so CalVer{}.Next(t) gives the first release.
type CalVer struct {
	Year   int    // 1000 to 9999
	Month  int    // 1 to 12
	Micro  uint64 // release within the month
	Hotfix uint64 // hotfix of release YYYY.0M.MICRO, from 1; 0 for the release itself
}

// ParseCalVer parses s as YYYY.0M.MICRO: a four-digit year from 1000, a
// two-digit month from 01 to 12, and a micro number without leading zeros
// that fits in a uint64, such as 2026.02.0; or as YYYY.0M.MICRO.HOTFIX, a
// hotfix numbered from 1 (2026.02.0.1; 2026.02.0.0 is refused, so that one
// version has one spelling). s has no "v" prefix (see
// [Scheme.ParseCalVer]) and is at most [MaxLength] bytes.
//
// Every error is a [*ParseError] that matches [ErrInvalidCalVer]; its Reason
// tells a leading zero, a number past 64 bits or over-long input apart.
func ParseCalVer(s string) (CalVer, error) {
	c, fail := scanCalVer(s)
	if fail.kind != failNone {
		return CalVer{}, fail.parseError(s)
	}
	return c, nil
}

func scanCalVer(s string) (CalVer, scanFail) {
	switch {
	case len(s) > MaxLength:
		return CalVer{}, scanFail{kind: failTooLong, section: sectionYear, pos: MaxLength}
	case s == "":
		return CalVer{}, scanFail{kind: failEmpty, section: sectionYear}
	}
	var c CalVer
	i := 0
	for ; i < 4; i++ {
		if i == len(s) || !isDigit(s[i]) {
			return CalVer{}, scanFail{kind: failDigit, section: sectionYear, pos: i}
		}
		c.Year = c.Year*10 + int(s[i]-'0')
	}
	if s[0] == '0' {
		return CalVer{}, scanFail{kind: failYear, section: sectionYear, pos: 0}
	}
	if i < len(s) && isDigit(s[i]) {
		return CalVer{}, scanFail{kind: failYear, section: sectionYear, pos: i}
	}
	i, fail := expectDot(s, i, sectionYear)
	if fail.kind != failNone {
		return CalVer{}, fail
	}
	for end := i + 2; i < end; i++ {
		if i == len(s) || !isDigit(s[i]) {
			return CalVer{}, scanFail{kind: failMonth, section: sectionMonth, pos: i}
		}
		c.Month = c.Month*10 + int(s[i]-'0')
	}
	if c.Month < 1 || c.Month > 12 {
		return CalVer{}, scanFail{kind: failMonth, section: sectionMonth, pos: i - 2}
	}
	if i < len(s) && isDigit(s[i]) {
		return CalVer{}, scanFail{kind: failMonth, section: sectionMonth, pos: i}
	}
	if i, fail = expectDot(s, i, sectionMonth); fail.kind != failNone {
		return CalVer{}, fail
	}
	if c.Micro, i, fail = scanNumber(s, i, sectionMicro); fail.kind != failNone {
		return CalVer{}, fail
	}
	if i < len(s) && s[i] == '.' {
		start := i + 1
		if c.Hotfix, i, fail = scanNumber(s, start, sectionHotfix); fail.kind != failNone {
			return CalVer{}, fail
		}
		if c.Hotfix == 0 {
			return CalVer{}, scanFail{kind: failHotfixZero, section: sectionHotfix, pos: start}
		}
		if i < len(s) {
			return CalVer{}, scanFail{kind: failUnexpected, section: sectionHotfix, pos: i}
		}
	}
	if i < len(s) {
		return CalVer{}, scanFail{kind: failUnexpected, section: sectionMicro, pos: i}
	}
	return c, scanFail{}
}

// String returns c as YYYY.0M.MICRO, such as 2026.02.0, or for a hotfix
// YYYY.0M.MICRO.HOTFIX, such as 2026.02.0.1.
func (c CalVer) String() string {
	if c.Hotfix > 0 {
		return fmt.Sprintf("%04d.%02d.%d.%d", c.Year, c.Month, c.Micro, c.Hotfix)
	}
	return fmt.Sprintf("%04d.%02d.%d", c.Year, c.Month, c.Micro)
}

// IsHotfix reports whether c is a hotfix (Hotfix > 0).
func (c CalVer) IsHotfix() bool { return c.Hotfix > 0 }

// Release returns the release c is a hotfix of (c without its hotfix
// number), or c itself.
func (c CalVer) Release() CalVer {
	c.Hotfix = 0
	return c
}

// Compare returns -1, 0 or +1 as c is before, equal to or after o.
func (c CalVer) Compare(o CalVer) int {
	if d := cmp.Compare(c.Year, o.Year); d != 0 {
		return d
	}
	if d := cmp.Compare(c.Month, o.Month); d != 0 {
		return d
	}
	if d := cmp.Compare(c.Micro, o.Micro); d != 0 {
		return d
	}
	return cmp.Compare(c.Hotfix, o.Hotfix)
}

// Next returns the calendar version of the train release made at t, after
// c: in c's year and month (of t in UTC) it is the next micro, 2026.02.0 →
// 2026.02.1 (and after a hotfix, 2026.02.0.1 → 2026.02.1); in a later month
// it is that month's first release, 2026.03.0. It is never a hotfix. The
// result depends only on c and t.
//
// Next returns [ErrNotIncreasing] when t is before c's month (the clock went
// back), [ErrInvalidCalVer] when t's year is not between 1000 and 9999, and
// a [*ValueError] when the micro number would pass the largest uint64.
func (c CalVer) Next(t time.Time) (CalVer, error) {
	t = t.UTC()
	now := CalVer{Year: t.Year(), Month: int(t.Month())}
	switch d := cmp.Or(cmp.Compare(now.Year, c.Year), cmp.Compare(now.Month, c.Month)); {
	case d == 0:
		return c.BumpMicro()
	case d < 0:
		return CalVer{}, fmt.Errorf("next calendar version after %s at %s: %w", c, t.Format(time.DateOnly), ErrNotIncreasing)
	case now.Year < 1000 || now.Year > 9999:
		return CalVer{}, fmt.Errorf("next calendar version at %s: year %d: %w", t.Format(time.DateOnly), now.Year, ErrInvalidCalVer)
	}
	return now, nil
}

// BumpMicro returns the next release of c's train in the same year and
// month, 2026.02.0 → 2026.02.1 (2026.02.0.3 → 2026.02.1), whatever the date;
// it is never a hotfix (see [CalVer.NextHotfix]). It returns a
// [*ValueError] when the micro number would pass the largest uint64.
func (c CalVer) BumpMicro() (CalVer, error) {
	if c.Micro == math.MaxUint64 {
		return CalVer{}, &ValueError{Op: fmt.Sprintf("bump micro of %s", c), Reason: "version number overflows"}
	}
	c.Micro++
	c.Hotfix = 0
	return c, nil
}

// NextHotfix returns the next hotfix of the release c is or patches:
// 2026.02.0 → 2026.02.0.1, 2026.02.0.1 → 2026.02.0.2, whatever the date. It
// can never equal a train release ([CalVer.Next], [CalVer.BumpMicro]):
// those have no hotfix number. It returns a [*ValueError] when the hotfix
// number would pass the largest uint64.
func (c CalVer) NextHotfix() (CalVer, error) {
	if c.Hotfix == math.MaxUint64 {
		return CalVer{}, &ValueError{Op: fmt.Sprintf("next hotfix of %s", c), Reason: "version number overflows"}
	}
	c.Hotfix++
	return c, nil
}

// MarshalText implements [encoding.TextMarshaler] with [CalVer.String].
func (c CalVer) MarshalText() ([]byte, error) {
	return []byte(c.String()), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParseCalVer].
// On error c is left unchanged.
func (c *CalVer) UnmarshalText(text []byte) error {
	p, err := ParseCalVer(string(text))
	if err != nil {
		return err
	}
	*c = p
	return nil
}

// FormatCalVer returns the tag name of c under s, such as v2026.02.0.
func (s Scheme) FormatCalVer(c CalVer) string {
	return s.Prefix + c.String()
}

// ParseCalVer returns the calendar version of a tag named under s. A tag
// without the prefix returns a [*ValueError]; otherwise the
// rest of the tag is parsed with [ParseCalVer], and a [*ParseError] reports
// the whole tag as Input, with Pos counted from the start of the tag.
func (s Scheme) ParseCalVer(tag string) (CalVer, error) {
	rest, ok := strings.CutPrefix(tag, s.Prefix)
	if !ok {
		return CalVer{}, &ValueError{Op: fmt.Sprintf("parse tag %q with prefix %q", tag, s.Prefix), Reason: "tag does not match scheme"}
	}
	c, fail := scanCalVer(rest)
	if fail.kind != failNone {
		return CalVer{}, inTag(fail.parseError(rest), tag, len(s.Prefix))
	}
	return c, nil
}

// SelectCalVer returns the highest calendar version among tags that match s,
// with its tag, and whether there is one. Other tags are ignored. When
// several tags hold the highest version, the one with the smallest Name (then
// Commit) is returned. SelectCalVer does not keep tags.
func SelectCalVer(tags []Tag, s Scheme) (CalVer, Tag, bool) {
	var best CalVer
	var bestTag Tag
	found := false
	for _, t := range tags {
		rest, ok := strings.CutPrefix(t.Name, s.Prefix)
		if !ok {
			continue
		}
		c, fail := scanCalVer(rest)
		if fail.kind != failNone {
			continue
		}
		d := c.Compare(best)
		if !found || d > 0 || d == 0 && cmp.Or(strings.Compare(t.Name, bestTag.Name), strings.Compare(t.Commit, bestTag.Commit)) < 0 {
			best, bestTag, found = c, t, true
		}
	}
	return best, bestTag, found
}

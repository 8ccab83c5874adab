package semver

import (
	"fmt"
	"strconv"
	"strings"
)

// A Level is how far a change moves a version. Levels are ordered: None <
// Patch < Minor < Major. The zero Level is None.
type Level int

// The bump levels.
const (
	None  Level = iota // no release needed (docs, chore, ci, ...)
	Patch              // backward-compatible fix
	Minor              // backward-compatible feature
	Major              // breaking change
)

// String returns "none", "patch", "minor" or "major", or "Level(n)" for an
// unknown level.
func (l Level) String() string {
	switch l {
	case None:
		return "none"
	case Patch:
		return "patch"
	case Minor:
		return "minor"
	case Major:
		return "major"
	}
	return "Level(" + strconv.Itoa(int(l)) + ")"
}

func (l Level) valid() bool { return None <= l && l <= Major }

// ParseLevel returns the level named s ("none", "patch", "minor" or "major",
// in any case). Any other s returns a [*ValueError].
func ParseLevel(s string) (Level, error) {
	for l := None; l <= Major; l++ {
		if strings.EqualFold(s, l.String()) {
			return l, nil
		}
	}
	return None, &ValueError{Op: fmt.Sprintf("parse level %q", s), Reason: "invalid bump level"}
}

// MarshalText implements [encoding.TextMarshaler] with [Level.String]. An
// unknown level returns a [*ValueError].
func (l Level) MarshalText() ([]byte, error) {
	if !l.valid() {
		return nil, &ValueError{Op: fmt.Sprintf("marshal level %d", int(l)), Reason: "invalid bump level"}
	}
	return []byte(l.String()), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParseLevel]. On
// error l is left unchanged.
func (l *Level) UnmarshalText(text []byte) error {
	p, err := ParseLevel(string(text))
	if err != nil {
		return err
	}
	*l = p
	return nil
}

// A Change is what [Rules] need to know about one change, usually one
// Conventional Commit: its type ("feat", "fix", ...), its scope and whether it
// is breaking.
type Change struct {
	Type     string
	Scope    string
	Breaking bool
}

// A Rule maps the changes it matches to a bump level. Type and Scope match
// case-insensitively, and an empty Type or Scope matches any. A Rule with
// Breaking set matches only breaking changes; one without matches breaking
// and non-breaking changes alike.
type Rule struct {
	Type     string
	Scope    string
	Breaking bool
	Level    Level
}

func (r Rule) matches(c Change) bool {
	return (r.Type == "" || strings.EqualFold(r.Type, c.Type)) &&
		(r.Scope == "" || strings.EqualFold(r.Scope, c.Scope)) &&
		(!r.Breaking || c.Breaking)
}

// Rules decide the bump level of changes. The level of a change is the
// highest level among the rules that match it, or [None] when none does.
// Order does not matter. A nil Rules means [DefaultRules]; an empty non-nil
// Rules maps every change to None.
type Rules []Rule

// DefaultRules returns the rules of DESIGN.md: a breaking change is [Major],
// feat is [Minor], fix and perf are [Patch], anything else is [None]. The
// 0.x rule is not a rule but a mode of [Next]. Each call returns a new slice
// that the caller may change.
func DefaultRules() Rules {
	return Rules{
		{Breaking: true, Level: Major},
		{Type: "feat", Level: Minor},
		{Type: "fix", Level: Patch},
		{Type: "perf", Level: Patch},
	}
}

// Level returns the bump level of c: the highest level among the rules that
// match it.
func (r Rules) Level(c Change) Level {
	if r == nil {
		r = DefaultRules()
	}
	level := None
	for _, rule := range r {
		if rule.Level > level && rule.matches(c) {
			level = rule.Level
		}
	}
	return level
}

// Max returns the highest bump level over changes, or [None] for no changes.
func (r Rules) Max(changes []Change) Level {
	if r == nil {
		r = DefaultRules()
	}
	level := None
	for _, c := range changes {
		level = max(level, r.Level(c))
		if level == Major {
			break
		}
	}
	return level
}

// A Channel is a pre-release channel. Channels are ordered: alpha < beta <
// rc. The empty Channel means a stable release.
type Channel string

// The pre-release channels, in order.
const (
	Alpha Channel = "alpha"
	Beta  Channel = "beta"
	RC    Channel = "rc"
)

// ParseChannel returns the channel named s ("alpha", "beta" or "rc", in any
// case, or "" for stable). Any other s returns a [*ValueError].
func ParseChannel(s string) (Channel, error) {
	if s == "" {
		return "", nil
	}
	c := Channel(strings.ToLower(s))
	if c.rank() == 0 {
		return "", &ValueError{Op: fmt.Sprintf("parse channel %q", s), Reason: "invalid pre-release channel"}
	}
	return c, nil
}

// rank orders the known channels from 1; it is 0 for stable and for unknown
// names.
func (c Channel) rank() int {
	switch c {
	case Alpha:
		return 1
	case Beta:
		return 2
	case RC:
		return 3
	}
	return 0
}

package semver

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// An Option changes how [Next] computes a version.
type Option func(*options)

type options struct {
	initial     Version
	channel     Channel
	preStart    uint64
	releaseAs   Version
	hasRelAs    bool
	line        Line
	hasLine     bool
	majorAtZero bool
}

// WithInitial sets the version of the first release, used when there is no
// previous release. The default is 0.1.0.
func WithInitial(v Version) Option {
	return func(o *options) { o.initial = v }
}

// WithChannel asks for a pre-release on channel c ([Alpha], [Beta] or [RC]).
// The empty channel, the default, asks for a stable release. [Next] returns
// a [*ValueError] for any other value.
func WithChannel(c Channel) Option {
	return func(o *options) { o.channel = c }
}

// WithPreStart sets the number of the first pre-release of a line: with the
// default 1 the first release candidate is -rc.1; some teams use 0.
func WithPreStart(n uint64) Option {
	return func(o *options) { o.preStart = n }
}

// WithReleaseAs sets the next version explicitly, as a Release-As footer
// does. It is the way out of 0.x in the default pre-major mode. With a
// channel, v's core is the core of the pre-release. The result must be
// greater than the previous release ([ErrNotIncreasing]).
func WithReleaseAs(v Version) Option {
	return func(o *options) { o.releaseAs, o.hasRelAs = v, true }
}

// WithLine restricts the release to a patch line, as on a release/X.Y or
// hotfix branch (policy §1.15.3.2). See [Next] and [LineFromBranch].
func WithLine(l Line) Option {
	return func(o *options) { o.line, o.hasLine = l, true }
}

// WithMajorAtZero opts out of the default pre-major mode: a breaking change
// bumps the major version even while it is 0, so 0.4.2 goes to 1.0.0.
func WithMajorAtZero() Option {
	return func(o *options) { o.majorAtZero = true }
}

// A Line is a patch line MAJOR.MINOR: the releases of a release/X.Y or
// hotfix branch, on which only the patch number may move.
type Line struct {
	Major, Minor uint64
}

// String returns "MAJOR.MINOR".
func (l Line) String() string {
	return strconv.FormatUint(l.Major, 10) + "." + strconv.FormatUint(l.Minor, 10)
}

// Contains reports whether v is on line l (has the same major and minor).
func (l Line) Contains(v Version) bool {
	return v.major == l.Major && v.minor == l.Minor
}

// below reports whether v is on an earlier line than l.
func (l Line) below(v Version) bool {
	return v.major < l.Major || v.major == l.Major && v.minor < l.Minor
}

// LineFromBranch returns the patch line of a release or hotfix branch, with
// or without "refs/heads/": release/<major>.<minor> (policy §1.10.3.3) such as
// release/1.4, and hotfix/<major>.<minor>.<patch>-<ticket> (policy
// §1.10.3.4) such as hotfix/1.8.3-PROJ-8821, which is on line 1.8. The
// ticket may be left out. Numbers follow the rules of [Parse]. Any other
// branch returns false.
func LineFromBranch(branch string) (Line, bool) {
	branch = strings.TrimPrefix(branch, "refs/heads/")
	if rest, ok := strings.CutPrefix(branch, "release/"); ok {
		if l, i, ok := scanLine(rest); ok && i == len(rest) {
			return l, true
		}
		return Line{}, false
	}
	if rest, ok := strings.CutPrefix(branch, "hotfix/"); ok {
		l, i, ok := scanLine(rest)
		if !ok {
			return Line{}, false
		}
		i, fail := expectDot(rest, i, sectionMinor)
		if fail.kind != failNone {
			return Line{}, false
		}
		if _, i, fail = scanNumber(rest, i, sectionPatch); fail.kind != failNone {
			return Line{}, false
		}
		switch {
		case i == len(rest):
			return l, true
		case rest[i] == '-' && i+1 < len(rest):
			return l, true
		}
	}
	return Line{}, false
}

// scanLine reads MAJOR.MINOR at the start of s.
func scanLine(s string) (Line, int, bool) {
	var l Line
	var fail scanFail
	i := 0
	if l.Major, i, fail = scanNumber(s, i, sectionMajor); fail.kind != failNone {
		return Line{}, i, false
	}
	if i, fail = expectDot(s, i, sectionMajor); fail.kind != failNone {
		return Line{}, i, false
	}
	if l.Minor, i, fail = scanNumber(s, i, sectionMinor); fail.kind != failNone {
		return Line{}, i, false
	}
	return l, i, true
}

// Next returns the version of the next release after prev, given level, the
// highest bump level of the changes since prev.Stable (see [Rules.Max]).
//
// Without a previous release (prev.HasLatest false) the result is the
// initial version, 0.1.0 unless [WithInitial] says otherwise, whatever the
// level; with a channel it is initial-<channel>.<start>, with [WithReleaseAs]
// it is that version, and with [WithLine] it is the first release of the
// line.
//
// A stable release ([WithChannel] absent or "") bumps prev.Stable by level:
// 1.2.3 + feat is 1.3.0. When prev.Latest is a pre-release above
// prev.Stable, its core is taken when it is higher than that bump; this is
// graduation, 1.3.0-rc.3 → 1.3.0, and it is releasable even with level
// [None]. When only pre-releases exist, the result is the core of the
// latest one. Level None with no pending pre-release returns
// [ErrNoRelease].
//
// Pre-major mode, the default: while the major version of prev.Stable is
// 0, [Major] counts as [Minor], so a breaking change takes 0.4.2 to 0.5.0.
// Leaving 0.x is a deliberate act: [WithReleaseAs] 1.0.0, or
// [WithMajorAtZero] to let breaking changes bump the major at 0.x too.
//
// A pre-release on channel c ([WithChannel]) is for the core a stable release
// would get. When prev.Latest is a pre-release of that same core:
//   - on channel c, the number goes up: 1.3.0-rc.1 → 1.3.0-rc.2 (level None
//     then returns ErrNoRelease: that pre-release exists already);
//   - on an earlier channel, c starts: 1.3.0-beta.3 → 1.3.0-rc.1;
//   - on a later channel, [ErrChannelRegression]: no beta after rc;
//   - with other identifiers (1.3.0-SNAPSHOT), c starts.
//
// A higher core starts a new line at c.<start>: 1.3.0-rc.2 + breaking is
// 2.0.0-rc.1. Numbering starts at 1 unless [WithPreStart] says otherwise.
//
// On a patch line ([WithLine], policy §1.15.3.2): when prev.Stable is on the
// line, level Patch gives the next patch, level None [ErrNoRelease] (unless a
// pre-release waits), and a higher level a [*LineError]; when prev.Stable is
// below the line or absent, the result is the line's first release
// MAJOR.MINOR.0 whatever the level; when it is above the line, a
// *LineError. A Release-As version off the line returns an error matching
// [ErrNotPatch].
//
// [WithReleaseAs] sets the version, or the core of the pre-release when a
// channel is set, whatever the level. Build metadata never affects the
// result but a Release-As version keeps its own.
//
// Whatever the path, the result is greater than prev.Latest, or Next returns
// [ErrNotIncreasing]. Next also returns a [*ValueError] for unknown levels
// and channels and when a number would pass the largest uint64.
func Next(prev Previous, level Level, opts ...Option) (Version, error) {
	o := options{initial: New(0, 1, 0), preStart: 1}
	for _, opt := range opts {
		opt(&o)
	}
	if !level.valid() {
		return Version{}, &ValueError{Op: fmt.Sprintf("next version: level %d", int(level)), Reason: "invalid bump level"}
	}
	if o.channel != "" && o.channel.rank() == 0 {
		return Version{}, &ValueError{Op: fmt.Sprintf("next version: channel %q", o.channel), Reason: "invalid pre-release channel"}
	}

	// Mend a Previous built by hand: Latest is the higher of the two, and a
	// stable Latest is also the stable release.
	if prev.HasStable && (!prev.HasLatest || Compare(prev.Stable.Version, prev.Latest.Version) > 0) {
		prev.Latest, prev.HasLatest = prev.Stable, true
	}
	if prev.HasLatest && !prev.Latest.Version.IsPrerelease() &&
		(!prev.HasStable || Compare(prev.Latest.Version, prev.Stable.Version) > 0) {
		prev.Stable, prev.HasStable = prev.Latest, true
	}

	next, err := nextCore(prev, level, &o)
	if err != nil {
		return Version{}, err
	}
	if o.channel != "" {
		if next, err = onChannel(next.Core(), prev, level, &o); err != nil {
			return Version{}, err
		}
	}
	if latest := prev.Latest.Version; prev.HasLatest && Compare(next, latest) <= 0 {
		return Version{}, fmt.Errorf("next version %s after %s: %w", next, latest, ErrNotIncreasing)
	}
	return next, nil
}

// nextCore returns the stable version the next release is for: the version
// itself for a stable release, its core for a pre-release.
func nextCore(prev Previous, level Level, o *options) (Version, error) {
	latest, hasLatest := prev.Latest.Version, prev.HasLatest
	stable, hasStable := prev.Stable.Version.Core(), prev.HasStable

	// The core of a pre-release above the last stable release (and on the
	// line, if any), waiting to graduate.
	pending := latest.Core()
	hasPending := hasLatest && latest.IsPrerelease() &&
		(!hasStable || Compare(pending, stable) > 0) &&
		(!o.hasLine || o.line.Contains(pending))

	if o.hasLine && hasStable && !o.line.below(stable) {
		if !o.line.Contains(stable) || level > Patch {
			return Version{}, &LineError{Line: o.line, Level: level, Previous: prev.Stable.Version}
		}
	}
	if o.hasRelAs {
		if o.hasLine && !o.line.Contains(o.releaseAs) {
			return Version{}, fmt.Errorf("release-as %s is not on line %s: %w", o.releaseAs, o.line, ErrNotPatch)
		}
		return o.releaseAs, nil
	}
	if o.hasLine && (!hasStable || o.line.below(stable)) {
		first := New(o.line.Major, o.line.Minor, 0)
		if hasPending && Compare(pending, first) > 0 {
			return pending, nil
		}
		return first, nil
	}
	if !hasLatest {
		return o.initial, nil
	}
	if !hasStable {
		return pending, nil
	}

	if level == Major && stable.major == 0 && !o.majorAtZero {
		level = Minor
	}
	next, err := stable.Bump(level)
	if err != nil {
		return Version{}, fmt.Errorf("next version: %w", err)
	}
	if hasPending && Compare(pending, next) > 0 {
		next = pending
	}
	if next == stable {
		return Version{}, fmt.Errorf("next version after %s: no change to release: %w", prev.Stable.Version, ErrNoRelease)
	}
	return next, nil
}

// onChannel returns the pre-release of core on channel o.channel.
func onChannel(core Version, prev Previous, level Level, o *options) (Version, error) {
	c, n := o.channel, o.preStart
	if latest := prev.Latest.Version; prev.HasLatest && latest.IsPrerelease() && latest.Core() == core {
		name, num, _ := strings.Cut(latest.pre, ".")
		switch have := Channel(name); {
		case have.rank() == 0:
			// Unknown identifiers: any channel may follow.
		case have.rank() > c.rank():
			return Version{}, fmt.Errorf("next version after %s: %s after %s: %w", latest, c, have, ErrChannelRegression)
		case have == c:
			if level == None && !o.hasRelAs {
				return Version{}, fmt.Errorf("next version after %s: no change since the last %s: %w", latest, c, ErrNoRelease)
			}
			if num != "" && isNumeric(num) {
				last, err := strconv.ParseUint(num, 10, 64)
				if err != nil || last == math.MaxUint64 {
					return Version{}, &ValueError{Op: fmt.Sprintf("next %s after %s", c, latest), Reason: "version number overflows"}
				}
				n = last + 1
			}
		}
	}
	core.pre = string(c) + "." + strconv.FormatUint(n, 10)
	return core, nil
}

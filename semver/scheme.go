package semver

import (
	"fmt"
	"slices"
	"strings"
)

// A Scheme names release tags: a tag is Prefix followed by a version.
//
//	Scheme{Prefix: "v"}      v1.2.3      (policy §1.12.3.3)
//	Scheme{Prefix: "api/v"}  api/v1.2.3  (Go-module style, see [ComponentScheme])
//	Scheme{Prefix: "api-v"}  api-v1.2.3
//	Scheme{}                 1.2.3
//
// The prefix is explicit configuration: nothing is guessed, so under
// Scheme{Prefix: "v"} the tag 1.2.3 does not match, and under Scheme{} the
// tag v1.2.3 is not a version. Tags are short names: strip "refs/tags/"
// before calling.
type Scheme struct {
	Prefix string
}

// ComponentScheme returns the scheme of a monorepo component: component +
// sep + "v". ComponentScheme("api", "/") is api/v1.2.3 (the Go module
// layout), ComponentScheme("api", "-") is api-v1.2.3. An empty component
// gives Scheme{Prefix: "v"}, whatever sep.
func ComponentScheme(component, sep string) Scheme {
	if component == "" {
		return Scheme{Prefix: "v"}
	}
	return Scheme{Prefix: component + sep + "v"}
}

// Format returns the tag name of v under s.
func (s Scheme) Format(v Version) string {
	return s.Prefix + v.String()
}

// Parse returns the version of a tag named under s. A tag without the prefix
// returns a [*ValueError]; otherwise the rest of the tag is
// parsed with [Parse], and a [*ParseError] reports the whole tag as Input,
// with Pos counted from the start of the tag.
func (s Scheme) Parse(tag string) (Version, error) {
	rest, ok := strings.CutPrefix(tag, s.Prefix)
	if !ok {
		return Version{}, &ValueError{Op: fmt.Sprintf("parse tag %q with prefix %q", tag, s.Prefix), Reason: "tag does not match scheme"}
	}
	v, fail := scan(rest)
	if fail.kind != failNone {
		return Version{}, inTag(fail.parseError(rest), tag, len(s.Prefix))
	}
	return v, nil
}

// inTag rewrites e, found in the part of tag after its prefix of length off,
// to point into tag.
func inTag(e *ParseError, tag string, off int) *ParseError {
	e.Input = tag
	e.Pos += off
	return e
}

// A Tag is a git tag as [Select] needs it.
type Tag struct {
	// Name is the short tag name, such as v1.2.3 (without refs/tags/).
	Name string
	// Commit is the id of the commit the tag points to, after peeling an
	// annotated tag. It is opaque here: two tags are on the same commit when
	// their Commit strings are equal.
	Commit string
}

// A Release is a tag that names a version.
type Release struct {
	Tag     string
	Version Version
	Commit  string
}

// Previous describes the releases a new version follows, as chosen by
// [Select]. The zero Previous means there is no release yet.
type Previous struct {
	// Latest is the matching tag of highest precedence, pre-releases
	// included; HasLatest reports whether there is one.
	Latest    Release
	HasLatest bool
	// Stable is the matching tag of highest precedence without pre-release;
	// HasStable reports whether there is one.
	Stable    Release
	HasStable bool
}

// Select chooses the previous releases among tags, usually the tags reachable
// from the commit being released. Tags that do not match s or do not hold a
// valid version (latest, v1.2, release-2020) are ignored, so no tags, or no
// matching tags, give the zero Previous and no error.
//
// When a pre-release and its final release tag the same commit, the final
// one is chosen: it has higher precedence. When the chosen Latest or Stable
// has the same precedence as another matching tag on a different commit
// (v1.2.3 and v1.2.3+build), Select returns an [*AmbiguousError] matching
// [ErrAmbiguousVersion]. Tags of equal precedence on the same commit are
// fine: the lexically smallest name is chosen.
//
// Select does not keep tags. It runs in linear time and allocates only
// while the highest precedence is shared by several tags.
func Select(tags []Tag, s Scheme) (Previous, error) {
	var latest, stable candidates
	for _, t := range tags {
		rest, ok := strings.CutPrefix(t.Name, s.Prefix)
		if !ok {
			continue
		}
		v, fail := scan(rest)
		if fail.kind != failNone {
			continue
		}
		r := Release{Tag: t.Name, Version: v, Commit: t.Commit}
		latest.offer(r)
		if !v.IsPrerelease() {
			stable.offer(r)
		}
	}
	var p Previous
	var err error
	if p.Latest, p.HasLatest, err = latest.pick(); err != nil {
		return Previous{}, err
	}
	if p.Stable, p.HasStable, err = stable.pick(); err != nil {
		return Previous{}, err
	}
	return p, nil
}

// candidates keeps the releases of highest precedence seen so far.
type candidates struct {
	top   Release   // the first one seen
	more  []Release // others of the same precedence
	found bool
}

func (c *candidates) offer(r Release) {
	if c.found {
		switch d := Compare(r.Version, c.top.Version); {
		case d < 0:
			return
		case d == 0:
			c.more = append(c.more, r)
			return
		}
	}
	c.top, c.more, c.found = r, c.more[:0], true
}

// pick returns the chosen release, or an *AmbiguousError when releases of
// the top precedence are on different commits.
func (c *candidates) pick() (Release, bool, error) {
	if !c.found {
		return Release{}, false, nil
	}
	best, ambiguous := c.top, false
	for _, r := range c.more {
		ambiguous = ambiguous || r.Commit != c.top.Commit
		if r.Tag < best.Tag {
			best = r
		}
	}
	if ambiguous {
		names := make([]string, 0, 1+len(c.more))
		names = append(names, c.top.Tag)
		for _, r := range c.more {
			names = append(names, r.Tag)
		}
		slices.Sort(names)
		return Release{}, false, &AmbiguousError{Version: best.Version, Tags: slices.Compact(names)}
	}
	return best, true, nil
}

package semver_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/releasekit/releasekit/semver"
)

// A release job: choose the previous release among the tags reachable from
// the commit, compute the bump level of the changes since, and name the next
// tag.
func Example() {
	scheme := semver.Scheme{Prefix: "v"}
	tags := []semver.Tag{
		{Name: "v1.2.0", Commit: "a1"},
		{Name: "v1.3.0-rc.1", Commit: "b2"},
		{Name: "latest", Commit: "b2"},
	}
	prev, err := semver.Select(tags, scheme)
	if err != nil {
		fmt.Println(err)
		return
	}
	level := semver.DefaultRules().Max([]semver.Change{
		{Type: "fix", Scope: "api"},
		{Type: "docs"},
	})

	rc, err := semver.Next(prev, level, semver.WithChannel(semver.RC))
	if err != nil {
		fmt.Println(err)
		return
	}
	final, err := semver.Next(prev, level)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("previous:", prev.Latest.Tag, "stable:", prev.Stable.Tag)
	fmt.Println("level:", level)
	fmt.Println("next rc:", scheme.Format(rc))
	fmt.Println("graduation:", scheme.Format(final))
	// Output:
	// previous: v1.3.0-rc.1 stable: v1.2.0
	// level: patch
	// next rc: v1.3.0-rc.2
	// graduation: v1.3.0
}

func ExampleParse() {
	v, err := semver.Parse("1.4.2-rc.1+build.7")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v.Major(), v.Minor(), v.Patch(), v.Prerelease(), v.Build())

	_, err = semver.Parse("1.04.2")
	fmt.Println(err)
	var pe *semver.ParseError
	fmt.Println(errors.As(err, &pe) && strings.HasSuffix(pe.Reason, "number has a leading zero"), errors.Is(err, semver.ErrInvalidVersion))

	if _, err := semver.Parse("v1.4.2"); errors.As(err, &pe) {
		fmt.Println("bad byte at", pe.Pos)
	}
	// Output:
	// 1 4 2 rc.1 build.7
	// semver: invalid version "1.04.2" at byte 2: minor: number has a leading zero
	// true true
	// bad byte at 0
}

func ExampleCompare() {
	vs := []semver.Version{
		semver.MustParse("1.0.0"),
		semver.MustParse("1.0.0-rc.1"),
		semver.MustParse("1.0.0-beta.11"),
		semver.MustParse("1.0.0-alpha"),
		semver.MustParse("1.0.0-beta.2"),
		semver.MustParse("1.0.0-alpha.1"),
	}
	slices.SortFunc(vs, semver.Compare)
	fmt.Println(vs)

	a, b := semver.MustParse("1.0.0+a"), semver.MustParse("1.0.0+b")
	fmt.Println(semver.Compare(a, b), a.Equal(b))
	// Output:
	// [1.0.0-alpha 1.0.0-alpha.1 1.0.0-beta.2 1.0.0-beta.11 1.0.0-rc.1 1.0.0]
	// 0 false
}

func ExampleVersion_Bump() {
	for _, in := range []string{"1.2.3", "1.0.0-rc.1", "1.3.1-rc.1"} {
		v := semver.MustParse(in)
		patch, _ := v.Bump(semver.Patch)
		minor, _ := v.Bump(semver.Minor)
		major, _ := v.Bump(semver.Major)
		fmt.Println(in, "→", patch, minor, major)
	}
	_, err := semver.MustParse("18446744073709551615.0.0").Bump(semver.Major)
	var ve *semver.ValueError
	fmt.Println(errors.As(err, &ve) && ve.Reason == "version number overflows")
	// Output:
	// 1.2.3 → 1.2.4 1.3.0 2.0.0
	// 1.0.0-rc.1 → 1.0.0 1.0.0 1.0.0
	// 1.3.1-rc.1 → 1.3.1 1.4.0 2.0.0
	// true
}

func ExampleComponentScheme() {
	for _, s := range []semver.Scheme{
		semver.ComponentScheme("api", "/"),
		semver.ComponentScheme("api", "-"),
		semver.ComponentScheme("", "/"),
	} {
		fmt.Println(s.Format(semver.New(1, 2, 3)))
	}
	_, err := semver.ComponentScheme("api", "/").Parse("web/v1.2.3")
	var ve *semver.ValueError
	fmt.Println(errors.As(err, &ve) && ve.Reason == "tag does not match scheme")
	// Output:
	// api/v1.2.3
	// api-v1.2.3
	// v1.2.3
	// true
}

func ExampleSelect() {
	tags := []semver.Tag{
		{Name: "v1.3.0-rc.3", Commit: "c3"},
		{Name: "v1.3.0", Commit: "c3"}, // the final release wins on the same commit
		{Name: "v1.2", Commit: "c1"},   // not a version: ignored
		{Name: "release-2020", Commit: "c0"},
	}
	prev, err := semver.Select(tags, semver.Scheme{Prefix: "v"})
	fmt.Println(prev.Latest.Tag, prev.HasStable, err)

	_, err = semver.Select([]semver.Tag{
		{Name: "v1.2.3", Commit: "aaa"},
		{Name: "v1.2.3+rebuild", Commit: "bbb"},
	}, semver.Scheme{Prefix: "v"})
	fmt.Println(err)

	prev, _ = semver.Select(nil, semver.Scheme{Prefix: "v"})
	first, _ := semver.Next(prev, semver.Major)
	fmt.Println("first release:", first)
	// Output:
	// v1.3.0 true <nil>
	// semver: version 1.2.3 is tagged on different commits: v1.2.3, v1.2.3+rebuild
	// first release: 0.1.0
}

// Pre-major mode: breaking changes move 0.x by a minor until a Release-As
// leaves 0.x on purpose.
func ExampleNext_preMajor() {
	prev := semver.Previous{
		Latest: semver.Release{Tag: "v0.4.2", Version: semver.MustParse("0.4.2")}, HasLatest: true,
		Stable: semver.Release{Tag: "v0.4.2", Version: semver.MustParse("0.4.2")}, HasStable: true,
	}
	v, _ := semver.Next(prev, semver.Major)
	fmt.Println(v)
	v, _ = semver.Next(prev, semver.Major, semver.WithReleaseAs(semver.New(1, 0, 0)))
	fmt.Println(v)
	v, _ = semver.Next(prev, semver.Major, semver.WithMajorAtZero())
	fmt.Println(v)
	// Output:
	// 0.5.0
	// 1.0.0
	// 1.0.0
}

// Pre-release channels: numbers go up on a channel, a later channel keeps
// the core, an earlier one is refused.
func ExampleNext_channels() {
	prev := semver.Previous{
		Latest: semver.Release{Tag: "v1.3.0-beta.3", Version: semver.MustParse("1.3.0-beta.3")}, HasLatest: true,
		Stable: semver.Release{Tag: "v1.2.0", Version: semver.MustParse("1.2.0")}, HasStable: true,
	}
	for _, c := range []semver.Channel{semver.Beta, semver.RC, semver.Alpha} {
		v, err := semver.Next(prev, semver.Patch, semver.WithChannel(c))
		if err != nil {
			fmt.Println(c, "→", err)
			continue
		}
		fmt.Println(c, "→", v)
	}
	v, _ := semver.Next(prev, semver.Major, semver.WithChannel(semver.RC))
	fmt.Println("breaking:", v)
	// Output:
	// beta → 1.3.0-beta.4
	// rc → 1.3.0-rc.1
	// alpha → next version after 1.3.0-beta.3: alpha after beta: semver: pre-release channel goes backwards
	// breaking: 2.0.0-rc.1
}

// Patch lines (policy §1.15.3.2): on release/X.Y only PATCH may move.
func ExampleLineFromBranch() {
	line, ok := semver.LineFromBranch("refs/heads/release/1.4")
	fmt.Println(line, ok)

	prev := semver.Previous{
		Latest: semver.Release{Tag: "v1.4.2", Version: semver.MustParse("1.4.2")}, HasLatest: true,
		Stable: semver.Release{Tag: "v1.4.2", Version: semver.MustParse("1.4.2")}, HasStable: true,
	}
	v, _ := semver.Next(prev, semver.Patch, semver.WithLine(line))
	fmt.Println(v)

	_, err := semver.Next(prev, semver.Minor, semver.WithLine(line))
	var le *semver.LineError
	fmt.Println(errors.As(err, &le), errors.Is(err, semver.ErrNotPatch))
	fmt.Println(err)

	line, ok = semver.LineFromBranch("hotfix/1.8.3-PROJ-8821")
	fmt.Println(line, ok)
	// Output:
	// 1.4 true
	// 1.4.3
	// true true
	// semver: line 1.4 takes only patch releases, got a minor change after 1.4.2
	// 1.8 true
}

// A monthly release train (policy §1.12.5). Next takes the time as a
// parameter, so the result is deterministic.
func ExampleCalVer_Next() {
	scheme := semver.Scheme{Prefix: "v"}
	latest, tag, ok := semver.SelectCalVer([]semver.Tag{
		{Name: "v2026.01.0", Commit: "a"},
		{Name: "v2026.02.0", Commit: "b"},
		{Name: "v1.2.3", Commit: "c"},
	}, scheme)
	fmt.Println(latest, tag.Name, ok)

	feb := time.Date(2026, time.February, 20, 12, 0, 0, 0, time.UTC)
	mar := time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)
	next, _ := latest.Next(feb)
	fmt.Println(scheme.FormatCalVer(next))
	next, _ = latest.Next(mar)
	fmt.Println(scheme.FormatCalVer(next))
	hotfix, _ := latest.NextHotfix() // a hotfix never takes the next train release's tag
	fmt.Println(scheme.FormatCalVer(hotfix))
	// Output:
	// 2026.02.0 v2026.02.0 true
	// v2026.02.1
	// v2026.03.0
	// v2026.02.0.1
}

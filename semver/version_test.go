package semver_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/semver"
)

// validVersions are accepted by Parse and round-trip through String. They
// come from the semver.org regex test vectors (regex101.com/r/vkijKf/1), the
// golang.org/x/mod/semver table (without its "v") and RELIABILITY.md.
var validVersions = []string{
	"0.0.4",
	"1.2.3",
	"10.20.30",
	"1.1.2-prerelease+meta",
	"1.1.2+meta",
	"1.1.2+meta-valid",
	"1.0.0-alpha",
	"1.0.0-beta",
	"1.0.0-alpha.beta",
	"1.0.0-alpha.beta.1",
	"1.0.0-alpha.1",
	"1.0.0-alpha0.valid",
	"1.0.0-alpha.0valid",
	"1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay",
	"1.0.0-rc.1+build.1",
	"2.0.0-rc.1+build.123",
	"1.2.3-beta",
	"10.2.3-DEV-SNAPSHOT",
	"1.2.3-SNAPSHOT-123",
	"1.0.0",
	"2.0.0",
	"1.1.7",
	"2.0.0+build.1848",
	"2.0.1-alpha.1227",
	"1.0.0-alpha+beta",
	"1.2.3----RC-SNAPSHOT.12.9.1--.12+788",
	"1.2.3----R-S.12.9.1--.12+meta",
	"1.2.3----RC-SNAPSHOT.12.9.1--.12",
	"1.0.0+0.build.1-rc.10000aaa-kk-0.1",
	"1.0.0-0A.is.legal",
	"1.0.0-0",
	"1.0.0-0A",
	"1.0.0+01",     // build identifiers may have leading zeros
	"1.0.0-a+0.00", // so may build identifiers after a pre-release
	"1.2.3-456",
	"1.2.3-456.789",
	"1.2.3-456-789",
	"1.2.3-456a",
	"1.2.3-pre+meta",
	"1.2.3+meta-pre.sha.256a",
	"1.0.0-99999999999999999999999", // numeric pre-release identifiers have no size limit
	"18446744073709551615.18446744073709551615.18446744073709551615",
	"1.0.0-" + strings.Repeat("a", semver.MaxLength-6), // exactly MaxLength bytes
}

// invalidVersions are rejected by Parse with the given specific sentinel at
// the given byte.
var invalidVersions = []struct {
	in  string
	err error
	pos int
}{
	// golang.org/x/mod/semver: shorthands are not SemVer 2.0.0, and the
	// "v" is a tag prefix.
	{"bad", semver.ErrInvalidVersion, 0},
	{"v1-pre", semver.ErrInvalidVersion, 0},
	{"v1+meta", semver.ErrInvalidVersion, 0},
	{"v1.2-pre", semver.ErrInvalidVersion, 0},
	{"v1.2+meta", semver.ErrInvalidVersion, 0},
	{"1-pre", semver.ErrInvalidVersion, 1},
	{"1+meta", semver.ErrInvalidVersion, 1},
	{"1.2-pre", semver.ErrInvalidVersion, 3},
	{"1.2+meta", semver.ErrInvalidVersion, 3},
	{"v1.0.0", semver.ErrInvalidVersion, 0},
	{"1.19", semver.ErrInvalidVersion, 4},

	// semver.org regex test vectors.
	{"1", semver.ErrInvalidVersion, 1},
	{"1.2", semver.ErrInvalidVersion, 3},
	{"1.2.3-0123", leadingZero, 6},
	{"1.2.3-0123.0123", leadingZero, 6},
	{"1.1.2+.123", semver.ErrInvalidVersion, 6},
	{"+invalid", semver.ErrInvalidVersion, 0},
	{"-invalid", semver.ErrInvalidVersion, 0},
	{"-invalid+invalid", semver.ErrInvalidVersion, 0},
	{"-invalid.01", semver.ErrInvalidVersion, 0},
	{"alpha", semver.ErrInvalidVersion, 0},
	{"alpha.beta", semver.ErrInvalidVersion, 0},
	{"alpha.beta.1", semver.ErrInvalidVersion, 0},
	{"alpha.1", semver.ErrInvalidVersion, 0},
	{"alpha+beta", semver.ErrInvalidVersion, 0},
	{"alpha_beta", semver.ErrInvalidVersion, 0},
	{"alpha.", semver.ErrInvalidVersion, 0},
	{"alpha..", semver.ErrInvalidVersion, 0},
	{"beta", semver.ErrInvalidVersion, 0},
	{"1.0.0-alpha_beta", semver.ErrInvalidVersion, 11},
	{"-alpha.", semver.ErrInvalidVersion, 0},
	{"1.0.0-alpha..", semver.ErrInvalidVersion, 12},
	{"1.0.0-alpha..1", semver.ErrInvalidVersion, 12},
	{"1.0.0-alpha...1", semver.ErrInvalidVersion, 12},
	{"1.0.0-alpha....1", semver.ErrInvalidVersion, 12},
	{"1.0.0-alpha.....1", semver.ErrInvalidVersion, 12},
	{"1.0.0-alpha......1", semver.ErrInvalidVersion, 12},
	{"1.0.0-alpha.......1", semver.ErrInvalidVersion, 12},
	{"01.1.1", leadingZero, 0},
	{"1.01.1", leadingZero, 2},
	{"1.1.01", leadingZero, 4},
	{"1.2.3.DEV", semver.ErrInvalidVersion, 5},
	{"1.2-SNAPSHOT", semver.ErrInvalidVersion, 3},
	{"1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788", semver.ErrInvalidVersion, 6},
	{"1.2-RC-SNAPSHOT", semver.ErrInvalidVersion, 3},
	{"-1.0.3-gamma+b7718", semver.ErrInvalidVersion, 0},
	{"+justmeta", semver.ErrInvalidVersion, 0},
	{"9.8.7+meta+meta", semver.ErrInvalidVersion, 10},
	{"9.8.7-whatever+meta+meta", semver.ErrInvalidVersion, 19},
	{"99999999999999999999999.999999999999999999.99999999999999999----RC-SNAPSHOT.12.09.1--------------------------------..12", numberOverflow, 0},

	// RELIABILITY.md semver rows 1-3, 6, 7.
	{"1.0.0-alpha.01", leadingZero, 12},
	{"00.0.0", leadingZero, 0},
	{"00000000000000000000001.0.0", leadingZero, 0},
	{"99999999999999999999999.0.0", numberOverflow, 0},
	{"99999999999999999999999.999999999999999999.99999999999999999", numberOverflow, 0},
	{"18446744073709551616.0.0", numberOverflow, 0},
	{"1.18446744073709551616.0", numberOverflow, 2},
	{"1.0.18446744073709551616", numberOverflow, 4},
	{" 1.2.3", semver.ErrInvalidVersion, 0},
	{"1.2.3 ", semver.ErrInvalidVersion, 5},
	{"1.2.3\n", semver.ErrInvalidVersion, 5},
	{"1.2.3-rc.1\n", semver.ErrInvalidVersion, 10},
	{"1.2.3+b\n", semver.ErrInvalidVersion, 7},
	{"\x00", semver.ErrInvalidVersion, 0},
	{"1.2.3\x00", semver.ErrInvalidVersion, 5},
	{"v1.2.3", semver.ErrInvalidVersion, 0},
	{"V1.2.3", semver.ErrInvalidVersion, 0},
	{strings.Repeat("1", semver.MaxLength+1), tooLong, semver.MaxLength},
	{"1.0.0-" + strings.Repeat("a", semver.MaxLength-5), tooLong, semver.MaxLength},
	{strings.Repeat(".", 1<<20), tooLong, semver.MaxLength},

	// Edges of the grammar.
	{"", semver.ErrInvalidVersion, 0},
	{"1.2.3-", semver.ErrInvalidVersion, 6},
	{"1.2.3+", semver.ErrInvalidVersion, 6},
	{"1.2.3-+b", semver.ErrInvalidVersion, 6},
	{"1.2.3-a.", semver.ErrInvalidVersion, 8},
	{"1.2.3-a+b.", semver.ErrInvalidVersion, 10},
	{"1.2.3-ä", semver.ErrInvalidVersion, 6},
	{"1.2.3+ä", semver.ErrInvalidVersion, 6},
	{"1..3", semver.ErrInvalidVersion, 2},
	{"1.2.", semver.ErrInvalidVersion, 4},
	{"1.2.-3", semver.ErrInvalidVersion, 4},
	{"1.2.3-a-+", semver.ErrInvalidVersion, 9},
	{"１.2.3", semver.ErrInvalidVersion, 0}, // full-width digit
}

func TestParseValid(t *testing.T) {
	for _, in := range validVersions {
		t.Run(in, func(t *testing.T) {
			v, err := semver.Parse(in)
			require.NoError(t, err)
			assert.Equal(t, in, v.String(), "String round trip")
			assert.Equal(t, v, semver.MustParse(v.String()), "Parse(String) round trip")
			assert.Zero(t, semver.Compare(v, v))
		})
	}
}

func TestParseInvalid(t *testing.T) {
	for _, tt := range invalidVersions {
		name := tt.in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			v, err := semver.Parse(tt.in)
			require.Error(t, err)
			assert.Equal(t, semver.Version{}, v)
			assert.ErrorIs(t, err, semver.ErrInvalidVersion)
			assertMatches(t, err, tt.err)

			var pe *semver.ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.in, pe.Input)
			assert.Equal(t, tt.pos, pe.Pos, "position of the offending byte")
			assert.Equal(t, tt.err, specificProblem(err), "the specific problem, or none")
			assert.NotEmpty(t, pe.Reason)
			assert.True(t, strings.HasPrefix(err.Error(), "semver: invalid version "), err.Error())
			assert.LessOrEqual(t, len(err.Error()), 200, "a long input must not flood the message")
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"v1.2.3", `semver: invalid version "v1.2.3" at byte 0: major: want a digit, found "v" (a tag prefix such as "v" belongs to a Scheme)`},
		{"01.1.1", `semver: invalid version "01.1.1" at byte 0: major: number has a leading zero`},
		{"1.2.3-0123", `semver: invalid version "1.2.3-0123" at byte 6: pre-release: number has a leading zero`},
		{"99999999999999999999999.0.0", `semver: invalid version "99999999999999999999999.0.0" at byte 0: major: number does not fit in 64 bits`},
		{"1.2", `semver: invalid version "1.2" at byte 3: after minor: want '.', found end of input`},
		{"1.0.0-alpha..1", `semver: invalid version "1.0.0-alpha..1" at byte 12: pre-release: empty identifier`},
		{"1.0.0-alpha_beta", `semver: invalid version "1.0.0-alpha_beta" at byte 11: pre-release: "_" is not in [0-9A-Za-z-]`},
		{"9.8.7+meta+meta", `semver: invalid version "9.8.7+meta+meta" at byte 10: unexpected "+" after build metadata`},
		{"1.2.3\n", `semver: invalid version "1.2.3\n" at byte 5: unexpected "\n" after patch`},
		{"", `semver: invalid version "" at byte 0: empty string`},
		{strings.Repeat("9", 300), `semver: invalid version "` + strings.Repeat("9", 64) + `"... at byte 256: 300 bytes, longer than 256`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := semver.Parse(tt.in)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestParseErrorUnwrap(t *testing.T) {
	// A ParseError built by hand still matches ErrInvalidVersion.
	err := error(&semver.ParseError{Input: "x", Reason: "number has a leading zero"})
	assertMatches(t, err, leadingZero)
	assert.ErrorIs(t, err, semver.ErrInvalidVersion)
	assert.NotErrorIs(t, err, semver.ErrInvalidCalVer)
	assert.Equal(t, `semver: invalid version "x" at byte 0: number has a leading zero`, err.Error())
}

func TestMustParse(t *testing.T) {
	assert.Equal(t, semver.New(1, 2, 3), semver.MustParse("1.2.3"))
	assert.PanicsWithError(t, `semver: invalid version "v1" at byte 0: major: want a digit, found "v" (a tag prefix such as "v" belongs to a Scheme)`, func() {
		semver.MustParse("v1")
	})
}

func TestAccessors(t *testing.T) {
	tests := []struct {
		in                  string
		major, minor, patch uint64
		pre, build          string
	}{
		{"0.0.0", 0, 0, 0, "", ""},
		{"1.2.3", 1, 2, 3, "", ""},
		{"1.2.3-rc.1", 1, 2, 3, "rc.1", ""},
		{"1.2.3+b.5", 1, 2, 3, "", "b.5"},
		{"1.2.3-rc.1+b-5", 1, 2, 3, "rc.1", "b-5"},
		{"1.2.3----RC-SNAPSHOT.12.9.1--.12+788", 1, 2, 3, "---RC-SNAPSHOT.12.9.1--.12", "788"},
		{"18446744073709551615.0.1", 18446744073709551615, 0, 1, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v := semver.MustParse(tt.in)
			assert.Equal(t, tt.major, v.Major())
			assert.Equal(t, tt.minor, v.Minor())
			assert.Equal(t, tt.patch, v.Patch())
			assert.Equal(t, tt.pre, v.Prerelease())
			assert.Equal(t, tt.build, v.Build())
			assert.Equal(t, tt.pre != "", v.IsPrerelease())
			assert.Equal(t, semver.New(tt.major, tt.minor, tt.patch), v.Core())
		})
	}
}

func TestZeroVersion(t *testing.T) {
	var v semver.Version
	assert.Equal(t, "0.0.0", v.String())
	assert.Equal(t, semver.MustParse("0.0.0"), v)
	assert.Equal(t, semver.New(0, 0, 0), v)
}

func TestWithPrereleaseAndBuild(t *testing.T) {
	base := semver.MustParse("1.2.3-rc.1+b.7")
	tests := []struct {
		name       string
		pre, build string
		want       string
		err        error
		pos        int
	}{
		{name: "set both", pre: "beta.2", build: "sha.1", want: "1.2.3-beta.2+sha.1"},
		{name: "clear both", want: "1.2.3"},
		{name: "leading zero pre", pre: "rc.01", build: "b", err: leadingZero, pos: 3},
		{name: "empty pre identifier", pre: "rc..1", build: "b", err: semver.ErrInvalidVersion, pos: 3},
		{name: "plus in pre", pre: "rc+1", build: "b", err: semver.ErrInvalidVersion, pos: 2},
		{name: "space in build", pre: "rc", build: "b 1", err: semver.ErrInvalidVersion, pos: 1},
		{name: "plus in build", pre: "rc", build: "b+1", err: semver.ErrInvalidVersion, pos: 1},
		{name: "leading zero build is fine", pre: "rc", build: "001", want: "1.2.3-rc+001"},
		{name: "too long build", pre: "rc", build: strings.Repeat("b", 257), err: tooLong, pos: 256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := base.WithPrerelease(tt.pre)
			if err == nil {
				v, err = v.WithBuild(tt.build)
			}
			if tt.err != nil {
				requireMatches(t, err, tt.err)
				require.ErrorIs(t, err, semver.ErrInvalidVersion)
				var pe *semver.ParseError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, tt.pos, pe.Pos)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, v.String())
			assert.Equal(t, v, semver.MustParse(tt.want))
		})
	}
}

// precedence lists versions in increasing precedence; the versions of one
// row have equal precedence. It holds the semver.org §11 chain.
var precedence = [][]string{
	{"0.0.0", "0.0.0+build"},
	{"0.0.1"},
	{"0.1.0-rc.1"},
	{"0.1.0"},
	{"1.0.0-0"},
	{"1.0.0-0.0"},
	{"1.0.0-1"},
	{"1.0.0-2"},
	{"1.0.0-10"},
	{"1.0.0-18446744073709551615"},
	{"1.0.0-99999999999999999999999"},
	{"1.0.0-100000000000000000000000"},
	{"1.0.0-0A"},
	{"1.0.0-A"},
	{"1.0.0-Z"},
	{"1.0.0-a"},
	// semver.org §11.4 example chain.
	{"1.0.0-alpha", "1.0.0-alpha+001"},
	{"1.0.0-alpha.1"},
	{"1.0.0-alpha.beta"},
	{"1.0.0-beta"},
	{"1.0.0-beta.2"},
	{"1.0.0-beta.11"},
	{"1.0.0-rc.1", "1.0.0-rc.1+build.1"},
	{"1.0.0", "1.0.0+a", "1.0.0+b", "1.0.0+20130313144700"},
	{"1.0.1"},
	{"1.2.0"},
	{"1.2.3-456"},
	{"1.2.3-456.789"},
	{"1.2.3-456-789"},
	{"1.2.3-456a"},
	{"1.2.3-pre", "1.2.3-pre+meta"},
	{"1.2.3-pre.1"},
	{"1.2.3-zzz"},
	{"1.2.3", "1.2.3+meta", "1.2.3+meta-pre", "1.2.3+meta-pre.sha.256a"},
	{"1.10.0"},
	{"1.19.0"}, // numeric, not lexical: 1.19.0 > 1.10.0 > 1.2.0
	{"2.0.0"},
	{"10.0.0"},
	{"18446744073709551615.18446744073709551615.18446744073709551615"},
}

type ranked struct {
	v    semver.Version
	rank int
}

func rankedVersions(t testing.TB) []ranked {
	var all []ranked
	for rank, row := range precedence {
		for _, s := range row {
			v, err := semver.Parse(s)
			require.NoError(t, err, s)
			all = append(all, ranked{v, rank})
		}
	}
	return all
}

func TestComparePairwise(t *testing.T) {
	all := rankedVersions(t)
	for _, a := range all {
		for _, b := range all {
			want := 0
			switch {
			case a.rank < b.rank:
				want = -1
			case a.rank > b.rank:
				want = +1
			}
			assert.Equal(t, want, semver.Compare(a.v, b.v), "Compare(%s, %s)", a.v, b.v)
			assert.Equal(t, want, a.v.Compare(b.v), "%s.Compare(%s)", a.v, b.v)
			assert.Equal(t, -want, semver.Compare(b.v, a.v), "antisymmetry of %s, %s", a.v, b.v)
			assert.Equal(t, want < 0, a.v.Less(b.v), "%s.Less(%s)", a.v, b.v)
			assert.Equal(t, a.v.String() == b.v.String(), a.v.Equal(b.v), "%s.Equal(%s)", a.v, b.v)
		}
	}
}

func TestCompareTransitive(t *testing.T) {
	all := rankedVersions(t)
	for _, a := range all {
		for _, b := range all {
			if semver.Compare(a.v, b.v) > 0 {
				continue
			}
			for _, c := range all {
				if semver.Compare(b.v, c.v) <= 0 {
					assert.LessOrEqual(t, semver.Compare(a.v, c.v), 0, "%s <= %s <= %s", a.v, b.v, c.v)
				}
			}
		}
	}
}

func TestCompareShuffleSort(t *testing.T) {
	all := rankedVersions(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		vs := make([]semver.Version, len(all))
		for i, r := range all {
			vs[i] = r.v
		}
		rng.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
		slices.SortFunc(vs, semver.Compare)
		require.True(t, slices.IsSortedFunc(vs, semver.Compare))
		rank := map[string]int{}
		for _, r := range all {
			rank[r.v.String()] = r.rank
		}
		for i := 1; i < len(vs); i++ {
			assert.LessOrEqual(t, rank[vs[i-1].String()], rank[vs[i].String()], "%s before %s", vs[i-1], vs[i])
		}
	}
}

func TestEqualIsExact(t *testing.T) {
	a, b := semver.MustParse("1.0.0+a"), semver.MustParse("1.0.0+b")
	assert.Zero(t, semver.Compare(a, b), "build metadata is ignored for precedence")
	assert.False(t, a.Equal(b), "Equal includes build metadata")
	assert.NotEqual(t, a, b)
	assert.True(t, a.Equal(semver.MustParse("1.0.0+a")))
	assert.False(t, a.Less(b))
	assert.False(t, b.Less(a))
}

func TestBump(t *testing.T) {
	const max = "18446744073709551615"
	tests := []struct {
		in    string
		level semver.Level
		want  string
		err   error
	}{
		{"1.2.3", semver.None, "1.2.3", nil},
		{"1.2.3+b", semver.None, "1.2.3+b", nil},
		{"1.2.3-rc.1+b", semver.None, "1.2.3-rc.1+b", nil},
		{"1.2.3", semver.Patch, "1.2.4", nil},
		{"1.2.3", semver.Minor, "1.3.0", nil},
		{"1.2.3", semver.Major, "2.0.0", nil},
		{"0.2.3", semver.Major, "1.0.0", nil}, // Bump has no 0.x rule; Next has
		{"1.2.3+b.1", semver.Patch, "1.2.4", nil},
		{"1.2.3+b.1", semver.Major, "2.0.0", nil},
		// A pre-release already covered by its core.
		{"1.0.0-rc.1", semver.Patch, "1.0.0", nil},
		{"1.0.0-rc.1+b", semver.Patch, "1.0.0", nil},
		{"1.3.0-rc.1", semver.Minor, "1.3.0", nil},
		{"1.3.0-rc.1", semver.Patch, "1.3.0", nil},
		{"2.0.0-rc.1", semver.Major, "2.0.0", nil},
		{"2.0.0-rc.1", semver.Minor, "2.0.0", nil},
		// A pre-release not covered by its core.
		{"1.3.1-rc.1", semver.Minor, "1.4.0", nil},
		{"1.3.1-rc.1", semver.Major, "2.0.0", nil},
		{"1.3.0-rc.1", semver.Major, "2.0.0", nil},
		{"1.3.1-rc.1", semver.Patch, "1.3.1", nil},
		// No wrap-around.
		{max + ".0.0", semver.Major, "", overflow},
		{"1." + max + ".0", semver.Minor, "", overflow},
		{"1.1." + max, semver.Patch, "", overflow},
		{"1.1." + max, semver.Minor, "1.2.0", nil},
		{"1." + max + "." + max, semver.Major, "2.0.0", nil},
		{max + ".0.0-rc.1", semver.Major, max + ".0.0", nil},
		{"1.2.3", semver.Level(4), "", invalidLevel},
		{"1.2.3", semver.Level(-1), "", invalidLevel},
	}
	for _, tt := range tests {
		t.Run(tt.in+"/"+tt.level.String(), func(t *testing.T) {
			got, err := semver.MustParse(tt.in).Bump(tt.level)
			if tt.err != nil {
				requireMatches(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.String())
		})
	}
}

func TestVersionText(t *testing.T) {
	type doc struct {
		V semver.Version `json:"v"`
	}
	b, err := json.Marshal(doc{semver.MustParse("1.2.3-rc.1+b")})
	require.NoError(t, err)
	assert.JSONEq(t, `{"v":"1.2.3-rc.1+b"}`, string(b))

	var d doc
	require.NoError(t, json.Unmarshal([]byte(`{"v":"2.0.0+x"}`), &d))
	assert.Equal(t, semver.MustParse("2.0.0+x"), d.V)

	err = json.Unmarshal([]byte(`{"v":"v2.0.0"}`), &d)
	require.ErrorIs(t, err, semver.ErrInvalidVersion)
	assert.Equal(t, semver.MustParse("2.0.0+x"), d.V, "left unchanged on error")

	var v semver.Version
	err = v.UnmarshalText([]byte("1.2.3-01"))
	requireMatches(t, err, leadingZero)
	assert.Equal(t, semver.Version{}, v)
}

// TestErrorSentinels pins the package prefix of every sentinel message.
func TestErrorSentinels(t *testing.T) {
	for _, err := range []error{
		semver.ErrInvalidVersion,
		semver.ErrAmbiguousVersion, semver.ErrNoRelease, semver.ErrNotPatch,
		semver.ErrChannelRegression, semver.ErrNotIncreasing, semver.ErrInvalidCalVer,
	} {
		assert.True(t, strings.HasPrefix(err.Error(), "semver: "), err.Error())
		for _, other := range []error{semver.ErrInvalidVersion, semver.ErrInvalidCalVer} {
			if err != other {
				assert.False(t, errors.Is(err, other), "%v is not %v", err, other)
			}
		}
	}
}

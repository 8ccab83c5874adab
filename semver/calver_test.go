package semver_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/semver"
)

var validCalVers = []struct {
	in   string
	want semver.CalVer
}{
	{"2026.02.0", semver.CalVer{Year: 2026, Month: 2, Micro: 0}},
	{"2026.12.17", semver.CalVer{Year: 2026, Month: 12, Micro: 17}},
	{"1000.01.0", semver.CalVer{Year: 1000, Month: 1}},
	{"9999.10.18446744073709551615", semver.CalVer{Year: 9999, Month: 10, Micro: 18446744073709551615}},
	{"2026.02.0.1", semver.CalVer{Year: 2026, Month: 2, Micro: 0, Hotfix: 1}},
	{"2026.02.3.12", semver.CalVer{Year: 2026, Month: 2, Micro: 3, Hotfix: 12}},
}

var invalidCalVers = []struct {
	in  string
	err error // specific sentinel
	pos int
}{
	{"", semver.ErrInvalidCalVer, 0},
	{"v2026.02.0", semver.ErrInvalidCalVer, 0},
	{"2026.2.0", semver.ErrInvalidCalVer, 6},
	{"2026.00.0", semver.ErrInvalidCalVer, 5},
	{"2026.13.0", semver.ErrInvalidCalVer, 5},
	{"2026.123.0", semver.ErrInvalidCalVer, 7},
	{"2026.02", semver.ErrInvalidCalVer, 7},
	{"2026.02.", semver.ErrInvalidCalVer, 8},
	{"2026.02.01", leadingZero, 8},
	{"2026.02.99999999999999999999999", numberOverflow, 8},
	{"2026.02.0-rc.1", semver.ErrInvalidCalVer, 9},
	{"2026.02.0.0", semver.ErrInvalidCalVer, 10},
	{"2026.02.0.01", leadingZero, 10},
	{"2026.02.0.", semver.ErrInvalidCalVer, 10},
	{"2026.02.0.1.1", semver.ErrInvalidCalVer, 11},
	{"2026.02.0.1-rc", semver.ErrInvalidCalVer, 11},
	{"2026.02.0\n", semver.ErrInvalidCalVer, 9},
	{"26.02.0", semver.ErrInvalidCalVer, 2},
	{"0999.02.0", semver.ErrInvalidCalVer, 0},
	{"20260.02.0", semver.ErrInvalidCalVer, 4},
	{"2026-02-0", semver.ErrInvalidCalVer, 4},
	{"1.2.3", semver.ErrInvalidCalVer, 1},
	{"2026.02.0" + strings.Repeat("0", 300), tooLong, 256},
}

func TestParseCalVer(t *testing.T) {
	for _, tt := range validCalVers {
		t.Run(tt.in, func(t *testing.T) {
			got, err := semver.ParseCalVer(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.in, got.String())
		})
	}
	for _, tt := range invalidCalVers {
		t.Run(tt.in, func(t *testing.T) {
			_, err := semver.ParseCalVer(tt.in)
			requireMatches(t, err, tt.err)
			require.ErrorIs(t, err, semver.ErrInvalidCalVer)
			assert.NotErrorIs(t, err, semver.ErrInvalidVersion)
			var pe *semver.ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.pos, pe.Pos)
			assert.True(t, strings.HasPrefix(err.Error(), "semver: invalid calendar version "), err.Error())
		})
	}
}

func TestCalVerCompare(t *testing.T) {
	ordered := []string{"2025.12.3", "2026.01.0", "2026.02.0", "2026.02.0.1", "2026.02.0.2", "2026.02.0.10", "2026.02.1", "2026.02.10", "2026.10.0", "2027.01.0"}
	for i, a := range ordered {
		for j, b := range ordered {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = +1
			}
			ca, err := semver.ParseCalVer(a)
			require.NoError(t, err)
			cb, err := semver.ParseCalVer(b)
			require.NoError(t, err)
			assert.Equal(t, want, ca.Compare(cb), "%s vs %s", a, b)
		}
	}
}

func TestCalVerNext(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return tm
	}
	tests := []struct {
		name string
		from semver.CalVer
		at   time.Time
		want string
		err  error
	}{
		{"first release", semver.CalVer{}, at("2026-02-14T10:00:00Z"), "2026.02.0", nil},
		{"same month", semver.CalVer{Year: 2026, Month: 2}, at("2026-02-28T23:00:00Z"), "2026.02.1", nil},
		{"next month", semver.CalVer{Year: 2026, Month: 2, Micro: 4}, at("2026-03-01T00:00:00Z"), "2026.03.0", nil},
		{"next year", semver.CalVer{Year: 2026, Month: 12, Micro: 4}, at("2027-01-05T00:00:00Z"), "2027.01.0", nil},
		{"month of t in UTC", semver.CalVer{Year: 2026, Month: 2}, at("2026-03-01T01:00:00+02:00"), "2026.02.1", nil},
		{"clock went back", semver.CalVer{Year: 2026, Month: 3}, at("2026-02-28T00:00:00Z"), "", semver.ErrNotIncreasing},
		{"clock went back a year", semver.CalVer{Year: 2026, Month: 1}, at("2025-12-31T00:00:00Z"), "", semver.ErrNotIncreasing},
		{"micro overflow", semver.CalVer{Year: 2026, Month: 2, Micro: 18446744073709551615}, at("2026-02-01T00:00:00Z"), "", overflow},
		{"year too large", semver.CalVer{Year: 9999, Month: 12}, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "", semver.ErrInvalidCalVer},
		{"year too small", semver.CalVer{}, time.Date(999, 1, 1, 0, 0, 0, 0, time.UTC), "", semver.ErrInvalidCalVer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.from.Next(tt.at)
			if tt.err != nil {
				requireMatches(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.String())
		})
	}
}

func TestCalVerBumpMicro(t *testing.T) {
	got, err := semver.CalVer{Year: 2026, Month: 2, Micro: 3}.BumpMicro()
	require.NoError(t, err)
	assert.Equal(t, "2026.02.4", got.String())
	_, err = semver.CalVer{Year: 2026, Month: 2, Micro: 18446744073709551615}.BumpMicro()
	requireMatches(t, err, overflow)
}

func TestCalVerText(t *testing.T) {
	b, err := json.Marshal([]semver.CalVer{{Year: 2026, Month: 2}})
	require.NoError(t, err)
	assert.JSONEq(t, `["2026.02.0"]`, string(b))
	var got []semver.CalVer
	require.NoError(t, json.Unmarshal([]byte(`["2026.11.3"]`), &got))
	assert.Equal(t, []semver.CalVer{{Year: 2026, Month: 11, Micro: 3}}, got)
	require.ErrorIs(t, json.Unmarshal([]byte(`["2026.11"]`), &got), semver.ErrInvalidCalVer)
}

func TestSchemeCalVer(t *testing.T) {
	v := semver.Scheme{Prefix: "v"}
	c := semver.CalVer{Year: 2026, Month: 2}
	assert.Equal(t, "v2026.02.0", v.FormatCalVer(c))

	got, err := v.ParseCalVer("v2026.02.0")
	require.NoError(t, err)
	assert.Equal(t, c, got)

	_, err = v.ParseCalVer("2026.02.0")
	requireMatches(t, err, noMatch)

	_, err = v.ParseCalVer("v2026.13.0")
	require.ErrorIs(t, err, semver.ErrInvalidCalVer)
	var pe *semver.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "v2026.13.0", pe.Input)
	assert.Equal(t, 6, pe.Pos)
}

func TestSelectCalVer(t *testing.T) {
	v := semver.Scheme{Prefix: "v"}
	tests := []struct {
		name  string
		tags  []semver.Tag
		want  string
		tag   semver.Tag
		found bool
	}{
		{name: "no tags"},
		{name: "no calendar tags", tags: []semver.Tag{{"v1.2.3", "a"}, {"latest", "b"}, {"2026.02.0", "c"}}},
		{
			name:  "highest",
			tags:  []semver.Tag{{"v2026.02.1", "b"}, {"v1.2.3", "x"}, {"v2026.10.0", "d"}, {"v2026.02.10", "c"}, {"v2025.12.0", "a"}},
			want:  "2026.10.0",
			tag:   semver.Tag{"v2026.10.0", "d"},
			found: true,
		},
		{
			name:  "duplicate entries: smallest commit",
			tags:  []semver.Tag{{"v2026.02.0", "b"}, {"v2026.02.0", "a"}},
			want:  "2026.02.0",
			tag:   semver.Tag{"v2026.02.0", "a"},
			found: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, tag, found := semver.SelectCalVer(tt.tags, v)
			require.Equal(t, tt.found, found)
			if !found {
				return
			}
			assert.Equal(t, tt.want, got.String())
			assert.Equal(t, tt.tag, tag)
		})
	}
}

// The hotfix of a release and the train's next release are never the same
// version, whatever the month and however many of each were made.
func TestCalVerHotfixNeverCollidesWithTrain(t *testing.T) {
	feb := time.Date(2026, time.February, 20, 12, 0, 0, 0, time.UTC)
	rel := semver.CalVer{Year: 2026, Month: 2}
	hotfix, err := rel.NextHotfix()
	require.NoError(t, err)
	train, err := rel.Next(feb)
	require.NoError(t, err)
	assert.Equal(t, "2026.02.0.1", hotfix.String())
	assert.Equal(t, "2026.02.1", train.String(), "the issue's collision: both were 2026.02.1")
	assert.True(t, hotfix.IsHotfix())
	assert.Equal(t, rel, hotfix.Release())
	second, err := hotfix.NextHotfix()
	require.NoError(t, err)
	assert.Equal(t, "2026.02.0.2", second.String())
	after, err := second.Next(feb)
	require.NoError(t, err)
	assert.Equal(t, "2026.02.1", after.String(), "a train release after hotfixes")
	bumped, err := second.BumpMicro()
	require.NoError(t, err)
	assert.Equal(t, train, bumped)
	_, err = semver.CalVer{Year: 2026, Month: 2, Hotfix: 18446744073709551615}.NextHotfix()
	var ve *semver.ValueError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "version number overflows", ve.Reason)
}

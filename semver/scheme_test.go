package semver_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/semver"
)

func TestComponentScheme(t *testing.T) {
	tests := []struct {
		component, sep string
		want           semver.Scheme
		tag            string
	}{
		{"api", "/", semver.Scheme{Prefix: "api/v"}, "api/v1.2.3"},
		{"api", "-", semver.Scheme{Prefix: "api-v"}, "api-v1.2.3"},
		{"services/billing", "/", semver.Scheme{Prefix: "services/billing/v"}, "services/billing/v1.2.3"},
		{"", "/", semver.Scheme{Prefix: "v"}, "v1.2.3"},
		{"", "-", semver.Scheme{Prefix: "v"}, "v1.2.3"},
	}
	for _, tt := range tests {
		t.Run(tt.component+tt.sep, func(t *testing.T) {
			s := semver.ComponentScheme(tt.component, tt.sep)
			assert.Equal(t, tt.want, s)
			assert.Equal(t, tt.tag, s.Format(semver.New(1, 2, 3)))
		})
	}
}

func TestSchemeParse(t *testing.T) {
	v, api, dash, bare := semver.Scheme{Prefix: "v"}, semver.Scheme{Prefix: "api/v"}, semver.Scheme{Prefix: "api-v"}, semver.Scheme{}
	tests := []struct {
		scheme semver.Scheme
		tag    string
		want   string
		err    error // specific sentinel
		pos    int
	}{
		{scheme: v, tag: "v1.2.3", want: "1.2.3"},
		{scheme: v, tag: "v1.2.3-rc.1+b", want: "1.2.3-rc.1+b"},
		{scheme: api, tag: "api/v1.2.3", want: "1.2.3"},
		{scheme: dash, tag: "api-v0.1.0", want: "0.1.0"},
		{scheme: bare, tag: "1.2.3", want: "1.2.3"},

		{scheme: v, tag: "1.2.3", err: noMatch},
		{scheme: v, tag: "V1.2.3", err: noMatch},
		{scheme: v, tag: "latest", err: noMatch},
		{scheme: v, tag: "refs/tags/v1.2.3", err: noMatch},
		{scheme: api, tag: "v1.2.3", err: noMatch},
		{scheme: api, tag: "web/v1.2.3", err: noMatch},
		{scheme: dash, tag: "api/v1.2.3", err: noMatch},

		{scheme: v, tag: "v1.2", err: semver.ErrInvalidVersion, pos: 4},
		{scheme: v, tag: "vv1.2.3", err: semver.ErrInvalidVersion, pos: 1},
		{scheme: v, tag: "v01.2.3", err: leadingZero, pos: 1},
		{scheme: v, tag: "v2026.02.0", err: leadingZero, pos: 6},
		{scheme: api, tag: "api/v1.2.3-rc.01", err: leadingZero, pos: 14},
		{scheme: v, tag: "v99999999999999999999999.0.0", err: numberOverflow, pos: 1},
		{scheme: v, tag: "v" + string(make([]byte, 300)), err: tooLong, pos: 257},
		{scheme: bare, tag: "v1.2.3", err: semver.ErrInvalidVersion, pos: 0},
		{scheme: bare, tag: "release-2020", err: semver.ErrInvalidVersion, pos: 0},
		{scheme: v, tag: "v", err: semver.ErrInvalidVersion, pos: 1},
	}
	for _, tt := range tests {
		t.Run(tt.scheme.Prefix+"|"+tt.tag, func(t *testing.T) {
			got, err := tt.scheme.Parse(tt.tag)
			if tt.err == nil {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got.String())
				assert.Equal(t, tt.tag, tt.scheme.Format(got), "Format round trip")
				return
			}
			requireMatches(t, err, tt.err)
			if tt.err == noMatch {
				assert.NotErrorIs(t, err, semver.ErrInvalidVersion)
				return
			}
			require.ErrorIs(t, err, semver.ErrInvalidVersion)
			var pe *semver.ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.tag, pe.Input, "Input is the whole tag")
			assert.Equal(t, tt.pos, pe.Pos, "Pos counts from the start of the tag")
		})
	}
}

func TestSelect(t *testing.T) {
	v := semver.Scheme{Prefix: "v"}
	rel := func(tag, commit string) semver.Release {
		s, err := v.Parse(tag)
		require.NoError(t, err)
		return semver.Release{Tag: tag, Version: s, Commit: commit}
	}
	tests := []struct {
		name   string
		scheme semver.Scheme
		tags   []semver.Tag
		want   semver.Previous
		err    error
		names  []string // tags of an *AmbiguousError
	}{
		{name: "no tags", scheme: v},
		{
			name:   "only foreign and non-semver tags",
			scheme: v,
			tags:   []semver.Tag{{"latest", "a"}, {"v1.2", "b"}, {"release-2020", "c"}, {"1.2.3", "d"}, {"api/v1.0.0", "e"}, {"v01.0.0", "f"}, {"v1.0.0 ", "g"}},
		},
		{
			name:   "highest stable",
			scheme: v,
			tags:   []semver.Tag{{"v1.2.3", "a"}, {"latest", "z"}, {"v1.10.0", "c"}, {"v1.9.0", "b"}, {"v1.2", "q"}, {"release-2020", "r"}},
			want:   semver.Previous{Latest: rel("v1.10.0", "c"), HasLatest: true, Stable: rel("v1.10.0", "c"), HasStable: true},
		},
		{
			name:   "pre-release above stable",
			scheme: v,
			tags:   []semver.Tag{{"v1.2.0", "a"}, {"v1.3.0-rc.1", "b"}, {"v1.3.0-rc.2", "c"}, {"v1.3.0-beta.9", "b0"}},
			want:   semver.Previous{Latest: rel("v1.3.0-rc.2", "c"), HasLatest: true, Stable: rel("v1.2.0", "a"), HasStable: true},
		},
		{
			name:   "only pre-releases",
			scheme: v,
			tags:   []semver.Tag{{"v1.0.0-alpha.1", "a"}, {"v1.0.0-beta.1", "b"}},
			want:   semver.Previous{Latest: rel("v1.0.0-beta.1", "b"), HasLatest: true},
		},
		{
			name:   "final and pre-release on the same commit: the final wins",
			scheme: v,
			tags:   []semver.Tag{{"v1.3.0-rc.3", "c"}, {"v1.3.0", "c"}, {"v1.2.0", "a"}},
			want:   semver.Previous{Latest: rel("v1.3.0", "c"), HasLatest: true, Stable: rel("v1.3.0", "c"), HasStable: true},
		},
		{
			name:   "same version twice on one commit: smallest name",
			scheme: v,
			tags:   []semver.Tag{{"v1.2.3+meta", "c"}, {"v1.2.3", "c"}, {"v1.2.3+a", "c"}},
			want:   semver.Previous{Latest: rel("v1.2.3", "c"), HasLatest: true, Stable: rel("v1.2.3", "c"), HasStable: true},
		},
		{
			name:   "duplicate entries",
			scheme: v,
			tags:   []semver.Tag{{"v1.2.3", "c"}, {"v1.2.3", "c"}},
			want:   semver.Previous{Latest: rel("v1.2.3", "c"), HasLatest: true, Stable: rel("v1.2.3", "c"), HasStable: true},
		},
		{
			name:   "equal precedence on different commits",
			scheme: v,
			tags:   []semver.Tag{{"v1.2.3+b", "b"}, {"v1.0.0", "z"}, {"v1.2.3", "a"}},
			err:    semver.ErrAmbiguousVersion,
			names:  []string{"v1.2.3", "v1.2.3+b"},
		},
		{
			name:   "ambiguous stable under an unambiguous pre-release",
			scheme: v,
			tags:   []semver.Tag{{"v1.2.3+x", "b"}, {"v1.2.3", "a"}, {"v1.3.0-rc.1", "c"}},
			err:    semver.ErrAmbiguousVersion,
			names:  []string{"v1.2.3", "v1.2.3+x"},
		},
		{
			name:   "ambiguous pre-release",
			scheme: v,
			tags:   []semver.Tag{{"v1.3.0-rc.1", "c"}, {"v1.3.0-rc.1+again", "d"}, {"v1.2.0", "a"}},
			err:    semver.ErrAmbiguousVersion,
			names:  []string{"v1.3.0-rc.1", "v1.3.0-rc.1+again"},
		},
		{
			name:   "ambiguity below the top does not matter",
			scheme: v,
			tags:   []semver.Tag{{"v1.0.0", "a"}, {"v1.0.0+b", "b"}, {"v2.0.0", "c"}},
			want:   semver.Previous{Latest: rel("v2.0.0", "c"), HasLatest: true, Stable: rel("v2.0.0", "c"), HasStable: true},
		},
		{
			// RELIABILITY.md semver row 9 names v1.2.3 and 1.2.3: the
			// prefix is explicit config, so only one of them matches.
			name:   "v-less tag does not match the v scheme",
			scheme: v,
			tags:   []semver.Tag{{"v1.2.3", "a"}, {"1.2.3", "b"}, {"1.9.9", "c"}},
			want:   semver.Previous{Latest: rel("v1.2.3", "a"), HasLatest: true, Stable: rel("v1.2.3", "a"), HasStable: true},
		},
		{
			name:   "monorepo component",
			scheme: semver.ComponentScheme("api", "/"),
			tags:   []semver.Tag{{"api/v1.4.0", "a"}, {"web/v9.0.0", "b"}, {"v5.0.0", "c"}, {"api/v1.5.0-beta.1", "d"}, {"api-v7.0.0", "e"}},
			want: semver.Previous{
				Latest: semver.Release{Tag: "api/v1.5.0-beta.1", Version: semver.MustParse("1.5.0-beta.1"), Commit: "d"}, HasLatest: true,
				Stable: semver.Release{Tag: "api/v1.4.0", Version: semver.MustParse("1.4.0"), Commit: "a"}, HasStable: true,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := semver.Select(tt.tags, tt.scheme)
			if tt.err != nil {
				requireMatches(t, err, tt.err)
				var ae *semver.AmbiguousError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, tt.names, ae.Tags)
				assert.Zero(t, semver.Compare(ae.Version, semver.MustParse(tt.names[0][1:])))
				assert.Equal(t, semver.Previous{}, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSelectOrderIndependent(t *testing.T) {
	tags := []semver.Tag{
		{"v1.2.3", "a"}, {"v1.2.3+a", "a"}, {"v1.3.0-rc.1", "b"}, {"v1.3.0-rc.1+z", "b"},
		{"v1.2.4", "c"}, {"latest", "d"},
	}
	want, err := semver.Select(tags, semver.Scheme{Prefix: "v"})
	require.NoError(t, err)
	assert.Equal(t, "v1.3.0-rc.1", want.Latest.Tag)
	assert.Equal(t, "v1.2.4", want.Stable.Tag)
	for i := range tags {
		rotated := append(append([]semver.Tag{}, tags[i:]...), tags[:i]...)
		got, err := semver.Select(rotated, semver.Scheme{Prefix: "v"})
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
}

func TestAmbiguousErrorMessage(t *testing.T) {
	_, err := semver.Select([]semver.Tag{{"v1.2.3", "a"}, {"v1.2.3+b", "b"}}, semver.Scheme{Prefix: "v"})
	require.Error(t, err)
	assert.Equal(t, "semver: version 1.2.3 is tagged on different commits: v1.2.3, v1.2.3+b", err.Error())
}

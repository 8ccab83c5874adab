package semver_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/semver"
)

func TestLevelText(t *testing.T) {
	tests := []struct {
		in   string
		want semver.Level
		err  bool
	}{
		{in: "none", want: semver.None},
		{in: "patch", want: semver.Patch},
		{in: "minor", want: semver.Minor},
		{in: "major", want: semver.Major},
		{in: "MAJOR", want: semver.Major},
		{in: "Minor", want: semver.Minor},
		{in: "", err: true},
		{in: "breaking", err: true},
		{in: " patch", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := semver.ParseLevel(tt.in)
			if tt.err {
				requireMatches(t, err, invalidLevel)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)

			var l semver.Level
			require.NoError(t, l.UnmarshalText([]byte(tt.in)))
			assert.Equal(t, tt.want, l)
			b, err := l.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, tt.want.String(), string(b))
		})
	}

	assert.Equal(t, "Level(7)", semver.Level(7).String())
	_, err := semver.Level(7).MarshalText()
	requireMatches(t, err, invalidLevel)
	l := semver.Minor
	requireMatches(t, l.UnmarshalText([]byte("huge")), invalidLevel)
	assert.Equal(t, semver.Minor, l, "left unchanged on error")

	b, err := json.Marshal(map[string]semver.Level{"bump": semver.Major})
	require.NoError(t, err)
	assert.JSONEq(t, `{"bump":"major"}`, string(b))
	assert.True(t, semver.None < semver.Patch && semver.Patch < semver.Minor && semver.Minor < semver.Major)
}

func TestParseChannel(t *testing.T) {
	tests := []struct {
		in   string
		want semver.Channel
		err  bool
	}{
		{in: "", want: ""},
		{in: "alpha", want: semver.Alpha},
		{in: "beta", want: semver.Beta},
		{in: "rc", want: semver.RC},
		{in: "RC", want: semver.RC},
		{in: "Beta", want: semver.Beta},
		{in: "gamma", err: true},
		{in: "rc.1", err: true},
		{in: "stable", err: true},
		{in: " rc", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := semver.ParseChannel(tt.in)
			if tt.err {
				requireMatches(t, err, invalidChannel)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRules(t *testing.T) {
	custom := semver.Rules{
		{Type: "feat", Level: semver.Minor},
		{Type: "fix", Level: semver.Patch},
		{Type: "docs", Scope: "api", Level: semver.Patch},
		{Type: "refactor", Breaking: true, Level: semver.Minor}, // breaking refactors only
		{Scope: "deps", Level: semver.Patch},
	}
	tests := []struct {
		name   string
		rules  semver.Rules
		change semver.Change
		want   semver.Level
	}{
		{"default breaking", nil, semver.Change{Type: "chore", Breaking: true}, semver.Major},
		{"default breaking feat", nil, semver.Change{Type: "feat", Breaking: true}, semver.Major},
		{"default feat", nil, semver.Change{Type: "feat"}, semver.Minor},
		{"default feat case", nil, semver.Change{Type: "FEAT", Scope: "x"}, semver.Minor},
		{"default fix", nil, semver.Change{Type: "fix"}, semver.Patch},
		{"default perf", nil, semver.Change{Type: "perf"}, semver.Patch},
		{"default docs", nil, semver.Change{Type: "docs"}, semver.None},
		{"default chore", nil, semver.Change{Type: "chore"}, semver.None},
		{"default empty", nil, semver.Change{}, semver.None},
		{"explicit defaults", semver.DefaultRules(), semver.Change{Type: "feat"}, semver.Minor},
		{"empty rules", semver.Rules{}, semver.Change{Type: "feat", Breaking: true}, semver.None},
		{"custom scope match", custom, semver.Change{Type: "docs", Scope: "API"}, semver.Patch},
		{"custom scope miss", custom, semver.Change{Type: "docs", Scope: "web"}, semver.None},
		{"custom breaking only", custom, semver.Change{Type: "refactor"}, semver.None},
		{"custom breaking match", custom, semver.Change{Type: "refactor", Breaking: true}, semver.Minor},
		{"custom breaking feat is not major", custom, semver.Change{Type: "feat", Breaking: true}, semver.Minor},
		{"custom any type by scope", custom, semver.Change{Type: "chore", Scope: "deps"}, semver.Patch},
		{"custom highest wins", custom, semver.Change{Type: "feat", Scope: "deps"}, semver.Minor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.rules.Level(tt.change))
		})
	}
}

func TestRulesMax(t *testing.T) {
	tests := []struct {
		name    string
		changes []semver.Change
		want    semver.Level
	}{
		{"nothing", nil, semver.None},
		{"only chores", []semver.Change{{Type: "chore"}, {Type: "docs"}}, semver.None},
		{"fix", []semver.Change{{Type: "chore"}, {Type: "fix"}}, semver.Patch},
		{"feat and fix", []semver.Change{{Type: "fix"}, {Type: "feat"}, {Type: "docs"}}, semver.Minor},
		{"breaking anywhere", []semver.Change{{Type: "fix"}, {Type: "docs", Breaking: true}, {Type: "feat"}}, semver.Major},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, semver.Rules(nil).Max(tt.changes))
		})
	}
}

func TestDefaultRulesIsACopy(t *testing.T) {
	r := semver.DefaultRules()
	r[0].Level = semver.None
	assert.Equal(t, semver.Major, semver.DefaultRules()[0].Level)
	assert.Equal(t, semver.Major, semver.Rules(nil).Level(semver.Change{Breaking: true}))
}

func TestLineFromBranch(t *testing.T) {
	tests := []struct {
		branch string
		want   semver.Line
		ok     bool
	}{
		{"release/1.4", semver.Line{Major: 1, Minor: 4}, true},
		{"refs/heads/release/1.4", semver.Line{Major: 1, Minor: 4}, true},
		{"release/0.12", semver.Line{Major: 0, Minor: 12}, true},
		{"hotfix/1.4.3-INC123", semver.Line{Major: 1, Minor: 4}, true},
		{"hotfix/1.8.3-PROJ-8821", semver.Line{Major: 1, Minor: 8}, true},
		{"refs/heads/hotfix/1.8.3-PROJ-8821", semver.Line{Major: 1, Minor: 8}, true},
		{"hotfix/2.0.0", semver.Line{Major: 2, Minor: 0}, true},

		{"main", semver.Line{}, false},
		{"release/1", semver.Line{}, false},
		{"release/1.4.2", semver.Line{}, false},
		{"release/1.4-rc", semver.Line{}, false},
		{"release/v1.4", semver.Line{}, false},
		{"release/01.4", semver.Line{}, false},
		{"release/1.x", semver.Line{}, false},
		{"release/", semver.Line{}, false},
		{"release/1.99999999999999999999999", semver.Line{}, false},
		{"hotfix/1.4", semver.Line{}, false},
		{"hotfix/1.4.3-", semver.Line{}, false},
		{"hotfix/1.4.x-INC1", semver.Line{}, false},
		{"hotfix/1.4.3_INC", semver.Line{}, false},
		{"hotfix/login-bug", semver.Line{}, false},
		{"feature/release/1.4", semver.Line{}, false},
		{"refs/remotes/origin/release/1.4", semver.Line{}, false},
		{"refs/tags/v1.4.0", semver.Line{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.branch, func(t *testing.T) {
			got, ok := semver.LineFromBranch(tt.branch)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestLine(t *testing.T) {
	l := semver.Line{Major: 1, Minor: 4}
	assert.Equal(t, "1.4", l.String())
	assert.True(t, l.Contains(semver.MustParse("1.4.0")))
	assert.True(t, l.Contains(semver.MustParse("1.4.7-rc.1+b")))
	assert.False(t, l.Contains(semver.MustParse("1.5.0")))
	assert.False(t, l.Contains(semver.MustParse("2.4.0")))
}

// prev builds a Previous from tag names under the "v" scheme; an empty name
// means absent.
func prev(t *testing.T, latest, stable string) semver.Previous {
	t.Helper()
	var p semver.Previous
	if latest != "" {
		p.Latest, p.HasLatest = semver.Release{Tag: "v" + latest, Version: semver.MustParse(latest), Commit: "L"}, true
	}
	if stable != "" {
		p.Stable, p.HasStable = semver.Release{Tag: "v" + stable, Version: semver.MustParse(stable), Commit: "S"}, true
	}
	return p
}

func TestNext(t *testing.T) {
	v := semver.MustParse
	line14 := semver.WithLine(semver.Line{Major: 1, Minor: 4})
	tests := []struct {
		name           string
		latest, stable string
		level          semver.Level
		opts           []semver.Option
		want           string
		err            error
	}{
		// No previous release.
		{name: "first release", level: semver.None, want: "0.1.0"},
		{name: "first release ignores level", level: semver.Major, want: "0.1.0"},
		{name: "first release initial", level: semver.Minor, opts: []semver.Option{semver.WithInitial(v("1.0.0"))}, want: "1.0.0"},
		{name: "first pre-release", level: semver.Patch, opts: []semver.Option{semver.WithChannel(semver.Beta)}, want: "0.1.0-beta.1"},
		{name: "first pre-release from 0", level: semver.Patch, opts: []semver.Option{semver.WithChannel(semver.RC), semver.WithPreStart(0)}, want: "0.1.0-rc.0"},
		{name: "first release as", level: semver.None, opts: []semver.Option{semver.WithReleaseAs(v("2.0.0"))}, want: "2.0.0"},
		{name: "first release as on channel", level: semver.None, opts: []semver.Option{semver.WithReleaseAs(v("2.0.0")), semver.WithChannel(semver.Alpha)}, want: "2.0.0-alpha.1"},
		{name: "first release on a line", level: semver.Minor, opts: []semver.Option{line14}, want: "1.4.0"},

		// Stable releases.
		{name: "fix", latest: "1.2.3", stable: "1.2.3", level: semver.Patch, want: "1.2.4"},
		{name: "feat", latest: "1.2.3", stable: "1.2.3", level: semver.Minor, want: "1.3.0"},
		{name: "breaking", latest: "1.2.3", stable: "1.2.3", level: semver.Major, want: "2.0.0"},
		{name: "nothing to release", latest: "1.2.3", stable: "1.2.3", level: semver.None, err: semver.ErrNoRelease},
		{name: "build metadata dropped", latest: "1.2.3+b.9", stable: "1.2.3+b.9", level: semver.Patch, want: "1.2.4"},
		{name: "graduation", latest: "1.3.0-rc.3", stable: "1.2.0", level: semver.Patch, want: "1.3.0"},
		{name: "graduation without changes", latest: "1.3.0-rc.3", stable: "1.2.0", level: semver.None, want: "1.3.0"},
		{name: "graduation of a minor", latest: "1.3.0-rc.3", stable: "1.2.0", level: semver.Minor, want: "1.3.0"},
		{name: "breaking skips the pending minor", latest: "1.3.0-rc.3", stable: "1.2.0", level: semver.Major, want: "2.0.0"},
		{name: "feat skips a pending patch", latest: "1.2.1-rc.1", stable: "1.2.0", level: semver.Minor, want: "1.3.0"},
		{name: "graduation 1.0.0-rc.1", latest: "1.0.0-rc.1", stable: "0.9.0", level: semver.Patch, want: "1.0.0"},
		{name: "only pre-releases", latest: "1.0.0-rc.2", level: semver.Patch, want: "1.0.0"},
		{name: "only pre-releases, breaking", latest: "1.0.0-rc.2", level: semver.Major, want: "1.0.0"},
		{name: "only pre-releases, nothing", latest: "0.1.0-alpha.1", level: semver.None, want: "0.1.0"},
		{name: "major overflow", latest: "18446744073709551615.0.0", stable: "18446744073709551615.0.0", level: semver.Major, err: overflow},

		// Pre-major mode (default) and its opt-out.
		{name: "breaking at 0.x bumps minor", latest: "0.4.2", stable: "0.4.2", level: semver.Major, want: "0.5.0"},
		{name: "feat at 0.x bumps minor", latest: "0.4.2", stable: "0.4.2", level: semver.Minor, want: "0.5.0"},
		{name: "fix at 0.x bumps patch", latest: "0.4.2", stable: "0.4.2", level: semver.Patch, want: "0.4.3"},
		{name: "breaking at 0.0.x", latest: "0.0.3", stable: "0.0.3", level: semver.Major, want: "0.1.0"},
		{name: "major at zero", latest: "0.4.2", stable: "0.4.2", level: semver.Major, opts: []semver.Option{semver.WithMajorAtZero()}, want: "1.0.0"},
		{name: "major at zero, feat", latest: "0.4.2", stable: "0.4.2", level: semver.Minor, opts: []semver.Option{semver.WithMajorAtZero()}, want: "0.5.0"},
		{name: "leave 0.x by release-as", latest: "0.4.2", stable: "0.4.2", level: semver.Major, opts: []semver.Option{semver.WithReleaseAs(v("1.0.0"))}, want: "1.0.0"},
		{name: "breaking on a 0.x pre-release line", latest: "0.5.0-rc.1", stable: "0.4.2", level: semver.Major, opts: []semver.Option{semver.WithChannel(semver.RC)}, want: "0.5.0-rc.2"},

		// Release-As.
		{name: "release-as", latest: "1.2.3", stable: "1.2.3", level: semver.Patch, opts: []semver.Option{semver.WithReleaseAs(v("1.5.0"))}, want: "1.5.0"},
		{name: "release-as without changes", latest: "1.2.3", stable: "1.2.3", level: semver.None, opts: []semver.Option{semver.WithReleaseAs(v("1.2.4"))}, want: "1.2.4"},
		{name: "release-as keeps its build", latest: "1.2.3", stable: "1.2.3", level: semver.Patch, opts: []semver.Option{semver.WithReleaseAs(v("1.5.0+b.1"))}, want: "1.5.0+b.1"},
		{name: "release-as a pre-release", latest: "1.2.3", stable: "1.2.3", level: semver.Patch, opts: []semver.Option{semver.WithReleaseAs(v("2.0.0-rc.1"))}, want: "2.0.0-rc.1"},
		{name: "release-as equal", latest: "1.2.3", stable: "1.2.3", level: semver.Patch, opts: []semver.Option{semver.WithReleaseAs(v("1.2.3"))}, err: semver.ErrNotIncreasing},
		{name: "release-as equal precedence", latest: "1.2.3", stable: "1.2.3", level: semver.Patch, opts: []semver.Option{semver.WithReleaseAs(v("1.2.3+x"))}, err: semver.ErrNotIncreasing},
		{name: "release-as lower", latest: "1.2.3", stable: "1.2.3", level: semver.Patch, opts: []semver.Option{semver.WithReleaseAs(v("1.0.0"))}, err: semver.ErrNotIncreasing},
		{name: "release-as below a pre-release", latest: "1.3.0-rc.1", stable: "1.2.3", level: semver.Patch, opts: []semver.Option{semver.WithReleaseAs(v("1.2.9"))}, err: semver.ErrNotIncreasing},
		{name: "release-as graduates", latest: "1.3.0-rc.1", stable: "1.2.3", level: semver.None, opts: []semver.Option{semver.WithReleaseAs(v("1.3.0"))}, want: "1.3.0"},
		{name: "release-as on channel continues the line", latest: "2.0.0-rc.1", stable: "1.2.3", level: semver.None, opts: []semver.Option{semver.WithReleaseAs(v("2.0.0")), semver.WithChannel(semver.RC)}, want: "2.0.0-rc.2"},
		{name: "release-as on channel starts a line", latest: "1.2.3", stable: "1.2.3", level: semver.Patch, opts: []semver.Option{semver.WithReleaseAs(v("2.0.0-beta.7+b")), semver.WithChannel(semver.RC)}, want: "2.0.0-rc.1"},

		// Channels.
		{name: "rc.1 to rc.2", latest: "1.3.0-rc.1", stable: "1.2.0", level: semver.Patch, opts: []semver.Option{semver.WithChannel(semver.RC)}, want: "1.3.0-rc.2"},
		{name: "rc.1 to rc.2 on feat", latest: "1.3.0-rc.1", stable: "1.2.0", level: semver.Minor, opts: []semver.Option{semver.WithChannel(semver.RC)}, want: "1.3.0-rc.2"},
		{name: "rc.9 to rc.10", latest: "1.3.0-rc.9", stable: "1.2.0", level: semver.Patch, opts: []semver.Option{semver.WithChannel(semver.RC)}, want: "1.3.0-rc.10"},
		{name: "rc.0 to rc.1", latest: "1.3.0-rc.0", stable: "1.2.0", level: semver.Patch, opts: []semver.Option{semver.WithChannel(semver.RC), semver.WithPreStart(0)}, want: "1.3.0-rc.1"},
		{name: "new line from stable", latest: "1.2.0", stable: "1.2.0", level: semver.Minor, opts: []semver.Option{semver.WithChannel(semver.RC)}, want: "1.3.0-rc.1"},
		{name: "new line from stable at 0", latest: "1.2.0", stable: "1.2.0", level: semver.Minor, opts: []semver.Option{semver.WithChannel(semver.RC), semver.WithPreStart(0)}, want: "1.3.0-rc.0"},
		{name: "new line on breaking", latest: "1.3.0-rc.2", stable: "1.2.0", level: semver.Major, opts: []semver.Option{semver.WithChannel(semver.RC)}, want: "2.0.0-rc.1"},
		{name: "beta to rc keeps the core", latest: "1.3.0-beta.3", stable: "1.2.0", level: semver.Patch, opts: []semver.Option{semver.WithChannel(semver.RC)}, want: "1.3.0-rc.1"},
		{name: "alpha to beta without changes", latest: "1.3.0-alpha.3", stable: "1.2.0", level: semver.None, opts: []semver.Option{semver.WithChannel(semver.Beta)}, want: "1.3.0-beta.1"},
		{name: "rc to beta regresses", latest: "1.3.0-rc.1", stable: "1.2.0", level: semver.Patch, opts: []semver.Option{semver.WithChannel(semver.Beta)}, err: semver.ErrChannelRegression},
		{name: "beta to alpha regresses", latest: "1.3.0-beta.1", stable: "1.2.0", level: semver.Patch, opts: []semver.Option{semver.WithChannel(semver.Alpha)}, err: semver.ErrChannelRegression},
		{name: "beta on a new core is fine", latest: "1.3.0-rc.1", stable: "1.2.0", level: semver.Major, opts: []semver.Option{semver.WithChannel(semver.Beta)}, want: "2.0.0-beta.1"},
		{name: "same channel without changes", latest: "1.3.0-rc.1", stable: "1.2.0", level: semver.None, opts: []semver.Option{semver.WithChannel(semver.RC)}, err: semver.ErrNoRelease},
		{name: "channel without changes", latest: "1.2.0", stable: "1.2.0", level: semver.None, opts: []semver.Option{semver.WithChannel(semver.RC)}, err: semver.ErrNoRelease},
		{name: "unknown identifiers", latest: "1.3.0-SNAPSHOT", stable: "1.2.0", level: semver.None, opts: []semver.Option{semver.WithChannel(semver.Alpha)}, want: "1.3.0-alpha.1"},
		{name: "unknown identifiers, numbered", latest: "1.3.0-preview.4", stable: "1.2.0", level: semver.Patch, opts: []semver.Option{semver.WithChannel(semver.RC)}, want: "1.3.0-rc.1"},
		{name: "unknown identifiers above the channel", latest: "1.3.0-zeta", stable: "1.2.0", level: semver.Patch, opts: []semver.Option{semver.WithChannel(semver.RC)}, err: semver.ErrNotIncreasing},
		{name: "bare channel name", latest: "1.3.0-rc", stable: "1.2.0", level: semver.Patch, opts: []semver.Option{semver.WithChannel(semver.RC)}, want: "1.3.0-rc.1"},
		{name: "bare earlier channel name", latest: "1.3.0-rc", stable: "1.2.0", level: semver.Patch, opts: []semver.Option{semver.WithChannel(semver.Beta)}, err: semver.ErrChannelRegression},
		{name: "channel with more identifiers", latest: "1.3.0-rc.2.1", stable: "1.2.0", level: semver.Patch, opts: []semver.Option{semver.WithChannel(semver.RC)}, err: semver.ErrNotIncreasing},
		{name: "pre-release build metadata", latest: "1.3.0-rc.1+b.2", stable: "1.2.0", level: semver.Patch, opts: []semver.Option{semver.WithChannel(semver.RC)}, want: "1.3.0-rc.2"},
		{name: "only pre-releases, next rc", latest: "1.0.0-rc.2", level: semver.Major, opts: []semver.Option{semver.WithChannel(semver.RC)}, want: "1.0.0-rc.3"},
		{name: "pre-release number overflow", latest: "1.3.0-rc.18446744073709551615", stable: "1.2.0", level: semver.Patch, opts: []semver.Option{semver.WithChannel(semver.RC)}, err: overflow},
		{name: "pre-release number beyond uint64", latest: "1.3.0-rc.99999999999999999999999", stable: "1.2.0", level: semver.Patch, opts: []semver.Option{semver.WithChannel(semver.RC)}, err: overflow},
		{name: "invalid channel", latest: "1.2.0", stable: "1.2.0", level: semver.Patch, opts: []semver.Option{semver.WithChannel("gamma")}, err: invalidChannel},
		{name: "upper-case channel", latest: "1.2.0", stable: "1.2.0", level: semver.Patch, opts: []semver.Option{semver.WithChannel("RC")}, err: invalidChannel},
		{name: "invalid level", latest: "1.2.0", stable: "1.2.0", level: semver.Level(9), err: invalidLevel},

		// Patch lines.
		{name: "line: fix", latest: "1.4.2", stable: "1.4.2", level: semver.Patch, opts: []semver.Option{line14}, want: "1.4.3"},
		{name: "line: feat", latest: "1.4.2", stable: "1.4.2", level: semver.Minor, opts: []semver.Option{line14}, err: semver.ErrNotPatch},
		{name: "line: breaking", latest: "1.4.2", stable: "1.4.2", level: semver.Major, opts: []semver.Option{line14}, err: semver.ErrNotPatch},
		{name: "line: breaking at 0.x", latest: "0.4.2", stable: "0.4.2", level: semver.Major, opts: []semver.Option{semver.WithLine(semver.Line{Minor: 4})}, err: semver.ErrNotPatch},
		{name: "line: nothing", latest: "1.4.2", stable: "1.4.2", level: semver.None, opts: []semver.Option{line14}, err: semver.ErrNoRelease},
		{name: "line: first release", latest: "1.3.9", stable: "1.3.9", level: semver.None, opts: []semver.Option{line14}, want: "1.4.0"},
		{name: "line: first release, any level", latest: "1.3.9", stable: "1.3.9", level: semver.Major, opts: []semver.Option{line14}, want: "1.4.0"},
		{name: "line: first release from an older major", latest: "0.9.0", stable: "0.9.0", level: semver.Patch, opts: []semver.Option{line14}, want: "1.4.0"},
		{name: "line: first rc", latest: "1.3.9", stable: "1.3.9", level: semver.Patch, opts: []semver.Option{line14, semver.WithChannel(semver.RC)}, want: "1.4.0-rc.1"},
		{name: "line: next rc", latest: "1.4.0-rc.1", stable: "1.3.9", level: semver.Patch, opts: []semver.Option{line14, semver.WithChannel(semver.RC)}, want: "1.4.0-rc.2"},
		{name: "line: graduate a pending patch of a new line", latest: "1.4.1-rc.1", stable: "1.3.9", level: semver.None, opts: []semver.Option{line14}, want: "1.4.1"},
		{name: "line: graduate the first release", latest: "1.4.0-rc.2", stable: "1.3.9", level: semver.None, opts: []semver.Option{line14}, want: "1.4.0"},
		{name: "line: patch rc", latest: "1.4.2", stable: "1.4.2", level: semver.Patch, opts: []semver.Option{line14, semver.WithChannel(semver.RC)}, want: "1.4.3-rc.1"},
		{name: "line: graduate a patch rc", latest: "1.4.3-rc.1", stable: "1.4.2", level: semver.None, opts: []semver.Option{line14}, want: "1.4.3"},
		{name: "line: previous above", latest: "1.5.0", stable: "1.5.0", level: semver.Patch, opts: []semver.Option{line14}, err: semver.ErrNotPatch},
		{name: "line: previous on a later major", latest: "2.0.0", stable: "2.0.0", level: semver.None, opts: []semver.Option{line14}, err: semver.ErrNotPatch},
		{name: "line: pending pre-release past the line", latest: "1.5.0-rc.1", stable: "1.4.2", level: semver.Patch, opts: []semver.Option{line14}, err: semver.ErrNotIncreasing},
		{name: "line: release-as on the line", latest: "1.4.2", stable: "1.4.2", level: semver.Patch, opts: []semver.Option{line14, semver.WithReleaseAs(v("1.4.5"))}, want: "1.4.5"},
		{name: "line: release-as off the line", latest: "1.4.2", stable: "1.4.2", level: semver.Patch, opts: []semver.Option{line14, semver.WithReleaseAs(v("1.5.0"))}, err: semver.ErrNotPatch},
		{name: "line: release-as does not excuse a feat", latest: "1.4.2", stable: "1.4.2", level: semver.Minor, opts: []semver.Option{line14, semver.WithReleaseAs(v("1.4.3"))}, err: semver.ErrNotPatch},

		// A Previous built by hand with Stable above Latest.
		{name: "stable above latest", latest: "1.0.0", stable: "1.2.0", level: semver.Patch, want: "1.2.1"},
		{name: "stable without latest", stable: "1.2.0", level: semver.Patch, want: "1.2.1"},
		{name: "stable latest without stable", latest: "1.2.0", level: semver.Patch, want: "1.2.1"},
		{name: "stable latest above stable", latest: "1.3.0", stable: "1.2.0", level: semver.Patch, want: "1.3.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := semver.Next(prev(t, tt.latest, tt.stable), tt.level, tt.opts...)
			if tt.err != nil {
				requireMatches(t, err, tt.err)
				assert.Equal(t, semver.Version{}, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.String())
		})
	}
}

func TestNextLineError(t *testing.T) {
	line := semver.Line{Major: 1, Minor: 4}
	tests := []struct {
		name           string
		latest, stable string
		level          semver.Level
		want           string
	}{
		{"feat on the line", "1.4.2", "1.4.2", semver.Minor, "semver: line 1.4 takes only patch releases, got a minor change after 1.4.2"},
		{"previous past the line", "1.5.0", "1.5.0", semver.Patch, "semver: previous release 1.5.0 is past line 1.4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := semver.Next(prev(t, tt.latest, tt.stable), tt.level, semver.WithLine(line))
			var le *semver.LineError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, line, le.Line)
			assert.Equal(t, tt.level, le.Level)
			assert.Equal(t, semver.MustParse(tt.stable), le.Previous)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

// TestNextFromTags runs Select and Next together, as a release job does.
func TestNextFromTags(t *testing.T) {
	tests := []struct {
		name  string
		tags  []semver.Tag
		level semver.Level
		opts  []semver.Option
		want  string
		err   error
	}{
		{name: "no tags", level: semver.Major, want: "0.1.0"},
		{name: "no matching tags", tags: []semver.Tag{{"latest", "a"}, {"v1.2", "b"}, {"release-2020", "c"}}, level: semver.Patch, want: "0.1.0"},
		{name: "pre-release and final on one commit", tags: []semver.Tag{{"v1.3.0-rc.3", "c"}, {"v1.3.0", "c"}}, level: semver.Patch, want: "1.3.1"},
		{name: "ambiguous", tags: []semver.Tag{{"v1.2.3", "a"}, {"v1.2.3+b", "b"}}, level: semver.Patch, err: semver.ErrAmbiguousVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := semver.Select(tt.tags, semver.Scheme{Prefix: "v"})
			if err == nil {
				var next semver.Version
				if next, err = semver.Next(p, tt.level, tt.opts...); err == nil {
					assert.Equal(t, tt.want, next.String())
				}
			}
			if tt.err != nil {
				requireMatches(t, err, tt.err)
				return
			}
			require.NoError(t, err)
		})
	}
}

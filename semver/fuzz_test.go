package semver_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	mm "github.com/Masterminds/semver/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/semver"
)

// references are the versions a fuzzed version is compared with.
var references = []string{
	"0.0.0", "0.1.0", "1.0.0-0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
	"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.0+b", "1.2.3-456-789", "1.2.3",
	"18446744073709551615.0.0",
}

func seedVersions(f *testing.F) {
	for _, s := range validVersions {
		f.Add(s)
	}
	for _, tt := range invalidVersions {
		f.Add(tt.in)
	}
	for _, row := range precedence {
		for _, s := range row {
			f.Add(s)
		}
	}
}

// FuzzParse checks the properties of Parse: no panic; on success Compare(v,
// v) == 0 and String round-trips exactly; on failure a *ParseError that
// matches ErrInvalidVersion and points into the input. Masterminds/semver's
// strict parser serves as an oracle for validity, fields and precedence.
func FuzzParse(f *testing.F) {
	seedVersions(f)
	refs := make([]semver.Version, len(references))
	oracle := make([]*mm.Version, len(references))
	for i, s := range references {
		refs[i] = semver.MustParse(s)
		oracle[i] = strict(f, s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := semver.Parse(s)
		other, otherErr := mm.StrictNewVersion(s)
		if err != nil {
			require.ErrorIs(t, err, semver.ErrInvalidVersion)
			var pe *semver.ParseError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, s, pe.Input)
			require.GreaterOrEqual(t, pe.Pos, 0)
			require.LessOrEqual(t, pe.Pos, max(len(s), semver.MaxLength))
			require.NotErrorIs(t, err, semver.ErrInvalidCalVer)
			require.Error(t, otherErr, "Masterminds accepts %q: %v", s, err)
			return
		}
		require.NoError(t, otherErr, "Masterminds rejects %q", s)
		require.Zero(t, semver.Compare(v, v))
		require.Equal(t, s, v.String())
		again, err := semver.Parse(v.String())
		require.NoError(t, err)
		require.Equal(t, v, again)
		require.True(t, v.Equal(again))

		require.Equal(t, other.Major(), v.Major())
		require.Equal(t, other.Minor(), v.Minor())
		require.Equal(t, other.Patch(), v.Patch())
		require.Equal(t, other.Prerelease(), v.Prerelease())
		require.Equal(t, other.Metadata(), v.Build())
		if hugeNumericIdentifier(v.Prerelease()) {
			return // Masterminds compares these as text; see TestCompareHugeIdentifiers.
		}
		for i, r := range refs {
			require.Equal(t, other.Compare(oracle[i]), semver.Compare(v, r), "Compare(%s, %s)", v, r)
		}
	})
}

// strict parses s with Masterminds' strict parser.
func strict(t testing.TB, s string) *mm.Version {
	t.Helper()
	v, err := mm.StrictNewVersion(s)
	require.NoError(t, err, s)
	return v
}

// hugeNumericIdentifier reports whether pre has a numeric identifier that
// does not fit in a uint64.
func hugeNumericIdentifier(pre string) bool {
	for id := range strings.SplitSeq(pre, ".") {
		if id != "" && strings.Trim(id, "0123456789") == "" {
			if _, err := strconv.ParseUint(id, 10, 64); err != nil {
				return true
			}
		}
	}
	return false
}

// TestCompareHugeIdentifiers pins the reason for the exception in FuzzParse:
// SemVer compares numeric identifiers numerically at any size, Masterminds
// falls back to text beyond 64 bits.
func TestCompareHugeIdentifiers(t *testing.T) {
	small, big := "1.0.0-99999999999999999999", "1.0.0-100000000000000000000"
	assert.Equal(t, -1, semver.Compare(semver.MustParse(small), semver.MustParse(big)))
	assert.Equal(t, +1, strict(t, small).Compare(strict(t, big)), "Masterminds differs here")
}

// FuzzCompare checks that Compare is an order consistent with Masterminds.
func FuzzCompare(f *testing.F) {
	for i, a := range validVersions {
		f.Add(a, validVersions[(i+1)%len(validVersions)])
	}
	for _, row := range precedence {
		f.Add(row[0], row[len(row)-1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		va, errA := semver.Parse(a)
		vb, errB := semver.Parse(b)
		if errA != nil || errB != nil {
			return
		}
		c := semver.Compare(va, vb)
		require.Equal(t, -c, semver.Compare(vb, va))
		require.Equal(t, c < 0, va.Less(vb))
		if va.Equal(vb) {
			require.Zero(t, c)
		}
		if c == 0 {
			require.Equal(t, va.Core(), vb.Core())
			require.Equal(t, va.Prerelease(), vb.Prerelease())
		}
		if !hugeNumericIdentifier(va.Prerelease()) && !hugeNumericIdentifier(vb.Prerelease()) {
			require.Equal(t, strict(t, a).Compare(strict(t, b)), c)
		}
	})
}

// FuzzSchemeParse checks Scheme.Parse with any prefix: no panic; a tag
// without the prefix is a ValueError "tag does not match scheme"; an error past the prefix points into the
// tag; a parsed tag formats back to itself, and Select agrees.
func FuzzSchemeParse(f *testing.F) {
	for _, p := range []string{"v", "", "api/v", "api-v"} {
		for _, s := range validVersions {
			f.Add(p, p+s)
		}
		for _, tt := range invalidVersions {
			f.Add(p, p+tt.in)
		}
	}
	f.Add("v", "latest")
	f.Add("v", "release-2020")
	f.Fuzz(func(t *testing.T, prefix, tag string) {
		s := semver.Scheme{Prefix: prefix}
		v, err := s.Parse(tag)
		p, selErr := semver.Select([]semver.Tag{{Name: tag, Commit: "c"}}, s)
		require.NoError(t, selErr)
		require.Equal(t, err == nil, p.HasLatest)
		switch {
		case !strings.HasPrefix(tag, prefix):
			requireMatches(t, err, noMatch)
			require.False(t, errors.Is(err, semver.ErrInvalidVersion))
		case err != nil:
			require.ErrorIs(t, err, semver.ErrInvalidVersion)
			var pe *semver.ParseError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, tag, pe.Input)
			require.GreaterOrEqual(t, pe.Pos, len(prefix))
			require.LessOrEqual(t, pe.Pos, max(len(tag), len(prefix)+semver.MaxLength))
		default:
			require.Equal(t, tag, s.Format(v))
			require.Equal(t, v, p.Latest.Version)
			require.Equal(t, !v.IsPrerelease(), p.HasStable)
		}
	})
}

// FuzzCalVer checks ParseCalVer: no panic; success round-trips exactly;
// failure matches ErrInvalidCalVer and never ErrInvalidVersion.
func FuzzCalVer(f *testing.F) {
	for _, tt := range validCalVers {
		f.Add(tt.in)
	}
	for _, tt := range invalidCalVers {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := semver.ParseCalVer(s)
		if err != nil {
			require.ErrorIs(t, err, semver.ErrInvalidCalVer)
			require.False(t, errors.Is(err, semver.ErrInvalidVersion))
			var pe *semver.ParseError
			require.ErrorAs(t, err, &pe)
			require.LessOrEqual(t, pe.Pos, max(len(s), semver.MaxLength))
			return
		}
		require.Equal(t, s, c.String())
		require.Zero(t, c.Compare(c))
		require.GreaterOrEqual(t, c.Month, 1)
		require.LessOrEqual(t, c.Month, 12)
	})
}

// FuzzCalVerHotfix checks that a hotfix (NextHotfix) of any calendar
// version never equals a train release after it (Next at any time,
// BumpMicro), round-trips through its string, and sorts after the release
// it patches and before the train's next release.
func FuzzCalVerHotfix(f *testing.F) {
	f.Add(2026, 2, uint64(0), uint64(0), int64(1771588800))
	f.Add(2026, 2, uint64(3), uint64(2), int64(1772323200))
	f.Add(9999, 12, uint64(18446744073709551614), uint64(5), int64(0))
	f.Fuzz(func(t *testing.T, year, month int, micro, hotfix uint64, unix int64) {
		if year < 1000 || year > 9999 || month < 1 || month > 12 {
			return
		}
		c := semver.CalVer{Year: year, Month: month, Micro: micro, Hotfix: hotfix}
		h, err := c.NextHotfix()
		if err != nil {
			return // overflow, a typed error
		}
		p, err := semver.ParseCalVer(h.String())
		if err != nil || p != h {
			t.Fatalf("hotfix %v does not round-trip: %v %v", h, p, err)
		}
		if h.Compare(c) <= 0 || h.Release() != c.Release() {
			t.Fatalf("hotfix %v does not patch %v", h, c)
		}
		trains := []semver.CalVer{}
		if n, err := c.Next(time.Unix(unix, 0)); err == nil {
			trains = append(trains, n)
		}
		if n, err := c.BumpMicro(); err == nil {
			trains = append(trains, n)
			if h.Compare(n) >= 0 {
				t.Fatalf("hotfix %v does not sort before the next train release %v", h, n)
			}
		}
		for _, n := range trains {
			if n.IsHotfix() || n.String() == h.String() || n == h {
				t.Fatalf("train release %v collides with hotfix %v", n, h)
			}
		}
	})
}

package semver_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	mm "github.com/Masterminds/semver/v3"

	"github.com/releasekit/releasekit/semver"
)

var benchInputs = []string{
	"1.2.3",
	"1.0.0-rc.1+build.5",
	"1.2.3----RC-SNAPSHOT.12.9.1--.12+788",
}

// BenchmarkParse measures Parse, with Masterminds' strict parser for
// reference.
func BenchmarkParse(b *testing.B) {
	for _, in := range benchInputs {
		b.Run("releasekit/"+in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := semver.Parse(in); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("masterminds/"+in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := mm.StrictNewVersion(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("releasekit/invalid", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := semver.Parse("1.2.3-0123"); err == nil {
				b.Fatal("no error")
			}
		}
	})
}

var benchPairs = []struct{ name, a, b string }{
	{"core", "1.2.3", "1.2.4"},
	{"prerelease", "1.0.0-alpha.1", "1.0.0-alpha.beta"},
	{"long prerelease", "1.0.0-rc.1.2.3.4.5.6.7.8.9+a", "1.0.0-rc.1.2.3.4.5.6.7.8.10+b"},
}

// BenchmarkCompare measures Compare against Masterminds' Compare, which
// splits pre-releases into new slices on every call.
func BenchmarkCompare(b *testing.B) {
	for _, p := range benchPairs {
		va, vb := semver.MustParse(p.a), semver.MustParse(p.b)
		b.Run("releasekit/"+p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if semver.Compare(va, vb) >= 0 {
					b.Fatal("bad compare")
				}
			}
		})
		ma, mb := strict(b, p.a), strict(b, p.b)
		b.Run("masterminds/"+p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if ma.Compare(mb) >= 0 {
					b.Fatal("bad compare")
				}
			}
		})
	}
}

// benchTags returns n tags as a long-lived repository has them: mostly
// releases, some pre-releases, tags of other components and other names, in
// random (but fixed) order.
func benchTags(n int) []semver.Tag {
	rng := rand.New(rand.NewPCG(7, 11))
	tags := make([]semver.Tag, 0, n)
	for i := 0; len(tags) < n; i++ {
		major, minor, patch := i/400, i/20%20, i%20
		commit := fmt.Sprintf("%040x", i)
		var name string
		switch i % 10 {
		case 0:
			name = fmt.Sprintf("v%d.%d.%d-rc.%d", major, minor, patch, i%7)
		case 1:
			name = fmt.Sprintf("api/v%d.%d.%d", major, minor, patch)
		case 2:
			name = fmt.Sprintf("build-%d", i)
		default:
			name = fmt.Sprintf("v%d.%d.%d", major, minor, patch)
		}
		tags = append(tags, semver.Tag{Name: name, Commit: commit})
	}
	rng.Shuffle(len(tags), func(i, j int) { tags[i], tags[j] = tags[j], tags[i] })
	return tags
}

// BenchmarkSelect chooses the previous release among 2,000 tags.
func BenchmarkSelect(b *testing.B) {
	tags := benchTags(2000)
	s := semver.Scheme{Prefix: "v"}
	b.ReportAllocs()
	for b.Loop() {
		p, err := semver.Select(tags, s)
		if err != nil || !p.HasStable {
			b.Fatal(p, err)
		}
	}
}

package changelog_test

import (
	"bufio"
	"io"
	"testing"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/semver"
)

// BenchmarkHistory renders the whole-history changelog of HEAD in the
// Markdown format: one section per release tag plus Unreleased.
func BenchmarkHistory(b *testing.B) {
	repo := gittest.BenchRepo(b)
	head, err := commits.Resolve(repo, "HEAD")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		w := bufio.NewWriter(io.Discard)
		n := 0
		for rel, err := range changelog.History(b.Context(), repo, head, semver.Scheme{Prefix: "v"}, changelog.WithUnreleased()) {
			if err != nil {
				b.Fatal(err)
			}
			n += len(rel.Commits)
			if err := changelog.Write(w, changelog.Build(rel), changelog.Markdown); err != nil {
				b.Fatal(err)
			}
		}
		_ = w.Flush()
		b.ReportMetric(float64(n), "commits/op")
	}
}

package changelog_test

import (
	"bufio"
	"io"
	"os"
	"testing"

	"github.com/go-git/go-git/v5"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/semver"
)

// benchRepo opens $RELEASEKIT_BENCH_REPO (a repository made with
// internal/testkit/gittest/genrepo, such as 100k commits with a tag every 50) or
// generates 10k commits with a tag every 50.
func benchRepo(b *testing.B) *git.Repository {
	b.Helper()
	if dir := os.Getenv("RELEASEKIT_BENCH_REPO"); dir != "" {
		repo, err := git.PlainOpen(dir)
		if err != nil {
			b.Fatal(err)
		}
		return repo
	}
	g := gittest.Synthetic(b, gittest.Spec{Commits: 10000, TagEvery: 50, Unreleased: 20, Seed: 1})
	return g.GoGit(b)
}

// BenchmarkHistory renders the whole-history changelog of HEAD in the
// Markdown format: one section per release tag plus Unreleased.
func BenchmarkHistory(b *testing.B) {
	repo := benchRepo(b)
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

package commits_test

import (
	"os"
	"testing"

	"github.com/go-git/go-git/v5"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/semver"
)

// benchRepo opens $RELEASEKIT_BENCH_REPO (a repository made with
// internal/testkit/gittest/genrepo, e.g. 100k commits) or generates 10k commits.
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

// BenchmarkLogHistory reads and parses the whole history of HEAD.
func BenchmarkLogHistory(b *testing.B) {
	repo := benchRepo(b)
	head, err := commits.Resolve(repo, "HEAD")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	n := 0
	for b.Loop() {
		n = 0
		for _, err := range commits.Log(b.Context(), repo, commits.Range{To: head}) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n), "commits")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "commits/s")
}

// BenchmarkNext computes the next version: previous release among the tags
// plus the commits since it.
func BenchmarkNext(b *testing.B) {
	repo := benchRepo(b)
	head, err := commits.Resolve(repo, "HEAD")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := commits.Next(b.Context(), repo, head, semver.Scheme{Prefix: "v"}); err != nil {
			b.Fatal(err)
		}
	}
}

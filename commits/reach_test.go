package commits_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/semver"
)

// sideShape is a history with pre-releases of a higher version on a side
// branch: behind commits (the last tagged v0.9.0), then main goes on for
// mainAfter commits to v1.0.0 and two unreleased fixes, while the branch
// "next", forked at v0.9.0, has side commits whose last prereleases carry
// v2.0.0-rc.1 … v2.0.0-rc.N.
type sideShape struct {
	behind, mainAfter, side, prereleases int
	tagAt                                []int // with prereleases 0: the commits of "next" to tag (1-based)
	merged                               bool  // merge "next" into main at the end
	graph                                bool  // git commit-graph write --reachable
}

func sideRepo(t testing.TB, s sideShape) *gittest.Repo {
	t.Helper()
	g := gittest.New(t)
	for i := range s.behind {
		g.EmptyCommit(fmt.Sprintf("chore: old %d", i))
	}
	g.Tag("v0.9.0", "HEAD")
	g.Branch("next", "HEAD")
	for i := range s.mainAfter {
		g.EmptyCommit(fmt.Sprintf("chore: main %d", i))
	}
	g.Tag("v1.0.0", "HEAD")
	g.Checkout("next")
	side := max(s.side, s.prereleases)
	for i := range side {
		g.EmptyCommit(fmt.Sprintf("feat!: next %d", i))
		if k := i - (side - s.prereleases) + 1; k >= 1 && s.prereleases > 0 {
			g.Tag(fmt.Sprintf("v2.0.0-rc.%d", k), "HEAD")
		}
		if k := slices.Index(s.tagAt, i+1); k >= 0 {
			g.Tag(fmt.Sprintf("v2.0.0-rc.%d", k+1), "HEAD")
		}
	}
	g.Checkout("main")
	g.EmptyCommit("fix: one")
	g.EmptyCommit("fix: two")
	if s.merged {
		g.Merge("next", "Merge branch 'next'")
	}
	if s.graph {
		g.Git("commit-graph", "write", "--reachable")
	}
	return g
}

// previousVisits runs Previous at HEAD and returns it with the number of
// commits the candidate walk visited.
func previousVisits(t testing.TB, g *gittest.Repo) (semver.Previous, int64) {
	t.Helper()
	repo := g.GoGit(t)
	head, err := commits.Resolve(repo, "HEAD")
	require.NoError(t, err)
	before := commits.ReachVisits()
	prev, err := commits.Previous(t.Context(), repo, head, semverV())
	require.NoError(t, err)
	return prev, commits.ReachVisits() - before
}

// TestPreviousSideBranchPrereleases: higher pre-releases on a branch that
// is not merged are not previous releases, with and without a
// commit-graph, and all of them count once merged. The reachable tags
// agree with `git tag --merged`.
func TestPreviousSideBranchPrereleases(t *testing.T) {
	for _, merged := range []bool{false, true} {
		for _, graph := range []bool{false, true} {
			t.Run(fmt.Sprintf("merged=%v/graph=%v", merged, graph), func(t *testing.T) {
				g := sideRepo(t, sideShape{behind: 15, mainAfter: 12, side: 20, prereleases: 12, merged: merged, graph: graph})
				if graph {
					require.FileExists(t, g.Dir+"/.git/objects/info/commit-graph")
				}
				prev, _ := previousVisits(t, g)
				require.True(t, prev.HasStable)
				assert.Equal(t, "v1.0.0", prev.Stable.Tag)
				want := "v1.0.0"
				if merged {
					want = "v2.0.0-rc.12"
				}
				assert.Equal(t, want, prev.Latest.Tag)

				// The same answer as git for every tag's own history.
				tags := strings.Fields(g.Git("tag", "--merged", "HEAD"))
				assert.Equal(t, merged, slices.Contains(tags, "v2.0.0-rc.1"))
				for _, rev := range []string{"v2.0.0-rc.5", "v1.0.0"} {
					repo := g.GoGit(t)
					p, err := commits.Previous(t.Context(), repo, resolve(t, repo, rev), semverV())
					require.NoError(t, err)
					assert.Equal(t, rev, p.Latest.Tag)
					assert.Equal(t, map[string]string{"v2.0.0-rc.5": "v0.9.0", "v1.0.0": "v1.0.0"}[rev], p.Stable.Tag)
				}
			})
		}
	}
}

// TestReachWorkPerCandidate: deciding 30 candidates on one branch costs no
// more than deciding the costliest of them alone (the lowest one with
// generation numbers, the highest one in date order), where a walk per
// candidate cost the sum.
func TestReachWorkPerCandidate(t *testing.T) {
	for _, graph := range []bool{false, true} {
		t.Run(fmt.Sprintf("graph=%v", graph), func(t *testing.T) {
			g := sideRepo(t, sideShape{behind: 10, mainAfter: 50, side: 60, graph: graph})
			visits := func(at ...int) int64 {
				for _, tag := range strings.Fields(g.Git("tag", "--list", "v2.*")) {
					g.Git("tag", "-d", tag)
				}
				for k, i := range at {
					g.Tag(fmt.Sprintf("v2.0.0-rc.%d", k+1), fmt.Sprintf("next~%d", 60-i))
				}
				prev, n := previousVisits(t, g)
				assert.Equal(t, "v1.0.0", prev.Latest.Tag)
				return n
			}
			lowest, highest := visits(31), visits(60)
			all := make([]int, 30)
			for i := range all {
				all[i] = 31 + i
			}
			thirty := visits(all...)
			t.Logf("visits: lowest candidate alone %d, highest alone %d, 30 candidates %d", lowest, highest, thirty)
			assert.Positive(t, max(lowest, highest))
			assert.LessOrEqual(t, thirty, max(lowest, highest)+5, "one walk for all candidates")
		})
	}
}

// TestReachWorkHistoryBehind: the walk stops at the candidates' common
// history with the frontier, however long the history behind it.
func TestReachWorkHistoryBehind(t *testing.T) {
	for _, graph := range []bool{false, true} {
		t.Run(fmt.Sprintf("graph=%v", graph), func(t *testing.T) {
			shape := sideShape{behind: 5, mainAfter: 20, side: 10, prereleases: 10, graph: graph}
			_, short := previousVisits(t, sideRepo(t, shape))
			shape.behind = 120
			_, long := previousVisits(t, sideRepo(t, shape))
			t.Logf("visits: 5 commits behind %d, 120 behind %d", short, long)
			assert.LessOrEqual(t, long, short+5)
		})
	}
}

// TestReachGenerationCutoff: with a commit-graph, candidates of a higher
// generation than every commit of the frontier are decided without a walk;
// without one, the walk goes down to the fork.
func TestReachGenerationCutoff(t *testing.T) {
	shape := sideShape{behind: 50, mainAfter: 40, side: 60, prereleases: 20}
	prev, dated := previousVisits(t, sideRepo(t, shape))
	assert.Equal(t, "v1.0.0", prev.Latest.Tag)
	shape.graph = true
	prev, generations := previousVisits(t, sideRepo(t, shape))
	assert.Equal(t, "v1.0.0", prev.Latest.Tag)
	t.Logf("visits: commit-date order %d, generation order %d", dated, generations)
	assert.GreaterOrEqual(t, dated, int64(40), "date order: down to the fork")
	assert.LessOrEqual(t, generations, int64(2))

	// The same from a split commit-graph chain.
	g := sideRepo(t, sideShape{behind: 50, mainAfter: 40, side: 60, prereleases: 20})
	g.Git("commit-graph", "write", "--reachable", "--split")
	prev, split := previousVisits(t, g)
	assert.Equal(t, "v1.0.0", prev.Latest.Tag)
	assert.LessOrEqual(t, split, int64(2), "split chain")
}

// TestReachableMatchesRevList decides random candidates against random tips
// in one walk on merge-heavy generated histories, with and without a
// commit-graph, and compares with `git rev-list`.
func TestReachableMatchesRevList(t *testing.T) {
	for _, seed := range []int64{4, 5} {
		g := gittest.MergeHeavy(t, seed, 300)
		all := g.RevList("--all")
		for _, graph := range []string{"", "file", "split"} {
			switch graph {
			case "file":
				g.Git("commit-graph", "write", "--reachable")
			case "split":
				require.NoError(t, os.Remove(filepath.Join(g.Dir, ".git", "objects", "info", "commit-graph")))
				g.Git("commit-graph", "write", "--reachable", "--split")
				require.FileExists(t, filepath.Join(g.Dir, ".git", "objects", "info", "commit-graphs", "commit-graph-chain"))
			}
			repo := g.GoGit(t)
			rng := rand.New(rand.NewPCG(uint64(seed), 7))
			for trial := range 15 {
				tipRevs := make([]string, 1+rng.IntN(3))
				tips := make([]plumbing.Hash, len(tipRevs))
				for i := range tipRevs {
					tipRevs[i] = all[rng.IntN(len(all))]
					tips[i] = plumbing.NewHash(tipRevs[i])
				}
				inTips := make(map[string]bool)
				for _, h := range g.RevList(tipRevs...) {
					inTips[h] = true
				}
				cands := make([]plumbing.Hash, 1+rng.IntN(70))
				want := make([]bool, len(cands))
				for i := range cands {
					h := all[rng.IntN(len(all))]
					cands[i], want[i] = plumbing.NewHash(h), inTips[h]
				}
				got, err := commits.Reachable(t.Context(), repo, tips, cands)
				require.NoError(t, err)
				assert.Equal(t, want, got, "seed %d graph %q trial %d", seed, graph, trial)
			}
		}
	}
}

package commits_test

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/semver"
)

// benchMessages are typical messages of a history: most are short
// Conventional Commits, some have a body and trailers, a few are not
// conventional or are merges.
var benchMessages = []struct{ name, msg string }{
	{"short", "feat(api): add the users endpoint\n"},
	{"body-footers", "fix(parser): handle CRLF line endings in footers (#1234)\n\n" +
		"The parser used to keep a carriage return at the end of every footer\n" +
		"value, which broke the ticket links of PROJ-42 in the changelog.\n\n" +
		"Refs: #1200, PROJ-42\n" +
		"Risk: low\n" +
		"Co-authored-by: Jane Doe <jane@example.com>\n" +
		"Signed-off-by: John Roe <john@example.com>\n"},
	{"non-conventional", "Update README.md with the new install steps\n"},
	{"merge", "Merge pull request #4242 from octo/feature-x\n\nfeat(ui): new dashboard\n"},
}

func BenchmarkParse(b *testing.B) {
	for _, bm := range benchMessages {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bm.msg)))
			for b.Loop() {
				_, _ = commits.Parse(bm.msg)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// BenchmarkParseMix parses the messages in the proportions of a typical
// history: 70% short, 20% with body and trailers, 7% non-conventional and
// 3% merges.
func BenchmarkParseMix(b *testing.B) {
	var mix []string
	for i := 0; i < 100; i++ {
		switch {
		case i < 70:
			mix = append(mix, benchMessages[0].msg)
		case i < 90:
			mix = append(mix, benchMessages[1].msg)
		case i < 97:
			mix = append(mix, benchMessages[2].msg)
		default:
			mix = append(mix, benchMessages[3].msg)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _ = commits.Parse(mix[i%len(mix)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkParseLarge parses a 10 MB body, to show that time is linear.
func BenchmarkParseLarge(b *testing.B) {
	msg := "feat: big\n\n" + strings.Repeat("some body text with PROJ-1 in it\n", 10<<20/33)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		_, _ = commits.Parse(msg, commits.WithMaxLength(len(msg)))
	}
}

// BenchmarkParseCRLFBomb is row 24 of RELIABILITY.md: "b", a million CRLF
// and "b".
func BenchmarkParseCRLFBomb(b *testing.B) {
	msg := "b" + strings.Repeat("\r\n", 1_000_000) + "b"
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		_, _ = commits.Parse(msg, commits.WithMaxLength(len(msg)))
	}
}

// BenchmarkLogHistory reads and parses the whole history of HEAD.
func BenchmarkLogHistory(b *testing.B) {
	repo := gittest.BenchRepo(b)
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
	repo := gittest.BenchRepo(b)
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

// BenchmarkParseShapes times each of [parseShapes] at 64 KiB and 1 MiB:
// with linear time the ns/op of the two sizes differ by about 16, with
// quadratic time by about 256. TestParseLinearWork guards the same shapes
// by counting work.
func BenchmarkParseShapes(b *testing.B) {
	for name, shape := range parseShapes {
		for _, n := range []int{64 << 10, 1 << 20} {
			msg := shape(n)
			opts := []commits.ParseOption{commits.WithMaxLength(len(msg))}
			b.Run(fmt.Sprintf("%s/%dKiB", name, n>>10), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(msg)))
				for b.Loop() {
					_, _ = commits.Parse(msg, opts...)
				}
			})
		}
	}
}

// BenchmarkNextSideBranchPrereleases computes the next version on main
// while 29 pre-releases of a higher version sit on a branch that is not
// merged: 100 commits forked 2,000 first-parent commits below HEAD of a
// 10k-commit generated history (the shape of a web framework's next-minor
// branch). Without a commit-graph the candidates are decided by one walk
// down to the fork; with one, by generation numbers.
func BenchmarkNextSideBranchPrereleases(b *testing.B) {
	g := gittest.Synthetic(b, gittest.Spec{Commits: 10000, TagEvery: 50, Unreleased: 20, Seed: 1})
	fork := g.RevParse("HEAD~2000")
	var stream strings.Builder
	when := gittest.CommitTime(20000).Unix()
	for i := range 100 {
		fmt.Fprintf(&stream, "commit refs/heads/next\nmark :%d\ncommitter B <b@example.com> %d +0000\ndata <<EOT\nfeat!: next %d\nEOT\n", i+1, when+int64(i), i)
		if i == 0 {
			fmt.Fprintf(&stream, "from %s\n", fork)
		}
		stream.WriteString("\n")
		if k := i - 70; k >= 1 {
			fmt.Fprintf(&stream, "reset refs/tags/v999.0.0-rc.%d\nfrom :%d\n\n", k, i+1)
		}
	}
	cmd := exec.CommandContext(b.Context(), "git", "fast-import", "--quiet")
	cmd.Dir, cmd.Env, cmd.Stdin = g.Dir, g.Env(), strings.NewReader(stream.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("fast-import: %v: %s", err, out)
	}
	run := func(b *testing.B) {
		repo := g.GoGit(b)
		head, err := commits.Resolve(repo, "HEAD")
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			p, err := commits.Next(b.Context(), repo, head, semver.Scheme{Prefix: "v"})
			if err != nil {
				b.Fatal(err)
			}
			if strings.HasPrefix(p.Previous.Latest.Tag, "v999") {
				b.Fatalf("previous %s: a pre-release of the side branch", p.Previous.Latest.Tag)
			}
		}
	}
	b.Run("commit-date", run)
	g.Git("commit-graph", "write", "--reachable")
	b.Run("commit-graph", run)
}

// BenchmarkLogRange reads one range (`log A..HEAD`, about 1,000 commits)
// at the top of generated histories of 10k and 100k commits: ns/op and
// objects/op stay the same whatever the history behind A (compare the two
// sizes).
func BenchmarkLogRange(b *testing.B) {
	for _, size := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("history=%d", size), func(b *testing.B) {
			g := gittest.Synthetic(b, gittest.Spec{Commits: size, TagEvery: 50, Unreleased: 20, Seed: 7})
			since := g.Git("describe", "--tags", "--abbrev=0", "HEAD~1000")
			repo := g.GoGit(b)
			r, err := commits.ResolveRange(repo, since+"..HEAD")
			if err != nil {
				b.Fatal(err)
			}
			before := commits.ObjectReads()
			n := 0
			for b.Loop() {
				n = 0
				for _, err := range commits.Log(b.Context(), repo, r) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
			}
			b.ReportMetric(float64(n), "commits")
			b.ReportMetric(float64(commits.ObjectReads()-before)/float64(b.N), "objects/op")
		})
	}
}

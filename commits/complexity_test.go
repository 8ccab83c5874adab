package commits_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/releasekit/releasekit/commits"
)

// parseShapes are the messages that could make a parser quadratic, each
// built at about n bytes.
var parseShapes = map[string]func(n int) string{
	"crlf":          func(n int) string { return "b" + strings.Repeat("\r\n", n/2) + "b" },
	"one-line":      func(n int) string { return "feat: " + strings.Repeat("x", n) },
	"paren-header":  func(n int) string { return "Update (" + strings.Repeat("x", n) + ")" },
	"footers":       func(n int) string { return "fix: x\n\n" + strings.Repeat("Refs: #1, AB-12\n", n/16) },
	"continuations": func(n int) string { return "fix: x\n\nNote: a\n" + strings.Repeat("more text\n", n/10) },
	"after-cherry": func(n int) string {
		return "fix: x\n\nNote: a\n(cherry picked from commit abcd)\n" + strings.Repeat("more\n", n/5)
	},
	"bullets":        func(n int) string { return "feat: x\n\n" + strings.Repeat("* fix: y\n", n/9) },
	"distinct-bulls": func(n int) string { return "feat: x\n\n" + genBullets(n) },
	"slow-bullets":   func(n int) string { return "feat: x\n\n" + strings.Repeat("* fix(a: y\n\n", n/12) },
	"override":       func(n int) string { return "feat: x\n\nBEGIN_COMMIT_OVERRIDE\n" + strings.Repeat("fix: y\n", n/7) },
	"tickets":        func(n int) string { return "fix: x\n\n" + genTickets(n) },
	"dashes":         func(n int) string { return "fix: x\n\n" + strings.Repeat("ABCDEFGH-", n/9) },
	"breaking-ish": func(n int) string {
		return "fix: x\n\nA: b\n" + strings.Repeat("breaking "+strings.Repeat("x", 30)+"\n", n/40)
	},
	"paragraphs": func(n int) string { return "fix: x\n\n" + strings.Repeat("a\n\n", n/3) + "Refs: 1" },
	"breaking-paragraphs": func(n int) string {
		return "fix: x\n\nBREAKING CHANGE: a\n" + strings.Repeat("\n", n/4) + strings.Repeat("- b\n\n", n/8)
	},
	"breaking-after-cherry": func(n int) string {
		return "fix: x\n\nBREAKING CHANGE: a\n(cherry picked from commit abcd)\n" + strings.Repeat("\nb\n", n/3)
	},
	"header-paragraphs": func(n int) string { return "feat: x\n\n" + strings.Repeat("fix: y\nfeat: z\n\n", n/16) },
	"co-authors":        func(n int) string { return "fix: x\n\n" + genCoAuthors(n) },
}

// parseWork is the work one Parse of msg does, counted in allocations and
// allocated bytes; it does not depend on the machine's speed or load. The
// override block and the additional headers are read, so that their shapes
// are measured.
func parseWork(msg string) (allocs, bytes float64) {
	opts := []commits.ParseOption{commits.WithMaxLength(len(msg)), commits.WithOverride(), commits.WithAdditionalHeaders()}
	allocs = testing.AllocsPerRun(2, func() { _, _ = commits.Parse(msg, opts...) })
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _ = commits.Parse(msg, opts...)
	runtime.ReadMemStats(&after)
	return allocs, float64(after.TotalAlloc - before.TotalAlloc)
}

// TestParseLinearWork checks the shapes that could make a parser quadratic
// by the work Parse does, not by the time it takes (a loaded machine makes
// times meaningless): at 1 MiB each shape must allocate, in count and in
// bytes, less than 64 times what it allocates at 64 KiB (16 for linear
// work, 256 for quadratic). BenchmarkParseShapes measures the times.
func TestParseLinearWork(t *testing.T) {
	for name, shape := range parseShapes {
		t.Run(name, func(t *testing.T) {
			sa, sb := parseWork(shape(64 << 10))
			la, lb := parseWork(shape(1 << 20))
			t.Logf("64 KiB: %.0f allocs, %.0f B; 1 MiB: %.0f allocs, %.0f B", sa, sb, la, lb)
			assert.Less(t, la, 64*max(sa, 1), "allocations are not linear in the length")
			assert.Less(t, lb, 64*max(sb, 1), "allocated bytes are not linear in the length")
		})
	}
}

func genBullets(n int) string {
	var sb strings.Builder
	for i := 0; sb.Len() < n; i++ {
		fmt.Fprintf(&sb, "* fix: change %d\n", i)
	}
	return sb.String()
}

func genTickets(n int) string {
	var sb strings.Builder
	for i := 0; sb.Len() < n; i++ {
		fmt.Fprintf(&sb, "PROJ-%d ", i)
	}
	return sb.String()
}

func genCoAuthors(n int) string {
	var sb strings.Builder
	for i := 0; sb.Len() < n; i++ {
		fmt.Fprintf(&sb, "Co-authored-by: A%d <a@b>\n", i)
	}
	return sb.String()
}

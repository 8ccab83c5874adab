package commits_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/semver"
)

// TestParseMachineQuirks pins how Parse handles each known quirk of
// go-conventionalcommits (DESIGN.md, commits).
func TestParseMachineQuirks(t *testing.T) {
	t.Run("CRLF is normalised first", func(t *testing.T) {
		m, err := commits.Parse("feat(s): m\r\n\r\nbody line\r\n\r\nBREAKING CHANGE: gone\r\nRefs: #1\r\n")
		require.NoError(t, err)
		assert.Equal(t, "feat(s): m", m.Subject)
		assert.Equal(t, "m", m.Description)
		assert.Equal(t, "body line", m.Body)
		assert.Equal(t, []string{"gone"}, m.BreakingNotes)
		assert.Equal(t, []commits.Footer{{Key: "BREAKING CHANGE", Value: "gone"}, {Key: "Refs", Value: "#1"}}, m.Footers)
	})
	t.Run("Revert is not type `revert \"feat`", func(t *testing.T) {
		m, err := commits.Parse(`Revert "feat: x"`)
		require.NoError(t, err)
		assert.False(t, m.Conventional)
		assert.Empty(t, m.Type)
		assert.Equal(t, &commits.Revert{Header: "feat: x"}, m.Revert)
	})
	t.Run("merge subjects are recognised, not rejected", func(t *testing.T) {
		for _, s := range []string{"Merge pull request #1 from u/f", "Merge branch 'x'", "Merge tag 'v1'",
			"Merge remote-tracking branch 'origin/x'", "Merge commit 'abc'", "Merge branches 'a' and 'b'"} {
			m, err := commits.Parse(s)
			require.NoError(t, err, s)
			assert.NotNil(t, m.Merge, s)
			assert.True(t, m.Ignored, s)
		}
		_, err := commits.Parse("Merge the two parsers")
		assert.ErrorIs(t, err, commits.ErrIncompleteHeader, "an unknown Merge subject is an ordinary subject")
	})
	t.Run("footer order and key case are kept", func(t *testing.T) {
		m, err := commits.Parse("fix: x\n\nZeta: 1\nalpha: 2\nZeta: 3\nSIGNED-OFF-BY: Leo")
		require.NoError(t, err)
		assert.Equal(t, []commits.Footer{{Key: "Zeta", Value: "1"}, {Key: "alpha", Value: "2"}, {Key: "Zeta", Value: "3"},
			{Key: "SIGNED-OFF-BY", Value: "Leo"}}, m.Footers)
	})
	t.Run("scope case is kept", func(t *testing.T) {
		m, err := commits.Parse("feat(MyScope): x")
		require.NoError(t, err)
		assert.Equal(t, "MyScope", m.Scope)
	})
	t.Run("empty scope", func(t *testing.T) {
		_, err := commits.Parse("feat(): x")
		assert.ErrorIs(t, err, commits.ErrEmptyScope)
		m, err := commits.Parse("feat(): x", commits.Lenient())
		require.NoError(t, err)
		assert.True(t, m.Conventional)
		assert.Empty(t, m.Scope)
	})
	t.Run("leading space", func(t *testing.T) {
		for _, opts := range [][]commits.ParseOption{nil, {commits.Lenient()}} {
			m, err := commits.Parse(" feat(s): x", opts...)
			assert.ErrorIs(t, err, commits.ErrInvalidType)
			assert.False(t, m.Conventional)
		}
	})
}

func TestParseErrorWrapping(t *testing.T) {
	_, err := commits.Parse("fix:x")
	var pe *commits.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, &commits.ParseError{Pos: 4, Line: 1, Err: commits.ErrMissingSpace}, pe)
	assert.ErrorIs(t, err, commits.ErrMissingSpace)
	assert.ErrorIs(t, err, commits.ErrNotConventional)
	assert.NotErrorIs(t, err, commits.ErrColon)
	assert.Equal(t, "commits: missing space after colon (line 1, pos 4)", err.Error())

	for _, s := range []error{commits.ErrNotConventional, commits.ErrEmpty, commits.ErrEmptyScope, commits.ErrMissingSpace,
		commits.ErrEmptyDescription, commits.ErrIncompleteHeader, commits.ErrMalformedScope, commits.ErrColon,
		commits.ErrInvalidType, commits.ErrMissingBlankLine, commits.ErrInvalidFooter, commits.ErrInvalidUTF8,
		commits.ErrControlChar, commits.ErrTooLong, commits.ErrDisallowedType, commits.ErrDisallowedScope,
		commits.ErrMissingScope, commits.ErrMissingTicket, commits.ErrSubjectTooLong} {
		assert.True(t, strings.HasPrefix(s.Error(), "commits: "), s.Error())
	}
}

func TestParseInvalidInputIsKept(t *testing.T) {
	in := "feat(api): x\n\nbody with NUL \x00 here\n\nRefs: PROJ-9\nCo-authored-by: A <a@b>"
	for _, opts := range [][]commits.ParseOption{nil, {commits.Lenient()}} {
		m, err := commits.Parse(in, opts...)
		var pe *commits.ParseError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, &commits.ParseError{Pos: 28, Line: 3, Err: commits.ErrControlChar}, pe)
		assert.False(t, m.Conventional, "invalid input is never conventional, in either mode")
		assert.Equal(t, "feat(api): x", m.Subject, "but it is kept")
		assert.Equal(t, []string{"PROJ-9"}, m.Tickets)
		assert.Equal(t, []string{"A <a@b>"}, m.CoAuthors)
		assert.Nil(t, m.Changes())
	}
}

func TestParseOptions(t *testing.T) {
	t.Run("WithTicketPattern", func(t *testing.T) {
		msg := "fix: x\n\nSee JIRA-1, gh-12 and gh-12 again, gh-7"
		m, err := commits.Parse(msg, commits.WithTicketPattern(regexp.MustCompile(`gh-[0-9]+`)))
		require.NoError(t, err)
		assert.Equal(t, []string{"gh-12", "gh-7"}, m.Tickets)
		m, err = commits.Parse(msg, commits.WithTicketPattern(nil))
		require.NoError(t, err)
		assert.Equal(t, []string{"JIRA-1"}, m.Tickets, "nil restores the default")
	})
	t.Run("WithMaxLength", func(t *testing.T) {
		msg := "feat: " + strings.Repeat("x", 100)
		m, err := commits.Parse(msg, commits.WithMaxLength(50))
		var pe *commits.ParseError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, &commits.ParseError{Pos: 50, Err: commits.ErrTooLong}, pe)
		assert.Empty(t, m.Subject, "nothing of a message over the limit is read")
		_, err = commits.Parse(msg, commits.WithMaxLength(len(msg)))
		require.NoError(t, err, "the limit is inclusive")
		_, err = commits.Parse(msg, commits.WithMaxLength(0))
		require.NoError(t, err, "0 restores the default")
		_, err = commits.Parse(crlfBomb)
		assert.ErrorIs(t, err, commits.ErrTooLong, "row 24 is over the default limit")
	})
	t.Run("nil option", func(t *testing.T) {
		_, err := commits.Parse("feat: x", nil)
		require.NoError(t, err)
	})
}

func TestMessageChanges(t *testing.T) {
	m, err := commits.Parse("feat(api)!: x\n\n* fix: y\n\n* chore(deps): z\n\n* Update: not lower-case, not a change")
	require.NoError(t, err)
	assert.Equal(t, semver.Change{Type: "feat", Scope: "api", Breaking: true}, m.Change())
	assert.Equal(t, []semver.Change{{Type: "feat", Scope: "api", Breaking: true}, {Type: "fix"}, {Type: "chore", Scope: "deps"}}, m.Changes())
	assert.Equal(t, semver.Major, semver.DefaultRules().Max(m.Changes()))

	bad, err := commits.Parse("fix(): x")
	require.Error(t, err)
	assert.Equal(t, semver.Change{}, bad.Change())
	assert.Nil(t, bad.Changes())
}

func TestParseJSON(t *testing.T) {
	m, err := commits.Parse("fix(db): x (#9)\n\nThis reverts commit abcdef0.\n\nRefs: #1\nCloses #2\nRisk: Low\nOwners: @db\n" +
		"Release-As: 1.2.3\nCo-authored-by: A <a@b>\n(cherry picked from commit 1234567)")
	require.NoError(t, err)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	assert.JSONEq(t, `{"conventional":true,"type":"fix","scope":"db","breaking":false,"description":"x (#9)",
		"subject":"fix(db): x (#9)","body":"This reverts commit abcdef0.",
		"footers":[{"key":"Refs","value":"#1"},{"key":"Closes","value":"2"},{"key":"Risk","value":"Low"},
			{"key":"Owners","value":"@db"},{"key":"Release-As","value":"1.2.3"},{"key":"Co-authored-by","value":"A <a@b>"}],
		"tickets":null,"pr":9,"refs":["#1"],"closes":["#2"],"risk":"low","owners":["@db"],"co_authors":["A <a@b>"],
		"cherry_picked_from":["1234567"],"reverts":{"hash":"abcdef0"},"release_as":"1.2.3"}`, string(b))
}

// TestParseConcurrent parses on several goroutines at once (run with
// -race): Parse holds no shared state.
func TestParseConcurrent(t *testing.T) {
	var inputs []string
	for _, c := range corpus {
		if len(c.in) < 4096 {
			inputs = append(inputs, c.in)
		}
	}
	want := make([]string, len(inputs))
	for i, in := range inputs {
		m, err := commits.Parse(in)
		want[i] = parseFingerprint(m, err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(inputs))
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range inputs {
				i := (k + g*7) % len(inputs)
				m, err := commits.Parse(inputs[i])
				if got := parseFingerprint(m, err); got != want[i] {
					errs <- got
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error("concurrent parse differs:", e)
	}
}

// fingerprint is a comparable rendering of a parse.
func parseFingerprint(m commits.Message, err error) string {
	b, _ := json.Marshal(m)
	return fmt.Sprintf("%s %v", b, err)
}

// TestParseLinearTime times the shapes that could make a parser quadratic:
// each shape at
// 1 MiB must take less than 100 times as long as at 64 KiB: 16 for linear
// time, 256 for quadratic. The margin absorbs cache and GC effects, which
// take the map-heavy shapes (100,000 distinct tickets, 65,000 further
// changes) to about 40 on a shared machine. Times are the best of five
// runs after a GC.
func TestParseLinearTime(t *testing.T) {
	best := func(msg string, opts ...commits.ParseOption) time.Duration {
		d := time.Duration(1 << 62)
		for range 5 {
			runtime.GC()
			start := time.Now()
			_, _ = commits.Parse(msg, append(opts, commits.WithMaxLength(len(msg)))...)
			d = min(d, time.Since(start))
		}
		return d
	}
	// Row 24's absolute figure is measured by BenchmarkParseCRLFBomb; the
	// test only logs it, since CI machines are shared.
	d := best(crlfBomb)
	t.Logf("row 24 (b + CRLF×10⁶ + b): %v", d)

	shapes := map[string]func(n int) string{
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
		"co-authors": func(n int) string { return "fix: x\n\n" + genCoAuthors(n) },
	}
	for name, shape := range shapes {
		t.Run(name, func(t *testing.T) {
			small, large := best(shape(64<<10)), best(shape(1<<20))
			t.Logf("64 KiB: %v, 1 MiB: %v (×%.1f)", small, large, float64(large)/float64(small))
			if small > 50*time.Microsecond {
				assert.Less(t, float64(large)/float64(small), 100.0, "time is not linear")
			}
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

func TestParseHugeInputs(t *testing.T) {
	m, err := commits.Parse(hugeBody, commits.WithMaxLength(len(hugeBody)))
	require.NoError(t, err)
	assert.Equal(t, "fix: big", m.Subject)
	assert.Equal(t, []string{"PROJ-7"}, m.Tickets)
	_, err = commits.Parse(hugeBody)
	assert.True(t, errors.Is(err, commits.ErrTooLong))
}

// TestOverrideMarkerOnItsOwnLine: a body that mentions the override markers
// in prose is not an override block.
func TestOverrideMarkerOnItsOwnLine(t *testing.T) {
	m, err := commits.Parse("feat(commits): parse squash bodies\n\nHandles bodies (BEGIN_COMMIT_OVERRIDE, bullet lists) and more.\n")
	require.NoError(t, err)
	assert.Equal(t, "parse squash bodies", m.Description)
	assert.Empty(t, m.Extra)

	m, err = commits.Parse("chore: squash\n\n  BEGIN_COMMIT_OVERRIDE  \nfix: real one\nfeat(ui): second\nEND_COMMIT_OVERRIDE\n")
	require.NoError(t, err)
	assert.Equal(t, "fix", m.Type)
	require.Len(t, m.Extra, 1)
	assert.Equal(t, "feat", m.Extra[0].Type)
}

package commits_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/semver"
)

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
		assert.Equal(t, &commits.ParseError{Pos: 50, Reason: reasonTooLong, Err: commits.ErrTooLong}, pe)
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
	assert.Equal(t, []semver.Change{{Type: "feat", Scope: "api", Breaking: true}}, m.Changes(),
		"a squash body's bullets are intermediate commits, never changes")
	assert.Equal(t, semver.Major, semver.DefaultRules().Max(m.Changes()))

	m, err = commits.Parse("feat(api)!: x\n\nfix: y\n\nchore(deps): z", commits.WithAdditionalHeaders())
	require.NoError(t, err)
	assert.Equal(t, []semver.Change{{Type: "feat", Scope: "api", Breaking: true}, {Type: "fix"}, {Type: "chore", Scope: "deps"}}, m.Changes())

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
		"origin":"header","subject":"fix(db): x (#9)","body":"This reverts commit abcdef0.",
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

func TestParseHugeInputs(t *testing.T) {
	m, err := commits.Parse(hugeBody, commits.WithMaxLength(len(hugeBody)))
	require.NoError(t, err)
	assert.Equal(t, "fix: big", m.Subject)
	assert.Equal(t, []string{"PROJ-7"}, m.Tickets)
	_, err = commits.Parse(hugeBody)
	assert.True(t, errors.Is(err, commits.ErrTooLong))
}

package demo_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

func TestWeeklyWindow(t *testing.T) {
	start := time.Date(2026, 1, 6, 11, 30, 0, 0, time.FixedZone("CET", 3600)) // Tue 10:30 UTC
	got := demo.WeeklyWindow(manifest.Window{Start: start, End: start.Add(90 * time.Minute)})
	assert.Equal(t, policy.Window{Days: []time.Weekday{time.Tuesday}, Start: "10:30", End: "12:00", Zone: "UTC"}, got)
}

func TestRefusal(t *testing.T) {
	denied := &policy.DeniedError{Report: policy.Report{Results: []policy.Result{
		{Control: policy.Meta{ID: "REL-A"}, Status: policy.Pass, Reason: "fine"},
		{Control: policy.Meta{ID: "REL-B"}, Status: policy.Fail, Reason: "outside the window"},
		{Control: policy.Meta{ID: "REL-C"}, Status: policy.Fail, Reason: "no approver"},
	}}}
	assert.Equal(t, "REL-B: outside the window; REL-C: no approver", demo.Refusal(denied))
	assert.Empty(t, demo.Refusal(&policy.DeniedError{}))
}

func TestPullRequest(t *testing.T) {
	var clk demo.Clock
	repo, _ := newRepo(t, &clk) // feat: a (#1) by Ada Developer
	_, err := demo.Commit(repo, nil, "feat: b (#7)", "Ben Reviewer", clk.Next())
	require.NoError(t, err)
	tip, err := demo.Commit(repo, nil, "chore(release): v1.1.0", "Release Bot", clk.Next())
	require.NoError(t, err)
	var cs []commits.Commit
	for c, err := range commits.Log(t.Context(), repo, commits.Range{To: tip}) {
		require.NoError(t, err)
		cs = append(cs, c)
	}
	require.Len(t, cs, 3)

	// The newest change with a PR number, not the release commit.
	assert.Equal(t, policy.PullRequest{Number: 7, Author: "ben@example.com", Approvers: []string{"cleo@example.com"}},
		demo.PullRequest(cs, "cleo@example.com"))
	// With no PR number at all: the newest commit, number 0.
	assert.Equal(t, policy.PullRequest{Author: "release-bot@example.com"}, demo.PullRequest(cs[:1]))
	assert.Equal(t, policy.PullRequest{}, demo.PullRequest(nil))
}

func TestFastForward(t *testing.T) {
	var clk demo.Clock
	repo, base := newRepo(t, &clk)
	require.NoError(t, demo.Checkout(repo, "feature/b", true))
	next, err := demo.Commit(repo, map[string]string{"b.go": "package a\n"}, "feat: b (#2)", "Ada Developer", clk.Next())
	require.NoError(t, err)

	// main is not at next: nothing moves.
	require.Error(t, demo.FastForward(repo, "main", next, base))
	h, err := demo.Head(repo, "main")
	require.NoError(t, err)
	assert.Equal(t, base, h)

	require.NoError(t, demo.FastForward(repo, "main", base, next))
	h, err = demo.Head(repo, "main")
	require.NoError(t, err)
	assert.Equal(t, next, h)
	head, err := repo.Head()
	require.NoError(t, err)
	assert.Equal(t, "refs/heads/main", head.Name().String())
	wt, err := repo.Worktree()
	require.NoError(t, err)
	_, err = wt.Filesystem.Stat("b.go")
	assert.NoError(t, err, "b.go is not checked out")
}

// A PR body quoted under a step: each line behind a bar, trailing blanks
// and the final newline dropped.
func ExampleQuote() {
	fmt.Println(" 3. PR #411, body:")
	demo.Quote(os.Stdout, "Backport of #410.\n\nTests passed.\n")
	// Output:
	//  3. PR #411, body:
	//     | Backport of #410.
	//     |
	//     | Tests passed.
}

// The weekly change window that holds a release's planned production
// window.
func ExampleWeeklyWindow() {
	start := time.Date(2026, 1, 6, 10, 0, 0, 0, time.UTC)
	w := demo.WeeklyWindow(manifest.Window{Start: start, End: start.Add(2 * time.Hour)})
	fmt.Println(w.Days, w.Start, w.End, w.Zone)
	// Output:
	// [Tuesday] 10:00 12:00 UTC
}

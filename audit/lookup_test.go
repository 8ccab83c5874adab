package audit_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/internal/testkit/audittest"
)

// lookupWant is one expected containment: the release and its vias.
type lookupWant struct {
	release string
	via     []audit.Via
}

func lookupGot(rep *audit.LookupReport) []lookupWant {
	var got []lookupWant
	for _, c := range rep.Releases {
		got = append(got, lookupWant{c.Release, c.Via})
	}
	return got
}

func TestLookupCommit(t *testing.T) {
	f := audittest.New(t)
	c := f.Commits
	for _, tc := range []struct {
		name    string
		rev     string
		commits []string
		want    []lookupWant
	}{
		{
			// The fix on main: in v1.3.0 itself, and in the release branch's
			// v1.2.1 (introduced by its backport) and v1.2.2 (inherited).
			name: "backported fix", rev: c.Fix, commits: []string{c.Fix, c.Backport},
			want: []lookupWant{
				{"v1.2.1", []audit.Via{{Commit: c.Backport, How: audit.HowCherryPick, Introduced: true}}},
				{"v1.2.2", []audit.Via{{Commit: c.Backport, How: audit.HowCherryPick}}},
				{"v1.3.0", []audit.Via{{Commit: c.Fix, How: audit.HowDirect, Introduced: true}}},
			},
		},
		{
			name: "the backport", rev: c.Backport, commits: []string{c.Backport, c.Fix},
			want: []lookupWant{
				{"v1.2.1", []audit.Via{{Commit: c.Backport, How: audit.HowDirect, Introduced: true}}},
				{"v1.2.2", []audit.Via{{Commit: c.Backport, How: audit.HowDirect}}},
				{"v1.3.0", []audit.Via{{Commit: c.Fix, How: audit.HowOriginal, Introduced: true}}},
			},
		},
		{
			// The hotfix: in v1.2.2, and in the next main release through
			// its forward-port.
			name: "hotfix", rev: c.Hotfix, commits: []string{c.Hotfix, c.ForwardPort},
			want: []lookupWant{
				{"v1.2.2", []audit.Via{{Commit: c.Hotfix, How: audit.HowDirect, Introduced: true}}},
				{"v1.3.0", []audit.Via{{Commit: c.ForwardPort, How: audit.HowCherryPick, Introduced: true}}},
			},
		},
		{
			name: "forward-port", rev: c.ForwardPort[:10], commits: []string{c.ForwardPort, c.Hotfix},
			want: []lookupWant{
				{"v1.2.2", []audit.Via{{Commit: c.Hotfix, How: audit.HowOriginal, Introduced: true}}},
				{"v1.3.0", []audit.Via{{Commit: c.ForwardPort, How: audit.HowDirect, Introduced: true}}},
			},
		},
		{
			name: "first commit", rev: "v1.0.0", commits: []string{c.Cart},
			want: []lookupWant{
				{"v1.0.0", []audit.Via{{Commit: c.Cart, How: audit.HowDirect, Introduced: true}}},
				{"v1.1.0", []audit.Via{{Commit: c.Cart, How: audit.HowDirect}}},
				{"v1.2.0", []audit.Via{{Commit: c.Cart, How: audit.HowDirect}}},
				{"v1.2.1", []audit.Via{{Commit: c.Cart, How: audit.HowDirect}}},
				{"v1.2.2", []audit.Via{{Commit: c.Cart, How: audit.HowDirect}}},
				{"v1.3.0", []audit.Via{{Commit: c.Cart, How: audit.HowDirect}}},
			},
		},
		{
			name: "wishlist", rev: c.Wishlist, commits: []string{c.Wishlist},
			want: []lookupWant{{"v1.3.0", []audit.Via{{Commit: c.Wishlist, How: audit.HowDirect, Introduced: true}}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := audit.Lookup(t.Context(), f.Sources, tc.rev)
			require.NoError(t, err)
			assert.Equal(t, tc.commits, rep.Commits)
			assert.Equal(t, tc.want, lookupGot(rep))
			assert.Equal(t, audit.Verified, rep.Log.Status)
		})
	}
}

func TestLookupProductionState(t *testing.T) {
	f := audittest.New(t)
	rep, err := audit.Lookup(t.Context(), f.Sources, f.Commits.Search)
	require.NoError(t, err)
	state := map[string]audit.ProductionState{}
	for _, c := range rep.Releases {
		state[c.Release] = c.Production
	}
	require.Len(t, state, 4) // v1.2.0, v1.2.1, v1.2.2, v1.3.0

	v120 := state["v1.2.0"]
	assert.True(t, v120.RolledBack)
	assert.False(t, v120.Running)
	assert.Equal(t, "v1.1.0", v120.ReplacedBy)
	assert.Equal(t, f.Rollback.At, v120.ReplacedAt)
	r120, _ := f.Release("v1.2.0")
	assert.Equal(t, r120.Promotions[2].PromotedAt, v120.FirstPromotedAt)

	v122 := state["v1.2.2"]
	assert.False(t, v122.RolledBack)
	assert.Equal(t, "v1.3.0", v122.ReplacedBy)

	v130 := state["v1.3.0"]
	assert.True(t, v130.Running)
	assert.Empty(t, v130.ReplacedBy)
	assert.Equal(t, "prod", v130.Env)

	// v1.1.0 ran twice: its last run (the rollback) ended with v1.2.1.
	rep, err = audit.Lookup(t.Context(), f.Sources, f.Commits.Rounding)
	require.NoError(t, err)
	require.Equal(t, "v1.1.0", rep.Releases[0].Release)
	v110 := rep.Releases[0].Production
	assert.Equal(t, "v1.2.1", v110.ReplacedBy)
	assert.False(t, v110.RolledBack)
	assert.Equal(t, f.Rollback.At, v110.LastPromotedAt)

	var text bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	assert.Contains(t, text.String(), "v1.2.0: direct "+f.Commits.Rounding[:12]+"; rolled back to v1.1.0 at 2026-01-13T14:00:00Z\n")
	assert.Contains(t, text.String(), "v1.3.0: direct "+f.Commits.Rounding[:12]+"; running in prod\n")
}

func TestLookupTicket(t *testing.T) {
	f := audittest.New(t)
	c := f.Commits
	for _, tc := range []struct {
		ticket  string
		commits []string
		want    []string
	}{
		{"SHOP-5", []string{c.Backport, c.Fix}, []string{"v1.2.1", "v1.2.2", "v1.3.0"}},
		{"SHOP-7", []string{c.Hotfix, c.ForwardPort}, []string{"v1.2.2", "v1.3.0"}},
		{"SHOP-2", []string{c.Checkout}, []string{"v1.1.0", "v1.2.0", "v1.2.1", "v1.2.2", "v1.3.0"}},
		{"SHOP-404", nil, nil},
	} {
		t.Run(tc.ticket, func(t *testing.T) {
			rep, err := audit.LookupTicket(t.Context(), f.Sources, tc.ticket)
			require.NoError(t, err)
			assert.ElementsMatch(t, tc.commits, rep.Commits)
			var got []string
			for _, r := range rep.Releases {
				got = append(got, r.Release)
				for _, v := range r.Via {
					assert.Equal(t, audit.HowTicket, v.How)
					assert.Contains(t, tc.commits, v.Commit)
				}
			}
			assert.Equal(t, tc.want, got)
		})
	}
	// SHOP-7 was introduced in both releases: by the hotfix, then by its
	// forward-port.
	rep, err := audit.LookupTicket(t.Context(), f.Sources, "SHOP-7")
	require.NoError(t, err)
	for _, r := range rep.Releases {
		require.Len(t, r.Via, 1)
		assert.True(t, r.Via[0].Introduced, r.Release)
	}
}

// TestLookupIncident maps a production incident to its releases (§1.7.5):
// the hotfix release whose record responds to INC123, and the main-line
// release its fix was forward-ported to.
func TestLookupIncident(t *testing.T) {
	f := audittest.New(t)
	rep, err := audit.LookupTicket(t.Context(), f.Sources, "INC123")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{f.Commits.Hotfix, f.Commits.ForwardPort}, rep.Commits)
	got := map[string][]audit.Via{}
	for _, r := range rep.Releases {
		got[r.Release] = r.Via
	}
	require.Len(t, got, 2, "%+v", rep.Releases)
	require.Len(t, got["v1.2.2"], 1)
	assert.Equal(t, audit.Via{Commit: f.Commits.Hotfix, How: audit.HowIncident, Introduced: true}, got["v1.2.2"][0])
	require.Len(t, got["v1.3.0"], 1)
	assert.Equal(t, audit.Via{Commit: f.Commits.ForwardPort, How: audit.HowCherryPick, Introduced: true}, got["v1.3.0"][0])
}

func TestLookupErrors(t *testing.T) {
	f := audittest.New(t)
	ctx := t.Context()
	_, err := audit.Lookup(ctx, f.Sources, strings.Repeat("0", 40))
	assert.ErrorIs(t, err, audit.ErrInvalidQuery)
	_, err = audit.Lookup(ctx, f.Sources, "no-such-branch")
	assert.ErrorIs(t, err, audit.ErrInvalidQuery)
	_, err = audit.Lookup(ctx, audit.Sources{}, f.Commits.Fix)
	assert.ErrorIs(t, err, audit.ErrNoStore)
	_, err = audit.Lookup(ctx, audit.Sources{Store: f.Store}, f.Commits.Fix)
	assert.ErrorIs(t, err, audit.ErrNoRepository)
	_, err = audit.LookupTicket(ctx, f.Sources, " ")
	assert.ErrorIs(t, err, audit.ErrInvalidQuery)
	_, err = audit.LookupTicket(ctx, audit.Sources{Store: f.Store}, "SHOP-1")
	assert.ErrorIs(t, err, audit.ErrNoRepository)

	// A commit made after the last release is in no production release.
	f.Git.Checkout("main")
	head := f.Git.Commit("feat(search): fuzzy matching (#9)\n\nRefs: SHOP-9\n")
	rep, err := audit.Lookup(ctx, f.Sources, head)
	require.NoError(t, err)
	assert.Empty(t, rep.Releases)
	assert.Equal(t, []string{head}, rep.Commits)
}

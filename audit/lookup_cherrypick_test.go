package audit_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/internal/testkit/audittest"
	"github.com/releasekit/releasekit/manifest"
)

// "(cherry picked from commit <short>)" names the commit by an abbreviated
// hash: the backport must still be followed; a line naming a commit that
// does not exist must not be reported as a commit carrying the change.
func TestLookupAbbreviatedAndMissingCherryPick(t *testing.T) {
	f := audittest.New(t)
	c := f.Commits
	f.Git.Checkout("main")
	short := f.Git.EmptyCommit("fix(checkout): reject empty carts again\n\nRefs: SHOP-5\n\n(cherry picked from commit " + c.Fix[:12] + ")\n")
	rep, err := audit.Lookup(t.Context(), f.Sources, short)
	require.NoError(t, err)
	assert.Equal(t, []string{short, c.Fix, c.Backport}, rep.Commits)
	var got []string
	for _, r := range rep.Releases {
		got = append(got, r.Release)
	}
	assert.Equal(t, []string{"v1.2.1", "v1.2.2", "v1.3.0"}, got)

	ghost := f.Git.EmptyCommit("fix(checkout): ghost\n\nRefs: SHOP-5\n\n(cherry picked from commit " + strings.Repeat("e", 40) + ")\n")
	rep, err = audit.Lookup(t.Context(), f.Sources, ghost)
	require.NoError(t, err)
	assert.Equal(t, []string{ghost}, rep.Commits)
	assert.Empty(t, rep.Releases)
}

// An incident's fix may be a backport of a commit made on main first: the
// releases that contain that original contain the fix too.
func TestLookupTicketIncidentFollowsOriginals(t *testing.T) {
	f := audittest.New(t)
	bp, _ := f.Release("v1.2.1") // its only commit is the backport of Fix
	main, _ := f.Release("v1.3.0")
	rec := bp.Record
	rec.Extra = manifest.Extras{}
	for k, v := range bp.Record.Extra {
		rec.Extra[k] = v
	}
	rec.Extra[audit.ExtraIncident] = "INC999"
	st := reviewStore(t, rec, main.Record)
	p := manifest.Promotion{Env: "prod", Approver: audittest.Approver, Reason: "CHG-1", Window: "Mon", RequestedAt: f.At, PromotedAt: f.At}
	p1, p2 := p, p
	p1.Release, p1.Digest = bp.Tag, bp.Digest
	p2.Release, p2.Digest = main.Tag, main.Digest
	reviewAppend(t, st, p1, p2)
	src := f.Sources
	src.Store, src.Checkpoint, src.CheckpointSig = st, nil, nil

	rep, err := audit.LookupTicket(t.Context(), src, "INC999")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{f.Commits.Backport, f.Commits.Fix}, rep.Commits)
	got := map[string][]audit.Via{}
	for _, r := range rep.Releases {
		got[r.Release] = r.Via
	}
	assert.Equal(t, []audit.Via{{Commit: f.Commits.Backport, How: audit.HowIncident, Introduced: true}}, got["v1.2.1"])
	assert.Equal(t, []audit.Via{{Commit: f.Commits.Fix, How: audit.HowOriginal, Introduced: true}}, got["v1.3.0"])
}

// A production release whose history cannot be read (its record names a
// commit the repository does not have) may contain the change: the answer
// must say so rather than silently leave it out.
func TestLookupReportsUncheckedReleases(t *testing.T) {
	f := audittest.New(t)
	r, _ := f.Release("v1.2.1")
	ghost := r.Record
	ghost.Tag, ghost.Commit = "v1.2.7", strings.Repeat("a", 40)
	st := reviewStore(t, r.Record, ghost)
	p := manifest.Promotion{Env: "prod", Digest: r.Digest, Approver: audittest.Approver, Reason: "CHG-1", Window: "Mon", RequestedAt: f.At, PromotedAt: f.At}
	p1, p2 := p, p
	p1.Release, p2.Release = r.Tag, ghost.Tag
	reviewAppend(t, st, p1, p2)
	src := f.Sources
	src.Store, src.Checkpoint, src.CheckpointSig = st, nil, nil

	rep, err := audit.Lookup(t.Context(), src, f.Commits.Fix)
	require.NoError(t, err)
	require.Len(t, rep.Releases, 1)
	assert.Equal(t, []string{"v1.2.7"}, rep.Unchecked)
	var text bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	assert.Contains(t, text.String(), "v1.2.7")

	rep, err = audit.LookupTicket(t.Context(), src, "SHOP-404")
	require.NoError(t, err)
	assert.Equal(t, []string{"v1.2.7"}, rep.Unchecked)
}

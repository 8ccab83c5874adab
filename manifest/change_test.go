package manifest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/releasekit/releasekit/manifest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func flagChange() manifest.Change {
	return manifest.Change{Kind: manifest.ChangeFlag, Name: "checkout.new-flow", Env: "prod", Before: "10%", After: "50%",
		Actor: "dana@example.com", Approver: "carol@example.com", Ticket: "CHG-88", At: time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC),
		Window: "tue-10-12", Reason: "ramp after a clean 10% day"}
}

// A flag or configuration change is logged as a production change, and
// the log still verifies and reads back.
func TestRecordChange(t *testing.T) {
	ctx := t.Context()
	st := newStore(t)
	e, err := manifest.RecordChange(ctx, st, flagChange())
	require.NoError(t, err)
	assert.Equal(t, manifest.KindChange, e.Kind)
	cfg := flagChange()
	cfg.Kind, cfg.Name, cfg.Before, cfg.After, cfg.PR, cfg.Window, cfg.Emergency = manifest.ChangeConfig, "db.pool_size", "20", "40", "#77", "", "INC-7"
	cfg.At = cfg.At.In(time.FixedZone("CET", 3600))
	_, err = manifest.RecordChange(ctx, st, cfg)
	require.NoError(t, err)

	entries, err := st.Entries(ctx)
	require.NoError(t, err)
	require.NoError(t, manifest.VerifyLog(entries, nil))
	got := manifest.LoggedChanges(entries)
	require.Len(t, got, 2)
	assert.Equal(t, "db.pool_size", got[1].Name)
	assert.Equal(t, time.UTC, got[1].At.Location())
	for _, e := range entries {
		b, err := manifest.MarshalEntry(e)
		require.NoError(t, err)
		_, err = manifest.ParseEntry(b)
		require.NoError(t, err)
	}
	for _, bad := range []manifest.Entry{
		{Seq: 1, Kind: manifest.KindChange},
		{Seq: 1, Kind: manifest.KindNote, Note: "x", Change: &got[0]},
		{Seq: 1, Kind: manifest.KindChange, Change: &manifest.Change{Kind: "secret"}},
	} {
		b, err := manifest.MarshalEntry(bad)
		require.NoError(t, err)
		_, err = manifest.ParseEntry(b)
		assert.ErrorIs(t, err, &manifest.FormatError{Reason: "invalid log entry"}, "%+v", bad)
	}
}

// A malformed change, or one its actor approved, is a *FieldError naming
// the field, and nothing is logged.
func TestRecordChangeRefused(t *testing.T) {
	ctx := t.Context()
	st := newStore(t)
	for _, c := range []struct {
		name          string
		edit          func(*manifest.Change)
		field, reason string
	}{
		{"unknown kind", func(c *manifest.Change) { c.Kind = "secret" }, "kind", "unknown kind"},
		{"no name", func(c *manifest.Change) { c.Name = "" }, "name", "required"},
		{"no env", func(c *manifest.Change) { c.Env = " " }, "env", "required"},
		{"no actor", func(c *manifest.Change) { c.Actor = "" }, "actor", "required"},
		{"no approver", func(c *manifest.Change) { c.Approver = "" }, "approver", "required"},
		{"no ticket", func(c *manifest.Change) { c.Ticket = "" }, "ticket", "required"},
		{"no reason", func(c *manifest.Change) { c.Reason = "" }, "reason", "required"},
		{"no time", func(c *manifest.Change) { c.At = time.Time{} }, "at", "required"},
		{"unchanged", func(c *manifest.Change) { c.After = c.Before }, "after", "unchanged"},
		{"value too long", func(c *manifest.Change) { c.After = strings.Repeat("x", 4097) }, "after", "too long"},
		{"control character", func(c *manifest.Change) { c.Before = "10%\x1b[2J" }, "before", "control character"},
		{"bad emergency", func(c *manifest.Change) { c.Emergency = "INC 7" }, "emergency", "invalid"},
		{"approver is the actor", func(c *manifest.Change) { c.Approver = "DANA@example.com" }, "approver", "is the actor"},
		{"approver is the actor's login", func(c *manifest.Change) { c.Approver = "dana" }, "approver", "is the actor"},
		{"approver does not normalise", func(c *manifest.Change) { c.Approver = "@@carol" }, "approver", "invalid identity"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ch := flagChange()
			c.edit(&ch)
			_, err := manifest.RecordChange(ctx, st, ch)
			assert.ErrorIs(t, err, &manifest.FieldError{Field: c.field, Reason: c.reason})
		})
	}
	entries, err := st.Entries(ctx)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

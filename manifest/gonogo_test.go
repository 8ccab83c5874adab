package manifest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
)

// TestCheckGoNoGo: a go/no-go decision is optional, round-trips, and is
// checked whole when present; a record without one marshals as before.
func TestCheckGoNoGo(t *testing.T) {
	r := completeRecord("v1.4.0", "app")
	before, err := manifest.MarshalRecord(r)
	require.NoError(t, err)
	assert.NotContains(t, string(before), "go_no_go")
	require.Empty(t, manifest.Check(r).Problems)

	r.GoNoGo = &manifest.GoNoGo{Decision: manifest.Go, Approver: "carol", Attendees: []string{"carol", "dave"}, Risks: []string{},
		RollbackPlan: "redeploy v1.3.2", At: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	assert.Empty(t, manifest.Check(r).Problems)
	b, err := manifest.MarshalRecord(r)
	require.NoError(t, err)
	back, err := manifest.ParseRecord(b)
	require.NoError(t, err)
	assert.Equal(t, r.GoNoGo, back.GoNoGo)

	r.GoNoGo = &manifest.GoNoGo{Decision: "maybe", Attendees: []string{""}}
	var fields []string
	for _, p := range manifest.Check(r).Problems {
		fields = append(fields, p.Field)
	}
	assert.Equal(t, []string{"go_no_go.decision", "go_no_go.approver", "go_no_go.attendees[0]", "go_no_go.risks", "go_no_go.rollback_plan", "go_no_go.at"}, fields)
}

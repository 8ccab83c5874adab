package demo_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/manifest"
)

// ShowLog quotes, line by line, what relctl log show writes of each entry.
func TestShowLog(t *testing.T) {
	at := demo.Epoch()
	ci := &manifest.Actor{Name: "release-bot@example.com", Verified: true, Issuer: demo.CIIssuer, Subject: "repo:shop/checkout:environment:prod"}
	entries := []manifest.Entry{
		{Seq: 1, Kind: manifest.KindPromotion, Promotion: &manifest.Promotion{
			Release: "v1.2.0", Env: "dev", Digest: "sha256:aa", Releaser: "release-bot@example.com", PromotedAt: at}},
		{Seq: 2, Kind: manifest.KindDenied, Denial: &manifest.Denial{
			Action: manifest.AttemptPromote, Release: "v1.3.0", Env: "prod", Approver: "ada@example.com", Actor: ci,
			Refusal: "manifest: promotion to prod refused by gate", Controls: []string{"REL-SOD-001"}, At: at.Add(time.Minute)}},
	}
	var b bytes.Buffer
	require.NoError(t, demo.ShowLog(&b, entries))
	var want strings.Builder
	for _, e := range entries {
		v, err := audit.ViewEntry(e)
		require.NoError(t, err)
		var text strings.Builder
		require.NoError(t, v.WriteText(&text))
		for _, line := range strings.Split(strings.TrimSuffix(text.String(), "\n"), "\n") {
			want.WriteString("    | " + line + "\n")
		}
	}
	assert.Equal(t, want.String(), b.String())
	assert.Contains(t, b.String(), "    | #2 "+at.Add(time.Minute).UTC().Format(time.RFC3339)+" denied    promote v1.3.0 → prod\n")
}

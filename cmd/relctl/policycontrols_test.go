package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/policy"
)

// TestPolicyControlsMarkdown: the markdown is docs/policy-matrix.md, byte
// for byte (policy's TestMatrixDoc keeps that file current).
func TestPolicyControlsMarkdown(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(moduleRoot, "docs", "policy-matrix.md"))
	require.NoError(t, err)
	for _, args := range [][]string{{"policy", "controls"}, {"policy", "controls", "--format", "markdown"}} {
		out, errOut, code := relctl(t, "", args...)
		require.Equal(t, 0, code, errOut)
		assert.Equal(t, string(want), out, strings.Join(args, " "))
		assert.Empty(t, errOut)
	}
}

func TestPolicyControlsJSON(t *testing.T) {
	out, errOut, code := relctl(t, "", "policy", "controls", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var got struct {
		Counts struct {
			Total, Automated, Automatable, Organisational int
		} `json:"counts"`
		Requirements []struct {
			ID       string   `json:"id"`
			Section  string   `json:"section"`
			Sentence string   `json:"sentence"`
			Status   string   `json:"status"`
			Controls []string `json:"controls"`
			APIs     []string `json:"apis"`
			Tests    []string `json:"tests"`
			Reason   string   `json:"reason"`
		} `json:"requirements"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&got))
	m, err := policy.Traceability()
	require.NoError(t, err)
	c := m.Counts()
	assert.Equal(t, c.Total, got.Counts.Total)
	assert.Equal(t, c.Automated, got.Counts.Automated)
	assert.Equal(t, c.Automatable, got.Counts.Automatable)
	assert.Equal(t, c.Organisational, got.Counts.Organisational)
	require.Len(t, got.Requirements, c.Total)
	first := got.Requirements[0]
	assert.Equal(t, "§1.1/1", first.ID)
	assert.Equal(t, "§1.1", first.Section)
	assert.Equal(t, "organisational", first.Status)
	assert.NotEmpty(t, first.Reason)
	assert.NotNil(t, first.Controls, "empty lists are [], not null")
	for _, r := range got.Requirements {
		if r.ID == "§1.21.3.2/2" {
			assert.Equal(t, "automated", r.Status)
			assert.Contains(t, r.Controls, "REL-SOD-001")
			assert.Contains(t, r.Tests, "policy.TestSeparationOfDuties")
			assert.Contains(t, r.Sentence, "MUST NOT be the sole approver")
		}
	}
}

func TestPolicyControlsBadInput(t *testing.T) {
	_, errOut, code := relctl(t, "", "policy", "controls", "--format", "sarif")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `--format "sarif": want markdown or json`)

	_, _, code = relctl(t, "", "policy", "controls", "extra")
	assert.Equal(t, 2, code)

	_, errOut, code = relctl(t, "", "policy", "controls", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, errOut, "Usage: relctl policy controls [--format markdown|json]")
}

// TestPolicyControlsAdvertised: every --format value the usage texts show
// for `relctl policy controls` works, and `relctl policy` keeps its own
// flags (the sub-command takes only the word "controls").
func TestPolicyControlsAdvertised(t *testing.T) {
	var line string
	for _, l := range strings.Split(usage, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "relctl policy controls ") {
			line = l
		}
	}
	require.NotEmpty(t, line, "the usage shows relctl policy controls")
	require.Contains(t, line, "[--format markdown|json]")
	for _, f := range []string{"markdown", "json"} {
		_, errOut, code := relctl(t, "", "policy", "controls", "--format", f)
		assert.Equal(t, 0, code, "%s: %s", f, errOut)
	}
	_, errOut, code := relctl(t, "", "policy", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, errOut, "relctl policy controls [--format markdown|json]")
	assert.Contains(t, errOut, "-config FILE")
}

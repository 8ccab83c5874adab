package main

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogJSONLines(t *testing.T) {
	g := history(t)
	g.Branch("side", "HEAD~1")
	g.Checkout("side")
	g.Commit("fix: on a side branch")
	g.Checkout("main")
	g.Merge("side", "Merge branch 'side'")
	out, errOut, code := relctl(t, "", "log", "--repo", g.Dir, "--since", "v1.0.0")
	require.Equal(t, 0, code, errOut)
	var hashes []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var line map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &line))
		hashes = append(hashes, line["hash"].(string))
		assert.Contains(t, line, "conventional")
		assert.Contains(t, line, "author")
	}
	assert.Equal(t, g.RevList("v1.0.0..HEAD"), hashes)

	out, _, code = relctl(t, "", "log", "--repo", g.Dir, "--since", "v1.0.0", "--first-parent")
	require.Equal(t, 0, code)
	assert.Equal(t, len(g.RevList("--first-parent", "v1.0.0..HEAD")), strings.Count(out, "\n"))
}

// TestLogVerifyRouting: `relctl log verify` reaches the audit-log verifier,
// while `relctl log` stays the commit log.
func TestLogVerifyRouting(t *testing.T) {
	out, errOut, code := relctl(t, "", "log", "verify", "--store", t.TempDir(), "--json")
	require.Equal(t, 0, code, errOut)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, true, res["valid"])
	assert.Equal(t, float64(0), res["entries"])
}

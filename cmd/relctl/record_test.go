package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
)

func TestRecordCommands(t *testing.T) {
	g := evidenceRepo(t)
	store := t.TempDir()

	// init takes the commit, PRs and tickets since the previous release.
	out, errOut, code := runTagCmd(t, cmdRecord, "init", "--store", store, "--release", "v1.1.0", "--repo", g.Dir, "--json")
	require.Equal(t, 0, code, errOut)
	rec, err := manifest.ParseRecord([]byte(out))
	require.NoError(t, err)
	assert.Equal(t, strings.TrimSpace(g.Git("rev-parse", "v1.1.0^{commit}")), rec.Commit)
	assert.Equal(t, []string{"PROJ-2"}, rec.Tickets)
	assert.Equal(t, []manifest.PR{{Ref: "#2"}}, rec.PRs)

	_, _, code = runTagCmd(t, cmdRecord, "init", "--store", store, "--release", "v1.1.0", "--repo", g.Dir)
	assert.Equal(t, 1, code, "init never overwrites")

	// check lists every missing field and exits 1.
	out, _, code = runTagCmd(t, cmdRecord, "check", "--store", store, "--release", "v1.1.0", "--json")
	assert.Equal(t, 1, code)
	var rep manifest.CheckReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	var fields []string
	for _, p := range rep.Problems {
		fields = append(fields, p.Field)
	}
	assert.Equal(t, []string{"artifacts", "provenance.build_id", "provenance.ref", "sbom.ref", "sbom.digest", "checks",
		"rollback.method", "rollback.version", "known_issues", "production_window"}, fields)

	// Bad input is exit 2.
	_, _, code = runTagCmd(t, cmdRecord, "add-artifact", "--store", store, "--release", "v1.1.0", "--name", "app", "--digest", "sha256:XYZ")
	assert.Equal(t, 2, code)
	_, _, code = runTagCmd(t, cmdRecord, "set", "--store", store, "--release", "v1.1.0", "colour=blue")
	assert.Equal(t, 2, code)
	_, _, code = runTagCmd(t, cmdRecord, "show", "--release", "v1.1.0")
	assert.Equal(t, 2, code, "no store")
	_, _, code = runTagCmd(t, cmdRecord, "bogus")
	assert.Equal(t, 2, code)

	d := manifest.Digest([]byte("x"))
	_, errOut, code = runTagCmd(t, cmdRecord, "add-artifact", "--store", store, "--release", "v1.1.0", "--name", "app", "--digest", d)
	require.Equal(t, 0, code, errOut)
	// A published digest is never replaced.
	_, _, code = runTagCmd(t, cmdRecord, "add-artifact", "--store", store, "--release", "v1.1.0", "--name", "APP", "--digest", manifest.Digest([]byte("y")))
	assert.Equal(t, 1, code)
	out, errOut, code = runTagCmd(t, cmdRecord, "show", "--store", store, "--release", "v1.1.0")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "artifact app "+d)
	assert.Contains(t, out, "incomplete")
}

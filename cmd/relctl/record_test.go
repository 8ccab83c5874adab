package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/sbom"
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

// TestRecordAttachSBOM: attach-sbom checks, when it attaches, that the
// SBOM describes the record's artifact (§1.31.3.5): another build's SBOM
// or one naming no subject is refused (exit 1) and the record unchanged.
func TestRecordAttachSBOM(t *testing.T) {
	g := evidenceRepo(t)
	store := t.TempDir()
	dir := t.TempDir()
	writeSBOM := func(name, content string) string {
		s, err := sbom.SubjectOf("app.bin", strings.NewReader(content))
		require.NoError(t, err)
		doc, err := sbom.ForArtifact(s, sbom.WithSerialNumber("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"))
		require.NoError(t, err)
		b, err := doc.Bytes(sbom.JSON)
		require.NoError(t, err)
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o644))
		return p
	}
	rel := func(args ...string) (string, string, int) {
		return runTagCmd(t, cmdRecord, append([]string{args[0], "--store", store, "--release", "v1.1.0"}, args[1:]...)...)
	}
	_, errOut, code := rel("init", "--repo", g.Dir)
	require.Equal(t, 0, code, errOut)
	_, errOut, code = rel("add-artifact", "--name", "app", "--digest", manifest.Digest([]byte("build-1")))
	require.Equal(t, 0, code, errOut)

	_, errOut, code = rel("attach-sbom", "--artifact", "app", "--sbom", writeSBOM("other.cdx.json", "build-2"))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "sbom describes another artifact")
	noSubject := filepath.Join(dir, "nosubject.cdx.json")
	require.NoError(t, os.WriteFile(noSubject, []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}`), 0o644))
	_, errOut, code = rel("attach-sbom", "--artifact", "app", "--sbom", noSubject)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "sbom names no subject")
	_, _, code = rel("attach-sbom", "--artifact", "web", "--sbom", writeSBOM("web.cdx.json", "build-1"))
	assert.Equal(t, 2, code, "no such artifact")
	out, _, code := rel("show", "--json")
	require.Equal(t, 0, code)
	rec, err := manifest.ParseRecord([]byte(out))
	require.NoError(t, err)
	assert.Empty(t, rec.Artifacts[0].SBOM)
	assert.Empty(t, rec.SBOM.Digest)

	good := writeSBOM("app.cdx.json", "build-1")
	out, errOut, code = rel("attach-sbom", "--artifact", "app", "--sbom", good, "--json")
	require.Equal(t, 0, code, errOut)
	rec, err = manifest.ParseRecord([]byte(out))
	require.NoError(t, err)
	b, err := os.ReadFile(good)
	require.NoError(t, err)
	assert.Equal(t, manifest.Digest(b), rec.Artifacts[0].SBOM)
	assert.Equal(t, manifest.SBOMRef{Ref: good, Digest: manifest.Digest(b)}, rec.SBOM)
}

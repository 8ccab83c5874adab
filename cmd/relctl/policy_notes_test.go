package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

// relctl policy gives REL-NOTES-001 the release notes (--release-notes)
// and REL-ORDER-001 the manifest and the order its repositories are
// released in (--manifest, --release-order).
func TestPolicyReleaseNotesAndOrder(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	g, _, _ := policyRepo(t)
	rec := recordFile(t, dir, true, manifest.Digest([]byte("app")))
	cfg := write("policy.yml", "controls:\n  REL-NOTES-001: {}\n  REL-ORDER-001: {}\n")
	var notes strings.Builder
	notes.WriteString("# v1.4.2\n")
	for _, s := range policy.ReleaseNotesSections() {
		notes.WriteString("\n## " + s + "\n\nNone.\n")
	}
	full := write("notes.md", notes.String())
	partial := write("partial.md", strings.Replace(notes.String(), "## Rollback plan", "## Later", 1))
	m := manifest.Manifest{Name: "2026.11", Repos: []manifest.Repo{
		{Name: "lib", Tag: "v1.0.0", Commit: strings.Repeat("1", 40), Artifacts: []manifest.Artifact{{Name: "lib", Digest: manifest.Digest([]byte("lib"))}}},
		{Name: "shop", Tag: "v2.0.0", Commit: strings.Repeat("2", 40), Artifacts: []manifest.Artifact{{Name: "shop", Digest: manifest.Digest([]byte("shop"))}}, DependsOn: []string{"lib"}},
	}}
	mb, err := manifest.Marshal(m)
	require.NoError(t, err)
	mf := write("manifest.json", string(mb))

	base := []string{"--config", cfg, "--repo", g.Dir, "--record", rec, "--manifest", mf}
	out, errOut, code := runPolicy(t, "", append(base, "--release-notes", full, "--release-order", "lib,shop")...)
	assert.Equal(t, 0, code, "%s\n%s", out, errOut)

	out, _, code = runPolicy(t, "", append(base, "--release-notes", partial, "--release-order", "lib,shop")...)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "Rollback plan")

	out, _, code = runPolicy(t, "", append(base, "--release-notes", full, "--release-order", "shop", "--release-order", "lib")...)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "REL-ORDER-001")

	out, _, code = runPolicy(t, "", append(base, "--release-order", "lib,shop")...)
	assert.Equal(t, 1, code, "a release without notes is missing evidence")
	assert.Contains(t, out, "missing evidence")

	_, errOut, code = runPolicy(t, "", "--config", cfg, "--repo", g.Dir, "--release-order", "lib")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--release-order needs --manifest")
}

package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/manifest"
)

// completeRecordArgs fills the fields record init cannot know.
var completeRecordArgs = []string{
	"provenance.build_id=run-1", "provenance.ref=att://run-1",
	"check.unit=pass", "rollback.method=redeploy", "rollback.version=none",
	"known_issue=none", "window.start=2026-01-05T09:00:00Z", "window.end=2026-01-05T11:00:00Z",
}

// releaseRecord creates a complete record for tag with one artifact file
// and returns its digest.
func releaseRecord(t *testing.T, g *gittest.Repo, store, tag, content string) string {
	t.Helper()
	return releaseRecordIn(t, g, []string{"--store", store}, tag, content)
}

// releaseRecordIn is releaseRecord for any store flags.
func releaseRecordIn(t *testing.T, g *gittest.Repo, store []string, tag, content string) string {
	t.Helper()
	dir := t.TempDir()
	art := filepath.Join(dir, "app.bin")
	require.NoError(t, os.WriteFile(art, []byte(content), 0o644))
	sbomFile := filepath.Join(dir, "sbom.json")
	require.NoError(t, os.WriteFile(sbomFile, []byte(`{"bomFormat":"CycloneDX"}`), 0o644))

	run := func(sub string, args ...string) (string, string, int) {
		return runTagCmd(t, cmdRecord, append(append([]string{sub, "--release", tag}, store...), args...)...)
	}
	_, errOut, code := run("init", "--repo", g.Dir)
	require.Equal(t, 0, code, errOut)
	_, errOut, code = run("add-artifact", "--name", "app", "--file", art, "--uri", "registry.example.com/app")
	require.Equal(t, 0, code, errOut)
	_, errOut, code = run("attach-sbom", "--artifact", "app", "--sbom", sbomFile)
	require.Equal(t, 0, code, errOut)
	_, errOut, code = run("set", completeRecordArgs...)
	require.Equal(t, 0, code, errOut)
	out, errOut, code := run("check")
	require.Equal(t, 0, code, out+errOut)
	return manifest.Digest([]byte(content))
}

func evidenceRepo(t *testing.T) *gittest.Repo {
	g := gittest.New(t)
	c1 := g.Commit("feat: first (#1)\n\nRefs: PROJ-1\n")
	g.Tag("v1.0.0", c1)
	c2 := g.Commit("fix: second (#2)\n\nRefs: PROJ-2\n")
	g.Tag("v1.1.0", c2)
	return g
}

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

func TestPromoteRollbackAndLogCommands(t *testing.T) {
	g := evidenceRepo(t)
	store := t.TempDir()
	d1 := releaseRecord(t, g, store, "v1.0.0", "build 1")
	d2 := releaseRecord(t, g, store, "v1.1.0", "build 2")

	promote := func(tag, env, digest string, extra ...string) (string, string, int) {
		args := append([]string{"--store", store, "--release", tag, "--env", env, "--digest", digest, "--approver", "alice", "--reason", "ok"}, extra...)
		return runTagCmd(t, cmdPromote, args...)
	}
	for _, tag := range []string{"v1.0.0", "v1.1.0"} {
		d := map[string]string{"v1.0.0": d1, "v1.1.0": d2}[tag]
		for _, env := range []string{"dev", "staging", "prod"} {
			out, errOut, code := promote(tag, env, d, "--json")
			require.Equal(t, 0, code, errOut)
			var res promoteResult
			require.NoError(t, json.Unmarshal([]byte(out), &res))
			assert.Equal(t, env, res.Promotion.Env)
			assert.Equal(t, "alice", res.Promotion.Approver)
		}
	}
	// Refusals: another digest than the previous environment ran, a skipped
	// environment, an unknown environment (usage), no approver for prod.
	_, errOut, code := promote("v1.1.0", "prod", d1)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "not in the release record")
	_, errOut, code = runTagCmd(t, cmdPromote, "--store", store, "--release", "v1.1.0", "--env", "prod", "--digest", d2)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "approval required")
	_, _, code = promote("v1.1.0", "mars", d2)
	assert.Equal(t, 2, code)

	// Roll prod back to v1.0.0's published digest.
	out, errOut, code := runTagCmd(t, cmdRollback, "--store", store, "--env", "prod", "--approver", "bob", "--reason", "errors", "--json")
	require.Equal(t, 0, code, errOut)
	var res promoteResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "v1.0.0", res.Promotion.Release)
	assert.Equal(t, d1, res.Promotion.Digest)
	assert.Equal(t, "v1.1.0", res.Promotion.RollbackFrom)

	// log verify, with a checkpoint; then truncate the log.
	cp := filepath.Join(t.TempDir(), "checkpoint.json")
	out, errOut, code = runTagCmd(t, cmdAuditLog, "verify", "--store", store, "--write-checkpoint", cp)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "7 entries")
	files, err := filepath.Glob(filepath.Join(store, "log", "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 7)
	require.NoError(t, os.Remove(files[6]))
	_, _, code = runTagCmd(t, cmdAuditLog, "verify", "--store", store)
	assert.Equal(t, 0, code, "a clean cut is invisible without a checkpoint")
	out, _, code = runTagCmd(t, cmdAuditLog, "verify", "--store", store, "--checkpoint", cp, "--json")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "truncated")

	// Edit an entry.
	b, err := os.ReadFile(files[2])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(files[2], []byte(strings.Replace(string(b), "alice", "mallory", 1)), 0o644))
	_, errOut, code = runTagCmd(t, cmdAuditLog, "verify", "--store", store)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "tampered")
}

func TestPromoteVerifiesTag(t *testing.T) {
	g := gittest.New(t)
	c1 := g.Commit("feat: first (#1)\n\nRefs: PROJ-1\n")
	key, allowed := tagSSHKey(t)
	_, errOut, code := runTagCmd(t, cmdTag, "--repo", g.Dir, "--name", "v1.0.0", "--rev", c1, "--sign", "ssh", "--key", key, "--tagger", "Release Bot <bot@example.com>")
	require.Equal(t, 0, code, errOut)
	store := t.TempDir()
	d := releaseRecord(t, g, store, "v1.0.0", "build")

	_, otherAllowed := tagSSHKey(t)
	_, errOut, code = runTagCmd(t, cmdPromote, "--store", store, "--release", "v1.0.0", "--env", "dev", "--digest", d, "--repo", g.Dir, "--allowed-signers", otherAllowed)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "signature does not verify")
	_, errOut, code = runTagCmd(t, cmdPromote, "--store", store, "--release", "v1.0.0", "--env", "dev", "--digest", d, "--repo", g.Dir, "--allowed-signers", allowed)
	assert.Equal(t, 0, code, errOut)
}

func TestManifestCommands(t *testing.T) {
	g := evidenceRepo(t)
	store := t.TempDir()
	releaseRecord(t, g, store, "v1.0.0", "api 1")
	releaseRecord(t, g, store, "v1.1.0", "web 1")
	dir := t.TempDir()
	m1, m2 := filepath.Join(dir, "m1.json"), filepath.Join(dir, "m2.json")

	out, errOut, code := runTagCmd(t, cmdManifest, "build", "--store", store, "--name", "2026.01", "--out", m1, "api=v1.0.0", "web=v1.1.0")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "sha256:"), out)
	_, errOut, code = runTagCmd(t, cmdManifest, "build", "--store", store, "--name", "2026.01", "--out", m2, "api=v1.0.0", "web=v1.0.0")
	require.Equal(t, 0, code, errOut)

	key, allowed := tagSSHKey(t)
	_, errOut, code = runTagCmd(t, cmdManifest, "sign", "--manifest", m1, "--key", key)
	require.Equal(t, 0, code, errOut)
	out, errOut, code = runTagCmd(t, cmdManifest, "verify", "--manifest", m1, "--allowed-signers", allowed, "--json")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"valid": true`)

	// Tampered manifest, and a signature checked against the wrong key.
	b, err := os.ReadFile(m1)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(m1, []byte(strings.Replace(string(b), "v1.1.0", "v1.0.0", 1)), 0o644))
	_, _, code = runTagCmd(t, cmdManifest, "verify", "--manifest", m1, "--allowed-signers", allowed)
	assert.Equal(t, 1, code)
	require.NoError(t, os.WriteFile(m1, b, 0o644))
	_, other := tagSSHKey(t)
	_, _, code = runTagCmd(t, cmdManifest, "verify", "--manifest", m1, "--allowed-signers", other)
	assert.Equal(t, 1, code)

	out, errOut, code = runTagCmd(t, cmdManifest, "diff", m1, m2)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "~ web: tag, commit, artifacts")
	out, _, code = runTagCmd(t, cmdManifest, "diff", m1, m1)
	assert.Equal(t, 0, code)
	assert.Equal(t, "no changes\n", out)
}

func TestGitStoreCommands(t *testing.T) {
	g := evidenceRepo(t)
	d := releaseRecordIn(t, g, []string{"--git-store", g.Dir}, "v1.0.0", "build 1")
	for _, env := range []string{"dev", "staging", "prod"} {
		_, errOut, code := runTagCmd(t, cmdPromote, "--git-store", g.Dir, "--release", "v1.0.0", "--env", env, "--digest", d, "--approver", "alice", "--reason", "ok")
		require.Equal(t, 0, code, errOut)
	}
	out, errOut, code := runTagCmd(t, cmdAuditLog, "verify", "--git-store", g.Dir)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "3 entries")
	// The evidence is in the repository, readable by git itself.
	assert.Contains(t, g.Git("ls-tree", "-r", "--name-only", manifest.LogRef), "records/v1.0.0.json")
	g.Git("fsck", "--strict", "--no-dangling") // the objects are well-formed git objects
	_, _, code = runTagCmd(t, cmdAuditLog, "verify", "--git-store", g.Dir, "--store", t.TempDir())
	assert.Equal(t, 2, code)
}

func TestPromoteEmergencyAndHelp(t *testing.T) {
	g := evidenceRepo(t)
	store := t.TempDir()
	d := releaseRecord(t, g, store, "v1.0.0", "build")
	em := filepath.Join(t.TempDir(), "emergency.json")
	require.NoError(t, os.WriteFile(em, []byte(`{"id":"EMG-1","reason":"outage","scope":"api","approver":"carol","rollback_plan":"redeploy v0.9.0","follow_up":"PIR-7"}`), 0o644))
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"reason":"outage","colour":"red"}`), 0o644))

	_, _, code := runTagCmd(t, cmdPromote, "--store", store, "--release", "v1.0.0", "--env", "dev", "--digest", d, "--emergency", bad)
	assert.Equal(t, 2, code, "unknown field in the emergency record")
	out, errOut, code := runTagCmd(t, cmdPromote, "--store", store, "--release", "v1.0.0", "--env", "dev", "--digest", d, "--emergency", em, "--json")
	require.Equal(t, 0, code, errOut)
	var res promoteResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.NotNil(t, res.Promotion.Emergency)
	assert.Equal(t, "EMG-1", res.Promotion.Emergency.ID)

	_, _, code = runTagCmd(t, cmdPromote, "--store", store, "--release", "v1.0.0", "--env", "dev", "--digest", "sha256:00")
	assert.Equal(t, 2, code, "malformed digest")
	_, _, code = runTagCmd(t, cmdRollback, "--store", store, "--env", "prod", "--approver", "a", "--reason", "r")
	assert.Equal(t, 1, code, "nothing to roll back to")

	for _, c := range []struct {
		f    func(context.Context, []string, io.Reader, io.Writer, io.Writer) error
		args []string
	}{
		{cmdPromote, []string{"--help"}}, {cmdRollback, []string{"--help"}}, {cmdAuditLog, []string{"verify", "--help"}},
		{cmdRecord, []string{"set", "--help"}}, {cmdManifest, []string{"diff", "--help"}},
	} {
		_, errOut, code := runTagCmd(t, c.f, c.args...)
		assert.Equal(t, 0, code, c.args)
		assert.Contains(t, errOut, "Usage: relctl")
	}
	_, _, code = runTagCmd(t, cmdRecord, "set", "--store", store, "--release", "v1.0.0", "backport=#9=#3@"+strings.Repeat("a", 40), "extra.owner=team-a")
	assert.Equal(t, 0, code)
	out, _, code = runTagCmd(t, cmdRecord, "show", "--store", store, "--release", "v1.0.0", "--json")
	require.Equal(t, 0, code)
	assert.Contains(t, out, `"original_pr":"#3"`)
	assert.Contains(t, out, `"owner":"team-a"`)
}

// TestPromoteManifestCommands builds, signs, promotes and rolls back
// multi-repo manifests with both stores.
func TestPromoteManifestCommands(t *testing.T) {
	for _, kind := range []string{"store", "git-store"} {
		t.Run(kind, func(t *testing.T) {
			g := evidenceRepo(t)
			storeArgs := []string{"--store", t.TempDir()}
			if kind == "git-store" {
				storeArgs = []string{"--git-store", g.Dir}
			}
			with := func(args ...string) []string { return append(slices.Clone(storeArgs), args...) }
			releaseRecordIn(t, g, storeArgs, "v1.0.0", "api 1")
			releaseRecordIn(t, g, storeArgs, "v1.1.0", "web 1")

			dir := t.TempDir()
			key, allowed := tagSSHKey(t)
			build := func(name, file string, pins ...string) string {
				out, errOut, code := runTagCmd(t, cmdManifest, append(append([]string{"build"}, with("--name", name, "--out", file)...), pins...)...)
				require.Equal(t, 0, code, errOut)
				_, errOut, code = runTagCmd(t, cmdManifest, "sign", "--manifest", file, "--key", key)
				require.Equal(t, 0, code, errOut)
				return strings.Fields(out)[0]
			}
			m1, m2 := filepath.Join(dir, "m1.json"), filepath.Join(dir, "m2.json")
			d1 := build("2026.01", m1, "api=v1.0.0", "web=v1.0.0")
			d2 := build("2026.02", m2, "api=v1.0.0", "web=v1.1.0")

			promote := func(file, env string, extra ...string) (string, string, int) {
				return runTagCmd(t, cmdPromote, append(with("--manifest", file, "--env", env, "--approver", "alice", "--reason", "ok", "--allowed-signers", allowed), extra...)...)
			}
			for _, env := range []string{"dev", "staging", "prod"} {
				out, errOut, code := promote(m1, env, "--json")
				require.Equal(t, 0, code, errOut)
				var res promoteResult
				require.NoError(t, json.Unmarshal([]byte(out), &res))
				assert.Equal(t, env, res.Promotion.Env)
				assert.Equal(t, "2026.01", res.Promotion.Release)
				assert.Equal(t, d1, res.Promotion.Digest)
				require.NotNil(t, res.Promotion.Manifest)
				assert.Len(t, res.Promotion.Manifest.Repos, 2, "every repo's artifact digests are logged")
			}

			// Refusals.
			_, errOut, code := promote(m2, "staging")
			assert.Equal(t, 1, code)
			assert.Contains(t, errOut, "previous environment skipped")
			_, otherAllowed := tagSSHKey(t)
			_, errOut, code = runTagCmd(t, cmdPromote, with("--manifest", m2, "--env", "dev", "--allowed-signers", otherAllowed)...)
			assert.Equal(t, 1, code)
			assert.Contains(t, errOut, "signature does not verify")
			_, errOut, code = promote(m2, "dev", "--digest", d1)
			assert.Equal(t, 1, code)
			assert.Contains(t, errOut, "does not match its digest")
			_, _, code = promote(m2, "dev", "--release", "2026.01")
			assert.Equal(t, 2, code, "--release names another manifest")
			_, _, code = runTagCmd(t, cmdPromote, with("--release", "v1.0.0", "--env", "dev", "--digest", d1, "--sig", m1+".sig")...)
			assert.Equal(t, 2, code, "--sig without --manifest")

			// A manifest edited after signing is refused.
			b, err := os.ReadFile(m2)
			require.NoError(t, err)
			edited := filepath.Join(dir, "edited.json")
			require.NoError(t, os.WriteFile(edited, []byte(strings.Replace(string(b), "2026.02", "2026.09", 1)), 0o644))
			_, errOut, code = promote(edited, "dev", "--sig", m2+".sig")
			assert.Equal(t, 1, code)
			assert.Contains(t, errOut, "signature does not verify")

			for _, env := range []string{"dev", "staging"} {
				_, errOut, code := promote(m2, env)
				require.Equal(t, 0, code, errOut)
			}
			_, errOut, code = runTagCmd(t, cmdPromote, with("--manifest", m2, "--env", "prod", "--allowed-signers", allowed)...)
			assert.Equal(t, 1, code)
			assert.Contains(t, errOut, "approval required")
			out, errOut, code := promote(m2, "prod")
			require.Equal(t, 0, code, errOut)
			assert.Contains(t, out, "promoted 2026.02 "+d2+" to prod")

			// Roll prod back from 2026.02 to 2026.01's published digest.
			rollback := func(file string, extra ...string) (string, string, int) {
				return runTagCmd(t, cmdRollback, append(with("--manifest", file, "--env", "prod", "--approver", "bob", "--reason", "errors"), extra...)...)
			}
			_, errOut, code = rollback(m1)
			assert.Equal(t, 1, code, "prod does not run m1")
			assert.Contains(t, errOut, "does not run that manifest")
			out, errOut, code = rollback(m2, "--json")
			require.Equal(t, 0, code, errOut)
			var res promoteResult
			require.NoError(t, json.Unmarshal([]byte(out), &res))
			assert.Equal(t, "2026.01", res.Promotion.Release)
			assert.Equal(t, d1, res.Promotion.Digest)
			assert.Equal(t, d2, res.Promotion.RollbackFrom)
			_, errOut, code = rollback(m1)
			assert.Equal(t, 1, code)
			assert.Contains(t, errOut, "no known-good")

			out, errOut, code = runTagCmd(t, cmdAuditLog, append([]string{"verify"}, storeArgs...)...)
			require.Equal(t, 0, code, errOut)
			assert.Contains(t, out, "7 entries")
		})
	}
}

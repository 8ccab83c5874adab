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

// TestPromoteWithPolicy decides promotions with --policy: production is
// refused inside a freeze and when the author or the code reviewer approves
// it, and allowed to an independent approver inside the window; a refusal
// names the control.
func TestPromoteWithPolicy(t *testing.T) {
	g := evidenceRepo(t)
	store := t.TempDir()
	d := releaseRecord(t, g, store, "v1.1.0", "build 2")
	dir := t.TempDir()
	// Two windows covering every minute of every day, whatever the clock.
	open := `controls:
  REL-WINDOW-001:
    windows:
      - {days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "23:59"}
      - {days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "23:59", zone: Etc/GMT-6}
  REL-SOD-001: {}
  REL-RECORD-001: {}
`
	frozen := `controls:
  REL-WINDOW-001:
    windows:
      - {days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "23:59"}
    freezes:
      - {from: 2000-01-01T00:00:00Z, to: 2100-01-01T00:00:00Z, reason: change freeze}
`
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	openFile, frozenFile := write("open.yml", open), write("frozen.yml", frozen)
	pr := write("pr.json", `{"number": 2, "author": "alice", "approvers": ["bob"]}`)

	promote := func(env, approver, policyFile string, extra ...string) (string, string, int) {
		args := append([]string{"--repo", g.Dir, "--store", store, "--release", "v1.1.0", "--env", env, "--digest", d,
			"--approver", approver, "--reason", "CHG-1", "--policy", policyFile, "--pr", pr, "--releaser", "release-bot"}, extra...)
		return runTagCmd(t, cmdPromote, args...)
	}
	for _, env := range []string{"dev", "staging"} {
		_, errOut, code := promote(env, "bob", openFile)
		require.Equal(t, 0, code, errOut)
	}
	_, errOut, code := promote("prod", "bob", frozenFile)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "REL-WINDOW-001")
	_, errOut, code = promote("prod", "alice", openFile)
	assert.Equal(t, 1, code, "the author approves her own change")
	assert.Contains(t, errOut, "REL-SOD-001")

	_, errOut, code = promote("prod", "bob", openFile)
	assert.Equal(t, 1, code, "the code reviewer approves the deployment")
	assert.Contains(t, errOut, "REL-SOD-001")
	out, errOut, code := promote("prod", "carol", openFile, "--json")
	require.Equal(t, 0, code, errOut)
	var res promoteResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "prod", res.Promotion.Env)
	assert.NotEmpty(t, res.Promotion.Window, "the window used is logged")
	require.NotEmpty(t, res.Promotion.Gate, "the policy report's digest is logged")
	_, err := os.Stat(filepath.Join(store, "evidence", strings.TrimPrefix(res.Promotion.Gate, "sha256:")))
	assert.NoError(t, err, "the policy report is kept in the store")

	_, _, code = runTagCmd(t, cmdPromote, "--repo", g.Dir, "--releaser", "release-bot", "--store", store, "--release", "v1.1.0", "--env", "prod", "--digest", d, "--approver", "bob", "--reason", "x", "--pr", pr)
	assert.Equal(t, 2, code, "--pr without --policy")
	_, _, code = promote("prod", "bob", write("bad.yml", "controls:\n  REL-NOPE-001: {}\n"))
	assert.Equal(t, 2, code, "an unknown control is bad input")
}

func TestPromoteRollbackAndLogCommands(t *testing.T) {
	g := evidenceRepo(t)
	store := t.TempDir()
	d1 := releaseRecord(t, g, store, "v1.0.0", "build 1")
	d2 := releaseRecord(t, g, store, "v1.1.0", "build 2")

	promote := func(tag, env, digest string, extra ...string) (string, string, int) {
		args := append([]string{"--repo", g.Dir, "--releaser", "release-bot", "--store", store, "--release", tag, "--env", env, "--digest", digest, "--approver", "alice", "--reason", "ok"}, extra...)
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
	_, errOut, code = runTagCmd(t, cmdPromote, "--repo", g.Dir, "--releaser", "release-bot", "--store", store, "--release", "v1.1.0", "--env", "prod", "--digest", d2)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "approval required")
	_, _, code = promote("v1.1.0", "mars", d2)
	assert.Equal(t, 2, code)
	// The two refusals are logged (the unknown environment is refused as
	// usage, before the log is opened).
	st, err := manifest.NewDirStore(store)
	require.NoError(t, err)
	entries, err := manifest.VerifyStore(t.Context(), st, nil)
	require.NoError(t, err)
	require.Len(t, entries, 8)
	for i, want := range []struct{ says, control string }{{"not in the release record", "REL-DIGEST-001"}, {"approval required", "REL-SOD-001"}} {
		d := entries[6+i].Denial
		require.NotNil(t, d, "entry %d", 7+i)
		assert.Contains(t, d.Refusal, want.says)
		assert.Equal(t, []string{want.control}, d.Controls)
		assert.Equal(t, "v1.1.0", d.Release)
		assert.Equal(t, &manifest.Actor{Name: "release-bot"}, d.Actor)
	}

	// Roll prod back to v1.0.0's published digest.
	out, errOut, code := runTagCmd(t, cmdRollback, "--repo", g.Dir, "--releaser", "release-bot", "--store", store, "--env", "prod", "--approver", "bob", "--reason", "errors", "--json")
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
	assert.Contains(t, out, "9 entries")
	files, err := filepath.Glob(filepath.Join(store, "log", "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 9)
	require.NoError(t, os.Remove(files[8]))
	// The store's Merkle tree still counts the removed entry: the cut is
	// caught even without a checkpoint.
	out, _, code = runTagCmd(t, cmdAuditLog, "verify", "--store", store, "--json")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "truncated")
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

func TestPromoteEmergencyAndHelp(t *testing.T) {
	g := evidenceRepo(t)
	store := t.TempDir()
	d := releaseRecord(t, g, store, "v1.0.0", "build")
	em := filepath.Join(t.TempDir(), "emergency.json")
	require.NoError(t, os.WriteFile(em, []byte(`{"id":"EMG-1","reason":"outage","scope":"api","approver":"carol","rollback_plan":"redeploy v0.9.0","follow_up":"PIR-7"}`), 0o644))
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"reason":"outage","colour":"red"}`), 0o644))

	_, _, code := runTagCmd(t, cmdPromote, "--repo", g.Dir, "--releaser", "release-bot", "--store", store, "--release", "v1.0.0", "--env", "dev", "--digest", d, "--emergency", bad)
	assert.Equal(t, 2, code, "unknown field in the emergency record")
	out, errOut, code := runTagCmd(t, cmdPromote, "--repo", g.Dir, "--releaser", "release-bot", "--store", store, "--release", "v1.0.0", "--env", "dev", "--digest", d, "--emergency", em, "--json")
	require.Equal(t, 0, code, errOut)
	var res promoteResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.NotNil(t, res.Promotion.Emergency)
	assert.Equal(t, "EMG-1", res.Promotion.Emergency.ID)

	_, _, code = runTagCmd(t, cmdPromote, "--repo", g.Dir, "--releaser", "release-bot", "--store", store, "--release", "v1.0.0", "--env", "dev", "--digest", "sha256:00")
	assert.Equal(t, 2, code, "malformed digest")
	_, _, code = runTagCmd(t, cmdRollback, "--repo", g.Dir, "--releaser", "release-bot", "--store", store, "--env", "prod", "--approver", "alice", "--reason", "r")
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

			// The configuration names prod's approvers; the keys are the
			// flags' (they override the configuration's trust).
			// The manifests' signing key is the configuration's trust.manifests.
			b, err := os.ReadFile(allowed)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "manifest_signers"), b, 0o644))
			tagSigners, err := os.ReadFile(filepath.Join(g.Dir, "allowed_signers"))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "allowed_signers"), tagSigners, 0o644))
			withManifests := strings.Replace(testConfig, "environments:", "  manifests:\n    allowed_signers: manifest_signers\nenvironments:", 1)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "releasekit.yaml"), []byte(withManifests), 0o644))
			cfg := []string{"--config", filepath.Join(dir, "releasekit.yaml"), "--releaser", "release-bot"}
			promote := func(file, env string, extra ...string) (string, string, int) {
				return runTagCmd(t, cmdPromote, append(with(append(cfg, "--manifest", file, "--env", env, "--approver", "alice", "--reason", "ok")...), extra...)...)
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
			_, errOut, code = runTagCmd(t, cmdPromote, with(append(cfg, "--manifest", m2, "--env", "dev", "--allowed-signers", otherAllowed)...)...)
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
			b, err = os.ReadFile(m2)
			require.NoError(t, err)
			edited := filepath.Join(dir, "edited.json")
			require.NoError(t, os.WriteFile(edited, []byte(strings.Replace(string(b), "2026.02", "2026.09", 1)), 0o644))
			_, errOut, code = promote(edited, "dev", "--sig", m2+".sig", "--allowed-signers", allowed)
			assert.Equal(t, 1, code)
			assert.Contains(t, errOut, "signature does not verify")

			for _, env := range []string{"dev", "staging"} {
				_, errOut, code := promote(m2, env)
				require.Equal(t, 0, code, errOut)
			}
			_, errOut, code = runTagCmd(t, cmdPromote, with(append(cfg, "--manifest", m2, "--env", "prod")...)...)
			assert.Equal(t, 1, code)
			assert.Contains(t, errOut, "approval required")
			out, errOut, code := promote(m2, "prod")
			require.Equal(t, 0, code, errOut)
			assert.Contains(t, out, "promoted 2026.02 "+d2+" to prod")

			// Roll prod back from 2026.02 to 2026.01's published digest.
			rollback := func(file string, extra ...string) (string, string, int) {
				return runTagCmd(t, cmdRollback, append(with(append(cfg, "--manifest", file, "--env", "prod", "--approver", "bob", "--reason", "errors")...), extra...)...)
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
			// 7 promotions, the 6 refusals manifest logged (skipped
			// environment, two signatures, digest, approval, no known-good)
			// and the one relctl logged (prod does not run m1).
			assert.Contains(t, out, "14 entries")
		})
	}
}

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/idtoken"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/internal/testkit/tokentest"
	"github.com/releasekit/releasekit/manifest"
)

// githubIssuer is the issuer of GitHub Actions' ID tokens; its keys are
// pinned in the configuration, so the tests verify offline.
const githubIssuer = "https://token.actions.githubusercontent.com"

// identityConfig trusts GitHub Actions tokens of acme/shop (pinned keys in
// jwks.json), names the actor by its login, and lets octocat deploy to
// prod, where a verified identity is required by default.
const identityConfig = `version: 1
trust:
  tags:
    allowed_signers: allowed_signers
identity:
  issuers:
    - issuer: ` + githubIssuer + `
      audience: releasekit
      jwks: jwks.json
      name_claim: actor
      claims:
        repository: acme/shop
environments:
  - name: dev
  - name: staging
  - name: prod
    production: true
    approvers: [alice, bob]
    permissions:
      deploy: [release-bot, octocat]
      rollback: [release-bot, octocat]
`

// identityRepo is evidenceRepo with identityConfig, the key that signs its
// tokens, and v1.0.0 and v1.1.0 recorded in a store and promoted to dev
// and staging by a typed releaser.
func identityRepo(t *testing.T) (dir, store string, key *tokentest.Key, digests map[string]string) {
	t.Helper()
	g := evidenceRepo(t)
	key = tokentest.RSAKey(t, "gh-1")
	require.NoError(t, os.WriteFile(filepath.Join(g.Dir, "jwks.json"), tokentest.JWKS(t, key), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(g.Dir, ".releasekit.yaml"), []byte(identityConfig), 0o644))
	store = t.TempDir()
	digests = map[string]string{}
	for _, tag := range []string{"v1.0.0", "v1.1.0"} {
		digests[tag] = releaseRecord(t, g, store, tag, "build of "+tag)
	}
	for _, env := range []string{"dev", "staging"} {
		_, errOut, code := runTagCmd(t, cmdPromote, "--repo", g.Dir, "--store", store, "--release", "v1.0.0", "--env", env,
			"--digest", digests["v1.0.0"], "--releaser", "release-bot", "--approver", "alice", "--reason", "ok")
		require.Equal(t, 0, code, errOut)
	}
	return g.Dir, store, key, digests
}

// tokenFile writes a GitHub Actions token signed by key, with extra claims
// changed, and returns its path.
func tokenFile(t *testing.T, key *tokentest.Key, extra map[string]any) string {
	t.Helper()
	raw := key.Sign(t, tokentest.GitHub(githubIssuer, tokentest.Audience, time.Now(), extra))
	p := filepath.Join(t.TempDir(), "id-token")
	require.NoError(t, os.WriteFile(p, []byte(raw), 0o600))
	return p
}

// logShow runs relctl log show --json with args and decodes it.
func logShow(t *testing.T, store string, args ...string) []map[string]any {
	t.Helper()
	out, errOut, code := runTagCmd(t, cmdLogShow, append([]string{"--store", store, "--json"}, args...)...)
	require.Equal(t, 0, code, errOut)
	var got []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	return got
}

func TestPromoteWithIDToken(t *testing.T) {
	dir, store, key, digests := identityRepo(t)
	promote := func(extra ...string) (string, string, int) {
		args := append([]string{"--repo", dir, "--store", store, "--release", "v1.0.0", "--env", "prod",
			"--digest", digests["v1.0.0"], "--approver", "alice", "--reason", "ok"}, extra...)
		return runTagCmd(t, cmdPromote, args...)
	}
	last := func() map[string]any {
		all := logShow(t, store)
		return all[len(all)-1]
	}

	// A typed releaser may not act in prod, which requires a verified
	// identity: refused, and the attempt is logged.
	_, errOut, code := promote("--releaser", "release-bot")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "verified identity required")
	e := last()
	assert.Equal(t, "denied", e["result"])
	assert.Equal(t, "promote", e["action"])
	assert.Equal(t, "prod", e["env"])
	assert.Equal(t, map[string]any{"name": "release-bot", "verified": false}, e["actor"])
	assert.Equal(t, []any{"REL-ENV-001"}, e["controls"])
	assert.Regexp(t, "^sha256:[0-9a-f]{64}$", e["config"], "the configuration it was decided under")

	// Tokens that must not establish an identity: each refused (exit 1)
	// and logged as a denial naming REL-ENV-001.
	other := tokentest.RSAKey(t, "gh-1") // same kid, another key
	for name, file := range map[string]string{
		"expired":          tokenFile(t, key, map[string]any{"exp": time.Now().Add(-time.Hour).Unix(), "iat": time.Now().Add(-2 * time.Hour).Unix(), "nbf": time.Now().Add(-2 * time.Hour).Unix()}),
		"other audience":   tokenFile(t, key, map[string]any{"aud": "someone-else"}),
		"other repository": tokenFile(t, key, map[string]any{"repository": "mallory/shop"}),
		"wrong signature":  tokenFile(t, other, nil),
	} {
		t.Run(name, func(t *testing.T) {
			before := len(logShow(t, store))
			_, errOut, code := promote("--id-token", file)
			assert.Equal(t, 1, code, errOut)
			all := logShow(t, store)
			require.Len(t, all, before+1, "the refusal is logged")
			e := all[len(all)-1]
			assert.Equal(t, "denied", e["result"])
			assert.Equal(t, []any{"REL-ENV-001"}, e["controls"])
			assert.Equal(t, false, e["actor"].(map[string]any)["verified"])
		})
	}
	none := filepath.Join(t.TempDir(), "none")
	require.NoError(t, os.WriteFile(none, []byte(tokentest.Unsigned(t, tokentest.GitHub(githubIssuer, tokentest.Audience, time.Now(), nil))), 0o600))
	_, errOut, code = promote("--id-token", none)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "algorithm")
	assert.Equal(t, "denied", last()["result"])

	// A verified identity the configuration does not let deploy to prod.
	_, errOut, code = promote("--id-token", tokenFile(t, key, map[string]any{"actor": "hubot"}))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "releaser not authorized")
	e = last()
	assert.Equal(t, "denied", e["result"])
	assert.Equal(t, shownVerified(t, key, "hubot"), e["actor"])

	// --releaser and the token must agree.
	_, errOut, code = promote("--id-token", tokenFile(t, key, nil), "--releaser", "release-bot")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "not the token's identity")

	// A valid token: octocat, verified, may deploy to prod.
	out, errOut, code := promote("--id-token", tokenFile(t, key, nil), "--json")
	require.Equal(t, 0, code, errOut)
	var res promoteResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	a := res.Promotion.Actor
	require.NotNil(t, a)
	assert.Equal(t, "octocat", a.Name)
	assert.True(t, a.Verified)
	assert.Equal(t, githubIssuer, a.Issuer)
	assert.Equal(t, "repo:acme/shop:environment:prod", a.Subject)
	assert.Equal(t, "acme/shop", a.Claims.Repository)
	assert.Equal(t, "42", a.Claims.Run)
	assert.Equal(t, "octocat", res.Promotion.Releaser)
	e = last()
	assert.Equal(t, "allowed", e["result"])
	assert.Equal(t, shownVerified(t, key, "octocat"), e["actor"])

	// The token can come from the environment (GitLab CI's id_tokens).
	t.Setenv(tokenEnv, strings.TrimSpace(string(mustRead(t, tokenFile(t, key, nil)))))
	_, errOut, code = runTagCmd(t, cmdRollback, "--repo", dir, "--store", store, "--env", "prod", "--approver", "bob", "--reason", "errors")
	assert.Equal(t, 1, code, "nothing to roll back to, but the identity was established")
	assert.Contains(t, errOut, "no known-good")
	e = last()
	assert.Equal(t, "denied", e["result"])
	assert.Equal(t, "rollback", e["action"])
	assert.Equal(t, true, e["actor"].(map[string]any)["verified"])

	// An unreadable token file is bad usage, not an attempt.
	before := len(logShow(t, store))
	_, _, code = promote("--id-token", filepath.Join(t.TempDir(), "missing"))
	assert.Equal(t, 2, code)
	assert.Len(t, logShow(t, store), before)
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return b
}

func TestDeployReport(t *testing.T) {
	dir, store, key, digests := identityRepo(t)
	report := func(args ...string) (string, string, int) {
		return runTagCmd(t, cmdDeploy, append([]string{"report", "--repo", dir, "--store", store}, args...)...)
	}

	// Bad usage: exit 2, nothing logged.
	before := len(logShow(t, store))
	for _, args := range [][]string{
		{"--release", "v1.0.0", "--env", "dev"},
		{"--release", "v1.0.0", "--env", "dev", "--result", "done", "--releaser", "ci"},
		{"--release", "v1.0.0", "--env", "dev", "--result", "failed", "--releaser", "ci"},
		{"--release", "v1.0.0", "--env", "dev", "--result", "succeeded", "--error", "x", "--releaser", "ci"},
	} {
		_, _, code := report(args...)
		assert.Equal(t, 2, code, args)
	}
	assert.Len(t, logShow(t, store), before)

	// A deployment of v1.0.0 to dev, which it was promoted to: the first
	// deployment there, every file of the tree added.
	out, errOut, code := report("--release", "v1.0.0", "--env", "dev", "--result", "started", "--target", "web-1", "--releaser", "deployer", "--json")
	require.Equal(t, 0, code, errOut)
	var res deployResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	d := res.Deployment
	assert.Equal(t, manifest.ResultStarted, d.Result)
	assert.Equal(t, []string{"web-1"}, d.Targets)
	assert.Equal(t, digests["v1.0.0"], d.Digest)
	assert.NotEmpty(t, d.Commit)
	require.NotNil(t, d.Changes)
	assert.Empty(t, d.Changes.From)
	assert.Positive(t, d.Changes.Added)
	assert.False(t, d.Actor.Verified)

	// v1.1.0 never reached staging: refused and logged.
	_, errOut, code = report("--release", "v1.1.0", "--env", "staging", "--result", "succeeded", "--releaser", "deployer")
	assert.Equal(t, 1, code, errOut)
	all := logShow(t, store)
	assert.Equal(t, "denied", all[len(all)-1]["result"])
	assert.Equal(t, "deploy-report", all[len(all)-1]["action"])

	// v1.1.0 through dev and staging, then a failed deployment to staging,
	// reported with a verified token: the files changed since v1.0.0.
	for _, env := range []string{"dev", "staging"} {
		_, errOut, code := runTagCmd(t, cmdPromote, "--repo", dir, "--store", store, "--release", "v1.1.0", "--env", env,
			"--digest", digests["v1.1.0"], "--releaser", "release-bot", "--approver", "alice", "--reason", "ok")
		require.Equal(t, 0, code, errOut)
	}
	out, errOut, code = report("--release", "v1.1.0", "--env", "staging", "--result", "failed", "--error", "health check failed on web-2: HTTP 503",
		"--target", "web-1", "--target", "web-2", "--id-token", tokenFile(t, key, nil))
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "deployment of v1.1.0 to staging failed")
	assert.Contains(t, out, "files changed: 1 (1 added, 0 modified, 0 deleted)")

	got := logShow(t, store, "--env", "staging", "--release", "v1.1.0")
	e := got[len(got)-1]
	assert.Equal(t, "deployment", e["kind"])
	assert.Equal(t, "failed", e["result"])
	assert.Equal(t, "v1.1.0", e["release"])
	assert.Equal(t, "staging", e["env"])
	assert.Equal(t, []any{"web-1", "web-2"}, e["targets"])
	assert.Equal(t, "health check failed on web-2: HTTP 503", e["error"])
	assert.Equal(t, "main", e["branch"], "from the verified token's ref")
	assert.Equal(t, shownVerified(t, key, "octocat"), e["actor"])
	fc := e["files_changed"].(map[string]any)
	assert.Equal(t, "v1.0.0", fc["from"])
	for _, s := range got {
		assert.Equal(t, "staging", s["env"])
		assert.Equal(t, "v1.1.0", s["release"])
	}

	// The changed-files manifest is evidence in the store, by its digest.
	hexDigest := strings.TrimPrefix(fc["digest"].(string), "sha256:")
	b := mustRead(t, filepath.Join(store, "evidence", hexDigest))
	cf, err := manifest.ParseChangedFiles(b)
	require.NoError(t, err)
	require.Len(t, cf.Files, 1)
	assert.Equal(t, manifest.ChangeAdded, cf.Files[0].Change)

	// The text view says the same.
	out, errOut, code = runTagCmd(t, cmdLogShow, "--store", store, "--env", "staging")
	require.Equal(t, 0, code, errOut)
	for _, want := range []string{"failed    deploy v1.1.0 → staging", "by octocat (verified: " + githubIssuer, "targets web-1, web-2", "error: health check failed", "denied    deploy-report v1.1.0 → staging", "by deployer (unverified: typed)"} {
		assert.Contains(t, out, want)
	}
}

func TestLogShowRefusesATamperedLog(t *testing.T) {
	_, store, _, _ := identityRepo(t)
	files, err := filepath.Glob(filepath.Join(store, "log", "*.json"))
	require.NoError(t, err)
	b := mustRead(t, files[0])
	require.NoError(t, os.WriteFile(files[0], []byte(strings.Replace(string(b), "alice", "mallory", 1)), 0o644))
	_, errOut, code := runTagCmd(t, cmdLogShow, "--store", store)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "tampered")
}

// Every refusal of a deployment report is logged, and a report is decided
// under the repository's configuration like a promotion.
func TestDeployReportFailsClosed(t *testing.T) {
	dir, store, key, digests := identityRepo(t)
	report := func(args ...string) (string, string, int) {
		return runTagCmd(t, cmdDeploy, append([]string{"report", "--store", store}, args...)...)
	}
	lastLogged := func() map[string]any {
		all := logShow(t, store)
		return all[len(all)-1]
	}
	_, errOut, code := runTagCmd(t, cmdPromote, "--repo", dir, "--store", store, "--release", "v1.0.0", "--env", "prod",
		"--digest", digests["v1.0.0"], "--approver", "alice", "--reason", "ok", "--id-token", tokenFile(t, key, nil))
	require.Equal(t, 0, code, errOut)

	// Nobody named: bad usage, never a panic, never "nobody" logged.
	before := len(logShow(t, store))
	_, errOut, code = report("--repo", dir, "--release", "v1.0.0", "--env", "dev", "--result", "started")
	assert.Equal(t, 2, code, errOut)
	assert.Contains(t, errOut, "who reports the deployment")
	assert.Len(t, logShow(t, store), before)

	// Another configuration than the repository's, for production: refused
	// without --config-override-unsafe, and logged.
	lax := filepath.Join(t.TempDir(), "lax.yaml")
	require.NoError(t, os.WriteFile(lax, []byte("version: 1\nenvironments:\n  - name: dev\n  - name: staging\n  - name: prod\n    production: true\n    approvers: [alice]\n"), 0o644))
	_, errOut, code = report("--repo", dir, "--config", lax, "--release", "v1.0.0", "--env", "prod", "--result", "succeeded", "--releaser", "mallory")
	assert.Equal(t, 2, code, errOut)
	assert.Contains(t, errOut, "--config-override-unsafe")
	e := lastLogged()
	assert.Equal(t, "denied", e["result"])
	assert.Equal(t, "deploy-report", e["action"])
	assert.Equal(t, []any{"REL-ENV-001"}, e["controls"])
	assert.Regexp(t, "^sha256:", e["config"], "relctl's own refusals name the configuration too")

	// No configuration at all (a checkout without one): production refused
	// and logged.
	bare := t.TempDir()
	require.NoError(t, exec.Command("git", "init", "-q", bare).Run())
	_, errOut, code = report("--repo", bare, "--release", "v1.0.0", "--env", "prod", "--result", "succeeded", "--releaser", "mallory")
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, errOut, "no release configuration")
	assert.Equal(t, "denied", lastLogged()["result"])

	// A typed identity in prod, which requires a verified one.
	_, errOut, code = report("--repo", dir, "--release", "v1.0.0", "--env", "prod", "--result", "succeeded", "--releaser", "release-bot")
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, errOut, "verified identity required")
	assert.Equal(t, "denied", lastLogged()["result"])

	// A verified identity that may not deploy to prod.
	_, errOut, code = report("--repo", dir, "--release", "v1.0.0", "--env", "prod", "--result", "succeeded", "--id-token", tokenFile(t, key, map[string]any{"actor": "hubot"}))
	assert.Equal(t, 1, code, errOut)
	assert.Equal(t, "denied", lastLogged()["result"])

	// A release with no record: refused and logged.
	_, errOut, code = report("--repo", dir, "--release", "v9.9.9", "--env", "dev", "--result", "succeeded", "--releaser", "deployer")
	assert.Equal(t, 1, code, errOut)
	e = lastLogged()
	assert.Equal(t, "denied", e["result"])
	assert.Equal(t, "v9.9.9", e["release"])

	// The files changed come from the releases' recorded commits: a tag
	// moved since to a commit with another file changes nothing.
	g := gittest.Open(t, dir)
	moved := g.CommitFiles("chore: not released", map[string]string{"backdoor.sh": "#!/bin/sh\n"})
	require.NoError(t, exec.Command("git", "-C", dir, "tag", "-f", "v1.1.0", moved).Run())
	for _, env := range []string{"dev", "staging"} {
		_, errOut, code := runTagCmd(t, cmdPromote, "--repo", dir, "--store", store, "--release", "v1.1.0", "--env", env,
			"--digest", digests["v1.1.0"], "--releaser", "release-bot", "--approver", "alice", "--reason", "ok")
		require.Equal(t, 0, code, errOut)
	}
	out, errOut, code := report("--repo", dir, "--release", "v1.1.0", "--env", "staging", "--result", "succeeded", "--releaser", "deployer", "--json")
	require.Equal(t, 0, code, errOut)
	var res deployResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	hexDigest := strings.TrimPrefix(res.Deployment.Changes.Digest, "sha256:")
	cf, err := manifest.ParseChangedFiles(mustRead(t, filepath.Join(store, "evidence", hexDigest)))
	require.NoError(t, err)
	for _, f := range cf.Files {
		assert.NotEqual(t, "backdoor.sh", f.Path, "a moved tag does not change what was deployed")
	}
	assert.Equal(t, "v1.0.0", cf.From)
}

// Refusals relctl makes before the library decides are logged too.
func TestPromoteGuardRefusalsLogged(t *testing.T) {
	dir, store, key, digests := identityRepo(t)
	_, allowed := tagSSHKey(t)
	before := len(logShow(t, store))
	_, errOut, code := runTagCmd(t, cmdPromote, "--repo", dir, "--store", store, "--release", "v1.0.0", "--env", "prod",
		"--digest", digests["v1.0.0"], "--approver", "alice", "--reason", "ok", "--id-token", tokenFile(t, key, nil), "--allowed-signers", allowed)
	assert.Equal(t, 2, code, errOut)
	assert.Contains(t, errOut, "--trust-override-unsafe")
	all := logShow(t, store)
	require.Len(t, all, before+1)
	assert.Equal(t, "denied", all[len(all)-1]["result"])
	assert.Equal(t, []any{"REL-ENV-001"}, all[len(all)-1]["controls"])
}

func TestLogShowCheckpoint(t *testing.T) {
	_, store, _, _ := identityRepo(t)
	cp := filepath.Join(t.TempDir(), "checkpoint.json")
	_, errOut, code := runTagCmd(t, cmdAuditLog, "verify", "--store", store, "--write-checkpoint", cp)
	require.Equal(t, 0, code, errOut)
	_, errOut, code = runTagCmd(t, cmdLogShow, "--store", store, "--checkpoint", cp)
	require.Equal(t, 0, code, errOut)

	files, err := filepath.Glob(filepath.Join(store, "log", "*.json"))
	require.NoError(t, err)
	require.NoError(t, os.Remove(files[len(files)-1]))
	_, errOut, code = runTagCmd(t, cmdLogShow, "--store", store, "--checkpoint", cp)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "truncated")
}

// shownVerified is how log show --json shows name, verified from a token
// that key signed: with the issuer, the subject and the key's thumbprint.
func shownVerified(t *testing.T, key *tokentest.Key, name string) map[string]any {
	t.Helper()
	keys, err := idtoken.ParseKeySet(tokentest.JWKS(t, key))
	require.NoError(t, err)
	return map[string]any{"name": name, "verified": true, "issuer": githubIssuer, "subject": "repo:acme/shop:environment:prod", "key": keys[0].Thumbprint}
}

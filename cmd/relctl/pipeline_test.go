package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

// TestPipelineComposed plays the release of examples/ci/github-release.yml
// with relctl alone, in the repository's work tree with the paths the
// pipeline uses: next version, artifact, SBOM, provenance, signed tag,
// release record in the repository's evidence ref, promotions dev → staging
// → prod through the release policy, a signed checkpoint, and then the
// audit: the trail is complete, and the evidence bundle verifies offline.
func TestPipelineComposed(t *testing.T) {
	g := gittest.New(t)
	g.Tag("v1.0.0", g.Commit("feat: first (#1)\n\nRefs: SHOP-1\n"))
	g.Commit("feat(cart): gift cards (#2)\n\nRefs: SHOP-2\n")
	tagKey, allowed := tagSSHKey(t)
	keys := t.TempDir()
	// The checkpoint is signed with the release key too (namespace
	// releasekit-manifest); allowed_signers trusts it for every namespace.
	provKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	der, err := x509.MarshalPKCS8PrivateKey(provKey)
	require.NoError(t, err)
	provPriv := filepath.Join(keys, "provenance.pem")
	require.NoError(t, os.WriteFile(provPriv, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
	pder, err := x509.MarshalPKIXPublicKey(provKey.Public())
	require.NoError(t, err)
	provPub := filepath.Join(keys, "provenance.pub")
	require.NoError(t, os.WriteFile(provPub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pder}), 0o644))
	// The policy of examples/ci/release-policy.yml, with a window open at
	// any time of day so the test does not depend on the clock.
	policyFile := filepath.Join(keys, "release-policy.yml")
	require.NoError(t, os.WriteFile(policyFile, []byte(`controls:
  REL-WINDOW-001:
    windows:
      - {days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "23:59"}
      - {days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "23:59", zone: Etc/GMT-6}
  REL-SOD-001: {}
  REL-RECORD-001: {}
  REL-DIGEST-001: {}
`), 0o644))
	// The minimal release configuration: the key that signs release tags,
	// and who may approve production.
	b, err := os.ReadFile(allowed)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(g.Dir, "allowed_signers"), b, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(g.Dir, ".releasekit.yaml"), []byte(`version: 1
trust:
  tags:
    allowed_signers: allowed_signers
environments:
  - name: dev
  - name: staging
  - name: prod
    production: true
    approvers: [cleo]
`), 0o644))
	t.Chdir(g.Dir)

	sh := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		err := run(t.Context(), args, strings.NewReader(""), &out, &errOut)
		require.NoError(t, err, "relctl %s\n%s", strings.Join(args, " "), errOut.String())
		return out.String()
	}

	var next struct {
		Next     string `json:"next"`
		Previous string `json:"previous"`
	}
	require.NoError(t, json.Unmarshal([]byte(sh("next", "--json")), &next))
	require.Equal(t, "v1.1.0", next.Next)
	tag := next.Next

	require.NoError(t, os.MkdirAll("dist", 0o755))
	require.NoError(t, os.WriteFile("dist/app", []byte("the app, built once"), 0o755))
	sh("sbom", "--artifact", "dist/app", "--out", "dist/app.cdx.json")
	sh("sbom", "check", "--sbom", "dist/app.cdx.json", "--artifact", "dist/app")
	sh("provenance", "--artifact", "dist/app", "--key", provPriv, "--out", "dist/app.intoto.jsonl",
		"--builder-id", "https://ci.example.com/builders/release", "--build-type", "https://ci.example.com/buildtypes/make/v1")
	sh("tag", "--name", tag, "--rev", "HEAD", "--sign", "ssh", "--key", tagKey, "--tagger", "Release Bot <bot@example.com>")
	sh("verify", "--tag", tag, "--allowed-signers", allowed)

	s := []string{"--git-store", ".", "--release", tag}
	sh(append([]string{"record", "init"}, s...)...)
	sh(append([]string{"record", "add-artifact"}, append(s, "--name", "app", "--file", "dist/app")...)...)
	sh(append([]string{"record", "attach-sbom"}, append(s, "--artifact", "app", "--sbom", "dist/app.cdx.json")...)...)
	tomorrow := time.Now().UTC().Add(24 * time.Hour).Truncate(time.Hour)
	sh(append([]string{"record", "set"}, append(s,
		"provenance.build_id=https://ci.example.com/runs/7", "provenance.ref=dist/app.intoto.jsonl",
		"check.ci=pass", "rollback.method=redeploy the previous artifact", "rollback.version="+next.Previous,
		"known_issue=none", "window.start="+tomorrow.Format(time.RFC3339), "window.end="+tomorrow.Add(2*time.Hour).Format(time.RFC3339))...)...)
	sh(append([]string{"record", "check"}, s...)...)
	var rec struct {
		Artifacts []struct{ Digest string } `json:"artifacts"`
	}
	require.NoError(t, json.Unmarshal([]byte(sh(append([]string{"record", "show", "--json"}, s...)...)), &rec))
	require.Len(t, rec.Artifacts, 1)
	digest := rec.Artifacts[0].Digest

	require.NoError(t, os.WriteFile("dist/pr.json", []byte(`{"number": 2, "author": "ada", "approvers": ["ben"], "merge_method": "squash", "head": "feature/SHOP-2-gift-cards", "base": "main"}`), 0o644))
	for _, p := range []struct{ env, approver string }{{"dev", "ci"}, {"staging", "ci"}, {"prod", "cleo"}} {
		sh("promote", "--git-store", ".", "--release", tag, "--env", p.env, "--digest", digest,
			"--approver", p.approver, "--reason", "CHG-2 "+p.env,
			"--policy", policyFile, "--pr", "dist/pr.json", "--releaser", "github-actions")
	}
	cp := filepath.Join(keys, "checkpoint.json")
	sh("log", "verify", "--git-store", ".", "--write-checkpoint", cp, "--sign-key", tagKey)
	require.FileExists(t, cp+".sig")

	audit := []string{"--git-store", ".", "--repo", ".", "--evidence", ".", "--allowed-signers", allowed,
		"--provenance-key", provPub, "--checkpoint", cp}
	var trail struct {
		Releases []struct {
			Status string `json:"status"`
			Links  []struct {
				Step   string `json:"step"`
				Status string `json:"status"`
			} `json:"links"`
		} `json:"releases"`
	}
	require.NoError(t, json.Unmarshal([]byte(sh(append([]string{"audit", "trail", "--release", tag, "--json"}, audit...)...)), &trail))
	require.Len(t, trail.Releases, 1)
	// Every link is verified, except the artifact itself: the record names
	// it by digest and the artifact file is not part of the evidence.
	steps := map[string]int{}
	for _, l := range trail.Releases[0].Links {
		steps[l.Step]++
		want := "verified"
		if l.Step == "artifact" {
			want = "recorded"
		}
		assert.Equal(t, want, l.Status, l.Step)
	}
	assert.Equal(t, 3, steps["promotion"])
	assert.Equal(t, 3, steps["gate"], "each promotion has the policy report that gated it")
	for _, st := range []string{"ticket", "commit", "tag", "artifact", "sbom", "provenance", "log"} {
		assert.Positive(t, steps[st], st)
	}

	bundle := filepath.Join(keys, "evidence-"+tag+".tar.gz")
	sh(append([]string{"audit", "bundle", "--release", tag, "--out", bundle}, audit...)...)
	out := sh("audit", "verify-bundle", bundle, "--allowed-signers", allowed, "--provenance-key", provPub)
	assert.Contains(t, out, "pass")
}

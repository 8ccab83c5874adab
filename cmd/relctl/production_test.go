package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/manifest"
)

// minimalConfig is the minimal release configuration of issue 19's
// contract: the key that signs release tags and who may approve prod.
const minimalConfig = `version: 1
trust:
  tags:
    allowed_signers: allowed_signers   # path relative to the file
environments:
  - name: dev
  - name: staging
  - name: prod
    production: true
    approvers: [cleo@example.com]     # identities allowed to approve here
`

// prodCase is a release v1.0.0 promoted to dev and staging, ready for
// prod: the repository (with cfg as .releasekit.yaml unless it is empty),
// its store and the artifact's digest.
type prodCase struct {
	g      *gittest.Repo
	store  string
	digest string
}

// newProdCase makes the release; sign says how its tag is made: "trusted"
// (signed by the key allowed_signers trusts), "untrusted" (signed by
// another key) or "unsigned" (a lightweight tag).
func newProdCase(t *testing.T, cfg, sign string) prodCase {
	t.Helper()
	g := gittest.New(t)
	key, allowed := tagSSHKey(t)
	b, err := os.ReadFile(allowed)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(g.Dir, "allowed_signers"), b, 0o644))
	if cfg != "" {
		require.NoError(t, os.WriteFile(filepath.Join(g.Dir, config.FileName), []byte(cfg), 0o644))
	}
	c1 := g.Commit("feat: first (#1)\n\nRefs: PROJ-1\n")
	switch sign {
	case "trusted":
		signTag(t, g, key, "v1.0.0", c1)
	case "untrusted":
		other, _ := tagSSHKey(t)
		signTag(t, g, other, "v1.0.0", c1)
	default:
		g.Tag("v1.0.0", c1)
	}
	pc := prodCase{g: g, store: t.TempDir()}
	pc.digest = releaseRecord(t, g, pc.store, "v1.0.0", "build 1")
	for _, env := range []string{"dev", "staging"} {
		_, errOut, code := pc.promote(t, env, "ci", "--releaser", "release-bot")
		require.Equal(t, 0, code, errOut)
	}
	return pc
}

func (pc prodCase) promote(t *testing.T, env, approver string, extra ...string) (string, string, int) {
	t.Helper()
	args := append([]string{"--repo", pc.g.Dir, "--store", pc.store, "--release", "v1.0.0", "--env", env,
		"--digest", pc.digest, "--approver", approver, "--reason", "CHG-1 " + env}, extra...)
	return runTagCmd(t, cmdPromote, args...)
}

// lastEntry returns the store's last promotion.
func (pc prodCase) lastEntry(t *testing.T) manifest.Promotion {
	t.Helper()
	st, err := manifest.NewDirStore(pc.store)
	require.NoError(t, err)
	entries, err := manifest.VerifyStore(t.Context(), st, nil)
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	p := entries[len(entries)-1].Promotion
	require.NotNil(t, p)
	return *p
}

// TestProductionFailsClosed is issue 19's "what it must show": with only
// the minimal configuration, a release whose tag is signed by a trusted
// key reaches prod approved by a listed identity; each missing check is a
// refusal at prod (exit 1) naming it, and a skipped check passes only with
// its -unsafe flag, which the log entry records.
func TestProductionFailsClosed(t *testing.T) {
	t.Run("passes with every check", func(t *testing.T) {
		pc := newProdCase(t, minimalConfig, "trusted")
		out, errOut, code := pc.promote(t, "prod", "cleo@example.com", "--releaser", "release-bot", "--json")
		require.Equal(t, 0, code, errOut)
		var res promoteResult
		require.NoError(t, json.Unmarshal([]byte(out), &res))
		p := pc.lastEntry(t)
		assert.True(t, p.Production)
		assert.Equal(t, []string{"dev", "staging", "prod"}, p.Order)
		assert.Equal(t, "release-bot", p.Releaser)
		require.NotNil(t, p.TagSigner, "the tag's signer is recorded")
		assert.Equal(t, "bot@example.com", p.TagSigner.Identity)
		assert.True(t, strings.HasPrefix(p.Config, "sha256:"), "the configuration's digest is recorded")
		assert.Empty(t, p.Unsafe)
	})

	refusals := []struct {
		name, cfg, sign, approver string
		extra                     []string
		want                      error
		says                      string
	}{
		{"unsigned tag", minimalConfig, "unsigned", "cleo@example.com", nil,
			&manifest.RefusalError{Reason: "release tag signature does not verify"}, "signature does not verify"},
		{"tag signed by an untrusted key", minimalConfig, "untrusted", "cleo@example.com", nil,
			&manifest.RefusalError{Reason: "release tag signature does not verify"}, "signature does not verify"},
		{"approver not authorised for prod", minimalConfig, "trusted", "mallory@example.com", nil,
			config.ErrNotAuthorized, "approver not authorized"},
		{"approver authorised in look only (zero-width space)", minimalConfig, "trusted", "cleo@example.com\u200b", nil,
			config.ErrNotAuthorized, "approver not authorized"},
		{"releaser not authorised", minimalConfig + "    permissions:\n      deploy: [release-bot]\n", "trusted", "cleo@example.com",
			[]string{"--releaser", "intern"}, config.ErrNotAuthorized, "releaser not authorized"},
		{"the approver is the releaser", minimalConfig, "trusted", "cleo@example.com", []string{"--releaser", "cleo@example.com"},
			&manifest.RefusalError{Reason: "approver is the releaser"}, "approver is the releaser"},
		{"no releaser", minimalConfig, "trusted", "cleo@example.com", []string{"--releaser", ""},
			config.ErrNotAuthorized, "releaser not authorized"},
		{"no configuration", "", "trusted", "cleo@example.com", []string{"--allowed-signers", "ALLOWED"},
			errNoConfig, "no release configuration"},
		{"no trusted keys configured", strings.Replace(minimalConfig, "trust:\n  tags:\n    allowed_signers: allowed_signers   # path relative to the file\n", "", 1), "trusted", "cleo@example.com", nil,
			&manifest.RefusalError{Reason: "release tag not verified"}, "--skip-signature-unsafe"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			pc := newProdCase(t, tt.cfg, tt.sign)
			args := []string{"--releaser", "release-bot"}
			for _, a := range tt.extra {
				args = append(args, strings.ReplaceAll(a, "ALLOWED", filepath.Join(pc.g.Dir, "allowed_signers")))
			}
			// The library refusal, typed.
			var errOut strings.Builder
			err := cmdPromote(t.Context(), append([]string{"--repo", pc.g.Dir, "--store", pc.store, "--release", "v1.0.0", "--env", "prod",
				"--digest", pc.digest, "--approver", tt.approver, "--reason", "CHG-1 prod"}, args...), strings.NewReader(""), &errOut, &errOut)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tt.want), "%v is not %v", err, tt.want)
			// The command: exit 1, naming the check.
			_, msg, code := pc.promote(t, "prod", tt.approver, args...)
			assert.Equal(t, 1, code, msg)
			assert.Contains(t, msg, tt.says)
			st, err := manifest.NewDirStore(pc.store)
			require.NoError(t, err)
			entries, err := manifest.VerifyStore(t.Context(), st, nil)
			require.NoError(t, err)
			// Nothing reached prod; each of the two attempts the library
			// refused is logged as a denial naming its control (relctl
			// refuses a missing configuration itself: REL-ENV-001).
			promotions, denials := 0, 0
			for _, e := range entries {
				switch e.Kind {
				case manifest.KindPromotion:
					promotions++
					assert.NotEqual(t, "prod", e.Promotion.Env)
				case manifest.KindDenied:
					denials++
					assert.Equal(t, "prod", e.Denial.Env)
					assert.Equal(t, "v1.0.0", e.Denial.Release)
					assert.Len(t, e.Denial.Controls, 1, "%+v", e.Denial)
				default:
					t.Errorf("entry %d: %s", e.Seq, e.Kind)
				}
			}
			assert.Equal(t, 2, promotions, "nothing reached prod")
			assert.Equal(t, 2, denials, "each refused attempt is logged, relctl's own refusals too")
		})
	}

	t.Run("a skipped check passes only with its -unsafe flag, recorded", func(t *testing.T) {
		noTrust := strings.Replace(minimalConfig, "trust:\n  tags:\n    allowed_signers: allowed_signers   # path relative to the file\n", "", 1)
		pc := newProdCase(t, noTrust, "unsigned")
		_, errOut, code := pc.promote(t, "prod", "cleo@example.com", "--releaser", "release-bot", "--skip-signature-unsafe")
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, errOut, "--skip-signature-unsafe")
		assert.Equal(t, []string{manifest.UnsafeSkipSignature}, pc.lastEntry(t).Unsafe)
		// The audit trail flags it.
		out, _, code := runTagCmd(t, cmdAudit, "trail", "--store", pc.store, "--repo", pc.g.Dir, "--release", "v1.0.0")
		assert.NotEqual(t, 0, code)
		assert.Contains(t, out, "unsafe option(s): "+manifest.UnsafeSkipSignature)
	})

	t.Run("--order-unsafe is recorded and the trail flags the order", func(t *testing.T) {
		pc := newProdCase(t, minimalConfig, "trusted")
		_, errOut, code := pc.promote(t, "prod", "cleo@example.com", "--releaser", "release-bot", "--order", "dev,prod")
		assert.Equal(t, 2, code, "--order is gone: "+errOut)
		_, errOut, code = pc.promote(t, "prod", "cleo@example.com", "--releaser", "release-bot", "--order-unsafe", "dev,prod")
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, errOut, "--order-unsafe")
		p := pc.lastEntry(t)
		assert.Equal(t, []string{"dev", "prod"}, p.Order)
		assert.Equal(t, []string{"order-unsafe"}, p.Unsafe)
		out, _, code := runTagCmd(t, cmdAudit, "trail", "--store", pc.store, "--repo", pc.g.Dir, "--release", "v1.0.0")
		assert.Equal(t, 1, code)
		assert.Contains(t, out, "promoted to prod under the order dev,prod, not the configured one")
	})

	t.Run("the environment's controls gate it", func(t *testing.T) {
		pc := newProdCase(t, minimalConfig+"    controls: [REL-SOD-001]\n", "trusted")
		_, errOut, code := pc.promote(t, "prod", "cleo@example.com", "--releaser", "release-bot")
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "REL-SOD-001", "a control the configuration names but no policy enables refuses")
	})

	t.Run("REL-ENV-001 separates production's deployers from the other environments'", func(t *testing.T) {
		shared := strings.Replace(minimalConfig, "  - name: dev\n", "  - name: dev\n    permissions: {deploy: [release-bot]}\n", 1) +
			"    permissions: {deploy: [release-bot]}\n    controls: [REL-ENV-001]\n"
		pc := newProdCase(t, shared, "trusted")
		_, errOut, code := pc.promote(t, "prod", "cleo@example.com", "--releaser", "release-bot")
		assert.Equal(t, 1, code, errOut)
		assert.Contains(t, errOut, "REL-ENV-001")
		// An unrestricted production deployer cannot be separated.
		pc = newProdCase(t, minimalConfig+"    controls: [REL-ENV-001]\n", "trusted")
		_, errOut, code = pc.promote(t, "prod", "cleo@example.com", "--releaser", "release-bot")
		assert.Equal(t, 1, code, errOut)
		assert.Contains(t, errOut, "not restricted")
		// Separate deployers pass.
		separate := strings.Replace(minimalConfig, "  - name: dev\n", "  - name: dev\n    permissions: {deploy: [release-bot]}\n", 1) +
			"    permissions: {deploy: [prod-bot]}\n    controls: [REL-ENV-001]\n"
		pc = newProdCase(t, separate, "trusted")
		_, errOut, code = pc.promote(t, "prod", "cleo@example.com", "--releaser", "prod-bot")
		assert.Equal(t, 0, code, errOut)
	})

	t.Run("the environment's own freeze is enforced", func(t *testing.T) {
		frozen := minimalConfig + "    windows: [{days: [mon, tue, wed, thu, fri, sat, sun], start: \"00:00\", end: \"23:59\"}]\n" +
			"    freezes: [{from: 2000-01-01T00:00:00Z, to: 2100-01-01T00:00:00Z, reason: change freeze}]\n"
		pc := newProdCase(t, frozen, "trusted")
		_, errOut, code := pc.promote(t, "prod", "cleo@example.com", "--releaser", "release-bot")
		assert.Equal(t, 1, code, errOut)
		assert.Contains(t, errOut, "REL-WINDOW-001")
	})
	t.Run("key flags replace the configured trust only with --trust-override-unsafe", func(t *testing.T) {
		pc := newProdCase(t, minimalConfig, "untrusted")
		evil := filepath.Join(t.TempDir(), "evil_signers")
		// Any allowed_signers file will do for the refusal: it is refused before it is read.
		require.NoError(t, os.WriteFile(evil, []byte("x@example.com ssh-ed25519 AAAA\n"), 0o644))
		_, errOut, code := pc.promote(t, "prod", "cleo@example.com", "--releaser", "release-bot", "--allowed-signers", evil)
		assert.Equal(t, 2, code, errOut)
		assert.Contains(t, errOut, "--trust-override-unsafe")
	})

	t.Run("--config replaces the repository's configuration only with --config-override-unsafe", func(t *testing.T) {
		pc := newProdCase(t, minimalConfig, "trusted")
		other := filepath.Join(pc.g.Dir, "sub", "mine.yaml")
		require.NoError(t, os.MkdirAll(filepath.Dir(other), 0o755))
		b, err := os.ReadFile(filepath.Join(pc.g.Dir, "allowed_signers"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(pc.g.Dir, "sub", "allowed_signers"), b, 0o644))
		require.NoError(t, os.WriteFile(other, []byte(strings.Replace(minimalConfig, "cleo@example.com", "mallory@example.com", 1)), 0o644))
		_, errOut, code := pc.promote(t, "prod", "mallory@example.com", "--releaser", "release-bot", "--config", other)
		assert.Equal(t, 2, code, errOut)
		assert.Contains(t, errOut, "--config-override-unsafe")
		_, errOut, code = pc.promote(t, "prod", "mallory@example.com", "--releaser", "release-bot", "--config", other, "--config-override-unsafe")
		require.Equal(t, 0, code, errOut)
		assert.Equal(t, []string{"config-override-unsafe"}, pc.lastEntry(t).Unsafe)
	})

	t.Run("--policy adds controls and never removes a configured one", func(t *testing.T) {
		pc := newProdCase(t, minimalConfig, "trusted")
		// The configuration gains a policy once the release is in staging.
		cfg := minimalConfig + "policy:\n  controls:\n    REL-SOD-001: {}\n"
		require.NoError(t, os.WriteFile(filepath.Join(pc.g.Dir, config.FileName), []byte(cfg), 0o644))
		dir := t.TempDir()
		pr := filepath.Join(dir, "pr.json")
		require.NoError(t, os.WriteFile(pr, []byte(`{"number": 1, "author": "cleo@example.com", "approvers": ["ben"]}`), 0o644))
		weak := filepath.Join(dir, "weak.yml")
		require.NoError(t, os.WriteFile(weak, []byte("controls:\n  REL-RECORD-001: {}\n"), 0o644))
		_, errOut, code := pc.promote(t, "prod", "cleo@example.com", "--releaser", "release-bot", "--pr", pr, "--policy", weak)
		assert.Equal(t, 1, code, errOut)
		assert.Contains(t, errOut, "REL-SOD-001", "the author may not approve, whatever --policy says")
	})
}

// TestCommandsReadTheConfiguration: without their flags, the store, the
// checkpoint keys and the tag keys come from .releasekit.yaml.
func TestCommandsReadTheConfiguration(t *testing.T) {
	pc := newProdCase(t, minimalConfig+"stores:\n  store: evidence\n", "trusted")
	// Move the store where the configuration says it is.
	require.NoError(t, os.Rename(pc.store, filepath.Join(pc.g.Dir, "evidence")))
	t.Chdir(pc.g.Dir)
	out, errOut, code := relctl(t, "", "log", "verify", "--json")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"entries": 2`)
	out, errOut, code = relctl(t, "", "verify", "--tag", "v1.0.0")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "bot@example.com")
	_, errOut, code = relctl(t, "", "promote", "--release", "v1.0.0", "--env", "prod", "--digest", pc.digest,
		"--releaser", "release-bot", "--approver", "cleo@example.com", "--reason", "CHG-1")
	require.Equal(t, 0, code, errOut)
}

package demo_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/tagging"
)

func TestWriteConfig(t *testing.T) {
	work := t.TempDir()
	_, err := demo.SetupSigning(work, "")
	require.NoError(t, err)
	cfg, err := demo.WriteConfig(work, demo.Team{Approvers: []string{demo.Email("Cleo Approver")}, Releaser: demo.Email("Release Bot")})
	require.NoError(t, err)

	assert.Equal(t, filepath.Join(work, config.FileName), cfg.File)
	assert.Equal(t, []string{"dev", "staging", "prod"}, cfg.Order())
	assert.Equal(t, filepath.Join(work, "allowed_signers"), cfg.Trust.Tags.AllowedSigners)
	assert.True(t, cfg.Trust.Manifests.Empty())
	prod, ok := cfg.Env("prod")
	require.True(t, ok)
	assert.True(t, prod.Production)

	// The releaser deploys and rolls back prod, the approver approves it,
	// and neither does the other's part; dev is not restricted.
	for _, c := range []struct {
		env    string
		action manifest.Action
		who    string
		ok     bool
	}{
		{"prod", manifest.ActionDeploy, "release-bot@example.com", true},
		{"prod", manifest.ActionRollback, "release-bot@example.com", true},
		{"prod", manifest.ActionApprove, "cleo@example.com", true},
		{"prod", manifest.ActionApprove, "release-bot@example.com", false},
		{"prod", manifest.ActionDeploy, "cleo@example.com", false},
		{"prod", manifest.ActionApprove, "someone@example.com", false},
		{"dev", manifest.ActionDeploy, "release-bot@example.com", true},
		{"staging", manifest.ActionApprove, "ben@example.com", true},
	} {
		err := cfg.Authorize(c.env, c.action, c.who)
		assert.Equal(t, c.ok, err == nil, "%s %s %s: %v", c.who, c.action, c.env, err)
		assert.Equal(t, !c.ok, errors.Is(err, config.ErrNotAuthorized))
	}
	assert.Equal(t, "dev → staging → prod; prod approved by cleo@example.com, deployed and rolled back by release-bot@example.com; release tags trusted from allowed_signers",
		demo.DescribeConfig(cfg))
}

func TestWriteConfigTeam(t *testing.T) {
	work := t.TempDir()
	_, err := demo.SetupSigning(work, "", tagging.GitNamespace, manifest.Namespace)
	require.NoError(t, err)
	require.NoError(t, os.Rename(filepath.Join(work, "allowed_signers"), filepath.Join(work, "tag_signers")))
	cfg, err := demo.WriteConfig(work, demo.Team{
		Order:     []string{"staging", "live"},
		Approvers: []string{"ben@example.com", "cleo@example.com"},
		Releaser:  "release-bot@example.com", AllowedSigners: "tag_signers", Manifests: true,
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"staging", "live"}, cfg.Order())
	assert.Equal(t, filepath.Join(work, "tag_signers"), cfg.Trust.Manifests.AllowedSigners)
	require.NoError(t, cfg.Authorize("live", manifest.ActionApprove, "ben@example.com"))
	assert.Equal(t, "staging → live; live approved by ben@example.com, cleo@example.com, deployed and rolled back by release-bot@example.com; release tags and manifests trusted from tag_signers",
		demo.DescribeConfig(cfg))
}

func TestWriteConfigErrors(t *testing.T) {
	// No allowed_signers file: the configuration names a key file that
	// does not exist.
	_, err := demo.WriteConfig(t.TempDir(), demo.Team{Approvers: []string{"cleo@example.com"}, Releaser: "release-bot@example.com"})
	assert.ErrorIs(t, err, config.ErrInvalid)
	_, err = demo.WriteConfig(filepath.Join(t.TempDir(), "missing"), demo.Team{})
	assert.ErrorIs(t, err, os.ErrNotExist)
}

package config_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/internal/testkit/golden"
)

// ciExample is the CI example's configuration, relative to this package.
var ciExample = filepath.Join("..", "examples", "ci", "releasekit.yaml")

// TestExplainGolden keeps the documented access policy of the CI example in
// every format, for the whole file and for one environment.
func TestExplainGolden(t *testing.T) {
	cfg, err := config.ReadFile(ciExample)
	require.NoError(t, err)
	for _, tc := range []struct{ env, format, golden string }{
		{"", "text", "explain.txt"},
		{"", "markdown", "explain.md"},
		{"", "json", "explain.json"},
		{"prod", "text", "explain-prod.txt"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, cfg.Explain(&b, tc.env, tc.format))
			golden.Check(t, filepath.Join("testdata", tc.golden), b.Bytes())
		})
	}
}

// TestExplainIdentityGolden keeps the documented access policy of a
// configuration with OIDC issuers: pinned and discovered keys, name claims,
// claims constraints and each environment's verified_identity.
func TestExplainIdentityGolden(t *testing.T) {
	cfg, err := config.ReadFile(filepath.Join("testdata", "identity", "releasekit.yaml"))
	require.NoError(t, err)
	for _, format := range []string{"text", "markdown", "json"} {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, cfg.Explain(&b, "", format))
			ext := map[string]string{"text": "txt", "markdown": "md", "json": "json"}[format]
			golden.Check(t, filepath.Join("testdata", "explain-identity."+ext), b.Bytes())
		})
	}
}

func TestExplainJSONFields(t *testing.T) {
	cfg, err := parse(t, minimal)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, cfg.Explain(&b, "prod", "json"))
	var doc struct {
		Order        []string `json:"order"`
		Environments []struct {
			Name        string `json:"name"`
			Production  bool   `json:"production"`
			Permissions []struct {
				Action     string   `json:"action"`
				Restricted bool     `json:"restricted"`
				Identities []string `json:"identities"`
			} `json:"permissions"`
		} `json:"environments"`
		Trust []struct {
			Kind           string `json:"kind"`
			AllowedSigners *struct {
				Path string `json:"path"`
				Keys []struct {
					Fingerprint string `json:"fingerprint"`
				} `json:"keys"`
			} `json:"allowed_signers"`
		} `json:"trust"`
		Exceptions struct {
			MaxLifetime string `json:"max_lifetime"`
		} `json:"exceptions"`
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &doc))
	assert.Equal(t, []string{"dev", "staging", "prod"}, doc.Order)
	require.Len(t, doc.Environments, 1)
	e := doc.Environments[0]
	assert.True(t, e.Production)
	require.Len(t, e.Permissions, 4)
	assert.Equal(t, "deploy", e.Permissions[0].Action)
	assert.False(t, e.Permissions[0].Restricted)
	assert.Equal(t, []string{"cleo@example.com"}, e.Permissions[1].Identities)
	assert.Equal(t, []string{"cleo@example.com"}, e.Permissions[2].Identities) // rollback: the approvers
	require.NotNil(t, doc.Trust[0].AllowedSigners)
	assert.Equal(t, "allowed_signers", doc.Trust[0].AllowedSigners.Path)
	assert.Equal(t, "SHA256:PP+vzxLMmi/OrlP8NDcyYs4rFQwLuDC7tPWF+PDmERo", doc.Trust[0].AllowedSigners.Keys[0].Fingerprint)
	assert.Equal(t, "90d", doc.Exceptions.MaxLifetime)
}

func TestExplainText(t *testing.T) {
	cfg, err := parse(t, minimal)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, cfg.Explain(&b, "", "text"))
	out := b.String()
	assert.Contains(t, out, "deploy:    not restricted by identity")
	assert.Contains(t, out, "approve:   cleo@example.com")
	assert.Contains(t, out, "Environment dev (1 of 3, not production)")
	assert.Contains(t, out, "Environment prod (3 of 3, production)")
}

// TestExplainEscapes checks that identities cannot forge lines of the
// documented policy.
func TestExplainEscapes(t *testing.T) {
	cfg := &config.Config{Version: 1, Environments: []config.Environment{{Name: "prod", Production: true,
		Permissions: config.Permissions{Approve: []string{"a\nEnvironment x|y"}}}}}
	for _, format := range []string{"text", "markdown"} {
		var b bytes.Buffer
		require.NoError(t, cfg.Explain(&b, "", format))
		assert.NotContains(t, b.String(), "\nEnvironment x")
		assert.Contains(t, b.String(), `a\nEnvironment x`)
	}
}

func TestExplainErrors(t *testing.T) {
	cfg, err := parse(t, minimal)
	require.NoError(t, err)
	var b bytes.Buffer
	err = cfg.Explain(&b, "qa", "text")
	require.ErrorIs(t, err, config.ErrUnknownEnvironment)
	assert.Contains(t, err.Error(), "dev, staging, prod")
	err = cfg.Explain(&b, "", "html")
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), `format "html"`))
	assert.Zero(t, b.Len(), "nothing is written on error")
}

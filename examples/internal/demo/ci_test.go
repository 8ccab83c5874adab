package demo_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/idtoken"
	"github.com/releasekit/releasekit/internal/testkit/tokentest"
	"github.com/releasekit/releasekit/manifest"
)

// job is the deploy job of shop/checkout's run 1042 in prod.
func job(at time.Time) demo.CIJob {
	return demo.CIJob{
		Repository: "shop/checkout", Ref: "refs/heads/main", Commit: "0e69c53bc995460f7b86b05dc701164f780440a9",
		Workflow: "shop/checkout/.ci/release.yml@refs/heads/main", Run: "1042", Environment: "prod",
		Actor: "release-bot@example.com", At: at,
	}
}

// ciConfig writes the release configuration of a team whose CI is ci,
// trusted for shop/checkout, with its keys pinned.
func ciConfig(t *testing.T, ci *demo.CI) *config.Config {
	t.Helper()
	work := t.TempDir()
	_, err := demo.SetupSigning(work, "")
	require.NoError(t, err)
	cfg, err := demo.WriteConfig(work, demo.Team{
		Approvers: []string{"cleo@example.com"}, Releaser: "release-bot@example.com",
		CI: ci, Repository: "shop/checkout",
	})
	require.NoError(t, err)
	return cfg
}

func TestCITokenIsTokentests(t *testing.T) {
	// The demonstration CI signs as tokentest's deterministic Ed25519 key
	// does with go-jose: the same key, the same bytes.
	ci := demo.NewCI()
	tok, err := ci.Token(job(demo.Epoch()))
	require.NoError(t, err)
	key := tokentest.Ed25519Key(ci.KeyID, 7)
	assert.Equal(t, key.Sign(t, ci.Claims(job(demo.Epoch()))), string(tok))
	again, err := demo.NewCI().Token(job(demo.Epoch()))
	require.NoError(t, err)
	assert.Equal(t, tok, again, "the same job gave another token")

	// Its JWK Set holds that key: a token tokentest mints verifies
	// against it, as the CI's own does.
	cfg := ciConfig(t, ci)
	at := func() time.Time { return demo.Epoch().Add(time.Minute) }
	minted := key.Sign(t, tokentest.GitHub(demo.CIIssuer, demo.CIAudience, demo.Epoch(), map[string]any{"repository": "shop/checkout", "actor": "cleo@example.com"}))
	a, err := cfg.VerifyToken(t.Context(), []byte(minted), idtoken.WithClock(at))
	require.NoError(t, err)
	assert.Equal(t, "cleo@example.com", a.Name)
	jwks, err := ci.JWKS()
	require.NoError(t, err)
	pinned, err := os.ReadFile(filepath.Join(filepath.Dir(cfg.File), demo.JWKSFile))
	require.NoError(t, err)
	assert.Equal(t, jwks, pinned)
}

func TestCITokenVerifies(t *testing.T) {
	ci := demo.NewCI()
	cfg := ciConfig(t, ci)
	at := demo.Epoch()
	tok, err := ci.Token(job(at))
	require.NoError(t, err)

	a, err := cfg.VerifyToken(t.Context(), tok, idtoken.WithClock(func() time.Time { return at.Add(time.Minute) }))
	require.NoError(t, err)
	assert.True(t, a.Verified)
	assert.Equal(t, "release-bot@example.com", a.Name)
	assert.Equal(t, demo.CIIssuer, a.Issuer)
	assert.Equal(t, "repo:shop/checkout:environment:prod", a.Subject)
	assert.Equal(t, &manifest.ActorClaims{
		Actor: "release-bot@example.com", Repository: "shop/checkout", Ref: "refs/heads/main",
		Commit: "0e69c53bc995460f7b86b05dc701164f780440a9", Workflow: "shop/checkout/.ci/release.yml@refs/heads/main",
		Run: "1042", Environment: "prod",
	}, a.Claims)
	require.NotNil(t, a.Token)
	assert.Equal(t, at.Add(demo.CITokenLifetime), a.Token.Expires)
	assert.True(t, cfg.VerifiedIdentity("prod"))
	assert.False(t, cfg.VerifiedIdentity("dev"))

	// A token is refused after it expires, and one of another repository
	// (the CI signs every repository's jobs) by the configuration's claims.
	_, err = cfg.VerifyToken(t.Context(), tok, idtoken.WithClock(func() time.Time { return at.Add(time.Hour) }))
	assert.ErrorIs(t, err, idtoken.ErrExpired)
	other := job(at)
	other.Repository = "mallory/checkout"
	tok, err = ci.Token(other)
	require.NoError(t, err)
	_, err = cfg.VerifyToken(t.Context(), tok, idtoken.WithClock(func() time.Time { return at }))
	var ce *config.ClaimError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "repository", ce.Claim)
	assert.Equal(t, "not accepted", ce.Reason)

	// A job outside an environment has no environment claim.
	build := job(at)
	build.Environment = ""
	c := ci.Claims(build)
	assert.Equal(t, "repo:shop/checkout", c["sub"])
	assert.NotContains(t, c, "environment")
}

func TestWriteConfigCI(t *testing.T) {
	cfg := ciConfig(t, demo.NewCI())
	require.Len(t, cfg.Identity.Issuers, 1)
	is := cfg.Identity.Issuers[0]
	assert.Equal(t, demo.CIIssuer, is.Issuer)
	assert.Equal(t, demo.CIAudience, is.Audience)
	assert.Equal(t, filepath.Join(filepath.Dir(cfg.File), demo.JWKSFile), is.JWKS)
	assert.Equal(t, "actor", is.NameClaim)
	assert.Equal(t, map[string][]string{"repository": {"shop/checkout"}}, is.Claims)
	assert.Equal(t, []string{"prod"}, cfg.VerifiedIdentityEnvs())
	assert.Equal(t, "dev → staging → prod; prod approved by cleo@example.com, deployed and rolled back by release-bot@example.com; "+
		"release tags trusted from allowed_signers; who acts verified from ID tokens of https://ci.example.com (repository shop/checkout); "+
		"a verified identity required in prod", demo.DescribeConfig(cfg))

	// A CI needs the repository its tokens are trusted for.
	_, err := demo.WriteConfig(t.TempDir(), demo.Team{Approvers: []string{"cleo@example.com"}, Releaser: "release-bot@example.com", CI: demo.NewCI()})
	require.Error(t, err)
	assert.False(t, errors.Is(err, config.ErrInvalid))
}

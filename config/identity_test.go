package config_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/idtoken"
	"github.com/releasekit/releasekit/internal/testkit/tokentest"
	"github.com/releasekit/releasekit/manifest"
)

const githubIssuer = "https://token.actions.githubusercontent.com"

// issuedAt is when the tests' tokens were issued; they are verified a
// minute later.
var issuedAt = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

func atClock() idtoken.Option {
	return idtoken.WithClock(func() time.Time { return issuedAt.Add(time.Minute) })
}

// githubConfig is a configuration trusting GitHub Actions tokens of
// acme/shop on main or a release tag, with keys pinned in ci/jwks.json
// (relative to the file), naming the actor by the claim actor.
const githubConfig = `version: 1
environments:
  - name: staging
  - name: prod
    production: true
    approvers: [cleo]
identity:
  issuers:
    - issuer: https://token.actions.githubusercontent.com
      audience: releasekit
      jwks: ci/jwks.json
      name_claim: actor
      claims:
        repository: acme/shop
        ref: [refs/heads/main, refs/tags/v*]
`

func githubSetup(t *testing.T, content string) (*config.Config, *tokentest.Key) {
	t.Helper()
	key := tokentest.RSAKey(t, "gh-1")
	cfg, err := parse(t, content, "ci/jwks.json", string(tokentest.JWKS(t, key)))
	require.NoError(t, err)
	return cfg, key
}

func TestVerifyTokenGitHub(t *testing.T) {
	cfg, key := githubSetup(t, githubConfig)
	assert.Equal(t, "ci", filepath.Base(filepath.Dir(cfg.Identity.Issuers[0].JWKS)), "jwks resolves against the file's directory")
	assert.True(t, filepath.IsAbs(cfg.Identity.Issuers[0].JWKS))

	raw := key.Sign(t, tokentest.GitHub(githubIssuer, "releasekit", issuedAt, nil))
	actor, err := cfg.VerifyToken(context.Background(), []byte(raw+"\n"), atClock())
	require.NoError(t, err)
	require.NotNil(t, actor.Token)
	assert.True(t, strings.HasPrefix(actor.Token.Digest, "sha256:"))
	keys, err := idtoken.ParseKeySet(tokentest.JWKS(t, key))
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.Equal(t, manifest.Actor{
		Name:     "octocat",
		Verified: true,
		Issuer:   githubIssuer,
		Subject:  "repo:acme/shop:environment:prod",
		Claims: &manifest.ActorClaims{
			Actor:       "octocat",
			Repository:  "acme/shop",
			Ref:         "refs/heads/main",
			Commit:      "5c0a3d6a2b1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d",
			Workflow:    "acme/shop/.github/workflows/deploy.yml@refs/heads/main",
			Run:         "42",
			Environment: "prod",
		},
		Token: &manifest.TokenSummary{
			ID: "a1b2c3", Audience: []string{"releasekit"},
			IssuedAt: issuedAt, NotBefore: issuedAt, Expires: issuedAt.Add(5 * time.Minute),
			Digest: actor.Token.Digest, Key: keys[0].Thumbprint,
		},
	}, actor, "the key that verified the token is the pinned key, by its thumbprint")

	// A release tag matches refs/tags/v*.
	raw = key.Sign(t, tokentest.GitHub(githubIssuer, "releasekit", issuedAt, map[string]any{"ref": "refs/tags/v1.4.0", "workflow_ref": nil}))
	actor, err = cfg.VerifyToken(context.Background(), []byte(raw), atClock())
	require.NoError(t, err)
	assert.Equal(t, "refs/tags/v1.4.0", actor.Claims.Ref)
	assert.Equal(t, "deploy", actor.Claims.Workflow, "workflow when there is no workflow_ref")
}

// TestVerifyTokenClaims: a token of the trusted issuer that fails the
// claims constraints (another repository of the same issuer, another
// branch) is refused, naming the token's issuer and subject.
func TestVerifyTokenClaims(t *testing.T) {
	cfg, key := githubSetup(t, githubConfig)
	for _, tc := range []struct {
		name   string
		extra  map[string]any
		claim  string
		got    string
		reason string
	}{
		{"another repository", map[string]any{"repository": "mallory/shop", "sub": "repo:mallory/shop:environment:prod"}, "repository", "mallory/shop", "not accepted"},
		{"a repository named like it", map[string]any{"repository": "acme/shop-fork"}, "repository", "acme/shop-fork", "not accepted"},
		{"another branch", map[string]any{"ref": "refs/heads/feature"}, "ref", "refs/heads/feature", "not accepted"},
		{"a tag not matching", map[string]any{"ref": "refs/tags/nightly"}, "ref", "refs/tags/nightly", "not accepted"},
		{"no repository", map[string]any{"repository": nil}, "repository", "", "missing"},
		{"repository a list", map[string]any{"repository": []string{"acme/shop"}}, "repository", "", "not a string"},
		{"no actor", map[string]any{"actor": nil}, "actor", "", "missing"},
		{"actor not an identity", map[string]any{"actor": "octo cat"}, "actor", "octo cat", "not an identity: whitespace inside (U+0020)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			claims := tokentest.GitHub(githubIssuer, "releasekit", issuedAt, tc.extra)
			_, err := cfg.VerifyToken(context.Background(), []byte(key.Sign(t, claims)), atClock())
			require.ErrorIs(t, err, config.ErrClaims)
			var te *idtoken.TokenError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, githubIssuer, te.Issuer)
			assert.Equal(t, claims["sub"], te.Subject)
			var ce *config.ClaimError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tc.claim, ce.Claim)
			assert.Equal(t, tc.got, ce.Got)
			assert.Equal(t, tc.reason, ce.Reason)
			assert.Equal(t, githubIssuer, ce.Issuer)
			for _, s := range []error{idtoken.ErrIssuer, idtoken.ErrSignature, idtoken.ErrMalformed} {
				assert.NotErrorIs(t, err, s)
			}
		})
	}
	_, err := cfg.VerifyToken(context.Background(), []byte(key.Sign(t, tokentest.GitHub(githubIssuer, "releasekit", issuedAt, map[string]any{"repository": "mallory/shop"}))), atClock())
	assert.EqualError(t, err, `config: token claim "repository" "mallory/shop": not accepted (want acme/shop) (issuer "https://token.actions.githubusercontent.com", subject "repo:acme/shop:environment:prod", as the token claims)`)
}

// TestVerifyTokenRefused: what idtoken refuses comes back as its
// *TokenError.
func TestVerifyTokenRefused(t *testing.T) {
	cfg, key := githubSetup(t, githubConfig)
	for _, tc := range []struct {
		name  string
		raw   string
		want  error
		iss   string
		valid bool
	}{
		{"expired", key.Sign(t, tokentest.GitHub(githubIssuer, "releasekit", issuedAt.Add(-time.Hour), nil)), idtoken.ErrExpired, githubIssuer, false},
		{"other audience", key.Sign(t, tokentest.GitHub(githubIssuer, "sigstore", issuedAt, nil)), idtoken.ErrAudience, githubIssuer, false},
		{"other issuer", key.Sign(t, tokentest.GitHub("https://gitlab.com", "releasekit", issuedAt, nil)), idtoken.ErrIssuer, "https://gitlab.com", false},
		{"unknown key", tokentest.RSAKey(t, "gh-2").Sign(t, tokentest.GitHub(githubIssuer, "releasekit", issuedAt, nil)), idtoken.ErrUnknownKey, githubIssuer, false},
		{"forged", key.WithID("gh-1").Sign(t, map[string]any{}), idtoken.ErrMalformed, "", false},
		{"alg none", tokentest.Unsigned(t, tokentest.GitHub(githubIssuer, "releasekit", issuedAt, nil)), idtoken.ErrAlgorithm, githubIssuer, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			actor, err := cfg.VerifyToken(context.Background(), []byte(tc.raw), atClock())
			assert.Equal(t, manifest.Actor{}, actor)
			require.ErrorIs(t, err, tc.want)
			assert.NotErrorIs(t, err, config.ErrClaims)
			var te *idtoken.TokenError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, tc.iss, te.Issuer)
		})
	}

	// Without issuers every token is refused.
	plain, err := parse(t, minimal)
	require.NoError(t, err)
	_, err = plain.VerifyToken(context.Background(), []byte(key.Sign(t, tokentest.GitHub(githubIssuer, "releasekit", issuedAt, nil))), atClock())
	require.ErrorIs(t, err, idtoken.ErrIssuer)
}

// TestVerifyTokenGitLab: a GitLab CI token verified against an issuer on
// 127.0.0.1 whose keys are discovered over HTTPS, its claims mapped, its
// subject the actor's name by default.
func TestVerifyTokenGitLab(t *testing.T) {
	key := tokentest.ECKey(t, "gl-1")
	srv := tokentest.Serve(t, key)
	cfg, err := parse(t, `version: 1
environments:
  - name: production
    production: true
    approvers: [cleo]
identity:
  issuers:
    - issuer: `+srv.URL+`
      audience: releasekit
      claims:
        project_path: acme/*
        ref_protected: "true"
`)
	require.NoError(t, err)
	assert.Equal(t, config.DefaultNameClaim, "sub")
	opts := []idtoken.Option{idtoken.WithHTTPClient(srv.Client()), atClock()}

	raw := key.Sign(t, tokentest.GitLab(srv.URL, "releasekit", issuedAt, nil))
	actor, err := cfg.VerifyToken(context.Background(), []byte(raw), opts...)
	require.NoError(t, err)
	assert.Equal(t, "project_path:acme/shop:ref_type:branch:ref:main", actor.Name, "the subject names the actor by default")
	assert.True(t, actor.Verified)
	keys, err := idtoken.ParseKeySet(tokentest.JWKS(t, key))
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.Equal(t, keys[0].Thumbprint, actor.Token.Key, "the served key that verified the token")
	assert.Equal(t, srv.URL, actor.Issuer)
	assert.Equal(t, &manifest.ActorClaims{
		Actor:       "cleo",
		Repository:  "acme/shop",
		Ref:         "refs/heads/main",
		Commit:      "5c0a3d6a2b1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d",
		Workflow:    "gitlab.example.com/acme/shop//.gitlab-ci.yml@refs/heads/main",
		Run:         "1001",
		Environment: "production",
	}, actor.Claims)

	// Older GitLab tokens have no ref_path: the ref and its type.
	raw = key.Sign(t, tokentest.GitLab(srv.URL, "releasekit", issuedAt, map[string]any{
		"ref_path": nil, "ref": "v1.4.0", "ref_type": "tag", "ci_config_ref_uri": nil, "project_path": "acme/tools/shop",
	}))
	actor, err = cfg.VerifyToken(context.Background(), []byte(raw), opts...)
	require.NoError(t, err)
	assert.Equal(t, "refs/tags/v1.4.0", actor.Claims.Ref)
	assert.Equal(t, "push", actor.Claims.Workflow, "pipeline_source without ci_config_ref_uri")
	assert.Equal(t, "acme/tools/shop", actor.Claims.Repository, "* matches across /")

	// An unprotected ref is refused.
	raw = key.Sign(t, tokentest.GitLab(srv.URL, "releasekit", issuedAt, map[string]any{"ref_protected": "false"}))
	_, err = cfg.VerifyToken(context.Background(), []byte(raw), opts...)
	var ce *config.ClaimError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "ref_protected", ce.Claim)

	// Without a client trusting the issuer's certificate, the keys cannot
	// be had.
	raw = key.Sign(t, tokentest.GitLab(srv.URL, "releasekit", issuedAt, nil))
	_, err = cfg.VerifyToken(context.Background(), []byte(raw), atClock())
	require.ErrorIs(t, err, idtoken.ErrKeys)
}

func TestVerifiedIdentity(t *testing.T) {
	const issuers = "identity:\n  issuers: [{issuer: 'https://token.actions.githubusercontent.com', audience: releasekit, claims: {repository: acme/shop}}]\n"
	for _, tc := range []struct {
		name    string
		content string
		want    map[string]bool
		envs    []string
	}{
		{"production with issuers", "version: 1\nenvironments:\n  - name: dev\n  - name: prod\n    production: true\n    approvers: [a]\n" + issuers,
			map[string]bool{"dev": false, "prod": true}, []string{"prod"}},
		{"explicit false", "version: 1\nenvironments:\n  - name: prod\n    production: true\n    approvers: [a]\n    verified_identity: false\n" + issuers,
			map[string]bool{"prod": false}, nil},
		{"explicit true", "version: 1\nenvironments:\n  - name: dev\n    verified_identity: true\n  - name: qa\n  - name: prod\n    production: true\n    approvers: [a]\n" + issuers,
			map[string]bool{"dev": true, "qa": false, "prod": true}, []string{"dev", "prod"}},
		{"no issuers", "version: 1\nenvironments:\n  - name: prod\n    production: true\n    approvers: [a]\n    verified_identity: false\n",
			map[string]bool{"prod": false}, nil},
		{"no issuers, production", minimal, map[string]bool{"dev": false, "staging": false, "prod": false}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parse(t, tc.content)
			require.NoError(t, err)
			for env, want := range tc.want {
				assert.Equal(t, want, cfg.VerifiedIdentity(env), env)
				e, _ := cfg.Env(env)
				assert.Equal(t, want, e.VerifiedIdentity, env)
			}
			assert.Equal(t, tc.envs, cfg.VerifiedIdentityEnvs())
			assert.True(t, cfg.VerifiedIdentity("nowhere"), "an unknown environment fails closed")
		})
	}
}

// TestIdentityProblems: each broken identity section is refused with the
// problem at its line and column.
func TestIdentityProblems(t *testing.T) {
	privateJWKS := `{"keys":[{"kty":"oct","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}]}`
	for _, tc := range []struct {
		name    string
		content string
		files   []string
		want    []string
	}{
		{"true without issuers", "version: 1\nenvironments:\n  - name: prod\n    production: true\n    approvers: [a]\n    verified_identity: true\n", nil,
			[]string{`6:24: environment "prod": verified_identity needs identity.issuers`}},
		{"verified_identity not a boolean", "version: 1\nenvironments:\n  - name: prod\n    verified_identity: yes please\n", nil,
			[]string{"4:24: environments[0].verified_identity: want boolean, got string"}},
		{"jwks missing", "version: 1\nidentity:\n  issuers:\n    - {issuer: 'https://x', audience: a, jwks: keys/jwks.json}\n", nil,
			[]string{"4:48: identity.issuers[0].jwks keys/jwks.json: no such file"}},
		{"jwks a directory", "version: 1\nidentity:\n  issuers:\n    - {issuer: 'https://x', audience: a, jwks: keys}\n", []string{"keys/x", ""},
			[]string{"4:48: identity.issuers[0].jwks keys: is a directory, not a regular file"}},
		{"jwks not a key set", "version: 1\nidentity:\n  issuers:\n    - {issuer: 'https://x', audience: a, jwks: allowed_signers}\n", nil,
			[]string{"4:48: identity.issuers[0].jwks allowed_signers: JWK Set:"}},
		{"jwks without keys", "version: 1\nidentity:\n  issuers:\n    - {issuer: 'https://x', audience: a, jwks: jwks.json}\n", []string{"jwks.json", `{"keys": []}`},
			[]string{"4:48: identity.issuers[0].jwks jwks.json: no usable key in the JWK Set"}},
		{"jwks with a secret", "version: 1\nidentity:\n  issuers:\n    - {issuer: 'https://x', audience: a, jwks: jwks.json}\n", []string{"jwks.json", privateJWKS},
			[]string{"4:48: identity.issuers[0].jwks jwks.json: JWK Set key 0 holds private or symmetric key material"}},
		{"issuer twice", "version: 1\nidentity:\n  issuers:\n    - {issuer: 'https://x', audience: a}\n    - {issuer: 'https://x', audience: b}\n", nil,
			[]string{`5:16: identity.issuers[1]: issuer "https://x" is listed twice`}},
		{"issuer over http", "version: 1\nidentity:\n  issuers: [{issuer: 'http://gitlab.example.com', audience: a}]\n", nil,
			[]string{`3:22: identity.issuers[0].issuer: "http://gitlab.example.com": want an https:// URL`}},
		{"no audience", "version: 1\nidentity:\n  issuers: [{issuer: 'https://x'}]\n", nil,
			[]string{`3:13: identity.issuers[0]: missing key "audience"`}},
		{"claim the verifier checks", "version: 1\nidentity:\n  issuers:\n    - issuer: https://x\n      audience: a\n      claims: {aud: b, exp: '1'}\n", nil,
			[]string{"6:21: identity.issuers[0].claims: aud is checked by the verifier itself", "6:29: identity.issuers[0].claims: exp is checked"}},
		{"bad claim name", "version: 1\nidentity:\n  issuers:\n    - issuer: https://x\n      audience: a\n      claims: {'repo sitory': x}\n", nil,
			[]string{`6:16: identity.issuers[0].claims: key "repo sitory" is not allowed here: want a claim name`}},
		{"empty claim values", "version: 1\nidentity:\n  issuers:\n    - issuer: https://x\n      audience: a\n      claims: {ref: [], repository: ''}\n", nil,
			[]string{"6:21: identity.issuers[0].claims.ref: minItems", "6:37: identity.issuers[0].claims.repository: minLength"}},
		{"claim of only *", "version: 1\nidentity:\n  issuers:\n    - issuer: https://x\n      audience: a\n      claims: {repository: '*'}\n", nil,
			[]string{"6:28: identity.issuers[0].claims.repository: a value of only * constrains nothing"}},
		{"claim of only **", "version: 1\nidentity:\n  issuers:\n    - issuer: https://x\n      audience: a\n      claims: {repository: acme/shop, ref: '**'}\n", nil,
			[]string{"6:44: identity.issuers[0].claims.ref: a value of only * constrains nothing"}},
		{"claim of * and spaces", "version: 1\nidentity:\n  issuers:\n    - issuer: https://x\n      audience: a\n      claims: {sub: ' * '}\n", nil,
			[]string{"6:21: identity.issuers[0].claims.sub: a value of only * constrains nothing"}},
		{"claim of white space", "version: 1\nidentity:\n  issuers:\n    - issuer: https://x\n      audience: a\n      claims: {sub: '  '}\n", nil,
			[]string{"6:21: identity.issuers[0].claims.sub: a blank value constrains nothing"}},
		{"a * among the values", "version: 1\nidentity:\n  issuers:\n    - issuer: https://x\n      audience: a\n      claims:\n        ref: [refs/heads/main, '*']\n", nil,
			[]string{"7:32: identity.issuers[0].claims.ref: a value of only * constrains nothing"}},
		{"claim value a number", "version: 1\nidentity:\n  issuers:\n    - issuer: https://x\n      audience: a\n      claims: {run_id: 7}\n", nil,
			[]string{"6:24: identity.issuers[0].claims.run_id: want string or array, got number"}},
		{"bad name claim", "version: 1\nidentity:\n  issuers:\n    - issuer: https://x\n      audience: a\n      name_claim: 'user login'\n", nil,
			[]string{`6:19: identity.issuers[0].name_claim: "user login": want a claim name`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(t, tc.content, tc.files...)
			require.ErrorIs(t, err, config.ErrInvalid)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}

	if runtime.GOOS != "windows" && os.Geteuid() != 0 {
		d := dir(t, map[string]string{config.FileName: "version: 1\nidentity:\n  issuers: [{issuer: 'https://x', audience: a, jwks: jwks.json}]\n", "jwks.json": "{}"})
		require.NoError(t, os.Chmod(filepath.Join(d, "jwks.json"), 0))
		_, err := config.ReadFile(filepath.Join(d, config.FileName))
		require.ErrorIs(t, err, config.ErrInvalid)
		assert.Contains(t, err.Error(), "3:50: identity.issuers[0].jwks jwks.json: ")
		assert.Contains(t, err.Error(), "permission denied")
	}
}

// TestVerifyTokenConfigByHand: a Config not made by Parse reads its JWKS
// file when it verifies, and fails closed when it cannot.
func TestVerifyTokenConfigByHand(t *testing.T) {
	key := tokentest.Ed25519Key("k", 3)
	jwks := filepath.Join(t.TempDir(), "jwks.json")
	require.NoError(t, os.WriteFile(jwks, tokentest.JWKS(t, key), 0o644))
	cfg := &config.Config{Version: 1, Identity: config.IdentityConfig{Issuers: []config.Issuer{{Issuer: githubIssuer, Audience: "releasekit", JWKS: jwks}}}}
	raw := key.Sign(t, tokentest.GitHub(githubIssuer, "releasekit", issuedAt, nil))
	actor, err := cfg.VerifyToken(context.Background(), []byte(raw), atClock())
	require.NoError(t, err)
	assert.Equal(t, "repo:acme/shop:environment:prod", actor.Name)

	cfg.Identity.Issuers[0].JWKS = filepath.Join(t.TempDir(), "none.json")
	_, err = cfg.VerifyToken(context.Background(), []byte(raw), atClock())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no such file")
}

func TestClaimErrorText(t *testing.T) {
	e := &config.ClaimError{Claim: "ref", Want: []string{"refs/heads/main", "refs/tags/v*"}, Got: strings.Repeat("x", 300) + "\n", Reason: "not accepted"}
	assert.True(t, errors.Is(e, config.ErrClaims))
	assert.Equal(t, `config: token claim "ref" "`+strings.Repeat("x", 256)+`...": not accepted (want refs/heads/main or refs/tags/v*)`, e.Error())
	assert.Equal(t, `config: token claim "sub": missing`, (&config.ClaimError{Claim: "sub", Reason: "missing"}).Error())
}

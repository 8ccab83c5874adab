package config_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/idtoken"
)

// exampleDir writes a configuration and the allowed_signers file it names
// into a temporary directory and returns the configuration's path.
func exampleDir(content string) (string, func()) {
	d, err := os.MkdirTemp("", "config-example")
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(filepath.Join(d, "allowed_signers"), []byte(signersLine), 0o644); err != nil {
		panic(err)
	}
	path := filepath.Join(d, config.FileName)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		panic(err)
	}
	return path, func() { os.RemoveAll(d) }
}

// The minimal configuration: three environments, production approved by
// one identity, release tags trusted by an allowed_signers file.
func ExampleReadFile() {
	path, cleanup := exampleDir(`version: 1
trust:
  tags:
    allowed_signers: allowed_signers
environments:
  - name: dev
  - name: staging
  - name: prod
    production: true
    approvers: [cleo@example.com]
`)
	defer cleanup()
	cfg, err := config.ReadFile(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Order())
	fmt.Println(filepath.Base(cfg.Trust.Tags.AllowedSigners), cfg.Keys(cfg.Trust.Tags.AllowedSigners)[0].Fingerprint)
	// Output:
	// [dev staging prod]
	// allowed_signers SHA256:PP+vzxLMmi/OrlP8NDcyYs4rFQwLuDC7tPWF+PDmERo
}

// Every problem of a file is reported at once, with its line and column.
func ExampleParse_problems() {
	_, err := config.Parse([]byte(`version: 1
environments:
  - name: dev
    aprovers: [cleo]
  - name: prod
    production: yes please
  - name: prod
`), "releasekit.yaml")
	var ce *config.Error
	if errors.As(err, &ce) {
		for _, p := range ce.Problems {
			fmt.Printf("%d:%d %s\n", p.Line, p.Column, p.Path)
		}
	}
	fmt.Println(err)
	// Output:
	// 4:5 /environments/0/aprovers
	// 6:17 /environments/1/production
	// 7:11 /environments/2/name
	// releasekit.yaml:4:5: environments[0]: unknown key "aprovers" (want approvers, controls, freezes, name, permissions, production, verified_identity, windows)
	// releasekit.yaml:6:17: environments[1].production: want boolean, got string
	// releasekit.yaml:7:11: environment "prod" is defined twice
}

// Authorize answers who may do what where; a person's aliases are that
// person.
func ExampleConfig_Authorize() {
	cfg, err := config.Parse([]byte(`version: 1
environments:
  - name: staging
  - name: prod
    production: true
    approvers: [cleo]
    permissions: {deploy: [release-bot]}
people:
  cleo: [cleo@example.com]
`), "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Authorize("prod", config.ActionApprove, "Cleo@Example.com"))
	fmt.Println(cfg.Authorize("prod", config.ActionRollback, "cleo"))
	fmt.Println(cfg.Authorize("staging", config.ActionDeploy, "anyone"))
	err = cfg.Authorize("prod", config.ActionApprove, "release-bot")
	fmt.Println(errors.Is(err, config.ErrNotAuthorized), err)
	// Output:
	// <nil>
	// <nil>
	// <nil>
	// true config: "release-bot" may not approve in prod: not listed for approve in prod
}

// Explain writes the documented access policy an auditor files.
func ExampleConfig_Explain() {
	cfg, err := config.Parse([]byte(`version: 1
environments:
  - name: staging
  - name: prod
    production: true
    approvers: [cleo@example.com]
    permissions: {deploy: [release-bot@example.com]}
`), "")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := cfg.Explain(os.Stdout, "prod", "text"); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Documented access policy of .releasekit.yaml (configuration version 1)
	//
	// Promotion order: staging -> prod
	//
	// Environment prod (2 of 2, production)
	//   deploy:    release-bot@example.com
	//   approve:   cleo@example.com
	//   rollback:  cleo@example.com (no rollback list: the approvers, as in every production environment)
	//   configure: not restricted by identity
	//   identity:  as typed: recorded as unverified
	//   controls:  none listed
	//   windows:   none: any time
	//   freezes:   none
	//
	// Trusted keys
	//   release tags: none configured: not verified against this configuration
	//   SBOM attestations and provenance: none configured: not verified against this configuration
	//   multi-repo manifests: none configured: not verified against this configuration
	//   promotion log checkpoints: none configured: not verified against this configuration
	//
	// Identities from CI (OIDC ID tokens)
	//   none configured: identities are as typed, recorded as unverified
	//
	// People
	//   none: identities are compared as written (case-insensitively)
	//
	// Policy: none configured
	// Exceptions: at most 90 days (the default)
	// Evidence store: none configured (given per command)
}

// VerifyToken turns a CI job's OIDC ID token into who acted. The issuer's
// keys are pinned in ci/jwks.json; the example plays the issuer with a
// fixed key and verifies at a fixed time.
func ExampleConfig_VerifyToken() {
	issuerKey := ed25519.NewKeyFromSeed([]byte(strings.Repeat("i", ed25519.SeedSize)))
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: issuerKey.Public(), KeyID: "gh-1", Algorithm: "EdDSA", Use: "sig"}}})
	d, err := os.MkdirTemp("", "config-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(d)
	if err := os.MkdirAll(filepath.Join(d, "ci"), 0o755); err != nil {
		panic(err)
	}
	if err := os.WriteFile(filepath.Join(d, "ci", "jwks.json"), jwks, 0o644); err != nil {
		panic(err)
	}
	path := filepath.Join(d, config.FileName)
	if err := os.WriteFile(path, []byte(`version: 1
environments:
  - name: staging
  - name: prod
    production: true
    approvers: [cleo]
    permissions: {deploy: [octocat]}
identity:
  issuers:
    - issuer: https://token.actions.githubusercontent.com
      audience: releasekit
      jwks: ci/jwks.json
      name_claim: actor
      claims: {repository: acme/shop, ref: refs/heads/main}
`), 0o644); err != nil {
		panic(err)
	}
	cfg, err := config.ReadFile(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("verified identity required in", cfg.VerifiedIdentityEnvs())

	// The token GitHub Actions gives the job (the issuer's side).
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	mint := func(repository string) []byte {
		signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: issuerKey, KeyID: "gh-1"}}, nil)
		payload, _ := json.Marshal(map[string]any{
			"iss": "https://token.actions.githubusercontent.com", "aud": "releasekit",
			"sub": "repo:" + repository + ":environment:prod", "iat": at.Unix(), "exp": at.Add(5 * time.Minute).Unix(),
			"actor": "octocat", "repository": repository, "ref": "refs/heads/main", "sha": "5c0a3d6",
			"workflow_ref": repository + "/.github/workflows/deploy.yml@refs/heads/main", "run_id": "42", "environment": "prod",
		})
		obj, _ := signer.Sign(payload)
		tok, _ := obj.CompactSerialize()
		return []byte(tok)
	}
	clock := idtoken.WithClock(func() time.Time { return at.Add(time.Minute) })

	actor, err := cfg.VerifyToken(context.Background(), mint("acme/shop"), clock)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(actor.Name, actor.Verified, actor.Subject)
	fmt.Println(actor.Claims.Repository, actor.Claims.Ref, actor.Claims.Commit, actor.Claims.Run, actor.Claims.Environment)
	fmt.Println(cfg.Authorize("prod", config.ActionDeploy, actor.Name))

	// A token of another repository on the same issuer.
	_, err = cfg.VerifyToken(context.Background(), mint("mallory/shop"), clock)
	fmt.Println(errors.Is(err, config.ErrClaims))
	fmt.Println(err)
	// Output:
	// verified identity required in [prod]
	// octocat true repo:acme/shop:environment:prod
	// acme/shop refs/heads/main 5c0a3d6 42 prod
	// <nil>
	// true
	// config: token claim "repository" "mallory/shop": not accepted (want acme/shop) (issuer "https://token.actions.githubusercontent.com", subject "repo:mallory/shop:environment:prod", as the token claims)
}

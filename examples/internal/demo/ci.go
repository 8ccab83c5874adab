package demo

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// The demonstration CI system's OpenID Connect issuer and the audience its
// jobs ask their ID tokens for. ci.example.com is reserved for examples:
// nothing answers there, so a configuration trusting it must pin its keys.
const (
	CIIssuer   = "https://ci.example.com"
	CIAudience = "releasekit"
)

// CITokenLifetime is how long a demonstration ID token is valid from its
// issue time, as a real CI's job token (GitHub Actions: minutes).
const CITokenLifetime = 5 * time.Minute

// A CI is the examples' demonstration CI system: an OIDC issuer
// ([CIIssuer]) that gives each job an ID token saying which repository,
// ref, commit, workflow, run and environment the job is, and who started
// it, as GitHub Actions and GitLab CI do. Its tokens are signed with a
// fixed Ed25519 key (EdDSA), the key internal/testkit/tokentest's
// Ed25519Key(KeyID, 7) gives, so they are the same on every run; a
// release configuration trusts it with its public key pinned ([CI.JWKS]).
//
// It stands in for the CI only: a real pipeline reads its job's token from
// the CI (GitHub Actions' ACTIONS_ID_TOKEN_REQUEST_URL, GitLab CI's
// id_tokens) and never holds the issuer's private key.
type CI struct {
	Issuer string // the iss of its tokens, CIIssuer
	KeyID  string // the kid of its signing key
	key    ed25519.PrivateKey
}

// NewCI returns the demonstration CI system.
func NewCI() *CI {
	seed := bytes.Repeat([]byte{7}, ed25519.SeedSize)
	return &CI{Issuer: CIIssuer, KeyID: "ci-2026-01", key: ed25519.NewKeyFromSeed(seed)}
}

// JWKS returns the CI's public JSON Web Key Set, the file a release
// configuration pins as its issuer's jwks.
func (ci *CI) JWKS() ([]byte, error) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: ci.key.Public(), KeyID: ci.KeyID, Algorithm: string(jose.EdDSA), Use: "sig",
	}}}
	data, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// A CIJob is what a job's ID token says of it.
type CIJob struct {
	Repository  string    // owner/name, as the claim repository
	Ref         string    // refs/heads/main, refs/tags/v1.3.0, ...
	Commit      string    // the commit the job runs on (sha)
	Workflow    string    // the workflow file and its ref (workflow_ref)
	Run         string    // the run's ID (run_id)
	Environment string    // the deployment environment of the job, if any
	Actor       string    // who started the run (actor)
	At          time.Time // when the token is issued
}

// Claims returns the claims of job's ID token, named as GitHub Actions
// names them: iss, aud (CIAudience), sub ("repo:<repository>" and, for a
// job of an environment, ":environment:<env>"), jti, iat and nbf (At), exp
// (At + CITokenLifetime), actor, repository, ref, sha, workflow_ref,
// run_id and environment.
func (ci *CI) Claims(job CIJob) map[string]any {
	sub := "repo:" + job.Repository
	if job.Environment != "" {
		sub += ":environment:" + job.Environment
	}
	c := map[string]any{
		"iss": ci.Issuer, "aud": CIAudience, "sub": sub,
		"jti": fmt.Sprintf("%s-%s-%d", job.Run, job.Environment, job.At.Unix()),
		"iat": job.At.Unix(), "nbf": job.At.Unix(), "exp": job.At.Add(CITokenLifetime).Unix(),
		"actor": job.Actor, "repository": job.Repository, "ref": job.Ref, "sha": job.Commit,
		"workflow_ref": job.Workflow, "run_id": job.Run,
	}
	if job.Environment != "" {
		c["environment"] = job.Environment
	}
	return c
}

// Token returns job's ID token: the compact JWS of [CI.Claims], typed JWT,
// signed with EdDSA under KeyID by go-jose — what a job writes to the file
// it passes as relctl's --id-token. Ed25519 signatures are deterministic,
// so the same job gives the same token.
func (ci *CI) Token(job CIJob) ([]byte, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: ci.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), ci.KeyID))
	if err != nil {
		return nil, err
	}
	payload, err := json.Marshal(ci.Claims(job))
	if err != nil {
		return nil, err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return nil, err
	}
	compact, err := jws.CompactSerialize()
	if err != nil {
		return nil, err
	}
	return []byte(compact), nil
}

package config

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/releasekit/releasekit/idtoken"
	"github.com/releasekit/releasekit/manifest"
)

// DefaultNameClaim is the claim that names the actor when an issuer sets
// no name_claim: the subject.
const DefaultNameClaim = "sub"

// ErrClaims is matched by every [*ClaimError]: a verified token whose
// claims the configuration does not accept.
var ErrClaims = errors.New("config: token claims not accepted")

// A ClaimError says that a token, verified, carries a claim the
// configuration does not accept from its issuer: Claim is missing or not a
// string (Got ""), does not match any of the values Want (globs), or,
// for the issuer's name claim, is not an identity. Reason is a short
// lower-case phrase ("missing", "not a string", "not accepted", "not an
// identity: ..."). It matches [ErrClaims].
type ClaimError struct {
	Issuer string
	Claim  string
	Want   []string
	Got    string
	Reason string
}

// Error returns `config: token claim "c" ("got"): reason (want a, b)`.
func (e *ClaimError) Error() string {
	msg := fmt.Sprintf("config: token claim %q", e.Claim)
	if e.Got != "" {
		got := e.Got
		if len(got) > 256 {
			got = strings.ToValidUTF8(got[:256], "") + "..."
		}
		msg += fmt.Sprintf(" %q", got)
	}
	msg += ": " + e.Reason
	if len(e.Want) > 0 {
		want := make([]string, len(e.Want))
		for i, w := range e.Want {
			want[i] = safe(w)
		}
		msg += " (want " + strings.Join(want, " or ") + ")"
	}
	return msg
}

// Unwrap returns [ErrClaims].
func (e *ClaimError) Unwrap() error { return ErrClaims }

// IdentityConfig holds the CI systems whose OIDC ID tokens identify who
// acts ([Config.VerifyToken]).
type IdentityConfig struct {
	Issuers []Issuer
}

// An Issuer is a trusted OIDC token issuer (Issuer, its URL as tokens name
// it), the audience its tokens must name, and optionally its pinned keys
// (JWKS, an absolute path; "" to discover and fetch them over HTTPS).
// NameClaim is the claim whose value is the actor's name, the identity the
// environments' permissions list (default [DefaultNameClaim]); Claims are
// the claims its tokens must carry: claim -> the values accepted, each a
// glob in which * matches any run of characters ("/" included). A token
// must match every claim listed, each with one of its values: this is how
// a shared issuer (every repository on GitHub has a token of
// token.actions.githubusercontent.com) is narrowed to one repository,
// branch or environment. A value made of nothing but * and white space
// would accept any token, so the configuration refuses it (as it refuses
// an issuer without claims).
type Issuer struct {
	Issuer, Audience, JWKS string
	NameClaim              string
	Claims                 map[string][]string
}

// nameClaim returns the claim naming the actor.
func (is Issuer) nameClaim() string {
	if is.NameClaim == "" {
		return DefaultNameClaim
	}
	return is.NameClaim
}

// VerifiedIdentity reports whether the environment env requires a verified
// identity (an OIDC token of identity.issuers, [Config.VerifyToken]) of
// whoever promotes, rolls back or reports a deployment there: its
// verified_identity, by default true for a production environment when the
// configuration names issuers. An environment the configuration does not
// define requires one: the answer fails closed ([Config.Authorize] refuses
// that environment anyway).
func (c *Config) VerifiedIdentity(env string) bool {
	e, ok := c.Env(env)
	if !ok {
		return true
	}
	return e.VerifiedIdentity
}

// VerifiedIdentityEnvs returns the environments that require a verified
// identity, in promotion order (nil when none does): what
// manifest.WithVerifiedIdentity takes.
func (c *Config) VerifiedIdentityEnvs() []string {
	var envs []string
	for _, e := range c.Environments {
		if e.VerifiedIdentity {
			envs = append(envs, e.Name)
		}
	}
	return envs
}

// VerifyToken verifies raw, a CI system's OIDC ID token, against the
// issuers of the configuration (idtoken.NewVerifier with opts: the HTTP
// client, the clock, the leeway) and returns who acted: a manifest.Actor
// with Verified true, Name the issuer's name claim, Issuer and Subject
// the token's, Claims what the token says of the run (mapped from GitHub
// Actions' and GitLab CI's claim names, see below) and Token its summary
// (ID, audience, validity, digest, and Key, the RFC 7638 thumbprint of the
// issuer's key that verified it: idtoken.Token.KeyThumbprint). The token
// is not kept.
//
// A refusal is a *idtoken.TokenError naming the issuer and subject the
// token claims: matching an idtoken sentinel when the token does not
// verify (idtoken.ErrIssuer for every token when the configuration names
// no issuer), and [ErrClaims] (a *[ClaimError]) when it verifies but a
// claim of the issuer's claims does not match, or the name claim is
// missing, not a string or not an identity. Keys pinned in a JWKS file are
// those read when the configuration was parsed; remote keys are fetched
// for each call.
//
// Claims are mapped as GitHub Actions and GitLab CI name them (a token
// with project_path and no repository is GitLab's):
//
//	ActorClaims  GitHub Actions              GitLab CI
//	Actor        actor                       user_login
//	Repository   repository                  project_path
//	Ref          ref                         ref_path, else ref with ref_type (refs/heads/..., refs/tags/...)
//	Commit       sha                         sha
//	Workflow     workflow_ref, else workflow ci_config_ref_uri, else pipeline_source
//	Run          run_id                      pipeline_id
//	Environment  environment                 environment
func (c *Config) VerifyToken(ctx context.Context, raw []byte, opts ...idtoken.Option) (manifest.Actor, error) {
	issuers := make([]idtoken.Issuer, 0, len(c.Identity.Issuers))
	for _, is := range c.Identity.Issuers {
		it := idtoken.Issuer{URL: is.Issuer, Audience: is.Audience}
		if is.JWKS != "" {
			data, ok := c.jwks[is.JWKS]
			if !ok { // a Config not made by Parse
				var err error
				if data, err = readRegular(is.JWKS); err != nil {
					return manifest.Actor{}, fmt.Errorf("config: identity: issuer %q: jwks %s: %w", is.Issuer, is.JWKS, err)
				}
			}
			it.JWKS = data
		}
		issuers = append(issuers, it)
	}
	v, err := idtoken.NewVerifier(issuers, opts...)
	if err != nil {
		return manifest.Actor{}, fmt.Errorf("config: identity: %w", err)
	}
	tok, err := v.Verify(ctx, raw)
	if err != nil {
		return manifest.Actor{}, err
	}
	i := slices.IndexFunc(c.Identity.Issuers, func(is Issuer) bool { return is.Issuer == tok.Issuer })
	is := c.Identity.Issuers[i] // Verify accepts only these issuers
	deny := func(claim string, want []string, got, reason string) (manifest.Actor, error) {
		return manifest.Actor{}, &idtoken.TokenError{Issuer: tok.Issuer, Subject: tok.Subject,
			Err: &ClaimError{Issuer: tok.Issuer, Claim: claim, Want: slices.Clone(want), Got: got, Reason: reason}}
	}
	for _, claim := range sortedKeys(is.Claims) {
		want := is.Claims[claim]
		v, present := tok.Claims[claim]
		got, ok := claimText(v)
		switch {
		case !present:
			return deny(claim, want, "", "missing")
		case !ok:
			return deny(claim, want, "", "not a string")
		case !slices.ContainsFunc(want, func(p string) bool { return glob(p, got) }):
			return deny(claim, want, got, "not accepted")
		}
	}
	nc := is.nameClaim()
	name, ok := claimText(tok.Claims[nc])
	switch {
	case tok.Claims[nc] == nil:
		return deny(nc, nil, "", "missing")
	case !ok:
		return deny(nc, nil, "", "not a string")
	}
	if msg := badIdentity(name); msg != "" {
		return deny(nc, nil, name, "not an identity: "+msg)
	}
	return manifest.Actor{
		Name:     name,
		Verified: true,
		Issuer:   tok.Issuer,
		Subject:  tok.Subject,
		Claims:   actorClaims(tok.Claims),
		Token: &manifest.TokenSummary{
			ID: tok.ID, Audience: tok.Audience, IssuedAt: tok.IssuedAt, NotBefore: tok.NotBefore,
			Expires: tok.Expires, Digest: tok.Digest, Key: tok.KeyThumbprint,
		},
	}, nil
}

// claimText returns a claim's value as text: a string as it is, a number
// or a boolean as JSON writes it; false for anything else.
func claimText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		if x {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// actorClaims maps the claims of a GitHub Actions or GitLab CI token.
func actorClaims(claims map[string]any) *manifest.ActorClaims {
	get := func(names ...string) string {
		for _, n := range names {
			if s, ok := claimText(claims[n]); ok && s != "" {
				return s
			}
		}
		return ""
	}
	_, github := claims["repository"]
	_, gitlab := claims["project_path"]
	gitlab = gitlab && !github
	a := &manifest.ActorClaims{
		Commit:      get("sha"),
		Environment: get("environment"),
	}
	if gitlab {
		a.Actor = get("user_login")
		a.Repository = get("project_path")
		a.Ref = get("ref_path")
		if a.Ref == "" {
			a.Ref = get("ref")
			switch get("ref_type") {
			case "branch":
				a.Ref = "refs/heads/" + a.Ref
			case "tag":
				a.Ref = "refs/tags/" + a.Ref
			}
		}
		a.Workflow = get("ci_config_ref_uri", "pipeline_source")
		a.Run = get("pipeline_id")
	} else {
		a.Actor = get("actor")
		a.Repository = get("repository")
		a.Ref = get("ref")
		a.Workflow = get("workflow_ref", "workflow")
		a.Run = get("run_id")
	}
	if *a == (manifest.ActorClaims{}) {
		return nil
	}
	return a
}

// glob reports whether s matches pattern, in which * matches any run of
// characters and every other character itself.
func glob(pattern, s string) bool {
	// The classic two-pointer match: on a mismatch, let the last star
	// take one more character. O(len(pattern) * len(s)) at worst.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

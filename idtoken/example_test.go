package idtoken_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/releasekit/releasekit/idtoken"
)

// The examples play a CI system's issuer with a fixed Ed25519 key (its
// signatures are deterministic) and a fixed clock, so that their output is
// the same on every run. A real issuer's keys are discovered over HTTPS,
// or pinned from the JWK Set it publishes.

const exampleIssuer = "https://token.actions.githubusercontent.com"

var exampleKey = ed25519.NewKeyFromSeed([]byte(strings.Repeat("k", ed25519.SeedSize)))

// exampleJWKS is the issuer's public JWK Set, as a pinned jwks.json holds it.
func exampleJWKS() []byte {
	data, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: exampleKey.Public(), KeyID: "ci-2026", Algorithm: "EdDSA", Use: "sig"},
	}})
	if err != nil {
		panic(err)
	}
	return data
}

// mint is the issuer: it signs claims as a GitHub Actions job's ID token.
func mint(claims map[string]any) []byte {
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: exampleKey, KeyID: "ci-2026"}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		panic(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	obj, err := s.Sign(payload)
	if err != nil {
		panic(err)
	}
	tok, err := obj.CompactSerialize()
	if err != nil {
		panic(err)
	}
	return []byte(tok + "\n") // as a token file holds it
}

var (
	issuedAt = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	atClock  = func() time.Time { return issuedAt.Add(time.Minute) }
)

func exampleClaims() map[string]any {
	return map[string]any{
		"iss": exampleIssuer, "aud": "releasekit", "sub": "repo:acme/shop:environment:prod",
		"iat": issuedAt.Unix(), "nbf": issuedAt.Unix(), "exp": issuedAt.Add(5 * time.Minute).Unix(),
		"jti": "7f3c", "actor": "octocat", "repository": "acme/shop", "ref": "refs/heads/main",
	}
}

// A token verified against the issuer's pinned keys: who it names, what
// else it says, and the digest that identifies it in evidence.
func ExampleVerifier_Verify() {
	v, err := idtoken.NewVerifier([]idtoken.Issuer{{URL: exampleIssuer, Audience: "releasekit", JWKS: exampleJWKS()}},
		idtoken.WithClock(atClock))
	if err != nil {
		fmt.Println(err)
		return
	}
	tok, err := v.Verify(context.Background(), mint(exampleClaims()))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok.Issuer)
	fmt.Println(tok.Subject, tok.Audience, tok.ID)
	fmt.Println(tok.Claims["actor"], tok.Claims["repository"], tok.Claims["ref"])
	fmt.Println("valid", tok.NotBefore.Format(time.Kitchen), "to", tok.Expires.Format(time.Kitchen))
	fmt.Println(tok.Digest)
	// Output:
	// https://token.actions.githubusercontent.com
	// repo:acme/shop:environment:prod [releasekit] 7f3c
	// octocat acme/shop refs/heads/main
	// valid 9:00AM to 9:05AM
	// sha256:f5942aef1b70897d021a29e0c962d8e4b3b23af713047faa6635421be944c1c6
}

// Refused tokens: each refusal matches its sentinel and names who the
// token claims to be, unverified, for the record of the refused attempt.
func ExampleVerifier_Verify_refused() {
	v, err := idtoken.NewVerifier([]idtoken.Issuer{{URL: exampleIssuer, Audience: "releasekit", JWKS: exampleJWKS()}},
		idtoken.WithClock(atClock))
	if err != nil {
		fmt.Println(err)
		return
	}
	late := exampleClaims()
	late["exp"] = issuedAt.Add(-time.Hour).Unix()
	other := exampleClaims()
	other["aud"] = "sigstore"
	forged := exampleClaims()
	forged["iss"] = "https://ci.example.net"

	for _, raw := range [][]byte{mint(late), mint(other), mint(forged), []byte("eyJhbGciOiJub25lIn0.e30.")} {
		_, err := v.Verify(context.Background(), raw)
		var te *idtoken.TokenError
		if errors.As(err, &te) {
			fmt.Printf("%q %q\n", te.Issuer, te.Subject)
		}
		fmt.Println(errors.Is(err, idtoken.ErrExpired), errors.Is(err, idtoken.ErrAudience), errors.Is(err, idtoken.ErrIssuer), errors.Is(err, idtoken.ErrAlgorithm))
	}
	// Output:
	// "https://token.actions.githubusercontent.com" "repo:acme/shop:environment:prod"
	// true false false false
	// "https://token.actions.githubusercontent.com" "repo:acme/shop:environment:prod"
	// false true false false
	// "https://ci.example.net" "repo:acme/shop:environment:prod"
	// false false true false
	// "" ""
	// false false false true
}

// The keys of a pinned JWK Set, as an auditor checks them against the
// issuer's.
func ExampleParseKeySet() {
	keys, err := idtoken.ParseKeySet(exampleJWKS())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, k := range keys {
		fmt.Println(k.ID, k.Type, k.Algorithm, k.Thumbprint)
	}
	// Output:
	// ci-2026 Ed25519 EdDSA mUgzPMSCUIl032h7VzIH1UI883RdYSKOolzbkUHAuUU
}

package idtoken_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/releasekit/releasekit/idtoken"
	"github.com/releasekit/releasekit/internal/testkit/tokentest"
)

// FuzzVerify checks Verify against a pinned JWK Set at a fixed time: it
// never panics; a refusal is a *TokenError matching exactly one sentinel,
// with a bounded claimed issuer and subject; an accepted token is one the
// issuer signed: its issuer and audience are the trusted ones, its digest
// is the SHA-256 of the input without surrounding white space (which holds
// nothing but base64url and dots), and its key is the pinned one.
func FuzzVerify(f *testing.F) {
	key := tokentest.Ed25519Key("k1", 1)
	issuer := "https://token.actions.githubusercontent.com"
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	v, err := idtoken.NewVerifier([]idtoken.Issuer{{URL: issuer, Audience: tokentest.Audience, JWKS: tokentest.JWKS(f, key)}},
		idtoken.WithClock(func() time.Time { return at.Add(time.Minute) }))
	if err != nil {
		f.Fatal(err)
	}
	keys, err := idtoken.ParseKeySet(tokentest.JWKS(f, key))
	if err != nil || len(keys) != 1 {
		f.Fatal(keys, err)
	}
	thumbprint := keys[0].Thumbprint
	good := key.Sign(f, tokentest.GitHub(issuer, tokentest.Audience, at, nil))
	for _, seed := range []string{
		good,
		good + "\n",
		good[:30] + "\r\n" + good[30:],
		good[:len(good)-4] + "\n" + good[len(good)-4:],
		key.Sign(f, tokentest.GitLab(issuer, tokentest.Audience, at, map[string]any{"aud": []string{"x", tokentest.Audience}})),
		key.Sign(f, tokentest.Claims(issuer, tokentest.Audience, "s", at, map[string]any{"exp": 1.5e9, "nbf": "x"})),
		key.WithID("k2").Sign(f, tokentest.Claims(issuer, tokentest.Audience, "s", at, nil)),
		tokentest.Unsigned(f, tokentest.Claims(issuer, tokentest.Audience, "s", at, nil)),
		"eyJhbGciOiJFZERTQSJ9.e30.AA",
		"eyJhbGciOiJFZERTQSJ9.W10.AA",
		"..",
		"a.b.c.d",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		tok, err := v.Verify(context.Background(), raw)
		if err != nil {
			var te *idtoken.TokenError
			if !errors.As(err, &te) {
				t.Fatalf("error %T is not a *TokenError: %v", err, err)
			}
			n := 0
			for _, s := range sentinels {
				if errors.Is(err, s) {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("error matches %d sentinels: %v", n, err)
			}
			if len(te.Issuer) > idtoken.MaxClaimed || len(te.Subject) > idtoken.MaxClaimed {
				t.Fatalf("claimed issuer or subject unbounded: %d, %d bytes", len(te.Issuer), len(te.Subject))
			}
			return
		}
		if tok.Issuer != issuer || !slices.Contains(tok.Audience, tokentest.Audience) || tok.Subject == "" {
			t.Fatalf("accepted a token of %q for %q, subject %q", tok.Issuer, tok.Audience, tok.Subject)
		}
		compact := bytes.TrimSpace(raw)
		sum := sha256.Sum256(compact)
		if tok.Digest != "sha256:"+hex.EncodeToString(sum[:]) {
			t.Fatalf("digest %s is not of the input", tok.Digest)
		}
		if i := bytes.IndexFunc(compact, func(r rune) bool {
			return !('A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-' || r == '_' || r == '.')
		}); i >= 0 {
			t.Fatalf("accepted a token with %q at byte %d: one token, several digests", compact[i], i)
		}
		if tok.KeyThumbprint != thumbprint {
			t.Fatalf("verified by key %q, not the pinned key %q", tok.KeyThumbprint, thumbprint)
		}
	})
}

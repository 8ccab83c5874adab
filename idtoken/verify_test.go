package idtoken_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/idtoken"
	"github.com/releasekit/releasekit/internal/testkit/tokentest"
)

// now is the verifier's clock in these tests; tokens are issued a minute
// before.
var now = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

var sentinels = []error{
	idtoken.ErrMalformed, idtoken.ErrAlgorithm, idtoken.ErrSignature, idtoken.ErrUnknownKey,
	idtoken.ErrIssuer, idtoken.ErrAudience, idtoken.ErrExpired, idtoken.ErrNotYetValid, idtoken.ErrKeys,
}

// refused checks that err is a *TokenError matching want and no other
// sentinel, and returns it.
func refused(t *testing.T, err error, want error) *idtoken.TokenError {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, want)
	var te *idtoken.TokenError
	require.ErrorAs(t, err, &te)
	for _, s := range sentinels {
		if s != want {
			assert.NotErrorIs(t, err, s, "matches %v too", s)
		}
	}
	return te
}

// fixture is an issuer with an RSA and an ECDSA key, served over HTTPS on
// 127.0.0.1, and the same keys pinned in a JWKS file.
type fixture struct {
	srv      *tokentest.Server
	rsa, ec  *tokentest.Key
	jwksFile string
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{rsa: tokentest.RSAKey(t, "k1"), ec: tokentest.ECKey(t, "k2")}
	f.srv = tokentest.Serve(t, f.rsa, f.ec)
	f.jwksFile = filepath.Join(t.TempDir(), "jwks.json")
	require.NoError(t, os.WriteFile(f.jwksFile, tokentest.JWKS(t, f.rsa, f.ec), 0o644))
	return f
}

// verifiers returns a Verifier of the issuer discovering its keys over
// HTTPS, and one trusting the pinned JWKS file.
func (f *fixture) verifiers(t *testing.T, opts ...idtoken.Option) map[string]*idtoken.Verifier {
	t.Helper()
	remote, err := idtoken.NewVerifier([]idtoken.Issuer{{URL: f.srv.URL, Audience: tokentest.Audience}},
		append([]idtoken.Option{idtoken.WithHTTPClient(f.srv.Client()), idtoken.WithClock(clock)}, opts...)...)
	require.NoError(t, err)
	jwks, err := os.ReadFile(f.jwksFile)
	require.NoError(t, err)
	// The pinned verifier has no HTTP client that trusts the server: it
	// must not need one.
	pinned, err := idtoken.NewVerifier([]idtoken.Issuer{{URL: f.srv.URL, Audience: tokentest.Audience, JWKS: jwks}},
		append([]idtoken.Option{idtoken.WithClock(clock)}, opts...)...)
	require.NoError(t, err)
	return map[string]*idtoken.Verifier{"remote": remote, "pinned": pinned}
}

func (f *fixture) claims(extra map[string]any) map[string]any {
	return tokentest.GitHub(f.srv.URL, tokentest.Audience, now.Add(-time.Minute), extra)
}

func TestVerifyAccepts(t *testing.T) {
	f := newFixture(t)
	keys, err := idtoken.ParseKeySet(tokentest.JWKS(t, f.rsa, f.ec))
	require.NoError(t, err)
	thumbprint := map[string]string{}
	for _, k := range keys {
		thumbprint[k.ID] = k.Thumbprint
	}
	require.Len(t, thumbprint, 2)
	require.NotEqual(t, thumbprint[f.rsa.ID], thumbprint[f.ec.ID])
	for name, v := range f.verifiers(t) {
		for _, k := range []*tokentest.Key{f.rsa, f.ec} {
			t.Run(name+"/"+string(k.Alg), func(t *testing.T) {
				raw := k.Sign(t, f.claims(nil))
				tok, err := v.Verify(context.Background(), []byte(raw+"\n"))
				require.NoError(t, err)
				assert.Equal(t, f.srv.URL, tok.Issuer)
				assert.Equal(t, "repo:acme/shop:environment:prod", tok.Subject)
				assert.Equal(t, []string{tokentest.Audience}, tok.Audience)
				assert.Equal(t, "a1b2c3", tok.ID)
				assert.Equal(t, now.Add(-time.Minute), tok.IssuedAt)
				assert.Equal(t, now.Add(-time.Minute), tok.NotBefore)
				assert.Equal(t, now.Add(4*time.Minute), tok.Expires)
				assert.Equal(t, "octocat", tok.Claims["actor"])
				assert.Equal(t, "acme/shop", tok.Claims["repository"])
				assert.Equal(t, json.Number(tok.Claims["exp"].(json.Number)), tok.Claims["exp"])
				sum := sha256.Sum256([]byte(raw))
				assert.Equal(t, "sha256:"+hex.EncodeToString(sum[:]), tok.Digest, "the digest of the token, without the file's newline")
				assert.Equal(t, thumbprint[k.ID], tok.KeyThumbprint, "the key that verified it, as ParseKeySet lists it")
			})
		}
	}
}

// TestVerifyRefuses: each bad token is refused with its typed error, which
// names the issuer and subject the token claims.
func TestVerifyRefuses(t *testing.T) {
	f := newFixture(t)
	attacker := tokentest.RSAKey(t, "k1") // another key under the issuer's kid
	for _, tc := range []struct {
		name    string
		token   func(t *testing.T) string
		want    error
		iss     string // the claimed issuer; "" for the fixture's
		sub     string
		detail  string
		fetches int // JWKS fetches by the remote verifier, 0: not checked
	}{
		{name: "wrong signature", token: func(t *testing.T) string { return attacker.Sign(t, f.claims(nil)) }, want: idtoken.ErrSignature, detail: `key "k1" does not verify it`},
		{name: "tampered payload", token: func(t *testing.T) string {
			good := strings.Split(f.rsa.Sign(t, f.claims(nil)), ".")
			payload, _ := json.Marshal(f.claims(map[string]any{"sub": "repo:acme/evil:environment:prod"}))
			return good[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + good[2]
		}, want: idtoken.ErrSignature, sub: "repo:acme/evil:environment:prod"},
		{name: "signature of another algorithm's key", token: func(t *testing.T) string { return f.ec.WithID("k1").Sign(t, f.claims(nil)) }, want: idtoken.ErrSignature, detail: `key "k1" is not a key for ES256`},
		{name: "no kid, no key verifies", token: func(t *testing.T) string { return attacker.WithID("").Sign(t, f.claims(nil)) }, want: idtoken.ErrSignature},
		{name: "other issuer", token: func(t *testing.T) string {
			return attacker.Sign(t, f.claims(map[string]any{"iss": "https://token.example.net"}))
		}, want: idtoken.ErrIssuer, iss: "https://token.example.net"},
		{name: "issuer with a trailing slash", token: func(t *testing.T) string {
			return f.rsa.Sign(t, f.claims(map[string]any{"iss": f.srv.URL + "/"}))
		}, want: idtoken.ErrIssuer, iss: "/"},
		{name: "other audience", token: func(t *testing.T) string { return f.rsa.Sign(t, f.claims(map[string]any{"aud": "sigstore"})) }, want: idtoken.ErrAudience},
		{name: "audience list without ours", token: func(t *testing.T) string {
			return f.ec.Sign(t, f.claims(map[string]any{"aud": []string{"a", "b"}}))
		}, want: idtoken.ErrAudience},
		{name: "expired", token: func(t *testing.T) string {
			return f.rsa.Sign(t, f.claims(map[string]any{"exp": now.Add(-2 * time.Minute).Unix()}))
		}, want: idtoken.ErrExpired, detail: "at 2026-03-10T08:58:00Z"},
		{name: "expired now", token: func(t *testing.T) string {
			return f.rsa.Sign(t, f.claims(map[string]any{"exp": now.Add(-idtoken.DefaultLeeway).Unix()}))
		}, want: idtoken.ErrExpired},
		{name: "not yet valid", token: func(t *testing.T) string {
			return f.rsa.Sign(t, f.claims(map[string]any{"nbf": now.Add(10 * time.Minute).Unix(), "exp": now.Add(20 * time.Minute).Unix()}))
		}, want: idtoken.ErrNotYetValid, detail: "not before 2026-03-10T09:10:00Z"},
		{name: "not yet valid within go-oidc's leeway", token: func(t *testing.T) string {
			return f.rsa.Sign(t, f.claims(map[string]any{"nbf": now.Add(2 * time.Minute).Unix()}))
		}, want: idtoken.ErrNotYetValid},
		{name: "issued in the future", token: func(t *testing.T) string {
			return f.rsa.Sign(t, f.claims(map[string]any{"iat": now.Add(3 * time.Minute).Unix(), "nbf": nil}))
		}, want: idtoken.ErrNotYetValid, detail: "in the future"},
		{name: "alg none", token: func(t *testing.T) string { return tokentest.Unsigned(t, f.claims(nil)) }, want: idtoken.ErrAlgorithm, detail: `"none"`},
		{name: "alg none, signature kept", token: func(t *testing.T) string {
			parts := strings.Split(f.rsa.Sign(t, f.claims(nil)), ".")
			return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"k1"}`)) + "." + parts[1] + "." + parts[2]
		}, want: idtoken.ErrAlgorithm},
		{name: "alg HS256", token: func(t *testing.T) string {
			// The attack on verifiers that use a public key as an HMAC secret.
			s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(strings.Repeat("k", 32))}, nil)
			require.NoError(t, err)
			payload, _ := json.Marshal(f.claims(nil))
			obj, err := s.Sign(payload)
			require.NoError(t, err)
			raw, err := obj.CompactSerialize()
			require.NoError(t, err)
			return raw
		}, want: idtoken.ErrAlgorithm, detail: `"HS256"`},
		{name: "kid not in JWKS", token: func(t *testing.T) string { return tokentest.RSAKey(t, "k9").Sign(t, f.claims(nil)) }, want: idtoken.ErrUnknownKey, detail: `kid "k9"`, fetches: 1},
		{name: "no kid, no key of the algorithm", token: func(t *testing.T) string {
			k := tokentest.Ed25519Key("", 7)
			return k.Sign(t, f.claims(nil))
		}, want: idtoken.ErrUnknownKey, detail: "no key for EdDSA"},
		{name: "no exp", token: func(t *testing.T) string { return f.rsa.Sign(t, f.claims(map[string]any{"exp": nil})) }, want: idtoken.ErrMalformed, detail: "no exp claim"},
		{name: "no iat", token: func(t *testing.T) string { return f.rsa.Sign(t, f.claims(map[string]any{"iat": nil})) }, want: idtoken.ErrMalformed, detail: "no iat claim"},
		{name: "no aud", token: func(t *testing.T) string { return f.rsa.Sign(t, f.claims(map[string]any{"aud": nil})) }, want: idtoken.ErrMalformed, detail: "no aud claim"},
		{name: "no sub", token: func(t *testing.T) string { return f.rsa.Sign(t, f.claims(map[string]any{"sub": nil})) }, want: idtoken.ErrMalformed, sub: "-", detail: "no sub claim"},
		{name: "exp a string", token: func(t *testing.T) string { return f.rsa.Sign(t, f.claims(map[string]any{"exp": "tomorrow"})) }, want: idtoken.ErrMalformed, detail: "exp is not a date"},
		{name: "sub a number", token: func(t *testing.T) string { return f.rsa.Sign(t, f.claims(map[string]any{"sub": 7})) }, want: idtoken.ErrMalformed, sub: "-"},
		{name: "issuer claimed twice", token: func(t *testing.T) string {
			parts := strings.Split(f.rsa.Sign(t, f.claims(nil)), ".")
			payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
			payload = append([]byte(`{"ISS":"https://token.example.net",`), payload[1:]...)
			return parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
		}, want: idtoken.ErrMalformed, iss: "-", sub: "-", detail: "duplicate key"},
		{name: "not a token", token: func(t *testing.T) string { return "ghp_notatoken" }, want: idtoken.ErrMalformed, iss: "-", sub: "-"},
		{name: "empty", token: func(t *testing.T) string { return " \n" }, want: idtoken.ErrMalformed, iss: "-", sub: "-"},
		{name: "JSON serialization", token: func(t *testing.T) string {
			return `{"payload":"e30","protected":"eyJhbGciOiJSUzI1NiJ9","signature":"AA"}`
		}, want: idtoken.ErrMalformed, iss: "-", sub: "-"},
		{name: "line break inside", token: func(t *testing.T) string {
			// The base64 decoder skips it: the same token under another digest.
			raw := f.rsa.Sign(t, f.claims(nil))
			return raw[:40] + "\r\n" + raw[40:]
		}, want: idtoken.ErrMalformed, iss: "-", sub: "-", detail: "byte 40 is white space (U+000D)"},
		{name: "line break in the signature", token: func(t *testing.T) string {
			raw := f.rsa.Sign(t, f.claims(nil))
			return raw[:len(raw)-10] + "\n" + raw[len(raw)-10:]
		}, want: idtoken.ErrMalformed, iss: "-", sub: "-", detail: "white space (U+000A)"},
		{name: "space inside", token: func(t *testing.T) string {
			parts := strings.Split(f.rsa.Sign(t, f.claims(nil)), ".")
			return parts[0] + ". " + parts[1] + "." + parts[2]
		}, want: idtoken.ErrMalformed, iss: "-", sub: "-", detail: "white space (U+0020)"},
		{name: "control character inside", token: func(t *testing.T) string {
			raw := f.rsa.Sign(t, f.claims(nil))
			return raw[:20] + "\x00" + raw[20:]
		}, want: idtoken.ErrMalformed, iss: "-", sub: "-", detail: "a control character (U+0000)"},
		{name: "format character inside", token: func(t *testing.T) string {
			raw := f.rsa.Sign(t, f.claims(nil))
			return raw[:20] + "\u200b" + raw[20:]
		}, want: idtoken.ErrMalformed, iss: "-", sub: "-", detail: "a control character (U+200B)"},
		{name: "padding", token: func(t *testing.T) string {
			parts := strings.Split(f.rsa.Sign(t, f.claims(nil)), ".")
			return parts[0] + "." + parts[1] + "==." + parts[2]
		}, want: idtoken.ErrMalformed, iss: "-", sub: "-", detail: "U+003D"},
		{name: "critical extension", token: func(t *testing.T) string {
			return signWith(t, f.rsa, (&jose.SignerOptions{}).WithHeader("exp-ext", "x").WithCritical("exp-ext"), f.claims(nil))
		}, want: idtoken.ErrMalformed, detail: `header parameter "crit"`},
		{name: "critical extension the verifier knows", token: func(t *testing.T) string {
			return signWith(t, f.rsa, (&jose.SignerOptions{}).WithHeader("b64", true).WithCritical("b64"), f.claims(nil))
		}, want: idtoken.ErrMalformed, detail: `header parameter "crit"`},
		{name: "b64 without crit", token: func(t *testing.T) string {
			return signWith(t, f.rsa, (&jose.SignerOptions{}).WithHeader("b64", true), f.claims(nil))
		}, want: idtoken.ErrMalformed, detail: `header parameter "b64"`},
		{name: "too large", token: func(t *testing.T) string {
			return f.rsa.Sign(t, f.claims(map[string]any{"pad": strings.Repeat("x", idtoken.MaxTokenSize)}))
		}, want: idtoken.ErrMalformed, iss: "-", sub: "-", detail: "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := tc.token(t)
			for name, v := range f.verifiers(t) {
				before := f.srv.Fetches()
				tok, err := v.Verify(context.Background(), []byte(raw))
				assert.Nil(t, tok)
				te := refused(t, err, tc.want)
				wantIss, wantSub := f.srv.URL, "repo:acme/shop:environment:prod"
				switch tc.iss {
				case "":
				case "-":
					wantIss = ""
				case "/":
					wantIss = f.srv.URL + "/"
				default:
					wantIss = tc.iss
				}
				switch tc.sub {
				case "":
				case "-":
					wantSub = ""
				default:
					wantSub = tc.sub
				}
				assert.Equal(t, wantIss, te.Issuer, name)
				assert.Equal(t, wantSub, te.Subject, name)
				assert.Contains(t, err.Error(), tc.detail, name)
				assert.NotContains(t, err.Error(), strings.SplitN(raw, ".", 2)[0]+".", "%s: the error repeats the token", name)
				if name == "remote" && tc.fetches > 0 {
					assert.Equal(t, tc.fetches, f.srv.Fetches()-before, "a key set fetched just now is not fetched again")
				}
			}
		})
	}
}

// signWith signs claims with k as tokentest does, with the header opts
// say.
func signWith(t *testing.T, k *tokentest.Key, opts *jose.SignerOptions, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: k.Alg, Key: jose.JSONWebKey{Key: k.Private, KeyID: k.ID}}, opts.WithType("JWT"))
	require.NoError(t, err)
	payload, err := json.Marshal(claims)
	require.NoError(t, err)
	obj, err := s.Sign(payload)
	require.NoError(t, err)
	raw, err := obj.CompactSerialize()
	require.NoError(t, err)
	return raw
}

// TestVerifyLeeway: a token expired less than the leeway ago is accepted;
// WithLeeway(0) refuses it.
func TestVerifyLeeway(t *testing.T) {
	f := newFixture(t)
	raw := f.rsa.Sign(t, f.claims(map[string]any{"exp": now.Add(-30 * time.Second).Unix()}))
	for name, v := range f.verifiers(t) {
		_, err := v.Verify(context.Background(), []byte(raw))
		assert.NoError(t, err, name)
	}
	for name, v := range f.verifiers(t, idtoken.WithLeeway(0)) {
		_, err := v.Verify(context.Background(), []byte(raw))
		refused(t, err, idtoken.ErrExpired)
		_ = name
	}
}

// TestVerifyKeyRotation: a token signed with a key the issuer published
// after the verifier cached its keys verifies: the set is fetched again.
func TestVerifyKeyRotation(t *testing.T) {
	f := newFixture(t)
	v := f.verifiers(t)["remote"]
	_, err := v.Verify(context.Background(), []byte(f.rsa.Sign(t, f.claims(nil))))
	require.NoError(t, err)
	_, err = v.Verify(context.Background(), []byte(f.ec.Sign(t, f.claims(nil))))
	require.NoError(t, err)
	assert.Equal(t, 1, f.srv.Fetches(), "the keys are cached")
	_, err = v.Verify(context.Background(), []byte(tokentest.RSAKey(t, "k9").Sign(t, f.claims(nil))))
	refused(t, err, idtoken.ErrUnknownKey)
	assert.Equal(t, 2, f.srv.Fetches(), "an unknown kid fetches the key set again")

	next := tokentest.RSAKey(t, "k3")
	f.srv.SetKeys(f.rsa, next)
	_, err = v.Verify(context.Background(), []byte(next.Sign(t, f.claims(nil))))
	require.NoError(t, err)
	assert.Equal(t, 3, f.srv.Fetches())
	// The ECDSA key is gone from the cache now: refused.
	_, err = v.Verify(context.Background(), []byte(f.ec.Sign(t, f.claims(nil))))
	refused(t, err, idtoken.ErrUnknownKey)
}

// TestVerifyConcurrent: one Verifier serves goroutines at once.
func TestVerifyConcurrent(t *testing.T) {
	f := newFixture(t)
	v := f.verifiers(t)["remote"]
	good := []byte(f.rsa.Sign(t, f.claims(nil)))
	bad := []byte(f.rsa.Sign(t, f.claims(map[string]any{"aud": "x"})))
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Go(func() {
			raw := good
			if i%2 == 1 {
				raw = bad
			}
			_, errs[i] = v.Verify(context.Background(), raw)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if i%2 == 1 {
			assert.ErrorIs(t, err, idtoken.ErrAudience)
		} else {
			assert.NoError(t, err)
		}
	}
	assert.Equal(t, 1, f.srv.Fetches())
}

// TestVerifyRemoteKeys: every way the keys of a remote issuer cannot be
// had is ErrKeys, and nothing is read but over HTTPS.
func TestVerifyRemoteKeys(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  func(t *testing.T, f *fixture)
		detail string
	}{
		{"discovery names another issuer", func(t *testing.T, f *fixture) {
			f.srv.SetDiscovery(map[string]any{"issuer": "https://token.example.net"})
		}, `the document names issuer "https://token.example.net"`},
		{"no jwks_uri", func(t *testing.T, f *fixture) { f.srv.SetDiscovery(map[string]any{"jwks_uri": ""}) }, "names no jwks_uri"},
		{"jwks_uri over http", func(t *testing.T, f *fixture) {
			f.srv.SetDiscovery(map[string]any{"jwks_uri": "http://127.0.0.1:1/jwks"})
		}, `jwks_uri "http://127.0.0.1:1/jwks" is not an https:// URL`},
		{"redirect to http", func(t *testing.T, f *fixture) {
			f.srv.Mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "http://127.0.0.1:1/jwks", http.StatusFound)
			})
			f.srv.SetDiscovery(map[string]any{"jwks_uri": f.srv.URL + "/moved"})
		}, "is not an https:// URL: issuers are read over HTTPS only"},
		{"key set not found", func(t *testing.T, f *fixture) {
			f.srv.SetDiscovery(map[string]any{"jwks_uri": f.srv.URL + "/nothing"})
		}, "404 Not Found"},
		{"key set too large", func(t *testing.T, f *fixture) {
			f.srv.Mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(`{"keys":[],"x":"` + strings.Repeat("x", idtoken.MaxKeySetSize) + `"}`))
			})
			f.srv.SetDiscovery(map[string]any{"jwks_uri": f.srv.URL + "/big"})
		}, "response larger than 1048576 bytes"},
		{"key set not JSON", func(t *testing.T, f *fixture) {
			f.srv.Mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>\x1b[31m")) })
			f.srv.SetDiscovery(map[string]any{"jwks_uri": f.srv.URL + "/html"})
		}, "JWK Set"},
		{"empty key set", func(t *testing.T, f *fixture) { f.srv.SetKeys() }, "no usable key"},
		{"issuer down", func(t *testing.T, f *fixture) { f.srv.Close() }, "discovery"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			tc.setup(t, f)
			v := f.verifiers(t)["remote"]
			_, err := v.Verify(context.Background(), []byte(f.rsa.Sign(t, f.claims(nil))))
			te := refused(t, err, idtoken.ErrKeys)
			assert.Equal(t, f.srv.URL, te.Issuer)
			assert.Contains(t, err.Error(), tc.detail)
			assert.NotContains(t, err.Error(), "\x1b")
		})
	}

	t.Run("untrusted certificate", func(t *testing.T) {
		f := newFixture(t)
		v, err := idtoken.NewVerifier([]idtoken.Issuer{{URL: f.srv.URL, Audience: tokentest.Audience}}, idtoken.WithClock(clock))
		require.NoError(t, err)
		_, err = v.Verify(context.Background(), []byte(f.rsa.Sign(t, f.claims(nil))))
		refused(t, err, idtoken.ErrKeys)
		assert.Contains(t, err.Error(), "certificate")
	})

	t.Run("context cancelled", func(t *testing.T) {
		f := newFixture(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := f.verifiers(t)["remote"].Verify(ctx, []byte(f.rsa.Sign(t, f.claims(nil))))
		refused(t, err, idtoken.ErrKeys)
		assert.ErrorIs(t, err, context.Canceled)
		// The pinned verifier needs no network.
		_, err = f.verifiers(t)["pinned"].Verify(ctx, []byte(f.rsa.Sign(t, f.claims(nil))))
		assert.NoError(t, err)
	})
}

func TestNewVerifierRefuses(t *testing.T) {
	rsaKey := tokentest.RSAKey(t, "k1")
	private, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: rsaKey.Private, KeyID: "k1"}}})
	require.NoError(t, err)
	oct, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: []byte("0123456789abcdef0123456789abcdef"), KeyID: "s"}}})
	require.NoError(t, err)
	for _, tc := range []struct {
		name    string
		issuers []idtoken.Issuer
		opts    []idtoken.Option
		reason  string
		keys    bool // wraps ErrKeys
	}{
		{"no URL", []idtoken.Issuer{{Audience: "a"}}, nil, "no issuer URL", false},
		{"no audience", []idtoken.Issuer{{URL: "https://x"}}, nil, "no audience", false},
		{"twice", []idtoken.Issuer{{URL: "https://x", Audience: "a"}, {URL: "https://x", Audience: "b"}}, nil, "listed twice", false},
		{"http without keys", []idtoken.Issuer{{URL: "http://gitlab.example.com", Audience: "a"}}, nil, "keys are discovered and fetched over HTTPS only", true},
		{"not a URL", []idtoken.Issuer{{URL: "gitlab", Audience: "a"}}, nil, "keys are discovered and fetched over HTTPS only", true},
		{"JWKS not JSON", []idtoken.Issuer{{URL: "https://x", Audience: "a", JWKS: []byte("keys")}}, nil, "pinned JWKS", true},
		{"JWKS without keys", []idtoken.Issuer{{URL: "https://x", Audience: "a", JWKS: []byte(`{"keys":[]}`)}}, nil, "no usable key", true},
		{"JWKS not a set", []idtoken.Issuer{{URL: "https://x", Audience: "a", JWKS: []byte(`{}`)}}, nil, "not a JWK Set", true},
		{"JWKS with a private key", []idtoken.Issuer{{URL: "https://x", Audience: "a", JWKS: private}}, nil, "private or symmetric key material", true},
		{"JWKS with a symmetric key", []idtoken.Issuer{{URL: "https://x", Audience: "a", JWKS: oct}}, nil, "private or symmetric key material", true},
		{"leeway too large", nil, []idtoken.Option{idtoken.WithLeeway(time.Hour)}, "leeway 1h0m0s: want 0 to 5m0s", false},
		{"leeway negative", nil, []idtoken.Option{idtoken.WithLeeway(-time.Second)}, "leeway -1s", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := idtoken.NewVerifier(tc.issuers, tc.opts...)
			assert.Nil(t, v)
			var ce *idtoken.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, ce.Reason+": "+err.Error(), tc.reason)
			assert.Equal(t, tc.keys, errors.Is(err, idtoken.ErrKeys))
		})
	}
}

// TestNoIssuers: a Verifier trusting nothing refuses every token.
func TestNoIssuers(t *testing.T) {
	v, err := idtoken.NewVerifier(nil, idtoken.WithClock(clock))
	require.NoError(t, err)
	k := tokentest.RSAKey(t, "k1")
	_, err = v.Verify(context.Background(), []byte(k.Sign(t, tokentest.Claims("https://x", "a", "s", now, nil))))
	te := refused(t, err, idtoken.ErrIssuer)
	assert.Equal(t, "https://x", te.Issuer)
	assert.Equal(t, "s", te.Subject)
}

// TestClaimedBounded: the claimed subject an error repeats is bounded and
// valid UTF-8.
func TestClaimedBounded(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("é", 300)
	_, err := f.verifiers(t)["pinned"].Verify(context.Background(), []byte(f.rsa.Sign(t, f.claims(map[string]any{"sub": long, "aud": "x"}))))
	te := refused(t, err, idtoken.ErrAudience)
	assert.LessOrEqual(t, len(te.Subject), idtoken.MaxClaimed)
	assert.True(t, strings.HasPrefix(long, te.Subject))
	assert.Equal(t, strings.Repeat("é", idtoken.MaxClaimed/2), te.Subject)
}

func TestParseKeySet(t *testing.T) {
	rsaKey, ec, ed := tokentest.RSAKey(t, "r"), tokentest.ECKey(t, "e"), tokentest.Ed25519Key("d", 1)
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(tokentest.JWKS(t, rsaKey, ec, ed, rsaKey.WithID("enc"), rsaKey.WithID("rsa1_5")), &set))
	set.Keys[3]["use"] = "enc"
	set.Keys[4]["alg"] = "RSA1_5"
	set.Keys = append(set.Keys, map[string]any{"kty": "OKP", "crv": "Ed448", "x": "AAAA"}, map[string]any{"kty": "unknown"})
	data, err := json.Marshal(set)
	require.NoError(t, err)
	keys, err := idtoken.ParseKeySet(data)
	require.NoError(t, err)
	require.Len(t, keys, 3, "keys for encryption, for other algorithms and of unknown types are skipped")
	assert.Equal(t, "r", keys[0].ID)
	assert.Equal(t, "RSA-2048", keys[0].Type)
	assert.Equal(t, "RS256", keys[0].Algorithm)
	assert.Len(t, keys[0].Thumbprint, 43)
	assert.Equal(t, "EC P-256", keys[1].Type)
	assert.Equal(t, "Ed25519", keys[2].Type)
	assert.Equal(t, "d", keys[2].ID)

	_, err = idtoken.ParseKeySet([]byte(`{"keys":[],"keys":[]}`))
	assert.ErrorIs(t, err, idtoken.ErrKeys)
}

func TestAlgorithms(t *testing.T) {
	assert.Equal(t, []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}, idtoken.Algorithms())
}

func TestTokenErrorText(t *testing.T) {
	e := &idtoken.TokenError{Issuer: "https://x", Subject: "a\nb", Err: idtoken.ErrExpired}
	assert.Equal(t, `idtoken: token expired (issuer "https://x", subject "a\nb", as the token claims)`, e.Error())
	assert.Equal(t, "idtoken: malformed token", (&idtoken.TokenError{Err: idtoken.ErrMalformed}).Error())
}

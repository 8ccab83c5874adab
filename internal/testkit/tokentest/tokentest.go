// Package tokentest mints CI ID tokens with keys generated in the test and
// serves an OpenID Connect issuer (its discovery document and JWK Set) on
// 127.0.0.1 over HTTPS, for the tests of idtoken, config and relctl: real
// tokens, signed with go-jose, verified against a real server. Only tests
// and examples import it.
package tokentest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Audience is the audience the fixtures' tokens name.
const Audience = "releasekit"

// A Key signs tokens: its key ID (the kid header; none when ""), the
// algorithm and the private key.
type Key struct {
	ID      string
	Alg     jose.SignatureAlgorithm
	Private crypto.Signer
}

// RSAKey generates a 2048-bit RSA key signing RS256.
func RSAKey(t testing.TB, kid string) *Key {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return &Key{ID: kid, Alg: jose.RS256, Private: k}
}

// ECKey generates a P-256 ECDSA key signing ES256.
func ECKey(t testing.TB, kid string) *Key {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &Key{ID: kid, Alg: jose.ES256, Private: k}
}

// Ed25519Key returns the Ed25519 key of a seed of 32 bytes of seed, signing
// EdDSA: the same key, and the same signatures, on every run.
func Ed25519Key(kid string, seed byte) *Key {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	return &Key{ID: kid, Alg: jose.EdDSA, Private: ed25519.NewKeyFromSeed(s)}
}

// WithID returns k under another key ID.
func (k *Key) WithID(kid string) *Key {
	c := *k
	c.ID = kid
	return &c
}

// Sign returns the compact JWS of claims signed by k, typed JWT, naming
// k.ID as kid when it is not "".
func (k *Key) Sign(t testing.TB, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: k.Alg, Key: jose.JSONWebKey{Key: k.Private, KeyID: k.ID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Unsigned returns a token of claims with alg "none" and no signature, as
// an attacker writes it.
func Unsigned(t testing.TB, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(payload) + "."
}

// JWKS returns the public JWK Set of keys, each with its kid, alg and use
// "sig".
func JWKS(t testing.TB, keys ...*Key) []byte {
	t.Helper()
	data, err := jwks(keys)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func jwks(keys []*Key) ([]byte, error) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.Private.Public(), KeyID: k.ID, Algorithm: string(k.Alg), Use: "sig"})
	}
	return json.MarshalIndent(set, "", "  ")
}

// Claims returns the standard claims of a token from issuer for audience,
// issued at `at`, valid from then for five minutes, with extra added (or
// replacing them; a nil value deletes the claim).
func Claims(issuer, audience, subject string, at time.Time, extra map[string]any) map[string]any {
	c := map[string]any{
		"iss": issuer,
		"aud": audience,
		"sub": subject,
		"jti": "a1b2c3",
		"iat": at.Unix(),
		"nbf": at.Unix(),
		"exp": at.Add(5 * time.Minute).Unix(),
	}
	return with(c, extra)
}

// with adds extra to claims c, replacing claims of the same name; a nil
// value deletes the claim. It returns c.
func with(c, extra map[string]any) map[string]any {
	for k, v := range extra {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

// GitHub returns the claims of a GitHub Actions ID token of the run 42 of
// acme/shop's deploy workflow, on main, in the environment prod, triggered
// by octocat, with extra added as [Claims] adds it.
func GitHub(issuer, audience string, at time.Time, extra map[string]any) map[string]any {
	c := Claims(issuer, audience, "repo:acme/shop:environment:prod", at, map[string]any{
		"actor":                 "octocat",
		"actor_id":              "583231",
		"repository":            "acme/shop",
		"repository_owner":      "acme",
		"ref":                   "refs/heads/main",
		"ref_type":              "branch",
		"sha":                   "5c0a3d6a2b1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d",
		"workflow":              "deploy",
		"workflow_ref":          "acme/shop/.github/workflows/deploy.yml@refs/heads/main",
		"job_workflow_ref":      "acme/shop/.github/workflows/deploy.yml@refs/heads/main",
		"run_id":                "42",
		"run_number":            "7",
		"run_attempt":           "1",
		"event_name":            "push",
		"environment":           "prod",
		"runner_environment":    "github-hosted",
		"repository_visibility": "private",
	})
	return with(c, extra)
}

// GitLab returns the claims of a GitLab CI ID token (id_tokens) of the
// pipeline 1001 of acme/shop, on main, in the environment production,
// triggered by cleo, with extra added as [Claims] adds it.
func GitLab(issuer, audience string, at time.Time, extra map[string]any) map[string]any {
	c := Claims(issuer, audience, "project_path:acme/shop:ref_type:branch:ref:main", at, map[string]any{
		"namespace_id":          "7",
		"namespace_path":        "acme",
		"project_id":            "21",
		"project_path":          "acme/shop",
		"user_id":               "5",
		"user_login":            "cleo",
		"user_email":            "cleo@example.com",
		"pipeline_id":           "1001",
		"pipeline_source":       "push",
		"job_id":                "3003",
		"ref":                   "main",
		"ref_type":              "branch",
		"ref_path":              "refs/heads/main",
		"ref_protected":         "true",
		"sha":                   "5c0a3d6a2b1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d",
		"environment":           "production",
		"environment_protected": "true",
		"ci_config_ref_uri":     "gitlab.example.com/acme/shop//.gitlab-ci.yml@refs/heads/main",
		"runner_environment":    "gitlab-hosted",
	})
	return with(c, extra)
}

// A Server is an OpenID Connect issuer on 127.0.0.1 over HTTPS: its URL is
// the issuer, /.well-known/openid-configuration its discovery document and
// /jwks its JWK Set. Client() trusts its certificate. Tests add handlers
// to Mux.
type Server struct {
	*httptest.Server
	Mux *http.ServeMux

	mu        sync.Mutex
	keys      []*Key
	discovery map[string]any
	fetches   int
}

// Serve starts an issuer publishing keys; it stops when the test ends.
func Serve(t testing.TB, keys ...*Key) *Server {
	t.Helper()
	s := &Server{Mux: http.NewServeMux(), keys: keys}
	s.Mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		doc := map[string]any{
			"issuer":                                s.URL,
			"jwks_uri":                              s.URL + "/jwks",
			"id_token_signing_alg_values_supported": []string{"RS256", "ES256", "EdDSA"},
			"response_types_supported":              []string{"id_token"},
			"subject_types_supported":               []string{"public"},
		}
		for k, v := range s.discovery {
			doc[k] = v
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
	})
	s.Mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.fetches++
		keys := s.keys
		s.mu.Unlock()
		data, err := jwks(keys)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data)
	})
	s.Server = httptest.NewUnstartedServer(s.Mux)
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // refused TLS handshakes are what some tests want
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// SetKeys replaces the keys the issuer publishes (a key rotation).
func (s *Server) SetKeys(keys ...*Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = keys
}

// SetDiscovery sets members of the discovery document, replacing those
// Serve writes ("issuer", "jwks_uri", ...).
func (s *Server) SetDiscovery(doc map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.discovery = doc
}

// Fetches returns how many times the JWK Set was served.
func (s *Server) Fetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

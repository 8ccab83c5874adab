package idtoken

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/releasekit/releasekit/internal/strictjson"
	"github.com/releasekit/releasekit/internal/textsafe"
)

// MaxKeySetSize bounds a JWK Set, pinned or fetched, and every response
// read from an issuer (its discovery document): 1 MiB.
const MaxKeySetSize = 1 << 20

// MinRSABits is the smallest RSA key of a JWK Set that is used: 2048 bits.
const MinRSABits = 2048

// A Key is one usable key of a JWK Set, as [ParseKeySet] lists it for an
// auditor: its key ID (kid, "" when it has none), its type ("RSA-2048",
// "EC P-256", "Ed25519"), the algorithm it is restricted to (alg, "" when
// it names none) and its RFC 7638 SHA-256 thumbprint, base64url-encoded.
type Key struct {
	ID, Type, Algorithm, Thumbprint string
}

// ParseKeySet reads a JSON Web Key Set (RFC 7517) as a [Verifier] uses a
// pinned one and returns its usable keys: RSA keys of at least
// [MinRSABits] bits, ECDSA keys on P-256, P-384 or P-521 and Ed25519 keys,
// for signatures (use absent or "sig", alg absent or one of
// [Algorithms]). Other keys are skipped, as RFC 7517 §5 asks of key types
// a reader does not know. It refuses, with an error matching [ErrKeys], a
// set larger than [MaxKeySetSize], one that is not a JSON object with a
// "keys" array (or names a member twice), a key that does not parse, one
// holding private or symmetric key material (a verifier needs public keys
// only; a pinned private key is a leaked key), and a set without a usable
// key.
func ParseKeySet(data []byte) ([]Key, error) {
	keys, err := parseKeySet(data)
	if err != nil {
		return nil, err
	}
	out := make([]Key, len(keys))
	for i, k := range keys {
		out[i] = k.info
	}
	return out, nil
}

// A key is a usable public key of a key set.
type key struct {
	id, alg string
	pub     crypto.PublicKey
	info    Key
}

func parseKeySet(data []byte) ([]key, error) {
	if len(data) > MaxKeySetSize {
		return nil, fmt.Errorf("%w: JWK Set larger than %d bytes", ErrKeys, MaxKeySetSize)
	}
	if err := strictjson.Check(data, strictjson.Options{MaxDepth: 16}); err != nil {
		return nil, fmt.Errorf("%w: JWK Set: %v", ErrKeys, err)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil || set.Keys == nil {
		return nil, fmt.Errorf("%w: not a JWK Set (a JSON object with a \"keys\" array)", ErrKeys)
	}
	var keys []key
	for i, raw := range set.Keys {
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(raw); err != nil {
			if errors.Is(err, jose.ErrUnsupportedKeyType) {
				continue
			}
			return nil, fmt.Errorf("%w: JWK Set key %d: %v", ErrKeys, i, err)
		}
		if !jwk.IsPublic() {
			return nil, fmt.Errorf("%w: JWK Set key %d holds private or symmetric key material: a verifier needs public keys only", ErrKeys, i)
		}
		if !jwk.Valid() {
			return nil, fmt.Errorf("%w: JWK Set key %d is not valid", ErrKeys, i)
		}
		if jwk.Use != "" && jwk.Use != "sig" {
			continue
		}
		if jwk.Algorithm != "" && !slices.Contains(algorithms, jose.SignatureAlgorithm(jwk.Algorithm)) {
			continue
		}
		k := key{id: jwk.KeyID, alg: jwk.Algorithm, pub: jwk.Key}
		switch p := jwk.Key.(type) {
		case *rsa.PublicKey:
			if p.N.BitLen() < MinRSABits {
				continue
			}
			k.info.Type = fmt.Sprintf("RSA-%d", p.N.BitLen())
		case *ecdsa.PublicKey:
			switch p.Curve {
			case elliptic.P256(), elliptic.P384(), elliptic.P521():
			default:
				continue
			}
			k.info.Type = "EC " + p.Curve.Params().Name
		case ed25519.PublicKey:
			k.info.Type = "Ed25519"
		default:
			continue
		}
		tp, err := jwk.Thumbprint(crypto.SHA256)
		if err != nil {
			return nil, fmt.Errorf("%w: JWK Set key %d: %v", ErrKeys, i, err)
		}
		k.info.ID, k.info.Algorithm, k.info.Thumbprint = jwk.KeyID, jwk.Algorithm, base64.RawURLEncoding.EncodeToString(tp)
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no usable key in the JWK Set (RSA of at least %d bits, ECDSA P-256, P-384 or P-521, or Ed25519, for signatures)", ErrKeys, MinRSABits)
	}
	return keys, nil
}

// fits reports whether k may verify a signature made with alg.
func (k key) fits(alg jose.SignatureAlgorithm) bool {
	if k.alg != "" && k.alg != string(alg) {
		return false
	}
	switch p := k.pub.(type) {
	case *rsa.PublicKey:
		switch alg {
		case jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512:
			return true
		}
	case *ecdsa.PublicKey:
		switch alg {
		case jose.ES256:
			return p.Curve == elliptic.P256()
		case jose.ES384:
			return p.Curve == elliptic.P384()
		case jose.ES512:
			return p.Curve == elliptic.P521()
		}
	case ed25519.PublicKey:
		return alg == jose.EdDSA
	}
	return false
}

// selectKeys returns the keys of keys that may have signed a token naming
// kid with alg: those with that kid (every key when kid is ""), that fit
// alg. Its error matches ErrUnknownKey when no key has kid or, without a
// kid, none fits alg, and ErrSignature when the key named is of another
// kind than alg.
func selectKeys(keys []key, kid string, alg jose.SignatureAlgorithm) ([]key, error) {
	var named, fit []key
	for _, k := range keys {
		if kid != "" && k.id != kid {
			continue
		}
		named = append(named, k)
		if k.fits(alg) {
			fit = append(fit, k)
		}
	}
	switch {
	case kid != "" && len(named) == 0:
		return nil, fmt.Errorf("%w: kid %q", ErrUnknownKey, claimed(kid))
	case kid == "" && len(fit) == 0:
		return nil, fmt.Errorf("%w: no key for %s", ErrUnknownKey, alg)
	case len(fit) == 0:
		return nil, fmt.Errorf("%w: key %q is not a key for %s", ErrSignature, claimed(kid), alg)
	}
	return fit, nil
}

// keys returns the issuer's keys and whether they were fetched just now;
// refresh fetches a remote issuer's keys again.
func (is *issuer) keys(ctx context.Context, refresh bool) ([]key, bool, error) {
	if is.remote == nil {
		return is.pinned, false, nil
	}
	return is.remote.get(ctx, refresh)
}

// remoteKeys are the keys of an issuer found by discovery, cached.
type remoteKeys struct {
	issuer string
	client *http.Client
	sem    chan struct{} // held while fetching and reading the cache

	jwksURL string
	cached  []key
}

func newRemoteKeys(issuer string, client *http.Client) *remoteKeys {
	return &remoteKeys{issuer: issuer, client: client, sem: make(chan struct{}, 1)}
}

func (r *remoteKeys) get(ctx context.Context, refresh bool) ([]key, bool, error) {
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, false, fmt.Errorf("%w: %w", ErrKeys, ctx.Err())
	}
	defer func() { <-r.sem }()
	if r.cached != nil && !refresh {
		return r.cached, false, nil
	}
	if r.jwksURL == "" {
		u, err := r.discover(ctx)
		if err != nil {
			return nil, false, err
		}
		r.jwksURL = u
	}
	keys, err := r.fetch(ctx)
	if err != nil {
		return nil, false, err
	}
	r.cached = keys
	return keys, true, nil
}

// discover reads the issuer's discovery document with go-oidc, which
// checks that it names the issuer, and returns its jwks_uri.
func (r *remoteKeys) discover(ctx context.Context) (string, error) {
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, r.client), r.issuer)
	if err != nil {
		var me *oidc.IssuerMismatchError
		switch {
		case ctx.Err() != nil:
			return "", fmt.Errorf("%w: discovery: %w", ErrKeys, ctx.Err())
		case errors.As(err, &me):
			return "", fmt.Errorf("%w: discovery: the document names issuer %q", ErrKeys, short(me.Discovered))
		}
		return "", fmt.Errorf("%w: discovery: %s", ErrKeys, short(err.Error()))
	}
	var doc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := p.Claims(&doc); err != nil || doc.JWKSURI == "" {
		return "", fmt.Errorf("%w: discovery: the document names no jwks_uri", ErrKeys)
	}
	if u, err := url.Parse(doc.JWKSURI); err != nil || u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("%w: discovery: jwks_uri %q is not an https:// URL", ErrKeys, short(doc.JWKSURI))
	}
	return doc.JWKSURI, nil
}

// fetch gets the JWK Set at r.jwksURL.
func (r *remoteKeys) fetch(ctx context.Context) ([]key, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.jwksURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: jwks_uri: %v", ErrKeys, err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: get %s: %w", ErrKeys, short(r.jwksURL), ctx.Err())
		}
		return nil, fmt.Errorf("%w: %s", ErrKeys, short(err.Error()))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: get %s: %s", ErrKeys, short(r.jwksURL), short(resp.Status))
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: get %s: %s", ErrKeys, short(r.jwksURL), short(err.Error()))
	}
	keys, err := parseKeySet(data)
	if err != nil {
		return nil, fmt.Errorf("%w (from %s)", err, short(r.jwksURL))
	}
	return keys, nil
}

// short makes text from an issuer safe and short enough for an error.
func short(s string) string {
	const max = 200
	if len(s) > max {
		s = claimed(s[:max]) + "..."
	}
	return textsafe.OneLine(s)
}

// httpsClient returns a copy of c whose transport requests https:// URLs
// only (redirects included) and reads each response body up to
// MaxKeySetSize bytes.
func httpsClient(c *http.Client) *http.Client {
	cp := *c
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cp.Transport = httpsOnly{base: base}
	return &cp
}

type httpsOnly struct{ base http.RoundTripper }

func (t httpsOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("%s is not an https:// URL: issuers are read over HTTPS only", strings.SplitN(req.URL.Redacted(), "?", 2)[0])
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &boundedBody{ReadCloser: resp.Body, left: MaxKeySetSize}
	return resp, nil
}

// boundedBody fails a read past left bytes.
type boundedBody struct {
	io.ReadCloser
	left int64
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		n, err := b.ReadCloser.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("response larger than %d bytes", MaxKeySetSize)
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

package idtoken

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/releasekit/releasekit/internal/strictjson"
)

// MaxTokenSize bounds the token [Verifier.Verify] reads: 64 KiB. CI ID
// tokens are about 1 KiB.
const MaxTokenSize = 64 << 10

// MaxClaimed bounds, in bytes, the issuer and subject a [TokenError]
// repeats from a refused token.
const MaxClaimed = 256

// DefaultLeeway is the clock skew [Verifier.Verify] allows between the
// issuer and the verifier when checking exp, nbf and iat: one minute.
const DefaultLeeway = time.Minute

// MaxLeeway is the largest skew [WithLeeway] accepts: five minutes.
const MaxLeeway = 5 * time.Minute

// Sentinel errors of [Verifier.Verify]. Each refusal is a *[TokenError]
// whose Err matches exactly one of them.
var (
	// ErrMalformed: not a compact JWS of at most MaxTokenSize bytes made
	// of base64url and dots only (white space or a control character
	// inside it included), a header naming critical extensions (crit, or
	// b64), a payload that is not one JSON object (duplicate claims
	// included), or a required claim (iss, sub, aud, exp, iat) missing or
	// of the wrong type.
	ErrMalformed = errors.New("idtoken: malformed token")
	// ErrAlgorithm: the alg header is "none" or not in the allow-list.
	ErrAlgorithm = errors.New("idtoken: signature algorithm not allowed")
	// ErrSignature: no key of the issuer that the token may name verifies
	// its signature.
	ErrSignature = errors.New("idtoken: bad signature")
	// ErrUnknownKey: the key the token names (kid) is not in the issuer's
	// key set, even after fetching it again; or the set has no key for the
	// token's algorithm.
	ErrUnknownKey = errors.New("idtoken: signing key not in the issuer's key set")
	// ErrIssuer: the token's issuer (iss) is not one the Verifier trusts.
	ErrIssuer = errors.New("idtoken: issuer not trusted")
	// ErrAudience: the token is not meant for the issuer's audience.
	ErrAudience = errors.New("idtoken: audience not accepted")
	// ErrExpired: exp has passed.
	ErrExpired = errors.New("idtoken: token expired")
	// ErrNotYetValid: nbf or iat lies in the future.
	ErrNotYetValid = errors.New("idtoken: token not yet valid")
	// ErrKeys: the issuer's keys cannot be had: discovery or the JWK Set
	// unreachable, not over HTTPS, too large or invalid, or a pinned set
	// without a usable key.
	ErrKeys = errors.New("idtoken: issuer keys unavailable")
)

// A TokenError is a refused token. Issuer and Subject are what the token
// claims (iss and sub), for the record of a refused attempt: UNVERIFIED
// (a forged token claims what it likes), at most [MaxClaimed] bytes of
// valid UTF-8, "" when the token could not be read that far. Err matches
// one of the package's sentinels, or, from package config's
// Config.VerifyToken, its claims error (config.ErrClaims).
type TokenError struct {
	Issuer, Subject string
	Err             error
}

// Error returns the reason, then the claimed issuer and subject, quoted.
func (e *TokenError) Error() string {
	msg := "idtoken: token refused"
	if e.Err != nil {
		msg = e.Err.Error()
	}
	if e.Issuer == "" && e.Subject == "" {
		return msg
	}
	return fmt.Sprintf("%s (issuer %q, subject %q, as the token claims)", msg, e.Issuer, e.Subject)
}

// Unwrap returns Err.
func (e *TokenError) Unwrap() error { return e.Err }

// A ConfigError says why [NewVerifier] cannot trust an issuer (Issuer,
// its URL; "" for an option): Reason is a short lower-case phrase. It
// wraps [ErrKeys] when the issuer's keys are the problem.
type ConfigError struct {
	Issuer string
	Reason string
	Err    error
}

// Error returns "idtoken: issuer URL: reason".
func (e *ConfigError) Error() string {
	msg := "idtoken: "
	if e.Issuer != "" {
		msg += fmt.Sprintf("issuer %q: ", e.Issuer)
	}
	msg += e.Reason
	if e.Err != nil && e.Err != ErrKeys {
		msg += ": " + strings.TrimPrefix(e.Err.Error(), ErrKeys.Error()+": ")
	}
	return msg
}

// Unwrap returns Err.
func (e *ConfigError) Unwrap() error { return e.Err }

// An Issuer is a trusted token issuer: URL, its identifier as tokens name
// it in iss (compared exactly: no trailing-slash folding), the Audience its
// tokens must name in aud, and JWKS, its pinned JSON Web Key Set. With JWKS
// nil the keys are discovered ({URL}/.well-known/openid-configuration, its
// jwks_uri) and fetched over HTTPS, so URL must then be an https:// URL.
type Issuer struct {
	URL, Audience string
	JWKS          []byte
}

// An Option changes how a [Verifier] works.
type Option func(*options)

type options struct {
	client *http.Client
	now    func() time.Time
	leeway time.Duration
}

// WithHTTPClient makes the Verifier discover issuers and fetch their keys
// with client (its transport, TLS roots, timeout); default: a client with
// a 30-second timeout. Whatever the client, only https:// URLs are
// requested, redirects included, and each response is read up to
// [MaxKeySetSize] bytes.
func WithHTTPClient(client *http.Client) Option {
	return func(o *options) { o.client = client }
}

// WithClock makes the Verifier take the time from now; default: time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithLeeway sets the clock skew allowed on exp, nbf and iat, from 0 to
// [MaxLeeway]; default [DefaultLeeway]. [NewVerifier] refuses another.
func WithLeeway(d time.Duration) Option {
	return func(o *options) { o.leeway = d }
}

// A Verifier verifies ID tokens from the issuers it trusts. It is safe for
// concurrent use; it caches each remote issuer's keys and fetches them again
// when a token names a key it does not know.
type Verifier struct {
	issuers map[string]*issuer
	opts    options
}

type issuer struct {
	Issuer
	pinned []key
	remote *remoteKeys // nil when pinned
}

// algorithms is the allow-list of signature algorithms: the asymmetric
// algorithms of RFC 7518 and RFC 8037 that go-jose implements. HMAC (HS*)
// is left out (a secret the verifier shares proves nothing about who
// signed), and so is "none".
var algorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512,
	jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512,
	jose.EdDSA,
}

// Algorithms returns the signature algorithms a token may use, in the
// order of RFC 7518: RS256, RS384, RS512, PS256, PS384, PS512, ES256,
// ES384, ES512 and EdDSA. A token signed with any other, "none" and the
// HMAC algorithms included, is refused with [ErrAlgorithm].
func Algorithms() []string {
	out := make([]string, len(algorithms))
	for i, a := range algorithms {
		out[i] = string(a)
	}
	return out
}

// NewVerifier returns a Verifier trusting issuers. It checks each issuer
// (a URL and an audience, each at most once; a pinned JWKS that parses and
// holds a usable key; otherwise an https:// URL) and returns a
// *[ConfigError] for the first that fails, wrapping [ErrKeys] when its
// keys are the problem. It makes no network request: remote keys are
// fetched by the first [Verifier.Verify] that needs them. A Verifier
// without issuers refuses every token with [ErrIssuer]. NewVerifier keeps
// no reference to issuers or their JWKS.
func NewVerifier(issuers []Issuer, opts ...Option) (*Verifier, error) {
	o := options{leeway: DefaultLeeway}
	for _, opt := range opts {
		opt(&o)
	}
	if o.leeway < 0 || o.leeway > MaxLeeway {
		return nil, &ConfigError{Reason: fmt.Sprintf("leeway %s: want 0 to %s", o.leeway, MaxLeeway)}
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.client == nil {
		o.client = &http.Client{Timeout: 30 * time.Second}
	}
	o.client = httpsClient(o.client)
	v := &Verifier{issuers: map[string]*issuer{}, opts: o}
	for _, is := range issuers {
		bad := func(reason string, err error) error {
			return &ConfigError{Issuer: is.URL, Reason: reason, Err: err}
		}
		switch {
		case is.URL == "":
			return nil, bad("no issuer URL", nil)
		case is.Audience == "":
			return nil, bad("no audience", nil)
		case v.issuers[is.URL] != nil:
			return nil, bad("listed twice", nil)
		}
		it := &issuer{Issuer: Issuer{URL: is.URL, Audience: is.Audience}}
		if is.JWKS != nil {
			keys, err := parseKeySet(is.JWKS)
			if err != nil {
				return nil, bad("pinned JWKS", err)
			}
			it.pinned = keys
		} else {
			u, err := url.Parse(is.URL)
			if err != nil || u.Scheme != "https" || u.Host == "" {
				return nil, bad("keys are discovered and fetched over HTTPS only: give an https:// issuer or pin its JWKS", ErrKeys)
			}
			it.remote = newRemoteKeys(is.URL, o.client)
		}
		v.issuers[is.URL] = it
	}
	return v, nil
}

// A Token is a verified ID token: its standard claims, every claim
// (Claims, numbers as json.Number), Digest, "sha256:" and the lower-case
// hex SHA-256 of the compact token that was verified (raw without
// surrounding white space), which identifies the token in evidence
// without keeping it, and KeyThumbprint, the RFC 7638 SHA-256 thumbprint
// (base64url, as [Key].Thumbprint lists it) of the issuer's key that
// verified its signature. A Token belongs to the caller.
type Token struct {
	Issuer, Subject string
	Audience        []string
	ID              string // jti; "" when absent
	IssuedAt        time.Time
	NotBefore       time.Time // zero when absent
	Expires         time.Time
	Claims          map[string]any
	Digest          string
	KeyThumbprint   string
}

// Verify verifies raw, a compact JWS ID token (surrounding white space,
// such as a file's final newline, is ignored), and returns its claims. It
// checks in this order and refuses with a *[TokenError] that matches:
//   - [ErrMalformed]: more than [MaxTokenSize] bytes; a byte inside the
//     token that is neither base64url (A-Z, a-z, 0-9, "-", "_") nor "."
//     (white space, a control character, "=" padding: the base64
//     decoder would skip a line break, so one token would have several
//     digests); or not a compact JWS with one signature;
//   - [ErrAlgorithm]: alg is not one of [Algorithms] ("none" included);
//   - [ErrMalformed]: a payload that is not one JSON object or names a
//     claim twice (also in another case: "iss" and "ISS"), or a required
//     claim (iss, sub, aud, exp, iat) missing or of the wrong type;
//   - [ErrMalformed]: a header with a crit (critical extensions) or b64
//     parameter: an ID token uses no extension, and one the verifier
//     does not implement must not be ignored (RFC 7515 §4.1.11);
//   - [ErrIssuer]: iss is not a trusted issuer's URL;
//   - [ErrKeys]: the issuer's keys cannot be discovered or fetched (ctx
//     ending included: the error matches ctx's error too);
//   - [ErrUnknownKey]: no key of the issuer has the token's kid (a remote
//     issuer's keys are fetched again first, unless just fetched), or,
//     without a kid, none is for its alg;
//   - [ErrSignature]: the key named is not for its alg, or no key verifies
//     the signature;
//   - [ErrAudience]: aud does not name the issuer's audience;
//   - [ErrExpired]: exp is not after now less the leeway;
//   - [ErrNotYetValid]: nbf or iat is after now plus the leeway.
//
// After its own checks, Verify has go-oidc's IDTokenVerifier check the
// token again with the key that verified it (signature, algorithm, issuer,
// audience, expiry), and refuses what it refuses. The token itself is
// never logged or kept; errors repeat only its claimed issuer and subject
// (and its kid, alg and audience), bounded.
func (v *Verifier) Verify(ctx context.Context, raw []byte) (*Token, error) {
	if len(raw) > MaxTokenSize {
		return nil, &TokenError{Err: fmt.Errorf("%w: larger than %d bytes", ErrMalformed, MaxTokenSize)}
	}
	compact := strings.TrimSpace(string(raw))
	if compact == "" {
		return nil, &TokenError{Err: fmt.Errorf("%w: empty", ErrMalformed)}
	}
	if i := strings.IndexFunc(compact, func(r rune) bool { return !isCompactChar(r) }); i >= 0 {
		return nil, &TokenError{Err: fmt.Errorf("%w: byte %d is %s: a compact JWS is base64url and dots only", ErrMalformed, i, describe(compact[i:]))}
	}
	jws, err := jose.ParseSignedCompact(compact, algorithms)
	if err != nil {
		var ae *jose.ErrUnexpectedSignatureAlgorithm
		if errors.As(err, &ae) {
			te := &TokenError{Err: fmt.Errorf("%w: %q", ErrAlgorithm, claimed(string(ae.Got)))}
			// Name who the token claims to be, read without trusting it.
			if unsafe, err := jose.ParseSignedCompact(compact, []jose.SignatureAlgorithm{ae.Got}); err == nil {
				if c, _ := parseClaims(unsafe.UnsafePayloadWithoutVerification()); c != nil {
					te.Issuer, te.Subject = claimed(c.iss), claimed(c.sub)
				}
			}
			return nil, te
		}
		return nil, &TokenError{Err: fmt.Errorf("%w: not a compact JWS: %v", ErrMalformed, err)}
	}
	if len(jws.Signatures) != 1 {
		return nil, &TokenError{Err: fmt.Errorf("%w: %d signatures", ErrMalformed, len(jws.Signatures))}
	}
	header := jws.Signatures[0].Header
	c, err := parseClaims(jws.UnsafePayloadWithoutVerification())
	if c == nil {
		return nil, &TokenError{Err: err}
	}
	fail := func(err error) (*Token, error) {
		return nil, &TokenError{Issuer: claimed(c.iss), Subject: claimed(c.sub), Err: err}
	}
	if err != nil {
		return fail(err)
	}
	for _, name := range []jose.HeaderKey{"crit", "b64"} {
		if _, ok := header.ExtraHeaders[name]; ok {
			return fail(fmt.Errorf("%w: header parameter %q: the token asks for an extension an ID token does not use", ErrMalformed, string(name)))
		}
	}
	is := v.issuers[c.iss]
	if is == nil {
		return fail(fmt.Errorf("%w: %q", ErrIssuer, claimed(c.iss)))
	}

	// The key: the one the token names (kid), or each that fits its
	// algorithm when it names none.
	alg := jose.SignatureAlgorithm(header.Algorithm)
	keys, fresh, err := is.keys(ctx, false)
	if err != nil {
		return fail(err)
	}
	candidates, err := selectKeys(keys, header.KeyID, alg)
	if errors.Is(err, ErrUnknownKey) && is.remote != nil && !fresh {
		// A key the cached set does not have: the issuer may have rotated.
		if keys, _, err = is.keys(ctx, true); err != nil {
			return fail(err)
		}
		candidates, err = selectKeys(keys, header.KeyID, alg)
	}
	if err != nil {
		return fail(err)
	}
	var signer *key
	for i := range candidates {
		if payload, err := jws.Verify(candidates[i].pub); err == nil && bytes.Equal(payload, jws.UnsafePayloadWithoutVerification()) {
			signer = &candidates[i]
			break
		}
	}
	if signer == nil {
		if header.KeyID != "" {
			return fail(fmt.Errorf("%w: key %q does not verify it", ErrSignature, claimed(header.KeyID)))
		}
		return fail(fmt.Errorf("%w: no key of the issuer verifies it", ErrSignature))
	}

	now := v.opts.now()
	leeway := v.opts.leeway
	// go-oidc checks the token again, with the key that verified it; its
	// refusals are classified from the claims, its expiry by type.
	ov := oidc.NewVerifier(is.URL, &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{signer.pub}}, &oidc.Config{
		ClientID:             is.Audience,
		SupportedSigningAlgs: Algorithms(),
		Now:                  func() time.Time { return now.Add(-leeway) },
	})
	if _, err := ov.Verify(ctx, compact); err != nil {
		var te *oidc.TokenExpiredError
		if errors.As(err, &te) {
			return fail(fmt.Errorf("%w at %s", ErrExpired, te.Expiry.UTC().Format(time.RFC3339)))
		}
		if err := c.check(is, now, leeway); err != nil {
			return fail(err)
		}
		return fail(fmt.Errorf("%w: %v", ErrMalformed, err))
	}
	if err := c.check(is, now, leeway); err != nil {
		return fail(err)
	}
	sum := sha256.Sum256([]byte(compact))
	return &Token{
		Issuer: c.iss, Subject: c.sub, Audience: c.aud, ID: c.jti,
		IssuedAt: c.iat, NotBefore: c.nbf, Expires: c.exp,
		Claims:        c.all,
		Digest:        "sha256:" + hex.EncodeToString(sum[:]),
		KeyThumbprint: signer.info.Thumbprint,
	}, nil
}

// isCompactChar reports whether r may appear in a compact JWS: base64url
// without padding, and the dots between its parts.
func isCompactChar(r rune) bool {
	return 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-' || r == '_' || r == '.'
}

// describe names the character s starts with for an error, without
// repeating the token: its kind and code point.
func describe(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case r == utf8.RuneError && size <= 1:
		return "not UTF-8"
	case unicode.IsSpace(r):
		return fmt.Sprintf("white space (%U)", r)
	case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
		return fmt.Sprintf("a control character (%U)", r)
	}
	return fmt.Sprintf("%U", r)
}

// claims are the standard claims of a payload, and all of them.
type claims struct {
	iss, sub, jti string
	aud           []string
	exp, nbf, iat time.Time
	all           map[string]any
}

// parseClaims reads a payload. It returns nil and the error when the
// payload is not one JSON object without repeated keys; otherwise the
// claims it could read, and an error when a required claim is missing or
// of the wrong type.
func parseClaims(payload []byte) (*claims, error) {
	// go-oidc reads claims with encoding/json, which folds case and keeps
	// the last of repeated keys; go-jose does not fold case. A payload
	// whose claims could mean two things is refused.
	if err := strictjson.Check(payload, strictjson.Options{MaxDepth: 32}); err != nil {
		return nil, fmt.Errorf("%w: payload: %v", ErrMalformed, err)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var all map[string]any
	if err := dec.Decode(&all); err != nil || all == nil {
		return nil, fmt.Errorf("%w: payload is not a JSON object", ErrMalformed)
	}
	c := &claims{all: all}
	var problems []string
	str := func(name string, required bool) string {
		v, ok := all[name]
		s, isStr := v.(string)
		switch {
		case !ok && required:
			problems = append(problems, "no "+name+" claim")
		case ok && !isStr:
			problems = append(problems, name+" is not a string")
		case ok && s == "" && required:
			problems = append(problems, name+" is empty")
		}
		return s
	}
	date := func(name string, required bool) time.Time {
		v, ok := all[name]
		if !ok {
			if required {
				problems = append(problems, "no "+name+" claim")
			}
			return time.Time{}
		}
		n, isNum := v.(json.Number)
		f, err := strconv.ParseFloat(string(n), 64)
		// NumericDate: seconds since 1970, before the year 10000.
		if !isNum || err != nil || math.IsNaN(f) || f < 0 || f >= 253402300800 {
			problems = append(problems, name+" is not a date (seconds since 1970)")
			return time.Time{}
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC()
	}
	c.iss = str("iss", true)
	c.sub = str("sub", true)
	c.jti = str("jti", false)
	switch a := all["aud"].(type) {
	case string:
		if a != "" {
			c.aud = []string{a}
		}
	case []any:
		for _, x := range a {
			s, ok := x.(string)
			if !ok {
				problems = append(problems, "aud is not a string or a list of strings")
				c.aud = nil
				break
			}
			c.aud = append(c.aud, s)
		}
	case nil:
	default:
		problems = append(problems, "aud is not a string or a list of strings")
	}
	if len(c.aud) == 0 && len(problems) == 0 {
		problems = append(problems, "no aud claim")
	}
	c.exp = date("exp", true)
	c.iat = date("iat", true)
	c.nbf = date("nbf", false)
	if len(problems) > 0 {
		return c, fmt.Errorf("%w: %s", ErrMalformed, strings.Join(problems, ", "))
	}
	return c, nil
}

// check applies the checks after the signature, as Verify documents them.
func (c *claims) check(is *issuer, now time.Time, leeway time.Duration) error {
	switch {
	case c.iss != is.URL:
		return fmt.Errorf("%w: %q", ErrIssuer, claimed(c.iss))
	case !slices.Contains(c.aud, is.Audience):
		aud := slices.Clone(c.aud)
		if len(aud) > 4 {
			aud = append(aud[:4:4], "...")
		}
		for i := range aud {
			aud[i] = claimed(aud[i])
		}
		return fmt.Errorf("%w: %q, want %q", ErrAudience, aud, is.Audience)
	case !now.Add(-leeway).Before(c.exp):
		return fmt.Errorf("%w at %s", ErrExpired, c.exp.Format(time.RFC3339))
	case !c.nbf.IsZero() && now.Add(leeway).Before(c.nbf):
		return fmt.Errorf("%w: not before %s", ErrNotYetValid, c.nbf.Format(time.RFC3339))
	case now.Add(leeway).Before(c.iat):
		return fmt.Errorf("%w: issued at %s, in the future", ErrNotYetValid, c.iat.Format(time.RFC3339))
	}
	return nil
}

// claimed returns s bounded to MaxClaimed bytes of valid UTF-8.
func claimed(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= MaxClaimed {
		return s
	}
	s = s[:MaxClaimed]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// Package idtoken verifies the OpenID Connect ID tokens a CI system gives
// its jobs (GitHub Actions, GitLab CI id_tokens), so that who triggered a
// promotion, a rollback or a deployment is an authenticated identity
// rather than a name someone typed: the "authenticated identity, not just
// admin" of seed 001 (immutable audit trails), policy §1.13.3.3 (who
// approved and who deployed production), §1.21.3.3–§1.21.3.4 (evidence to
// reconstruct who did what).
//
// # Verifying
//
// [NewVerifier] takes the trusted issuers, each an [Issuer]: its URL (the
// iss its tokens carry, compared exactly), the audience its tokens must
// name, and optionally its pinned keys (a JSON Web Key Set, for offline
// verification). Without pinned keys the issuer's keys are discovered
// ({URL}/.well-known/openid-configuration and its jwks_uri) and fetched
// over HTTPS only, redirects included, each response bounded to
// [MaxKeySetSize]; they are cached and fetched again when a token names a
// key the cache lacks (a key rotation). [Verifier.Verify] checks a token
// of at most [MaxTokenSize] bytes: its form, its algorithm, its issuer,
// the key it names (kid), its signature, its audience, its expiry (exp),
// not-before (nbf) and issue time (iat), allowing [DefaultLeeway] of clock
// skew ([WithLeeway]; at most [MaxLeeway]). The time comes from
// [WithClock] (default time.Now), the HTTP client from [WithHTTPClient].
//
// Signature algorithms come from an allow-list, [Algorithms]: RS256,
// RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 and EdDSA. "none"
// is refused, and so are the HMAC algorithms (HS256, ...): a secret the
// verifier holds too proves nothing about who signed, and accepting them
// is how a public key gets used as an HMAC secret. A key verifies only
// tokens of its own kind (an RSA key RS* and PS*, a P-256 key ES256, ...)
// and, when the key names one, its own algorithm. RSA keys under
// [MinRSABits] bits, keys for encryption and keys of unknown types are
// skipped; a JWK Set holding private or symmetric key material is refused
// ([ParseKeySet]).
//
// # Refusals
//
// Every refusal is a *[TokenError]. Its Err matches exactly one of
// [ErrMalformed], [ErrAlgorithm], [ErrIssuer], [ErrKeys],
// [ErrUnknownKey], [ErrSignature], [ErrAudience], [ErrExpired] and
// [ErrNotYetValid] (errors.Is), and its Issuer and Subject are what the
// token claims, unverified and bounded to [MaxClaimed] bytes, for the
// record of the refused attempt. A bad [Issuer] or option is a
// *[ConfigError] from NewVerifier, wrapping ErrKeys when the issuer's keys
// are the problem (an http:// issuer without pinned keys, a pinned JWK Set
// that does not parse or has no usable key).
//
// # Why go-oidc and go-jose
//
// Tokens are parsed and signatures verified by go-jose
// (github.com/go-jose/go-jose/v4, the maintained JOSE implementation
// go-oidc itself builds on), never by hand: it refuses algorithms
// outside the allow-list while parsing and holds the key types and their
// checks. Discovery and the final check of a token are go-oidc's
// (github.com/coreos/go-oidc/v3): the discovery document must name the
// issuer it was fetched for, and after this package's own checks go-oidc's
// IDTokenVerifier checks the token again with the key that verified it
// (signature, algorithm, issuer, audience, expiry), so that a token passes
// only when both agree. go-oidc reports most refusals as text; this
// package classifies them from the claims it read itself (go-oidc's
// TokenExpiredError by type), and checks what go-oidc leaves out: nbf
// with a leeway smaller than go-oidc's fixed five minutes, iat in the
// future, required claims, and claims given twice (also in another case:
// go-oidc reads "ISS" as iss, go-jose does not).
//
// # Example
//
//	v, err := idtoken.NewVerifier([]idtoken.Issuer{{
//		URL:      "https://token.actions.githubusercontent.com",
//		Audience: "releasekit",
//	}})
//	...
//	tok, err := v.Verify(ctx, raw) // raw: the job's token
//	var te *idtoken.TokenError
//	if errors.As(err, &te) {
//		// refused: record te.Issuer and te.Subject (as claimed) and why
//	}
//	fmt.Println(tok.Subject, tok.Claims["repository"], tok.Digest)
//
// The token is never logged or kept: a [Token] identifies it by its
// Digest, and errors repeat only its claimed issuer and subject.
//
// A Verifier is safe for concurrent use. A [Token] and the slices a
// function returns belong to the caller; NewVerifier keeps no reference to
// its arguments.
package idtoken

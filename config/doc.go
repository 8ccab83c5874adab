// Package config reads the release configuration of a repository,
// .releasekit.yaml: one file that every step of a pipeline reads, so that
// two steps cannot disagree about the tag prefix, the components, the keys
// or the environments, and the documented access policy an auditor files.
// It serves policy §1.12.3.4 (production promotion enforces the tag
// signature: the trusted keys live here), §1.13.3.3 (who may approve
// production), §1.21.3.1–§1.21.3.2 (role-based access per environment and
// action, separation of duties) and §2.9 (release configuration as code),
// the "documented access policies" of seed 001 (RBAC), and its
// "authenticated identity, not just admin" (identities from CI tokens).
//
// # The file
//
// The minimal configuration:
//
//	version: 1
//	trust:
//	  tags:
//	    allowed_signers: allowed_signers   # path relative to the file; or keyring: FILE
//	environments:
//	  - name: dev
//	  - name: staging
//	  - name: prod
//	    production: true
//	    approvers: [cleo@example.com]     # identities allowed to approve here
//
// The whole file, every key optional except version:
//
//	version: 1
//	components:                 # none: the repository, tagged vX.Y.Z
//	  - name: api
//	    path: api               # the directory its commits touch
//	    tag_prefix: api/v       # default v for one component, NAME/v for several
//	    scheme: semver          # or calver
//	    zero_major: pre-major   # or major: a breaking change at 0.x bumps the major
//	    channels: [beta, rc]
//	    initial_version: 0.1.0
//	    release_branches: ['^release/[0-9]+\.[0-9]+$']
//	    hotfix_branches: ['^hotfix/']
//	changelog:
//	  sections: [{type: feat, title: Features}, {type: docs, title: Documentation, hidden: true}]
//	  ticket_pattern: '\b[A-Z][A-Z0-9]+-[0-9]+\b'
//	  links: {commit: "https://github.com/o/r/commit/{hash}", pr: ".../pull/{pr}", ticket: ".../browse/{ticket}", compare: ".../compare/{from}...{to}"}
//	trust:                      # each: allowed_signers, keyring and/or keys (PEM public keys)
//	  tags: {allowed_signers: keys/allowed_signers}
//	  provenance: {keys: [keys/provenance.pub]}
//	  manifests: {allowed_signers: keys/allowed_signers}
//	  checkpoints: {allowed_signers: keys/allowed_signers}
//	environments:               # in promotion order
//	  - name: prod
//	    production: true
//	    approvers: [cleo]       # short for permissions.approve
//	    permissions: {deploy: [release-bot@example.com], rollback: [cleo, dan], configure: [ops-lead]}
//	    controls: [REL-ENV-001, REL-SOD-001, REL-WINDOW-001]
//	    windows: [{days: [tue, thu], start: "10:00", end: "12:00", zone: Europe/Berlin}]
//	    freezes: [{from: 2026-12-18T00:00:00+01:00, to: 2027-01-04T00:00:00+01:00, reason: year end}]
//	    verified_identity: true # default: true in production once identity.issuers is set
//	people:                     # person -> e-mail addresses and logins
//	  cleo: [cleo@example.com, cleo-gh]
//	policy: release-policy.yml  # a policy.ReadConfig file, or the same mapping inline
//	exceptions: {max_lifetime: 90d}
//	stores: {git_store: .}      # or store: DIR, or oci_store: registry.example.com/team/evidence
//	identity:                   # who acts, from the CI system's OIDC ID token
//	  issuers:
//	    - issuer: https://token.actions.githubusercontent.com
//	      audience: releasekit
//	      jwks: jwks.json       # optional pinned keys; absent: discovered and fetched over HTTPS
//	      name_claim: actor     # the claim naming the actor for the permissions (default sub)
//	      claims:               # required: what a token must carry; * matches any characters
//	        repository: acme/shop
//	        ref: [refs/heads/main, refs/tags/v*]
//
// Relative paths resolve against the directory of the file. The JSON Schema
// of the file ships as config/schema.json ([Schema]); every object in it
// refuses unknown keys.
//
// # Reading
//
// [Find] looks for the file in a directory and its parents up to the
// repository root. [ReadFile] reads it as a regular file of at most
// [MaxFileSize] bytes (a FIFO, a device or a directory is refused before it
// is opened) and [Parse] checks it: YAML syntax, duplicate keys, the schema,
// then the rules (unique environment names, approvers for every production
// environment, known control IDs, key, JWK Set and policy files that
// exist, are regular files and parse). Every problem is reported at once, each with its
// line and column, in an *[Error] matching [ErrInvalid]. The policy, from
// its file or inline, is read by policy.ReadConfig: there is one reader of
// the policy format.
//
// # Access policy
//
// Each environment lists, per [Action] (deploy, approve, rollback,
// configure), the identities allowed to take it. A list that is absent
// means "not restricted by identity", except that a production environment
// must name its approvers, and rollback there falls back to them.
// [Config.Authorize] answers with an *[AuthError] matching
// [ErrNotAuthorized]. Identities are compared in one place; People maps a
// person to the e-mail addresses and logins that are that person.
// [Config.Explain] writes the documented access policy (text, Markdown or
// JSON) for an auditor.
//
// # Identities from CI
//
// identity.issuers name the CI systems whose OIDC ID tokens identify who
// promotes, rolls back or reports a deployment (GitHub Actions' token, a
// GitLab CI job's id_tokens): the issuer, the audience its tokens must
// name, optionally its keys pinned in a JWK Set file (for offline
// verification; otherwise they are discovered and fetched over HTTPS), the
// claim whose value is the actor's name for the permissions (name_claim,
// default sub) and the claims a token must carry (claims: claim -> a
// value or a list of values, * matching any run of characters). An
// issuer such as GitHub's signs the tokens of every repository it hosts,
// and a job chooses its token's audience: claims is what narrows the
// issuer to the repositories, refs and environments that may act here, so
// an issuer without claims is a validation error, and so is a value made
// of nothing but * (or white space), which would accept any token.
//
// [Config.VerifyToken] verifies a token (package idtoken: signature
// against the issuer's keys, algorithm allow-list, issuer, audience,
// expiry, not-before), checks claims and returns a verified
// manifest.Actor, its claims mapped from GitHub Actions' and GitLab CI's
// names and its token summarised (digest, and the thumbprint of the key
// that verified it); a refusal is an *idtoken.TokenError naming who the token claims
// to be, matching an idtoken sentinel or [ErrClaims]. Each environment's
// verified_identity says whether a verified identity is required there
// ([Config.VerifiedIdentity], [Config.VerifiedIdentityEnvs] for
// manifest.WithVerifiedIdentity): by default true for a production
// environment once issuers are configured; false may be given; true
// without issuers is a problem of the file, since no token could satisfy
// it. The pinned JWK Set is read, and its keys checked, with the file.
//
// # Example
//
//	cfg, err := config.ReadFile(".releasekit.yaml")
//	if err != nil {
//		return err // *config.Error: every problem, file:line:col: msg
//	}
//	if err := cfg.Authorize("prod", config.ActionApprove, approver); err != nil {
//		return err // *config.AuthError
//	}
//	actor, err := cfg.VerifyToken(ctx, token) // the CI job's OIDC ID token
//	if err != nil {
//		return err // *idtoken.TokenError: record the refused attempt
//	}
//	err = cfg.Authorize("prod", config.ActionDeploy, actor.Name)
//
// A *Config is not modified after it is returned; its methods are safe for
// concurrent use. Slices and maps in it belong to the caller.
package config

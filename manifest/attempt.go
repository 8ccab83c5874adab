package manifest

import "time"

// This file holds the evidence of every attempt (§1.13.3.3, §1.21.3.3–
// §1.21.3.4): who acted ([Actor], verified from a CI token or typed), a
// refused promotion or rollback ([Denial], logged as its own entry), and
// the outcome of a deployment ([Deployment]) with the files it changed
// ([ChangedFiles]).

// Kinds of log entries added for every attempt. They join [KindPromotion],
// [KindNote] and [KindDeployResult]; entries written before them verify
// unchanged.
const (
	KindDenied     = "denied"     // a refused promotion, rollback or deployment report (Denial)
	KindDeployment = "deployment" // a deployment outcome (Deployment)
)

// Results of a [Deployment], and the result of a [Denial].
const (
	ResultStarted   = "started"
	ResultSucceeded = "succeeded"
	ResultFailed    = "failed"
	ResultDenied    = "denied"
)

// An Actor is who acted. Verified is true only when Name comes from a CI
// system's OIDC ID token whose signature, issuer, audience and validity
// were checked (package config maps the token's claims to Name); then
// Issuer and Subject are the token's iss and sub, and Claims what else it
// said about the run. A typed identity (a --releaser flag) is an Actor with
// Verified false and only Name.
type Actor struct {
	Name     string        `json:"name"`
	Verified bool          `json:"verified"`
	Issuer   string        `json:"issuer,omitempty"`
	Subject  string        `json:"subject,omitempty"`
	Claims   *ActorClaims  `json:"claims,omitempty"`
	Token    *TokenSummary `json:"token,omitempty"`
}

// ActorClaims are the facts a verified token states about the run that
// acted (GitHub Actions and GitLab CI name them differently; package config
// maps both).
type ActorClaims struct {
	Actor       string `json:"actor,omitempty"`       // the person or bot that triggered the run
	Repository  string `json:"repository,omitempty"`  // owner/name or group/project
	Ref         string `json:"ref,omitempty"`         // refs/heads/main, refs/tags/v1.2.0
	Commit      string `json:"commit,omitempty"`      // the commit the run built
	Workflow    string `json:"workflow,omitempty"`    // workflow or pipeline
	Run         string `json:"run,omitempty"`         // run or pipeline ID
	Environment string `json:"environment,omitempty"` // the CI environment the job ran in
}

// A TokenSummary identifies the token an Actor was verified from without
// keeping the token: its ID, audience, validity, the SHA-256 digest of
// its bytes and the key that verified its signature (Key, the RFC 7638
// SHA-256 thumbprint of that JWK, base64url-encoded as
// idtoken.Key.Thumbprint lists it; "" in entries written before it was
// recorded).
type TokenSummary struct {
	ID        string    `json:"id,omitempty"` // jti
	Audience  []string  `json:"audience,omitempty"`
	IssuedAt  time.Time `json:"issued_at,omitzero"`
	NotBefore time.Time `json:"not_before,omitzero"`
	Expires   time.Time `json:"expires,omitzero"`
	Digest    string    `json:"digest"`        // sha256:HEX of the compact JWT
	Key       string    `json:"key,omitempty"` // RFC 7638 thumbprint of the verifying key
}

// A Denial is a refused attempt, logged as a [KindDenied] entry in the
// same hash chain as the promotions: what was asked (Action, Release, Env,
// Digest), by whom (Actor, Approver), why it was refused (Refusal, and the
// IDs of the controls that refused), under which release configuration
// (Config, its digest: [WithConfigDigest]), and when.
type Denial struct {
	Action   string    `json:"action"` // "promote", "rollback", "promote-manifest", "rollback-manifest", "deploy-report"
	Release  string    `json:"release,omitempty"`
	Env      string    `json:"env"`
	Digest   string    `json:"digest,omitempty"`
	Actor    *Actor    `json:"actor,omitempty"`
	Approver string    `json:"approver,omitempty"`
	Reason   string    `json:"reason,omitempty"`   // the reason the request gave
	Refusal  string    `json:"refusal"`            // why it was refused (the error, bounded)
	Controls []string  `json:"controls,omitempty"` // the control IDs that refused (REL-...)
	Gate     string    `json:"gate,omitempty"`     // digest of the gate's evidence, when it gave some
	Config   string    `json:"config,omitempty"`   // digest of the release configuration decided under, or ""
	At       time.Time `json:"at"`
}

// A Deployment is the outcome of deploying a release to an environment,
// logged as a [KindDeployment] entry: started, succeeded, or failed with
// Error; where (Env and the Targets named: servers, clusters); what
// (Release, Digest, Branch, Commit, and the summary of the files that
// changed since what Env ran before); who reported it; under which
// release configuration (Config, its digest: [WithConfigDigest]) and with
// which checks weakened (Unsafe, as in [Promotion.Unsafe]); and when.
type Deployment struct {
	Release   string               `json:"release"`
	Env       string               `json:"env"`
	Result    string               `json:"result"` // ResultStarted, ResultSucceeded or ResultFailed
	Error     string               `json:"error,omitempty"`
	Targets   []string             `json:"targets,omitempty"`
	Digest    string               `json:"digest,omitempty"`
	Branch    string               `json:"branch,omitempty"`
	Commit    string               `json:"commit,omitempty"`
	Promotion uint64               `json:"promotion,omitempty"` // Seq of the promotion entry carried out
	Actor     *Actor               `json:"actor,omitempty"`
	Changes   *ChangedFilesSummary `json:"changes,omitempty"`
	Config    string               `json:"config,omitempty"` // digest of the release configuration, or ""
	Unsafe    []string             `json:"unsafe,omitempty"` // options that weakened a check to let the report through
	At        time.Time            `json:"at"`
}

// MaxChangedFiles bounds the files a [ChangedFiles] manifest lists; beyond it
// the manifest says Truncated and still counts every file in Total.
const MaxChangedFiles = 10000

// ChangedFiles is the manifest of what changed between the release an
// environment ran before (From) and the one deployed (To): each file that
// was added, modified or deleted, with the SHA-256 of its content before
// and after. It is stored as evidence and named in the log by its digest.
type ChangedFiles struct {
	From      string       `json:"from,omitempty"` // the release before; "" for an environment's first deployment
	To        string       `json:"to"`
	FromTree  string       `json:"from_tree,omitempty"` // the git tree (or artifact digest) compared
	ToTree    string       `json:"to_tree"`
	Files     []FileChange `json:"files"`
	Total     int          `json:"total"` // files changed, listed or not
	Truncated bool         `json:"truncated,omitempty"`
}

// A FileChange is one changed path. SHA256 is the new content's digest
// ("" when deleted) and Previous the old content's ("" when added).
type FileChange struct {
	Path     string `json:"path"`
	Change   string `json:"change"` // "added", "modified" or "deleted"
	SHA256   string `json:"sha256,omitempty"`
	Previous string `json:"previous,omitempty"`
}

// A ChangedFilesSummary is what a log entry keeps of a [ChangedFiles] manifest: its
// digest (the manifest is evidence in the store), the releases compared,
// and the counts.
type ChangedFilesSummary struct {
	Digest    string `json:"digest"`
	From      string `json:"from,omitempty"`
	Files     int    `json:"files"`
	Added     int    `json:"added"`
	Modified  int    `json:"modified"`
	Deleted   int    `json:"deleted"`
	Truncated bool   `json:"truncated,omitempty"`
}

// Package audittest builds, for the tests and examples of the audit package
// and its users, a realistic release history on a real git repository: signed
// tags, tar.gz artifacts with their SBOMs and signed provenance, complete
// release records, gated promotions dev → staging → prod inside a change
// window, a backport on a release branch, a production rollback, a hotfix
// promoted as an emergency change and forward-ported to main, and a signed
// checkpoint of the promotion log. It is test-only: no user-facing package
// imports it.
//
// # The history
//
// Every time is fixed (see the Fixture's fields) and every key is derived
// from a seed ([WithSeed]), so two fixtures built with the same options have
// the same commits, tags, artifacts, SBOMs, provenance envelopes, records and
// log entries, byte for byte.
//
//	main          C1 ── C2 ── C3 ── C4 ─────── C5 ── C6 ── FP
//	              v1.0.0      v1.1.0 v1.2.0 │               v1.3.0
//	release/1.2                             └─ BP (cherry-pick -x C5)  v1.2.1
//	hotfix/1.2.2-INC123                            └─ HF               v1.2.2
//
// C1 to C6 are Conventional Commits with a ticket (Refs: SHOP-n) and a pull
// request number ("(#n)"); BP is `git cherry-pick -x C5` on release/1.2;
// HF is the fix of incident INC123 on a hotfix branch cut from v1.2.1, the
// production tag at the time; FP is `git cherry-pick -x HF` on main. Each
// commit changes files under app/, and each release's artifact is a tar.gz of
// app/ at its commit (files shop/…), so that artifacts differ by files added,
// removed and changed.
//
// Production sees v1.0.0, v1.1.0, v1.2.0 (rolled back to v1.1.0 the same
// day), v1.2.1, v1.2.2 (an emergency change on a Saturday night, outside the
// window, with a complete emergency-change record) and v1.3.0, which runs at
// the end. Every promotion goes through a policy.Gate with ChangeWindow,
// SeparationOfDuties, RecordComplete and SameDigest.
//
// # Concurrency
//
// A Fixture is built by one goroutine; afterwards its fields may be read
// concurrently. The GitStore (WithGitStore) has its own repository handle.
package audittest

import (
	"crypto/ed25519"
	"crypto/sha256"
	"time"

	"github.com/go-git/go-git/v5"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/signature"
)

// DefaultSeed is the seed of the keys when no WithSeed option is given.
const DefaultSeed = "releasekit-audittest"

// Identities used in the history.
const (
	Releaser          = "release-bot@example.com" // signs the tags, starts the promotions
	Author            = "alice@example.com"       // author of the pull requests
	Reviewer          = "bob@example.com"         // approves the pull requests
	Approver          = "carol@example.com"       // approves production promotions
	IncidentCommander = "dana@example.com"        // approves the emergency change
	Incident          = "INC123"                  // the incident the hotfix repairs
	Component         = "shop"                    // the component of every record
	ArtifactName      = "shop.tar.gz"             // the artifact of every release
)

// Envs are the environments in promotion order.
var Envs = []string{"dev", "staging", "prod"}

// An Option configures New.
type Option func(*config)

type config struct {
	seed     string
	gitStore bool
}

// WithSeed derives every key from seed instead of DefaultSeed.
func WithSeed(seed string) Option { return func(c *config) { c.seed = seed } }

// WithGitStore keeps the records, the log and the gate evidence in the
// repository itself (manifest.GitStore under manifest.LogRef) instead of a
// DirStore.
func WithGitStore() Option { return func(c *config) { c.gitStore = true } }

// A Fixture is a built release history. The caller owns its values and may
// change the files on disk (to remove or corrupt evidence, say).
type Fixture struct {
	// Dir is the repository's work tree; Git drives it with the git binary,
	// Repo reads it with go-git.
	Dir  string
	Git  *gittest.Repo
	Repo *git.Repository
	// Store holds the records, the log and the gate reports (a DirStore in
	// StoreDir, or a GitStore in the repository with StoreDir "").
	Store    manifest.Store
	StoreDir string
	// EvidenceDir holds the artifacts, SBOMs and provenance envelopes at the
	// paths the records name (Artifact.URI, SBOM.Ref, Provenance.Ref).
	EvidenceDir string
	// Sources are ready for audit: Repo, Store, os.DirFS(EvidenceDir), the
	// signed checkpoint and the verifiers of Keys, with At set to At.
	Sources audit.Sources
	// Releases in the order they were made: v1.0.0, v1.1.0, v1.2.0, v1.2.1,
	// v1.2.2, v1.3.0.
	Releases []Release
	// Commits names the commits of the history.
	Commits Commits
	// Keys are the keys that signed everything.
	Keys Keys
	// Gate is the policy gate every promotion went through; Window is its
	// change window (Mon–Thu 09:00–16:00 UTC).
	Gate   policy.Gate
	Window policy.Window
	// Rollback is the production rollback of v1.2.0 to v1.1.0.
	Rollback Rollback
	// Checkpoint is the checkpoint of the whole log, signed at the end.
	Checkpoint manifest.Checkpoint
	// At is a time after the whole history, used to verify signatures.
	At time.Time
}

// A Release is one release of the history and what was made for it.
type Release struct {
	Tag      string
	Version  string // without the "v"
	Commit   string // the full hash the tag points at
	TagHash  string // the tag object
	Branch   string // the branch it was cut from
	Previous string // the previous release on its history ("" for the first)
	TaggedAt time.Time
	// Commits are the commits of Previous..Tag, newest first (as git
	// rev-list prints them); Tickets and PRs the references they carry, in
	// the same order.
	Commits []string
	Tickets []string
	PRs     []string
	// Files is the content of the artifact, by path in the archive.
	Files map[string]string
	// Digest, SBOM and Provenance are the artifact's digest and the paths of
	// its SBOM and provenance envelope relative to EvidenceDir; Artifact is
	// the archive's path there.
	Artifact   string
	Digest     string
	SBOM       string
	SBOMDigest string
	Provenance string
	// Record is the release record as stored.
	Record manifest.Record
	// Promotions are the promotions of this release as logged, oldest first
	// (the rollback to it included).
	Promotions []manifest.Promotion
}

// Commits names the commits of the history (full hashes).
type Commits struct {
	Cart, Checkout, Rounding, Search string // C1 to C4 (v1.0.0 … v1.2.0)
	// Fix is C5 on main, "fix(checkout): reject empty carts"; Backport is
	// its `git cherry-pick -x` on release/1.2 (v1.2.1).
	Fix, Backport string
	// Hotfix is the INC123 fix on hotfix/1.2.2-INC123 (v1.2.2); ForwardPort
	// is its `git cherry-pick -x` on main (v1.3.0).
	Hotfix, ForwardPort string
	Wishlist            string // C6 on main
}

// Keys are the fixture's keys, derived from the seed.
type Keys struct {
	// Tag signs release tags in namespace "git"; AllowedSigners trusts its
	// public key for Releaser; TagVerifier checks tags with it.
	Tag            *signature.SSHSigner
	TagPublic      ssh.PublicKey
	AllowedSigners []byte
	TagVerifier    *signature.SSHVerifier
	// Log signs the checkpoint in manifest.Namespace; LogVerifier checks it.
	Log         *signature.SSHSigner
	LogVerifier signature.Verifier
	// Provenance signs the provenance envelopes.
	Provenance         *signature.KeySigner
	ProvenanceVerifier *signature.KeyVerifier
}

// Rollback is the production rollback of the history.
type Rollback struct {
	From, To string // v1.2.0, v1.1.0
	At       time.Time
	Approver string
	Reason   string
}

// Release returns the release tagged tag, or false.
func (f *Fixture) Release(tag string) (Release, bool) {
	for _, r := range f.Releases {
		if r.Tag == tag {
			return r, true
		}
	}
	return Release{}, false
}

// DeriveKey returns the Ed25519 key derived from seed for purpose ("tag",
// "log", "provenance"): the same seed and purpose always give the same key.
// Use another seed for a key that the fixture does not trust.
func DeriveKey(seed, purpose string) ed25519.PrivateKey {
	s := sha256.Sum256([]byte("releasekit audittest key\x00" + seed + "\x00" + purpose))
	return ed25519.NewKeyFromSeed(s[:])
}

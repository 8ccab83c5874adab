package demohistory

import (
	"crypto/ed25519"
	"crypto/sha256"
	"time"

	"github.com/go-git/go-git/v5"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/signature"
)

// DefaultSeed is the seed of the keys when no WithSeed option is given. It
// keeps the name of the test fixture the history was first written for,
// because the keys, and so the signatures the examples print, derive from it.
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

// CIIssuer is the issuer of the CI system's OIDC tokens that the release
// bot's actions are verified from (manifest.Actor.Issuer).
const CIIssuer = "https://ci.example.com/oidc"

// Envs are the environments in promotion order.
var Envs = []string{"dev", "staging", "prod"}

// ProdTargets are the servers a production deployment reports
// (manifest.Deployment.Targets).
var ProdTargets = []string{"shop-1", "shop-2"}

// An Option configures Build.
type Option func(*config)

type config struct {
	seed     string
	gitStore bool
	repoDir  string
}

// WithSeed derives every key from seed instead of DefaultSeed.
func WithSeed(seed string) Option { return func(c *config) { c.seed = seed } }

// WithGitStore keeps the records, the log and the gate evidence in the
// repository itself (manifest.GitStore under manifest.LogRef) instead of a
// DirStore.
func WithGitStore() Option { return func(c *config) { c.gitStore = true } }

// WithRepository builds the history in the existing empty repository whose
// work tree is dir (its default branch must be main) instead of creating
// one.
func WithRepository(dir string) Option { return func(c *config) { c.repoDir = dir } }

// A History is a built release history. The caller owns its values and may
// change the files on disk (to remove or corrupt evidence, say).
type History struct {
	// Dir is the repository's work tree; Repo reads and writes it with
	// go-git.
	Dir  string
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
	// Refused are the refused attempts to promote it, and Deployments the
	// outcomes of its production deployments, as logged, oldest first.
	Refused     []manifest.Denial
	Deployments []manifest.Deployment
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

// Keys are the history's keys, derived from the seed.
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
func (f *History) Release(tag string) (Release, bool) {
	for _, r := range f.Releases {
		if r.Tag == tag {
			return r, true
		}
	}
	return Release{}, false
}

// DeriveKey returns the Ed25519 key derived from seed for purpose ("tag",
// "log", "provenance"): the same seed and purpose always give the same key.
// Use another seed for a key that the history does not trust. (The
// derivation's label keeps the name of the test fixture the history was
// first written for: changing it would change every key.)
func DeriveKey(seed, purpose string) ed25519.PrivateKey {
	s := sha256.Sum256([]byte("releasekit audittest key\x00" + seed + "\x00" + purpose))
	return ed25519.NewKeyFromSeed(s[:])
}

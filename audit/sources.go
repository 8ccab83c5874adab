package audit

import (
	"io/fs"
	"time"

	"github.com/go-git/go-git/v5"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
)

// Keys of [manifest.Record.Extra] that audit reads. A release pipeline sets
// them when it records a release; none is required, and a missing key is
// never a failure on its own.
const (
	// ExtraIncident links a release to the incident it responds to
	// ("INC123"): a hotfix or an emergency change.
	ExtraIncident = "incident"
	// ExtraHotfixFor names the production release a hotfix repairs
	// ("v1.4.2"); that release then counts as a failed change (§1.7.3).
	ExtraHotfixFor = "hotfix_for"
	// ExtraComponent names the service or component a release belongs to,
	// for metrics per component; without it, the tag's component
	// (semver.Scheme) or "" is used.
	ExtraComponent = "component"
)

// Sources are where an audit reads its evidence. Only Store is required;
// each missing source turns the links that need it into gaps, never into
// passes.
type Sources struct {
	// Repo is the code repository holding the release tags and commits.
	Repo *git.Repository
	// Store holds the release records and the promotion log
	// (manifest.GitStore or manifest.DirStore). When it also implements
	// manifest.EvidenceStore, the policy reports that gated promotions are
	// read from it.
	Store manifest.Store
	// Evidence resolves the relative locations recorded in release records
	// (Record.SBOM.Ref, Record.Provenance.Ref): usually the directory the
	// release pipeline wrote them in (os.DirFS).
	Evidence fs.FS
	// Checkpoint and CheckpointSig are a signed checkpoint of the log
	// (manifest.SignCheckpoint), checked with CheckpointVerifier: without
	// them a truncated log cannot be told from a complete one, and the
	// log link is "recorded", not "verified".
	Checkpoint, CheckpointSig []byte
	CheckpointVerifier        signature.Verifier
	// TagVerifier checks release tag signatures (tagging.Verify).
	TagVerifier signature.Verifier
	// ProvenanceVerifiers check provenance envelopes (sbom.VerifyProvenance).
	ProvenanceVerifiers []signature.Verifier
	// Scheme is the tag scheme of the releases; nil means
	// semver.Scheme{Prefix: "v"} (vMAJOR.MINOR.PATCH, §1.12.3.3).
	Scheme *semver.Scheme
	// Production is the environment that counts as production; "" means
	// "prod".
	Production string
	// Order is the configured promotion order (the release
	// configuration's environments); nil checks each promotion against
	// the order it recorded. A promotion that skipped an environment of it
	// fails (ReasonOrder).
	Order []string
	// VerifiedIdentity names the environments whose promotions, rollbacks
	// and deployment reports need an identity verified from a CI token
	// (the release configuration's, config.VerifiedIdentityEnvs). A
	// promotion, rollback or deployment outcome there whose actor was
	// typed, or not recorded, is a gap (ReasonUnverifiedActor). Elsewhere
	// the trail shows who acted and whether it was verified, and judges
	// nothing.
	VerifiedIdentity []string
	// At is the verification time for signatures (keys expired or revoked
	// since are reported as such); zero means time.Now(). Never a date
	// taken from the signed data.
	At time.Time
}

// WithDefaults returns s with its unset settings filled in as documented on
// the fields: Production "prod", Scheme semver.Scheme{Prefix: "v"} and At
// the current time. The packages that read Sources (audit/bundle,
// audit/metrics) call it once on entry.
func (s Sources) WithDefaults() Sources {
	s.Production = s.production()
	sc := s.scheme()
	s.Scheme = &sc
	s.At = s.at()
	return s
}

func (s Sources) production() string {
	if s.Production == "" {
		return "prod"
	}
	return s.Production
}

func (s Sources) at() time.Time {
	if s.At.IsZero() {
		return time.Now()
	}
	return s.At
}

func (s Sources) scheme() semver.Scheme {
	if s.Scheme == nil {
		return semver.Scheme{Prefix: "v"}
	}
	return *s.Scheme
}

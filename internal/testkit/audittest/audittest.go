// Package audittest gives the tests of the audit package and its users the
// demonstration release history of internal/demohistory (the one
// examples/audit plays on), built in t.TempDir() in a repository that
// gittest made, so that a test can also drive it with the git binary
// ([Fixture.Git]). See internal/demohistory for the history itself. It is
// test-only: no user-facing package imports it.
//
// # Concurrency
//
// A Fixture is built by one goroutine; afterwards its fields may be read
// concurrently. The GitStore (WithGitStore) has its own repository handle.
package audittest

import (
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/releasekit/releasekit/internal/demohistory"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

// DefaultSeed is the seed of the keys when no WithSeed option is given.
const DefaultSeed = demohistory.DefaultSeed

// Identities used in the history.
const (
	Releaser          = demohistory.Releaser          // signs the tags, starts the promotions
	Author            = demohistory.Author            // author of the pull requests
	Reviewer          = demohistory.Reviewer          // approves the pull requests
	Approver          = demohistory.Approver          // approves production promotions
	IncidentCommander = demohistory.IncidentCommander // approves the emergency change
	Incident          = demohistory.Incident          // the incident the hotfix repairs
	Component         = demohistory.Component         // the component of every record
	ArtifactName      = demohistory.ArtifactName      // the artifact of every release
)

// CIIssuer is the issuer of the CI tokens the release bot's actions are
// verified from.
const CIIssuer = demohistory.CIIssuer

// Envs are the environments in promotion order.
var Envs = demohistory.Envs

// ProdTargets are the servers a production deployment reports.
var ProdTargets = demohistory.ProdTargets

// The history's parts, as demohistory names them.
type (
	Option   = demohistory.Option
	Release  = demohistory.Release
	Commits  = demohistory.Commits
	Keys     = demohistory.Keys
	Rollback = demohistory.Rollback
)

// WithSeed derives every key from seed instead of DefaultSeed.
func WithSeed(seed string) Option { return demohistory.WithSeed(seed) }

// WithGitStore keeps the records, the log and the gate evidence in the
// repository itself (manifest.GitStore under manifest.LogRef) instead of a
// DirStore.
func WithGitStore() Option { return demohistory.WithGitStore() }

// A Fixture is a built release history. The caller owns its values and may
// change the files on disk (to remove or corrupt evidence, say).
type Fixture struct {
	*demohistory.History
	// Git drives the repository (History.Dir) with the git binary; History.Repo
	// reads it with go-git.
	Git *gittest.Repo
}

// New builds the history described in internal/demohistory in directories
// under t.TempDir() and returns it. Any failure fails t.
func New(t testing.TB, opts ...Option) *Fixture {
	t.Helper()
	g := gittest.New(t)
	h, err := demohistory.Build(t.Context(), func() (string, error) { return t.TempDir(), nil },
		append([]Option{demohistory.WithRepository(g.Dir)}, opts...)...)
	if err != nil {
		t.Fatalf("audittest: %v", err)
	}
	return &Fixture{History: h, Git: g}
}

// DeriveKey returns the Ed25519 key derived from seed for purpose ("tag",
// "log", "provenance"): the same seed and purpose always give the same key.
// Use another seed for a key that the fixture does not trust.
func DeriveKey(seed, purpose string) ed25519.PrivateKey {
	return demohistory.DeriveKey(seed, purpose)
}

// TarGz returns a gzip-compressed tar archive of files (path → content),
// with entries in path order, mode 0644 and modification time mtime, so the
// same files always give the same bytes.
func TarGz(files map[string]string, mtime time.Time) []byte {
	return demohistory.TarGz(files, mtime)
}

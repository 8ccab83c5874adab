package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
)

// storeFixture is an evidence store in a temporary directory holding the
// complete release record of v1.4.2 (recordFile), for the commands that
// log to a store.
type storeFixture struct {
	dir, storeDir string
	st            *manifest.DirStore
	digest        string
	rec           manifest.Record
}

func newStoreFixture(t *testing.T) *storeFixture {
	t.Helper()
	f := &storeFixture{dir: t.TempDir()}
	f.storeDir = filepath.Join(f.dir, "store")
	var err error
	f.st, err = manifest.NewDirStore(f.storeDir)
	require.NoError(t, err)
	f.digest = manifest.Digest([]byte("app"))
	f.rec, err = manifest.ParseRecord(mustRead(t, recordFile(t, f.dir, true, f.digest)))
	require.NoError(t, err)
	require.NoError(t, f.st.PutRecord(t.Context(), f.rec))
	return f
}

// emergencyCanary promotes v1.4.2 to canary at at under the emergency
// INC-7 approved by oncall@example.com, expiring four hours later.
func (f *storeFixture) emergencyCanary(t *testing.T, at time.Time) {
	t.Helper()
	em := &manifest.EmergencyChange{ID: "INC-7", Reason: "checkout down", Scope: "api", Approver: "oncall@example.com",
		RollbackPlan: "redeploy v1.4.1", FollowUp: "PIR-7", Expires: at.Add(4 * time.Hour)}
	_, err := manifest.Promote(t.Context(), f.st, manifest.PromoteRequest{Release: "v1.4.2", Env: "canary", Digest: f.digest, Approver: "carol",
		Reason: "hotfix", Emergency: em}, manifest.WithClock(func() time.Time { return at }), manifest.WithOrder("canary", "production"))
	require.NoError(t, err)
}

// write writes content to name in the fixture's directory and returns
// its path.
func (f *storeFixture) write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(f.dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

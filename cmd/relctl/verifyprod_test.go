package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
)

// relctl verify-production logs the checks run against an environment
// after a promotion, and relctl policy --store reads them back for
// REL-VERIFY-001.
func TestVerifyProductionCommand(t *testing.T) {
	ctx := t.Context()
	f := newStoreFixture(t)
	dir, storeDir, st, digest := f.dir, f.storeDir, f.st, f.digest
	// Promoted ten minutes before the verification (which relctl stamps
	// with the time now).
	promoted := time.Now().UTC().Add(-10 * time.Minute).Truncate(time.Second)
	for _, env := range []string{"staging", "production"} {
		_, err := manifest.Promote(ctx, st, manifest.PromoteRequest{Release: "v1.4.2", Env: env, Digest: digest, Releaser: "ci-bot", Approver: "carol", Reason: "CHG-1234"},
			manifest.WithClock(func() time.Time { return promoted }), manifest.WithOrder("staging", "production"),
			manifest.WithSkipSignatureUnsafe(), manifest.WithSkipAuthorizationUnsafe())
		require.NoError(t, err, env)
	}

	cfg := filepath.Join(dir, "policy.yml")
	require.NoError(t, os.WriteFile(cfg, []byte("controls:\n  REL-VERIFY-001: {}\n"), 0o644))
	policyArgs := []string{"--config", cfg, "--repo", history(t).Dir, "--store", storeDir, "--format", "json"}
	// Before any verification, it is due (the hour is not over).
	out, errOut, code := runPolicy(t, "", policyArgs...)
	require.Equal(t, 0, code, "%s\n%s", out, errOut)
	assert.Contains(t, out, "0 production promotion(s) verified, 1 due within 1h0m0s")

	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--env", "production", "--verifier", "erin", "--check", "smoke=pass"}, 2, "--release, --env and --verifier are required"},
		{[]string{"--release", "v1.4.2", "--env", "production", "--verifier", "erin"}, 2, "--check NAME=pass|fail[=URL] is required"},
		{[]string{"--release", "v1.4.2", "--env", "production", "--verifier", "erin", "--check", "smoke=ok"}, 2, `--check "smoke=ok"`},
		{[]string{"--release", "v1.4.2", "--env", "production", "--verifier", "erin", "--check", "smoke=pass", "--check", "smoke=fail"}, 2, "checks[1].name: duplicate"},
		{[]string{"--release", "v1.4.2", "--env", "production", "--verifier", "erin", "--check", "smoke=pass", "--incident", "INC-1"}, 2, "incident: not in the log"},
		{[]string{"--release", "v1.4.1", "--env", "production", "--verifier", "erin", "--check", "smoke=pass"}, 1, "release not promoted to the environment"},
	} {
		_, errOut, code := relctl(t, "", append([]string{"verify-production", "--store", storeDir}, c.args...)...)
		assert.Equal(t, c.code, code, "%v: %s", c.args, errOut)
		assert.Contains(t, errOut, c.msg)
	}

	out, errOut, code = relctl(t, "", "verify-production", "--store", storeDir, "--release", "v1.4.2", "--env", "production", "--verifier", "erin",
		"--check", "checkout-smoke=pass=https://ci.example.com/run/9?a=b", "--check", "error-rate=pass")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "logged the verification of v1.4.2 in production: 2 check(s) passed, as entry 3\n", out)
	entries, err := st.Entries(ctx)
	require.NoError(t, err)
	v := manifest.Verifications(entries)
	require.Len(t, v, 1)
	assert.Equal(t, "https://ci.example.com/run/9?a=b", v[0].Checks[0].URL)

	out, errOut, code = runPolicy(t, "", policyArgs...)
	require.Equal(t, 0, code, "%s\n%s", out, errOut)
	assert.Contains(t, out, "1 production promotion(s) verified, 0 due")

	// A failed check is logged, and fails the control.
	out, errOut, code = relctl(t, "", "verify-production", "--store", storeDir, "--release", "v1.4.2", "--env", "production", "--verifier", "erin",
		"--check", "error-rate=fail=https://grafana.example.com/d/1", "--json")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"kind": "verification"`)
	out, _, code = runPolicy(t, "", policyArgs...)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "failed [error-rate]")
}

// relctl policy --record with a store reads the store's record of the
// rollback target for REL-ROLLBACK-001: it passes once v1.4.1 is released
// and ran in production, and fails while the store has no record of it.
func TestPolicyRollbackTargetFromStore(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	storeDir := filepath.Join(dir, "store")
	st, err := manifest.NewDirStore(storeDir)
	require.NoError(t, err)
	record := recordFile(t, dir, true, manifest.Digest([]byte("app 1.4.2"))) // v1.4.2, rollback to v1.4.1
	cfg := filepath.Join(dir, "policy.yml")
	require.NoError(t, os.WriteFile(cfg, []byte("controls:\n  REL-ROLLBACK-001: {}\n"), 0o644))
	args := []string{"--config", cfg, "--repo", history(t).Dir, "--record", record, "--store", storeDir, "--format", "json", "--now", "2026-03-02T10:00:00Z"}

	out, _, code := runPolicy(t, "", args...)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "missing evidence: the record of rollback target v1.4.1")

	prev, err := manifest.ParseRecord(mustRead(t, recordFile(t, t.TempDir(), true, manifest.Digest([]byte("app 1.4.1")))))
	require.NoError(t, err)
	prev.Tag, prev.Rollback = "v1.4.1", manifest.RollbackPlan{Method: "remove the deployment", Version: manifest.RollbackNone}
	require.NoError(t, st.PutRecord(ctx, prev))
	_, err = manifest.Promote(ctx, st, manifest.PromoteRequest{Release: "v1.4.1", Env: "production", Digest: prev.Artifacts[0].Digest, Releaser: "ci-bot", Approver: "carol", Reason: "CHG-1"},
		manifest.WithClock(func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }), manifest.WithOrder("production"),
		manifest.WithSkipSignatureUnsafe(), manifest.WithSkipAuthorizationUnsafe())
	require.NoError(t, err)
	out, errOut, code := runPolicy(t, "", args...)
	assert.Equal(t, 0, code, "%s\n%s", out, errOut)
	assert.Contains(t, out, "rollback target v1.4.1 of v1.4.2 ran in production (production)")
}

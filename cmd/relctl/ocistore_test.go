package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/internal/testkit/registrytest"
	"github.com/releasekit/releasekit/manifest"
)

// TestOCIStoreFlag keeps a release record and reads the log through
// --oci-store on a real registry on 127.0.0.1, and is refused (never
// raced) by a registry that does not enforce conditional tag updates.
func TestOCIStoreFlag(t *testing.T) {
	g := evidenceRepo(t)
	reg := registrytest.Start(t)
	ref := reg.Repo("team/evidence")

	out, errOut, code := runTagCmd(t, cmdRecord, "init", "--oci-store", ref, "--release", "v1.1.0", "--repo", g.Dir, "--json")
	require.Equal(t, 0, code, errOut)
	rec, err := manifest.ParseRecord([]byte(out))
	require.NoError(t, err)

	out, errOut, code = runTagCmd(t, cmdRecord, "show", "--oci-store", ref, "--release", "v1.1.0", "--json")
	require.Equal(t, 0, code, errOut)
	back, err := manifest.ParseRecord([]byte(out))
	require.NoError(t, err)
	assert.Equal(t, rec.Commit, back.Commit, "the record read back from the registry")

	_, _, code = runTagCmd(t, cmdRecord, "init", "--oci-store", ref, "--release", "v1.1.0", "--repo", g.Dir)
	assert.Equal(t, 1, code, "init never overwrites, on a registry too")

	_, errOut, code = runTagCmd(t, cmdRecord, "show", "--oci-store", ref, "--store", t.TempDir(), "--release", "v1.1.0")
	assert.Equal(t, 2, code, "one store at a time")
	assert.Contains(t, errOut, "--oci-store")

	plain := registrytest.Start(t, registrytest.WithoutPreconditions())
	_, errOut, code = runTagCmd(t, cmdRecord, "init", "--oci-store", plain.Repo("team/evidence"), "--release", "v1.1.0", "--repo", g.Dir)
	assert.Equal(t, 1, code, "a registry that ignores preconditions is refused at the first write")
	assert.True(t, strings.Contains(errOut, "precondition") || strings.Contains(errOut, "conditional"), errOut)
}

// TestConfigStoreFlagWins: a store flag overrides the configuration's
// store, --oci-store included (it was once ignored in favour of a
// configured directory store).
func TestConfigStoreFlagWins(t *testing.T) {
	dir := t.TempDir()
	cfg := &config.Config{Stores: config.Stores{Store: dir}}
	empty, oci := "", "127.0.0.1:1/not/reachable"
	_, err := configStore(storeFlags{dir: &empty, gitRepo: &empty, oci: &oci}, cfg)
	require.Error(t, err, "the configured directory store must not stand in for --oci-store")
	assert.Contains(t, err.Error(), "--oci-store")

	st, err := configStore(storeFlags{dir: &empty, gitRepo: &empty, oci: &empty}, cfg)
	require.NoError(t, err)
	assert.IsType(t, &manifest.DirStore{}, st, "without a flag, the configured store")
}

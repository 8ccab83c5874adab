package ocistore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/registrytest"
	"github.com/releasekit/releasekit/internal/testkit/storetest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/ocistore"
)

// TestOCIStoreSuite runs the store suite every manifest.TreeLog passes
// (concurrency in goroutines and processes, SIGKILL mid-append, tamper,
// truncate) on the OCI store, against one real registry on 127.0.0.1:
// each test gets its own repository, and the child processes the suite
// starts reach the same registry through the repository reference. It
// must call storetest.Run first: the suite runs it again in children.
func TestOCIStoreSuite(t *testing.T) {
	var reg *registrytest.Registry
	var n atomic.Int64
	parent := t
	storetest.Run(t, storetest.Store{
		New: func(t *testing.T) string {
			if reg == nil {
				// Started on the whole test, not the first subtest, and
				// only in the parent: children are given the reference.
				reg = registrytest.Start(parent)
			}
			return reg.Repo(fmt.Sprintf("suite/log%d", n.Add(1)))
		},
		Open: func(loc string) (manifest.Store, error) {
			return ocistore.Open(context.Background(), loc)
		},
		// The entry's blob rewritten in the registry's storage: the
		// registry serves bytes that no longer hash to their digest.
		ContentAddressed: true,
		Tamper: func(t *testing.T, loc string, e manifest.Entry) {
			st, err := ocistore.Open(t.Context(), loc)
			require.NoError(t, err)
			old, err := st.Entry(t.Context(), e.Seq)
			require.NoError(t, err)
			h, err := old.Hash()
			require.NoError(t, err)
			data, err := manifest.MarshalEntry(e)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(reg.BlobPath(h), data, 0o644))
		},
		// An older head put back on the log's tag, as restoring a copy
		// of the registry (or a tag pushed by hand) would: the head
		// whose tree has size entries, found among the repository's
		// manifests in the registry's storage.
		Truncate: func(t *testing.T, loc string, size uint64) {
			_, name, _ := strings.Cut(loc, "/")
			revs := filepath.Join(reg.Root, "docker", "registry", "v2", "repositories", name, "_manifests", "revisions", "sha256")
			des, err := os.ReadDir(revs)
			require.NoError(t, err)
			for _, de := range des {
				data, err := os.ReadFile(reg.BlobPath("sha256:" + de.Name()))
				require.NoError(t, err)
				var m ocispec.Manifest
				if json.Unmarshal(data, &m) != nil || m.ArtifactType != ocistore.ArtifactTypeLog {
					continue
				}
				tb, err := hex.DecodeString(m.Annotations["org.releasekit.log.tree"])
				if err != nil || len(tb) < 8 || binary.BigEndian.Uint64(tb) != size {
					continue
				}
				forceHead(t, loc, data)
				return
			}
			t.Fatalf("no head of size %d in %s", size, loc)
		},
		// The manifest of data's record, as the store tagged it, tagged
		// again for name by hand (the registry's API, not the store).
		PlantRecord: func(t *testing.T, loc, name string, data []byte) {
			rec, err := manifest.ParseRecord(data)
			require.NoError(t, err)
			get, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+manifestURL(loc, recordTag(rec.Tag)), nil)
			get.Header.Set("Accept", ocispec.MediaTypeImageManifest)
			resp, err := http.DefaultClient.Do(get)
			require.NoError(t, err)
			m, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPut, "http://"+manifestURL(loc, recordTag(name)), bytes.NewReader(m))
			req.Header.Set("Content-Type", ocispec.MediaTypeImageManifest)
			resp, err = http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusCreated, resp.StatusCode)
		},
	})
}

// recordTag is the OCI tag the store gives the record of release.
func recordTag(release string) string {
	sum := sha256.Sum256([]byte(release))
	return "releasekit-record-" + hex.EncodeToString(sum[:])
}

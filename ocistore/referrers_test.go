package ocistore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"oras.land/oras-go/v2/registry/remote"

	"github.com/releasekit/releasekit/internal/testkit/registrytest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/ocistore"
)

// pushImage pushes a small container image to repo, as a build would, and
// returns its manifest's digest: the release artifact.
func pushImage(t *testing.T, repo, content string) string {
	t.Helper()
	ctx := t.Context()
	r, err := remote.NewRepository(repo)
	require.NoError(t, err)
	r.PlainHTTP = true
	push := func(mt string, data []byte) ocispec.Descriptor {
		d := ocispec.Descriptor{MediaType: mt, Digest: digest.FromBytes(data), Size: int64(len(data))}
		require.NoError(t, r.Push(ctx, d, bytes.NewReader(data)))
		return d
	}
	cfg := push(ocispec.MediaTypeImageConfig, []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`))
	layer := push(ocispec.MediaTypeImageLayer, []byte(content))
	m, err := json.Marshal(ocispec.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageManifest, Config: cfg, Layers: []ocispec.Descriptor{layer}})
	require.NoError(t, err)
	d := push(ocispec.MediaTypeImageManifest, m)
	require.NoError(t, r.Tag(ctx, d, "v1.0.0"))
	return d.Digest.String()
}

func types(rs []ocistore.Referrer) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ArtifactType)
	}
	slices.Sort(out)
	return out
}

// TestReferrers: the SBOM, the provenance and the release record of an
// image are attached to its digest; the store lists them, and so does
// go-containerregistry (the client cosign uses) in another process.
func TestReferrers(t *testing.T) {
	ctx := t.Context()
	st, reg := open(t, "releases/app")
	repo := reg.Repo("releases/app")
	img := pushImage(t, repo, "app binary")

	sbom := []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}`)
	prov := []byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]}`)
	sd, err := st.Attach(ctx, ocistore.AttachRequest{Subject: img, ArtifactType: ocistore.ArtifactTypeSBOM, Data: sbom})
	require.NoError(t, err)
	_, err = st.Attach(ctx, ocistore.AttachRequest{Subject: img, ArtifactType: ocistore.ArtifactTypeProvenance, Data: prov,
		Annotations: map[string]string{"org.opencontainers.image.created": "2024-05-01T00:00:00Z"}})
	require.NoError(t, err)
	// Attaching the same artifact again lists it once.
	again, err := st.Attach(ctx, ocistore.AttachRequest{Subject: img, ArtifactType: ocistore.ArtifactTypeSBOM, Data: sbom})
	require.NoError(t, err)
	assert.Equal(t, sd, again)
	// The release record names the image: it is attached too.
	require.NoError(t, st.PutRecord(ctx, manifest.Record{Version: manifest.RecordVersion, Tag: "v1.0.0", Commit: strings.Repeat("b", 40),
		Artifacts: []manifest.Artifact{{Name: "app", Digest: img}, {Name: "app.tar.gz", Digest: manifest.Digest([]byte("tarball"))}}, KnownIssues: []string{}}))

	want := []string{ocistore.ArtifactTypeSBOM, ocistore.ArtifactTypeProvenance, ocistore.ArtifactTypeRecord}
	slices.Sort(want)
	rs, err := st.Referrers(ctx, img, "")
	require.NoError(t, err)
	assert.Equal(t, want, types(rs))
	rs, err = st.Referrers(ctx, img, ocistore.ArtifactTypeSBOM)
	require.NoError(t, err)
	require.Len(t, rs, 1)
	a, err := st.Artifact(ctx, rs[0].Digest)
	require.NoError(t, err)
	assert.Equal(t, sbom, a.Data)
	assert.Equal(t, img, a.Subject)

	// An independent client finds them the way cosign does.
	var got []string
	for _, r := range registrytest.Discover(t, repo, img, "") {
		got = append(got, r.ArtifactType)
	}
	slices.Sort(got)
	assert.Equal(t, want, got)
	prs := registrytest.Discover(t, repo, img, ocistore.ArtifactTypeProvenance)
	require.Len(t, prs, 1)
	assert.Equal(t, "2024-05-01T00:00:00Z", prs[0].Annotations["org.opencontainers.image.created"])

	// A subject that is not in the repository.
	_, err = st.Attach(ctx, ocistore.AttachRequest{Subject: manifest.Digest([]byte("nothing")), ArtifactType: ocistore.ArtifactTypeSBOM, Data: sbom})
	require.ErrorIs(t, err, manifest.ErrNotFound)
}

// TestConcurrentAttach: 12 jobs attach to one image at once; the
// referrers index, updated by compare-and-swap, lists all of them.
func TestConcurrentAttach(t *testing.T) {
	_, reg := open(t, "releases/app")
	repo := reg.Repo("releases/app")
	img := pushImage(t, repo, "app binary")
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for j := range 12 {
		wg.Go(func() {
			st, err := ocistore.Open(context.Background(), repo)
			if err == nil {
				_, err = st.Attach(t.Context(), ocistore.AttachRequest{Subject: img, ArtifactType: ocistore.ArtifactTypeGateReport, Data: fmt.Appendf(nil, `{"job":%d}`, j)})
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Len(t, registrytest.Discover(t, repo, img, ocistore.ArtifactTypeGateReport), 12)
}

// noReferrersAPI is a front of reg without the referrers API (404), as
// registries before OCI distribution 1.1: clients read the referrers tag
// schema ("sha256-<hex>"), an index anyone with push access can write.
func noReferrersAPI(t *testing.T, reg *registrytest.Registry) string {
	t.Helper()
	target, err := url.Parse("http://" + reg.Host)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/referrers/") {
			http.NotFound(w, r)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// TestReferrersForgedIndex: a referrers tag schema index that lists
// another image's SBOM, or an artifact under another artifact type, does
// not make it a referrer of the subject: Referrers checks each listed
// manifest's subject and artifact type and refuses the index.
func TestReferrersForgedIndex(t *testing.T) {
	ctx := t.Context()
	st, reg := open(t, "releases/app")
	repo := reg.Repo("releases/app")
	imgA := pushImage(t, repo, "app A")
	imgB := pushImage(t, repo, "app B")
	_, err := st.Attach(ctx, ocistore.AttachRequest{Subject: imgB, ArtifactType: ocistore.ArtifactTypeSBOM, Data: []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"serialNumber":"B"}`)})
	require.NoError(t, err)
	_, err = st.Attach(ctx, ocistore.AttachRequest{Subject: imgA, ArtifactType: ocistore.ArtifactTypeGateReport, Data: []byte(`{"gate":"A"}`)})
	require.NoError(t, err)
	refsB, err := st.Referrers(ctx, imgB, "")
	require.NoError(t, err)
	require.Len(t, refsB, 1)
	refsA, err := st.Referrers(ctx, imgA, "")
	require.NoError(t, err)
	require.Len(t, refsA, 1)
	desc := func(r ocistore.Referrer, artifactType string) ocispec.Descriptor {
		return ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.Digest(r.Digest), Size: r.Size, ArtifactType: artifactType}
	}
	front, err := ocistore.Open(ctx, noReferrersAPI(t, reg)+"/releases/app")
	require.NoError(t, err)
	putIndex := func(ds ...ocispec.Descriptor) {
		t.Helper()
		data, err := json.Marshal(ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageIndex, Manifests: ds})
		require.NoError(t, err)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPut, "http://"+manifestURL(repo, "sha256-"+strings.TrimPrefix(imgA, "sha256:")), bytes.NewReader(data))
		req.Header.Set("Content-Type", ocispec.MediaTypeImageIndex)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusCreated, resp.StatusCode)
	}

	// The honest index lists A's gate report.
	putIndex(desc(refsA[0], ocistore.ArtifactTypeGateReport))
	rs, err := front.Referrers(ctx, imgA, "")
	require.NoError(t, err)
	assert.Equal(t, []string{ocistore.ArtifactTypeGateReport}, types(rs))

	// B's SBOM listed as A's: A would seem to have an SBOM.
	putIndex(desc(refsA[0], ocistore.ArtifactTypeGateReport), desc(refsB[0], ocistore.ArtifactTypeSBOM))
	_, err = front.Referrers(ctx, imgA, ocistore.ArtifactTypeSBOM)
	require.ErrorIs(t, err, manifest.ErrTampered)
	_, err = front.Referrers(ctx, imgA, "")
	require.ErrorIs(t, err, manifest.ErrTampered)

	// A's gate report listed as an SBOM.
	putIndex(desc(refsA[0], ocistore.ArtifactTypeSBOM))
	_, err = front.Referrers(ctx, imgA, ocistore.ArtifactTypeSBOM)
	require.ErrorIs(t, err, manifest.ErrTampered)
}

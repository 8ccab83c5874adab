package bundle_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/bundle"
)

// TestReviewNamesFoldedCase: names that differ only in case under Unicode
// case folding (σ/ς/Σ, ſ/s, K/k/K) are one file on a case-insensitive file
// system, as ReasonDuplicate documents.
func TestReadNamesFoldedCase(t *testing.T) {
	for _, pair := range [][2]string{
		{"evidence/σ.json", "evidence/ς.json"},
		{"evidence/sbom.json", "evidence/ſbom.json"},
		{"evidence/k.json", "evidence/\u212a.json"},
		{"evidence/a", "Evidence/a/b"},
		{"evidence/ſ", "evidence/S/b"},
	} {
		fsys := fstest.MapFS{pair[0]: {Data: []byte("x")}, pair[1]: {Data: []byte("y")}}
		_, err := bundle.ReadDir(fsys)
		require.Equal(t, bundle.ReasonDuplicate, formatReason(err), "%q and %q", pair[0], pair[1])
		data := makeTarGz(t, []tarEntry{reg(pair[0], "x"), reg(pair[1], "y")}, nil, nil)
		_, err = bundle.Read(strings.NewReader(string(data)))
		require.Equal(t, bundle.ReasonDuplicate, formatReason(err), "%q and %q", pair[0], pair[1])
	}
}

// TestReviewHugeIndex: an index.json of tens of megabytes (the bundle
// parser allows 64 MiB for one file) cost the verifier over ten times its
// size in memory and seconds of CPU, and a report of one error per listed
// file. An index larger than that of MaxBundleFiles files is refused
// before it is decoded, one listing more files than a bundle can hold
// before each entry is checked; the largest real index still reads.
func TestVerifyHugeIndex(t *testing.T) {
	ctx := context.Background()
	idx := bundle.Index{Format: bundle.Format, Release: "v1.0.0", VerifiedAt: bundleAt}
	for i := range 400000 {
		idx.Files = append(idx.Files, bundle.File{Name: fmt.Sprintf("x/%09d", i), Size: 1, SHA256: strings.Repeat("0", 64)})
	}
	b := fromFiles(t, map[string][]byte{bundle.IndexName: indexJSON(t, idx)})
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	rep, err := bundle.Verify(ctx, b, bundle.Keys{})
	runtime.ReadMemStats(&m1)
	require.Contains(t, checkReasons(err), bundle.ReasonIndex)
	assert.Less(t, m1.TotalAlloc-m0.TotalAlloc, uint64(16<<20), "bytes allocated")
	assert.Less(t, len(err.Error()), 4096)
	assert.Equal(t, audit.Failed, rep.Status())

	// Under the size bound but listing more than MaxBundleFiles files.
	idx.Files = idx.Files[:bundle.MaxFiles+1]
	b = fromFiles(t, map[string][]byte{bundle.IndexName: indexJSON(t, idx)})
	_, err = bundle.Verify(ctx, b, bundle.Keys{})
	require.Contains(t, checkReasons(err), bundle.ReasonIndex)
	assert.Contains(t, err.Error(), "more than MaxBundleFiles")
	assert.Less(t, len(err.Error()), 4096)

	// The largest index a bundle can have: MaxBundleFiles-1 other files,
	// each with a name of MaxBundleName bytes that JSON escapes to twice
	// its length (U+2028 is written \u2028).
	files := map[string][]byte{}
	long := "d/" + strings.Repeat("\u2028", (bundle.MaxName-2-5)/3)
	for i := range bundle.MaxFiles - 1 {
		files[long+fmt.Sprintf("%05d", i)] = []byte("x")
	}
	files[bundle.IndexName] = indexJSON(t, bundle.Index{Format: bundle.Format, Release: "v1.0.0"})
	reindex(t, files)
	b = fromFiles(t, files)
	got, err := b.Index()
	require.NoError(t, err)
	assert.Len(t, got.Files, bundle.MaxFiles-1)
}

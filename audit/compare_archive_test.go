package audit_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/internal/testkit/audittest"
	"github.com/releasekit/releasekit/manifest"
)

// A gzip-compressed file that is not a tar archive (a compressed binary)
// is an artifact like any other: its digests are compared, and it is not
// reported as an error.
func TestCompareGzipThatIsNotATar(t *testing.T) {
	f := audittest.New(t)
	ctx := t.Context()
	base, _ := f.Release("v1.3.0")
	gz1 := archiveGzip(t, []byte("\x7fELF binary one"))
	gz2 := archiveGzip(t, []byte("\x7fELF binary two, longer"))
	for name, data := range map[string][]byte{"v1.3.0/tool.gz": gz1, "v1.4.0/tool.gz": gz2} {
		p := filepath.Join(f.EvidenceDir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o644))
	}
	rec13 := base.Record
	rec13.Artifacts = []manifest.Artifact{{Name: "tool.gz", Digest: manifest.Digest(gz1)}}
	rec14 := rec13
	rec14.Tag = "v1.4.0"
	rec14.Artifacts = []manifest.Artifact{{Name: "tool.gz", Digest: manifest.Digest(gz2)}}
	src := f.Sources
	src.Store = reviewStore(t, rec13, rec14)
	cmp, err := audit.Compare(ctx, src, "v1.3.0", "v1.4.0")
	require.NoError(t, err)
	require.Len(t, cmp.Artifacts, 1)
	a := cmp.Artifacts[0]
	assert.NoError(t, a.Err)
	assert.Empty(t, a.Error)
	assert.Nil(t, a.Files)
	assert.Contains(t, a.Reason, "digests compared only")
	assert.Equal(t, audit.ChangeChanged, a.Change)

	// A corrupt tar.gz is still an error.
	bad := archiveGzip(t, append(archiveTar(t, archiveGood)[:600], make([]byte, 10)...))
	require.NoError(t, os.WriteFile(filepath.Join(f.EvidenceDir, "v1.4.0", "tool.gz"), bad, 0o644))
	rec14.Tag = "v1.5.0"
	rec14.Artifacts = []manifest.Artifact{{Name: "tool.gz", URI: "v1.4.0/tool.gz", Digest: manifest.Digest(bad)}}
	require.NoError(t, src.Store.PutRecord(ctx, rec14))
	cmp, err = audit.Compare(ctx, src, "v1.5.0", "v1.5.0")
	require.NoError(t, err)
	assert.Equal(t, audit.ReasonArchiveFormat, archiveReason(cmp.Artifacts[0].Err))
}

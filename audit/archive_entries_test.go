package audit_test

import (
	"archive/tar"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
)

// A zip entry marked as a directory by its mode but holding data is a file
// that unzip extracts: skipping it would silently lose it.
func TestListArchiveZipDirectoryWithData(t *testing.T) {
	data := archiveZip(t, []archiveEntry{{"run.sh", tar.TypeDir, "#!/bin/sh\nrm -rf /\n"}, {"a.txt", tar.TypeReg, "a"}})
	files, err := archiveList(data, audit.ArchiveLimits{})
	assert.Nil(t, files)
	require.Equal(t, audit.ReasonArchiveEntry, archiveReason(err))
	var ae *audit.ArchiveError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "run.sh", ae.Entry)
}

// A path that is both a file and a directory cannot be extracted without
// losing one of them.
func TestListArchiveFileAndDirectory(t *testing.T) {
	for name, entries := range map[string][]archiveEntry{
		"file then child":  {{"a", tar.TypeReg, "x"}, {"a/b", tar.TypeReg, "y"}},
		"child then file":  {{"a/b", tar.TypeReg, "y"}, {"a", tar.TypeReg, "x"}},
		"dir entry, file":  {{"a/", tar.TypeDir, ""}, {"a", tar.TypeReg, "x"}},
		"file, dir entry":  {{"a", tar.TypeReg, "x"}, {"a/", tar.TypeDir, ""}},
		"deep file, child": {{"d/a", tar.TypeReg, "x"}, {"d/a/b/c", tar.TypeReg, "y"}},
	} {
		t.Run(name, func(t *testing.T) {
			for kind, data := range map[string][]byte{"tar": archiveTar(t, entries), "zip": archiveZip(t, entries)} {
				files, err := archiveList(data, audit.ArchiveLimits{})
				assert.Nil(t, files, kind)
				assert.Equal(t, audit.ReasonArchiveEntry, archiveReason(err), kind)
			}
		})
	}
	// Siblings that share a prefix are fine.
	files, err := archiveList(archiveTar(t, []archiveEntry{{"a", tar.TypeReg, "x"}, {"a.b/c", tar.TypeReg, "y"}, {"ab", tar.TypeReg, "z"}}), audit.ArchiveLimits{})
	require.NoError(t, err)
	assert.Len(t, files, 3)
}

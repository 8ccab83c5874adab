package changelog_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/changelog"
)

// The error for a remote that cannot be used never repeats its credentials
// (relctl prints it, CI logs keep it).
func TestRemoteLinksRedactsCredentials(t *testing.T) {
	for _, r := range []string{
		"https://user:s3cret@github.com/",
		"https://s3cret@github.com/o/r with space",
		"ftp://user:s3cret@github.com/o/r",
		"https://user:s3cret@github.com/o/../r",
	} {
		_, err := changelog.RemoteLinks(r, "")
		require.Error(t, err, r)
		var re *changelog.RemoteError
		require.ErrorAs(t, err, &re, r)
		assert.Equal(t, "invalid remote URL", re.Reason)
		assert.NotContains(t, re.Remote, "s3cret", r)
		assert.NotContains(t, err.Error(), "s3cret", r)
	}
	l, err := changelog.RemoteLinks("git@GitHub.COM:o/r.git", "")
	require.NoError(t, err)
	assert.Equal(t, "https://github.com/o/r/commit/{hash}", l.Commit)
}

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

func TestRemoteLinks(t *testing.T) {
	tests := []struct {
		remote string
		forge  changelog.Forge
		commit string
		reason string // the RemoteError's Reason, or "" for none
	}{
		{"https://github.com/acme/app.git", "", "https://github.com/acme/app/commit/{hash}", ""},
		{"https://x-token:secret@github.com/acme/app.git", "", "https://github.com/acme/app/commit/{hash}", ""},
		{"git@github.com:acme/app.git", "", "https://github.com/acme/app/commit/{hash}", ""},
		{"ssh://git@gitlab.com:2222/group/sub/app.git", "", "https://gitlab.com/group/sub/app/-/commit/{hash}", ""},
		{"https://codeberg.org/acme/app", "", "https://codeberg.org/acme/app/commit/{hash}", ""},
		{"git@bitbucket.org:acme/app.git", "", "https://bitbucket.org/acme/app/commits/{hash}", ""},
		{"https://git.example.com/acme/app.git", changelog.Gitea, "https://git.example.com/acme/app/commit/{hash}", ""},
		{"https://git.example.com/acme/app.git", "", "", "unknown forge"},
		{"https://git.example.com/acme/app.git", "svn", "", "unknown forge"},
		{"", "", "", "invalid remote URL"},
		{"javascript:alert(1)", "", "", "invalid remote URL"},
		{"file:///tmp/x", "", "", "invalid remote URL"},
		{"https://github.com/acme/a(b)", "", "", "invalid remote URL"},
		{"https://github.com/../../x", "", "", "invalid remote URL"},
	}
	for _, tc := range tests {
		t.Run(tc.remote, func(t *testing.T) {
			l, err := changelog.RemoteLinks(tc.remote, tc.forge)
			if tc.reason != "" {
				var re *changelog.RemoteError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, tc.reason, re.Reason)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.commit, l.Commit)
		})
	}
}

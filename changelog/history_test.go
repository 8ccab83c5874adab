package changelog_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/internal/testkit/golden"
	"github.com/releasekit/releasekit/semver"
)

func TestGoldenHistory(t *testing.T) {
	f := newFixture(t)
	repo := f.GoGit(t)
	head, err := commits.Resolve(repo, "HEAD")
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		format changelog.Format
	}{
		{"history.md", changelog.Markdown},
		{"history.keepachangelog.md", changelog.KeepAChangelog},
		{"history.json", changelog.JSON},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			var versions []string
			for rel, err := range changelog.History(t.Context(), repo, head, semver.Scheme{Prefix: "v"}, changelog.WithUnreleased(),
				changelog.WithParseOptions(commits.WithAdditionalHeaders())) {
				require.NoError(t, err)
				versions = append(versions, rel.Version)
				require.NoError(t, changelog.Write(&b, changelog.Build(rel, changelog.WithLinks(links(t))), tc.format))
				b.WriteString("\n")
			}
			assert.Equal(t, []string{"", "v2.0.0", "v1.0.1", "v1.0.0"}, versions)
			golden.Check(t, filepath.Join("testdata", tc.name), b.Bytes())
		})
	}
}

func TestHistoryComponent(t *testing.T) {
	f := newFixture(t)
	f.CommitFiles("feat(api): component start\n", map[string]string{"api/a.go": "a"})
	f.Tag("api/v0.1.0", "HEAD")
	f.CommitFiles("fix(web): not api\n", map[string]string{"web/w.js": "w"})
	f.CommitFiles("fix(api): component fix\n", map[string]string{"api/a.go": "b"})
	f.Tag("api/v0.1.1", "HEAD")
	f.CommitFiles("feat(api): unreleased api\n", map[string]string{"api/b.go": "b"})
	repo := f.GoGit(t)
	head, err := commits.Resolve(repo, "HEAD")
	require.NoError(t, err)
	var got []string
	for rel, err := range changelog.History(t.Context(), repo, head, semver.ComponentScheme("api", "/"), changelog.WithPaths("api"), changelog.WithUnreleased()) {
		require.NoError(t, err)
		var ds []string
		for _, c := range rel.Commits {
			ds = append(ds, c.Description)
		}
		got = append(got, rel.Version+"<"+rel.Previous+": "+strings.Join(ds, ","))
	}
	assert.Equal(t, []string{
		"<api/v0.1.1: unreleased api",
		"api/v0.1.1<api/v0.1.0: component fix",
		"api/v0.1.0<: component start",
	}, got)
}

func TestHistoryErrors(t *testing.T) {
	f := newFixture(t)
	repo := f.GoGit(t)
	for _, err := range changelog.History(t.Context(), repo, plumbing.NewHash("0123456789abcdef0123456789abcdef01234567"), semver.Scheme{Prefix: "v"}) {
		require.Error(t, err)
		assert.ErrorIs(t, err, commits.ErrIncompleteHistory)
	}
}

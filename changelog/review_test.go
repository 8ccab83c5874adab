package changelog_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/changelog"
)

// A description that starts with a list marker or indentation must not
// open a nested list or code block inside the entry's list item.
func TestReviewEntryListInjection(t *testing.T) {
	for _, desc := range []string{"- nested item", "+ nested item", "1. nested", "2) nested", "     indented code", "---"} {
		n := changelog.Notes{Version: "v1.0.0", Sections: []changelog.Section{{Title: "Features", Type: "feat", Entries: []changelog.Entry{{Hash: "abcdef0123456789", Description: desc, Tickets: []string{}}}}}}
		for _, f := range []changelog.Format{changelog.Markdown, changelog.KeepAChangelog} {
			var b bytes.Buffer
			require.NoError(t, changelog.Write(&b, n, f))
			for _, line := range strings.Split(b.String(), "\n") {
				if len(line) > 2 && (line[0] == '*' || line[0] == '-') && line[1] == ' ' {
					rest := line[2:]
					assert.False(t, strings.HasPrefix(rest, " "), "indented content %q", line)
					assert.False(t, strings.HasPrefix(rest, "- ") || strings.HasPrefix(rest, "+ ") || strings.HasPrefix(rest, "---"), "nested list/rule %q", line)
					assert.NotRegexp(t, `^[0-9]+[.)]`, rest, "nested ordered list %q", line)
				}
			}
		}
		var b bytes.Buffer
		require.NoError(t, changelog.WriteReleaseNotes(&b, n, changelog.Metadata{}))
		assert.NotContains(t, b.String(), "  - - ")
		assert.NotContains(t, b.String(), "  - 1. ")
		assert.NotContains(t, b.String(), "  - + ")
	}
	assert.Equal(t, `\- x`, changelog.Escape("- x"))
	assert.Equal(t, `1\. x`, changelog.Escape("1. x"))
}

// A heading inside a fenced code block whose inner lines look like fences
// (a longer opening fence, an info string on an inner line) is not a
// section of the file.
func TestReviewFenceNotClosedByInnerFence(t *testing.T) {
	for _, doc := range []string{
		"# Changelog\n\n````md\n```go\n## [1.0.0]\n```\n````\n",
		"# Changelog\n\n```\n```js\n## [1.0.0]\n```\n",
		"# Changelog\n\n~~~~\n~~~\n## [1.0.0]\n~~~\n~~~~\n",
	} {
		n := changelog.Notes{Version: "v1.0.0"}
		out, err := changelog.Insert([]byte(doc), n)
		require.NoError(t, err, doc)
		assert.True(t, strings.HasPrefix(string(out), doc), "original kept on top: %q", out)
	}
}

// A caller-set CompareURL cannot end the heading link early.
func TestReviewCompareURLEscaped(t *testing.T) {
	n := changelog.Notes{Version: "v1.0.0", CompareURL: "https://h/o/r/compare/a)[x](javascript:alert(1)"}
	var b bytes.Buffer
	require.NoError(t, changelog.Write(&b, n, changelog.Markdown))
	assert.NotContains(t, b.String(), "](javascript:")
}

// A file that ends inside an unclosed long fence gets a fence that closes
// it before the new section, so the section is not swallowed as code.
func TestReviewUnclosedLongFence(t *testing.T) {
	doc := "# Changelog\n\n````\ncode\n"
	out, err := changelog.Insert([]byte(doc), changelog.Notes{Version: "v1.0.0"})
	require.NoError(t, err)
	rest := strings.TrimPrefix(string(out), doc)
	require.True(t, strings.HasPrefix(string(out), doc))
	closing, _, _ := strings.Cut(rest, "\n")
	assert.GreaterOrEqual(t, len(closing), 4, "closing fence %q", closing)
	// Re-running finds the section: it is outside the fence.
	_, err = changelog.Insert(out, changelog.Notes{Version: "v1.0.0"})
	assert.ErrorIs(t, err, changelog.ErrAlreadyDocumented)
}

// The error for a remote that cannot be used never repeats its credentials
// (relctl prints it, CI logs keep it).
func TestReviewRemoteErrorRedactsCredentials(t *testing.T) {
	for _, r := range []string{
		"https://user:s3cret@github.com/",
		"https://s3cret@github.com/o/r with space",
		"ftp://user:s3cret@github.com/o/r",
		"https://user:s3cret@github.com/o/../r",
	} {
		_, err := changelog.RemoteLinks(r, "")
		require.Error(t, err, r)
		assert.ErrorIs(t, err, changelog.ErrInvalidRemote)
		assert.NotContains(t, err.Error(), "s3cret", r)
	}
	l, err := changelog.RemoteLinks("git@GitHub.COM:o/r.git", "")
	require.NoError(t, err)
	assert.Equal(t, "https://github.com/o/r/commit/{hash}", l.Commit)
}

// A heading indented by up to three spaces is still a heading: the
// version it documents is detected, not documented a second time.
func TestReviewIndentedHeadingDetected(t *testing.T) {
	doc := "# Changelog\n\n   ## [1.0.0] - 2025-01-01\n\n- First.\n"
	_, err := changelog.Insert([]byte(doc), changelog.Notes{Version: "v1.0.0"})
	assert.ErrorIs(t, err, changelog.ErrAlreadyDocumented)
	out, err := changelog.Insert([]byte(doc), changelog.Notes{Version: "v1.1.0"})
	require.NoError(t, err)
	assert.Less(t, strings.Index(string(out), "1.1.0"), strings.Index(string(out), "1.0.0"), "new version on top: %q", out)
}

// "```a`b" is inline code, not a fence: the heading after it is real.
func TestReviewBacktickInfoStringIsNotAFence(t *testing.T) {
	doc := "# Changelog\n\n```a`b\n\n## [1.0.0]\n\n- First.\n"
	_, err := changelog.Insert([]byte(doc), changelog.Notes{Version: "1.0.0"})
	assert.ErrorIs(t, err, changelog.ErrAlreadyDocumented)
}

// WriteReleaseNotes promises that every text is escaped, hashes included
// (Notes are exported, so a caller can build entries by hand).
func TestReviewReleaseNotesEscapeHashes(t *testing.T) {
	e := changelog.Entry{Hash: "<script>x</script>", BackportOf: "<img src=x onerror=alert(1)>", Description: "d", Type: "fix", Tickets: []string{}}
	n := changelog.Notes{Version: "v1.0.0", Sections: []changelog.Section{{Title: "Bug Fixes", Type: "fix", Entries: []changelog.Entry{e}}},
		Breaking: []changelog.Breaking{{Hash: "<b>h</b>", Description: "d", Note: "n"}}}
	var b bytes.Buffer
	require.NoError(t, changelog.WriteReleaseNotes(&b, n, changelog.Metadata{}))
	assert.NotContains(t, b.String(), "<script>")
	assert.NotContains(t, b.String(), "<img")
	assert.NotContains(t, b.String(), "<b>")
}

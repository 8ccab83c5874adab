package changelog_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/commits"
)

// hostile are commit messages that try to break out of the changelog.
var hostile = []struct {
	name, msg string
}{
	{"script", "feat: <script>alert(1)</script>\n"},
	{"javascript link", "fix: click [here](javascript:alert(1))\n"},
	{"bare link close", "fix: x](javascript:alert(1))\n"},
	{"image", "fix: ![x](https://evil.example/x.png)\n"},
	{"html comment", "feat: hide <!-- the rest\n"},
	{"heading via footer", "feat!: x\n\nBREAKING CHANGE: migrate\n## [9.9.9] - 2099-01-01\n"},
	{"heading via body", "feat!: x\n\nbody\n\n## [9.9.9] - 2099-01-01\n=====\n"},
	{"heading via scope", "feat(a\u2028## [9.9.9]): x\n"},
	{"template", "feat: leak {{.Token}} {{printf \"%s\" .}}\n"},
	{"html entity", "fix: &lt;script&gt; and &#x3C;\n"},
	{"autolink", "fix: <javascript:alert(1)>\n"},
	{"table and code", "fix: | a | b | `code` ~~strike~~ *em* _u_\n"},
	{"list in note", "feat!: x\n\nBREAKING CHANGE: do this:\n- step\n1. one\n    code\n"},
}

func TestEscapeHostile(t *testing.T) {
	for _, tc := range hostile {
		t.Run(tc.name, func(t *testing.T) {
			n := changelog.Build(changelog.Release{Version: "v1.0.0", Commits: []commits.Commit{parse("ab12ab12ab12", tc.msg)}})
			for _, f := range []changelog.Format{changelog.Markdown, changelog.KeepAChangelog} {
				var b bytes.Buffer
				require.NoError(t, changelog.Write(&b, n, f))
				out := b.String()
				assertInert(t, out)
				// A fresh CHANGELOG holding the section has exactly one
				// version heading.
				doc, err := changelog.Insert(nil, n, changelog.WithFormat(f))
				require.NoError(t, err)
				_, err = changelog.Insert(doc, changelog.Notes{Version: "9.9.9"})
				require.NoError(t, err, "9.9.9 must not look documented:\n%s", doc)
			}
			tmpl, err := changelog.ParseTemplate("t", "{{range .Sections}}{{range .Entries}}{{md .Description}}|{{.Description}}{{end}}{{end}}")
			require.NoError(t, err)
			var b bytes.Buffer
			require.NoError(t, changelog.WriteTemplate(&b, n, tmpl))
			if strings.Contains(tc.msg, "{{.Token}}") {
				assert.Contains(t, b.String(), "{{.Token}}", "printed as data, never executed")
			}
		})
	}
}

// assertInert checks that Markdown output holds no live HTML, link to a
// script, comment or forged heading.
func assertInert(t *testing.T, out string) {
	t.Helper()
	assertInertWith(t, out, `^(## \[?(v1\.0\.0|Unreleased)|### )`)
}

// assertInertWith is assertInert with the pattern of allowed headings.
func assertInertWith(t *testing.T, out, headings string) {
	t.Helper()
	for _, bad := range []string{"<script", "<!--", "<javascript:", "\n## [9.9.9]", "\n=====", "![x]("} {
		assert.NotContains(t, out, bad)
	}
	// A "](" that is not escaped would close a link text.
	assert.NotRegexp(t, `(^|[^\\])\]\(javascript:`, out)
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "#") {
			assert.Regexp(t, headings, line, "only our headings")
		}
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"<b>&", "&lt;b&gt;&amp;"},
		{"a\nb\r\nc\u2028d", "a b  c d"},
		{"[x](y)", `\[x\](y)`},
		{"snake_case *x*", `snake\_case \*x\*`},
		{"{{.Token}}", `\{\{.Token\}\}`},
		{"ünï ✨", "ünï ✨"},
		{"a\u202eb\x00c", "a b c"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, changelog.Escape(tc.in), "Escape(%q)", tc.in)
	}
}

func TestReleaseNotesHostileMetadata(t *testing.T) {
	n := changelog.Build(changelog.Release{Version: "v1.0.0", Commits: []commits.Commit{parse("ab12ab12ab12", "feat: <script>x</script>\n")}})
	var b bytes.Buffer
	require.NoError(t, changelog.WriteReleaseNotes(&b, n, changelog.Metadata{
		SBOM:        "javascript:alert(1)",
		Provenance:  "https://ok.example/p>x",
		KnownIssues: []string{"line\n## [9.9.9]"},
	}))
	out := b.String()
	assertInertWith(t, out, `^(# Release v1\.0\.0|## (`+strings.Join(changelog.ReleaseNotesSections(), "|")+`))$`)
	assert.NotContains(t, out, "<javascript:")
	assert.Contains(t, out, "<https://ok.example/p%3Ex>")
}

// A description that starts with a list marker or indentation must not
// open a nested list or code block inside the entry's list item.
func TestEntryListInjection(t *testing.T) {
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

// A caller-set CompareURL cannot end the heading link early.
func TestCompareURLEscaped(t *testing.T) {
	n := changelog.Notes{Version: "v1.0.0", CompareURL: "https://h/o/r/compare/a)[x](javascript:alert(1)"}
	var b bytes.Buffer
	require.NoError(t, changelog.Write(&b, n, changelog.Markdown))
	assert.NotContains(t, b.String(), "](javascript:")
}

// WriteReleaseNotes promises that every text is escaped, hashes included
// (Notes are exported, so a caller can build entries by hand).
func TestReleaseNotesEscapeHashes(t *testing.T) {
	e := changelog.Entry{Hash: "<script>x</script>", BackportOf: "<img src=x onerror=alert(1)>", Description: "d", Type: "fix", Tickets: []string{}}
	n := changelog.Notes{Version: "v1.0.0", Sections: []changelog.Section{{Title: "Bug Fixes", Type: "fix", Entries: []changelog.Entry{e}}},
		Breaking: []changelog.Breaking{{Hash: "<b>h</b>", Description: "d", Note: "n"}}}
	var b bytes.Buffer
	require.NoError(t, changelog.WriteReleaseNotes(&b, n, changelog.Metadata{}))
	assert.NotContains(t, b.String(), "<script>")
	assert.NotContains(t, b.String(), "<img")
	assert.NotContains(t, b.String(), "<b>")
}

package changelog_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/internal/testkit/golden"
)

const handWritten = "# Changelog\n\nAll notable changes are documented here.\nHand-written *notes* stay.\n\n## [Unreleased]\n\n- something pending\n\n## [1.0.0] - 2025-12-01\n\n### Added\n\n- The first release, written by hand.\n\n```md\n## [2.0.0] inside a fence is not a heading\n```\n"

func notesFor(version string, msgs ...string) changelog.Notes {
	var cs []commits.Commit
	for i, m := range msgs {
		cs = append(cs, parse(strings.Repeat(string(rune('a'+i)), 40), m))
	}
	return changelog.Build(changelog.Release{Version: version, Previous: "v1.0.0", Date: time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC), Commits: cs})
}

func TestInsert(t *testing.T) {
	v110 := notesFor("v1.1.0", "feat(api): pagination\n", "fix: crash\n")
	section := func(nl string) string {
		var b bytes.Buffer
		require.NoError(t, changelog.Write(&b, v110, changelog.Markdown))
		return strings.ReplaceAll(b.String(), "\n", nl)
	}
	crlf := strings.ReplaceAll(handWritten, "\n", "\r\n")
	bom := "\xef\xbb\xbf"
	tests := []struct {
		name, in, want string
	}{
		{"unreleased replaced", handWritten,
			strings.Replace(handWritten, "## [Unreleased]\n\n- something pending\n\n", section("\n")+"\n", 1)},
		{"crlf kept", crlf,
			strings.Replace(crlf, "## [Unreleased]\r\n\r\n- something pending\r\n\r\n", section("\r\n")+"\r\n", 1)},
		{"bom kept", bom + handWritten,
			bom + strings.Replace(handWritten, "## [Unreleased]\n\n- something pending\n\n", section("\n")+"\n", 1)},
		{"bom and unreleased first", bom + "## Unreleased\n\n- x\n\n## 1.0.0\n",
			bom + section("\n") + "\n## 1.0.0\n"},
		{"under the title", "# Changelog\n\nIntro.\n\n## 1.0.0\n\n- a\n",
			"# Changelog\n\nIntro.\n\n" + section("\n") + "\n## 1.0.0\n\n- a\n"},
		{"no final newline", "# Changelog\n\nIntro without newline",
			"# Changelog\n\nIntro without newline\n\n" + section("\n")},
		{"empty file", "", "# Changelog\n\n" + section("\n")},
		{"unreleased last without final newline", "# C\n\n## 1.0.0\n\n- a\n\n## Unreleased\n- x",
			"# C\n\n## 1.0.0\n\n- a\n\n" + section("\n")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, changelog.Update(strings.NewReader(tc.in), &out, v110))
			assert.Equal(t, tc.want, out.String())

			// Never a second copy.
			_, err := changelog.Insert(out.Bytes(), v110)
			require.ErrorIs(t, err, changelog.ErrAlreadyDocumented)
			same, err := changelog.Insert(out.Bytes(), v110, changelog.WithSkipDocumented())
			require.NoError(t, err)
			assert.Equal(t, out.String(), string(same))
			again, err := changelog.Insert(out.Bytes(), v110, changelog.WithReplace())
			require.NoError(t, err)
			assert.Equal(t, out.String(), string(again), "replace is idempotent")
			assert.Equal(t, 1, strings.Count(string(again), "## [v1.1.0]")+strings.Count(string(again), "## v1.1.0"))
		})
	}
}

func TestInsertDocumentedForms(t *testing.T) {
	for _, heading := range []string{"## [1.1.0] - 2026-01-01", "## v1.1.0", "## [v1.1.0](https://x/compare) (2026-01-01)", "## 1.1.0 (2026-01-01)"} {
		_, err := changelog.Insert([]byte("# C\n\n"+heading+"\n\n- x\n"), notesFor("v1.1.0", "feat: a\n"))
		assert.ErrorIs(t, err, changelog.ErrAlreadyDocumented, heading)
	}
	_, err := changelog.Insert([]byte("# C\n"), notesFor("v1.1.0", "feat: a\n"), changelog.WithFormat(changelog.JSON))
	var fe *changelog.FormatError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "cannot go into a CHANGELOG.md", fe.Reason)
}

func TestInsertKeepAChangelog(t *testing.T) {
	out, err := changelog.Insert([]byte(handWritten), notesFor("1.1.0", "feat: a\n"), changelog.WithFormat(changelog.KeepAChangelog))
	require.NoError(t, err)
	golden.Check(t, filepath.Join("testdata", "update.keepachangelog.md"), out)
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestUpdateWriterError(t *testing.T) {
	in := []byte(handWritten)
	err := changelog.Update(bytes.NewReader(in), failWriter{}, notesFor("v1.1.0", "feat: a\n"))
	require.Error(t, err)
	assert.Equal(t, handWritten, string(in))
}

func TestUpdateFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "CHANGELOG.md")
	crlf := "\xef\xbb\xbf" + strings.ReplaceAll(handWritten, "\n", "\r\n")
	require.NoError(t, os.WriteFile(path, []byte(crlf), 0o640))
	v := notesFor("v1.1.0", "feat: a\n")
	require.NoError(t, changelog.UpdateFile(dir, "CHANGELOG.md", []changelog.Notes{v}))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	want, err := changelog.Insert([]byte(crlf), v)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), fi.Mode().Perm(), "permissions kept")

	err = changelog.UpdateFile(dir, "CHANGELOG.md", []changelog.Notes{v})
	require.ErrorIs(t, err, changelog.ErrAlreadyDocumented)
	again, _ := os.ReadFile(path)
	assert.Equal(t, string(got), string(again), "untouched after ErrAlreadyDocumented")

	// Several releases, newest first, land newest on top.
	require.NoError(t, changelog.UpdateFile(dir, "NEW.md", []changelog.Notes{notesFor("v3.0.0", "feat: c\n"), notesFor("v2.0.0", "feat: b\n")}))
	fresh, _ := os.ReadFile(filepath.Join(dir, "NEW.md"))
	assert.Less(t, strings.Index(string(fresh), "v3.0.0"), strings.Index(string(fresh), "v2.0.0"))
	assert.True(t, strings.HasPrefix(string(fresh), "# Changelog\n\n## v3.0.0"))
	assertNoTemp(t, dir)
}

func TestUpdateFileUnsafe(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	target := filepath.Join(outside, "CHANGELOG.md")
	require.NoError(t, os.WriteFile(target, []byte(handWritten), 0o644))
	require.NoError(t, os.Symlink(target, filepath.Join(dir, "CHANGELOG.md")))
	v := notesFor("v1.1.0", "feat: a\n")
	for _, name := range []string{"CHANGELOG.md", "../x.md", filepath.Join(outside, "CHANGELOG.md")} {
		err := changelog.UpdateFile(dir, name, []changelog.Notes{v})
		assert.ErrorIs(t, err, changelog.ErrUnsafePath, name)
	}
	got, _ := os.ReadFile(target)
	assert.Equal(t, handWritten, string(got))
}

func TestUpdateFileReadOnlyDir(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "CHANGELOG.md")
	require.NoError(t, os.WriteFile(path, []byte(handWritten), 0o644))
	makeReadOnly(t, dir)
	err := changelog.UpdateFile(dir, "CHANGELOG.md", []changelog.Notes{notesFor("v1.1.0", "feat: a\n")})
	require.Error(t, err)
	got, _ := os.ReadFile(path)
	assert.Equal(t, handWritten, string(got))
	assertNoTemp(t, dir)
}

// makeReadOnly makes dir refuse new files until the test ends: by its mode
// for an ordinary user, and with the immutable attribute (chattr +i) for
// root, whom modes do not stop. It skips the test when neither works.
func makeReadOnly(t *testing.T, dir string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no read-only directories on Windows")
	}
	if os.Geteuid() != 0 {
		require.NoError(t, os.Chmod(dir, 0o555))
		t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
		return
	}
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		t.Skipf("running as root and chattr +i failed (%v: %s)", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("chattr", "-i", dir).Run() })
	if f, err := os.CreateTemp(dir, "probe"); err == nil {
		f.Close()
		_ = exec.Command("chattr", "-i", dir).Run()
		_ = os.Remove(f.Name())
		t.Skip("the immutable attribute does not stop root here")
	}
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.NotContains(t, e.Name(), ".tmp-", "temporary file left behind")
	}
}

// A heading inside a fenced code block whose inner lines look like fences
// (a longer opening fence, an info string on an inner line) is not a
// section of the file.
func TestInsertFenceNotClosedByInnerFence(t *testing.T) {
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

// A file that ends inside an unclosed long fence gets a fence that closes
// it before the new section, so the section is not swallowed as code.
func TestInsertUnclosedLongFence(t *testing.T) {
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

// A heading indented by up to three spaces is still a heading: the
// version it documents is detected, not documented a second time.
func TestInsertIndentedHeadingDetected(t *testing.T) {
	doc := "# Changelog\n\n   ## [1.0.0] - 2025-01-01\n\n- First.\n"
	_, err := changelog.Insert([]byte(doc), changelog.Notes{Version: "v1.0.0"})
	assert.ErrorIs(t, err, changelog.ErrAlreadyDocumented)
	out, err := changelog.Insert([]byte(doc), changelog.Notes{Version: "v1.1.0"})
	require.NoError(t, err)
	assert.Less(t, strings.Index(string(out), "1.1.0"), strings.Index(string(out), "1.0.0"), "new version on top: %q", out)
}

// "```a`b" is inline code, not a fence: the heading after it is real.
func TestInsertBacktickInfoStringIsNotAFence(t *testing.T) {
	doc := "# Changelog\n\n```a`b\n\n## [1.0.0]\n\n- First.\n"
	_, err := changelog.Insert([]byte(doc), changelog.Notes{Version: "1.0.0"})
	assert.ErrorIs(t, err, changelog.ErrAlreadyDocumented)
}

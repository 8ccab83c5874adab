package versionfile_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/golden"
	"github.com/releasekit/releasekit/versionfile"
)

// Each testdata/NAME.d/input is a version file with unusual formatting
// (comments, CRLF, tabs, odd key order, decoys that must not change);
// want is the file with the version set to 2.0.0-rc.1, byte for byte.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*.d")
	require.NoError(t, err)
	require.Len(t, dirs, len(versionfile.Kinds()), "a golden file per kind")
	seen := map[versionfile.Kind]bool{}
	for _, dir := range dirs {
		name := strings.TrimSuffix(filepath.Base(dir), ".d")
		t.Run(name, func(t *testing.T) {
			k, _ := versionfile.KindOf(name)
			seen[k] = true
			in, err := os.ReadFile(filepath.Join(dir, "input"))
			require.NoError(t, err)
			before, err := versionfile.Version(k, in)
			require.NoError(t, err)
			assert.Equal(t, "1.2.3", before)
			out, err := versionfile.Update(k, in, "2.0.0-rc.1")
			require.NoError(t, err)
			golden.Check(t, filepath.Join(dir, "want"), out)
			after, err := versionfile.Version(k, out)
			require.NoError(t, err)
			assert.Equal(t, "2.0.0-rc.1", after)
			assertOnlyVersionsChanged(t, k, in, out, "2.0.0-rc.1")
			// Setting the version back gives the input again.
			back, err := versionfile.Update(k, out, "1.2.3")
			require.NoError(t, err)
			assert.Equal(t, string(in), string(back))
		})
	}
	assert.Len(t, seen, len(versionfile.Kinds()))
}

// assertOnlyVersionsChanged checks out is in with each span Find reports
// replaced by version, and nothing else.
func assertOnlyVersionsChanged(t *testing.T, k versionfile.Kind, in, out []byte, version string) {
	t.Helper()
	spans, err := versionfile.Find(k, in)
	require.NoError(t, err)
	var want bytes.Buffer
	last := 0
	for _, s := range spans {
		want.Write(in[last:s.Start])
		want.WriteString(version)
		last = s.End
	}
	want.Write(in[last:])
	assert.Equal(t, want.String(), string(out))
	// Line endings and tabs are kept.
	assert.Equal(t, bytes.Count(in, []byte("\r\n")), bytes.Count(out, []byte("\r\n")))
	assert.Equal(t, bytes.Count(in, []byte("\t")), bytes.Count(out, []byte("\t")))
}

func TestKindOf(t *testing.T) {
	for name, want := range map[string]versionfile.Kind{
		"package.json": versionfile.PackageJSON, "web/package-lock.json": versionfile.PackageLock,
		"composer.json": versionfile.Composer, "charts/checkout/Chart.yaml": versionfile.HelmChart,
		"pom.xml": versionfile.Maven, "Cargo.toml": versionfile.Cargo, "pyproject.toml": versionfile.PyProject,
		"internal/version/version.go": versionfile.GoSource, `win\dir\package.json`: versionfile.PackageJSON,
	} {
		k, ok := versionfile.KindOf(name)
		assert.True(t, ok, name)
		assert.Equal(t, want, k, name)
	}
	k, ok := versionfile.KindOf("README.md")
	assert.False(t, ok)
	assert.Equal(t, versionfile.Marked, k)
}

// Files the package must refuse, each with the error a caller branches on.
func TestRefused(t *testing.T) {
	for _, c := range []struct {
		name string
		kind versionfile.Kind
		in   string
		want error
	}{
		{"json syntax", versionfile.PackageJSON, `{"version": "1.2.3",}`, versionfile.ErrSyntax},
		{"json no version", versionfile.Composer, `{"name": "shop/theme"}`, versionfile.ErrNoVersion},
		{"json duplicate", versionfile.PackageJSON, `{"version": "1.2.3", "version": "1.2.4"}`, versionfile.ErrAmbiguous},
		{"json escaped", versionfile.PackageJSON, `{"version": "1.2.\u0033"}`, versionfile.ErrUnsupported},
		{"json number", versionfile.PackageJSON, `{"version": 1.2}`, versionfile.ErrUnsupported},
		{"json array root", versionfile.PackageJSON, `[{"version": "1.2.3"}]`, versionfile.ErrNoVersion},
		{"lock disagrees", versionfile.PackageLock, `{"version": "1.2.3", "packages": {"": {"version": "1.2.4"}}}`, versionfile.ErrAmbiguous},
		{"yaml duplicate", versionfile.HelmChart, "version: 1.2.3\nversion: 1.2.4\n", versionfile.ErrAmbiguous},
		{"yaml block", versionfile.HelmChart, "version: |\n  1.2.3\n", versionfile.ErrUnsupported},
		{"yaml escaped", versionfile.HelmChart, "version: \"1.2.\\x33\"\n", versionfile.ErrUnsupported},
		{"yaml alias", versionfile.HelmChart, "v: &v 1.2.3\nversion: *v\n", versionfile.ErrUnsupported},
		{"yaml two docs", versionfile.HelmChart, "version: 1.2.3\n---\nversion: 1.2.3\n", versionfile.ErrUnsupported},
		{"yaml no version", versionfile.HelmChart, "name: x\n", versionfile.ErrNoVersion},
		{"pom inherits", versionfile.Maven, "<project><parent><version>1</version></parent></project>", versionfile.ErrNoVersion},
		{"pom property", versionfile.Maven, "<project><version>${revision}</version></project>", versionfile.ErrUnsupported},
		{"pom entity", versionfile.Maven, "<project><version>1.2.&#51;</version></project>", versionfile.ErrUnsupported},
		{"pom comment inside", versionfile.Maven, "<project><version><!-- x -->1.2.3</version></project>", versionfile.ErrUnsupported},
		{"pom other root", versionfile.Maven, "<settings><version>1.2.3</version></settings>", versionfile.ErrNoVersion},
		{"pom syntax", versionfile.Maven, "<project><version>1.2.3</project>", versionfile.ErrSyntax},
		{"cargo workspace", versionfile.Cargo, "[package]\nname = \"x\"\nversion.workspace = true\n", versionfile.ErrNoVersion},
		{"cargo multiline", versionfile.Cargo, "[package]\nversion = \"\"\"1.2.3\"\"\"\n", versionfile.ErrUnsupported},
		{"cargo escaped", versionfile.Cargo, "[package]\nversion = \"1.2.\\u0033\"\n", versionfile.ErrUnsupported},
		{"cargo syntax", versionfile.Cargo, "[package\nversion = \"1.2.3\"\n", versionfile.ErrSyntax},
		{"cargo duplicate", versionfile.Cargo, "[package]\nversion = \"1.2.3\"\nversion = \"1.2.3\"\n", versionfile.ErrAmbiguous},
		{"pyproject dynamic", versionfile.PyProject, "[project]\nname = \"x\"\ndynamic = [\"version\"]\n", versionfile.ErrNoVersion},
		{"go no const", versionfile.GoSource, "package v\nconst Name = \"x\"\n", versionfile.ErrNoVersion},
		{"go not a string", versionfile.GoSource, "package v\nconst Version = 3\n", versionfile.ErrUnsupported},
		{"go escaped", versionfile.GoSource, "package v\nconst Version = \"1.2.\\x33\"\n", versionfile.ErrUnsupported},
		{"go in a function", versionfile.GoSource, "package v\nfunc f() { const Version = \"1.2.3\"; _ = Version }\n", versionfile.ErrNoVersion},
		{"go syntax", versionfile.GoSource, "package v\nconst Version = \n", versionfile.ErrSyntax},
		{"marker without version", versionfile.Marked, "see docs <!-- x-releasekit-version -->\n", versionfile.ErrNoVersion},
		{"no marker", versionfile.Marked, "version 1.2.3\n", versionfile.ErrNoVersion},
		{"block not closed", versionfile.Marked, "x-releasekit-start-version\n1.2.3\n", versionfile.ErrSyntax},
		{"markers disagree", versionfile.Marked, "1.2.3 x-releasekit-version\n1.2.4 x-releasekit-version\n", versionfile.ErrAmbiguous},
		{"marker with an address", versionfile.Marked, "url: http://10.0.0.1/app-1.2.0.tgz # x-releasekit-version\n", versionfile.ErrAmbiguous},
		{"marker with two versions", versionfile.Marked, "FROM node:20.11.1 # app 1.2.0 x-releasekit-version\n", versionfile.ErrAmbiguous},
		{"marker with a file name", versionfile.Marked, "https://x.example/app-1.2.0-linux-amd64.tar.gz x-releasekit-version\n", versionfile.ErrAmbiguous},
		{"block line with a file name", versionfile.Marked, "x-releasekit-start-version\nhttps://x.example/app-1.2.0-rc.1.zip\nx-releasekit-end\n", versionfile.ErrAmbiguous},
		{"block line with two versions", versionfile.Marked, "x-releasekit-start-version\nFROM node:20.11.1 AS app-1.2.0\nx-releasekit-end\n", versionfile.ErrAmbiguous},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := versionfile.Update(c.kind, []byte(c.in), "2.0.0")
			assert.Nil(t, out)
			require.ErrorIs(t, err, c.want)
			var e *versionfile.Error
			require.True(t, errors.As(err, &e), "%T", err)
			assert.Equal(t, c.kind, e.Kind)
		})
	}
}

// A marked line must carry exactly one version: with two or more (an IPv4
// address reads as a version, so does a base image's tag), which one is
// the release's cannot be told, and the file is refused with the line and
// both versions named; the first of them is never edited.
func TestMarkedLineWithSeveralVersions(t *testing.T) {
	for _, c := range []struct {
		name, in string
		line     int
		reason   string
	}{
		{"address", "# app\nurl: http://10.0.0.1/app-1.2.0.tgz # x-releasekit-version\n", 2, "the line holds more than one version (10.0.0.1 and 1.2.0)"},
		{"base image", "FROM node:20.11.1 # app 1.2.0 x-releasekit-version\n", 1, "the line holds more than one version (20.11.1 and 1.2.0)"},
		{"in a block", "x-releasekit-start-version\nv1.2.0\nnode 20.11.1, app v1.2.0\nx-releasekit-end\n", 3, "the line holds more than one version (20.11.1 and 1.2.0)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := versionfile.Find(versionfile.Marked, []byte(c.in))
			var e *versionfile.Error
			require.True(t, errors.As(err, &e), "%v", err)
			assert.ErrorIs(t, err, versionfile.ErrAmbiguous)
			assert.Equal(t, c.line, e.Line)
			assert.Equal(t, c.reason, e.Reason)
			_, err = versionfile.Version(versionfile.Marked, []byte(c.in))
			assert.ErrorIs(t, err, versionfile.ErrAmbiguous)
			out, err := versionfile.Update(versionfile.Marked, []byte(c.in), "1.3.0")
			assert.ErrorIs(t, err, versionfile.ErrAmbiguous)
			assert.Nil(t, out, "nothing is written")
		})
	}
	// One version on the marked line (an unmarked line may hold others):
	// that one is edited, and only it.
	in := "FROM node:20.11.1\nLABEL version=1.2.0 # x-releasekit-version\n"
	out, err := versionfile.Update(versionfile.Marked, []byte(in), "1.3.0")
	require.NoError(t, err)
	assert.Equal(t, "FROM node:20.11.1\nLABEL version=1.3.0 # x-releasekit-version\n", string(out))
}

// A marked line may write its one version several times (a download URL's
// directory and file name, a block line with the version in a comment):
// Find gives a span for each, Update edits them all and nothing else.
// Different versions on one line stay ambiguous.
func TestMarkedLineWithTheVersionTwice(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
		values         int
	}{
		{"download URL", "curl -LO https://dl.example/v1.2.0/app-1.2.0.tgz # x-releasekit-version\n",
			"curl -LO https://dl.example/v1.3.0/app-1.3.0.tgz # x-releasekit-version\n", 2},
		{"block line", "<!-- x-releasekit-start-version -->\ngo install example.com/app@v1.2.0 # docs for 1.2.0\n<!-- x-releasekit-end -->\n",
			"<!-- x-releasekit-start-version -->\ngo install example.com/app@v1.3.0 # docs for 1.3.0\n<!-- x-releasekit-end -->\n", 2},
		{"three times, CRLF", "1.2.0 1.2.0,1.2.0\tx-releasekit-version\r\nversion 1.2.0 x-releasekit-version\r\n",
			"1.3.0 1.3.0,1.3.0\tx-releasekit-version\r\nversion 1.3.0 x-releasekit-version\r\n", 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			spans, err := versionfile.Find(versionfile.Marked, []byte(c.in))
			require.NoError(t, err)
			require.Len(t, spans, c.values)
			for i, s := range spans {
				assert.Equal(t, "1.2.0", s.Value)
				assert.Equal(t, "1.2.0", c.in[s.Start:s.End])
				if i > 0 {
					assert.Greater(t, s.Start, spans[i-1].End, "in file order, not overlapping")
				}
			}
			out, err := versionfile.Update(versionfile.Marked, []byte(c.in), "1.3.0")
			require.NoError(t, err)
			assert.Equal(t, c.want, string(out))
			assertOnlyVersionsChanged(t, versionfile.Marked, []byte(c.in), out, "1.3.0")
			// A longer version moves the later spans; they still read back.
			out, err = versionfile.Update(versionfile.Marked, []byte(c.in), "10.20.30")
			require.NoError(t, err)
			assert.Equal(t, strings.ReplaceAll(c.in, "1.2.0", "10.20.30"), string(out))
		})
	}
	// Different versions on one line: the first two are named.
	_, err := versionfile.Find(versionfile.Marked, []byte("https://dl.example/v1.2.0/app-1.2.1.tgz # x-releasekit-version\n"))
	var e *versionfile.Error
	require.True(t, errors.As(err, &e), "%v", err)
	assert.ErrorIs(t, err, versionfile.ErrAmbiguous)
	assert.Equal(t, "the line holds more than one version (1.2.0 and 1.2.1)", e.Reason)
}

// A version followed by a file name reads as one pre-release
// ("1.2.0-linux-amd64.tar.gz" is legal SemVer): on a marked line, a
// pre-release or build ending in a well-known file extension is refused,
// never edited (which would delete the file name).
func TestMarkedVersionWithAFileName(t *testing.T) {
	for _, c := range []struct{ in, reason string }{
		{"url: https://dl.example/app-1.2.0-linux-amd64.tar.gz # x-releasekit-version\n",
			"the version 1.2.0-linux-amd64.tar.gz ends in the file extension .gz: a version followed by a file name cannot be told from a pre-release"},
		{"x-releasekit-start-version\nhttps://dl.example/app-1.2.0-rc.1.ZIP\nx-releasekit-end\n",
			"the version 1.2.0-rc.1.ZIP ends in the file extension .ZIP: a version followed by a file name cannot be told from a pre-release"},
		{"sum app-1.2.0+build.7.sha256 x-releasekit-version\n",
			"the version 1.2.0+build.7.sha256 ends in the file extension .sha256: a version followed by a file name cannot be told from a pre-release"},
		{"app_1.2.0-1.deb x-releasekit-version\n",
			"the version 1.2.0-1.deb ends in the file extension .deb: a version followed by a file name cannot be told from a pre-release"},
	} {
		_, err := versionfile.Find(versionfile.Marked, []byte(c.in))
		var e *versionfile.Error
		require.True(t, errors.As(err, &e), "%q: %v", c.in, err)
		assert.ErrorIs(t, err, versionfile.ErrAmbiguous)
		assert.Equal(t, c.reason, e.Reason)
		out, err := versionfile.Update(versionfile.Marked, []byte(c.in), "1.3.0")
		assert.ErrorIs(t, err, versionfile.ErrAmbiguous)
		assert.Nil(t, out, "nothing is written")
	}
	// A pre-release whose last identifier is no file extension is one.
	for in, want := range map[string]string{
		"app 1.2.0-linux-amd64 x-releasekit-version\n": "1.2.0-linux-amd64",
		"app 1.2.0-rc.1 x-releasekit-version\n":        "1.2.0-rc.1",
		"app 1.2.0-tarball x-releasekit-version\n":     "1.2.0-tarball",
		"app-1.2.0.tgz x-releasekit-version\n":         "1.2.0",
	} {
		v, err := versionfile.Version(versionfile.Marked, []byte(in))
		require.NoError(t, err, in)
		assert.Equal(t, want, v)
	}
	// The file name directly after a version is why a pre-release cannot
	// be set there: "app-1.3.0-rc.1.tgz" would read as one version. The
	// edit is refused, not written.
	out, err := versionfile.Update(versionfile.Marked, []byte("app-1.2.0.tgz x-releasekit-version\n"), "1.3.0-rc.1")
	assert.ErrorIs(t, err, versionfile.ErrAmbiguous)
	assert.Nil(t, out)
	// Other kinds hold the version in a field of its own: no such rule.
	out, err = versionfile.Update(versionfile.PackageJSON, []byte(`{"version": "1.2.0-x.tar"}`), "1.3.0")
	require.NoError(t, err)
	assert.JSONEq(t, `{"version": "1.3.0"}`, string(out))
}

// A version that could break the file's syntax is refused before any
// file is read.
func TestInvalidVersion(t *testing.T) {
	for _, v := range []string{"", "1.2.3\"", "1.2.3\n", "1.2.3 # x", "-1", "1.2.3<", "1.2.3'", strings.Repeat("1", 129)} {
		_, err := versionfile.Update(versionfile.PackageJSON, []byte(`{"version": "1.0.0"}`), v)
		assert.ErrorIs(t, err, versionfile.ErrInvalidVersion, "%q", v)
	}
}

func TestWithIdentAndMarker(t *testing.T) {
	src := []byte("package main\n\nvar version = \"0.9.0\"\n")
	out, err := versionfile.Update(versionfile.GoSource, src, "1.0.0", versionfile.WithIdent("version"))
	require.NoError(t, err)
	assert.Equal(t, "package main\n\nvar version = \"1.0.0\"\n", string(out))
	_, err = versionfile.Update(versionfile.GoSource, src, "1.0.0")
	assert.ErrorIs(t, err, versionfile.ErrNoVersion)

	doc := []byte("Download v0.9.0 (bump-me)\n")
	out, err = versionfile.Update(versionfile.Marked, doc, "1.0.0", versionfile.WithMarker("bump-me"))
	require.NoError(t, err)
	assert.Equal(t, "Download v1.0.0 (bump-me)\n", string(out))
}

// A CalVer hotfix (four numbers) is a version too.
func TestCalVerVersions(t *testing.T) {
	out, err := versionfile.Update(versionfile.Marked, []byte("release 2026.02.1 x-releasekit-version\n"), "2026.02.1.1")
	require.NoError(t, err)
	assert.Equal(t, "release 2026.02.1.1 x-releasekit-version\n", string(out))
	out, err = versionfile.Update(versionfile.PackageJSON, []byte(`{"version":"2026.2.1"}`), "2026.2.1.1")
	require.NoError(t, err)
	assert.Equal(t, `{"version":"2026.2.1.1"}`, string(out))
}

// pyproject.toml with both [project].version and [tool.poetry].version:
// both are edited (Poetry 1.x builds from the latter); when they
// disagree the file is ambiguous.
func TestPyProjectBothVersions(t *testing.T) {
	in := "[project]\nversion = \"1.0.0\"\n[tool.poetry]\nversion = \"1.0.0\"\n"
	out, err := versionfile.Update(versionfile.PyProject, []byte(in), "2.0.0")
	require.NoError(t, err)
	assert.Equal(t, "[project]\nversion = \"2.0.0\"\n[tool.poetry]\nversion = \"2.0.0\"\n", string(out))

	_, err = versionfile.Find(versionfile.PyProject, []byte("[tool.poetry]\nversion = \"1.0.0\"\n[project]\nversion = \"1.1.0\"\n"))
	assert.ErrorIs(t, err, versionfile.ErrAmbiguous)
	v, err := versionfile.Version(versionfile.PyProject, []byte("[tool.poetry]\nname = \"x\"\nversion = \"1.0.0\"\n"))
	require.NoError(t, err)
	assert.Equal(t, "1.0.0", v)
}

// A span is the version's bytes: a pom whose version holds white space
// XML does not trim (U+00A0), or a Chart.yaml breaking lines by a lone CR
// (yaml.v3 counts it, so the span would be another key's value), is
// refused rather than given a wrong span.
func TestSpanIsTheVersion(t *testing.T) {
	for name, c := range map[string]struct {
		k    versionfile.Kind
		data string
	}{
		"pom NBSP":         {versionfile.Maven, "<project><version>\u00a01.0.0</version></project>"},
		"pom NEL":          {versionfile.Maven, "<project><version>1.0.0\u0085</version></project>"},
		"Chart.yaml CR":    {versionfile.HelmChart, "# c\rversion: 1.0.0\nappVers: 1.0.0\n"},
		"Chart.yaml LS":    {versionfile.HelmChart, "# c\u2028version: 1.0.0\nappVers: 1.0.0\n"},
		"Chart.yaml NEL":   {versionfile.HelmChart, "# c\u0085version: 1.0.0\nappVers: 1.0.0\n"},
		"Chart.yaml endCR": {versionfile.HelmChart, "version: 1.0.0\r"},
	} {
		spans, err := versionfile.Find(c.k, []byte(c.data))
		if err == nil {
			for _, s := range spans {
				assert.Equal(t, s.Value, c.data[s.Start:s.End], name)
			}
			continue
		}
		assert.ErrorIs(t, err, versionfile.ErrUnsupported, name)
	}
	// XML's own blanks and CRLF stay fine.
	spans, err := versionfile.Find(versionfile.Maven, []byte("<project><version>\r\n  1.0.0\t</version></project>"))
	require.NoError(t, err)
	assert.Equal(t, versionfile.Span{Start: 22, End: 27, Line: 2, Value: "1.0.0"}, spans[0])
	spans, err = versionfile.Find(versionfile.HelmChart, []byte("# c\r\nversion: 1.0.0\r\n"))
	require.NoError(t, err)
	assert.Equal(t, 14, spans[0].Start)
}

// deepJSON is a package.json with a version at the top and values nested
// depth objects deep.
func deepJSON(depth, values int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"version":"1.0.0",`)
	b.WriteString(strings.Repeat(`"a":{`, depth))
	b.WriteString(`"k":0`)
	b.WriteString(strings.Repeat(`,"k":0`, values))
	b.WriteString(strings.Repeat(`}`, depth))
	b.WriteString(`}`)
	return b.Bytes()
}

// A deeply nested package.json (a pull request can add one) costs work
// in proportion to its size, not to its depth times its values: no path
// deeper than the version's is built. Nesting beyond 512 is refused.
func TestDeepJSONBounded(t *testing.T) {
	_, err := versionfile.Find(versionfile.PackageJSON, deepJSON(600, 1))
	assert.ErrorIs(t, err, versionfile.ErrUnsupported)
	_, err = versionfile.Find(versionfile.PackageJSON, []byte(`{"version":"1.0.0","a":`+strings.Repeat("[", 600)+strings.Repeat("]", 600)+`}`))
	assert.ErrorIs(t, err, versionfile.ErrUnsupported)

	allocated := func(data []byte) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		out, err := versionfile.Update(versionfile.PackageJSON, data, "2.0.0")
		runtime.ReadMemStats(&after)
		require.NoError(t, err)
		assert.True(t, bytes.HasPrefix(out, []byte(`{"version":"2.0.0",`)))
		return after.TotalAlloc - before.TotalAlloc
	}
	// The same values 500 deep and 1 deep (the deep file is a little
	// larger): the work differs by the file's size, not by depth × values
	// (8 kB of path a value, 160 MB, before paths were bounded).
	deep, flat := allocated(deepJSON(500, 20000)), allocated(deepJSON(1, 20500))
	t.Logf("bytes allocated: %d 500 deep, %d 1 deep", deep, flat)
	assert.Less(t, deep, 2*flat, "bytes allocated grow with depth × values")
}

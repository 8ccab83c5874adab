package sbom_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"crypto/sha512"
	"encoding/hex"
	"errors"
	"slices"
	"time"

	"github.com/releasekit/releasekit/internal/testkit/golden"

	"github.com/releasekit/releasekit/sbom"
)

var fixedSerial = sbom.WithSerialNumber("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79")
var fixedTime = sbom.WithTimestamp(time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC))

// TestGolden pins the JSON and XML output for a fixture module (go.mod and
// go.sum only), and checks that what is written validates against the
// CycloneDX schema of its version and round-trips.
func TestGolden(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		spec   sbom.SpecVersion
		format sbom.Format
		file   string
	}{
		{sbom.Spec1_6, sbom.JSON, "module-1.6.json"},
		{sbom.Spec1_6, sbom.XML, "module-1.6.xml"},
		{sbom.Spec1_5, sbom.JSON, "module-1.5.json"},
		{sbom.Spec1_7, sbom.JSON, "module-1.7.json"},
		{sbom.Spec1_7, sbom.XML, "module-1.7.xml"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			doc, err := sbom.FromModule(ctx, filepath.Join("testdata", "mod"), sbom.WithoutGoCommand(),
				sbom.WithSpecVersion(tc.spec), fixedSerial, fixedTime)
			require.NoError(t, err)
			got, err := doc.Bytes(tc.format)
			require.NoError(t, err)
			golden.Check(t, filepath.Join("testdata", "golden", tc.file), got)

			// Same input, same bytes.
			again, err := sbom.FromModule(ctx, filepath.Join("testdata", "mod"), sbom.WithoutGoCommand(),
				sbom.WithSpecVersion(tc.spec), fixedSerial, fixedTime)
			require.NoError(t, err)
			b2, err := again.Bytes(tc.format)
			require.NoError(t, err)
			assert.Equal(t, sha256Hex(got), sha256Hex(b2))

			// Read validates JSON against the official schema; both
			// formats round-trip to the same bytes.
			read, err := sbom.Read(bytes.NewReader(got), tc.format)
			require.NoError(t, err)
			assert.Equal(t, tc.spec, read.SpecVersion())
			b3, err := read.Bytes(tc.format)
			require.NoError(t, err)
			assert.Equal(t, string(got), string(b3))
		})
	}
}

func TestDefaultsAreDeterministic(t *testing.T) {
	ctx := context.Background()
	a, err := sbom.FromModule(ctx, "testdata/mod", sbom.WithoutGoCommand())
	require.NoError(t, err)
	b, err := sbom.FromModule(ctx, "testdata/mod", sbom.WithoutGoCommand())
	require.NoError(t, err)
	ab, _ := a.Bytes(sbom.JSON)
	bb, _ := b.Bytes(sbom.JSON)
	assert.Equal(t, ab, bb)
	assert.NotContains(t, string(ab), "timestamp")
	assert.Equal(t, sbom.Spec1_6, a.SpecVersion())
	assert.True(t, strings.HasPrefix(a.SerialNumber(), "urn:uuid:"))
	c, err := sbom.FromModule(ctx, "testdata/mod", sbom.WithoutGoCommand(), sbom.WithSpecVersion(sbom.Spec1_7))
	require.NoError(t, err)
	assert.NotEqual(t, a.SerialNumber(), c.SerialNumber(), "another spec version is another document")
}

func TestModuleFallbackContents(t *testing.T) {
	doc, err := sbom.FromModule(context.Background(), "testdata/mod", sbom.WithoutGoCommand())
	require.NoError(t, err)
	var got []string
	for _, c := range doc.Components() {
		got = append(got, c.Name+"@"+c.Version+" "+c.PURL)
	}
	assert.Equal(t, []string{
		"github.com/docker/docker@v24.0.7+incompatible pkg:golang/github.com/docker/docker@v24.0.7%2Bincompatible",
		"github.com/google/uuid@v1.6.0 pkg:golang/github.com/google/uuid@v1.6.0",
		"golang.org/x/text@v0.15.0 pkg:golang/golang.org/x/text@v0.15.0",
		"gopkg.in/yaml.v3@v3.0.1 pkg:golang/gopkg.in/yaml.v3@v3.0.1",
	}, got)
	src, _ := doc.Property(sbom.PropSource)
	assert.Equal(t, "go.mod and go.sum only", src)
	prec, _ := doc.Property(sbom.PropPrecision)
	assert.Contains(t, prec, "reduced")
	// The replaced module names what it replaces and carries the
	// replacement's go.sum hash (h1 decoded to hex).
	text := doc.Components()[2]
	assert.Contains(t, text.Properties, sbom.Property{Name: sbom.PropGoReplaces, Value: "golang.org/x/text@v0.14.0"})
	assert.Contains(t, text.Properties, sbom.Property{Name: sbom.PropGoSum, Value: "h1:h1V/4gjBv8v9cjcR6+AR5+/cIYK5N/WAgiv4xlsEtAk="})
	require.Len(t, text.Hashes, 1)
	assert.Equal(t, "SHA-256", text.Hashes[0].Algorithm)
}

func TestModuleWithoutGoSumInventsNothing(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module m\n\nrequire a.example/x v1.0.0\n"), 0o644))
	doc, err := sbom.FromModule(context.Background(), dir, sbom.WithoutGoCommand())
	require.NoError(t, err)
	cs := doc.Components()
	require.Len(t, cs, 1)
	assert.Empty(t, cs[0].Hashes, "no go.sum: no hash")
}

func TestModuleErrors(t *testing.T) {
	ctx := context.Background()
	for name, gomod := range map[string]string{
		"no module line": "go 1.22\n",
		"bad require":    "module m\nrequire a\n",
		"bad replace":    "module m\nreplace a => \n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644))
			_, err := sbom.FromModule(ctx, dir, sbom.WithoutGoCommand())
			require.ErrorIs(t, err, sbom.ErrNotGoModule)
		})
	}
	t.Run("no go.mod", func(t *testing.T) {
		_, err := sbom.FromModule(ctx, t.TempDir())
		require.ErrorIs(t, err, sbom.ErrNotGoModule)
	})
	t.Run("spec 1.4 not written", func(t *testing.T) {
		_, err := sbom.FromModule(ctx, "testdata/mod", sbom.WithSpecVersion("1.4"))
		require.ErrorIs(t, err, sbom.ErrUnsupportedSpecVersion)
	})
	t.Run("bad serial", func(t *testing.T) {
		_, err := sbom.FromModule(ctx, "testdata/mod", sbom.WithoutGoCommand(), sbom.WithSerialNumber("42"))
		require.ErrorIs(t, err, sbom.ErrInvalid)
	})
	t.Run("canceled", func(t *testing.T) {
		goTool(t)
		c, cancel := context.WithCancel(ctx)
		cancel()
		_, err := sbom.FromModule(c, "testdata/mod")
		require.ErrorIs(t, err, context.Canceled)
	})
}

// TestModuleGoList reads this repository's module graph with the real go
// command, offline.
func TestModuleGoList(t *testing.T) {
	goTool(t)
	doc, err := sbom.FromModule(context.Background(), "..", sbom.WithEnv(offlineEnv()))
	require.NoError(t, err)
	src, _ := doc.Property(sbom.PropSource)
	require.Equal(t, "go list -m -json all (offline)", src, "go list failed: %v", func() string { s, _ := doc.Property(sbom.PropFallback); return s }())
	main, ok := doc.Component()
	require.True(t, ok)
	assert.Equal(t, "github.com/releasekit/releasekit", main.Name)
	var names []string
	for _, c := range doc.Components() {
		names = append(names, c.Name+"@"+c.Version)
	}
	assert.Contains(t, names, "github.com/go-git/go-git/v5@v5.19.3")
	assert.Contains(t, names, "github.com/CycloneDX/cyclonedx-go@v0.12.0")

	// A go command that cannot run: the go.mod fallback, saying why.
	doc, err = sbom.FromModule(context.Background(), "..", sbom.WithGoCommand(filepath.Join(t.TempDir(), "no-go")))
	require.NoError(t, err)
	src, _ = doc.Property(sbom.PropSource)
	assert.Equal(t, "go.mod and go.sum only", src)
	why, ok := doc.Property(sbom.PropFallback)
	assert.True(t, ok)
	assert.Contains(t, why, "go list")
}

func TestFromBinary(t *testing.T) {
	bin := buildHello(t)
	data, err := os.ReadFile(bin)
	require.NoError(t, err)
	doc, err := sbom.FromBinaryFile(bin)
	require.NoError(t, err)

	subj, err := doc.Subject()
	require.NoError(t, err)
	assert.Equal(t, "hello", subj.Name)
	assert.Equal(t, sha256Hex(data), subj.SHA256)
	s512 := sha512.Sum512(data)
	assert.Equal(t, hex.EncodeToString(s512[:]), subj.SHA512)
	require.NoError(t, sbom.Check(doc, subjectOf(t, "hello", data)))

	goVersion, mods := versionM(t, bin)
	main, _ := doc.Component()
	assert.Equal(t, "application", main.Type)
	assert.Contains(t, main.Properties, sbom.Property{Name: sbom.PropGoVersion, Value: goVersion})
	assert.Contains(t, main.Properties, sbom.Property{Name: sbom.PropGoMain, Value: "example.com/hello"})
	assert.Contains(t, main.Properties, sbom.Property{Name: sbom.PropGoSetting + "GOOS", Value: runtimeGOOS(t, main)})
	assert.Equal(t, "pkg:golang/example.com/hello", main.PURL)
	assert.Empty(t, mods)
	assert.Empty(t, doc.Components())

	for _, f := range []sbom.Format{sbom.JSON, sbom.XML} {
		b, err := doc.Bytes(f)
		require.NoError(t, err)
		_, err = sbom.Read(bytes.NewReader(b), f)
		require.NoError(t, err, "%s", f)
	}
}

func runtimeGOOS(t *testing.T, c sbom.Component) string {
	for _, p := range c.Properties {
		if p.Name == sbom.PropGoSetting+"GOOS" {
			return p.Value
		}
	}
	t.Fatal("no GOOS build setting")
	return ""
}

// TestRelctlBinary builds this project's relctl and checks that its SBOM
// lists exactly the modules `go version -m` reports.
func TestRelctlBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds relctl")
	}
	bin := filepath.Join(t.TempDir(), "relctl")
	buildGo(t, "..", bin, "./cmd/relctl")
	doc, err := sbom.FromBinaryFile(bin)
	require.NoError(t, err)
	_, want := versionM(t, bin)
	require.NotEmpty(t, want)
	var got []string
	for _, c := range doc.Components() {
		got = append(got, c.Name+" "+c.Version)
		assert.True(t, strings.HasPrefix(c.PURL, "pkg:golang/"+c.Name), c.PURL)
		assert.Len(t, c.Hashes, 1, "the build recorded a sum for %s", c.Name)
	}
	slices.Sort(want)
	assert.Equal(t, want, got)
	b, err := doc.Bytes(sbom.JSON)
	require.NoError(t, err)
	_, err = sbom.Read(bytes.NewReader(b), sbom.JSON)
	require.NoError(t, err)
}

func TestFromBinaryNotGo(t *testing.T) {
	data := []byte("#!/bin/sh\necho hi\n")
	_, err := sbom.FromBinary("x.sh", bytes.NewReader(data), int64(len(data)))
	require.ErrorIs(t, err, sbom.ErrNotGoBinary)
}

func TestForArtifactAndMerge(t *testing.T) {
	art := subjectOf(t, "shop-1.2.3.tar.gz", []byte("tarball bytes"))
	base, err := sbom.ForArtifact(art, fixedSerial)
	require.NoError(t, err)
	require.NoError(t, sbom.Check(base, art))
	assert.Empty(t, base.Components())

	mod, err := sbom.FromModule(context.Background(), "testdata/mod", sbom.WithoutGoCommand())
	require.NoError(t, err)
	bound, err := mod.WithSubject(art)
	require.NoError(t, err)
	require.NoError(t, sbom.Check(bound, art))
	_, err = mod.Subject()
	require.ErrorIs(t, err, sbom.ErrNoSubject, "WithSubject returns a copy")

	merged, err := sbom.Merge(base, []*sbom.Document{mod, bound, mod})
	require.NoError(t, err)
	require.NoError(t, sbom.Check(merged, art))
	assert.Len(t, merged.Components(), 4, "duplicates kept once")
	assert.NotEqual(t, base.SerialNumber(), merged.SerialNumber(), "WithSerialNumber is not inherited")
	b, err := merged.Bytes(sbom.JSON)
	require.NoError(t, err)
	_, err = sbom.Read(bytes.NewReader(b), sbom.JSON)
	require.NoError(t, err)

	other, err := sbom.ForArtifact(subjectOf(t, "other", []byte("other")))
	require.NoError(t, err)
	_, err = sbom.Merge(base, []*sbom.Document{other})
	var me *sbom.MismatchError
	require.ErrorAs(t, err, &me)
	require.ErrorIs(t, err, sbom.ErrSubjectMismatch)

	_, err = sbom.ForArtifact(sbom.Subject{SHA256: "ABC"})
	require.ErrorIs(t, err, sbom.ErrInvalidDigest)
}

func TestParse(t *testing.T) {
	for _, s := range []string{"1.5", "1.6", "1.7"} {
		v, err := sbom.ParseSpecVersion(s)
		require.NoError(t, err)
		assert.Equal(t, sbom.SpecVersion(s), v)
	}
	for _, s := range []string{"1.4", "1.8", "", "2.0"} {
		_, err := sbom.ParseSpecVersion(s)
		assert.ErrorIs(t, err, sbom.ErrUnsupportedSpecVersion, s)
	}
	_, err := sbom.ParseFormat("spdx")
	assert.ErrorIs(t, err, sbom.ErrWrongFormat)
	d := "sha256:" + strings.Repeat("ab", 32)
	s, err := sbom.ParseDigest("x", d)
	require.NoError(t, err)
	assert.Equal(t, d, s.Digest())
	for _, bad := range []string{"sha256:AB", "md5:00", "sha512:" + strings.Repeat("ab", 64), strings.Repeat("ab", 32)} {
		_, err := sbom.ParseDigest("x", bad)
		assert.ErrorIs(t, err, sbom.ErrInvalidDigest, bad)
	}
	assert.Equal(t, "application/vnd.cyclonedx+xml; version=1.6", sbom.MediaType(sbom.XML, sbom.Spec1_6))
}

var _ = errors.Is

// TestModuleGoListFailsOffline: a requirement missing from the module cache
// makes `go list` fail without network; the go.mod fallback says why.
func TestModuleGoListFailsOffline(t *testing.T) {
	goTool(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n\ngo 1.22\n\nrequire example.invalid/nowhere v1.0.0\n"), 0o644))
	doc, err := sbom.FromModule(context.Background(), dir, sbom.WithEnv(offlineEnv()))
	require.NoError(t, err)
	src, _ := doc.Property(sbom.PropSource)
	assert.Equal(t, "go.mod and go.sum only", src)
	why, _ := doc.Property(sbom.PropFallback)
	assert.Contains(t, why, "go list")
	cs := doc.Components()
	require.Len(t, cs, 1)
	assert.Equal(t, "pkg:golang/example.invalid/nowhere@v1.0.0", cs[0].PURL)
}

// TestFromBinaryDirectoryReplace: a module replaced by a directory is listed
// under its own path, without a made-up version or a purl of the directory.
func TestFromBinaryDirectoryReplace(t *testing.T) {
	dir := t.TempDir()
	w := func(p, s string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644))
	}
	w("go.mod", "module example.com/rep\n\ngo 1.22\n\nrequire github.com/Foo/Bar v1.0.0\n\nreplace github.com/Foo/Bar => ./bar\n")
	w("bar/go.mod", "module github.com/Foo/Bar\n\ngo 1.22\n")
	w("bar/bar.go", "package bar\n\nfunc X() string { return \"x\" }\n")
	w("main.go", "package main\n\nimport \"github.com/Foo/Bar\"\n\nfunc main() { println(bar.X()) }\n")
	out := filepath.Join(dir, "rep")
	buildGo(t, dir, out, ".")
	doc, err := sbom.FromBinaryFile(out)
	require.NoError(t, err)
	cs := doc.Components()
	require.Len(t, cs, 1)
	assert.Equal(t, "github.com/Foo/Bar", cs[0].Name)
	assert.Equal(t, "pkg:golang/github.com/Foo/Bar", cs[0].PURL)
	assert.Empty(t, cs[0].Version)
	assert.Contains(t, cs[0].Properties, sbom.Property{Name: sbom.PropGoReplace, Value: "./bar"})
	b, err := doc.Bytes(sbom.JSON)
	require.NoError(t, err)
	_, err = sbom.Read(bytes.NewReader(b), sbom.JSON)
	require.NoError(t, err)
}

// TestMergeBOMRefUnique: a merged component cannot take the subject's
// bom-ref.
func TestMergeBOMRefUnique(t *testing.T) {
	art := sbom.Subject{Name: "x", SHA256: strings.Repeat("a", 64)}
	base, err := sbom.ForArtifact(art)
	require.NoError(t, err)
	other := `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","name":"lib","version":"1","bom-ref":"artifact:` + art.Digest() + `"}]}`
	o, err := sbom.Read(strings.NewReader(other), sbom.JSON)
	require.NoError(t, err)
	m, err := sbom.Merge(base, []*sbom.Document{o})
	require.NoError(t, err)
	b, err := m.Bytes(sbom.JSON)
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(b), `"bom-ref": "artifact:`+art.Digest()+`"`))
	assert.Len(t, m.Components(), 1)
}

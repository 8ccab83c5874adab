package sbom_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/sbom"
)

// BenchmarkFromBinaryRelctl generates the SBOM of this project's relctl
// binary (build information and SHA-256/SHA-512 of the whole file).
func BenchmarkFromBinaryRelctl(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "relctl")
	buildGo(b, "..", bin, "./cmd/relctl")
	data, err := os.ReadFile(bin)
	require.NoError(b, err)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		doc, err := sbom.FromBinary("relctl", bytes.NewReader(data), int64(len(data)))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := doc.Bytes(sbom.JSON); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFromModule250 generates the SBOM of a module with 250
// requirements from go.mod and go.sum, and encodes it as JSON.
func BenchmarkFromModule250(b *testing.B) {
	dir := b.TempDir()
	var mod, sum strings.Builder
	mod.WriteString("module example.com/big\n\ngo 1.22\n\nrequire (\n")
	for i := range 250 {
		path := fmt.Sprintf("example.com/dep%03d/lib", i)
		fmt.Fprintf(&mod, "\t%s v1.%d.0\n", path, i)
		h := sha256.Sum256([]byte(path))
		fmt.Fprintf(&sum, "%s v1.%d.0 h1:%s\n", path, i, base64.StdEncoding.EncodeToString(h[:]))
	}
	mod.WriteString(")\n")
	require.NoError(b, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod.String()), 0o644))
	require.NoError(b, os.WriteFile(filepath.Join(dir, "go.sum"), []byte(sum.String()), 0o644))
	for b.Loop() {
		doc, err := sbom.FromModule(context.Background(), dir, sbom.WithoutGoCommand())
		if err != nil {
			b.Fatal(err)
		}
		if len(doc.Components()) != 250 {
			b.Fatal("wrong component count")
		}
		if _, err := doc.Bytes(sbom.JSON); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadValidate reads (strict parse, schema validation, decode)
// the SBOM of this repository's module graph.
func BenchmarkReadValidate(b *testing.B) {
	doc, err := sbom.FromModule(context.Background(), "..", sbom.WithEnv(offlineEnv()))
	require.NoError(b, err)
	data, err := doc.Bytes(sbom.JSON)
	require.NoError(b, err)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := sbom.Read(bytes.NewReader(data), sbom.JSON); err != nil {
			b.Fatal(err)
		}
	}
}

package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkManifestDiffDeep runs `relctl manifest diff` on two 60 KB
// manifests nested 9,999 deep: refused as too deep (exit 2) after one pass
// over each file. Before the one-pass depth check it took about 5 s.
func BenchmarkManifestDiffDeep(b *testing.B) {
	doc := `{"version":1,"x":` + strings.Repeat(`{"a":`, 9997) + "1" + strings.Repeat("}", 9997) + "}"
	p := filepath.Join(b.TempDir(), "deep.json")
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		err := run(b.Context(), []string{"manifest", "diff", p, p}, strings.NewReader(""), io.Discard, io.Discard)
		if code := exitCode(err, io.Discard); code != 2 {
			b.Fatalf("exit %d, want 2 (too deep): %v", code, err)
		}
	}
}

package versionfile_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/releasekit/releasekit/versionfile"
)

// FuzzUpdate checks, for every kind and any input, that Update never
// panics and never touches a byte but the version's: when it succeeds,
// its output is the input with exactly the spans Find reports replaced
// (each the version's bytes, all the same version), and the file reads
// back with the new version at the same places.
func FuzzUpdate(f *testing.F) {
	dirs, _ := filepath.Glob("testdata/*.d")
	for _, dir := range dirs {
		in, err := os.ReadFile(filepath.Join(dir, "input"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(in, "2.0.0")
	}
	f.Add([]byte(`{"version":"1.0.0","packages":{"":{"version":"1.0.0"}}}`), "1.0.1-rc.1+b.7")
	f.Add([]byte("[project]\nversion = \"1.0.0\"\n[tool.poetry]\nversion = \"1.0.0\"\n"), "2026.02.1")
	f.Add([]byte("version: '1.0.0'\r\n"), "1.0.1")
	f.Add([]byte("curl -LO https://dl.example/v1.2.0/app-1.2.0.tgz # x-releasekit-version\n"), "1.3.0")
	f.Add([]byte("x-releasekit-start-version\ngo install example.com/app@v1.2.0 # docs for 1.2.0\nx-releasekit-end\n"), "1.3.0-rc.1")
	f.Add([]byte("url: https://dl.example/app-1.2.0-linux-amd64.tar.gz # x-releasekit-version\n"), "1.3.0")
	f.Add([]byte("app 1.2.0-linux-amd64 x-releasekit-version\n"), "1.3.0.tgz")
	f.Fuzz(func(t *testing.T, data []byte, version string) {
		for _, k := range versionfile.Kinds() {
			out, err := versionfile.Update(k, data, version)
			if err != nil {
				if out != nil {
					t.Fatalf("%s: output with an error", k)
				}
				continue
			}
			spans, err := versionfile.Find(k, data)
			if err != nil {
				t.Fatalf("%s: Update succeeded, Find fails: %v", k, err)
			}
			var want bytes.Buffer
			last := 0
			for _, s := range spans {
				if s.Start < last || s.End < s.Start || s.End > len(data) {
					t.Fatalf("%s: bad span %+v", k, s)
				}
				// Each span is the version's bytes, and every span holds the
				// same version (written twice on a line, or on several lines).
				if string(data[s.Start:s.End]) != s.Value || s.Value != spans[0].Value {
					t.Fatalf("%s: span %+v is not the version %q", k, s, spans[0].Value)
				}
				want.Write(data[last:s.Start])
				want.WriteString(version)
				last = s.End
			}
			want.Write(data[last:])
			if !bytes.Equal(want.Bytes(), out) {
				t.Fatalf("%s: bytes other than the version changed:\n%q\n%q", k, data, out)
			}
			// The output has the new version at the same places, and only
			// there: span i moved by i times the difference in length.
			got, err := versionfile.Find(k, out)
			if err != nil || len(got) != len(spans) {
				t.Fatalf("%s: reads back %d span(s), %v; want %d", k, len(got), err, len(spans))
			}
			for i, s := range got {
				if s.Value != version || s.Start != spans[i].Start+i*(len(version)-len(spans[0].Value)) {
					t.Fatalf("%s: span %d reads back as %+v", k, i, s)
				}
			}
		}
	})
}

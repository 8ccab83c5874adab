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
// its output is the input with exactly the spans Find reports replaced,
// and the file reads back with the new version.
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
				want.Write(data[last:s.Start])
				want.WriteString(version)
				last = s.End
			}
			want.Write(data[last:])
			if !bytes.Equal(want.Bytes(), out) {
				t.Fatalf("%s: bytes other than the version changed:\n%q\n%q", k, data, out)
			}
			if v, err := versionfile.Version(k, out); err != nil || v != version {
				t.Fatalf("%s: reads back %q, %v", k, v, err)
			}
		}
	})
}

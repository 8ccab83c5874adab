package audittest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/releasekit/releasekit/internal/testkit/audittest"
)

// TestBuild: a program gets the same history as a test, in its own
// directory, and a failure is an error, not a panic.
func TestBuild(t *testing.T) {
	dir := t.TempDir()
	f, err := audittest.Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := audittest.New(t)
	if len(f.Releases) != len(want.Releases) {
		t.Fatalf("Build made %d releases, New %d", len(f.Releases), len(want.Releases))
	}
	for i, r := range f.Releases {
		if r.Tag != want.Releases[i].Tag || r.Digest != want.Releases[i].Digest {
			t.Errorf("release %d: Build %s %s, New %s %s", i, r.Tag, r.Digest, want.Releases[i].Tag, want.Releases[i].Digest)
		}
	}
	if rel, err := filepath.Rel(dir, f.Dir); err != nil || rel == ".." || filepath.IsAbs(rel) || rel[:2] == ".." {
		t.Errorf("repository %s is not under %s", f.Dir, dir)
	}

	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := audittest.Build(file); err == nil {
		t.Error("Build under a file succeeded")
	}
}

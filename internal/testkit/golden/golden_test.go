package golden

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps what Errorf and Fatalf report
// instead of failing the test.
type recorder struct {
	testing.TB
	errors []string
	fatal  bool
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
	r.fatal = true
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	want := filepath.Join(dir, "testdata", "want.txt")
	if err := os.MkdirAll(filepath.Dir(want), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(want, []byte(" 1. done\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	r := &recorder{TB: t}
	check(r, want, []byte(" 1. done\n"), false)
	if len(r.errors) != 0 {
		t.Fatalf("equal output reported: %q", r.errors)
	}

	r = &recorder{TB: t}
	check(r, want, []byte(" 1. changed\n"), false)
	if len(r.errors) != 1 || !strings.HasPrefix(r.errors[0], "output differs from "+want+" (go test -update to accept):\n 1. changed\n") {
		t.Fatalf("differing output reported as %q", r.errors)
	}
	if data, _ := os.ReadFile(want); string(data) != " 1. done\n" {
		t.Errorf("check without update wrote the file: %q", data)
	}

	r = &recorder{TB: t}
	check(r, filepath.Join(dir, "testdata", "missing.txt"), []byte("x"), false)
	if !r.fatal || !strings.Contains(r.errors[0], "go test -update creates it") {
		t.Errorf("missing file reported as %q (fatal %v)", r.errors, r.fatal)
	}
}

func TestCheckUpdate(t *testing.T) {
	want := filepath.Join(t.TempDir(), "testdata", "golden", "want.txt")
	r := &recorder{TB: t}
	check(r, want, []byte(" 1. new\n"), true) // creates testdata/golden
	check(r, want, []byte(" 1. newer\n"), true)
	if len(r.errors) != 0 {
		t.Fatalf("update reported %q", r.errors)
	}
	if data, err := os.ReadFile(want); err != nil || string(data) != " 1. newer\n" {
		t.Errorf("after update the file holds %q (%v), want the newest output", data, err)
	}
}

func TestUpdateFlag(t *testing.T) {
	f := flag.Lookup("update")
	if f == nil || f.DefValue != "false" {
		t.Fatalf("-update is not registered as a false boolean: %+v", f)
	}
	if Updating() != (f.Value.String() == "true") {
		t.Errorf("Updating() = %v with -update=%s", Updating(), f.Value)
	}
}

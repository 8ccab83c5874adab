package boundedfile_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/releasekit/releasekit/internal/boundedfile"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := boundedfile.ReadFile(small, 3); err != nil || string(b) != "key" {
		t.Fatalf("ReadFile(small, 3) = %q, %v", b, err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(small, link); err != nil {
		t.Fatal(err)
	}
	if b, err := boundedfile.ReadFile(link, 3); err != nil || string(b) != "key" {
		t.Fatalf("ReadFile(link to a regular file) = %q, %v", b, err)
	}
	_, err := boundedfile.ReadFile(small, 2)
	var e *boundedfile.Error
	if !errors.As(err, &e) || !errors.Is(err, boundedfile.ErrTooLarge) || e.Path != small || e.Reason != "larger than 2 bytes" {
		t.Fatalf("ReadFile(small, 2) = %v, want ErrTooLarge naming the path", err)
	}
	if _, err := boundedfile.ReadFile(filepath.Join(dir, "missing"), 10); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadFile(missing) = %v, want fs.ErrNotExist", err)
	}
}

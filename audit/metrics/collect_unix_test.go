//go:build unix

package metrics

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadNotRegular: a FIFO or a directory in the evidence where a
// record names a file is refused at once, not waited on.
func TestReadNotRegular(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "sbom.json"), 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	if err := os.Mkdir(filepath.Join(dir, "prov.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for _, ref := range []string{"sbom.json", "./prov.json"} {
		if _, err := read(root.FS(), ref); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("read(%s) = %v, want a refusal", ref, err)
		}
	}
}

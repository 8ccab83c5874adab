//go:build unix

package audit

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestEvidenceNotRegular: a FIFO or a directory in the evidence where a
// file is referenced is refused at once (a FIFO without a writer would
// block a plain open), by readEvidence and hashFile alike.
func TestEvidenceNotRegular(t *testing.T) {
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
		if _, err := readEvidence(root.FS(), ref, 1<<20); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("readEvidence(%s) = %v, want a refusal", ref, err)
		}
		if _, err := hashFile(root.FS(), ref); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("hashFile(%s) = %v, want a refusal", ref, err)
		}
	}
}

//go:build unix

package manifest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/releasekit/releasekit/manifest"
)

// TestDirStoreNotRegular: a FIFO or a directory planted in a store where a
// record or a log entry should be is an error at once, not a hang (a FIFO
// without a writer blocks a plain open).
func TestDirStoreNotRegular(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := manifest.NewDirStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "records", "v1.0.0.json"), 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	if err := os.Mkdir(filepath.Join(dir, "records", "v2.0.0.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"v1.0.0", "v2.0.0"} {
		_, err := st.Record(ctx, tag)
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("Record(%s) = %v, want a refusal of a file that is not regular", tag, err)
		}
	}
}

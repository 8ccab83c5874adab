package golden_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/releasekit/releasekit/internal/testkit/golden"
)

// A test compares what it printed with its golden file; go test -update
// rewrites the file instead.
func ExampleCheck() {
	dir, err := os.MkdirTemp("", "golden")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "want.txt")
	if err := os.WriteFile(path, []byte("v1.2.3\n"), 0o644); err != nil {
		panic(err)
	}
	t := &testing.T{} // in a test, the test's own t
	golden.Check(t, path, []byte("v1.2.3\n"))
	// Output:
}

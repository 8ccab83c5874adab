package ocistore_test

import (
	"os"
	"testing"
)

// tamper rewrites a file of the registry's storage, as someone with access
// to its disk could.
func tamper(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

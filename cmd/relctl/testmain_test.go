package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// moduleRoot is the repository root, for tests that read its files (the
// example configurations).
var moduleRoot string

// TestMain runs the tests from an empty directory outside any repository,
// so that no command finds the project's own .releasekit.yaml by walking up
// from the working directory: each test names its repository and
// configuration.
func TestMain(m *testing.M) {
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	moduleRoot = filepath.Join(wd, "..", "..")
	dir, err := os.MkdirTemp("", "relctl-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.Chdir(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

package demohistory_test

import (
	"context"
	"fmt"
	"os"

	"github.com/releasekit/releasekit/internal/demohistory"
)

// Build makes the same history on every run: the same commits, tags and
// artifacts.
func ExampleBuild() {
	dir, err := os.MkdirTemp("", "demohistory-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	h, err := demohistory.Build(context.Background(), demohistory.NumberedDirs(dir))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range h.Releases {
		fmt.Printf("%s %.12s on %s\n", r.Tag, r.Commit, r.Branch)
	}
	// Output:
	// v1.0.0 2bdf21f8d1ef on main
	// v1.1.0 38db148616fa on main
	// v1.2.0 3b7f5c2a1c91 on main
	// v1.2.1 863779c1006f on release/1.2
	// v1.2.2 7a3a705c6161 on hotfix/1.2.2-INC123
	// v1.3.0 910ff634b0ef on main
}

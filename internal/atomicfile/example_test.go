package atomicfile_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/releasekit/releasekit/internal/atomicfile"
)

// Update reads a file, lets the caller compute its new content and
// replaces it atomically; a name that leaves the root is refused and
// nothing is written.
func ExampleUpdate() {
	root, err := os.MkdirTemp("", "atomicfile-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(root)

	if err := atomicfile.Write(root, "CHANGELOG.md", []byte("# Changelog\n")); err != nil {
		fmt.Println(err)
		return
	}
	err = atomicfile.Update(root, "CHANGELOG.md", func(old []byte, exists bool) ([]byte, error) {
		return append(old, "\n## v1.1.0\n"...), nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	data, _ := os.ReadFile(filepath.Join(root, "CHANGELOG.md"))
	fmt.Print(string(data))

	err = atomicfile.Write(root, "../outside.md", []byte("x"))
	fmt.Println(errors.Is(err, atomicfile.ErrUnsafePath))
	// Output:
	// # Changelog
	//
	// ## v1.1.0
	// true
}

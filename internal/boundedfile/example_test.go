package boundedfile_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/releasekit/releasekit/internal/boundedfile"
)

func Example() {
	dir, _ := os.MkdirTemp("", "boundedfile")
	defer os.RemoveAll(dir)
	key := filepath.Join(dir, "key.pub")
	_ = os.WriteFile(key, []byte("ssh-ed25519 AAAA..."), 0o600)

	b, err := boundedfile.ReadFile(key, 1<<20)
	fmt.Printf("%q %v\n", b, err)

	_, err = boundedfile.ReadFile(dir, 1<<20)
	fmt.Println(errors.Is(err, boundedfile.ErrNotRegular))

	_, err = boundedfile.ReadFile(key, 8)
	var e *boundedfile.Error
	fmt.Println(errors.As(err, &e), e.Reason)
	// Output:
	// "ssh-ed25519 AAAA..." <nil>
	// true
	// true larger than 8 bytes
}

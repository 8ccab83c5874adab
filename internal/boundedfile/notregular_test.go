//go:build unix

package boundedfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/releasekit/releasekit/internal/boundedfile"
)

// TestNotRegular: a FIFO with no writer, /dev/zero and a directory are
// refused at once (a FIFO would block an open without O_NONBLOCK, and
// /dev/zero never ends).
func TestNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	cases := []struct{ path, reason string }{
		{fifo, "not a regular file (named pipe)"},
		{dir, "not a regular file (directory)"},
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		cases = append(cases, struct{ path, reason string }{"/dev/zero", "not a regular file (character device)"})
	}
	for _, tc := range cases {
		for _, read := range []func(string) error{
			func(p string) error { _, err := boundedfile.ReadFile(p, 1<<20); return err },
			func(p string) error {
				f, err := boundedfile.Open(p)
				if err == nil {
					f.Close()
				}
				return err
			},
		} {
			err := read(tc.path)
			var e *boundedfile.Error
			if !errors.As(err, &e) || !errors.Is(err, boundedfile.ErrNotRegular) {
				t.Fatalf("%s: %v, want ErrNotRegular", tc.path, err)
			}
			if e.Path != tc.path || e.Reason != tc.reason || !strings.HasPrefix(err.Error(), tc.path+": ") {
				t.Errorf("%s: %+v (%q), want reason %q", tc.path, e, err, tc.reason)
			}
		}
	}
}

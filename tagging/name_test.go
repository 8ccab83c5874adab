package tagging_test

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/tagging"
)

var invalidNames = []string{
	"", ".x", "a b", "x^", "x~", "-v1", "HEAD", "v1..2", "v1.lock", "v1/", "a//b", "v1@{0}", "@",
	`v1\x`, "v1\x7f", "v1\n", "v1:2", "v1?", "v1*", "v1[",
	"/v1", "v1.", "a/.b", "a/b.lock", "v1\x00", "v1\t", "\xff", strings.Repeat("v", 256),
}

var validNames = []string{
	"v1.0.0", "v1.3.0-rc.1", "api/v1.2.3", "api-v1.2.3", "1.2.3", "v1.0.0+build.5", "release@2026", "a.b/c-d_e", "v1@2", "tag-é",
}

// Row 23: every invalid name is refused before any object is written, and
// git check-ref-format agrees on every vector it can be given.
func TestValidateName(t *testing.T) {
	for _, name := range invalidNames {
		err := tagging.ValidateName(name)
		require.ErrorIs(t, err, tagging.ErrInvalidRefName, "%q", name)
		var ne *tagging.NameError
		require.ErrorAs(t, err, &ne)
		assert.Equal(t, name, ne.Name)
	}
	for _, name := range validNames {
		assert.NoError(t, tagging.ValidateName(name), "%q", name)
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: not comparing with git check-ref-format")
	}
	for _, name := range append(append([]string{}, invalidNames...), validNames...) {
		if strings.ContainsAny(name, "\x00") || name == "HEAD" || name == "@" || strings.HasPrefix(name, "-") || len(name) > 255 || name == "\xff" {
			continue // not passable as an argument, or refused here on purpose (git tag refuses "-x" and HEAD; "@" alone is the HEAD shorthand)
		}
		gitOK := exec.Command("git", "check-ref-format", "refs/tags/"+name).Run() == nil
		assert.Equal(t, gitOK, tagging.ValidateName(name) == nil, "%q: git check-ref-format says %v", name, gitOK)
	}
}

func FuzzValidateName(f *testing.F) {
	for _, n := range append(append([]string{}, invalidNames...), validNames...) {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if tagging.ValidateName(name) != nil {
			return
		}
		// A valid name has none of the forbidden pieces.
		for _, bad := range []string{"..", "@{", "//", " ", "~", "^", ":", "?", "*", "[", "\\", "\x7f", "/.", ".lock/"} {
			if strings.Contains(name, bad) {
				t.Fatalf("ValidateName(%q) accepted %q", name, bad)
			}
		}
		for _, c := range []byte(name) {
			if c < 0x20 {
				t.Fatalf("ValidateName(%q) accepted a control character", name)
			}
		}
		if strings.HasPrefix(name, "-") || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".lock") || strings.HasSuffix(name, "/") || name == "@" {
			t.Fatalf("ValidateName(%q) accepted a bad name", name)
		}
	})
}

// Differential test of ValidateName against git check-ref-format on
// generated names. Known, deliberate differences: a leading '-', HEAD, "@"
// and invalid UTF-8 are refused here although check-ref-format allows them.
func TestValidateNameDifferential(t *testing.T) {
	need(t, "git")
	pieces := []string{"v", "1", ".", "..", "/", "//", "-", "@", "@{", "{", "}", "lock", ".lock", "a", "é", " ", "~", "^", ":", "?", "*", "[", "\\", "\t", "\x7f", "\x01", "+", "_", ",", "!", "#", "\"", "'", "%", "=", "]", "HEAD"}
	rng := rand.New(rand.NewPCG(1, 2))
	names := make([]string, 0, 1500)
	for range cap(names) {
		var b strings.Builder
		for range 1 + rng.IntN(5) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		names = append(names, b.String())
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	var mu sync.Mutex
	var diffs []string
	for _, name := range names {
		if strings.HasPrefix(name, "-") || name == "HEAD" || name == "@" {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			gitOK := exec.Command("git", "check-ref-format", "refs/tags/"+name).Run() == nil
			if ours := tagging.ValidateName(name) == nil; ours != gitOK {
				mu.Lock()
				diffs = append(diffs, fmt.Sprintf("%q: git %v, ours %v", name, gitOK, ours))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Empty(t, diffs)
}

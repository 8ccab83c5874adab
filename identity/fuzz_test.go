package identity_test

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/releasekit/releasekit/identity"
)

// FuzzNormalize checks that Normalize never panics, refuses only with an
// *identity.Error wrapping ErrInvalid, and that what it accepts is a fixed
// point: valid UTF-8, no longer than MaxLen, without white space, control
// or invisible characters, normalising to itself, and the same person as
// the input.
func FuzzNormalize(f *testing.F) {
	for _, v := range normalizeVectors {
		f.Add(v.in)
	}
	for _, v := range refusedVectors {
		f.Add(v.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := identity.Normalize(s)
		if err != nil {
			var ie *identity.Error
			if !errors.As(err, &ie) || !errors.Is(err, identity.ErrInvalid) || ie.Reason == "" || n != "" {
				t.Fatalf("Normalize(%q) = %q, %v: want an *identity.Error", s, n, err)
			}
			return
		}
		if n == "" || len(n) > identity.MaxLen || !utf8.ValidString(n) || strings.HasPrefix(n, "@") {
			t.Fatalf("Normalize(%q) = %q", s, n)
		}
		for _, r := range n {
			if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point) {
				t.Fatalf("Normalize(%q) = %q holds %U", s, n, r)
			}
		}
		again, err := identity.Normalize(n)
		if err != nil || again != n {
			t.Fatalf("Normalize(%q) = %q, but Normalize(%q) = %q, %v", s, n, n, again, err)
		}
		var people *identity.Directory
		if same, err := people.Same(s, n); err != nil || !same {
			t.Fatalf("Same(%q, %q) = %v, %v", s, n, same, err)
		}
		if c, err := people.Conflict(s, n); err != nil || !c {
			t.Fatalf("Conflict(%q, %q) = %v, %v", s, n, c, err)
		}
	})
}

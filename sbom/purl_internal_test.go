package sbom

import "testing"

func TestGoPURL(t *testing.T) {
	for _, tc := range []struct{ path, version, want string }{
		{"golang.org/x/text", "v0.3.0", "pkg:golang/golang.org/x/text@v0.3.0"},
		{"github.com/BurntSushi/toml", "v1.3.2", "pkg:golang/github.com/BurntSushi/toml@v1.3.2"},
		{"github.com/docker/docker", "v20.10.24+incompatible", "pkg:golang/github.com/docker/docker@v20.10.24%2Bincompatible"},
		{"example.com/a~b_c.d-e", "v0.0.0-20240101000000-abcdef012345", "pkg:golang/example.com/a~b_c.d-e@v0.0.0-20240101000000-abcdef012345"},
		{"example.com/we@ird?x#y", "v1.0.0", "pkg:golang/example.com/we%40ird%3Fx%23y@v1.0.0"},
		{"example.com/sp ace:colon", "", "pkg:golang/example.com/sp%20ace%3Acolon"},
		{"example.com/main", "(devel)", "pkg:golang/example.com/main"},
	} {
		if got := goPURL(tc.path, tc.version); got != tc.want {
			t.Errorf("goPURL(%q, %q) = %q, want %q", tc.path, tc.version, got, tc.want)
		}
	}
}

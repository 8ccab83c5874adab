package internal_test

import (
	"errors"
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/releasekit/releasekit/"

// allowed is a statement of policy (see DESIGN.md): for each package, the
// module packages and third-party modules it may import. Change it by
// decision, never to make a build pass. A third-party entry covers every
// package under that module path; the standard library is always allowed.
var allowed = map[string][]string{
	"semver":    {"github.com/Masterminds/semver/v3"},
	"commits":   {"semver", "github.com/go-git/go-git/v5", "github.com/leodido/go-conventionalcommits"},
	"sbom":      {"internal/strictjson", "github.com/CycloneDX/cyclonedx-go", "github.com/in-toto/attestation", "github.com/secure-systems-lab/go-securesystemslib", "github.com/santhosh-tekuri/jsonschema/v6"},
	"changelog": {"commits", "semver", "internal/atomicfile", "github.com/go-git/go-git/v5"},
	"tagging":   {"semver", "github.com/go-git/go-git/v5", "github.com/ProtonMail/go-crypto", "github.com/hiddeco/sshsig", "golang.org/x/crypto"},
	"manifest":  {"semver", "internal/atomicfile", "internal/strictjson", "github.com/go-git/go-git/v5"},
	"policy":    {"semver", "commits", "sbom", "changelog", "tagging", "manifest", "internal/strictjson", "internal/textsafe", "gopkg.in/yaml.v3"},
	"audit":     {"semver", "commits", "sbom", "changelog", "tagging", "manifest", "policy", "internal/atomicfile", "internal/strictjson", "internal/textsafe", "github.com/go-git/go-git/v5"},
	// audit/bundle and audit/metrics build on audit (Sources, Status), never the reverse.
	"audit/bundle":  {"audit", "semver", "sbom", "tagging", "manifest", "policy", "signature", "github.com/go-git/go-git/v5"},
	"audit/metrics": {"audit", "semver", "commits", "sbom", "tagging", "manifest", "policy", "signature", "github.com/go-git/go-git/v5"},
}

func TestImportGraph(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for pkg, allow := range allowed {
		dir := filepath.Join(root, pkg)
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			continue // the package does not exist yet
		}
		bp, err := build.Default.ImportDir(dir, 0)
		var noGo *build.NoGoError
		if errors.As(err, &noGo) {
			continue // no code yet
		}
		if err != nil {
			t.Errorf("%s: %v", pkg, err)
			continue
		}
		for _, imp := range bp.Imports {
			if !strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
				continue // standard library
			}
			name := strings.TrimPrefix(imp, module)
			ok := slices.ContainsFunc(allow, func(a string) bool {
				return name == a || strings.HasPrefix(name, a+"/")
			})
			if !ok {
				t.Errorf("%s imports %s, which DESIGN.md does not allow", pkg, imp)
			}
		}
	}
}

// TestNoUpwardImports checks that no package imports examples/.
func TestNoUpwardImports(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for pkg := range allowed {
		bp, err := build.Default.ImportDir(filepath.Join(root, pkg), build.ImportComment)
		if err != nil {
			continue
		}
		for _, imp := range append(bp.Imports, bp.TestImports...) {
			if strings.HasPrefix(imp, module+"examples") {
				t.Errorf("%s imports %s", pkg, imp)
			}
		}
	}
}

// This file checks the module's import graph against a statement of
// policy, after go/build's deps_test.go in the Go source tree.

package internal_test

import (
	"errors"
	"fmt"
	"go/build"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// module is the module path of releasekit.
const module = "github.com/releasekit/releasekit"

// depsRules is a statement of policy (see ARCHITECTURE.md): for each package
// of the module, the module packages and third-party modules it may import.
// Change it by decision, never to make a build pass.
//
// DO NOT CHANGE THIS DATA TO FIX BUILDS. A package that is not listed fails
// the test until a rule for it is added, by decision.
//
// The syntax is go/build's:
//
//	a, b < c, d;
//
// means that c and d may import a and b (a rule may chain, "a < b < c" is
// "a < b; b < c;"). Unlike go/build's rules, "<" is not transitive for
// packages: a package may import exactly what its rule names, so that a
// third-party module stays in the packages named for it (STYLE.md §3). Each
// package appears exactly once on the right of a "<": that rule is its
// whole list.
//
// Names are module packages relative to the module root ("semver",
// "internal/atomicfile"), "dir/..." for every module package under dir,
// third-party module paths (first element with a dot), which cover every
// package under that path, and ALL-CAPS pseudo-names, which stand for the
// set of names their own rule gives them. NONE is the empty set. The
// standard library is always allowed. Comments begin with #.
//
// The rules cover the non-test imports. Test files may also import any
// module package, internal/testkit/... and test-only modules (testify).
// Whatever the rules say, checkImports refuses (see forbidden): an import of
// cmd/...; an import of examples/... other than examples/internal/... by a
// package under examples/; and a non-test import of internal/testkit/... by
// a package outside examples/ and internal/testkit/.
const depsRules = `
	# Third-party modules, by what they are for.
	github.com/go-git/go-git/v5 < GIT;
	github.com/ProtonMail/go-crypto, github.com/hiddeco/sshsig, golang.org/x/crypto < SIGNING;
	github.com/secure-systems-lab/go-securesystemslib < DSSE;
	DSSE, github.com/CycloneDX/cyclonedx-go, github.com/santhosh-tekuri/jsonschema/v6 < SBOMFORMATS;
	# OpenID Connect: go-jose parses and verifies JWS and JWKs, go-oidc
	# discovers issuers and checks ID tokens.
	github.com/coreos/go-oidc/v3, github.com/go-jose/go-jose/v4 < OIDC;
	# Transparency logs: RFC 6962 hashing and proofs (transparency-dev/merkle),
	# signed notes (golang.org/x/mod/sumdb/note), OpenSSH keys (x/crypto/ssh).
	github.com/transparency-dev/merkle, golang.org/x/mod, golang.org/x/crypto < TLOG;
	# OCI registries: oras-go and the OCI image-spec types it speaks.
	oras.land/oras-go/v2, github.com/opencontainers/image-spec, github.com/opencontainers/go-digest < OCI;

	# Product helpers: the standard library only.
	NONE < internal/atomicfile, internal/boundedfile, internal/ratelimit, internal/strictjson, internal/textsafe;

	# The product packages, lowest first.
	# semver's tests use Masterminds/semver as an oracle; its code imports nothing.
	NONE < semver;
	# The one place identities are normalised and compared (Unicode
	# normalisation, PRECIS and case folding are golang.org/x/text's).
	golang.org/x/text < identity;
	SIGNING < signature;
	# Version files edited in place: each format read with its standard
	# parser (encoding/json, encoding/xml, go/parser, yaml.v3, and go-toml's
	# parser, which reports byte ranges), never rewritten from a model.
	gopkg.in/yaml.v3, github.com/pelletier/go-toml/v2 < versionfile;
	# The Merkle tree, proofs and checkpoints of the promotion log: a leaf.
	TLOG, internal/strictjson < tlog;
	# CI ID tokens verified (OIDC): a leaf beside signature.
	OIDC, internal/strictjson, internal/textsafe < idtoken;
	semver, GIT, github.com/leodido/go-conventionalcommits < commits;
	signature, internal/boundedfile, internal/strictjson, SBOMFORMATS < sbom;
	semver, commits, internal/atomicfile, GIT < changelog;
	semver, signature, GIT < tagging;
	semver, signature, identity, tlog, internal/atomicfile, internal/boundedfile, internal/strictjson, GIT < manifest;
	# Release PRs planned from git: versions, changelogs, version files.
	semver, commits, changelog, versionfile, signature, internal/strictjson, GIT < releasepr;
	# The forge interface: pull-request facts in policy's form.
	policy < forge;
	# The forges' API clients, each behind forge's interface and only there.
	forge, internal/ratelimit, github.com/google/go-github/v75 < forge/github;
	forge, policy, internal/ratelimit, gitlab.com/gitlab-org/api/client-go/v2 < forge/gitlab;
	# Gitea's forge, on Gitea's SDK.
	forge, policy, internal/ratelimit, code.gitea.io/sdk/gitea < forge/gitea;
	# The evidence store on an OCI registry: a manifest.Store beside DirStore and GitStore.
	manifest, tlog, signature, internal/boundedfile, internal/strictjson, OCI < ocistore;
	semver, commits, sbom, changelog, tagging, manifest, signature, identity,
	  internal/strictjson, internal/textsafe, gopkg.in/yaml.v3 < policy;
	semver, commits, sbom, changelog, tagging, manifest, policy, signature,
	  internal/atomicfile, internal/strictjson, internal/textsafe, GIT < AUDITDEPS < audit;
	audit, AUDITDEPS < audit/bundle, audit/metrics;

	# The release configuration: it reads the policy with policy's reader,
	# keys with signature, identities with identity, versions with semver,
	# verifies CI tokens with idtoken, and validates the file against its
	# JSON Schema.
	policy, manifest, signature, identity, idtoken, semver, internal/strictjson, internal/textsafe,
	  gopkg.in/yaml.v3, github.com/santhosh-tekuri/jsonschema/v6 < config;

	semver, signature, identity, idtoken, tlog, commits, sbom, changelog, tagging, manifest, ocistore, policy,
	  audit, audit/bundle, audit/metrics, config, versionfile, releasepr, forge, forge/github, forge/gitlab, forge/gitea < PRODUCT;

	# The demonstration history that examples/audit plays on and
	# internal/testkit/audittest gives the tests: a helper, not the API.
	PRODUCT, GIT, golang.org/x/crypto < internal/demohistory;

	# Test fixtures (only tests and examples import them).
	GIT < internal/testkit/gittest;
	internal/testkit/gittest < internal/testkit/gittest/genrepo;
	PRODUCT, internal/demohistory, internal/testkit/gittest, GIT, golang.org/x/crypto
	  < internal/testkit/audittest;
	NONE < internal/testkit/golden;
	# The suite every manifest.Store with a Merkle tree passes.
	manifest, tlog < internal/testkit/storetest;
	signature, SIGNING < internal/testkit/keytest;
	manifest, signature < internal/testkit/trusttest;
	github.com/go-jose/go-jose/v4 < internal/testkit/tokentest;
	# A real OCI registry (distribution's, built from its own module) on 127.0.0.1.
	NONE < internal/testkit/logtail;
	internal/testkit/logtail < internal/testkit/registrytest;
	# A real Gitea (built from its own module by scripts/build-gitea) on 127.0.0.1.
	internal/testkit/logtail < internal/testkit/giteatest;
	NONE < internal; # this test

	# The programs: the CLI and the examples use every product package.
	PRODUCT, internal/atomicfile, internal/boundedfile, internal/strictjson, internal/textsafe,
	  GIT, golang.org/x/crypto < cmd/relctl;
	# A measuring tool of the repository: releasekit's predictions of real releases.
	PRODUCT, GIT < internal/cmd/predict;
	PRODUCT, GIT, golang.org/x/crypto, github.com/go-jose/go-jose/v4 < examples/internal/demo;
	PRODUCT, examples/internal/demo, internal/testkit/..., GIT, golang.org/x/crypto < examples/internal/demotest;
	PRODUCT, examples/internal/..., internal/demohistory, internal/testkit/...,
	  GIT, golang.org/x/crypto
	  < examples/audit, examples/backport, examples/ci, examples/deploy-agent,
	    examples/hotfix, examples/multi-repo, examples/normal-change,
	    examples/prerelease, examples/release-branch, examples/revert;
`

// planned are packages the rules list before they exist (or while they
// exist only on another branch). A rule for a package that is neither in
// the tree nor planned fails the test, so that stale rules go.
var planned = []string{}

// TestImports checks every package of the module against depsRules.
func TestImports(t *testing.T) {
	allowed, err := parseRules(depsRules)
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := modulePackages(root, module)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 10 {
		t.Fatalf("found %d packages under %s; is the walk broken?", len(pkgs), root)
	}
	for _, p := range checkImports(allowed, pkgs, planned) {
		t.Error(p)
	}
}

// A pkg is one package of the module and its imports, as module-relative
// names for module packages and import paths for the others.
type pkg struct {
	Name        string   // relative to the module root, "." for the root
	Imports     []string // non-test imports
	TestImports []string // imports of _test.go files, both packages
}

// rules is a parsed depsRules: for each package, what it may import
// (pseudo-names expanded).
type rules map[string][]string

// parseRules parses the syntax described at depsRules.
func parseRules(text string) (rules, error) {
	sets := map[string][]string{"NONE": nil} // pseudo-names
	r := rules{}
	var lines []string
	for line := range strings.SplitSeq(text, "\n") {
		line, _, _ = strings.Cut(line, "#")
		lines = append(lines, line)
	}
	for stmt := range strings.SplitSeq(strings.Join(lines, " "), ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		parts := strings.Split(stmt, "<")
		if len(parts) < 2 {
			return nil, fmt.Errorf("rule %q: no <", strings.Join(strings.Fields(stmt), " "))
		}
		for i := 1; i < len(parts); i++ {
			var from []string
			for _, name := range names(parts[i-1]) {
				if isPseudo(name) {
					set, ok := sets[name]
					if !ok {
						return nil, fmt.Errorf("%s is used before its rule", name)
					}
					from = append(from, set...)
					continue
				}
				from = append(from, name)
			}
			to := names(parts[i])
			if len(to) == 0 || len(names(parts[i-1])) == 0 {
				return nil, fmt.Errorf("rule %q: empty side", strings.Join(strings.Fields(stmt), " "))
			}
			for _, name := range to {
				_, isSet := sets[name]
				_, isPkg := r[name]
				if isSet || isPkg {
					return nil, fmt.Errorf("%s has two rules", name)
				}
				if isPseudo(name) {
					sets[name] = slices.Clone(from)
				} else {
					r[name] = slices.Clone(from)
				}
			}
		}
	}
	return r, nil
}

// names splits a side of a rule at commas.
func names(side string) []string {
	var out []string
	for f := range strings.SplitSeq(side, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// isPseudo reports whether name is an ALL-CAPS pseudo-name.
func isPseudo(name string) bool {
	return strings.ToUpper(name) == name && strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}

// isThirdParty reports whether path is outside the standard library and the
// module: its first element has a dot.
func isThirdParty(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return strings.Contains(first, ".")
}

// under reports whether the module package name is dir or below it.
func under(name, dir string) bool {
	return name == dir || strings.HasPrefix(name, dir+"/")
}

// allows reports whether the rule entry a allows the import imp (a module
// package name or a third-party import path).
func allows(a, imp string) bool {
	if dir, ok := strings.CutSuffix(a, "/..."); ok {
		return !isThirdParty(imp) && under(imp, dir)
	}
	if isThirdParty(a) {
		return isThirdParty(imp) && under(imp, a)
	}
	return a == imp
}

// forbidden returns why pkg may not import imp (a module package name)
// whatever the rules say, or "".
func forbidden(pkg, imp string, test bool) string {
	switch {
	case under(imp, "cmd"):
		return "no package imports cmd/"
	case under(imp, "examples") && !(under(pkg, "examples") && under(imp, "examples/internal")):
		return "only examples import examples/, and only examples/internal/"
	case under(imp, "internal/testkit") && !test && !under(pkg, "examples") && !under(pkg, "internal/testkit"):
		return "only tests and examples import internal/testkit/"
	}
	return ""
}

// checkImports returns the problems of pkgs under r: packages without a
// rule, rules without a package (unless planned), imports the rules do not
// allow and forbidden imports.
func checkImports(r rules, pkgs []pkg, planned []string) []string {
	var problems []string
	seen := map[string]bool{}
	for _, p := range pkgs {
		seen[p.Name] = true
		allow, ok := r[p.Name]
		if !ok {
			problems = append(problems, fmt.Sprintf("package %s is not listed in allowed: add it by decision (internal/deps_test.go, depsRules)", p.Name))
		}
		for _, imp := range p.Imports {
			if why := forbidden(p.Name, imp, false); why != "" {
				problems = append(problems, fmt.Sprintf("%s imports %s: %s", p.Name, imp, why))
				continue
			}
			if ok && !slices.ContainsFunc(allow, func(a string) bool { return allows(a, imp) }) {
				problems = append(problems, fmt.Sprintf("%s imports %s, which depsRules does not allow (see ARCHITECTURE.md)", p.Name, imp))
			}
		}
		for _, imp := range p.TestImports {
			if why := forbidden(p.Name, imp, true); why != "" {
				problems = append(problems, fmt.Sprintf("tests of %s import %s: %s", p.Name, imp, why))
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(r)) {
		if !seen[name] && !slices.Contains(planned, name) {
			problems = append(problems, fmt.Sprintf("depsRules lists %s, which is not a package of the module and not planned", name))
		}
	}
	return problems
}

// modulePackages walks the module rooted at root, whose path is modPath, and
// returns its packages: every directory with Go files (test files
// included), except testdata, vendor and directories whose names begin with
// "." or "_", and nested modules. Imports of modPath's packages are given
// relative to the root; the standard library is left out.
func modulePackages(root, modPath string) ([]pkg, error) {
	var pkgs []pkg
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if path != root {
			n := d.Name()
			if n == "testdata" || n == "vendor" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		bp, err := build.Default.ImportDir(path, build.ImportComment)
		var noGo *build.NoGoError
		if errors.As(err, &noGo) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		p := pkg{Name: filepath.ToSlash(rel)}
		p.Imports = relImports(bp.Imports, modPath)
		p.TestImports = relImports(append(slices.Clone(bp.TestImports), bp.XTestImports...), modPath)
		pkgs = append(pkgs, p)
		return nil
	})
	return pkgs, err
}

// relImports drops the standard library from imps and makes the module's
// own imports relative to its root.
func relImports(imps []string, modPath string) []string {
	var out []string
	for _, imp := range imps {
		switch {
		case imp == modPath:
			out = append(out, ".")
		case strings.HasPrefix(imp, modPath+"/"):
			out = append(out, strings.TrimPrefix(imp, modPath+"/"))
		case isThirdParty(imp):
			out = append(out, imp)
		}
	}
	return out
}

// TestCheckImports runs the checker on a package list made up for it: a
// package without a rule fails, and so do imports the rules do not allow,
// forbidden imports and rules for packages that are gone; planned packages
// may be missing.
func TestCheckImports(t *testing.T) {
	r, err := parseRules(`
		example.com/lib < LIB;
		NONE < a;
		a, LIB < b;
		b < c;
		a, b < PRODUCT;
		PRODUCT, examples/internal/... < examples/x;
		NONE < examples/internal/demo;
		NONE < gone, later;
	`)
	if err != nil {
		t.Fatal(err)
	}
	pkgs := []pkg{
		{Name: "a"},
		{Name: "b", Imports: []string{"a", "example.com/lib/sub"}, TestImports: []string{"internal/testkit/gittest", "c"}},
		{Name: "c", Imports: []string{"a", "internal/testkit/gittest"}},
		{Name: "examples/internal/demo"},
		{Name: "examples/x", Imports: []string{"b", "examples/internal/demo", "internal/testkit/gittest"}},
		{Name: "unlisted", Imports: []string{"a"}, TestImports: []string{"cmd/relctl", "examples/x"}},
	}
	got := checkImports(r, pkgs, []string{"later"})
	want := []string{
		"c imports a, which depsRules does not allow (see ARCHITECTURE.md)",
		"c imports internal/testkit/gittest: only tests and examples import internal/testkit/",
		"examples/x imports internal/testkit/gittest, which depsRules does not allow (see ARCHITECTURE.md)",
		"package unlisted is not listed in allowed: add it by decision (internal/deps_test.go, depsRules)",
		"tests of unlisted import cmd/relctl: no package imports cmd/",
		"tests of unlisted import examples/x: only examples import examples/, and only examples/internal/",
		"depsRules lists gone, which is not a package of the module and not planned",
	}
	if !slices.Equal(got, want) {
		t.Errorf("checkImports:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestParseRulesErrors: a package with two rules, a pseudo-name used before
// its rule and a rule without "<" are errors.
func TestParseRulesErrors(t *testing.T) {
	for _, text := range []string{
		"NONE < a; NONE < a;",
		"LATER < a; NONE < LATER;",
		"a, b;",
		"< a;",
	} {
		if _, err := parseRules(text); err == nil {
			t.Errorf("parseRules(%q) = nil error", text)
		}
	}
}

// TestUnlistedPackageInTree builds a module in a temporary directory and
// runs the walk and the check on it, as TestImports does on the module: a
// package added to the tree without a rule fails.
func TestUnlistedPackageInTree(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"go.mod":            "module example.com/m\n\ngo 1.26\n",
		"a/a.go":            "package a\n",
		"b/b.go":            "package b\n\nimport _ \"example.com/m/a\"\n",
		"b/b_test.go":       "package b_test\n\nimport _ \"example.com/m/b\"\n",
		"b/testdata/x/x.go": "package x\n",
		"newpkg/new.go":     "package newpkg\n\nimport (\n\t_ \"fmt\"\n\t_ \"example.com/m/a\"\n)\n",
		"nested/go.mod":     "module example.com/nested\n",
		"nested/n.go":       "package n\n",
		".hidden/h.go":      "package h\n",
	}
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pkgs, err := modulePackages(root, "example.com/m")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, p := range pkgs {
		found = append(found, p.Name)
	}
	if want := []string{"a", "b", "newpkg"}; !slices.Equal(found, want) {
		t.Fatalf("modulePackages found %q, want %q", found, want)
	}
	r, err := parseRules("NONE < a; a < b;")
	if err != nil {
		t.Fatal(err)
	}
	got := checkImports(r, pkgs, nil)
	want := []string{"package newpkg is not listed in allowed: add it by decision (internal/deps_test.go, depsRules)"}
	if !slices.Equal(got, want) {
		t.Errorf("checkImports = %q, want %q", got, want)
	}
}

package policy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// PRTemplateSections are the headings a pull-request template must carry
// (§2.5.3).
func PRTemplateSections() []string {
	return []string{"Summary", "Ticket / Change record", "Risk assessment", "Rollout plan", "Rollback plan",
		"Testing evidence", "Security and compliance", "Review requirements", "Release notes"}
}

// RequiredFiles (REL-REPO-001) requires CODEOWNERS, SECURITY.md, RELEASE.md
// and a pull-request template with the §2.5 sections, and CODEOWNERS
// owning every path of ProductionPaths (slash paths such as "deploy/").
type RequiredFiles struct {
	ProductionPaths []string
}

// Meta describes the control.
func (RequiredFiles) Meta() Meta {
	return Meta{ID: "REL-REPO-001", Title: "Required repository files are present and CODEOWNERS covers production paths", Section: "§1.31.3.1, §2.5", Criteria: []string{"CC6.1", "CC8.1"}, Severity: Medium}
}

// Evaluate checks f.Files.
func (c RequiredFiles) Evaluate(_ context.Context, f Facts) Result {
	if f.Files == nil {
		return missing("no repository files read")
	}
	var bad, ev []Evidence
	find := func(cands ...string) string {
		for _, p := range cands {
			if _, ok := f.Files[p]; ok {
				return p
			}
		}
		return ""
	}
	owners := find("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS")
	tmpl := find(".github/pull_request_template.md", ".github/PULL_REQUEST_TEMPLATE.md", "pull_request_template.md", "docs/pull_request_template.md")
	for _, r := range []struct{ name, at string }{{"CODEOWNERS", owners}, {"SECURITY.md", find("SECURITY.md", ".github/SECURITY.md")},
		{"RELEASE.md", find("RELEASE.md")}, {"pull-request template", tmpl}} {
		if r.at == "" {
			bad = append(bad, Evidence{Kind: "file", Value: r.name, Note: "missing"})
		} else {
			ev = append(ev, Evidence{Kind: "file", Value: r.at, Note: "present"})
		}
	}
	if tmpl != "" {
		text := strings.ToLower(string(f.Files[tmpl]))
		for _, s := range PRTemplateSections() {
			if !strings.Contains(text, strings.ToLower(s)) {
				bad = append(bad, Evidence{Kind: "file", Value: tmpl, Note: "lacks section " + s})
			}
		}
	}
	if owners != "" {
		rules := parseCodeowners(f.Files[owners])
		for _, p := range c.ProductionPaths {
			if !rules.owned(p) {
				bad = append(bad, Evidence{Kind: "file", Value: owners, Note: "no owner for " + p})
			}
		}
	}
	if len(bad) > 0 {
		return fail("repository files incomplete: "+notes(bad)+"; add them (see §2.5.3 for the template)", append(ev, bad...)...)
	}
	return pass("CODEOWNERS, SECURITY.md, RELEASE.md and the pull-request template are present", ev...)
}

type ownerRule struct {
	pattern string
	owners  int
}

type codeowners []ownerRule

func parseCodeowners(b []byte) codeowners {
	var rules codeowners
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		rules = append(rules, ownerRule{pattern: fields[0], owners: len(fields) - 1})
	}
	return rules
}

// owned reports whether the last rule matching p names an owner, as
// GitHub's CODEOWNERS resolution does. Patterns are matched in a
// simplified gitignore style: "*", "*.ext", "/dir/", "dir/" and paths.
func (rules codeowners) owned(p string) bool {
	p = strings.TrimPrefix(p, "/")
	owned := false
	for _, r := range rules {
		if matchOwner(r.pattern, p) {
			owned = r.owners > 0
		}
	}
	return owned
}

func matchOwner(pat, p string) bool {
	if pat == "*" {
		return true
	}
	anchored := strings.HasPrefix(pat, "/") || strings.Contains(strings.TrimSuffix(pat, "/"), "/")
	pat = strings.TrimPrefix(pat, "/")
	pat = strings.TrimSuffix(pat, "/**")
	if !anchored {
		for _, part := range strings.Split(strings.TrimSuffix(p, "/"), "/") {
			if ok, _ := path.Match(strings.TrimSuffix(pat, "/"), part); ok {
				return true
			}
		}
		return false
	}
	dir := strings.TrimSuffix(pat, "/")
	if p == dir || strings.HasPrefix(p, dir+"/") {
		return true
	}
	ok, _ := path.Match(pat, strings.TrimSuffix(p, "/"))
	return ok
}

var (
	usesRE   = regexp.MustCompile(`^\s*-?\s*uses:\s*["']?([^\s"'#]+)`)
	pinnedRE = regexp.MustCompile(`@[0-9a-f]{40}$`)
	imageRE  = regexp.MustCompile(`^\s*(?:FROM\s+(?:--platform=\S+\s+)?|-?\s*image:\s*["']?)([^\s"'#]+)`)
	digestRE = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)
)

// PinnedPipelines (REL-PIPE-001) requires every `uses:` of the GitHub
// workflows (.github/workflows/*.yml, *.yaml) to pin an action or reusable
// workflow to a 40-hex commit (§1.31.3.2); local "./" references and
// docker:// images by digest are allowed.
type PinnedPipelines struct{}

// Meta describes the control.
func (PinnedPipelines) Meta() Meta {
	return Meta{ID: "REL-PIPE-001", Title: "Pipeline definitions use immutable references", Section: "§1.31.3.2", Criteria: []string{"CC8.1", "CC9.2"}, Severity: High}
}

// Evaluate checks the workflows of f.Files.
func (PinnedPipelines) Evaluate(_ context.Context, f Facts) Result {
	if f.Files == nil {
		return missing("no repository files read")
	}
	var ev, bad []Evidence
	for _, p := range sortedKeys(f.Files) {
		if path.Dir(p) != ".github/workflows" || (path.Ext(p) != ".yml" && path.Ext(p) != ".yaml") {
			continue
		}
		forLines(f.Files[p], func(n int, line string) {
			m := usesRE.FindStringSubmatch(line)
			if m == nil {
				return
			}
			ref := m[1]
			e := Evidence{Kind: "file", Value: fmt.Sprintf("%s:%d", p, n), Note: ref}
			switch {
			case strings.HasPrefix(ref, "./"), strings.HasPrefix(ref, "docker://") && digestRE.MatchString(ref), pinnedRE.MatchString(ref):
			default:
				bad = append(bad, e)
			}
			ev = append(ev, e)
		})
	}
	if len(ev) == 0 {
		return na("no workflow uses an action")
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%d workflow reference(s) are not pinned to a commit: %s; replace the tag or branch with its 40-hex commit (keep the tag in a comment)", len(bad), notes(bad)), ev...)
	}
	return pass(fmt.Sprintf("%d workflow reference(s) pinned to commits", len(ev)), ev...)
}

// maxFile bounds the size of a file ReadFiles reads.
const maxFile = 1 << 20

// isLockfile reports whether base is the name of a lockfile.
func isLockfile(base string) bool {
	for _, m := range []string{"go.mod", "package.json", "Cargo.toml", "pyproject.toml", "Gemfile"} {
		if locks, _ := lockfiles(m); slices.Contains(locks, base) {
			return true
		}
	}
	return false
}

// lockfiles returns the lockfiles that pin the dependency manifest base.
func lockfiles(base string) ([]string, bool) {
	switch base {
	case "go.mod":
		return []string{"go.sum"}, true
	case "package.json":
		return []string{"package-lock.json", "yarn.lock", "pnpm-lock.yaml"}, true
	case "Cargo.toml":
		return []string{"Cargo.lock"}, true
	case "pyproject.toml":
		return []string{"poetry.lock", "uv.lock"}, true
	case "Gemfile":
		return []string{"Gemfile.lock"}, true
	}
	return nil, false
}

// PinnedInputs (REL-DEPS-001) forbids floating release inputs (§1.18.3.1):
// container images in Dockerfiles, Containerfiles and YAML files (FROM,
// image:) must be referenced by digest, and each dependency manifest needs
// its lockfile next to it. A go.mod without requirements needs no go.sum.
type PinnedInputs struct{}

// Meta describes the control.
func (PinnedInputs) Meta() Meta {
	return Meta{ID: "REL-DEPS-001", Title: "No floating dependency or image references", Section: "§1.18.3.1", Criteria: []string{"CC8.1", "CC9.2"}, Severity: High}
}

// Evaluate checks f.Files.
func (PinnedInputs) Evaluate(_ context.Context, f Facts) Result {
	if f.Files == nil {
		return missing("no repository files read")
	}
	var ev, bad []Evidence
	for _, p := range sortedKeys(f.Files) {
		base := path.Base(p)
		if locks, ok := lockfiles(base); ok {
			if base == "go.mod" && !bytes.Contains(f.Files[p], []byte("require")) {
				continue
			}
			dir := path.Dir(p)
			if !slices.ContainsFunc(locks, func(l string) bool { _, ok := f.Files[path.Join(dir, l)]; return ok }) {
				bad = append(bad, Evidence{Kind: "file", Value: p, Note: "no lockfile (" + strings.Join(locks, " or ") + ")"})
			} else {
				ev = append(ev, Evidence{Kind: "file", Value: p, Note: "locked"})
			}
		}
		isDocker := strings.HasPrefix(base, "Dockerfile") || strings.HasPrefix(base, "Containerfile")
		isYAML := path.Ext(p) == ".yml" || path.Ext(p) == ".yaml"
		if !isDocker && !isYAML {
			continue
		}
		stages := map[string]bool{}
		forLines(f.Files[p], func(n int, line string) {
			if isYAML && strings.HasPrefix(strings.TrimSpace(line), "FROM") {
				return
			}
			m := imageRE.FindStringSubmatch(line)
			if m == nil || (isDocker && !strings.HasPrefix(strings.TrimSpace(line), "FROM")) {
				return
			}
			ref := m[1]
			if isDocker {
				earlier := stages[strings.ToLower(ref)] || ref == "scratch"
				if w := strings.Fields(line); len(w) >= 4 && strings.EqualFold(w[len(w)-2], "AS") {
					stages[strings.ToLower(w[len(w)-1])] = true
				}
				if earlier {
					return // a stage of the same Dockerfile
				}
			}
			e := Evidence{Kind: "digest", Value: fmt.Sprintf("%s:%d", p, n), Note: ref}
			if !digestRE.MatchString(ref) {
				bad = append(bad, e)
			}
			ev = append(ev, e)
		})
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%d floating release input(s): %s; pin images by @sha256 digest and commit lockfiles", len(bad), notes(bad)), append(ev, bad...)...)
	}
	if len(ev) == 0 {
		return na("no images or dependency manifests found")
	}
	return pass(fmt.Sprintf("%d release input(s) pinned", len(ev)), ev...)
}

// A Flag is one entry of a feature-flag registry (§1.17.3.1).
type Flag struct {
	Name    string `yaml:"name"`
	Owner   string `yaml:"owner"`
	Ticket  string `yaml:"ticket"`
	Removal string `yaml:"removal"` // YYYY-MM-DD
}

// FeatureFlags (REL-FLAG-001) requires the feature-flag registry Registry
// (a slash path; empty: "flags/registry.yaml") to exist and to give every
// flag an owner, a ticket and a removal date (YYYY-MM-DD) that has not
// passed at Facts.Now. The registry is YAML: `flags: [{name, owner,
// ticket, removal}]`.
type FeatureFlags struct {
	Registry string
}

// Meta describes the control.
func (FeatureFlags) Meta() Meta {
	return Meta{ID: "REL-FLAG-001", Title: "Feature flags have owners, tickets and removal dates", Section: "§1.17.3.1", Criteria: []string{"CC8.1"}, Severity: Low}
}

// Evaluate checks the registry in f.Files.
func (c FeatureFlags) Evaluate(_ context.Context, f Facts) Result {
	reg := c.Registry
	if reg == "" {
		reg = "flags/registry.yaml"
	}
	if f.Files == nil {
		return missing("no repository files read")
	}
	b, ok := f.Files[reg]
	if !ok {
		return fail("feature-flag registry " + reg + " is missing; create it (flags: [{name, owner, ticket, removal}])")
	}
	if f.Now.IsZero() {
		return missing("evaluation time")
	}
	var doc struct {
		Flags []Flag `yaml:"flags"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return fail(fmt.Sprintf("feature-flag registry %s does not parse: %v", reg, err), Evidence{Kind: "file", Value: reg})
	}
	var ev, bad []Evidence
	today := f.Now.UTC().Format(time.DateOnly)
	for _, fl := range doc.Flags {
		e := Evidence{Kind: "field", Value: fl.Name, Note: "removal " + fl.Removal}
		var miss []string
		for _, x := range []struct{ n, v string }{{"name", fl.Name}, {"owner", fl.Owner}, {"ticket", fl.Ticket}, {"removal", fl.Removal}} {
			if strings.TrimSpace(x.v) == "" {
				miss = append(miss, x.n)
			}
		}
		switch {
		case len(miss) > 0:
			e.Note = "missing " + strings.Join(miss, ", ")
			bad = append(bad, e)
		default:
			if _, err := time.Parse(time.DateOnly, fl.Removal); err != nil {
				e.Note = fmt.Sprintf("removal %q is not YYYY-MM-DD", fl.Removal)
				bad = append(bad, e)
			} else if fl.Removal < today {
				e.Note = "removal date " + fl.Removal + " has passed"
				bad = append(bad, e)
			}
		}
		ev = append(ev, e)
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%d feature flag(s) need attention: %s; remove stale flags or record an owner, ticket and a future removal date", len(bad), notes(bad)), ev...)
	}
	return pass(fmt.Sprintf("%d feature flag(s) registered with owner, ticket and a future removal date", len(doc.Flags)), ev...)
}

func notes(ev []Evidence) string {
	s := make([]string, len(ev))
	for i, e := range ev {
		s[i] = e.Value + " (" + e.Note + ")"
	}
	return strings.Join(s, "; ")
}

func forLines(b []byte, fn func(n int, line string)) {
	for i, line := range strings.Split(string(b), "\n") {
		fn(i+1, strings.TrimRight(line, "\r"))
	}
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

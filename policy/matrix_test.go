package policy_test

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/golden"
	"github.com/releasekit/releasekit/policy"
)

const samplePolicy = `# Sample policy

# Table of Contents

- [1.1 Objective \(you MUST read this\)](#)

# 1. Top

## 1.1 Objective

You **MUST** keep records. You SHOULD smile. Tags **MUST NOT** move; e.g. Tags are forever.

### Guardrail

[!Guardrail] You **MUST** sign tags (e.g. Signed tags) where required.

### 1.2.3 Lists (what you MUST know)

- Each record **MUST** include:
  - a tag,
  - a commit.
- You **MAY** rest.

Field	Requirement
Incident ID	<b>MUST</b>
`

func TestParseRequirements(t *testing.T) {
	reqs, err := policy.ParseRequirements([]byte(samplePolicy))
	require.NoError(t, err)
	var got []string
	for _, r := range reqs {
		got = append(got, r.ID+" "+r.Section+" "+r.Text)
	}
	assert.Equal(t, []string{
		"§1.1/1 §1.1 You MUST keep records.",
		"§1.1/2 §1.1 Tags MUST NOT move; e.g. Tags are forever.",
		"§1.1/3 §1.1 You MUST sign tags (e.g. Signed tags) where required.",
		"§1.2.3/1 §1.2.3 Each record MUST include: a tag; a commit",
		"§1.2.3/2 §1.2.3 Incident ID — MUST",
	}, got, "headings and the table of contents are not sentences; an unnumbered heading keeps its section")
	assert.Equal(t, 11, reqs[0].Line)
	assert.Len(t, reqs[0].Sum(), 8)

	_, err = policy.ParseRequirements([]byte("# Intro\n\nYou MUST be numbered.\n"))
	require.Error(t, err, "a MUST sentence needs a section")
}

// TestReleasePolicyRequirements pins the number of MUST sentences of the
// release policy: a change of the policy's text changes the matrix, and
// the traceability data must be reviewed with it.
func TestReleasePolicyRequirements(t *testing.T) {
	reqs, err := policy.ParseRequirements(policy.ReleasePolicy())
	require.NoError(t, err)
	assert.Len(t, reqs, 507)
	ids := map[string]bool{}
	for _, r := range reqs {
		assert.False(t, ids[r.ID], "unique ID %s", r.ID)
		ids[r.ID] = true
		assert.Contains(t, r.Text, "MUST", r.ID)
		assert.True(t, strings.HasPrefix(r.ID, r.Section+"/"), r.ID)
	}
	// Every line of the policy's body that says MUST is in a sentence:
	// its own, or the one whose list it is part of.
	lines := strings.Split(string(policy.ReleasePolicy()), "\n")
	for n, l := range lines {
		trimmed := strings.TrimSpace(l)
		if !strings.Contains(l, "MUST") || strings.HasPrefix(l, "#") || strings.HasPrefix(trimmed, "- [") {
			continue
		}
		i := slices.IndexFunc(reqs, func(r policy.Requirement) bool { return r.Line > n+1 })
		if i < 0 {
			i = len(reqs)
		}
		require.Positive(t, i, "line %d", n+1)
		prev := reqs[i-1]
		item := strings.ReplaceAll(strings.TrimLeft(trimmed, "-*0123456789.) "), "**", "")
		item = item[:min(len(item), 20)]
		assert.True(t, prev.Line == n+1 || strings.Contains(prev.Text, item), "line %d says MUST but is in no sentence: %s", n+1, l)
	}
}

// TestMatrix checks the traceability matrix of the release policy: every
// MUST sentence traced once, every control named built in, and every API
// and test named present in the module.
func TestMatrix(t *testing.T) {
	m, err := policy.Traceability()
	require.NoError(t, err)
	reqs, err := policy.ParseRequirements(policy.ReleasePolicy())
	require.NoError(t, err)
	require.Len(t, m.Traces, len(reqs))

	builtin := map[string]bool{"REL-GATE-001": true}
	for _, c := range policy.Builtin() {
		builtin[c.Meta().ID] = true
	}
	for id := range builtin {
		assert.NotEmpty(t, policy.ControlRequirements(id), "%s traces no sentence", id)
	}
	assert.Nil(t, policy.ControlRequirements("REL-NOPE-001"))

	c := m.Counts()
	assert.Equal(t, len(reqs), c.Total)
	assert.Equal(t, c.Total, c.Automated+c.Automatable+c.Organisational)

	apis := map[string]bool{}
	tests := map[string]bool{}
	for _, tr := range m.Traces {
		for _, id := range tr.Controls {
			assert.True(t, builtin[id], "%s: control %s is not built in", tr.ID, id)
			assert.Contains(t, policy.ControlRequirements(id), tr.ID)
		}
		for _, a := range tr.APIs {
			apis[a] = true
		}
		for _, x := range tr.Tests {
			tests[x] = true
		}
		if tr.Status == policy.Automated {
			assert.NotEmpty(t, tr.Tests, tr.ID)
		} else {
			assert.NotEmpty(t, tr.Reason, tr.ID)
		}
	}
	root := ".."
	docs := map[string]*doc.Package{}
	for a := range apis {
		pkg, name := splitQualified(a)
		p, ok := docs[pkg]
		if !ok {
			p = packageDoc(t, filepath.Join(root, filepath.FromSlash(pkg)))
			docs[pkg] = p
		}
		assert.True(t, hasAPI(p, name), "API %s does not exist", a)
	}
	assert.False(t, hasAPI(packageDoc(t, filepath.Join(root, "manifest")), "NoSuchFunc"), "the API check finds only what exists")
	testFuncs := map[string]map[string]bool{}
	for x := range tests {
		pkg, name := splitQualified(x)
		fs, ok := testFuncs[pkg]
		if !ok {
			fs = testFunctions(t, filepath.Join(root, filepath.FromSlash(pkg)))
			testFuncs[pkg] = fs
		}
		assert.True(t, fs[name], "test %s does not exist", x)
		assert.True(t, strings.HasPrefix(name, "Test") || strings.HasPrefix(name, "Example"), x)
	}
	assert.False(t, testFunctions(t, filepath.Join(root, "manifest"))["TestNoSuchTest"], "the test check finds only what exists")
}

// TestMatrixDoc regenerates docs/policy-matrix.md: it fails when the
// checked-in file is stale; go test -update rewrites it.
func TestMatrixDoc(t *testing.T) {
	m, err := policy.Traceability()
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, m.WriteMarkdown(&b))
	golden.Check(t, filepath.Join("..", "docs", "policy-matrix.md"), b.Bytes())
}

func TestMatrixJSON(t *testing.T) {
	m, err := policy.Traceability()
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, m.WriteJSON(&b))
	var got struct {
		Counts       map[string]int   `json:"counts"`
		Requirements []map[string]any `json:"requirements"`
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &got))
	assert.Equal(t, map[string]int{"total": 507, "automated": m.Counts().Automated, "automatable": m.Counts().Automatable,
		"organisational": m.Counts().Organisational}, got.Counts)
	require.Len(t, got.Requirements, 507)
	for _, r := range got.Requirements {
		var keys []string
		for k := range r {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		assert.Equal(t, []string{"apis", "controls", "id", "reason", "section", "sentence", "status", "tests"}, keys)
	}
	sod, ok := m.Lookup("§1.21.3.2/2")
	require.True(t, ok)
	assert.Equal(t, policy.Automated, sod.Status)
	assert.Contains(t, sod.Controls, "REL-SOD-001")
	_, ok = m.Lookup("§9.9/9")
	assert.False(t, ok)
}

func TestParseMatrixRefuses(t *testing.T) {
	const text = "## 1.1 A\n\nYou MUST sign. You MUST record.\n"
	reqs, err := policy.ParseRequirements([]byte(text))
	require.NoError(t, err)
	entry := func(id, sum, rest string) string {
		return "  - {id: \"" + id + "\", sum: \"" + sum + "\", " + rest + "}\n"
	}
	ok1 := entry("§1.1/1", reqs[0].Sum(), "status: automated, apis: [tagging.Create], tests: [tagging.TestCreate]")
	ok2 := entry("§1.1/2", reqs[1].Sum(), "status: organisational, reason: people write it")
	m, err := policy.ParseMatrix([]byte(text), []byte("requirements:\n"+ok1+ok2))
	require.NoError(t, err)
	assert.Equal(t, policy.MatrixCounts{Total: 2, Automated: 1, Organisational: 1}, m.Counts())

	for name, c := range map[string]struct{ text, data, want string }{
		"policy changed": {strings.Replace(text, "sign", "sign twice", 1), "requirements:\n" + ok1 + ok2, "the sentence changed"},
		"missing entry":  {text, "requirements:\n" + ok1, "§1.1/2: no traceability entry"},
		"unknown entry":  {text, "requirements:\n" + ok1 + ok2 + entry("§1.1/3", "00000000", "status: organisational, reason: x"), "not a MUST sentence"},
		"order":          {text, "requirements:\n" + ok2 + ok1, "policy order"},
		"twice":          {text, "requirements:\n" + ok1 + ok1 + ok2, "listed twice"},
		"no test":        {text, "requirements:\n" + entry("§1.1/1", reqs[0].Sum(), "status: automated, apis: [tagging.Create]") + ok2, "automated without a test"},
		"no enforcer":    {text, "requirements:\n" + entry("§1.1/1", reqs[0].Sum(), "status: automated, tests: [tagging.TestCreate]") + ok2, "without a control or an API"},
		"no reason":      {text, "requirements:\n" + ok1 + entry("§1.1/2", reqs[1].Sum(), "status: automatable"), "automatable without a reason"},
		"apis on gap":    {text, "requirements:\n" + ok1 + entry("§1.1/2", reqs[1].Sum(), "status: organisational, reason: r, apis: [x.Y]"), "organisational, yet names"},
		"status":         {text, "requirements:\n" + ok1 + entry("§1.1/2", reqs[1].Sum(), "status: done, reason: r"), `status "done"`},
		"unknown field":  {text, "requirements:\n  - {id: \"§1.1/1\", owner: me}\n", "owner"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := policy.ParseMatrix([]byte(c.text), []byte(c.data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// splitQualified splits "audit/bundle.Verify" into "audit/bundle" and
// "Verify", "config.Config.Authorize" into "config" and "Config.Authorize".
func splitQualified(s string) (pkg, name string) {
	slash := strings.LastIndex(s, "/") + 1
	dot := strings.Index(s[slash:], ".")
	if dot < 0 {
		return s, ""
	}
	return s[:slash+dot], s[slash+dot+1:]
}

// packageDoc reads the exported API of the package in dir (no test files).
func packageDoc(t *testing.T, dir string) *doc.Package {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var files []*ast.File
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.ParseComments|parser.SkipObjectResolution)
		require.NoError(t, err)
		files = append(files, f)
	}
	require.NotEmpty(t, files, "no Go files in %s", dir)
	p, err := doc.NewFromFiles(fset, files, "example.com/"+filepath.ToSlash(dir))
	require.NoError(t, err)
	return p
}

// hasAPI reports whether p exports name: a function, type, variable or
// constant ("Promote"), or a type's method ("Config.Authorize").
func hasAPI(p *doc.Package, name string) bool {
	typ, method, isMethod := strings.Cut(name, ".")
	for _, f := range p.Funcs {
		if !isMethod && f.Name == name {
			return true
		}
	}
	for _, ty := range p.Types {
		if ty.Name != typ {
			for _, f := range ty.Funcs {
				if !isMethod && f.Name == name {
					return true
				}
			}
			continue
		}
		if !isMethod {
			return true
		}
		for _, m := range ty.Methods {
			if m.Name == method {
				return true
			}
		}
	}
	for _, vs := range append(slices.Clone(p.Vars), p.Consts...) {
		if !isMethod && slices.Contains(vs.Names, name) {
			return true
		}
	}
	return false
}

// testFunctions returns the top-level functions of the test files in dir.
func testFunctions(t *testing.T, dir string) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string]bool{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
				out[fd.Name.Name] = true
			}
		}
	}
	return out
}

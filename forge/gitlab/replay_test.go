package gitlab_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/forge/gitlab"
)

// The tests answer client-go's requests with the responses GitLab's
// client-go v2 ships in its own tests (the module go.mod requires):
// its testdata/*.json, and the JSON its *_test.go handlers write, each
// taken with the method and path its handler was registered for. They are
// read from the copy scripts/fetch-forge-fixtures makes
// ($RELEASEKIT_FORGE_FIXTURES/client-go), which also holds client-go's
// test sources.

// A canned is one response of client-go's tests.
type canned struct {
	method, pattern, source string
	status                  int
	body                    string
}

func clientGoDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("RELEASEKIT_FORGE_FIXTURES")
	if dir == "" {
		t.Skip("RELEASEKIT_FORGE_FIXTURES is unset: run scripts/fetch-forge-fixtures and export its output (scripts/test does)")
	}
	return filepath.Join(dir, "client-go")
}

var variable = regexp.MustCompile(`^([0-9]+|[0-9a-f]{40})$`)

// pattern replaces the numeric and SHA segments of a path with "*".
func pattern(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if variable.MatchString(s) || (i > 0 && segs[i-1] == "projects") {
			segs[i] = "*"
		}
	}
	return strings.Join(segs, "/")
}

var loadCanned = sync.OnceValues(func() ([]canned, error) {
	dir := filepath.Join(os.Getenv("RELEASEKIT_FORGE_FIXTURES"), "client-go")
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var parsed []*ast.File
	consts := map[string]string{}
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			return nil, err
		}
		parsed = append(parsed, af)
		for _, d := range af.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || (gd.Tok != token.CONST && gd.Tok != token.VAR) {
				continue
			}
			for _, sp := range gd.Specs {
				vs := sp.(*ast.ValueSpec)
				for i, v := range vs.Values {
					if s, ok := stringLit(v, nil); ok && i < len(vs.Names) {
						consts[vs.Names[i].Name] = s
					}
				}
			}
		}
	}
	var out []canned
	for _, af := range parsed {
		ast.Inspect(af, func(n ast.Node) bool {
			if fd, ok := n.(*ast.FuncDecl); ok && fd.Body != nil {
				out = append(out, handlers(fset, dir, fd.Body, locals(fd.Body, consts), consts)...)
				return false
			}
			return true
		})
	}
	return out, nil
})

// locals adds to consts the string variables a function body assigns.
func locals(body *ast.BlockStmt, consts map[string]string) map[string]string {
	m := map[string]string{}
	for k, v := range consts {
		m[k] = v
	}
	ast.Inspect(body, func(n ast.Node) bool {
		if as, ok := n.(*ast.AssignStmt); ok && len(as.Lhs) == len(as.Rhs) {
			for i, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					if s, ok := stringLit(as.Rhs[i], consts); ok {
						m[id.Name] = s
					}
				}
			}
		}
		return true
	})
	return m
}

// handlers returns the responses of the HandleFunc calls in body.
func handlers(fset *token.FileSet, dir string, body *ast.BlockStmt, vars, consts map[string]string) []canned {
	var out []canned
	{
		ast.Inspect(body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "HandleFunc" {
				return true
			}
			path, ok := stringLit(call.Args[0], vars)
			fn, ok2 := call.Args[1].(*ast.FuncLit)
			if !ok || !ok2 {
				return true
			}
			c := canned{pattern: pattern(path), status: http.StatusOK, source: filepath.Base(fset.Position(call.Pos()).Filename) + ":" + strconv.Itoa(fset.Position(call.Pos()).Line)}
			found := false
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				ce, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				name := ""
				switch f := ce.Fun.(type) {
				case *ast.Ident:
					name = f.Name
				case *ast.SelectorExpr:
					name = f.Sel.Name
				}
				switch {
				case name == "testMethod" && len(ce.Args) == 3:
					if sel, ok := ce.Args[2].(*ast.SelectorExpr); ok {
						c.method = strings.ToUpper(strings.TrimPrefix(sel.Sel.Name, "Method"))
					}
				case (name == "Fprint" || name == "Fprintf" || name == "Fprintln") && len(ce.Args) >= 2:
					if s, ok := stringLit(ce.Args[1], consts); ok {
						c.body, found = s, true
					}
				case name == "mustWriteHTTPResponse" && len(ce.Args) == 3:
					if s, ok := stringLit(ce.Args[2], consts); ok {
						if data, err := os.ReadFile(filepath.Join(dir, s)); err == nil {
							c.body, found = string(data), true
							c.source = s
						}
					}
				case name == "WriteHeader" && len(ce.Args) == 1:
					if sel, ok := ce.Args[0].(*ast.SelectorExpr); ok {
						c.status = statusCodes[sel.Sel.Name]
					}
				}
				return true
			})
			if found && c.method != "" && c.status != 0 {
				out = append(out, c)
			}
			return true
		})
	}
	return out
}

var statusCodes = map[string]int{"StatusOK": 200, "StatusCreated": 201, "StatusAccepted": 202, "StatusNoContent": 204}

func stringLit(e ast.Expr, consts map[string]string) (string, bool) {
	switch v := e.(type) {
	case *ast.BasicLit:
		if v.Kind == token.STRING {
			s, err := strconv.Unquote(v.Value)
			return s, err == nil
		}
	case *ast.Ident:
		s, ok := consts[v.Name]
		return s, ok
	}
	return "", false
}

// A served is what answered one request.
type served struct{ Method, Path, Source string }

// replay answers each request with the canned response of the same
// method and path pattern chosen by the test (use), else the first one
// client-go's tests have for it; a request no canned response answers
// fails the test.
type replay struct {
	t      *testing.T
	srv    *httptest.Server
	canned []canned
	chosen map[string]string // method+pattern -> source
	mu     sync.Mutex
	served []served
}

func newReplay(t *testing.T) *replay {
	clientGoDir(t)
	cs, err := loadCanned()
	require.NoError(t, err)
	require.NotEmpty(t, cs)
	r := &replay{t: t, canned: cs, chosen: map[string]string{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// use answers method path with the response of source (a testdata file
// or FILE:LINE of client-go's tests), which may have been written for
// another path.
func (r *replay) use(method, path, source string) {
	r.chosen[method+" "+pattern(path)] = source
}

func (r *replay) client(opts ...gitlab.Option) *gitlab.Client {
	c, err := gitlab.New(r.srv.Client(), r.srv.URL, "1", "glpat-test", opts...)
	require.NoError(r.t, err)
	return c
}

func (r *replay) serve(w http.ResponseWriter, req *http.Request) {
	p := pattern(req.URL.Path)
	want := r.chosen[req.Method+" "+p]
	for _, c := range r.canned {
		if want != "" && c.source != want || want == "" && (c.method != req.Method || c.pattern != p) {
			continue
		}
		r.mu.Lock()
		r.served = append(r.served, served{req.Method, req.URL.Path, c.source})
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(c.status)
		w.Write([]byte(c.body))
		return
	}
	r.t.Errorf("%s %s: client-go's tests have no response for it", req.Method, req.URL.Path)
	http.Error(w, `{"message":"404 Not Found"}`, http.StatusNotFound)
}

func (r *replay) sources() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, s := range r.served {
		out = append(out, s.Method+" "+s.Path+" <- "+s.Source)
	}
	return out
}

package gitlab_test

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// projectSource is the project every replay answers GET /projects/:id
// with, and its path.
const (
	projectSource   = "projects_test.go:1947"
	projectFullPath = "namespace/test-project"
)

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
				out = append(out, handlers(fset, dir, fd, locals(fd.Body, consts), consts)...)
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
func handlers(fset *token.FileSet, dir string, fd *ast.FuncDecl, vars, consts map[string]string) []canned {
	var out []canned
	{
		ast.Inspect(fd.Body, func(n ast.Node) bool {
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
			var table []canned // responses of a table-driven test (Fprint(w, tc.response))
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
					} else if sel, ok := ce.Args[1].(*ast.SelectorExpr); ok {
						table = append(table, tableResponses(fset, fd, sel.Sel.Name)...)
					}
				case name == "mustWriteJSONResponse" && len(ce.Args) == 3:
					if v, ok := literal(ce.Args[2]); ok {
						if data, err := json.Marshal(v); err == nil {
							c.body, found = string(data), true
						}
					}
				case name == "Error" && len(ce.Args) == 3 && isPkg(ce.Fun, "http"):
					// http.Error(w, message, status): a text body.
					if s, ok := stringLit(ce.Args[1], consts); ok {
						c.body, found = s+"\n", true
					}
					if sel, ok := ce.Args[2].(*ast.SelectorExpr); ok {
						c.status = statusCodes[sel.Sel.Name]
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
			if found && c.status != 0 {
				out = append(out, c)
			}
			for _, tc := range table {
				tc.method, tc.pattern, tc.status = c.method, c.pattern, c.status
				out = append(out, tc)
			}
			return true
		})
	}
	return out
}

var statusCodes = map[string]int{"StatusOK": 200, "StatusCreated": 201, "StatusAccepted": 202, "StatusNoContent": 204,
	"StatusBadRequest": 400, "StatusUnauthorized": 401, "StatusForbidden": 403, "StatusNotFound": 404, "StatusConflict": 409,
	"StatusUnprocessableEntity": 422, "StatusTooManyRequests": 429, "StatusInternalServerError": 500, "StatusServiceUnavailable": 503}

// isPkg reports whether fun is a selector on the identifier pkg.
func isPkg(fun ast.Expr, pkg string) bool {
	sel, ok := fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == pkg
}

// tableResponses returns the responses of a table-driven test: the
// string values of the field named field in fd's composite literals, each
// with its FILE:LINE.
func tableResponses(fset *token.FileSet, fd *ast.FuncDecl, field string) []canned {
	var out []canned
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		kv, ok := n.(*ast.KeyValueExpr)
		if !ok {
			return true
		}
		if k, ok := kv.Key.(*ast.Ident); ok && k.Name == field {
			if s, ok := stringLit(kv.Value, nil); ok {
				pos := fset.Position(kv.Pos())
				out = append(out, canned{source: filepath.Base(pos.Filename) + ":" + strconv.Itoa(pos.Line), body: s})
			}
		}
		return true
	})
	return out
}

// literal evaluates a Go composite literal of JSON values
// (map[string]any{...}, []map[string]any{...}, strings, numbers, true,
// false, nil) as mustWriteJSONResponse would encode it.
func literal(e ast.Expr) (any, bool) {
	switch v := e.(type) {
	case *ast.BasicLit:
		switch v.Kind {
		case token.STRING:
			s, err := strconv.Unquote(v.Value)
			return s, err == nil
		case token.INT, token.FLOAT:
			return json.Number(v.Value), true
		}
	case *ast.Ident:
		switch v.Name {
		case "true":
			return true, true
		case "false":
			return false, true
		case "nil":
			return nil, true
		}
	case *ast.CompositeLit:
		if _, isMap := v.Type.(*ast.MapType); isMap {
			m := map[string]any{}
			for _, el := range v.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					return nil, false
				}
				k, ok := stringLit(kv.Key, nil)
				val, ok2 := literal(kv.Value)
				if !ok || !ok2 {
					return nil, false
				}
				m[k] = val
			}
			return m, true
		}
		var list []any
		for _, el := range v.Elts {
			if inner, ok := el.(*ast.CompositeLit); ok && inner.Type == nil {
				// an element of []map[string]any{{...}}: its type is elided.
				if at, ok := v.Type.(*ast.ArrayType); ok {
					inner = &ast.CompositeLit{Type: at.Elt, Elts: inner.Elts}
				}
				el = inner
			}
			val, ok := literal(el)
			if !ok {
				return nil, false
			}
			list = append(list, val)
		}
		return list, true
	}
	return nil, false
}

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

// A served is one request and what answered it.
type served struct {
	Method, Path, Source string
	Query                url.Values
	ContentType          string
	Body                 []byte
}

// replay answers each request with the canned response of the same
// method and path pattern chosen by the test (use), else the first one
// client-go's tests have for it; a request no canned response answers
// fails the test.
type replay struct {
	t      *testing.T
	srv    *httptest.Server
	canned []canned
	chosen map[string]string // method+pattern -> source
	edits  map[string]func(string) string
	mu     sync.Mutex
	served []served
}

func newReplay(t *testing.T) *replay {
	clientGoDir(t)
	cs, err := loadCanned()
	require.NoError(t, err)
	require.NotEmpty(t, cs)
	r := &replay{t: t, canned: cs, chosen: map[string]string{}, edits: map[string]func(string) string{}}
	// client-go ships no GET of a single project that has its
	// path_with_namespace: its restored project ("namespace/test-project",
	// the Project entity a GET returns) answers.
	r.use("GET", "/api/v4/projects/1", projectSource)
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

// edit answers method path with its response as edit changes it. A test
// edits a shipped response only where it must set what client-go's
// tests never answer, and says so.
func (r *replay) edit(method, path string, edit func(body string) string) {
	r.edits[method+" "+pattern(path)] = edit
}

func (r *replay) client(opts ...gitlab.Option) *gitlab.Client {
	c, err := gitlab.New(r.srv.Client(), r.srv.URL, "1", "glpat-test", opts...)
	require.NoError(r.t, err)
	return c
}

func (r *replay) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		r.t.Errorf("%s %s: read the body: %v", req.Method, req.URL.Path, err)
		return
	}
	// Every request must conform to GitLab's REST API reference
	// (spec_test.go).
	if err := checkRequest(req, body); err != nil {
		r.t.Errorf("a request GitLab's API reference does not allow: %v", err)
		http.Error(w, `{"message":"400 Bad request"}`, http.StatusBadRequest)
		return
	}
	p := pattern(req.URL.Path)
	want := r.chosen[req.Method+" "+p]
	for _, c := range r.canned {
		// Unless a test chooses one, only a success answers: client-go's
		// error responses are chosen explicitly.
		if want != "" && c.source != want || want == "" && (c.method != req.Method || c.pattern != p || c.status >= 300) {
			continue
		}
		answer, source := c.body, c.source
		if edit := r.edits[req.Method+" "+p]; edit != nil {
			answer, source = edit(answer), source+" (edited)"
		}
		r.mu.Lock()
		r.served = append(r.served, served{Method: req.Method, Path: req.URL.Path, Source: source, Query: req.URL.Query(),
			ContentType: req.Header.Get("Content-Type"), Body: body})
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(c.status)
		w.Write([]byte(answer))
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

// request returns the i-th request served (from 0).
func (r *replay) request(i int) served {
	r.mu.Lock()
	defer r.mu.Unlock()
	require.Less(r.t, i, len(r.served))
	return r.served[i]
}

// conforming wraps a test's own handler with the check of every request
// against GitLab's REST API reference.
func conforming(t *testing.T, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err == nil {
			err = checkRequest(req, body)
		}
		if err != nil {
			t.Errorf("a request GitLab's API reference does not allow: %v", err)
			http.Error(w, `{"message":"400 Bad request"}`, http.StatusBadRequest)
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, req)
	})
}

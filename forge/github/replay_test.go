package github_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/forge/github"
)

// The tests replay api.github.com traffic recorded by @octokit/fixtures
// and validate every request against GitHub's OpenAPI description
// (@octokit/openapi), both fetched by scripts/fetch-forge-fixtures into
// $RELEASEKIT_FORGE_FIXTURES. The repository of every test is the
// recorded organisation's: owner octokit-fixture-org; each scenario's own
// repository name (and /repositories/1000, its id) map to repo.
const (
	owner = "octokit-fixture-org"
	repo  = "hello-world"
)

// fixturesDir returns $RELEASEKIT_FORGE_FIXTURES, or skips the test.
func fixturesDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("RELEASEKIT_FORGE_FIXTURES")
	if dir == "" {
		t.Skip("RELEASEKIT_FORGE_FIXTURES is unset: run scripts/fetch-forge-fixtures and export its output (scripts/test does)")
	}
	return dir
}

// description is GitHub's OpenAPI description and its router, loaded once
// per test binary (the file is large).
type description struct {
	doc    *openapi3.T
	router routers.Router
	multi  []multiSegment
}

// A multiSegment is a path of the description with a parameter the
// description marks x-multi-segment (git/ref/{ref}: "tags/v1.0.0"), which
// kin-openapi's router matches as one segment only: match finds the path
// with the parameter spanning segments.
type multiSegment struct {
	match *regexp.Regexp // the parameter is the group "multi"
}

// multiSegments lists the paths of doc with x-multi-segment parameters.
func multiSegments(doc *openapi3.T) []multiSegment {
	var out []multiSegment
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for _, op := range item.Operations() {
			for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
				if p.Value == nil || p.Value.In != openapi3.ParameterInPath || p.Value.Extensions["x-multi-segment"] != true {
					continue
				}
				expr := regexp.QuoteMeta(path)
				expr = strings.Replace(expr, regexp.QuoteMeta("{"+p.Value.Name+"}"), "(?P<multi>.+)", 1)
				expr = quotedParam.ReplaceAllString(expr, "[^/]+")
				out = append(out, multiSegment{regexp.MustCompile("^" + expr + "$")})
			}
		}
	}
	return out
}

// encodeMulti returns u with the slashes of an x-multi-segment
// parameter escaped (%2F), so that the router matches it as one segment,
// and false when no such path matches u.
func (d *description) encodeMulti(u *url.URL) (*url.URL, bool) {
	for _, m := range d.multi {
		loc := m.match.FindStringSubmatchIndex(u.Path)
		if loc == nil {
			continue
		}
		g := m.match.SubexpIndex("multi")
		start, end := loc[2*g], loc[2*g+1]
		v := *u
		v.RawPath = u.Path[:start] + url.PathEscape(u.Path[start:end]) + u.Path[end:]
		return &v, true
	}
	return nil, false
}

var loadDescription = sync.OnceValues(func() (*description, error) {
	dir := os.Getenv("RELEASEKIT_FORGE_FIXTURES")
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(filepath.Join(dir, "octokit-openapi", "api.github.com.json"))
	if err != nil {
		return nil, err
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &description{doc: doc, router: router, multi: multiSegments(doc)}, nil
})

// An exchange is one recorded request and its response.
type exchange struct {
	scenario string
	method   string
	path     string // normalised (see normalise)
	page     string
	status   int
	headers  map[string]any
	body     json.RawMessage
	used     bool
	// source names what answers when it is not the recorded exchange
	// itself (a refusal, a part of a recorded response).
	source string
}

// A served is what answered one request: "recorded SCENARIO" or
// "openapi OPERATION-ID".
type served struct {
	Method, Path, Source string
}

// replay is an HTTP server on 127.0.0.1 that answers each request with
// the first unused recorded exchange of the same method, path and page
// (other query parameters and the body are not compared: they are
// validated against the OpenAPI description instead), or, when none was
// recorded, with the OpenAPI description's own example of the operation's
// success response. Every request is validated against the description.
type replay struct {
	t       *testing.T
	srv     *httptest.Server
	desc    *description
	mu      sync.Mutex
	ex      []*exchange
	forced  map[string]*exchange
	served  []served
	invalid []string
	// graphql answers POST /api/graphql, which GitHub's OpenAPI
	// description (REST only) does not describe; nil: the test fails.
	graphql func(query string) (status int, body string)
}

// newReplay starts a server replaying the named scenarios.
func newReplay(t *testing.T, scenarios ...string) *replay {
	t.Helper()
	dir := fixturesDir(t)
	desc, err := loadDescription()
	require.NoError(t, err, "load GitHub's OpenAPI description")
	r := &replay{t: t, desc: desc, forced: map[string]*exchange{}}
	for _, s := range scenarios {
		r.ex = append(r.ex, loadScenario(t, dir, s)...)
	}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// client returns a github.Client of the replayed repository, through the
// GitHub Enterprise Server URL form (/api/v3/, /api/uploads/).
func (r *replay) client(opts ...github.Option) *github.Client {
	c, err := github.New(r.srv.Client(), r.srv.URL, owner, repo, "0000000000000000000000000000000000000001", opts...)
	require.NoError(r.t, err)
	return c
}

// force answers method path (normalised) with the recorded exchange
// number i of scenario, whatever path it was recorded on.
func (r *replay) force(method, path, scenario string, i int) {
	ex := loadScenario(r.t, fixturesDir(r.t), scenario)
	r.forced[strings.ToUpper(method)+" "+normalise(path)] = ex[i]
}

// forceRecordedPart answers method path with the member named field of
// the response of recorded exchange number i of scenario (a part of what
// GitHub answered, such as the account that opened an issue).
func (r *replay) forceRecordedPart(method, path, scenario string, i int, field string) {
	ex := loadScenario(r.t, fixturesDir(r.t), scenario)[i]
	var obj map[string]json.RawMessage
	require.NoError(r.t, json.Unmarshal(ex.body, &obj))
	part, ok := obj[field]
	require.True(r.t, ok, "%s #%d has no %q", scenario, i, field)
	r.forced[strings.ToUpper(method)+" "+normalise(path)] = &exchange{source: "recorded " + scenario + " (" + field + ")", status: http.StatusOK,
		headers: map[string]any{"content-type": "application/json; charset=utf-8"}, body: part}
}

// refuse answers method path with status and GitHub's error body
// (basic-error: message and documentation_url), as GitHub refuses a call.
func (r *replay) refuse(method, path string, status int, message string) {
	body, err := json.Marshal(map[string]string{"message": message, "documentation_url": "https://docs.github.com/rest"})
	require.NoError(r.t, err)
	r.forced[strings.ToUpper(method)+" "+normalise(path)] = &exchange{source: "refused " + strconv.Itoa(status), status: status,
		headers: map[string]any{"content-type": "application/json; charset=utf-8"}, body: body}
}

// sources returns the sources that answered, in order.
func (r *replay) sources() []served {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.served)
}

var (
	recordedRepo = regexp.MustCompile(`^/repos/octokit-fixture-org/[^/]+|^/repositories/1000`)
	apiPrefix    = regexp.MustCompile(`^/api/(v3|uploads)`)
	// quotedParam is a path parameter ({name}) in a regexp.QuoteMeta'd path.
	quotedParam = regexp.MustCompile(`\\\{[^/]+?\\\}`)
)

// normalise maps a recorded or requested path to the test repository.
func normalise(p string) string {
	return recordedRepo.ReplaceAllString(p, "/repos/"+owner+"/"+repo)
}

func loadScenario(t *testing.T, dir, name string) []*exchange {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "octokit-fixtures", "api.github.com", name, "normalized-fixture.json"))
	require.NoError(t, err)
	var recs []struct {
		Method   string          `json:"method"`
		Path     string          `json:"path"`
		Status   int             `json:"status"`
		Response json.RawMessage `json:"response"`
		Headers  map[string]any  `json:"headers"`
	}
	require.NoError(t, json.Unmarshal(data, &recs))
	var out []*exchange
	for _, rec := range recs {
		u, err := url.Parse(rec.Path)
		require.NoError(t, err)
		page := u.Query().Get("page")
		if page == "" {
			page = "1"
		}
		out = append(out, &exchange{scenario: name, method: strings.ToUpper(rec.Method), path: normalise(u.Path), page: page,
			status: rec.Status, headers: rec.Headers, body: rec.Response})
	}
	return out
}

func (r *replay) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	if req.URL.Path == "/api/graphql" {
		r.serveGraphQL(w, req, body)
		return
	}
	path := apiPrefix.ReplaceAllString(req.URL.Path, "")
	route := r.validate(req, path, body)

	page := req.URL.Query().Get("page")
	if page == "" {
		page = "1"
	}
	key := normalise(path)
	r.mu.Lock()
	ex := r.forced[req.Method+" "+key]
	if ex == nil {
		for _, e := range r.ex {
			if !e.used && e.method == req.Method && e.path == key && e.page == page {
				e.used = true
				ex = e
				break
			}
		}
	}
	r.mu.Unlock()
	if ex != nil {
		source := ex.source
		if source == "" {
			source = "recorded " + ex.scenario
		}
		r.record(req.Method, path, source)
		r.writeRecorded(w, ex)
		return
	}
	if route == nil {
		http.Error(w, "no such operation", http.StatusNotFound)
		return
	}
	status, example := openAPIExample(route.Operation)
	if example == nil {
		r.t.Errorf("%s %s: no recorded exchange and no example in the OpenAPI description (%s)", req.Method, path, route.Operation.OperationID)
		http.Error(w, "no example", http.StatusNotImplemented)
		return
	}
	r.record(req.Method, path, "openapi "+route.Operation.OperationID)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(example)
}

// serveGraphQL answers a GraphQL call, checked to be what GitHub's
// GraphQL endpoint takes (a POST of a JSON object with the query), with
// the test's graphql function.
func (r *replay) serveGraphQL(w http.ResponseWriter, req *http.Request, body []byte) {
	var call struct {
		Query string `json:"query"`
	}
	switch {
	case req.Method != http.MethodPost:
		r.t.Errorf("graphql: %s, want POST", req.Method)
	case !strings.HasPrefix(req.Header.Get("Content-Type"), "application/json"):
		r.t.Errorf("graphql: Content-Type %q, want application/json", req.Header.Get("Content-Type"))
	case json.Unmarshal(body, &call) != nil || call.Query == "":
		r.t.Errorf("graphql: body %q is not a JSON object with a query", body)
	case r.graphql == nil:
		r.t.Errorf("graphql: unexpected query %q", call.Query)
	}
	if r.graphql == nil {
		http.Error(w, "no graphql", http.StatusNotImplemented)
		return
	}
	status, answer := r.graphql(call.Query)
	r.record(req.Method, "/graphql", "graphql "+call.Query)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, answer)
}

func (r *replay) record(method, path, source string) {
	r.mu.Lock()
	r.served = append(r.served, served{method, path, source})
	r.mu.Unlock()
}

// validate checks the request against the OpenAPI description and
// returns its route (nil when the description has no such operation).
func (r *replay) validate(req *http.Request, path string, body []byte) *routers.Route {
	// The upload operation names https://uploads.github.com as its server,
	// which kin-openapi's router does not read: it is routed by its path
	// on the description's server like the others.
	u, err := url.Parse("https://api.github.com" + path)
	require.NoError(r.t, err)
	u.RawQuery = req.URL.RawQuery
	vr := req.Clone(context.Background())
	vr.URL = u
	vr.Host = u.Host
	vr.RequestURI = ""
	vr.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := r.desc.router.FindRoute(vr)
	if err != nil {
		if mu, ok := r.desc.encodeMulti(u); ok {
			vr.URL = mu
			route, params, err = r.desc.router.FindRoute(vr)
		}
	}
	if err != nil {
		r.t.Errorf("%s %s: not in GitHub's OpenAPI description: %v", req.Method, path, err)
		return nil
	}
	in := &openapi3filter.RequestValidationInput{Request: vr, PathParams: params, Route: route,
		Options: &openapi3filter.Options{MultiError: true, RejectWhenRequestBodyNotSpecified: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		r.t.Errorf("%s %s (%s): the request does not match GitHub's OpenAPI description: %v", req.Method, path, route.Operation.OperationID, err)
	}
	return route
}

func (r *replay) writeRecorded(w http.ResponseWriter, ex *exchange) {
	for k, v := range ex.headers {
		switch strings.ToLower(k) {
		case "content-length", "connection", "transfer-encoding", "content-encoding":
			continue
		case "link":
			v = strings.NewReplacer("https://api.github.com", r.srv.URL+"/api/v3", "/repositories/1000/", "/repos/"+owner+"/"+repo+"/").Replace(fmt.Sprint(v))
		}
		w.Header().Set(k, fmt.Sprint(v))
	}
	w.WriteHeader(ex.status)
	if ex.status == http.StatusNoContent || string(ex.body) == `""` {
		return
	}
	w.Write(ex.body)
}

// openAPIExample returns the lowest 2xx response of op and its JSON
// example ("default" or the first by name), or nil.
func openAPIExample(op *openapi3.Operation) (int, []byte) {
	var codes []int
	for code := range op.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil && n >= 200 && n < 300 {
			codes = append(codes, n)
		}
	}
	slices.Sort(codes)
	for _, code := range codes {
		resp := op.Responses.Status(code)
		if resp == nil || resp.Value == nil {
			continue
		}
		if code == http.StatusNoContent {
			return code, []byte{}
		}
		mt := resp.Value.Content.Get("application/json")
		if mt == nil {
			continue
		}
		var v any
		switch {
		case mt.Example != nil:
			v = mt.Example
		case len(mt.Examples) > 0:
			names := slices.Sorted(mapsKeys(mt.Examples))
			name := names[0]
			if _, ok := mt.Examples["default"]; ok {
				name = "default"
			}
			if ex := mt.Examples[name]; ex != nil && ex.Value != nil {
				v = ex.Value.Value
			}
		}
		if v == nil {
			continue
		}
		data, err := json.Marshal(v)
		if err != nil {
			continue
		}
		return code, data
	}
	return 0, nil
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

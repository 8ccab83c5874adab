package gitlab_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The endpoints the client calls, with the parameters GitLab's REST API
// reference documents for them: for each, the method, the path template
// (under /api/v4) and every documented parameter, where it goes, its type
// and whether it is required. These are facts read from the reference
// pages of gitlabhq/gitlabhq (the GitHub mirror of GitLab's repository),
// each cited as doc path @ the commit it was read at. GitLab's OpenAPI
// description (doc/api/openapi) cannot be had here: the repository is far
// too large to fetch and no registry serves the file.
//
// Only the endpoints and parameters the client can send are listed; a
// request to any other endpoint, or with any other parameter, fails the
// test that sent it.

// Where a parameter goes.
const (
	inPath  = "path"
	inQuery = "query" // or form-encoded or JSON body: GitLab's API reads either
	inForm  = "form"  // a multipart/form-data field
)

// The documented types.
const (
	tInteger   = "integer"
	tString    = "string"
	tBoolean   = "boolean"
	tIDOrPath  = "integer or string" // a project's ID or its URL-encoded path
	tArray     = "array"
	tHash      = "hash"
	tDatetime  = "datetime"
	tFileField = "file" // a multipart file part; the docs call it string
)

type param struct {
	name     string
	in       string
	typ      string
	required bool
	values   []string // the documented values, when the docs list them
}

type endpoint struct {
	method, path string
	doc          string // doc path @ commit
	params       []param
	// paginated: the list takes page and per_page (GitLab's offset
	// pagination, doc/api/rest/_index.md#pagination, which issues.md and
	// notes.md at 6e370d70 point to for every GET list).
	paginated bool
}

const (
	docMR        = "doc/api/merge_requests.md@6e370d70120dba1fb6e4a3542f44f3e7da3caff2"
	docApprovals = "doc/api/merge_request_approvals.md@003efb27fc4d7d0571979553c602fccfbf5ad0c2"
	docCommits   = "doc/api/commits.md@00359ec1bcc62ff56654a939d7edeb9b37df4f5f"
	docNotes     = "doc/api/notes.md@6e370d70120dba1fb6e4a3542f44f3e7da3caff2"
	docIssues    = "doc/api/issues.md@6e370d70120dba1fb6e4a3542f44f3e7da3caff2"
	docReleases  = "doc/api/releases/_index.md@6e370d70120dba1fb6e4a3542f44f3e7da3caff2"
	docLinks     = "doc/api/releases/links.md@6e370d70120dba1fb6e4a3542f44f3e7da3caff2"
	docUploads   = "doc/api/project_markdown_uploads.md@0286e4c628d68960d0ca9e961d82c3ea6ac90633"
	docTags      = "doc/api/tags.md@017a6c129d6a9e4ad9fec792cd84f88641d7dbfe"
	docDeploy    = "doc/api/deployments.md@0351d9ed83635ce3258e2d09ba92b46a7cdcfa61"
	docProjects  = "doc/api/projects.md@330eac18cef61a4f58b3601265f7b631d2311cd0"
	docMembers   = "doc/api/project_members.md@3e2ec3b6244690b7c2dd21beb4dc1c07b0a837c8"
	docUsers     = "doc/api/users.md@849f9995d97c85d88b36a40ee563f7dd51fdc3f1"
)

var (
	pProject = param{name: "id", in: inPath, typ: tIDOrPath, required: true}
	pMR      = param{name: "merge_request_iid", in: inPath, typ: tInteger, required: true}
	mrLabels = param{name: "labels", in: inQuery, typ: tString}
)

var documented = []endpoint{
	// Get single project.
	{method: "GET", path: "/projects/:id", doc: docProjects, params: []param{pProject,
		{name: "statistics", in: inQuery, typ: tBoolean},
		{name: "license", in: inQuery, typ: tBoolean},
		{name: "with_custom_attributes", in: inQuery, typ: tBoolean}}},
	// Get a member of a project, including inherited and invited members.
	{method: "GET", path: "/projects/:id/members/all/:user_id", doc: docMembers, params: []param{pProject,
		{name: "user_id", in: inPath, typ: tInteger, required: true}}},
	// User: the currently authenticated user.
	{method: "GET", path: "/user", doc: docUsers},
	// Get single MR.
	{method: "GET", path: "/projects/:id/merge_requests/:merge_request_iid", doc: docMR, params: []param{pProject, pMR,
		{name: "include_diverged_commits_count", in: inQuery, typ: tBoolean},
		{name: "include_rebase_in_progress", in: inQuery, typ: tBoolean},
		{name: "render_html", in: inQuery, typ: tBoolean}}},
	// List project merge requests (the filters the client can send).
	{method: "GET", path: "/projects/:id/merge_requests", doc: docMR, paginated: true, params: []param{pProject,
		{name: "state", in: inQuery, typ: tString, values: []string{"all", "opened", "closed", "locked", "merged"}},
		{name: "source_branch", in: inQuery, typ: tString},
		{name: "target_branch", in: inQuery, typ: tString},
		{name: "order_by", in: inQuery, typ: tString, values: []string{"created_at", "title", "updated_at"}},
		{name: "sort", in: inQuery, typ: tString, values: []string{"asc", "desc"}},
		mrLabels}},
	// Create MR.
	{method: "POST", path: "/projects/:id/merge_requests", doc: docMR, params: []param{pProject,
		{name: "source_branch", in: inQuery, typ: tString, required: true},
		{name: "target_branch", in: inQuery, typ: tString, required: true},
		{name: "title", in: inQuery, typ: tString, required: true},
		{name: "description", in: inQuery, typ: tString},
		mrLabels,
		{name: "remove_source_branch", in: inQuery, typ: tBoolean},
		{name: "squash", in: inQuery, typ: tBoolean}}},
	// Update MR ("must include at least one non-required attribute").
	{method: "PUT", path: "/projects/:id/merge_requests/:merge_request_iid", doc: docMR, params: []param{pProject, pMR,
		{name: "title", in: inQuery, typ: tString},
		{name: "description", in: inQuery, typ: tString},
		mrLabels,
		{name: "add_labels", in: inQuery, typ: tString},
		{name: "remove_labels", in: inQuery, typ: tString},
		{name: "target_branch", in: inQuery, typ: tString},
		{name: "state_event", in: inQuery, typ: tString}}},
	// Get single merge request reviewers.
	{method: "GET", path: "/projects/:id/merge_requests/:merge_request_iid/reviewers", doc: docMR, params: []param{pProject, pMR}},
	// Get single merge request commits.
	{method: "GET", path: "/projects/:id/merge_requests/:merge_request_iid/commits", doc: docMR, paginated: true, params: []param{pProject, pMR}},
	// List merge request diffs (page and per_page are in its own table).
	{method: "GET", path: "/projects/:id/merge_requests/:merge_request_iid/diffs", doc: docMR, paginated: true, params: []param{pProject, pMR,
		{name: "unidiff", in: inQuery, typ: tBoolean}}},
	// Get merge request diff versions.
	{method: "GET", path: "/projects/:id/merge_requests/:merge_request_iid/versions", doc: docMR, paginated: true, params: []param{pProject, pMR}},
	// Merge request-level approvals: Get Configuration.
	{method: "GET", path: "/projects/:id/merge_requests/:merge_request_iid/approvals", doc: docApprovals, params: []param{pProject, pMR}},
	// Project-level approvals: Get Configuration.
	{method: "GET", path: "/projects/:id/approvals", doc: docApprovals, params: []param{pProject}},
	// Create new merge request note.
	{method: "POST", path: "/projects/:id/merge_requests/:merge_request_iid/notes", doc: docNotes, params: []param{pProject, pMR,
		{name: "body", in: inQuery, typ: tString, required: true},
		{name: "internal", in: inQuery, typ: tBoolean}}},
	// Get a single commit (sha: a commit hash, branch or tag name).
	{method: "GET", path: "/projects/:id/repository/commits/:sha", doc: docCommits, params: []param{pProject,
		{name: "sha", in: inPath, typ: tString, required: true},
		{name: "stats", in: inQuery, typ: tBoolean}}},
	// List the statuses of a commit.
	{method: "GET", path: "/projects/:id/repository/commits/:sha/statuses", doc: docCommits, paginated: true, params: []param{pProject,
		{name: "sha", in: inPath, typ: tString, required: true},
		{name: "ref", in: inQuery, typ: tString},
		{name: "stage", in: inQuery, typ: tString},
		{name: "name", in: inQuery, typ: tString},
		{name: "all", in: inQuery, typ: tBoolean}}},
	// Post the build status to a commit.
	{method: "POST", path: "/projects/:id/statuses/:sha", doc: docCommits, params: []param{pProject,
		{name: "sha", in: inPath, typ: tString, required: true},
		{name: "state", in: inQuery, typ: tString, required: true, values: []string{"pending", "running", "success", "failed", "canceled"}},
		{name: "ref", in: inQuery, typ: tString},
		{name: "name", in: inQuery, typ: tString},
		{name: "context", in: inQuery, typ: tString},
		{name: "target_url", in: inQuery, typ: tString},
		{name: "description", in: inQuery, typ: tString}}},
	// Get a single repository tag.
	{method: "GET", path: "/projects/:id/repository/tags/:tag_name", doc: docTags, params: []param{pProject,
		{name: "tag_name", in: inPath, typ: tString, required: true}}},
	// Get a Release by a tag name.
	{method: "GET", path: "/projects/:id/releases/:tag_name", doc: docReleases, params: []param{pProject,
		{name: "tag_name", in: inPath, typ: tString, required: true},
		{name: "include_html_description", in: inQuery, typ: tBoolean}}},
	// Create a release (ref is required only when the tag does not exist;
	// the client releases existing tags).
	{method: "POST", path: "/projects/:id/releases", doc: docReleases, params: []param{pProject,
		{name: "tag_name", in: inQuery, typ: tString, required: true},
		{name: "name", in: inQuery, typ: tString},
		{name: "description", in: inQuery, typ: tString},
		{name: "ref", in: inQuery, typ: tString},
		{name: "milestones", in: inQuery, typ: tArray},
		{name: "assets", in: inQuery, typ: tHash},
		{name: "released_at", in: inQuery, typ: tDatetime}}},
	// Create a release link.
	{method: "POST", path: "/projects/:id/releases/:tag_name/assets/links", doc: docLinks, params: []param{pProject,
		{name: "tag_name", in: inPath, typ: tString, required: true},
		{name: "name", in: inQuery, typ: tString, required: true},
		{name: "url", in: inQuery, typ: tString, required: true},
		{name: "direct_asset_path", in: inQuery, typ: tString},
		{name: "link_type", in: inQuery, typ: tString, values: []string{"other", "runbook", "image", "package"}}}},
	// Upload a file (multipart/form-data).
	{method: "POST", path: "/projects/:id/uploads", doc: docUploads, params: []param{pProject,
		{name: "file", in: inForm, typ: tFileField, required: true}}},
	// List project deployments.
	{method: "GET", path: "/projects/:id/deployments", doc: docDeploy, paginated: true, params: []param{pProject,
		{name: "order_by", in: inQuery, typ: tString, values: []string{"id", "iid", "created_at", "updated_at", "ref"}},
		{name: "sort", in: inQuery, typ: tString, values: []string{"asc", "desc"}},
		{name: "updated_after", in: inQuery, typ: tDatetime},
		{name: "updated_before", in: inQuery, typ: tDatetime},
		{name: "environment", in: inQuery, typ: tString},
		{name: "status", in: inQuery, typ: tString, values: []string{"created", "running", "success", "failed", "canceled", "blocked"}}}},
	// Create a deployment.
	{method: "POST", path: "/projects/:id/deployments", doc: docDeploy, params: []param{pProject,
		{name: "environment", in: inQuery, typ: tString, required: true},
		{name: "sha", in: inQuery, typ: tString, required: true},
		{name: "ref", in: inQuery, typ: tString, required: true},
		{name: "tag", in: inQuery, typ: tBoolean, required: true},
		{name: "status", in: inQuery, typ: tString, required: true, values: []string{"running", "success", "failed", "canceled"}}}},
	// Update a deployment.
	{method: "PUT", path: "/projects/:id/deployments/:deployment_id", doc: docDeploy, params: []param{pProject,
		{name: "deployment_id", in: inPath, typ: tInteger, required: true},
		{name: "status", in: inQuery, typ: tString, required: true, values: []string{"running", "success", "failed", "canceled"}}}},
	// List project issues (the filters the client can send).
	{method: "GET", path: "/projects/:id/issues", doc: docIssues, paginated: true, params: []param{pProject,
		{name: "state", in: inQuery, typ: tString, values: []string{"opened", "closed", "all"}},
		{name: "labels", in: inQuery, typ: tString},
		{name: "order_by", in: inQuery, typ: tString, values: []string{"created_at", "updated_at", "priority", "due_date",
			"relative_position", "label_priority", "milestone_due", "popularity", "weight"}},
		{name: "sort", in: inQuery, typ: tString, values: []string{"asc", "desc"}},
		{name: "search", in: inQuery, typ: tString},
		{name: "in", in: inQuery, typ: tString}}},
	// New issue.
	{method: "POST", path: "/projects/:id/issues", doc: docIssues, params: []param{pProject,
		{name: "title", in: inQuery, typ: tString, required: true},
		{name: "description", in: inQuery, typ: tString},
		{name: "labels", in: inQuery, typ: tString}}},
	// Edit an issue.
	{method: "PUT", path: "/projects/:id/issues/:issue_iid", doc: docIssues, params: []param{pProject,
		{name: "issue_iid", in: inPath, typ: tInteger, required: true},
		{name: "title", in: inQuery, typ: tString},
		{name: "description", in: inQuery, typ: tString},
		{name: "labels", in: inQuery, typ: tString},
		{name: "add_labels", in: inQuery, typ: tString},
		{name: "remove_labels", in: inQuery, typ: tString},
		{name: "state_event", in: inQuery, typ: tString, values: []string{"close", "reopen"}}}},
}

// A SpecError is a request that does not conform to the reference.
type SpecError struct {
	Method, Path string
	Reason       string
}

func (e *SpecError) Error() string { return e.Method + " " + e.Path + ": " + e.Reason }

const apiPrefix = "/api/v4"

// match returns the documented endpoint of method and the escaped path
// (under apiPrefix) and the values of its path parameters.
func match(method, escaped string) (*endpoint, map[string]string) {
	segs := strings.Split(strings.TrimPrefix(escaped, apiPrefix), "/")
	for i := range documented {
		e := &documented[i]
		if e.method != method {
			continue
		}
		tmpl := strings.Split(e.path, "/")
		if len(tmpl) != len(segs) {
			continue
		}
		vals := map[string]string{}
		ok := true
		for j, t := range tmpl {
			switch {
			case strings.HasPrefix(t, ":"):
				v, err := url.PathUnescape(segs[j])
				if err != nil || v == "" {
					ok = false
				}
				vals[t[1:]] = v
			case t != segs[j]:
				ok = false
			}
			if !ok {
				break
			}
		}
		if ok {
			return e, vals
		}
	}
	return nil, nil
}

// checkRequest checks a request (its body already read) against the
// reference: the endpoint is documented, every parameter sent is
// documented for it (page and per_page on lists), every required one is
// there, and each has the documented type and, where the docs list them,
// one of the documented values.
func checkRequest(r *http.Request, body []byte) error {
	path := r.URL.EscapedPath()
	fail := func(format string, args ...any) error {
		return &SpecError{Method: r.Method, Path: path, Reason: fmt.Sprintf(format, args...)}
	}
	if !strings.HasPrefix(path, apiPrefix+"/") {
		return fail("not under %s", apiPrefix)
	}
	e, pathVals := match(r.Method, path)
	if e == nil {
		return fail("no such endpoint in the reference")
	}
	sent := map[string]any{} // name -> value: a textValue from a query or form, a JSON value from a body
	for k, vs := range r.URL.Query() {
		if len(vs) != 1 {
			return fail("query parameter %s sent %d times", k, len(vs))
		}
		sent[k] = textValue(vs[0])
	}
	form := map[string]bool{}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case len(body) == 0:
	case ct == "application/json":
		var obj map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil {
			return fail("body is not a JSON object: %v", err)
		}
		for k, v := range obj {
			if _, dup := sent[k]; dup {
				return fail("parameter %s sent in the query and the body", k)
			}
			sent[k] = v
		}
	case ct == "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), ctParams["boundary"])
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fail("multipart body: %v", err)
			}
			form[part.FormName()] = part.FileName() != ""
			sent[part.FormName()] = textValue("")
		}
	case ct == "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return fail("form body: %v", err)
		}
		for k, vs := range vals {
			sent[k] = textValue(vs[0])
		}
	default:
		return fail("body of type %q", ct)
	}
	for name, v := range sent {
		p := e.param(name)
		if p == nil {
			if e.paginated && (name == "page" || name == "per_page") {
				if !isInteger(v) {
					return fail("%s is not an integer: %v", name, v)
				}
				continue
			}
			return fail("parameter %s is not documented for %s %s (%s)", name, e.method, e.path, e.doc)
		}
		if p.in == inPath {
			return fail("path parameter %s sent as a parameter", name)
		}
		if p.in == inForm {
			if !form[name] {
				return fail("%s must be a file part of a multipart form", name)
			}
			continue
		}
		if _, isForm := form[name]; isForm {
			return fail("%s must not be a multipart part", name)
		}
		if err := p.check(v); err != nil {
			return fail("%s: %v", name, err)
		}
	}
	for _, p := range e.params {
		if !p.required {
			continue
		}
		if p.in == inPath {
			if err := p.check(textValue(pathVals[p.name])); err != nil {
				return fail("path parameter %s: %v", p.name, err)
			}
			continue
		}
		if _, ok := sent[p.name]; !ok {
			return fail("required parameter %s is missing (%s)", p.name, e.doc)
		}
	}
	return nil
}

func (e *endpoint) param(name string) *param {
	for i := range e.params {
		if e.params[i].name == name {
			return &e.params[i]
		}
	}
	return nil
}

// A textValue is a parameter sent as text (a query, a form or a path):
// its type is what it parses as. A JSON body's values carry their type.
type textValue string

func isInteger(v any) bool {
	switch x := v.(type) {
	case textValue:
		_, err := strconv.ParseInt(string(x), 10, 64)
		return err == nil
	case json.Number:
		_, err := x.Int64()
		return err == nil
	}
	return false
}

// check checks a value sent for p: a string from a path, query or form,
// or a JSON value from a body.
func (p *param) check(v any) error {
	switch p.typ {
	case tInteger:
		if !isInteger(v) {
			return fmt.Errorf("want an integer, got %#v", v)
		}
	case tIDOrPath:
		if s, ok := v.(textValue); !ok || s == "" {
			return fmt.Errorf("want an ID or a path, got %#v", v)
		}
	case tBoolean:
		switch x := v.(type) {
		case bool:
		case textValue:
			if x != "true" && x != "false" {
				return fmt.Errorf("want a boolean, got %q", x)
			}
		default:
			return fmt.Errorf("want a boolean, got %#v", v)
		}
	case tString, tDatetime:
		switch v.(type) {
		case string, textValue:
		default:
			return fmt.Errorf("want a string, got %#v", v)
		}
	case tArray:
		if _, ok := v.([]any); !ok {
			return fmt.Errorf("want an array, got %#v", v)
		}
	case tHash:
		if _, ok := v.(map[string]any); !ok {
			return fmt.Errorf("want a hash, got %#v", v)
		}
	default:
		return fmt.Errorf("type %s cannot be checked", p.typ)
	}
	if p.values != nil {
		s, ok := v.(string)
		if t, isText := v.(textValue); isText {
			s, ok = string(t), true
		}
		if !ok || !slices.Contains(p.values, s) {
			return fmt.Errorf("%#v is none of the documented values %v", v, p.values)
		}
	}
	return nil
}

// The checker itself: a request that conforms passes, and each kind of
// non-conforming request fails with a SpecError.
func TestSpecChecker(t *testing.T) {
	jsonReq := func(method, path, body string) (*http.Request, []byte) {
		r := httptest.NewRequest(method, "http://gitlab.test"+path, nil)
		r.Header.Set("Content-Type", "application/json")
		return r, []byte(body)
	}
	upload := func(file bool) (*http.Request, []byte) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		if file {
			fw, _ := w.CreateFormFile("file", "a.tar.gz")
			fw.Write([]byte("x"))
		} else {
			w.WriteField("file", "x")
		}
		w.Close()
		r := httptest.NewRequest("POST", "http://gitlab.test/api/v4/projects/1/uploads", nil)
		r.Header.Set("Content-Type", w.FormDataContentType())
		return r, b.Bytes()
	}
	get := func(path string) (*http.Request, []byte) {
		return httptest.NewRequest("GET", "http://gitlab.test"+path, nil), nil
	}
	const deploy = `{"environment":"production","sha":"a91957a858320c0e17f3a0eca7cfacbff50ea29a","ref":"main","tag":false,"status":"success"}`
	for _, tc := range []struct {
		name   string
		req    func() (*http.Request, []byte)
		reason string // "" when the request conforms
	}{
		{"deployment", func() (*http.Request, []byte) { return jsonReq("POST", "/api/v4/projects/1/deployments", deploy) }, ""},
		{"project path", func() (*http.Request, []byte) {
			return get("/api/v4/projects/group%2Fshop/merge_requests?state=opened&source_branch=a%2Fb&target_branch=main")
		}, ""},
		{"list page", func() (*http.Request, []byte) {
			return get("/api/v4/projects/1/issues?state=opened&page=2&per_page=100")
		}, ""},
		{"upload", func() (*http.Request, []byte) { return upload(true) }, ""},
		{"tag name with a slash", func() (*http.Request, []byte) { return get("/api/v4/projects/1/releases/release%2Fv1") }, ""},

		{"undocumented endpoint", func() (*http.Request, []byte) { return get("/api/v4/projects/1/merge_requests/1/pipelines") },
			"no such endpoint in the reference"},
		{"undocumented method", func() (*http.Request, []byte) { return jsonReq("DELETE", "/api/v4/projects/1/merge_requests/1", "") },
			"no such endpoint in the reference"},
		{"outside the API", func() (*http.Request, []byte) { return get("/projects/1/issues") }, "not under /api/v4"},
		{"undocumented parameter", func() (*http.Request, []byte) {
			// confidential is documented for issue notes, not merge request notes.
			return jsonReq("POST", "/api/v4/projects/1/merge_requests/1/notes", `{"body":"x","confidential":true}`)
		}, "parameter confidential is not documented for POST /projects/:id/merge_requests/:merge_request_iid/notes (" + docNotes + ")"},
		{"required parameter missing", func() (*http.Request, []byte) {
			return jsonReq("POST", "/api/v4/projects/1/deployments", `{"environment":"production","sha":"a","ref":"main","status":"success"}`)
		}, "required parameter tag is missing (" + docDeploy + ")"},
		{"boolean as a string in JSON", func() (*http.Request, []byte) {
			return jsonReq("POST", "/api/v4/projects/1/deployments", strings.Replace(deploy, `"tag":false`, `"tag":"false"`, 1))
		}, `tag: want a boolean, got "false"`},
		{"boolean query not a boolean", func() (*http.Request, []byte) {
			return get("/api/v4/projects/1/releases/v1?include_html_description=yes")
		},
			`include_html_description: want a boolean, got "yes"`},
		{"string as an array", func() (*http.Request, []byte) {
			return jsonReq("PUT", "/api/v4/projects/1/merge_requests/1", `{"labels":["a","b"]}`)
		}, "labels: want a string, got []interface {}{\"a\", \"b\"}"},
		{"integer path parameter", func() (*http.Request, []byte) {
			return jsonReq("PUT", "/api/v4/projects/1/issues/six", `{"title":"x"}`)
		},
			`path parameter issue_iid: want an integer, got "six"`},
		{"undocumented value", func() (*http.Request, []byte) {
			return jsonReq("POST", "/api/v4/projects/1/deployments", strings.Replace(deploy, `"success"`, `"created"`, 1))
		}, `status: "created" is none of the documented values [running success failed canceled]`},
		{"page on a single object", func() (*http.Request, []byte) { return get("/api/v4/projects/1/merge_requests/1/reviewers?page=1") },
			"parameter page is not documented for GET /projects/:id/merge_requests/:merge_request_iid/reviewers (" + docMR + ")"},
		{"page not an integer", func() (*http.Request, []byte) { return get("/api/v4/projects/1/issues?page=two") },
			"page is not an integer: two"},
		{"file not a file part", func() (*http.Request, []byte) { return upload(false) }, "file must be a file part of a multipart form"},
		{"parameter in the query and the body", func() (*http.Request, []byte) {
			return jsonReq("POST", "/api/v4/projects/1/issues?title=a", `{"title":"b"}`)
		}, "parameter title sent in the query and the body"},
		{"body not JSON", func() (*http.Request, []byte) { return jsonReq("POST", "/api/v4/projects/1/issues", `title=a`) },
			"body is not a JSON object: invalid character 'i' in literal true (expecting 'r')"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, body := tc.req()
			err := checkRequest(req, body)
			if tc.reason == "" {
				require.NoError(t, err)
				return
			}
			var se *SpecError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.reason, se.Reason)
			assert.Equal(t, req.Method, se.Method)
		})
	}
}

// Every documented endpoint names its page, and every parameter has a
// type the checker knows: a typo in the table would otherwise let any
// value through.
func TestSpecTable(t *testing.T) {
	known := []string{tInteger, tString, tBoolean, tIDOrPath, tArray, tHash, tDatetime, tFileField}
	seen := map[string]bool{}
	for _, e := range documented {
		key := e.method + " " + e.path
		assert.False(t, seen[key], "%s listed twice", key)
		seen[key] = true
		assert.Regexp(t, `^doc/api/[a-z_/]+\.md@[0-9a-f]{40}$`, e.doc, key)
		for _, p := range e.params {
			assert.Contains(t, known, p.typ, "%s %s", key, p.name)
			assert.Contains(t, []string{inPath, inQuery, inForm}, p.in, "%s %s", key, p.name)
			if p.in == inPath {
				assert.Contains(t, e.path, ":"+p.name, "%s: path parameter %s", key, p.name)
				assert.True(t, p.required, "%s: path parameter %s", key, p.name)
			}
		}
	}
}

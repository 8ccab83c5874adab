package gitlab_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/releasekit/releasekit/forge"
	"github.com/releasekit/releasekit/forge/gitlab"
)

// A client of a self-managed GitLab project; the token comes from
// forge.Token("gitlab"). New calls nothing.
func ExampleNew() {
	_, err := gitlab.New(nil, "https://gitlab.example.com", "group/shop", "token-from-the-environment")
	fmt.Println(err)
	_, err = gitlab.New(nil, "", "", "")
	fmt.Println(errors.Is(err, forge.ErrInvalid))
	// Output:
	// <nil>
	// true
}

// A CI job token may not read its user, so it cannot keep the deployment
// report issue: UpsertIssue says so before it reads or writes an issue. A
// stand-in for GitLab on 127.0.0.1 prints the calls.
func ExampleClient_UpsertIssue_jobToken() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path, r.Header.Get("JOB-TOKEN") != "")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"403 Forbidden"}`)
	}))
	defer srv.Close()
	c, err := gitlab.New(srv.Client(), srv.URL, "group/shop", "job-token-from-the-environment", gitlab.WithJobToken())
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.UpsertIssue(context.Background(), forge.NewIssue{Title: "Deployment status", Body: "production: v1.3.0"})
	fmt.Println(errors.Is(err, gitlab.ErrUnknownUser), errors.Is(err, forge.ErrUnauthorized))
	// Output:
	// GET /api/v4/user true
	// true true
}

package github_test

import (
	"errors"
	"fmt"

	"github.com/releasekit/releasekit/forge"
	"github.com/releasekit/releasekit/forge/github"
)

// A client of a GitHub Enterprise Server repository; the token comes from
// forge.Token("github"). New calls nothing: a repository without an owner
// is refused at once.
func ExampleNew() {
	_, err := github.New(nil, "https://github.example.com", "octo-org", "shop", "token-from-the-environment")
	fmt.Println(err)
	_, err = github.New(nil, "", "", "shop", "")
	fmt.Println(errors.Is(err, forge.ErrInvalid))
	// Output:
	// <nil>
	// true
}

// UpsertIssue fails with an *IdentityError, and writes no issue, when
// GitHub names the token's account neither through GET /user nor through
// GraphQL's viewer: an issue of the report's title may be anyone's.
func ExampleIdentityError() {
	refused := &forge.APIError{Forge: "github", Method: "GET", Path: "/api/v3/user", Status: 403,
		Message: "Resource not accessible by integration", Err: forge.ErrUnauthorized}
	err := fmt.Errorf("deployment report: %w", &github.IdentityError{Reason: "neither GET /user nor the GraphQL viewer names it",
		Err: errors.Join(refused, errors.New("graphql viewer: no login"))})
	var ie *github.IdentityError
	fmt.Println(errors.As(err, &ie), errors.Is(err, forge.ErrUnauthorized))
	fmt.Println(err)
	// Output:
	// true true
	// deployment report: forge: github: the token's account is unknown: neither GET /user nor the GraphQL viewer names it: forge: github: GET /api/v3/user: 403 Resource not accessible by integration; graphql viewer: no login
}

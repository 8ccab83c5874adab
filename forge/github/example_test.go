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

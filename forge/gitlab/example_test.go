package gitlab_test

import (
	"errors"
	"fmt"

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

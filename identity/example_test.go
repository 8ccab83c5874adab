package identity_test

import (
	"errors"
	"fmt"

	"github.com/releasekit/releasekit/identity"
)

func ExampleNormalize() {
	for _, id := range []string{"Ada@Example.COM", "@ada", "ａｄａ", "ada\u200b", "аda", "ada\x1b[2J"} {
		n, err := identity.Normalize(id)
		var ie *identity.Error
		switch {
		case errors.As(err, &ie):
			fmt.Printf("%q: refused, %s %s\n", id, ie.Reason, ie.Detail)
		case err != nil:
			fmt.Println(err)
		default:
			fmt.Printf("%q: %s\n", id, n)
		}
	}
	// Output:
	// "Ada@Example.COM": ada@example.com
	// "@ada": ada
	// "ａｄａ": ada
	// "ada\u200b": refused, invisible character U+200B
	// "аda": refused, mixed scripts Cyrillic, Latin
	// "ada\x1b[2J": refused, control character U+001B
}

func ExampleDirectory() {
	people, err := identity.NewDirectory(map[string][]string{
		"ada":  {"ada@example.com", "ada-gh"},
		"cleo": {"cleo@example.com"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	same, _ := people.Same("ADA-GH", "@ada")
	fmt.Println("ada-gh is ada:", same)
	conflict, _ := people.Conflict("ada", "ada@elsewhere.example")
	fmt.Println("ada@elsewhere.example may be ada:", conflict)
	conflict, _ = people.Conflict("ada", "cleo@example.com")
	fmt.Println("cleo may be ada:", conflict)
	listed, _ := people.Contains([]string{"cleo@example.com"}, "Cleo")
	fmt.Println("cleo may approve:", listed)
	_, err = people.Conflict("ada", "ada\u200b")
	fmt.Println("refused:", errors.Is(err, identity.ErrInvalid))
	// Output:
	// ada-gh is ada: true
	// ada@elsewhere.example may be ada: true
	// cleo may be ada: false
	// cleo may approve: true
	// refused: true
}

func ExampleDirectory_Conflict() {
	var people *identity.Directory // no mapping: normalisation only
	for _, approver := range []string{"bob", "ADA", "ada@example.com", "@ada"} {
		conflict, err := people.Conflict("ada", approver)
		fmt.Println(approver, conflict, err)
	}
	// Output:
	// bob false <nil>
	// ADA true <nil>
	// ada@example.com true <nil>
	// @ada true <nil>
}

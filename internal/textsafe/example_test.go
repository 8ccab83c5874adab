package textsafe_test

import (
	"fmt"

	"github.com/releasekit/releasekit/internal/textsafe"
)

func ExampleOneLine() {
	reason := "approved\nresult: ALLOW \u202egnp.exe \x1b[2J"
	fmt.Println(textsafe.OneLine(reason))
	// Output: approved\nresult: ALLOW \u202egnp.exe \x1b[2J
}
